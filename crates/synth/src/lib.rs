//! Deterministic synthetic population: households first, then their people, streamed to CSV in constant
//! memory (docs/formats.md). Name chains are consistent: a child's father name is the father's given name,
//! the grandfather name follows, the family name is inherited, the mother's name is her own chain.

mod names;
mod screening;

pub use screening::{PERSON_COLUMNS, ScreeningConfig, ScreeningSummary, Tier, generate_screening};

use jiff::civil::Date;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::path::Path;
use tamwin_domain::{CardNumber, Geography, NationalId, csv_columns};

pub struct Config {
    pub households: u64,
    pub seed: u64,
    /// Only this governorate (code), or the whole country by population weight.
    pub governorate: Option<String>,
    /// Share of people without a unified national ID.
    pub no_id_share: f64,
    /// Ages are computed on this day.
    pub as_of: Date,
    /// Households per ration agent (Iraq: ~9M households, ~53k agents).
    pub households_per_agent: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            households: 1000,
            seed: 1,
            governorate: None,
            no_id_share: 0.03,
            as_of: Date::constant(2026, 1, 1),
            households_per_agent: 170,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub households: u64,
    pub members: u64,
    pub agents: u64,
    pub holds: u64,
    pub twins: u64,
    pub namesakes: u64,
    pub without_id: u64,
    /// persons.csv: people written, and among them deceased, abroad, without a card; and ration
    /// members with an ID left out of it (fictitious).
    pub civil_persons: u64,
    pub civil_deceased: u64,
    pub civil_abroad: u64,
    pub civil_without_card: u64,
    pub civil_missing: u64,
}

/// Cumulative weights for picking by weight with one random draw.
struct Weighted<T> {
    items: Vec<T>,
    cum: Vec<u64>,
}

impl<T: Clone> Weighted<T> {
    fn new(pairs: impl IntoIterator<Item = (T, u32)>) -> Self {
        let mut items = Vec::new();
        let mut cum = Vec::new();
        let mut total = 0u64;
        for (t, w) in pairs {
            total += u64::from(w.max(1));
            items.push(t);
            cum.push(total);
        }
        Self { items, cum }
    }
    fn pick(&self, rng: &mut ChaCha8Rng) -> T {
        let total = self.cum.last().copied().unwrap_or(1);
        let x = rng.random_range(0..total);
        let i = self
            .cum
            .partition_point(|c| *c <= x)
            .min(self.items.len() - 1);
        self.items[i].clone()
    }
}

#[derive(Clone)]
struct Chain {
    given: String,
    father: String,
    grandfather: String,
    family: Option<String>,
}

impl Chain {
    fn full(&self) -> String {
        match &self.family {
            Some(f) => format!("{} {} {} {}", self.given, self.father, self.grandfather, f),
            None => format!("{} {} {}", self.given, self.father, self.grandfather),
        }
    }
}

struct Person {
    chain: Chain,
    mother: String,
    birth: Date,
    male: bool,
    relation: &'static str,
}

struct Gen {
    rng: ChaCha8Rng,
    male: Weighted<&'static str>,
    female: Weighted<&'static str>,
    family: Weighted<&'static str>,
    next_id: u64,
    no_id_share: f64,
    as_of: Date,
    recent_heads: Vec<Chain>,
}

/// Adult ages of a head of household, by band (weights roughly follow Iraq's young age structure).
const HEAD_AGE_BANDS: &[((i16, i16), u32)] = &[
    ((20, 29), 18),
    ((30, 39), 27),
    ((40, 49), 23),
    ((50, 59), 16),
    ((60, 69), 10),
    ((70, 90), 6),
];

impl Gen {
    fn chain(
        &mut self,
        male: bool,
        father: &str,
        grandfather: &str,
        family: Option<String>,
    ) -> Chain {
        let given = if male {
            self.male.pick(&mut self.rng)
        } else {
            self.female.pick(&mut self.rng)
        };
        Chain {
            given: given.into(),
            father: father.into(),
            grandfather: grandfather.into(),
            family,
        }
    }

    fn random_chain(&mut self, male: bool) -> Chain {
        let f = self.male.pick(&mut self.rng);
        let g = self.male.pick(&mut self.rng);
        let fam = self.maybe_family();
        self.chain(male, f, g, fam)
    }

    fn maybe_family(&mut self) -> Option<String> {
        if self.rng.random_bool(0.9) {
            Some(self.family.pick(&mut self.rng).to_string())
        } else {
            None
        }
    }

