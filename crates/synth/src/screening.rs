//! Screening ground truth (issue 6): a ration registry with the cases screening must find, and the
//! files it is screened against, each with the truth of who is who.
//!
//! - `people.csv`: ration-card members. Some people are on two cards (0–4 corruptions, the same ID, no
//!   ID or another ID); some are fictitious (an invented chain, or a chimera of two families); twins
//!   heading their own households and namesake cousins are there as the look-alikes that must not link.
//! - `registry.csv`: the civil registry: every real person once, clean, with their ID.
//! - `deaths.csv`: a death register with its own errors and missing IDs, members' deaths and others'.
//! - `exits.csv`: border exits, names mostly in Latin script, some returned.
//! - `truth.csv`: `kind,record_id,other_id,detail` (docs/formats.md).
//!
//! The "hard" tier makes about 12% of duplicates' given names and 18% of their family names disagree
//! outright (a second name used, a tribe name for a family name), besides the corruptions.

mod corrupt;
mod generate;
mod romanise;

pub use generate::generate_screening;

use crate::people::Person;
use jiff::civil::Date;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Standard,
    Hard,
}

pub struct ScreeningConfig {
    pub households: u64,
    pub seed: u64,
    pub tier: Tier,
    pub as_of: Date,
    /// Share of members also on another card.
    pub duplicate_share: f64,
    /// Share of households with an invented member.
    pub fictitious_share: f64,
}

impl Default for ScreeningConfig {
    fn default() -> Self {
        ScreeningConfig {
            households: 1000,
            seed: 1,
            tier: Tier::Standard,
            as_of: Date::constant(2026, 1, 1),
            duplicate_share: 0.02,
            fictitious_share: 0.01,
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScreeningSummary {
    pub people: u64,
    pub registry: u64,
    pub duplicates: u64,
    pub fictitious: u64,
    pub deaths: u64,
    pub member_deaths: u64,
    pub exits: u64,
    pub member_exits: u64,
    pub twins: u64,
    pub namesakes: u64,
    pub silent: u64,
}

/// One person as written: the name chain and the rest, each field free to be corrupted.
#[derive(Clone)]
struct Row {
    nid: String,
    given: String,
    father: String,
    grandfather: String,
    family: String,
    mother: String,
    birth: String,
    male: bool,
}

impl Row {
    fn of(p: &Person, nid: &str) -> Row {
        Row {
            nid: nid.to_string(),
            given: p.chain.given.clone(),
            father: p.chain.father.clone(),
            grandfather: p.chain.grandfather.clone(),
            family: p.chain.family.clone().unwrap_or_default(),
            mother: p.mother.clone(),
            birth: p.birth.to_string(),
            male: p.male,
        }
    }

    fn fields(&self, id: &str, household: &str, gov: &str) -> [String; 11] {
        [
            id.into(),
            household.into(),
            self.nid.clone(),
            self.given.clone(),
            self.father.clone(),
            self.grandfather.clone(),
            self.family.clone(),
            self.mother.clone(),
            self.birth.clone(),
            if self.male { "male" } else { "female" }.into(),
            gov.into(),
        ]
    }
}

pub const PERSON_COLUMNS: [&str; 11] = [
    "record_id",
    "household_id",
    "national_id",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "birth_date",
    "sex",
    "governorate",
];

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &'a [&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}
