//! What agreeing on the whole lineage (father, grandfather, mother) is worth, measured on the records
//! themselves. Two records whose parents' chains agree are the same person or brothers and sisters;
//! the share of pairs (across households, or across the two sets of a link) that agree on them bounds
//! how often that happens to two different people, and so caps the lineage fields' weight at
//! log2(pairs / agreeing pairs). Duplicates are among the agreeing pairs, so the bound errs towards a
//! lower cap. Where adult brothers hold cards of their own, many pairs agree and the cap drops by itself.
//!
//! Once the lineage says "same parents", the person's own fields must tell a duplicate from a sibling,
//! and against siblings they weigh differently than against strangers: brothers do not share a given
//! name, however common, and twins share a birth date. So the records measure that too, on brothers
//! and sisters living in one household (same lineage, same card): how often their given name, birth
//! date and sex agree at each level. The scorer uses those rates in place of u where the cap binds.

use crate::blocking::{Blocker, Part, Rule};
use crate::gamma::{Comparer, LEVELS, MISSING};
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

/// The person's own fields: given name, birth date, sex.
pub const OWN: [usize; 3] = [0, 5, 6];

/// Fewer sibling pairs than this say too little: the own fields keep their u from random pairs.
const MIN_SIBLING_PAIRS: u64 = 1_000;
/// Enough sibling pairs for the rates (a whole country has tens of millions).
const MAX_SIBLING_PAIRS: u64 = 1_000_000;
/// Households larger than this are skipped when pairing siblings (an institution, not a family).
const MAX_HOUSEHOLD: usize = 20;
/// No level is taken as rarer than this among siblings: a rate nobody showed in the sample is not zero
/// (a child named after a brother who died).
const SIBLING_FLOOR: f64 = 1e-3;

/// How often brothers and sisters agree at each level of the own fields (`OWN` order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Siblings {
    pub pairs: u64,
    pub u: [[f64; LEVELS]; 3],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lineage {
    /// Pairs of records that both carry a lineage (across households, or left against right).
    pub pairs: u64,
    /// Of those, the pairs whose father, grandfather and mother's chain agree (dot skeletons).
    pub agreeing: u64,
    /// The cap on the lineage fields' positive weights, in bits.
    pub cap: f64,
    /// The own fields among siblings, when the records hold enough of them.
    pub siblings: Option<Siblings>,
}

impl Lineage {
    /// The assumed cap among `population` people: log2(population / SIBLINGS).
    pub fn assumed(population: usize) -> Lineage {
        Lineage {
            pairs: 0,
            agreeing: 0,
            cap: (population as f64 / SIBLINGS).max(2.0).log2(),
            siblings: None,
        }
    }

    /// Measures the cap on a dedupe (`right` None: pairs across households) or a link. Falls back to
    /// the assumed cap when one side has no record with a whole lineage.
    pub fn measure(vocab: &Vocab, left: &[Rec], right: Option<&[Rec]>) -> Lineage {
        let rules = [RULE];
        let blocker = Blocker::new(vocab, &rules, left, right, u64::MAX, 1);
        // (key, household, index), sorted: a block's households are runs within it.
        let mut l: Vec<(u64, u32, u32)> = left
            .iter()
            .enumerate()
            .filter_map(|(i, r)| blocker.key(0, r).map(|k| (k, r.household, i as u32)))
            .collect();
        l.sort_unstable();
        let siblings = siblings(vocab, left, &l);
        let (pairs, agreeing) = match right {
            None => {
                let mut households: Vec<u32> = l.iter().map(|e| e.1).collect();
                households.sort_unstable();
                (
                    cross_household(l.len() as u64, &households),
                    l.chunk_by(|a, b| a.0 == b.0)
                        .map(|block| {
                            let hh: Vec<u32> = block.iter().map(|e| e.1).collect();
                            cross_household(block.len() as u64, &hh)
                        })
                        .sum(),
                )
            }
            Some(right) => {
                let mut r: Vec<u64> = right.iter().filter_map(|x| blocker.key(0, x)).collect();
                r.sort_unstable();
                let agreeing = l
                    .iter()
                    .map(|(k, _, _)| {
                        let lo = r.partition_point(|x| x < k);
                        (r[lo..].partition_point(|x| x == k)) as u64
                    })
                    .sum();
                (l.len() as u64 * r.len() as u64, agreeing)
            }
        };
        if pairs == 0 {
            return Lineage {
                siblings,
                ..Lineage::assumed(left.len())
            };
        }
        Lineage {
            pairs,
            agreeing,
            cap: (pairs as f64 / agreeing.max(1) as f64).max(2.0).log2(),
            siblings,
        }
    }
}

/// The own fields' agreement among records of one household that share a lineage (`keyed` sorted by
/// key, then household).
fn siblings(vocab: &Vocab, set: &[Rec], keyed: &[(u64, u32, u32)]) -> Option<Siblings> {
    let mut cmp = Comparer::new(vocab);
    let mut counts = [[0u64; LEVELS]; 3];
    let mut pairs = 0u64;
    'all: for home in keyed.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
        if home.len() > MAX_HOUSEHOLD {
            continue;
        }
        for (x, a) in home.iter().enumerate() {
            for b in &home[x + 1..] {
                let g = cmp.gamma(&set[a.2 as usize], &set[b.2 as usize]);
                for (c, f) in counts.iter_mut().zip(OWN) {
                    c[g[f] as usize] += 1;
                }
                pairs += 1;
                if pairs >= MAX_SIBLING_PAIRS {
                    break 'all;
                }
            }
        }
    }
    if pairs < MIN_SIBLING_PAIRS {
        return None;
    }
    let u = std::array::from_fn(|i| {
        let seen: u64 = (0..LEVELS)
            .filter(|l| *l as u8 != MISSING)
            .map(|l| counts[i][l])
            .sum();
        std::array::from_fn(|l| (counts[i][l] as f64 / seen.max(1) as f64).max(SIBLING_FLOOR))
    });
    Some(Siblings { pairs, u })
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
