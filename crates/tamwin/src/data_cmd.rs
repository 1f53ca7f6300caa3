//! `tamwin generate` and `tamwin import`: synthetic registries and their import, with progress.

use crate::Error;
use crate::wiring::bar;
use std::path::Path;
use std::sync::Arc;
use tamwin_app::Registry;
use tamwin_domain::Geography;

pub(crate) fn generate(
    cfg: &tamwin_synth::Config,
    out: &std::path::Path,
) -> Result<tamwin_synth::Summary, Error> {
    let pb = bar(cfg.households, "generate");
    let s = tamwin_synth::generate(cfg, &Geography::builtin()?, out, &|n| pb.set_position(n))?;
    pb.finish();
    Ok(s)
}

fn generate_screening(
    households: u64,
    seed: u64,
    tier: &str,
    out: &std::path::Path,
) -> Result<(), Error> {
    let tier = match tier {
        "standard" => tamwin_synth::Tier::Standard,
        "hard" => tamwin_synth::Tier::Hard,
        other => return Err(format!("unknown tier {other} (standard or hard)").into()),
    };
    let cfg = tamwin_synth::ScreeningConfig {
        households,
        seed,
        tier,
        ..Default::default()
    };
    let pb = bar(households, "generate");
    let s = tamwin_synth::generate_screening(&cfg, &Geography::builtin()?, out, &|n| {
        pb.set_position(n)
    })?;
    pb.finish();
    println!(
        "wrote {} members ({} on a second card, {} fictitious, {} twin and {} namesake look-alikes), {} civil-registry persons, {} death records ({} of members), {} exit records ({} of members), collections ({} silent cards) to {}",
        s.people,
        s.duplicates,
        s.fictitious,
        s.twins,
        s.namesakes,
        s.registry,
        s.deaths,
        s.member_deaths,
        s.exits,
        s.member_exits,
        s.silent,
        out.display()
    );
    Ok(())
}

pub(crate) async fn import(
    reg: &Registry,
    dir: &std::path::Path,
    rejects: &std::path::Path,
    expected_members: u64,
) -> Result<(), Error> {
    let pb = bar(expected_members, "import");
    let p = pb.clone();
    let started = std::time::Instant::now();
    let report =
        tamwin_app::import::import_dir(reg, dir, rejects, Arc::new(move |n| p.set_position(n)))
            .await?;
    pb.finish();
    println!(
        "imported {} households, {} members, {} holds, {} agents in {:.1} s; {} households already present; rejected {} households ({} reject rows in {})",
        report.households,
        report.members,
        report.holds,
        report.agents,
        started.elapsed().as_secs_f64(),
        report.already_present,
        report.rejected_households,
        report.rejected_rows,
        report.rejects.display()
    );
    if report.row_by_row_batches > 0 {
        // Slow on PostgreSQL: say why, so that the operator can look at the reject file.
        println!(
            "{} batches were refused whole by the database and written one household at a time",
            report.row_by_row_batches
        );
    }
    Ok(())
}

/// `tamwin generate`: a synthetic registry, or with `--screening` the screening ground truth.
pub(crate) fn generate_command(
    households: u64,
    seed: u64,
    governorate: Option<String>,
    no_id_share: f64,
    screening: bool,
    tier: &str,
    out: &Path,
) -> Result<(), Error> {
    if screening {
        return generate_screening(households, seed, tier, out);
    }
    let cfg = tamwin_synth::Config {
        households,
        seed,
        governorate,
        no_id_share,
        ..Default::default()
    };
    let s = generate(&cfg, out)?;
    println!(
        "wrote {} households, {} members, {} agents, {} holds ({} twins, {} namesakes, {} without ID), {} civil-registry persons ({} deceased, {} abroad, {} without a card; {} ration members left out) to {}",
        s.households,
        s.members,
        s.agents,
        s.holds,
        s.twins,
        s.namesakes,
        s.without_id,
        s.civil_persons,
        s.civil_deceased,
        s.civil_abroad,
        s.civil_without_card,
        s.civil_missing,
        out.display()
    );
    Ok(())
}
