//! What agreeing on the whole lineage (father, grandfather, mother) is worth, measured on the records
//! themselves. Two records whose parents' chains agree are the same person or brothers and sisters;
//! the share of pairs (across households, or across the two sets of a link) that agree on them bounds
//! how often that happens to two different people, and so caps the lineage fields' weight at
//! log2(pairs / agreeing pairs). Duplicates are among the agreeing pairs, so the bound errs towards a
//! lower cap. Where adult brothers hold cards of their own, many pairs agree and the cap drops by itself.

use crate::blocking::{Blocker, Part, Rule};
use crate::record::Rec;
use crate::vocab::Vocab;

const RULE: Rule = Rule {
    name: "lineage",
    parts: &[Part::Father, Part::Grandfather, Part::MotherChain],
    train: false,
};

/// Others a person shares both parents with, assumed when the records cannot say (exit records carry
/// no mother's name): about five people a household in Iraq.
const SIBLINGS: f64 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lineage {
    /// Pairs of records that both carry a lineage (across households, or left against right).
    pub pairs: u64,
    /// Of those, the pairs whose father, grandfather and mother's chain agree (dot skeletons).
    pub agreeing: u64,
    /// The cap on the lineage fields' positive weights, in bits.
    pub cap: f64,
}

impl Lineage {
    /// The assumed cap among `population` people: log2(population / SIBLINGS).
    pub fn assumed(population: usize) -> Lineage {
        Lineage {
            pairs: 0,
            agreeing: 0,
            cap: (population as f64 / SIBLINGS).max(2.0).log2(),
        }
    }

    /// Measures the cap on a dedupe (`right` None: pairs across households) or a link. Falls back to
    /// the assumed cap when one side has no record with a whole lineage.
    pub fn measure(vocab: &Vocab, left: &[Rec], right: Option<&[Rec]>) -> Lineage {
        let rules = [RULE];
        let blocker = Blocker::new(vocab, &rules, left, right, u64::MAX, 1);
        let keyed = |set: &[Rec]| -> Vec<(u64, u32)> {
            set.iter()
                .filter_map(|r| blocker.key(0, r).map(|k| (k, r.household)))
                .collect()
        };
        let mut l = keyed(left);
        let (pairs, agreeing) = match right {
            None => {
                let mut households: Vec<u32> = l.iter().map(|e| e.1).collect();
                households.sort_unstable();
                l.sort_unstable();
                (
                    cross_household(l.len() as u64, &households),
                    l.chunk_by(|a, b| a.0 == b.0)
                        .map(|block| {
                            let mut hh: Vec<u32> = block.iter().map(|e| e.1).collect();
                            hh.sort_unstable();
                            cross_household(block.len() as u64, &hh)
                        })
                        .sum(),
                )
            }
            Some(right) => {
                let mut r: Vec<u64> = keyed(right).into_iter().map(|e| e.0).collect();
                r.sort_unstable();
                let agreeing = l
                    .iter()
                    .map(|(k, _)| {
                        let lo = r.partition_point(|x| x < k);
                        (r[lo..].partition_point(|x| x == k)) as u64
                    })
                    .sum();
                (l.len() as u64 * r.len() as u64, agreeing)
            }
        };
        if pairs == 0 {
            return Lineage::assumed(left.len());
        }
        Lineage {
            pairs,
            agreeing,
            cap: (pairs as f64 / agreeing.max(1) as f64).max(2.0).log2(),
        }
    }
}

/// Pairs among `n` records minus those within one household (`households` sorted).
fn cross_household(n: u64, households: &[u32]) -> u64 {
    let within: u64 = households
        .chunk_by(|a, b| a == b)
        .map(|h| h.len() as u64 * (h.len() as u64 - 1) / 2)
        .sum();
    n * n.saturating_sub(1) / 2 - within
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawPerson;

    fn rec(vocab: &mut Vocab, father: &str, mother: &str, household: u32) -> Rec {
        let mut none = |_: &'static str, _| {};
        let raw = RawPerson {
            given: "علي",
            father,
            grandfather: "كاظم",
            mother,
            birth: "1980",
            ..Default::default()
        };
        Rec::from_raw(vocab, &raw, household, &mut none)
    }

    #[test]
    fn measured_on_pairs_across_households() {
        let mut v = Vocab::new();
        let people = vec![
            rec(&mut v, "حسين", "فاطمة علي", 1),
            rec(&mut v, "حسين", "فاطمة علي", 1), // a sibling at home: not counted
            rec(&mut v, "حسين", "فاطمه علي", 2), // one living apart (ة/ه agree on the skeleton)
            rec(&mut v, "جعفر", "زينب حسن", 3),
            rec(&mut v, "عباس", "", 4), // no mother: no lineage
        ];
        let l = Lineage::measure(&v, &people, None);
        // Four records with a lineage: six pairs, one within household 1.
        assert_eq!((l.pairs, l.agreeing), (5, 2));
        assert!((l.cap - (5.0f64 / 2.0).log2()).abs() < 1e-9);
    }

    #[test]
    fn a_link_without_mothers_falls_back_to_the_assumed_cap() {
        let mut v = Vocab::new();
        let people: Vec<Rec> = (0..8)
            .map(|i| rec(&mut v, "حسين", "فاطمة علي", i))
            .collect();
        let exits = vec![rec(&mut v, "حسين", "", u32::MAX)];
        let l = Lineage::measure(&v, &people, Some(&exits));
        assert_eq!(l, Lineage::assumed(8));
        let deaths = vec![rec(&mut v, "حسين", "فاطمة علي", u32::MAX)];
        let l = Lineage::measure(&v, &people, Some(&deaths));
        assert_eq!((l.pairs, l.agreeing), (8, 8));
        assert_eq!(l.cap, 1.0);
    }
}
