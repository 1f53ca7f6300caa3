//! `tamwin programme import|list|show` and `tamwin cycle draft|dry-run|approve|open|close|adjust|status`
//! (issue 15 point 6). Cycle commands act as a staff account (`--as`), so that four eyes hold on the
//! command line too; `approve` then runs the generation through the job runner here, with a bar.

use crate::Error;
use crate::cli::{CycleCommand, ProgrammeCommand};
use crate::wiring::{Settings, bar, registry_and_store};
use std::sync::Arc;
use std::time::Duration;
use tamwin_app::cycles::{CycleView, DryRun, GENERATE_JOB, ItemAmount};
use tamwin_app::jobs::Runner;
use tamwin_app::{Actor, Registry};
use tamwin_store::CycleFilter;

fn message(e: tamwin_app::AppError) -> Error {
    e.to_string().into()
}

async fn actor(reg: &Registry, who: Option<&str>) -> Result<Actor, Error> {
    match who {
        Some(u) => reg
            .acting_as(u)
            .await
            .map_err(|_| format!("--as: no active staff account {u}").into()),
        None => Ok(Actor::system("cli")),
    }
}

pub(crate) async fn programme(rules: &Settings, command: ProgrammeCommand) -> Result<(), Error> {
    let (reg, _) = registry_and_store(rules).await?;
    let cli = Actor::system("cli");
    match command {
        ProgrammeCommand::Import { files } => {
            for f in files {
                let text =
                    std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
                let r = reg
                    .import_programme(&text, &cli)
                    .await
                    .map_err(|e| format!("{}: {e}", f.display()))?;
                println!(
                    "{}: versions added {:?}, unchanged {:?}",
                    r.code, r.added, r.unchanged
                );
            }
        }
        ProgrammeCommand::List => {
            for p in reg.programmes(&cli).await.map_err(message)? {
                let last = p.versions.last();
                println!(
                    "{}\t{}\t{}\tversion {} from {}",
                    p.code,
                    p.country,
                    p.kind,
                    last.map_or(0, |v| v.version),
                    last.map_or("-", |v| v.effective_from.as_str())
                );
            }
        }
        ProgrammeCommand::Show { code } => {
            let p = reg.programme(&code, &cli).await.map_err(message)?;
            println!("{}", serde_json::to_string_pretty(&p)?);
        }
    }
    Ok(())
}

fn print_cycle(c: &CycleView) {
    println!(
        "{}  {} {} governorate {}  {}{}",
        c.cycle_id,
        c.programme,
        c.month,
        c.governorate,
        c.status,
        match (c.households, c.persons) {
            (Some(h), Some(p)) => format!("  {h} households, {p} persons"),
            _ => String::new(),
        }
    );
    if let Some(e) = &c.error {
        println!("  generation failed: {e}");
    }
}

fn print_dry_run(d: &DryRun) {
    println!(
        "{} version {} {} governorate {}: {} households, {} persons, {} held as a whole",
        d.programme,
        d.version,
        d.month,
        d.governorate,
        d.households,
        d.persons,
        d.suspended_households
    );
    println!("district\thouseholds\tpersons\theld");
    for x in &d.districts {
        println!(
            "{}\t{}\t{}\t{}",
            x.district, x.households, x.persons, x.suspended_households
        );
    }
    println!("warehouse\tagents\thouseholds\tpersons");
    for w in &d.warehouses {
        println!(
            "{}\t{}\t{}\t{}",
            w.warehouse.as_deref().unwrap_or("-"),
            w.agents,
            w.households,
            w.persons
        );
    }
    println!("item\tunit\ttotal");
    for i in &d.items {
        println!("{}\t{}\t{}", i.item, i.unit, i.amount);
    }
}

