//! The screening files written: the ration registry household by household, with the civil
//! registry, death and exit records and collections it is screened against, and the truth of each
//! case (duplicate, fictitious, deceased, abroad, twin, namesake, silent) as it is made.

use super::corrupt::{corrupt, duplicate};
use super::romanise::romanise;
use super::{PERSON_COLUMNS, Row, ScreeningConfig, ScreeningSummary};
use crate::people::{Chain, Gen, HEAD_AGE_BANDS, Person, household_people, splitmix64};
use crate::weighted::Weighted;
use crate::{Summary, create, io, names};
use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use tamwin_domain::Geography;

type Writer = csv::Writer<std::io::BufWriter<std::fs::File>>;

struct Out {
    people: Writer,
    registry: Writer,
    deaths: Writer,
    exits: Writer,
    collections: Writer,
    truth: Writer,
}

/// Months of collections written before `as_of`, and the one among them without a delivery (Iraq
/// delivers 10–11 baskets a year).
const COLLECTION_MONTHS: i16 = 6;
const NO_DELIVERY_MONTH: i16 = 3;
/// Completed delivery cycles without a collection that make a card silent (the CLI's default).
pub const SILENT_CYCLES: usize = 3;

impl Out {
    fn truth(&mut self, kind: &str, a: &str, b: &str, detail: &str) -> std::io::Result<()> {
        self.truth.write_record([kind, a, b, detail]).map_err(io)
    }
}

