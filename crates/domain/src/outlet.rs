//! Outlets (issue 16; docs/outlets.md): the ration agents, flour agents, bakeries and commodity outlets
//! that hand the ration out, as data; what each kind hands out; and the rules of one collection that
//! need no database — the quantities asked, and how much bread one collection may take.

use crate::error::FieldError;
use crate::programme::Benefit;

/// What an outlet is. The codes are stored and never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutletKind {
    /// Iraq's وكيل: the basket's items but flour, to the households assigned to it.
    RationAgent,
    /// Iraq's وكيل الطحين: flour, to the households assigned to it.
    FlourAgent,
    /// Egypt's bakery: bread, to any card of its governorate.
    Bakery,
    /// Egypt's grocer (بقال التموين): the commodity allowance, to any card of its governorate.
    CommodityOutlet,
}

impl OutletKind {
    pub const ALL: [OutletKind; 4] = [
        OutletKind::RationAgent,
        OutletKind::FlourAgent,
        OutletKind::Bakery,
        OutletKind::CommodityOutlet,
    ];
    pub const fn code(self) -> &'static str {
        match self {
            OutletKind::RationAgent => "ration_agent",
            OutletKind::FlourAgent => "flour_agent",
            OutletKind::Bakery => "bakery",
            OutletKind::CommodityOutlet => "commodity_outlet",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    /// Whether the outlet serves only the households assigned to it (agents), or any card of its
    /// governorate (bakeries, commodity outlets).
    pub const fn assigned(self) -> bool {
        matches!(self, OutletKind::RationAgent | OutletKind::FlourAgent)
    }
    /// Whether this kind hands out an item of a programme with this benefit.
    pub fn hands_out(self, benefit: &Benefit, item: &str) -> bool {
        match (self, benefit) {
            (OutletKind::RationAgent, Benefit::Basket { .. }) => item != "flour",
            (OutletKind::FlourAgent, Benefit::Basket { .. }) => item == "flour",
            (OutletKind::Bakery, Benefit::Bread { .. }) => item == "bread",
            (OutletKind::CommodityOutlet, Benefit::Allowance { .. }) => item == "money",
            _ => false,
        }
    }
}

/// Whether an outlet may hand out now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Licence {
    Active,
    /// By a supervisor, with a reason; lifted the same way.
    Suspended,
    Revoked,
}

impl Licence {
    pub const ALL: [Licence; 3] = [Licence::Active, Licence::Suspended, Licence::Revoked];
    pub const fn code(self) -> &'static str {
        match self {
            Licence::Active => "active",
            Licence::Suspended => "suspended",
            Licence::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == s)
    }
}

/// The days of the week, as outlets' opening days are written.
pub const WEEKDAYS: [&str; 7] = ["sat", "sun", "mon", "tue", "wed", "thu", "fri"];

/// An outlet as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlet {
    pub code: String,
    pub kind: OutletKind,
    pub district_code: String,
    pub name_ar: String,
    pub address: String,
    /// Micro-degrees, both or neither.
    pub location: Option<(i64, i64)>,
    pub licence: Licence,
    pub warehouse_code: Option<String>,
    /// Of `WEEKDAYS`, in that order.
    pub opening_days: Vec<&'static str>,
    /// `HH:MM`, local time.
    pub opens: String,
    pub closes: String,
    /// The licensee who runs it, by national ID, when on file: never a proxy at their own outlet.
    pub licensee_national_id: Option<String>,
}

/// Parses `sat sun mon` (any order, any case, spaces or commas) into `WEEKDAYS` order.
pub fn parse_days(s: &str) -> Result<Vec<&'static str>, FieldError> {
    let mut out = vec![];
    for d in s.split([' ', ',']).filter(|d| !d.is_empty()) {
        let d = d.to_ascii_lowercase();
        let Some(day) = WEEKDAYS.iter().find(|w| **w == d) else {
            return Err(FieldError::new(
                "opening_days",
                "opening_days_invalid",
                "days of the week as sat sun mon tue wed thu fri",
            ));
        };
        if !out.contains(day) {
            out.push(*day);
        }
    }
    if out.is_empty() {
        return Err(FieldError::new(
            "opening_days",
            "opening_days_invalid",
            "days of the week as sat sun mon tue wed thu fri",
        ));
    }
    out.sort_by_key(|d| WEEKDAYS.iter().position(|w| w == d));
    Ok(out)
}

/// `HH:MM` on a 24-hour clock.
pub fn parse_hour(field: &'static str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let ok = s.len() == 5
        && s.as_bytes()[2] == b':'
        && s[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && s[3..].parse::<u8>().is_ok_and(|m| m < 60);
    if ok {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(field, "hour_invalid", "a time as HH:MM"))
    }
}

