//! Complaints about outlets (issue 16 point 7): what a family may complain of, and where a complaint
//! stands. The codes are stored and never change.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintKind {
    ShortWeight,
    RefusedService,
    AskedMoney,
    ClosedInHours,
    /// A collection on the family's card it did not make: marked on the collection for auditors.
    CollectionNotMade,
}

impl ComplaintKind {
    pub const ALL: [ComplaintKind; 5] = [
        ComplaintKind::ShortWeight,
        ComplaintKind::RefusedService,
        ComplaintKind::AskedMoney,
        ComplaintKind::ClosedInHours,
        ComplaintKind::CollectionNotMade,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            ComplaintKind::ShortWeight => "short_weight",
            ComplaintKind::RefusedService => "refused_service",
            ComplaintKind::AskedMoney => "asked_money",
            ComplaintKind::ClosedInHours => "closed_in_hours",
            ComplaintKind::CollectionNotMade => "collection_not_made",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    /// Whether the complaint must name the collection (the receipt) it concerns.
    pub const fn needs_receipt(self) -> bool {
        matches!(self, ComplaintKind::CollectionNotMade)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComplaintStatus {
    Open,
    Assigned,
    Resolved,
}

impl ComplaintStatus {
    pub const ALL: [ComplaintStatus; 3] = [
        ComplaintStatus::Open,
        ComplaintStatus::Assigned,
        ComplaintStatus::Resolved,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            ComplaintStatus::Open => "open",
            ComplaintStatus::Assigned => "assigned",
            ComplaintStatus::Resolved => "resolved",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}
