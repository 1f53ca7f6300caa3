//! The screening engine (issue 6), pure compute: data in, compared and explained out. The Iraqi name
//! model and graded field comparisons, blocking with a cap, Fellegi–Sunter weights estimated by EM with
//! term-frequency adjustment, clustering, and an explanation for every pair. No I/O: the CLI and the
//! application read and write.

// The m and u tables are indexed by field and level together; index loops say that more plainly.
#![allow(clippy::needless_range_loop)]

pub mod blocking;
pub mod compare;
pub mod engine;
pub mod gamma;
pub mod jaro;
pub mod lineage;
pub mod model;
pub mod person;
pub mod record;
pub mod score;
pub mod screen;
pub mod search;
pub mod silent;
pub mod translit;
pub mod vocab;

pub use compare::{DateLevel, NameLevel, compare_dates, compare_names, skeleton};
pub use engine::{Linkage, Progress, Quiet, ScoredPair, Settings, clusters, link};
pub use jaro::jaro_winkler;
pub use model::Model;
pub use person::{BirthDate, Person};
pub use record::{FieldWarning, RawPerson, Rec};
pub use translit::{compare_cross, consonants, latin_key};
pub use vocab::Vocab;
