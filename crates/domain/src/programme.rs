//! Programmes, the rations a card carries (issue 15): items and units, the cycle month, programmes as
//! versioned data checked from their file, and the amounts a household is owed.

pub mod catalog;
pub mod eligibility;
pub mod entitle;
pub mod model;
pub mod month;
pub mod parse;

pub use catalog::Unit;
pub use entitle::{Overflow, Owed, owed};
pub use model::{Benefit, Category, Country, Line, PricedItem, Programme, ProgrammeVersion};
pub use month::CycleMonth;
pub use parse::RawProgramme;

#[cfg(test)]
mod tests;
