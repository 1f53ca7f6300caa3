//! The screening engine (issue 6), pure compute: data in, compared and explained out. This first part
//! holds the Iraqi name model and the comparison of each field at graded levels; blocking, scoring and
//! clustering build on it.

pub mod compare;
pub mod jaro;
pub mod person;
pub mod translit;

pub use compare::{DateLevel, NameLevel, compare_dates, compare_names, skeleton};
pub use jaro::jaro_winkler;
pub use person::{BirthDate, Person};
pub use translit::{compare_cross, consonants, latin_key};
