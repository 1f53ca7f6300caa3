//! Changes to an existing household: members, head, holds. Each is read, changed by the domain rules,
//! and written back if nobody changed the household meanwhile (optimistic version), else tried again.
//!
//! This file holds what the changes share (the checks of a reason and of free text, what a change
//! did); `mutate/apply.rs` is the read-change-write loop, and each kind of change has its file.

mod apply;
mod holds;
mod household;
mod members;

pub use holds::{HoldInput, HoldLift};
pub use household::{Closure, PhoneChange};
pub use members::{HeadChange, MemberChange, MemberRemoval};

use crate::{AppError, Result};
use tamwin_domain::{FieldError, MemberId, ValidationErrors};

fn invalid(field: &str, code: &'static str, en: &str) -> AppError {
    AppError::Validation(ValidationErrors(vec![FieldError::new(field, code, en)]))
}

fn required_reason(r: &str) -> Result<String> {
    if r.trim().is_empty() {
        return Err(invalid(
            "reason",
            "reason_required",
            "a reason for the change is required",
        ));
    }
    free_text("reason", r, 500)?;
    Ok(r.to_string())
}

fn free_text(field: &str, value: &str, max: usize) -> Result<()> {
    match tamwin_domain::check_free_text(field, value, max) {
        Some(e) => Err(AppError::Validation(ValidationErrors(vec![e]))),
        None => Ok(()),
    }
}

fn prefix(e: ValidationErrors, parent: &str) -> ValidationErrors {
    ValidationErrors(e.0.into_iter().map(|f| f.under(parent)).collect())
}

/// What a change did, for the history.
struct Done {
    kind: &'static str,
    member_id: Option<MemberId>,
    reason: String,
    status: u16,
}
