//! The ration registry written: agents sized to each district, households with their card numbers
//! and addresses, members, the holds the registry already carries, and the civil registry's view of
//! each person (`agents.csv`, `warehouses.csv`, `outlets.csv`, `households.csv`, `members.csv`, `holds.csv`,
//! `persons.csv`).

use crate::civil_truth::CivilTruth;
use crate::people::{Gen, HEAD_AGE_BANDS, household_people, splitmix64};
use crate::weighted::Weighted;
use crate::{Config, Summary, create, io, names};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::Path;
use tamwin_domain::{CardNumber, Geography, csv_columns};

/// Writes `agents.csv`, `households.csv`, `members.csv` and `holds.csv` into `dir`. `progress` is called
/// with the number of households written so far, every thousand.
pub fn generate(
    cfg: &Config,
    geo: &Geography,
    dir: &Path,
    progress: &dyn Fn(u64),
) -> std::io::Result<Summary> {
    std::fs::create_dir_all(dir)?;
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(cfg.seed),
        male: Weighted::new(names::MALE.iter().copied()),
        female: Weighted::new(names::FEMALE.iter().copied()),
        family: Weighted::new(names::FAMILY.iter().copied()),
        // Each seed starts at its own point of the cycle, so separately generated sets rarely share IDs.
        next_id: splitmix64(cfg.seed),
        no_id_share: cfg.no_id_share.clamp(0.0, 1.0),
        as_of: cfg.as_of,
        recent_heads: Vec::new(),
    };
    let govs: Vec<_> = geo
        .governorates
        .iter()
        .filter(|x| cfg.governorate.as_ref().is_none_or(|c| c == &x.code))
        .map(|x| (x.code.clone(), x.weight))
        .collect();
    if govs.is_empty() {
        return Err(std::io::Error::other("unknown governorate"));
    }
    let gov_total: u64 = govs.iter().map(|(_, w)| u64::from(*w)).sum();
    let gov_pick = Weighted::new(govs.iter().cloned());
    let mut summary = Summary::default();

    // Agents first, sized to the households expected in each district.
    let mut agents_csv = create(dir, "agents.csv")?;
    agents_csv.write_record(csv_columns::AGENTS).map_err(io)?;
    // One warehouse per district supplies its agents (no randomness: the other files stay as they were).
    let mut warehouses_csv = create(dir, "warehouses.csv")?;
    warehouses_csv
        .write_record(csv_columns::WAREHOUSES)
        .map_err(io)?;
    // Every agent is an outlet too, with a flour agent and a bakery per district (fixed data, no
    // randomness either).
    let mut outlets_csv = create(dir, "outlets.csv")?;
    outlets_csv.write_record(csv_columns::OUTLETS).map_err(io)?;
    let mut agents_of: std::collections::HashMap<String, u64> = Default::default();
    let mut district_pick: std::collections::HashMap<String, Weighted<String>> = Default::default();
    for (gov, gw) in &govs {
        let ds: Vec<_> = geo
            .districts_of(gov)
            .map(|d| (d.code.clone(), d.weight))
            .collect();
        let dtotal: u64 = ds.iter().map(|(_, w)| u64::from(*w)).sum::<u64>().max(1);
        for (d, dw) in &ds {
            let expected =
                cfg.households * u64::from(*gw) / gov_total.max(1) * u64::from(*dw) / dtotal;
            let n = expected.div_ceil(cfg.households_per_agent.max(1)).max(1);
            for i in 1..=n {
                let surname = g.family.pick(&mut g.rng);
                let given = g.male.pick(&mut g.rng);
                agents_csv
                    .write_record([
                        format!("A{d}{i:04}"),
                        d.clone(),
                        format!("وكيل {given} {surname}"),
                    ])
                    .map_err(io)?;
                let district_name = geo.district(d).map_or(d.as_str(), |x| x.name_ar.as_str());
                warehouses_csv
                    .write_record([
                        format!("W{d}"),
                        gov.clone(),
                        format!("مخزن {district_name}"),
                        format!("A{d}{i:04}"),
                    ])
                    .map_err(io)?;
                outlets_csv
                    .write_record(outlet_row(
                        &format!("A{d}{i:04}"),
                        "ration_agent",
                        d,
                        &format!("وكيل {given} {surname}"),
                        i,
                    ))
                    .map_err(io)?;
                summary.agents += 1;
            }
            let district_name = geo.district(d).map_or(d.as_str(), |x| x.name_ar.as_str());
            for (prefix, kind, name) in [("F", "flour_agent", "وكيل طحين"), ("B", "bakery", "مخبز")]
            {
                outlets_csv
                    .write_record(outlet_row(
                        &format!("{prefix}{d}0001"),
                        kind,
                        d,
                        &format!("{name} {district_name}"),
                        1,
                    ))
                    .map_err(io)?;
            }
            agents_of.insert(d.clone(), n);
        }
        district_pick.insert(gov.clone(), Weighted::new(ds));
    }
    agents_csv.flush()?;
    warehouses_csv.flush()?;
    outlets_csv.flush()?;

    let mut hh_csv = create(dir, "households.csv")?;
    hh_csv.write_record(csv_columns::HOUSEHOLDS).map_err(io)?;
    let mut m_csv = create(dir, "members.csv")?;
    m_csv.write_record(csv_columns::MEMBERS).map_err(io)?;
    let mut h_csv = create(dir, "holds.csv")?;
    h_csv.write_record(csv_columns::HOLDS).map_err(io)?;
    let mut c_csv = create(dir, "persons.csv")?;
    c_csv.write_record(csv_columns::CIVIL_PERSONS).map_err(io)?;
    // The civil registry's own draws come from a second stream, so the ration files stay as they were.
    let mut civil_rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x000c_1711_u64);

    let mut serials: std::collections::HashMap<String, u32> = Default::default();
    let head_age = Weighted::new(HEAD_AGE_BANDS.iter().copied());
    for n in 0..cfg.households {
        let gov = gov_pick.pick(&mut g.rng);
        let district = district_pick
            .get(&gov)
            .map(|w| w.pick(&mut g.rng))
            .unwrap_or_default();
        let serial = serials.entry(gov.clone()).or_insert(0);
        *serial += 1;
        let card = CardNumber::new(&gov, *serial)
            .ok_or_else(|| std::io::Error::other("card serial overflow"))?;
        let agent_n = agents_of.get(&district).copied().unwrap_or(1);
        let agent = format!("A{district}{:04}", g.rng.random_range(1..=agent_n));
        let address = format!(
            "{}، محلة {}، زقاق {}، دار {}",
            names::NEIGHBOURHOODS[g.rng.random_range(0..names::NEIGHBOURHOODS.len())],
            g.rng.random_range(100..999),
            g.rng.random_range(1..80),
            g.rng.random_range(1..200)
        );
        // Nine households in ten gave a mobile number; numbers are a bijection of the household index.
        let phone = if g.rng.random_bool(0.9) {
            synthetic_phone(n)
        } else {
            String::new()
        };
        hh_csv
            .write_record([card.as_str(), &gov, &district, &address, &agent, &phone])
            .map_err(io)?;

        let people = household_people(&mut g, &head_age, &mut summary);
        for (i, p) in people.iter().enumerate() {
            let age = g.as_of.year() - p.birth.year();
            let nid = g.national_id();
            if nid.is_none() {
                summary.without_id += 1;
            }
            let flag = |b: bool| if b { "1" } else { "0" };
            let sick = g.rng.random_bool(0.03);
            let disabled = g.rng.random_bool(0.02);
            m_csv
                .write_record([
                    card.as_str(),
                    &(i + 1).to_string(),
                    nid.as_deref().unwrap_or(""),
                    &p.chain.given,
                    &p.chain.father,
                    &p.chain.grandfather,
                    p.chain.family.as_deref().unwrap_or(""),
                    &p.mother,
                    &p.birth.to_string(),
                    if p.male { "male" } else { "female" },
                    p.relation,
                    flag(age >= 70),
                    flag(sick),
                    flag(disabled),
                ])
                .map_err(io)?;
            summary.members += 1;
            // A small share of the registry already carries holds, as the audited paper registry does.
            let draw: f64 = g.rng.random();
            let hold = if age >= 75 && draw < 0.04 {
                Some((
                    "deceased",
                    "سجل وفاة من دائرة الأحوال المدنية (بيانات تجريبية)",
                    "civil_registry",
                ))
            } else if (20..45).contains(&age) && draw < 0.006 {
                Some((
                    "abroad",
                    "سجل مغادرة من منفذ حدودي (بيانات تجريبية)",
                    "civil_registry",
                ))
            } else if age >= 18 && draw > 0.99 {
                Some((
                    "not_verified_in_person",
                    "لم يحضر إلى مركز التحديث (بيانات تجريبية)",
                    "update_centre",
                ))
            } else {
                None
            };
            if let Some(nid) = &nid {
                let civil = CivilTruth {
                    nid,
                    p,
                    age,
                    as_of: g.as_of,
                    phone: (i == 0).then_some(phone.as_str()).filter(|x| !x.is_empty()),
                    held: hold.map(|h| h.0),
                };
                if let Some(row) = civil.row(&mut civil_rng, &mut summary) {
                    c_csv.write_record(&row).map_err(io)?;
                }
            }
            if let Some((reason, evidence, source)) = hold {
                h_csv
                    .write_record([
                        card.as_str(),
                        &(i + 1).to_string(),
                        reason,
                        evidence,
                        source,
                    ])
                    .map_err(io)?;
                summary.holds += 1;
            }
        }
        summary.households += 1;
        if (n + 1) % 1000 == 0 {
            progress(n + 1);
        }
    }
    hh_csv.flush()?;
    m_csv.flush()?;
    h_csv.flush()?;
    c_csv.flush()?;
    progress(cfg.households);
    let mut readme = std::fs::File::create(dir.join("SOURCE.txt"))?;
    writeln!(
        readme,
        "Synthetic population generated by `tamwin generate` (seed {}, {} households). Not real people.",
        cfg.seed, cfg.households
    )?;
    Ok(summary)
}

/// A distinct valid Iraqi mobile number for each household index: operator digit from the index, the
/// eight remaining digits an odd multiple modulo 10^8 (a bijection, so no two households share one).
pub fn synthetic_phone(n: u64) -> String {
    const OPERATORS: [u8; 4] = [b'5', b'7', b'8', b'9'];
    let op = char::from(OPERATORS[(n % 4) as usize]);
    let rest = ((n / 4).wrapping_mul(48_271_003) + 13_579) % 100_000_000;
    format!("07{op}{rest:08}")
}

/// An outlets-file line: an address of its district, the usual days and hours (bakeries open early
/// and every day).
fn outlet_row(code: &str, kind: &str, district: &str, name: &str, n: u64) -> Vec<String> {
    let (days, opens, closes) = match kind {
        "bakery" => ("sat sun mon tue wed thu fri", "06:00", "14:00"),
        _ => ("sat sun mon tue wed thu", "08:00", "16:00"),
    };
    vec![
        code.to_string(),
        kind.to_string(),
        district.to_string(),
        name.to_string(),
        format!("الشارع التجاري، محل {n}"),
        String::new(),
        String::new(),
        "active".to_string(),
        days.to_string(),
        opens.to_string(),
        closes.to_string(),
    ]
}
