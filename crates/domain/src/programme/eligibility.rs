//! Who a cycle counts. Rules are data (a programme version's `rules`): each excludes the whole
//! household when all its conditions hold, like Iraq's rule on heads in public employment paid at least
//! 1.5 million IQD a month. Members are counted by dates: a held member is not counted, a newborn
//! counts from the cycle after the birth is confirmed, a deceased or departed member stops counting
//! from the cycle after.

use super::month::CycleMonth;
use crate::error::{FieldError, ValidationErrors};
use serde::Deserialize;

/// The facts about a household that rules may read (issue 15 point 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    /// The head's employment sector: `public`, `private`, `military`, `retired`, `none`.
    HeadSector,
    /// The head's declared monthly income, in the country's money unit.
    HeadMonthlyIncome,
    /// The household's declared monthly income, in the country's money unit.
    HouseholdMonthlyIncome,
    /// On the social-protection ministry's list.
    SocialWelfare,
    /// The household's declared income band (`income_band::INCOME_BANDS`, Egypt).
    IncomeBand,
}

pub const SECTORS: [&str; 5] = ["public", "private", "military", "retired", "none"];

impl Field {
    const ALL: [Field; 5] = [
        Field::HeadSector,
        Field::HeadMonthlyIncome,
        Field::HouseholdMonthlyIncome,
        Field::SocialWelfare,
        Field::IncomeBand,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            Field::HeadSector => "head_sector",
            Field::HeadMonthlyIncome => "head_monthly_income",
            Field::HouseholdMonthlyIncome => "household_monthly_income",
            Field::SocialWelfare => "social_welfare",
            Field::IncomeBand => "income_band",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == s)
    }
}

/// One condition of a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    SectorIs(&'static str),
    BandIs(&'static str),
    AtLeast(Field, i64),
    Below(Field, i64),
    IsTrue(Field),
    IsFalse(Field),
}

/// Excludes the household when every condition holds; `code` names it in dry runs ("why they left").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub code: String,
    pub when: Vec<Condition>,
}

/// What the rules read of one household. A missing declaration never satisfies a condition: a
/// household is excluded only on what is on record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub head_sector: Option<String>,
    pub head_monthly_income: Option<i64>,
    pub household_monthly_income: Option<i64>,
    pub social_welfare: bool,
    /// Declared instead of, or beside, the household's income; an amount on record wins.
    pub income_band: Option<String>,
}

impl HouseholdFacts {
    fn number(&self, f: Field) -> Option<i64> {
        match f {
            Field::HeadMonthlyIncome => self.head_monthly_income,
            Field::HouseholdMonthlyIncome => self.household_monthly_income,
            _ => None,
        }
    }
    /// The declared band stands for the household's income when no amount is declared: a condition
    /// holds only when it holds for every income in the band.
    fn band(&self, f: Field) -> Option<&'static super::income_band::IncomeBand> {
        (f == Field::HouseholdMonthlyIncome)
            .then(|| {
                self.income_band
                    .as_deref()
                    .and_then(super::income_band::band)
            })
            .flatten()
    }
    fn flag(&self, f: Field) -> Option<bool> {
        (f == Field::SocialWelfare).then_some(self.social_welfare)
    }
}

impl Condition {
    fn holds(&self, h: &HouseholdFacts) -> bool {
        match self {
            Condition::SectorIs(s) => h.head_sector.as_deref() == Some(*s),
            Condition::BandIs(b) => h.income_band.as_deref() == Some(*b),
            Condition::AtLeast(f, v) => match h.number(*f) {
                Some(n) => n >= *v,
                None => h.band(*f).is_some_and(|b| b.all_at_least(*v)),
            },
            Condition::Below(f, v) => match h.number(*f) {
                Some(n) => n < *v,
                None => h.band(*f).is_some_and(|b| b.all_below(*v)),
            },
            Condition::IsTrue(f) => h.flag(*f) == Some(true),
            Condition::IsFalse(f) => h.flag(*f) == Some(false),
        }
    }
}

/// The first rule that excludes the household, if any.
pub fn excluded_by<'r>(rules: &'r [Rule], h: &HouseholdFacts) -> Option<&'r Rule> {
    rules
        .iter()
        .find(|r| !r.when.is_empty() && r.when.iter().all(|c| c.holds(h)))
}

/// What the counting of one member reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemberFacts {
    /// An active hold on the member or the household.
    pub held: bool,
    /// A newborn: the month the birth was confirmed.
    pub birth_confirmed: Option<CycleMonth>,
    /// Death or departure: the month it was recorded.
    pub left: Option<CycleMonth>,
}

