//! The card state of a household follows from its holds and whether it is closed (docs/card-states.md).
//!
//! Precedence, most severe first: closed, blocked, suspended, pending verification, temporary, active.
//! - blocked: a household hold for deceased, abroad, duplicate or fictitious; or every present member
//!   held for one of those or for data mismatch/other (nobody left to collect);
//! - suspended: a household hold for data mismatch or other; or the head held for one of the reasons
//!   above (a new head must be named, or the record corrected, before anyone collects);
//! - pending verification: the household, or its head, is not verified in person;
//! - temporary: some present member (or the household) has no unified national card yet;
//! - active: none of these.

use crate::hold::{Hold, HoldReason};
use crate::household::{Member, Presence, Relation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CardState {
    Active,
    Temporary,
    PendingVerification,
    Suspended,
    Blocked,
    Closed,
}

impl CardState {
    pub const ALL: [CardState; 6] = [
        CardState::Active,
        CardState::Temporary,
        CardState::PendingVerification,
        CardState::Suspended,
        CardState::Blocked,
        CardState::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CardState::Active => "active",
            CardState::Temporary => "temporary",
            CardState::PendingVerification => "pending_verification",
            CardState::Suspended => "suspended",
            CardState::Blocked => "blocked",
            CardState::Closed => "closed",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
    pub fn label_ar(self) -> &'static str {
        match self {
            CardState::Active => "فعّالة",
            CardState::Temporary => "مؤقتة",
            CardState::PendingVerification => "بانتظار التحقق",
            CardState::Suspended => "موقوفة",
            CardState::Blocked => "محجوبة",
            CardState::Closed => "مغلقة",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            CardState::Active => "active",
            CardState::Temporary => "temporary",
            CardState::PendingVerification => "pending verification",
            CardState::Suspended => "suspended",
            CardState::Blocked => "blocked",
            CardState::Closed => "closed",
        }
    }
    /// Whether anyone on the card can collect this month.
    pub fn can_collect(self) -> bool {
        matches!(self, CardState::Active | CardState::Temporary)
    }
}

/// A set of hold reasons, one bit each, in `HoldReason::ALL` order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReasonSet(pub u8);

impl ReasonSet {
    pub fn insert(&mut self, r: HoldReason) {
        self.0 |= 1 << (r as u8);
    }
    pub fn contains(self, r: HoldReason) -> bool {
        self.0 & (1 << (r as u8)) != 0
    }
    fn any(self, rs: &[HoldReason]) -> bool {
        rs.iter().any(|r| self.contains(*r))
    }
    /// Excluded for a reason other than a missing visit or a missing ID: someone must act on the record.
    fn hard_excluded(self) -> bool {
        self.any(&BLOCKING) || self.any(&SUSPENDING)
    }
}

const BLOCKING: [HoldReason; 4] = [
    HoldReason::Deceased,
    HoldReason::Abroad,
    HoldReason::Duplicate,
    HoldReason::Fictitious,
];
const SUSPENDING: [HoldReason; 2] = [HoldReason::DataMismatch, HoldReason::Other];

/// The rule on its inputs reduced to sets: the household's own holds, the head's, each other present member's.
pub fn state_from_sets(
    closed: bool,
    household: ReasonSet,
    head: ReasonSet,
    others: &[ReasonSet],
) -> CardState {
    if closed {
        return CardState::Closed;
    }
    if household.any(&BLOCKING)
        || (head.hard_excluded() && others.iter().all(|m| m.hard_excluded()))
    {
        return CardState::Blocked;
    }
    if household.any(&SUSPENDING) || head.hard_excluded() {
        return CardState::Suspended;
    }
    if household.contains(HoldReason::NotVerifiedInPerson)
        || head.contains(HoldReason::NotVerifiedInPerson)
    {
        return CardState::PendingVerification;
    }
    let no_id = |s: ReasonSet| s.contains(HoldReason::NoNationalId);
    if no_id(household) || no_id(head) || others.iter().any(|m| no_id(*m)) {
        return CardState::Temporary;
    }
    CardState::Active
}

/// The card state of a household from its members and its active holds.
pub fn card_state(closed: bool, members: &[Member], holds: &[Hold]) -> CardState {
    let mut household = ReasonSet::default();
    let mut head = ReasonSet::default();
    let mut others = Vec::new();
    for h in holds
        .iter()
        .filter(|h| h.is_active() && h.member_id.is_none())
    {
        household.insert(h.reason);
    }
    for m in members.iter().filter(|m| m.presence == Presence::Present) {
        let mut set = ReasonSet::default();
        for h in holds
            .iter()
            .filter(|h| h.is_active() && h.member_id.as_deref() == Some(&m.member_id))
        {
            set.insert(h.reason);
        }
        if m.relation == Relation::Head {
            head = set
        } else {
            others.push(set)
        }
    }
    state_from_sets(closed, household, head, &others)
}

/// Whether a present member counts toward the household's entitlement.
pub fn member_entitled(member: &Member, holds: &[Hold]) -> bool {
    member.presence == Presence::Present
        && !holds.iter().any(|h| {
            h.is_active()
                && h.member_id.as_deref() == Some(&member.member_id)
                && h.reason.excludes_member()
        })
}

#[cfg(test)]
mod tests;
