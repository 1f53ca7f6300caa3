//! What a household is owed in a month under one programme version: pure arithmetic on the number of
//! members counted, in exact integers, checked for overflow (a bad programme must not wrap around).

use super::model::{Benefit, Category, Line, PricedItem, ProgrammeVersion};
use super::month::CycleMonth;

/// One line owed: an item (or `money` for an allowance, `bread` for loaves) and its amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owed {
    pub item: &'static str,
    pub amount: i64,
}

/// The amounts are beyond what a line can hold: the programme's figures are wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

/// What a household with `persons` counted members, in `categories`, is owed in `month`. A skipped
/// month owes nothing; a month with a subset owes only those items. Bread is credited for every day
/// of the month; an allowance owes money, spent later within `caps`.
pub fn owed(
    v: &ProgrammeVersion,
    month: CycleMonth,
    persons: i64,
    categories: &[Category],
) -> Result<Vec<Owed>, Overflow> {
    if persons <= 0 || v.skip.contains(&month) {
        return Ok(vec![]);
    }
    let only = v
        .only
        .iter()
        .find(|(m, _)| *m == month)
        .map(|(_, items)| items);
    let carried = |item: &str| only.is_none_or(|items| items.contains(&item));
    let times = |q: i64| q.checked_mul(persons).ok_or(Overflow);
    match &v.benefit {
        Benefit::Basket {
            per_person,
            supplement,
            supplement_for,
        } => {
            let extra = supplement_for.iter().any(|c| categories.contains(c));
            let mut out: Vec<Owed> = vec![];
            let lines: Vec<&Line> = per_person
                .iter()
                .chain(supplement.iter().filter(|_| extra))
                .filter(|l| carried(l.item))
                .collect();
            for l in lines {
                let amount = times(l.quantity)?;
                match out.iter_mut().find(|o| o.item == l.item) {
                    Some(o) => o.amount = o.amount.checked_add(amount).ok_or(Overflow)?,
                    None => out.push(Owed {
                        item: l.item,
                        amount,
                    }),
                }
            }
            Ok(out)
        }
        Benefit::Bread {
            loaves_per_person_per_day,
            ..
        } => Ok(vec![Owed {
            item: "bread",
            amount: times(*loaves_per_person_per_day)?
                .checked_mul(month.days())
                .ok_or(Overflow)?,
        }]),
        Benefit::Allowance { per_person, .. } => Ok(vec![Owed {
            item: "money",
            amount: times(*per_person)?,
        }]),
    }
}

/// The most of an allowance item a card may take in a month: the per-person cap times the members
/// counted, no more than the per-card cap; `None` when the item has no cap.
pub fn cap(p: &PricedItem, persons: i64) -> Option<i64> {
    let by_persons = p.cap_per_person.map(|c| c.saturating_mul(persons.max(0)));
    match (by_persons, p.cap_per_card) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The commodity credit unused bread becomes at the month's end.
pub fn unused_bread_credit(v: &ProgrammeVersion, unused_loaves: i64) -> Result<i64, Overflow> {
    match &v.benefit {
        Benefit::Bread {
            unused_loaf_value, ..
        } => unused_loaves
            .max(0)
            .checked_mul(*unused_loaf_value)
            .ok_or(Overflow),
        _ => Ok(0),
    }
}
