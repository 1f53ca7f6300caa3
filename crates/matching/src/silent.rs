//! (f) Silent cards: households that collected nothing in the last N distribution cycles. Silence is
//! a symptom, not a match: the family may have died out, left the country or sold the card, or it may
//! simply be unable to reach its agent (the old and the sick). So a silent card is always a review
//! item, never a hold, and the reviewer reads it beside the card's other findings.
//!
//! Only cycles in which somebody collected count: in a month without a delivery (Iraq delivers 10–11
//! baskets a year, not 12) nobody is silent.

use crate::record::Rec;
use crate::screen::{Decision, Finding, Kind};

/// A distribution cycle (a month) as a number: year × 12 + month − 1.
pub type Cycle = u32;

pub fn cycle(year: u16, month: u8) -> Cycle {
    u32::from(year) * 12 + u32::from(month) - 1
}

/// `YYYY-MM` of a cycle.
pub fn cycle_text(c: Cycle) -> String {
    format!("{:04}-{:02}", c / 12, c % 12 + 1)
}

/// Parses `YYYY-MM`.
pub fn parse_cycle(s: &str) -> Option<Cycle> {
    let (y, m) = s.trim().split_once('-')?;
    let (year, month): (u16, u8) = (y.parse().ok()?, m.parse().ok()?);
    (y.len() == 4 && (1..=12).contains(&month) && year >= 1900).then(|| cycle(year, month))
}

/// The collections that were read: (household number, cycle) per collection.
#[derive(Debug, Clone, Default)]
pub struct Collections {
    pub rows: Vec<(u32, Cycle)>,
    /// The cycle running on the screening day: it is not over, so it does not count.
    pub current: Cycle,
    /// How many of the latest completed cycles without a collection make a card silent.
    pub cycles: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooFewCycles {
    pub found: usize,
    pub needed: usize,
}

impl Collections {
    /// The first cycle of the window: the last `cycles` completed cycles in which anybody collected.
    pub fn window(&self) -> Result<Cycle, TooFewCycles> {
        let mut seen: Vec<Cycle> = self
            .rows
            .iter()
            .map(|r| r.1)
            .filter(|x| *x < self.current)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        if self.cycles == 0 || seen.len() < self.cycles {
            return Err(TooFewCycles {
                found: seen.len(),
                needed: self.cycles.max(1),
            });
        }
        Ok(seen[seen.len() - self.cycles])
    }
}

/// A finding per household of `people` with no collection in the window (see `Collections::window`).
/// The finding names the household's first member.
pub fn silent(people: &[Rec], c: &Collections) -> Result<Vec<Finding>, TooFewCycles> {
    let window_start = c.window()?;
    let households = people
        .iter()
        .map(|r| r.household as usize + 1)
        .max()
        .unwrap_or(0);
    let mut last: Vec<Option<Cycle>> = vec![None; households];
    for &(h, x) in &c.rows {
        if x < c.current
            && let Some(l) = last.get_mut(h as usize)
        {
            *l = Some(l.map_or(x, |y| y.max(x)));
        }
    }
    let mut first_member: Vec<Option<u32>> = vec![None; households];
    for (i, r) in people.iter().enumerate() {
        if let Some(f) = first_member.get_mut(r.household as usize) {
            f.get_or_insert(i as u32);
        }
    }
    Ok(first_member
        .iter()
        .zip(&last)
        .filter_map(|(member, last)| {
            let member = (*member)?;
            if last.is_some_and(|l| l >= window_start) {
                return None;
            }
            let last = last.map_or("none".to_string(), cycle_text);
            Some(Finding {
                kind: Kind::Silent,
                a: member,
                b: None,
                score: 1.0,
                decision: Decision::Review,
                explanation: format!(
                    "silent_cycles={};since={};last_collection={last}",
                    c.cycles,
                    cycle_text(window_start)
                ),
                cluster: None,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawPerson;
    use crate::vocab::Vocab;

    #[test]
    fn only_completed_cycles_with_deliveries_count() {
        let mut v = Vocab::new();
        let mut none = |_: &'static str, _| {};
        let people: Vec<Rec> = [0, 0, 1, 2, 3]
            .iter()
            .map(|h| {
                let raw = RawPerson {
                    given: "علي",
                    ..Default::default()
                };
                Rec::from_raw(&mut v, &raw, *h, &mut none)
            })
            .collect();
        let m = |s: &str| parse_cycle(s).unwrap_or(0);
        let c = Collections {
            rows: vec![
                (0, m("2025-12")),
                (1, m("2025-09")),
                (1, m("2025-10")),
                // Household 2 only in the running month: still silent for the window.
                (2, m("2026-01")),
                // Nobody collected in 2025-11 (no delivery): the window skips it.
                (3, m("2025-10")),
                (7, m("2025-12")), // not on the people file: ignored
            ],
            current: m("2026-01"),
            cycles: 2,
        };
        let found = silent(&people, &c).unwrap_or_default();
        let who: Vec<(u32, &str)> = found
            .iter()
            .map(|f| (f.a, f.explanation.as_str()))
            .collect();
        assert_eq!(
            who,
            vec![(3, "silent_cycles=2;since=2025-10;last_collection=none")]
        );
        assert!(found.iter().all(|f| f.decision == Decision::Review));
        // Three completed cycles with deliveries cannot show four silent ones.
        let c4 = Collections { cycles: 4, ..c };
        assert_eq!(
            silent(&people, &c4).map(|f| f.len()),
            Err(TooFewCycles {
                found: 3,
                needed: 4
            })
        );
    }

    #[test]
    fn cycles_parse_and_print() {
        assert_eq!(
            parse_cycle("2025-12").map(cycle_text),
            Some("2025-12".into())
        );
        for bad in ["2025-13", "2025", "25-01", "2025-00", "abcd-01", ""] {
            assert_eq!(parse_cycle(bad), None, "{bad}");
        }
    }
}
