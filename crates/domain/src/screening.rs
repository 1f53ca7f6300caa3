//! The states of screening (issue 6) as stored and as the API writes them: what a finding is, what the
//! thresholds decided, where the auditor's review stands, and where a citizen's appeal stands. The
//! store parses a row into these once; the code compares enums, never strings.

use crate::hold::HoldReason;
use serde::{Deserialize, Serialize};

/// What screening found about a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// One national ID on several cards.
    SameId,
    /// One person on two cards.
    Duplicate,
    Deceased,
    Abroad,
    /// Nobody in the civil registry matches.
    Fictitious,
    /// A power of attorney that looks wrong: its proxy collecting for a card whose members are
    /// deceased or abroad, proxy for many households, or collecting right after a grant made on a
    /// phone number that had just changed.
    Proxy,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        FindingKind::SameId,
        FindingKind::Duplicate,
        FindingKind::Deceased,
        FindingKind::Abroad,
        FindingKind::Fictitious,
        FindingKind::Proxy,
    ];
    pub fn code(self) -> &'static str {
        match self {
            FindingKind::SameId => "same_id",
            FindingKind::Duplicate => "duplicate",
            FindingKind::Deceased => "deceased",
            FindingKind::Abroad => "abroad",
            FindingKind::Fictitious => "fictitious",
            FindingKind::Proxy => "proxy",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    /// The hold a confirmed finding of this kind becomes (`holds`), or the reason it is filed under.
    pub fn hold_reason(self) -> HoldReason {
        match self {
            FindingKind::Deceased => HoldReason::Deceased,
            FindingKind::Abroad => HoldReason::Abroad,
            FindingKind::Fictitious => HoldReason::Fictitious,
            FindingKind::SameId | FindingKind::Duplicate => HoldReason::Duplicate,
            FindingKind::Proxy => HoldReason::Other,
        }
    }

    /// Whether confirming it holds the member's share. A proxy finding confirmed ends the power of
    /// attorney instead: the family is not held for its proxy's doing.
    pub fn holds(self) -> bool {
        self != FindingKind::Proxy
    }
}

/// What the thresholds decided of a finding: above the hold threshold a hold pending review, in the
/// grey zone a review item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenDecision {
    Hold,
    Review,
}

impl ScreenDecision {
    pub const ALL: [ScreenDecision; 2] = [ScreenDecision::Hold, ScreenDecision::Review];
    pub fn code(self) -> &'static str {
        match self {
            ScreenDecision::Hold => "hold",
            ScreenDecision::Review => "review",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// Where a finding's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    /// Waiting for an auditor.
    Pending,
    /// Confirmed: the grace period runs before the hold.
    Confirmed,
    /// The hold is placed.
    InEffect,
    Cleared,
}

impl FindingStatus {
    pub const ALL: [FindingStatus; 4] = [
        FindingStatus::Pending,
        FindingStatus::Confirmed,
        FindingStatus::InEffect,
        FindingStatus::Cleared,
    ];
    pub fn code(self) -> &'static str {
        match self {
            FindingStatus::Pending => "pending",
            FindingStatus::Confirmed => "confirmed",
            FindingStatus::InEffect => "in_effect",
            FindingStatus::Cleared => "cleared",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// Where a citizen's appeal against a finding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    Open,
    Upheld,
    Rejected,
}

impl AppealStatus {
    pub const ALL: [AppealStatus; 3] = [
        AppealStatus::Open,
        AppealStatus::Upheld,
        AppealStatus::Rejected,
    ];
    pub fn code(self) -> &'static str {
        match self {
            AppealStatus::Open => "open",
            AppealStatus::Upheld => "upheld",
            AppealStatus::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

// Templates and catalog keys write the stored code.
macro_rules! display_code {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    )*};
}
display_code!(FindingKind, ScreenDecision, FindingStatus, AppealStatus);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn round_trip<T: Copy + PartialEq + std::fmt::Debug + Serialize + std::fmt::Display>(
        all: &[T],
        parse: fn(&str) -> Option<T>,
    ) {
        for x in all {
            assert_eq!(parse(&x.to_string()), Some(*x));
            assert_eq!(serde_json::to_string(x).unwrap(), format!("\"{x}\""));
        }
        assert_eq!(parse("unknown"), None);
    }

    /// The JSON form is the stored code, so the API's answers keep their strings.
    #[test]
    fn codes_parse_back_and_are_the_json_form() {
        round_trip(&FindingKind::ALL, FindingKind::parse);
        round_trip(&ScreenDecision::ALL, ScreenDecision::parse);
        round_trip(&FindingStatus::ALL, FindingStatus::parse);
        round_trip(&AppealStatus::ALL, AppealStatus::parse);
        assert_eq!(FindingKind::SameId.hold_reason(), HoldReason::Duplicate);
        assert_eq!(FindingKind::Deceased.hold_reason(), HoldReason::Deceased);
    }
}