/// Whether a member is counted in a month's cycle.
pub fn counted(m: &MemberFacts, month: CycleMonth) -> bool {
    !m.held && m.birth_confirmed.is_none_or(|b| b < month) && m.left.is_none_or(|l| month <= l)
}

/// A rule as the programme file writes it: `{"code": "…", "when": [{"field": "…", "is": …}]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub code: String,
    pub when: Vec<RawCondition>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub field: String,
    #[serde(default)]
    pub is: Option<RawValue>,
    #[serde(default)]
    pub at_least: Option<super::parse::RawNumber>,
    #[serde(default)]
    pub below: Option<super::parse::RawNumber>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawValue {
    Flag(bool),
    Text(String),
    Other(serde::de::IgnoredAny),
}

/// Checks the rules of a version: a known field, one comparison it supports, a value of its type.
pub fn rules(raw: &[RawRule], errs: &mut ValidationErrors) -> Vec<Rule> {
    let mut out = vec![];
    for (i, r) in raw.iter().enumerate() {
        let at = format!("rules[{i}]");
        // The code names the reason a household left in dry runs: present, and one per rule.
        let code_ok = !r.code.is_empty()
            && r.code.len() <= 60
            && r.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !code_ok {
            errs.push(FieldError::new(
                format!("{at}.code"),
                "rule_code_invalid",
                "a rule's code is 1 to 60 lower-case letters, digits and underscores",
            ));
        } else if raw[..i].iter().any(|x| x.code == r.code) {
            errs.push(
                FieldError::new(
                    format!("{at}.code"),
                    "rule_code_repeated",
                    "two rules have this code",
                )
                .with("value", &r.code),
            );
        }
        if r.when.is_empty() {
            errs.push(FieldError::new(
                format!("{at}.when"),
                "rule_without_condition",
                "a rule needs at least one condition",
            ));
        }
        let mut when = vec![];
        for (j, c) in r.when.iter().enumerate() {
            let at = format!("{at}.when[{j}]");
            when.extend(condition(c, &at, errs));
        }
        out.push(Rule {
            code: r.code.clone(),
            when,
        });
    }
    out
}

fn condition(c: &RawCondition, at: &str, errs: &mut ValidationErrors) -> Option<Condition> {
    let Some(field) = Field::parse(&c.field) else {
        errs.push(FieldError::new(format!("{at}.field"), "rule_field_unknown", "rules read head_sector, head_monthly_income, household_monthly_income, social_welfare or income_band").with("value", &c.field));
        return None;
    };
    let bad = |errs: &mut ValidationErrors| {
        errs.push(
            FieldError::new(
                at,
                "rule_comparison_invalid",
                "this field is compared another way",
            )
            .with("value", field.code()),
        );
        None
    };
    let number = |n: &super::parse::RawNumber, errs: &mut ValidationErrors| match n {
        super::parse::RawNumber::Int(v) if *v >= 0 => Some(*v),
        _ => {
            errs.push(FieldError::new(
                at,
                "quantity_not_integer",
                "amounts are whole numbers of the smallest unit",
            ));
            None
        }
    };
    match (field, &c.is, &c.at_least, &c.below) {
        (Field::HeadSector, Some(RawValue::Text(s)), None, None) => {
            match SECTORS.iter().find(|x| **x == s) {
                Some(s) => Some(Condition::SectorIs(s)),
                None => {
                    errs.push(
                        FieldError::new(
                            at,
                            "sector_unknown",
                            "the sector is public, private, military, retired or none",
                        )
                        .with("value", s),
                    );
                    None
                }
            }
        }
        (Field::IncomeBand, Some(RawValue::Text(s)), None, None) => {
            match super::income_band::INCOME_BANDS
                .iter()
                .find(|b| b.code == s)
            {
                Some(b) => Some(Condition::BandIs(b.code)),
                None => {
                    errs.push(
                        FieldError::new(at, "income_band_unknown", "not one of the income bands")
                            .with("value", s),
                    );
                    None
                }
            }
        }
        (Field::SocialWelfare, Some(RawValue::Flag(b)), None, None) => Some(if *b {
            Condition::IsTrue(field)
        } else {
            Condition::IsFalse(field)
        }),
        (Field::HeadMonthlyIncome | Field::HouseholdMonthlyIncome, None, Some(n), None) => {
            number(n, errs).map(|v| Condition::AtLeast(field, v))
        }
        (Field::HeadMonthlyIncome | Field::HouseholdMonthlyIncome, None, None, Some(n)) => {
            number(n, errs).map(|v| Condition::Below(field, v))
        }
        _ => bad(errs),
    }
}
