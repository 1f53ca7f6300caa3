//! Programmes, the rations a card carries (issue 15): items and units, the cycle month, programmes as
//! versioned data checked from their file, and the amounts a household is owed.

pub mod catalog;
pub mod cycle;
pub mod eligibility;
pub mod entitle;
pub mod income_band;
pub mod model;
pub mod month;
pub mod parse;

pub use catalog::Unit;
pub use cycle::CycleStatus;
pub use entitle::{Overflow, Owed, owed};
pub use model::{
    Benefit, Category, Country, Line, Portability, PricedItem, Programme, ProgrammeVersion,
};
pub use month::CycleMonth;
pub use parse::RawProgramme;

#[cfg(test)]
mod tests;

/// The programme files the platform ships (facts.md, "Programme rules"): the demo imports them, and
/// `tamwin programme import` takes the ministry's own.
pub const BUILTIN: [(&str, &str); 4] = [
    ("iq-pds", include_str!("../data/programmes/iq-pds.json")),
    ("iq-flour", include_str!("../data/programmes/iq-flour.json")),
    ("eg-bread", include_str!("../data/programmes/eg-bread.json")),
    (
        "eg-commodities",
        include_str!("../data/programmes/eg-commodities.json"),
    ),
];