/// Writes people.csv, registry.csv, deaths.csv, exits.csv and truth.csv into `dir`.
pub fn generate_screening(
    cfg: &ScreeningConfig,
    geo: &Geography,
    dir: &Path,
    progress: &dyn Fn(u64),
) -> std::io::Result<ScreeningSummary> {
    std::fs::create_dir_all(dir)?;
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(cfg.seed),
        male: Weighted::new(names::MALE.iter().copied()),
        female: Weighted::new(names::FEMALE.iter().copied()),
        family: Weighted::new(names::FAMILY.iter().copied()),
        next_id: splitmix64(cfg.seed),
        no_id_share: 0.03,
        as_of: cfg.as_of,
        recent_heads: Vec::new(),
    };
    // The screening's own draws, apart from the population's.
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5c4e_e41e);
    let govs = Weighted::new(geo.governorates.iter().map(|x| (x.code.clone(), x.weight)));
    let mut out = Out {
        people: create(dir, "people.csv")?,
        registry: create(dir, "registry.csv")?,
        deaths: create(dir, "deaths.csv")?,
        exits: create(dir, "exits.csv")?,
        collections: create(dir, "collections.csv")?,
        truth: create(dir, "truth.csv")?,
    };
    out.collections
        .write_record(["household_id", "cycle"])
        .map_err(io)?;
    // The delivery cycles, oldest first: YYYY-MM of the months before as_of, one skipped.
    let cycles: Vec<String> = (1..=COLLECTION_MONTHS)
        .rev()
        .filter(|m| *m != NO_DELIVERY_MONTH)
        .map(|m| {
            let d = cfg
                .as_of
                .first_of_month()
                .checked_sub(jiff::Span::new().months(m))
                .unwrap_or(cfg.as_of);
            format!("{:04}-{:02}", d.year(), d.month())
        })
        .collect();
    out.people.write_record(PERSON_COLUMNS).map_err(io)?;
    out.registry.write_record(PERSON_COLUMNS).map_err(io)?;
    let mut death_cols = PERSON_COLUMNS.to_vec();
    death_cols.push("death_date");
    out.deaths.write_record(&death_cols).map_err(io)?;
    out.exits
        .write_record([
            "record_id",
            "national_id",
            "full_name",
            "birth_date",
            "exit_date",
            "return_date",
        ])
        .map_err(io)?;
    out.truth
        .write_record(["kind", "record_id", "other_id", "detail"])
        .map_err(io)?;

    let head_age = Weighted::new(HEAD_AGE_BANDS.iter().copied());
    let mut s = ScreeningSummary::default();
    let mut summary = Summary::default();
    // Copies waiting for another card: (the original's record id, the corrupted row, what was done).
    let mut pending: Vec<(String, Row, String)> = Vec::new();
    let (mut person_n, mut death_n, mut exit_n, mut registry_n) = (0u64, 0u64, 0u64, 0u64);
    // The last household's people, for chimeras; the last male head, for a twin brother's household.
    let mut previous: Vec<Person> = Vec::new();
    let mut twin_of: Option<(String, Person)> = None;
    let mut head_ids: std::collections::HashMap<String, String> = Default::default();
    let days = |d: Date, n: i64| d.checked_sub(jiff::Span::new().days(n)).unwrap_or(d);
    let mut h = 0u64;
    while h < cfg.households || !pending.is_empty() {
        let household = format!("H{h:08}");
        let gov = govs.pick(&mut rng);
        let namesakes_before = summary.namesakes;
        let mut people = if h < cfg.households {
            household_people(&mut g, &head_age, &mut summary)
        } else {
            Vec::new()
        };
        // A twin brother heading his own household: the same parents and birthday, another name.
        let mut twin_pair: Option<String> = None;
        if let Some((twin_id, head)) = twin_of.take()
            && let Some(first) = people.first_mut()
            && first.male
        {
            first.chain.father = head.chain.father.clone();
            first.chain.grandfather = head.chain.grandfather.clone();
            first.chain.family = head.chain.family.clone();
            first.mother = head.mother.clone();
            first.birth = head.birth;
            if first.chain.given == head.chain.given {
                first.chain.given = g.male.pick(&mut g.rng).to_string();
            }
            twin_pair = Some(twin_id);
        }
        // The card's first record, whoever it is (collections are per card).
        let first_record = person_n + 1;
        // A copy made on an earlier card joins this one (never its own card).
        let take = if h < cfg.households {
            rng.random_bool(0.5) as usize
        } else {
            pending.len()
        };
        for _ in 0..take.min(pending.len()) {
            let (orig, copy, detail) = pending.swap_remove(rng.random_range(0..pending.len()));
            person_n += 1;
            let id = format!("P{person_n:09}");
            out.people
                .write_record(copy.fields(&id, &household, &gov))
                .map_err(io)?;
            out.truth("duplicate", &orig, &id, &detail)?;
            s.people += 1;
            s.duplicates += 1;
        }
        let mut ids = Vec::new();
        for (i, p) in people.iter().enumerate() {
            person_n += 1;
            let id = format!("P{person_n:09}");
            let nid = g.national_id().unwrap_or_default();
            let real = Row::of(p, &nid);
            // The civil registry always knows the person's ID, even when the card lacks it.
            let reg_nid = if nid.is_empty() {
                g.national_id().unwrap_or_default()
            } else {
                nid.clone()
            };
            registry_n += 1;
            let reg = Row {
                nid: reg_nid.clone(),
                ..real.clone()
            };
            out.registry
                .write_record(reg.fields(&format!("R{registry_n:09}"), "", &gov))
                .map_err(io)?;
            s.registry += 1;
            out.people
                .write_record(real.fields(&id, &household, &gov))
                .map_err(io)?;
            s.people += 1;
            if i == 0 {
                if let Some(t) = &twin_pair {
                    out.truth("twin", t, &id, "twin brothers heading two households")?;
                    s.twins += 1;
                }
                if summary.namesakes > namesakes_before
                    && let Some(earlier) = head_ids.get(&p.chain.full())
                {
                    out.truth("namesake", earlier, &id, "same four names, another man")?;
                    s.namesakes += 1;
                }
                if p.male {
                    head_ids.insert(p.chain.full(), id.clone());
                    // Namesakes are drawn from the generator's recent heads: only those need an id.
                    if head_ids.len() > 4096 {
                        let recent: std::collections::HashSet<String> =
                            g.recent_heads.iter().map(|c| c.full()).collect();
                        head_ids.retain(|chain, _| recent.contains(chain));
                    }
                }
            }
            ids.push(id.clone());
            let age = cfg.as_of.year() - p.birth.year();
            // On a second card too, with errors.
            if rng.random_bool(cfg.duplicate_share) {
                let (copy, detail) = duplicate(&mut rng, &mut g, cfg.tier, &real, &reg_nid);
                pending.push((id.clone(), copy, detail));
            }
            // Died: the register writes its own record (errors, often no ID).
            let p_death = if age >= 70 { 0.05 } else { 0.004 };
            if rng.random_bool(p_death) {
                death_n += 1;
                let did = format!("D{death_n:08}");
                let mut d = reg.clone();
                if rng.random_bool(0.45) {
                    d.nid.clear();
                }
                for _ in 0..rng.random_range(0..=2) {
                    corrupt(&mut rng, &mut d);
                }
                let mut row = d.fields(&did, "", &gov).to_vec();
                row.push(days(cfg.as_of, rng.random_range(1..900)).to_string());
                out.deaths.write_record(&row).map_err(io)?;
                out.truth("deceased", &id, &did, "")?;
                s.deaths += 1;
                s.member_deaths += 1;
            }
            // Left the country: a Latin-script exit record, some returned.
            if (18..60).contains(&age) && rng.random_bool(0.012) {
                exit_n += 1;
                let xid = format!("X{exit_n:08}");
                write_exit(&mut rng, &mut out, &xid, &reg, cfg.as_of)?;
                out.truth("abroad", &id, &xid, "")?;
                s.exits += 1;
                s.member_exits += 1;
            }
        }
        // Deaths and exits of people on no card (the register holds everyone): look-alikes at most.
        if rng.random_bool(0.3) {
            let stranger = g.random_chain(true);
            death_n += 1;
            let p = Person {
                chain: stranger,
                mother: g.random_chain(false).full(),
                birth: g.birth(rng.random_range(30..90)),
                male: true,
                relation: "head",
            };
            let d = Row::of(&p, &g.national_id().unwrap_or_default());
            let mut row = d.fields(&format!("D{death_n:08}"), "", &gov).to_vec();
            row.push(days(cfg.as_of, rng.random_range(1..900)).to_string());
            out.deaths.write_record(&row).map_err(io)?;
            s.deaths += 1;
        }
        if rng.random_bool(0.1) {
            exit_n += 1;
            let p = Person {
                chain: g.random_chain(true),
                mother: String::new(),
                birth: g.birth(rng.random_range(20..60)),
                male: true,
                relation: "head",
            };
            let x = Row::of(&p, &g.national_id().unwrap_or_default());
            write_exit(&mut rng, &mut out, &format!("X{exit_n:08}"), &x, cfg.as_of)?;
            s.exits += 1;
        }
        // An invented member: a chain nobody has, or a chimera of this family and the last one.
        if !people.is_empty() && rng.random_bool(cfg.fictitious_share) {
            let chimera = !previous.is_empty() && rng.random_bool(0.5);
            let fake = if chimera {
                let other = &previous[rng.random_range(0..previous.len())];
                let mine = &people[rng.random_range(0..people.len())];
                Person {
                    chain: Chain {
                        given: mine.chain.given.clone(),
                        father: mine.chain.father.clone(),
                        grandfather: other.chain.grandfather.clone(),
                        family: other.chain.family.clone(),
                    },
                    mother: other.mother.clone(),
                    birth: other.birth,
                    male: mine.male,
                    relation: "son",
                }
            } else {
                let male = rng.random_bool(0.5);
                Person {
                    chain: g.random_chain(male),
                    mother: g.random_chain(false).full(),
                    birth: g.birth(rng.random_range(1..80)),
                    male,
                    relation: "son",
                }
            };
            // Invented IDs come from outside the registry's; some carry none.
            let nid = if rng.random_bool(0.6) {
                let n = 990_000_000_000u64 + rng.random_range(0..9_999_999u64);
                n.to_string()
            } else {
                String::new()
            };
            person_n += 1;
            let id = format!("P{person_n:09}");
            out.people
                .write_record(Row::of(&fake, &nid).fields(&id, &household, &gov))
                .map_err(io)?;
            out.truth(
                "fictitious",
                &id,
                "",
                if chimera { "chimera" } else { "invented" },
            )?;
            s.people += 1;
            s.fictitious += 1;
        }
        if let Some(head) = people.first()
            && head.male
            && rng.random_bool(0.01)
            && let Some(id) = ids.first()
        {
            twin_of = Some((id.clone(), head_clone(head)));
        }
        // Collections: most cards collect nearly every delivery; some collect now and then; some
        // stopped (died out, left, sold the card). The truth is what the rows show.
        if person_n >= first_record {
            let habit = rng.random_range(0..100);
            let stopped_after = rng.random_range(0..cycles.len() - SILENT_CYCLES + 1);
            let mut last = None;
            for (c, cycle) in cycles.iter().enumerate() {
                let collects = match habit {
                    0..3 => c < stopped_after,
                    3..8 => rng.random_bool(0.6),
                    _ => rng.random_bool(0.97),
                };
                if collects {
                    out.collections
                        .write_record([household.as_str(), cycle])
                        .map_err(io)?;
                    last = Some(c);
                }
            }
            if last.is_none_or(|l| l + SILENT_CYCLES < cycles.len()) {
                let detail = last.map_or("never collected".to_string(), |l| {
                    format!("last collection {}", cycles[l])
                });
                out.truth("silent", &format!("P{first_record:09}"), "", &detail)?;
                s.silent += 1;
            }
        }
        if !people.is_empty() {
            previous = people;
        }
        h += 1;
        if h.is_multiple_of(1000) {
            progress(h);
        }
    }
    for w in [
        &mut out.people,
        &mut out.registry,
        &mut out.deaths,
        &mut out.exits,
        &mut out.collections,
        &mut out.truth,
    ] {
        w.flush()?;
    }
    progress(h);
    Ok(s)
}

