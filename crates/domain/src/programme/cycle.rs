//! A monthly cycle of one programme in one governorate: drafted, approved by a second person, generated,
//! opened, closed (docs/distribution.md). A generation that failed leaves the cycle `failed`, which
//! never opens; it can be approved again.

/// Where a cycle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CycleStatus {
    Draft,
    Approved,
    Open,
    Closed,
    Failed,
}

impl CycleStatus {
    pub const ALL: [CycleStatus; 5] = [
        CycleStatus::Draft,
        CycleStatus::Approved,
        CycleStatus::Open,
        CycleStatus::Closed,
        CycleStatus::Failed,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            CycleStatus::Draft => "draft",
            CycleStatus::Approved => "approved",
            CycleStatus::Open => "open",
            CycleStatus::Closed => "closed",
            CycleStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// The categories an entitlement row keeps, as bits (`entitlements.categories`).
pub fn category_bits(categories: &[super::Category]) -> i64 {
    categories.iter().fold(0, |acc, c| {
        acc | match c {
            super::Category::SocialWelfare => 1,
            super::Category::LowIncome => 2,
        }
    })
}

pub fn categories_of(bits: i64) -> Vec<super::Category> {
    let mut out = vec![];
    if bits & 1 != 0 {
        out.push(super::Category::SocialWelfare);
    }
    if bits & 2 != 0 {
        out.push(super::Category::LowIncome);
    }
    out
}
