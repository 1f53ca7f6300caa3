//! Electronic powers of attorney (الوكالات الإلكترونية; issue 17, docs/proxies.md): the head of a household
//! authorises another adult to collect its ration, within a scope and a validity, for a reason. What a
//! grant may say and where it stands need no database; the codes are stored and never change.

use crate::error::FieldError;
use jiff::civil::Date;

/// At most this many months between a grant's first and last day.
pub const MAX_MONTHS: i64 = 12;
/// A person is proxy for at most this many households, unless configured otherwise.
pub const MAX_HOUSEHOLDS: i64 = 3;
/// A proxy is an adult.
pub const ADULT_YEARS: i16 = 18;

/// Why the household needs someone else to collect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantReason {
    Elderly,
    Sick,
    Disabled,
    AwayForStudy,
    AwayForTreatment,
    Other,
}

impl GrantReason {
    pub const ALL: [GrantReason; 6] = [
        GrantReason::Elderly,
        GrantReason::Sick,
        GrantReason::Disabled,
        GrantReason::AwayForStudy,
        GrantReason::AwayForTreatment,
        GrantReason::Other,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            GrantReason::Elderly => "elderly",
            GrantReason::Sick => "sick",
            GrantReason::Disabled => "disabled",
            GrantReason::AwayForStudy => "away_study",
            GrantReason::AwayForTreatment => "away_treatment",
            GrantReason::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
}

/// Where a grant stands. It is made `Confirming` (both sides' codes awaited), becomes
/// `AwaitingPayment` once both confirmed, and `Active` when its fee is paid; it ends declined by the
/// proxy, cancelled (never paid, or its payment failed), revoked by the head, given up by the proxy,
/// or expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantStatus {
    Confirming,
    AwaitingPayment,
    Active,
    Declined,
    Cancelled,
    Revoked,
    GivenUp,
    Expired,
}

impl GrantStatus {
    pub const ALL: [GrantStatus; 8] = [
        GrantStatus::Confirming,
        GrantStatus::AwaitingPayment,
        GrantStatus::Active,
        GrantStatus::Declined,
        GrantStatus::Cancelled,
        GrantStatus::Revoked,
        GrantStatus::GivenUp,
        GrantStatus::Expired,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            GrantStatus::Confirming => "confirming",
            GrantStatus::AwaitingPayment => "awaiting_payment",
            GrantStatus::Active => "active",
            GrantStatus::Declined => "declined",
            GrantStatus::Cancelled => "cancelled",
            GrantStatus::Revoked => "revoked",
            GrantStatus::GivenUp => "given_up",
            GrantStatus::Expired => "expired",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
    /// A grant that has not ended: it holds one of its proxy's places.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            GrantStatus::Confirming | GrantStatus::AwaitingPayment | GrantStatus::Active
        )
    }
}

/// What a grant covers: some programmes (none listed: all) and some items (none listed: all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantScope {
    pub programmes: Vec<String>,
    pub items: Vec<String>,
}

impl GrantScope {
    pub fn covers(&self, programme: &str, item: &str) -> bool {
        (self.programmes.is_empty() || self.programmes.iter().any(|p| p == programme))
            && (self.items.is_empty() || self.items.iter().any(|i| i == item))
    }
}

/// A grant's days, checked: it starts today or later, ends on or after its start, and lasts at most
/// twelve months (its last day before the same day twelve months on).
pub fn check_validity(from: Date, to: Date, today: Date) -> Result<(), FieldError> {
    if from < today {
        return Err(FieldError::new(
            "valid_from",
            "grant_in_past",
            "a grant starts today or later",
        ));
    }
    if to < from {
        return Err(FieldError::new(
            "valid_to",
            "grant_ends_before_start",
            "a grant ends on or after its first day",
        ));
    }
    let limit = from
        .checked_add(jiff::Span::new().months(MAX_MONTHS))
        .map_err(|_| FieldError::new("valid_to", "grant_too_long", "at most 12 months"))?;
    if to >= limit {
        return Err(FieldError::new(
            "valid_to",
            "grant_too_long",
            "a grant lasts at most 12 months",
        )
        .with("months", MAX_MONTHS));
    }
    Ok(())
}

/// Whether someone born on `birth` is an adult on `day`.
pub fn adult_on(birth: Date, day: Date) -> bool {
    birth
        .checked_add(jiff::Span::new().years(ADULT_YEARS))
        .is_ok_and(|d| d <= day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap_or_else(|_| Date::constant(2000, 1, 1))
    }

    #[test]
    fn a_grant_lasts_at_most_twelve_months_and_never_starts_in_the_past() {
        let today = d("2026-12-04");
        assert!(check_validity(today, d("2027-12-03"), today).is_ok());
        let code = |r: Result<(), FieldError>| r.err().map(|e| e.code);
        assert_eq!(
            code(check_validity(today, d("2027-12-04"), today)),
            Some("grant_too_long")
        );
        assert_eq!(
            code(check_validity(d("2026-12-03"), d("2027-01-01"), today)),
            Some("grant_in_past")
        );
        assert_eq!(
            code(check_validity(d("2027-01-02"), d("2027-01-01"), today)),
            Some("grant_ends_before_start")
        );
    }

    #[test]
    fn scopes_adulthood_and_codes() {
        let all = GrantScope::default();
        assert!(all.covers("iq-pds", "rice"));
        let flour = GrantScope {
            programmes: vec!["iq-pds".into()],
            items: vec!["flour".into()],
        };
        assert!(flour.covers("iq-pds", "flour") && !flour.covers("iq-pds", "rice"));
        assert!(!flour.covers("eg-bread", "flour"));
        assert!(adult_on(d("2008-12-04"), d("2026-12-04")));
        assert!(!adult_on(d("2008-12-05"), d("2026-12-04")));
        for s in GrantStatus::ALL {
            assert_eq!(GrantStatus::parse(s.code()), Some(s));
        }
        for r in GrantReason::ALL {
            assert_eq!(GrantReason::parse(r.code()), Some(r));
        }
        assert!(GrantStatus::Active.is_open() && !GrantStatus::Revoked.is_open());
    }
}