    fn birth(&mut self, age: i16) -> Date {
        let year = self.as_of.year() - age - 1;
        let day = self.rng.random_range(0..365i64);
        Date::new(year, 1, 1)
            .ok()
            .and_then(|d| d.checked_add(jiff::Span::new().days(day)).ok())
            .unwrap_or(Date::constant(1980, 1, 1))
    }

    fn national_id(&mut self) -> Option<String> {
        if self.rng.random_bool(self.no_id_share) {
            return None;
        }
        // n -> n·M mod SPAN is a bijection (M and SPAN are coprime): unique IDs without remembering any.
        const SPAN: u64 = 89_999_999_999;
        const M: u128 = 2_654_435_761;
        let n = self.next_id % SPAN;
        self.next_id += 1;
        let payload = 10_000_000_000 + ((u128::from(n) * M) % u128::from(SPAN)) as u64;
        NationalId::from_payload(payload).map(String::from)
    }
}

/// SplitMix64: spreads consecutive seeds over the whole 64-bit range.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn create(
    dir: &Path,
    name: &str,
) -> std::io::Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
    Ok(csv::Writer::from_writer(std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(dir.join(name))?,
    )))
}

fn io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

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
                summary.agents += 1;
            }
            agents_of.insert(d.clone(), n);
        }
        district_pick.insert(gov.clone(), Weighted::new(ds));
    }
    agents_csv.flush()?;

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

/// One household: head, usually a spouse, children, sometimes a parent of the head.
fn household_people(
    g: &mut Gen,
    head_age: &Weighted<(i16, i16)>,
    summary: &mut Summary,
) -> Vec<Person> {
    let (lo, hi) = head_age.pick(&mut g.rng);
    let age = g.rng.random_range(lo..=hi);
    let female_head = g.rng.random_bool(0.1);
    // Namesake: another man with the very same first three names and family name (cousins often are).
    let head_chain = if !female_head && !g.recent_heads.is_empty() && g.rng.random_bool(0.03) {
        summary.namesakes += 1;
        g.recent_heads[g.rng.random_range(0..g.recent_heads.len())].clone()
    } else {
        g.random_chain(!female_head)
    };
    if !female_head {
        if g.recent_heads.len() >= 64 {
            let i = g.rng.random_range(0..64);
            g.recent_heads[i] = head_chain.clone();
        } else {
            g.recent_heads.push(head_chain.clone());
        }
    }
    let head_mother = g.random_chain(false);
    let mut people = vec![Person {
        chain: head_chain.clone(),
        mother: head_mother.full(),
        birth: g.birth(age),
        male: !female_head,
        relation: "head",
    }];
    // The children's parents: the head and the spouse, or a widow and her late husband.
    let (father, mother_chain, mother_age) = if female_head {
        let husband = g.random_chain(true);
        (husband, head_chain.clone(), age)
    } else if age >= 22 && g.rng.random_bool(0.85) {
        let wife_age = (age - g.rng.random_range(0..10)).max(18);
        let wife = g.random_chain(false);
        let wife_mother = g.random_chain(false);
        people.push(Person {
            chain: wife.clone(),
            mother: wife_mother.full(),
            birth: g.birth(wife_age),
            male: false,
            relation: "spouse",
        });
        (head_chain.clone(), wife, wife_age)
    } else {
        return people;
    };
    let fertile_years = (mother_age - 18).clamp(0, 27);
    // Children living at home: Iraq averages about five people a household (46M people, ~9M households).
    let children = if fertile_years == 0 {
        0
    } else {
        g.rng
            .random_range(fertile_years / 8..=(fertile_years / 3 + 1).min(8))
    };
    let mut last_birth: Option<Date> = None;
    let mut first_son = true;
    for _ in 0..children {
        let male = g.rng.random_bool(0.51);
        let twin = last_birth.is_some() && g.rng.random_bool(0.02);
        let birth = if twin {
            summary.twins += 1;
            last_birth.unwrap_or(g.as_of)
        } else {
            let child_age = g
                .rng
                .random_range(0..=fertile_years.max(1))
                .min(mother_age - 18)
                .max(0);
            g.birth(child_age)
        };
        last_birth = Some(birth);
        let mut chain = g.chain(male, &father.given, &father.father, father.family.clone());
        // The first son is often named after his paternal grandfather.
        if male && first_son && g.rng.random_bool(0.15) {
            chain.given = father.father.clone();
        }
        first_son &= !male;
        // Brothers and sisters do not share a given name: draw again (a few times) when one is taken.
        for _ in 0..8 {
            if !people.iter().any(|p| p.chain.given == chain.given) {
                break;
            }
            chain.given = if male {
                g.male.pick(&mut g.rng)
            } else {
                g.female.pick(&mut g.rng)
            }
            .to_string();
        }
        people.push(Person {
            chain,
            mother: mother_chain.full(),
            birth,
            male,
            relation: if male { "son" } else { "daughter" },
        });
    }
    // An elderly mother of the head living with the family: her chain is the head's mother's name.
    if age < 55 && g.rng.random_bool(0.08) {
        let grandmother_mother = g.random_chain(false);
        let gap = g.rng.random_range(18..35);
        people.push(Person {
            chain: head_mother,
            mother: grandmother_mother.full(),
            birth: g.birth(age + gap),
            male: false,
            relation: "mother",
        });
    }
    people
}

