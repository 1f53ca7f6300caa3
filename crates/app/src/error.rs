//! Errors of the use cases, each a stable code with the values its message names. The words (Arabic,
//! Kurdish, English) live in the catalogs of `web`, keyed `err_<code>`, and so does the HTTP status.

use tamwin_domain::ValidationErrors;
use tamwin_store::{Conflict, StoreError};

/// A business rule that refused the request: its code, and the values the message names (`{name}` in
/// the catalog's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
}

#[derive(Debug)]
pub enum AppError {
    Validation(ValidationErrors),
    NotFound,
    NationalIdTaken,
    Rule(Rule),
    /// The household changed between read and write more often than we retried.
    Busy,
    IdempotencyKeyReused,
    /// No credentials, or credentials that are unknown, expired, revoked or ended.
    Unauthenticated,
    /// Signed in, but the role does not allow this.
    Forbidden,
    /// A one-time code that is wrong, expired, used or out of attempts: which, is never said.
    CodeRefused,
    /// Too many codes asked for one number in a short time.
    TooManyCodes,
    /// Wrong username or password: which of the two is never said.
    SignInRefused,
    /// Too many failed sign-ins from this address, or to this account (docs/access.md): try again
    /// after this many seconds (the `Retry-After` header).
    TooManyAttempts(i64),
    Store(StoreError),
    Internal(String),
}

impl AppError {
    /// A refusal by a business rule that names no value.
    pub fn rule(code: &'static str) -> AppError {
        AppError::Rule(Rule {
            code,
            params: vec![],
        })
    }

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation_failed",
            AppError::NotFound => "not_found",
            AppError::NationalIdTaken => "national_id_in_other_household",
            AppError::Rule(r) => r.code,
            AppError::Busy => "concurrent_change",
            AppError::IdempotencyKeyReused => "idempotency_key_reused",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::CodeRefused => "code_refused",
            AppError::TooManyCodes => "too_many_codes",
            AppError::SignInRefused => "sign_in_refused",
            AppError::TooManyAttempts(_) => "too_many_attempts",
            AppError::Store(StoreError::Retryable(_)) => "database_busy",
            AppError::Store(_) | AppError::Internal(_) => "internal_error",
        }
    }

    /// The values the message names.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            AppError::Rule(r) => r.params.clone(),
            AppError::TooManyAttempts(secs) => vec![("minutes", ((secs + 59) / 60).to_string())],
            _ => vec![],
        }
    }
}

/// For logs and the command line: the code and its values (the words are the catalogs').
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Validation(v) => write!(f, "validation failed: {v}"),
            AppError::Store(e) => write!(f, "{e}"),
            AppError::Internal(m) => write!(f, "internal: {m}"),
            other => {
                f.write_str(other.code())?;
                for (k, v) in other.params() {
                    write!(f, " {k}={v}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(Conflict::NationalIdTaken, _) => AppError::NationalIdTaken,
            StoreError::Conflict(Conflict::HeadRule, _) => AppError::rule("household_head_rule"),
            StoreError::Conflict(Conflict::VersionMismatch, _) => AppError::Busy,
            StoreError::Conflict(Conflict::PhoneTaken, _) => {
                AppError::rule("phone_in_other_household")
            }
            StoreError::Conflict(Conflict::FourEyes, _) => AppError::rule("cycle_own_draft"),
            StoreError::Conflict(Conflict::CycleNotGenerated, _) => {
                AppError::rule("cycle_not_generated")
            }
            StoreError::Conflict(Conflict::CycleExists, _) => AppError::rule("cycle_exists"),
            StoreError::Conflict(Conflict::VersionExists, _) => {
                AppError::rule("programme_version_exists")
            }
            StoreError::Conflict(Conflict::LineBelowZero, _) => {
                AppError::rule("entitlement_below_zero")
            }
            other => AppError::Store(other),
        }
    }
}
