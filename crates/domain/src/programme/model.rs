//! Programmes as versioned data: what a household is owed each month. A change is a new version
//! effective from a named month; earlier versions stay, so any past cycle can be explained. Parsed and
//! checked from the programme file (docs/formats.md) in `parse`; the amounts owed are in `entitle`.

use super::catalog::Unit;
use super::month::CycleMonth;

/// Whose programme it is: the rules and units differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Country {
    Iraq,
    Egypt,
}

impl Country {
    pub const fn code(self) -> &'static str {
        match self {
            Country::Iraq => "IQ",
            Country::Egypt => "EG",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Country::Iraq, Country::Egypt]
            .into_iter()
            .find(|c| c.code() == s)
    }
    /// The money unit of the country's programmes.
    pub const fn money(self) -> Unit {
        match self {
            Country::Iraq => Unit::Fils,
            Country::Egypt => Unit::Piastre,
        }
    }
}

/// Households a supplement is for (the lists come from the social-protection ministry, issue 15 point 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    SocialWelfare,
    LowIncome,
}

impl Category {
    pub const fn code(self) -> &'static str {
        match self {
            Category::SocialWelfare => "social_welfare",
            Category::LowIncome => "low_income",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Category::SocialWelfare, Category::LowIncome]
            .into_iter()
            .find(|c| c.code() == s)
    }
}

/// An item and how much of it, in the item's own unit (see `catalog::ITEMS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub item: &'static str,
    pub quantity: i64,
}

/// An item the allowance may be spent on, at a price, within caps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedItem {
    pub item: &'static str,
    /// The price of `per` units of the item, in the country's money unit.
    pub price: i64,
    pub per: i64,
    /// At most this much per counted person a month, and at most `cap_per_card` for the whole card.
    pub cap_per_person: Option<i64>,
    pub cap_per_card: Option<i64>,
}

/// What one version of a programme gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Benefit {
    /// Goods per counted person a month (Iraq's basket; flour through flour agents), and more per person
    /// for households of the named categories.
    Basket {
        per_person: Vec<Line>,
        supplement: Vec<Line>,
        supplement_for: Vec<Category>,
    },
    /// Loaves per counted person per day, credited per day (Egypt's bread); at the month's end each unused
    /// loaf becomes `unused_loaf_value` of commodity credit.
    Bread {
        loaves_per_person_per_day: i64,
        unused_loaf_value: i64,
    },
    /// Money per counted person a month, spent on priced items within caps; of each choose-one group a
    /// card takes one item a month (Egypt's commodity allowance).
    Allowance {
        per_person: i64,
        items: Vec<PricedItem>,
        choose_one: Vec<Vec<&'static str>>,
    },
}

impl Benefit {
    pub const fn kind(&self) -> &'static str {
        match self {
            Benefit::Basket { .. } => "basket",
            Benefit::Bread { .. } => "bread",
            Benefit::Allowance { .. } => "allowance",
        }
    }
}

/// Where a family assigned to an agent may collect (India's national portability lets any ration shop
/// serve any card).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Portability {
    /// Its own agent only.
    Assigned,
    /// Any agent of its governorate.
    Governorate,
    /// Any agent of the country.
    Nation,
}

impl Portability {
    pub const fn code(self) -> &'static str {
        match self {
            Portability::Assigned => "assigned",
            Portability::Governorate => "governorate",
            Portability::Nation => "nation",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            Portability::Assigned,
            Portability::Governorate,
            Portability::Nation,
        ]
        .into_iter()
        .find(|p| p.code() == s)
    }
}

/// One version of a programme, in force from `effective_from` until the next version's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeVersion {
    pub version: i64,
    pub effective_from: CycleMonth,
    pub benefit: Benefit,
    /// Months with no distribution (10–11 baskets a year are delivered, not 12).
    pub skip: Vec<CycleMonth>,
    /// Months that carry only some of the basket's items.
    pub only: Vec<(CycleMonth, Vec<&'static str>)>,
    /// Rules that exclude a household as a whole.
    pub rules: Vec<super::eligibility::Rule>,
    pub portability: Portability,
}

/// A programme and its history of versions, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    pub code: String,
    pub country: Country,
    pub versions: Vec<ProgrammeVersion>,
}

impl Programme {
    /// The version in force in a month: the latest whose `effective_from` is not after it.
    pub fn version_for(&self, month: CycleMonth) -> Option<&ProgrammeVersion> {
        self.versions
            .iter()
            .rev()
            .find(|v| v.effective_from <= month)
    }
}
