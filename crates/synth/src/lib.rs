//! Deterministic synthetic population: households first, then their people, streamed to CSV in constant
//! memory (docs/formats.md). Name chains are consistent: a child's father name is the father's given name,
//! the grandfather name follows, the family name is inherited, the mother's name is her own chain.

mod civil_truth;
mod names;
mod people;
mod population;
mod screening;
mod weighted;

pub use civil_truth::{fingerprint_sha256, fingerprint_template};
pub use population::{generate, synthetic_phone};
pub use screening::{PERSON_COLUMNS, ScreeningConfig, ScreeningSummary, Tier, generate_screening};

use jiff::civil::Date;
use std::path::Path;

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

/// A buffered CSV writer for `dir/name`, shared by both generators.
pub(crate) fn create(
    dir: &Path,
    name: &str,
) -> std::io::Result<csv::Writer<std::io::BufWriter<std::fs::File>>> {
    Ok(csv::Writer::from_writer(std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(dir.join(name))?,
    )))
}

pub(crate) fn io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

#[cfg(test)]
mod tests;