/// A decimal degree (`33.312805`) as micro-degrees, within `limit` degrees of zero.
pub fn parse_degrees(field: &'static str, s: &str, limit: i64) -> Result<i64, FieldError> {
    let bad = || FieldError::new(field, "coordinate_invalid", "decimal degrees, as 33.312805");
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || frac.len() > 6
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || whole.len() > 3
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
    let v = w * 1_000_000 + f;
    if v > limit * 1_000_000 {
        return Err(bad());
    }
    Ok(if neg { -v } else { v })
}

/// A quantity asked at an outlet: a whole number of the item's unit, more than zero (`None`: what was
/// sent is no whole number). Anything fractional, negative, zero or too large is refused before any
/// write.
pub fn parse_quantity(item: &str, q: Option<i64>) -> Result<i64, FieldError> {
    let bad = || {
        FieldError::new(
            format!("items.{item}"),
            "quantity_invalid",
            "a whole number above zero, in the item's unit",
        )
    };
    match q {
        Some(n) if n > 0 && n <= 1_000_000_000 => Ok(n),
        _ => Err(bad()),
    }
}

/// The most days of bread one collection may take (facts.md: up to 3 days for cards of up to three
/// members, 2 days for four or more).
pub const fn bread_days_at_once(persons: i64) -> i64 {
    if persons <= 3 { 3 } else { 2 }
}

/// What bread a card may take now, on day `day` (1-based) of the month: what has accrued so far less
/// what was taken, and at most `bread_days_at_once` days' worth in one collection.
pub fn bread_collectable(
    loaves_per_person_per_day: i64,
    persons: i64,
    day: i64,
    taken: i64,
) -> i64 {
    let daily = loaves_per_person_per_day.saturating_mul(persons);
    let accrued = daily.saturating_mul(day);
    let at_once = daily.saturating_mul(bread_days_at_once(persons));
    accrued.saturating_sub(taken).clamp(0, at_once)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_in_week_order_and_refuse_unknown() {
        assert_eq!(parse_days("Thu, sat  sun").unwrap(), ["sat", "sun", "thu"]);
        assert_eq!(parse_days("sat sat").unwrap(), ["sat"]);
        assert!(parse_days("").is_err());
        assert!(parse_days("sat friday").is_err());
    }

    #[test]
    fn hours_and_degrees() {
        assert_eq!(parse_hour("opens", "08:30").unwrap(), "08:30");
        assert!(parse_hour("opens", "24:00").is_err());
        assert!(parse_hour("opens", "8:30").is_err());
        assert_eq!(parse_degrees("lat", "33.312805", 90).unwrap(), 33_312_805);
        assert_eq!(parse_degrees("lat", "-0.5", 90).unwrap(), -500_000);
        assert_eq!(parse_degrees("lon", "44", 180).unwrap(), 44_000_000);
        assert!(parse_degrees("lat", "91", 90).is_err());
        assert!(parse_degrees("lat", "33.1234567", 90).is_err());
        assert!(parse_degrees("lat", "3e1", 90).is_err());
    }

    #[test]
    fn quantities_are_whole_and_positive() {
        assert_eq!(parse_quantity("rice", Some(3000)).unwrap(), 3000);
        for bad in [Some(0), Some(-1), Some(2_000_000_000), None] {
            assert_eq!(
                parse_quantity("rice", bad).unwrap_err().code,
                "quantity_invalid"
            );
        }
    }

    #[test]
    fn bread_accrues_per_day_and_caps_one_collection() {
        // 5 loaves a person a day, 3 persons: 15 a day, up to 3 days (45) at once.
        assert_eq!(bread_collectable(5, 3, 1, 0), 15);
        assert_eq!(bread_collectable(5, 3, 10, 0), 45);
        assert_eq!(bread_collectable(5, 3, 10, 140), 10);
        assert_eq!(bread_collectable(5, 3, 10, 150), 0);
        // 4 persons: 20 a day, 2 days at once.
        assert_eq!(bread_collectable(5, 4, 10, 0), 40);
    }

    #[test]
    fn kinds_hand_out_their_items_only() {
        let basket = Benefit::Basket {
            per_person: vec![],
            supplement: vec![],
            supplement_for: vec![],
        };
        assert!(OutletKind::RationAgent.hands_out(&basket, "rice"));
        assert!(!OutletKind::RationAgent.hands_out(&basket, "flour"));
        assert!(OutletKind::FlourAgent.hands_out(&basket, "flour"));
        assert!(!OutletKind::Bakery.hands_out(&basket, "flour"));
        for k in OutletKind::ALL {
            assert_eq!(OutletKind::parse(k.code()), Some(k));
        }
    }
}