fn head_clone(p: &Person) -> Person {
    Person {
        chain: p.chain.clone(),
        mother: p.mother.clone(),
        birth: p.birth,
        male: p.male,
        relation: p.relation,
    }
}

fn write_exit(
    rng: &mut ChaCha8Rng,
    out: &mut Out,
    id: &str,
    r: &Row,
    as_of: Date,
) -> std::io::Result<()> {
    let parts: Vec<&str> = [&r.given, &r.father, &r.grandfather, &r.family]
        .into_iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    // One in five exit records keeps the Arabic name; the rest are in Latin script.
    let full = if rng.random_bool(0.2) {
        parts.join(" ")
    } else {
        parts
            .iter()
            .map(|p| romanise(rng, p))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let exit = as_of
        .checked_sub(jiff::Span::new().days(rng.random_range(10..1500)))
        .unwrap_or(as_of);
    let back = rng
        .random_bool(0.4)
        .then(|| {
            exit.checked_add(jiff::Span::new().days(rng.random_range(3..120)))
                .ok()
        })
        .flatten()
        .filter(|d| *d < as_of);
    let nid = if rng.random_bool(0.5) {
        r.nid.as_str()
    } else {
        ""
    };
    let birth = if rng.random_bool(0.15) {
        r.birth.get(..4).unwrap_or_default().to_string()
    } else {
        r.birth.clone()
    };
    out.exits
        .write_record([
            id,
            nid,
            &full,
            &birth,
            &exit.to_string(),
            &back.map(|d| d.to_string()).unwrap_or_default(),
        ])
        .map_err(io)
}