#[cfg(test)]
mod tests;

/// A distinct valid Iraqi mobile number for each household index: operator digit from the index, the
/// eight remaining digits an odd multiple modulo 10^8 (a bijection, so no two households share one).
pub fn synthetic_phone(n: u64) -> String {
    const OPERATORS: [u8; 4] = [b'5', b'7', b'8', b'9'];
    let op = char::from(OPERATORS[(n % 4) as usize]);
    let rest = ((n / 4).wrapping_mul(48_271_003) + 13_579) % 100_000_000;
    format!("07{op}{rest:08}")
}

/// What the civil registry knows of one person of the ration registry: the ground truth the screening
/// and the hub are tested against. Deaths and departures the ration registry already holds are there;
/// so are some it does not know of (unreported deaths, emigrants still collecting), and a few people
/// of the ration registry are not in the civil registry at all (fictitious).
struct CivilTruth<'a> {
    nid: &'a str,
    p: &'a Person,
    age: i16,
    as_of: Date,
    phone: Option<&'a str>,
    /// The hold the ration registry carries for this person, if any.
    held: Option<&'static str>,
}

impl CivilTruth<'_> {
    fn row(&self, rng: &mut ChaCha8Rng, s: &mut Summary) -> Option<Vec<String>> {
        if rng.random_bool(0.003) {
            s.civil_missing += 1;
            return None;
        }
        let days_ago = |rng: &mut ChaCha8Rng, max: i64| {
            self.as_of
                .checked_sub(jiff::Span::new().days(rng.random_range(1..max)))
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        let unreported_death = rng.random_bool(if self.age >= 60 { 0.015 } else { 0.001 });
        let death =
            (self.held == Some("deceased") || unreported_death).then(|| days_ago(rng, 1000));
        let unreported_exit = (20..45).contains(&self.age) && rng.random_bool(0.01);
        let abroad = (death.is_none() && (self.held == Some("abroad") || unreported_exit))
            .then(|| days_ago(rng, 700));
        if death.is_some() {
            s.civil_deceased += 1;
        }
        if abroad.is_some() {
            s.civil_abroad += 1;
        }
        let draw: f64 = rng.random();
        let status = if draw < 0.02 {
            None
        } else if draw < 0.05 {
            Some("expired")
        } else if draw < 0.055 {
            Some("lost")
        } else if draw < 0.06 {
            Some("replaced")
        } else {
            Some("valid")
        };
        if status.is_none() {
            s.civil_without_card += 1;
        }
        let expires = status.map(|st| {
            let years = if st == "expired" {
                -1
            } else {
                rng.random_range(1..10)
            };
            self.as_of
                .checked_add(jiff::Span::new().years(years))
                .map(|d| d.to_string())
                .unwrap_or_default()
        });
        s.civil_persons += 1;
        let p = self.p;
        Some(vec![
            self.nid.to_string(),
            p.chain.given.clone(),
            p.chain.father.clone(),
            p.chain.grandfather.clone(),
            p.chain.family.clone().unwrap_or_default(),
            p.mother.clone(),
            p.birth.to_string(),
            if p.male { "male" } else { "female" }.to_string(),
            self.phone.unwrap_or_default().to_string(),
            status.unwrap_or_default().to_string(),
            expires.unwrap_or_default(),
            status
                .map(|_| fingerprint_sha256(self.nid))
                .unwrap_or_default(),
            death.unwrap_or_default(),
            abroad.unwrap_or_default(),
        ])
    }
}

/// The synthetic fingerprint template of a person (what a scanner would capture) and its digest, the
/// only thing the civil registry keeps on file in this simulation.
pub fn fingerprint_template(national_id: &str) -> String {
    format!("FP-TEMPLATE-{national_id}")
}

pub fn fingerprint_sha256(national_id: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(fingerprint_template(national_id).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
