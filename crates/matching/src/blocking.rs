//! Blocking: only records that agree on a rule's key are compared. Several rules catch what one misses
//! (a corrupted given name, a missing grandfather, a shifted chain); a pair found by an earlier rule is
//! not compared again, and a block with more pairs than the cap is dropped and counted, never silently.
//! Keys use dot skeletons (consonant keys across scripts), so dot confusions still meet.

use crate::record::Rec;
use crate::vocab::Vocab;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Given,
    Father,
    Grandfather,
    Family,
    /// The mother's given name.
    Mother,
    /// The mother's father's name.
    MotherFather,
    /// The mother's whole chain (all her names).
    MotherChain,
    Sex,
    BirthYear,
    /// The full birth date (records with a year only are not in such a block).
    BirthDate,
    NationalId,
}

impl Part {
    /// The comparison field this part fixes (EM leaves it out of the rule's training).
    pub fn field(self) -> Option<usize> {
        match self {
            Part::Given => Some(0),
            Part::Father => Some(1),
            Part::Grandfather => Some(2),
            Part::Family => Some(3),
            Part::Mother | Part::MotherFather | Part::MotherChain => Some(4),
            Part::BirthYear | Part::BirthDate => Some(5),
            Part::Sex => Some(6),
            Part::NationalId => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    pub parts: &'static [Part],
    /// Whether EM learns m from this rule's pairs. Not the rules without a birth date: their blocks
    /// are full of siblings and namesakes, which EM would take for a second kind of match.
    pub train: bool,
}

use Part::*;

/// Duplicates across cards and matches against the death register. Each rule has four or five parts:
/// with three, the commonest names (محمد علي حسين) make blocks whose pairs grow with the square of the
/// population, and a whole country's registry would be compared in billions of pairs.
pub const PERSON_RULES: &[Rule] = &[
    Rule {
        name: "given+father+grandfather+mother+year",
        parts: &[Given, Father, Grandfather, Mother, BirthYear],
        train: true,
    },
    Rule {
        name: "given+father+date",
        parts: &[Given, Father, BirthDate],
        train: true,
    },
    Rule {
        name: "father+grandfather+family+date",
        parts: &[Father, Grandfather, Family, BirthDate],
        train: true,
    },
    Rule {
        name: "mother+mother_father+sex+date",
        parts: &[Mother, MotherFather, Sex, BirthDate],
        train: true,
    },
    Rule {
        name: "given+family+mother+mother_father+year",
        parts: &[Given, Family, Mother, MotherFather, BirthYear],
        train: true,
    },
    // Without the birth date: a year's error or a year-only date must not hide a person.
    Rule {
        name: "given+father+grandfather+family+mother",
        parts: &[Given, Father, Grandfather, Family, Mother],
        train: false,
    },
    // The chain shifted by one name (the person's own name lost), with the year only.
    Rule {
        name: "mother_chain+sex+year",
        parts: &[MotherChain, Sex, BirthYear],
        train: false,
    },
    // Both parents' chains and nothing of the person: a block is a family, so it stays small, and
    // another given name, another family name and a wrong date together still meet.
    Rule {
        name: "father+grandfather+mother_chain",
        parts: &[Father, Grandfather, MotherChain],
        train: false,
    },
];

/// Death records may carry the national ID; it is a rule of its own besides the names.
pub const DEATH_RULES: &[Rule] = &[
    Rule {
        name: "national_id",
        parts: &[NationalId],
        train: true,
    },
    PERSON_RULES[0],
    PERSON_RULES[1],
    PERSON_RULES[2],
    PERSON_RULES[3],
    PERSON_RULES[4],
    PERSON_RULES[5],
    PERSON_RULES[6],
    PERSON_RULES[7],
];

/// Exit records have no mother's name, and Latin names meet Arabic ones on consonant keys.
pub const EXIT_RULES: &[Rule] = &[
    Rule {
        name: "national_id",
        parts: &[NationalId],
        train: true,
    },
    Rule {
        name: "given+father+grandfather+year",
        parts: &[Given, Father, Grandfather, BirthYear],
        train: true,
    },
    Rule {
        name: "given+father+date",
        parts: &[Given, Father, BirthDate],
        train: true,
    },
    Rule {
        name: "father+grandfather+date",
        parts: &[Father, Grandfather, BirthDate],
        train: true,
    },
    Rule {
        name: "given+father+grandfather+family",
        parts: &[Given, Father, Grandfather, Family],
        train: false,
    },
];

/// Counted per rule, for the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleStats {
    pub rule: &'static str,
    /// Blocks that held at least one pair.
    pub blocks: u64,
    /// Pairs in the blocks kept, before removing those an earlier rule found.
    pub pairs: u64,
    pub dropped_blocks: u64,
    pub dropped_pairs: u64,
    /// The largest dropped block: its size in pairs and what its records share.
    pub largest_dropped: Option<(u64, String)>,
}

const SIDE: u32 = 1 << 31;

fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95)
}

