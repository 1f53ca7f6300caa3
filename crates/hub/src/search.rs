//! The civil registry's batched search and vital records (issue 14): how the ration side screens its
//! members against the registry without reading the registry's tables. A search asks, per person, "is
//! someone like this on file?" and gets the best match's probability, plus, only when the question
//! carried a national ID, whether that ID is known and its holder's life status; never a name, a date
//! or another person's ID. Shared by client and server, so the two cannot disagree on a field.

use serde::{Deserialize, Serialize};

/// Queries one search request takes at most: a 2M-member screening is about 400 requests.
pub const MAX_BATCH: usize = 5_000;
/// Vital records one page holds at most.
pub const MAX_PAGE: u32 = 5_000;
/// A query's reference, echoed in its answer: at most this many characters.
pub const MAX_REF: usize = 64;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchBatch {
    /// The caller's screening run: batches of one run are scored with one model, trained by the
    /// registry on the run's first batch (a new run rebuilds the registry's index as of that moment).
    pub run: String,
    pub queries: Vec<PersonQuery>,
}

/// One person as the ration card holds them. Without a national ID the given name and the birth date
/// are needed; the other names help the match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonQuery {
    /// The caller's reference (opaque, at most `MAX_REF` characters), echoed in the answer.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub father_name: String,
    #[serde(default)]
    pub grandfather_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default)]
    pub mother_name: String,
    /// `YYYY-MM-DD` or `YYYY`.
    #[serde(default)]
    pub birth_date: String,
    /// `male`, `female` or empty.
    #[serde(default)]
    pub sex: String,
    /// Queries of one card share a number within the batch (no card number travels): the registry
    /// measures on them how brothers and sisters differ.
    #[serde(default)]
    pub household: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchAnswers {
    /// Persons on file the batch was searched against.
    pub searched: u64,
    /// One per query, in the queries' order.
    pub answers: Vec<PersonAnswer>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonAnswer {
    pub id: String,
    /// Someone on file agrees at or above the review threshold (probability 0.5).
    pub matched: bool,
    /// The best match's probability (0 when nobody on file shares a block with the query).
    pub score: f64,
    /// Only when the query carried a national ID: whether the registry holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id_known: Option<bool>,
    /// Only when the query's national ID is known: `alive`, `deceased` or `abroad`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub life_status: Option<String>,
}

/// A page of the deceased and those abroad, in national-ID order after `after`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VitalRecordsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    pub limit: u32,
    /// One person's record instead of a page (an auditor's side-by-side view): empty when that person
    /// is neither deceased nor abroad.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VitalRecords {
    pub records: Vec<VitalRecord>,
    /// Where the next page starts; none after the last.
    pub next: Option<String>,
}

/// What a death or exit record carries (the CRVS notification's person, without phone or card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VitalRecord {
    pub national_id: String,
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    pub family_name: Option<String>,
    pub mother_name: String,
    pub birth_date: String,
    pub sex: String,
    pub death_date: Option<String>,
    pub abroad_since: Option<String>,
}
