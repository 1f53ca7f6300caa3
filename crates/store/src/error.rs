//! Store errors. Named constraint violations become `Conflict`s here, in one place, for both backends.

/// Which invariant a write ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// A national ID already belongs to an open household.
    NationalIdTaken,
    /// The card number is already in use.
    CardNumberTaken,
    /// A second head, or no head at commit.
    HeadRule,
    /// The username is already in use.
    UsernameTaken,
    /// The mobile number belongs to another open household.
    PhoneTaken,
    /// The idempotency key was stored by a concurrent request.
    IdempotencyKeyTaken,
    /// The household changed since it was read.
    VersionMismatch,
    /// A reference (governorate, district, agent) does not exist.
    UnknownReference,
    /// The appointment slot (or the team's day) is full.
    SlotFull,
    /// The household already has an open appointment of this kind.
    AppointmentOpen,
    /// The appointment is no longer open (cancelled, replaced, attended).
    AppointmentClosed,
    /// The member already holds an active temporary card.
    TemporaryCardActive,
    /// A screening run is already running.
    ScreeningRunning,
    /// The finding already has an open appeal.
    AppealOpen,
    /// A cycle approved by the person who drafted it.
    FourEyes,
    /// A cycle opened (or closed) before its generation was done.
    CycleNotGenerated,
    /// The programme already has a cycle for that month and governorate.
    CycleExists,
    /// The programme already has a version with that number or month.
    VersionExists,
    /// An entitlement line would go below zero, or hand out more than it holds.
    LineBelowZero,
    /// The device already recorded a redemption with this transaction id.
    DeviceTxnTaken,
    /// Any other unique or check constraint.
    Other,
}

#[derive(Debug)]
pub enum StoreError {
    Conflict(Conflict, String),
    /// Serialization failure, deadlock or a busy SQLite database: safe to run the transaction again.
    Retryable(String),
    /// A stored value did not parse back into its domain type.
    Corrupt(String),
    Config(String),
    Database(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict(c, m) => write!(f, "conflict ({c:?}): {m}"),
            StoreError::Retryable(m) => write!(f, "transient database error: {m}"),
            StoreError::Corrupt(m) => write!(f, "stored data does not parse: {m}"),
            StoreError::Config(m) => write!(f, "configuration: {m}"),
            StoreError::Database(m) => write!(f, "database: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

/// Which conflict a constraint name or SQLite message points at.
fn classify_constraint(text: &str) -> Conflict {
    let t = text.to_ascii_lowercase();
    if t.contains("national_id_index") {
        Conflict::NationalIdTaken
    } else if t.contains("card_index") {
        Conflict::CardNumberTaken
    } else if t.contains("members_one_head")
        || t.contains("households_head_fk")
        // SQLite names the columns, not the index: the one-head index is on household_id alone.
        || t.trim_end().ends_with("members.household_id")
    {
        Conflict::HeadRule
    } else if t.contains("households_by_phone") || t.contains("households.phone") {
        Conflict::PhoneTaken
    } else if t.contains("staff_users") {
        Conflict::UsernameTaken
    } else if t.contains("idempotency_keys") {
        Conflict::IdempotencyKeyTaken
    } else if t.contains("centre_slots_capacity") {
        Conflict::SlotFull
    } else if t.contains("appointments_one_open")
        || t.contains("appointments.household_id, appointments.kind")
    {
        Conflict::AppointmentOpen
    } else if t.contains("temporary_cards_one_active") || t.contains("temporary_cards.member_id") {
        Conflict::TemporaryCardActive
    } else if t.contains("cycles_four_eyes") {
        Conflict::FourEyes
    } else if t.contains("cycles_generated") {
        Conflict::CycleNotGenerated
    } else if t.contains("cycles_programme_month") || t.contains("cycles.programme, cycles.month") {
        Conflict::CycleExists
    } else if t.contains("programme_versions") {
        Conflict::VersionExists
    } else if t.contains("redemptions_device_txn")
        || t.contains("redemptions.device_id, redemptions.device_txn")
    {
        Conflict::DeviceTxnTaken
    } else if t.contains("entitlement_lines_whole") {
        Conflict::LineBelowZero
    } else {
        Conflict::Other
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        let sqlx::Error::Database(db) = &e else {
            return match e {
                sqlx::Error::PoolTimedOut => StoreError::Retryable(e.to_string()),
                other => StoreError::Database(other.to_string()),
            };
        };
        let code = db.code().map(|c| c.to_string()).unwrap_or_default();
        let msg = db.message().to_string();
        // PostgreSQL SQLSTATEs and SQLite extended result codes.
        match code.as_str() {
            "40001" | "40P01" | "55P03" | "5" | "517" | "6" | "262" => {
                return StoreError::Retryable(msg);
            }
            _ => {}
        }
        let constraint = db.constraint().map(str::to_string).unwrap_or_default();
        if db.is_foreign_key_violation() || code == "787" {
            // Checked at the statement (SQLite names no constraint): a missing agent, district or
            // governorate. Deferred checks fail at commit instead; `commit_error` reads those as the head.
            let c = match classify_constraint(&constraint) {
                // An index row that names no present member with that ID: a broken write, not a taken ID.
                Conflict::NationalIdTaken => Conflict::Other,
                Conflict::Other if constraint.contains("head") => Conflict::HeadRule,
                Conflict::Other => Conflict::UnknownReference,
                c => c,
            };
            return StoreError::Conflict(c, format!("{msg} {constraint}"));
        }
        if db.is_unique_violation()
            || db.is_check_violation()
            || code == "2067"
            || code == "1555"
            || code == "275"
        {
            let c = classify_constraint(if constraint.is_empty() {
                &msg
            } else {
                &constraint
            });
            return StoreError::Conflict(c, format!("{msg} {constraint}"));
        }
        StoreError::Database(format!("{msg} (code {code})"))
    }
}

/// An error from COMMIT: a deferred foreign key that fails there can only be the household's head
/// (or a member or hold without its household, which the application never writes).
pub(crate) fn commit_error(e: sqlx::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Conflict(Conflict::UnknownReference, m) => {
            StoreError::Conflict(Conflict::HeadRule, m)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_and_sqlite_messages_classify() {
        assert_eq!(
            classify_constraint("UNIQUE constraint failed: national_id_index.national_id"),
            Conflict::NationalIdTaken
        );
        assert_eq!(
            classify_constraint("national_id_index_pkey"),
            Conflict::NationalIdTaken
        );
        assert_eq!(
            classify_constraint("UNIQUE constraint failed: card_index.card_number"),
            Conflict::CardNumberTaken
        );
        assert_eq!(
            classify_constraint("UNIQUE constraint failed: members.household_id"),
            Conflict::HeadRule
        );
        assert_eq!(classify_constraint("members_one_head"), Conflict::HeadRule);
        assert_eq!(
            classify_constraint(
                "UNIQUE constraint failed: members.household_id, members.member_no"
            ),
            Conflict::Other
        );
        assert_eq!(
            classify_constraint("idempotency_keys_pkey"),
            Conflict::IdempotencyKeyTaken
        );
        assert_eq!(
            classify_constraint("CHECK constraint failed: centre_slots_capacity"),
            Conflict::SlotFull
        );
        assert_eq!(
            classify_constraint(
                "UNIQUE constraint failed: appointments.household_id, appointments.kind"
            ),
            Conflict::AppointmentOpen
        );
        assert_eq!(
            classify_constraint("temporary_cards_one_active"),
            Conflict::TemporaryCardActive
        );
    }
}