/// Blocks the records of one dedupe (`right` None) or one link (left against right).
pub struct Blocker<'a> {
    pub vocab: &'a Vocab,
    pub rules: &'a [Rule],
    pub left: &'a [Rec],
    pub right: Option<&'a [Rec]>,
    /// Blocking keys across scripts: consonant keys instead of dot skeletons.
    pub cross: bool,
    /// Blocks with more pairs than this are dropped (and counted).
    pub cap: u64,
    pub threads: usize,
    /// Per rule, the keys of the blocks dropped so far (an earlier rule's dropped block found nothing).
    dropped: Vec<HashSet<u64>>,
}

impl<'a> Blocker<'a> {
    pub fn new(
        vocab: &'a Vocab,
        rules: &'a [Rule],
        left: &'a [Rec],
        right: Option<&'a [Rec]>,
        cap: u64,
        threads: usize,
    ) -> Blocker<'a> {
        let cross = right.is_some_and(|r| r.iter().any(|x| x.latin));
        Blocker {
            vocab,
            rules,
            left,
            right,
            cross,
            cap,
            threads: threads.max(1),
            dropped: vec![HashSet::new(); rules.len()],
        }
    }

    fn name(&self, id: u32) -> u64 {
        if id == 0 {
            0
        } else if self.cross {
            u64::from(self.vocab.consonants(id))
        } else {
            u64::from(self.vocab.skeleton(id))
        }
    }

    /// The key of `r` under rule `rule`, or None when the record lacks a part.
    pub fn key(&self, rule: usize, r: &Rec) -> Option<u64> {
        let mut h = rule as u64 + 1;
        for part in self.rules[rule].parts {
            let v = match part {
                Given => self.name(r.given),
                Father => self.name(r.father),
                Grandfather => self.name(r.grandfather),
                Family => self.name(r.family),
                Mother => self.name(r.mother[0]),
                MotherFather => self.name(r.mother[1]),
                MotherChain if r.mother[0] != 0 => {
                    r.mother.iter().fold(1u64, |h, m| mix(h, self.name(*m)))
                }
                MotherChain => 0,
                Sex => u64::from(r.sex),
                BirthYear => u64::from(r.birth >> 9),
                BirthDate if r.birth & 0x1ff != 0 => u64::from(r.birth),
                BirthDate => 0,
                NationalId => r.nid,
            };
            if v == 0 {
                return None;
            }
            h = mix(h, v);
        }
        Some(h)
    }

    fn rec(&self, e: u32) -> &Rec {
        if e & SIDE != 0 {
            &self.right.unwrap_or(&[])[(e & !SIDE) as usize]
        } else {
            &self.left[e as usize]
        }
    }

    fn describe(&self, rule: usize, r: &Rec) -> String {
        let v = self.vocab;
        self.rules[rule]
            .parts
            .iter()
            .map(|p| match p {
                Given => v.key(r.given).to_string(),
                Father => v.key(r.father).to_string(),
                Grandfather => v.key(r.grandfather).to_string(),
                Family => v.key(r.family).to_string(),
                Mother => v.key(r.mother[0]).to_string(),
                MotherFather => v.key(r.mother[1]).to_string(),
                MotherChain => r
                    .mother
                    .iter()
                    .map(|m| v.key(*m))
                    .collect::<Vec<_>>()
                    .join(" "),
                Sex => ["?", "m", "f"][r.sex as usize % 3].to_string(),
                BirthYear => (r.birth >> 9).to_string(),
                BirthDate => r.birth_date().map(|b| format!("{b:?}")).unwrap_or_default(),
                NationalId => r.nid.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Whether an earlier rule than `rule` already put `a` and `b` in one kept block.
    fn found_earlier(&self, rule: usize, a: &Rec, b: &Rec) -> bool {
        (0..rule).any(|r| match (self.key(r, a), self.key(r, b)) {
            (Some(x), Some(y)) => x == y && !self.dropped[r].contains(&x),
            _ => false,
        })
    }

    /// Visits every new pair of rule `rule` on all threads: `(left index, other index)`, the other in
    /// `left` for a dedupe (different household, other > left) or in `right` for a link. `sample`
    /// keeps one block in `sample` (training); `fresh_only` skips pairs an earlier rule found; `progress` gets records done. Returns each thread's state.
    pub fn pairs<S: Send>(
        &mut self,
        rule: usize,
        sample: u64,
        fresh_only: bool,
        make: &(dyn Fn() -> S + Sync),
        visit: &(dyn Fn(&mut S, u32, u32) + Sync),
        progress: &(dyn Fn(u64) + Sync),
    ) -> (Vec<S>, RuleStats) {
        let mut entries: Vec<(u64, u32)> = Vec::with_capacity(self.left.len());
        for (i, r) in self.left.iter().enumerate() {
            if let Some(k) = self.key(rule, r) {
                entries.push((k, i as u32));
            }
        }
        for (i, r) in self.right.unwrap_or(&[]).iter().enumerate() {
            if let Some(k) = self.key(rule, r) {
                entries.push((k, i as u32 | SIDE));
            }
        }
        entries.sort_unstable();
        // Blocks as ranges, sized in pairs; oversized ones dropped here, on one thread.
        let mut stats = RuleStats {
            rule: self.rules[rule].name,
            ..Default::default()
        };
        let mut blocks: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        while start < entries.len() {
            let key = entries[start].0;
            let mut end = start + 1;
            while end < entries.len() && entries[end].0 == key {
                end += 1;
            }
            let n = (end - start) as u64;
            let pairs = if self.right.is_some() {
                let rights = entries[start..end]
                    .iter()
                    .filter(|e| e.1 & SIDE != 0)
                    .count() as u64;
                rights * (n - rights)
            } else {
                n * (n - 1) / 2
            };
            if pairs > self.cap {
                stats.dropped_blocks += 1;
                stats.dropped_pairs += pairs;
                self.dropped[rule].insert(key);
                if stats
                    .largest_dropped
                    .as_ref()
                    .is_none_or(|(p, _)| pairs > *p)
                {
                    let what = self.describe(rule, self.rec(entries[start].1));
                    stats.largest_dropped = Some((pairs, what));
                }
            } else if pairs > 0 && (sample <= 1 || key.is_multiple_of(sample)) {
                stats.blocks += 1;
                stats.pairs += pairs;
                blocks.push((start, end));
            }
            start = end;
        }
        let this = &*self;
        let next = AtomicUsize::new(0);
        let done = AtomicU64::new(0);
        let states = Mutex::new(Vec::new());
        const CHUNK: usize = 2048;
        std::thread::scope(|s| {
            for _ in 0..this.threads {
                s.spawn(|| {
                    let mut state = make();
                    loop {
                        let first = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if first >= blocks.len() {
                            break;
                        }
                        let mut records = 0u64;
                        for &(lo, hi) in &blocks[first..(first + CHUNK).min(blocks.len())] {
                            this.block_pairs(rule, fresh_only, &entries[lo..hi], &mut state, visit);
                            records += (hi - lo) as u64;
                        }
                        progress(done.fetch_add(records, Ordering::Relaxed) + records);
                    }
                    if let Ok(mut all) = states.lock() {
                        all.push(state);
                    }
                });
            }
        });
        (states.into_inner().unwrap_or_default(), stats)
    }

    fn block_pairs<S>(
        &self,
        rule: usize,
        fresh_only: bool,
        block: &[(u64, u32)],
        state: &mut S,
        visit: &(dyn Fn(&mut S, u32, u32) + Sync),
    ) {
        for (x, &(_, ea)) in block.iter().enumerate() {
            if ea & SIDE != 0 {
                continue;
            }
            let a = &self.left[ea as usize];
            let others = if self.right.is_some() {
                block
            } else {
                &block[x + 1..]
            };
            for &(_, eb) in others {
                if self.right.is_some() != (eb & SIDE != 0) {
                    continue;
                }
                let b = self.rec(eb);
                if self.right.is_none() && a.household == b.household {
                    continue;
                }
                if fresh_only && self.found_earlier(rule, a, b) {
                    continue;
                }
                visit(state, ea, eb & !SIDE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawPerson;

    fn people(vocab: &mut Vocab, rows: &[(&str, &str, &str, &str, u32)]) -> Vec<Rec> {
        let mut none = |_: &'static str, _| {};
        rows.iter()
            .map(|(g, f, gf, b, hh)| {
                let raw = RawPerson {
                    given: g,
                    father: f,
                    grandfather: gf,
                    mother: "فاطمة علي",
                    birth: b,
                    ..Default::default()
                };
                Rec::from_raw(vocab, &raw, *hh, &mut none)
            })
            .collect()
    }

    fn collect(b: &mut Blocker, rule: usize) -> (Vec<(u32, u32)>, RuleStats) {
        let (states, stats) = b.pairs(
            rule,
            1,
            true,
            &Vec::new,
            &|s: &mut Vec<(u32, u32)>, x, y| s.push((x, y)),
            &|_| {},
        );
        let mut all: Vec<_> = states.into_iter().flatten().collect();
        all.sort();
        (all, stats)
    }

    #[test]
    fn each_pair_once_across_rules_and_never_within_a_household() {
        let mut v = Vocab::new();
        let recs = people(
            &mut v,
            &[
                ("حسين", "علي", "كاظم", "1980-03-12", 1),
                ("خسين", "علي", "كاظم", "1980-03-12", 2), // dot confusion: same skeleton
                ("حسين", "علي", "", "1980-03-12", 3),     // no grandfather: rule 2 only
                ("حسين", "علي", "كاظم", "1980", 1),       // same household as the first
            ],
        );
        let mut b = Blocker::new(&v, PERSON_RULES, &recs, None, 1000, 2);
        let (r0, s0) = collect(&mut b, 0);
        assert_eq!(r0, vec![(0, 1), (1, 3)]);
        assert_eq!((s0.blocks, s0.pairs), (1, 3));
        let (r1, _) = collect(&mut b, 1);
        // (0,1) was found by rule 0; (0,2) and (1,2) are new.
        assert_eq!(r1, vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn an_oversized_block_is_dropped_and_counted() {
        let mut v = Vocab::new();
        let rows: Vec<_> = (0..50u32)
            .map(|i| ("محمد", "علي", "حسين", "1990", i))
            .collect();
        let recs = people(&mut v, &rows);
        let mut b = Blocker::new(&v, PERSON_RULES, &recs, None, 1000, 2);
        let (pairs, stats) = collect(&mut b, 0);
        assert!(pairs.is_empty());
        assert_eq!((stats.dropped_blocks, stats.dropped_pairs), (1, 1225));
        assert_eq!(
            stats.largest_dropped,
            Some((1225, "محمد علي حسين فاطمه 1990".into()))
        );
    }

    #[test]
    fn links_pair_left_with_right_only() {
        let mut v = Vocab::new();
        let left = people(
            &mut v,
            &[
                ("حسين", "علي", "كاظم", "1980", 1),
                ("حسين", "علي", "كاظم", "1980", 2),
            ],
        );
        let mut none = |_: &'static str, _| {};
        let right = vec![Rec::from_full_name(
            &mut v,
            "",
            "Hussein Ali Kadhim",
            "1980-01-01",
            &mut none,
        )];
        let mut b = Blocker::new(&v, EXIT_RULES, &left, Some(&right), 1000, 1);
        assert!(b.cross);
        let (pairs, _) = collect(&mut b, 1);
        assert_eq!(pairs, vec![(0, 0), (1, 0)]);
    }
}