/// Item amounts as CSV: the `head` columns, then `item`, `unit`, `amount`; a row per group and item.
fn items_csv<'a>(
    path: &std::path::Path,
    head: &[&str],
    groups: impl Iterator<Item = (Vec<String>, &'a [ItemAmount])>,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(head.iter().copied().chain(["item", "unit", "amount"]))?;
    for (cells, items) in groups {
        for i in items {
            let amount = i.amount.to_string();
            let tail = [i.item.as_str(), i.unit.as_str(), amount.as_str()];
            w.write_record(cells.iter().map(String::as_str).chain(tail))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The warehouses' tonnage as CSV (docs/formats.md, "Dry-run warehouses file").
fn warehouses_csv(d: &DryRun, path: &std::path::Path) -> Result<(), Error> {
    let head = ["warehouse", "name_ar", "agents", "households", "persons"];
    items_csv(
        path,
        &head,
        d.warehouses.iter().map(|x| {
            let cells = vec![
                x.warehouse.clone().unwrap_or_default(),
                x.name_ar.clone().unwrap_or_default(),
                x.agents.to_string(),
                x.households.to_string(),
                x.persons.to_string(),
            ];
            (cells, x.items.as_slice())
        }),
    )
}

/// The agents' tonnage as CSV: one row per agent and item (docs/formats.md, "Dry-run agents file").
fn agents_csv(d: &DryRun, path: &std::path::Path) -> Result<(), Error> {
    let head = ["district", "agent", "households", "persons"];
    items_csv(
        path,
        &head,
        d.agents.iter().map(|a| {
            let cells = vec![
                a.district.clone(),
                a.agent.clone().unwrap_or_default(),
                a.households.to_string(),
                a.persons.to_string(),
            ];
            (cells, a.items.as_slice())
        }),
    )
}

/// Runs the generation job here until the cycle is generated (or fails), the cycles done on a bar.
async fn generate_here(
    reg: &Arc<Registry>,
    store: &Arc<dyn tamwin_store::Store>,
    cycle_id: &str,
) -> Result<(), Error> {
    let mut runner = Runner::only(reg.clone(), &[GENERATE_JOB]);
    runner.renew_every = Duration::from_millis(300);
    let runner = Arc::new(runner);
    let run = tokio::spawn({
        let runner = runner.clone();
        async move { runner.run_due().await }
    });
    let pb = bar(0, "cycles");
    while !run.is_finished() {
        if let Ok(Some(r)) = store.unfinished_job_run(GENERATE_JOB).await {
            pb.set_length(r.progress_total.unwrap_or(0).max(0) as u64);
            pb.set_position(r.progress_done.unwrap_or(0).max(0) as u64);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    pb.finish_and_clear();
    run.await?;
    let c = reg
        .cycle_status(cycle_id, &Actor::system("cli"))
        .await
        .map_err(message)?;
    print_cycle(&c);
    if c.status == "failed" {
        return Err("the generation failed; nothing was written".into());
    }
    Ok(())
}

pub(crate) async fn cycle(rules: &Settings, command: CycleCommand) -> Result<(), Error> {
    let (reg, store) = registry_and_store(rules).await?;
    match command {
        CycleCommand::Draft {
            programme,
            month,
            governorate,
            r#as,
        } => {
            let a = actor(&reg, Some(&r#as)).await?;
            print_cycle(
                &reg.draft_cycle(&programme, &month, &governorate, &a)
                    .await
                    .map_err(message)?,
            );
        }
        CycleCommand::DryRun {
            programme,
            month,
            governorate,
            cycle,
            agents_csv: csv_path,
            warehouses_csv: warehouses_path,
            changes_csv,
        } => {
            let a = Actor::system("cli");
            if let (Some(id), Some(path)) = (&cycle, &changes_csv) {
                let ch = reg.cycle_changes(id, &a).await.map_err(message)?;
                std::fs::write(path, ch.to_csv().map_err(message)?)?;
                match &ch.previous {
                    Some(p) => println!(
                        "against {} ({}): {} enter, {} leave, {} change; the list in {}",
                        p.month,
                        p.cycle_id,
                        ch.enters,
                        ch.leaves,
                        ch.changes,
                        path.display()
                    ),
                    None => println!("no earlier cycle to compare with"),
                }
            }
            let d = match (cycle, programme, month, governorate) {
                (Some(id), _, _, _) => reg.dry_run_cycle(&id, &a).await,
                (None, Some(p), Some(m), g) => {
                    reg.dry_run(&p, &m, g.as_deref().unwrap_or("nation"), &a)
                        .await
                }
                _ => {
                    return Err(
                        "dry-run: a cycle id, or --programme and --month (and --governorate, or the nation)".into(),
                    );
                }
            }
            .map_err(message)?;
            print_dry_run(&d);
            if let Some(path) = csv_path {
                agents_csv(&d, &path)?;
                println!("agents' quantities in {}", path.display());
            }
            if let Some(path) = warehouses_path {
                warehouses_csv(&d, &path)?;
                println!("warehouses' quantities in {}", path.display());
            }
        }
        CycleCommand::Approve {
            cycle,
            r#as,
            no_generate,
        } => {
            let a = actor(&reg, Some(&r#as)).await?;
            let c = reg.approve_cycle(&cycle, &a).await.map_err(message)?;
            print_cycle(&c);
            if !no_generate {
                generate_here(&reg, &store, &cycle).await?;
            }
        }
        CycleCommand::Generate => match reg.cycle_waiting().await.map_err(message)? {
            Some(item) => {
                let id = item.split('@').next().unwrap_or(&item).to_string();
                generate_here(&reg, &store, &id).await?;
            }
            None => println!("no approved cycle waits for its generation"),
        },
        CycleCommand::Open { cycle, r#as } => {
            let a = actor(&reg, Some(&r#as)).await?;
            print_cycle(&reg.open_cycle(&cycle, &a).await.map_err(message)?);
        }
        CycleCommand::Close { cycle, r#as } => {
            let a = actor(&reg, Some(&r#as)).await?;
            print_cycle(&reg.close_cycle(&cycle, &a).await.map_err(message)?);
        }
        CycleCommand::Adjust {
            cycle,
            card,
            item,
            amount,
            reason,
            r#as,
        } => {
            let a = actor(&reg, Some(&r#as)).await?;
            let card = tamwin_domain::CardNumber::parse(&card)
                .map_err(|_| Error::from(format!("--card: not a card number: {card}")))?;
            let input = tamwin_app::cycles::AdjustmentInput {
                item,
                amount,
                reason,
            };
            let b = reg
                .adjust_entitlement(&card, &cycle, &input, &a)
                .await
                .map_err(message)?;
            for l in &b.lines {
                println!(
                    "{}\t{} {}\t(adjusted {:+})\tavailable {}",
                    l.item, l.amount, l.unit, l.adjusted, l.available
                );
            }
        }
        CycleCommand::Status {
            cycle,
            month,
            governorate,
        } => {
            let a = Actor::system("cli");
            match cycle {
                Some(id) => print_cycle(&reg.cycle_status(&id, &a).await.map_err(message)?),
                None => {
                    let month = month
                        .map(|m| {
                            tamwin_domain::programme::CycleMonth::parse(&m)
                                .map_err(|e| e.message_en)
                        })
                        .transpose()?;
                    let f = CycleFilter {
                        month,
                        governorate,
                        ..CycleFilter::default()
                    };
                    for c in reg.cycles(&f, &a).await.map_err(message)? {
                        print_cycle(&c);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The demo's programmes and this month's cycle of the basket for Karbala, drafted by the
/// governorate's supervisor, approved by the ministry, generated and opened.
pub(crate) async fn demo_cycle(reg: &Arc<Registry>) -> Result<(), Error> {
    let system = Actor::system("demo");
    for (_, text) in tamwin_domain::programme::BUILTIN {
        reg.import_programme(text, &system).await.map_err(message)?;
    }
    let month = tamwin_app::programmes::current_month(reg.clock().now()).to_string();
    let drafter = reg
        .acting_as("governorate-supervisor.karbala")
        .await
        .map_err(message)?;
    let approver = reg
        .acting_as("ministry-admin.karbala")
        .await
        .map_err(message)?;
    let c = reg
        .draft_cycle("iq-pds", &month, "11", &drafter)
        .await
        .map_err(message)?;
    reg.approve_cycle(&c.cycle_id, &approver)
        .await
        .map_err(message)?;
    Arc::new(Runner::only(reg.clone(), &[GENERATE_JOB]))
        .run_due()
        .await;
    let c = reg
        .open_cycle(&c.cycle_id, &drafter)
        .await
        .map_err(message)?;
    println!(
        "Cycle {} of iq-pds for Karbala is open: {} households, {} persons",
        c.month,
        c.households.unwrap_or(0),
        c.persons.unwrap_or(0)
    );
    Ok(())
}
