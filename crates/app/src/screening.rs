//! Screening on the database (issue 6). A run reads the present members of open cards and the civil
//! registry, screens them with `tamwin-matching` (duplicates across cards, one ID on two cards, deaths,
//! departures, members nobody in the registry matches) and saves the findings for auditors: above the
//! hold threshold a hold pending review, in the grey zone a review item. An auditor confirms or clears
//! each one; a confirmed finding becomes a hold after the grace period, during which the household is
//! told the reason and the cure path and may appeal with a document. Every decision is audited.

pub mod civil;

mod appeals;
mod proxy_signals;
mod review;
mod run;
mod views;

pub use review::QueueQuery;
pub use run::{RunView, raw};
pub use views::*;

use crate::{Actor, AppError, HoldInput, HoldLift, Registry, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tamwin_domain::access::Permission;
use tamwin_domain::screening::{AppealStatus, FindingKind, FindingStatus, ScreenDecision};
use tamwin_matching::screen::{Decision, Inputs, Kind, Models, Trip, days, screen};
use tamwin_matching::{BirthDate, Progress, RawPerson, Rec, Settings, Vocab};
use tamwin_store::{
    Appeal, Conflict, FindingDecision, FindingFilter, OutboxMessage, ScreeningFinding,
    ScreeningPerson, ScreeningRun, StoreError,
};

/// Days between an auditor's confirmation and the hold taking effect (the household is told at once).
pub const GRACE_DAYS: i64 = 14;
pub use crate::documents::{DOCUMENT_TYPES, Document, MAX_DOCUMENT_BYTES};
const PAGE: u32 = 20_000;
const BATCH: usize = 500;

/// The stored kind of an engine finding. Silent cards need collections, which the database run does
/// not screen: one reaching here is a fault, not something to store under another kind.
fn stored_kind(k: Kind) -> Result<FindingKind> {
    Ok(match k {
        Kind::SameId => FindingKind::SameId,
        Kind::Duplicate => FindingKind::Duplicate,
        Kind::Deceased => FindingKind::Deceased,
        Kind::Abroad => FindingKind::Abroad,
        Kind::Fictitious => FindingKind::Fictitious,
        Kind::Silent => {
            return Err(AppError::Internal(
                "a silent-card finding in a database run".into(),
            ));
        }
    })
}

/// The stored decision of an engine finding; none for one below both thresholds (never stored).
fn stored_decision(d: Decision) -> Option<ScreenDecision> {
    match d {
        Decision::Hold => Some(ScreenDecision::Hold),
        Decision::Review => Some(ScreenDecision::Review),
        Decision::None => None,
    }
}
