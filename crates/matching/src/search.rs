//! The registry's side of a batched search (issue 14): the civil registry keyed once by the death
//! rules, then batches of people scored against it, each person's best match probability out. The
//! first batch of a run trains as the screening's own linkage would (u from random pairs, m by EM, the
//! lineage measured); its model and lineage score every batch of the run, whose candidates are looked
//! up in the keyed registry: a run of 2M members is some 400 batches, and re-blocking the registry for
//! each would cost more than the whole screening.
//!
//! A linkage drops a block whose pairs pass the cap. Looked up one person at a time, a block's pairs
//! are those of the persons on file sharing its key with the members sharing it; where the ration
//! registry covers the population (as nationally), those are about as many, so a block of more than
//! the cap's square root on file is left out: a name too common to tell anyone apart.

use crate::blocking::{Blocker, DEATH_RULES};
use crate::engine::{Quiet, Settings, link};
use crate::gamma::Comparer;
use crate::lineage::Lineage;
use crate::model::Model;
use crate::record::{RawPerson, Rec};
use crate::score::{Scorer, probability};
use crate::vocab::Vocab;

pub struct Index {
    vocab: Vocab,
    registry: Vec<Rec>,
    /// Per death rule, (block key, registry index), sorted.
    keys: Vec<Vec<(u64, u32)>>,
    /// The model and lineage of the run's first batch.
    frozen: Option<(Model, Lineage)>,
    settings: Settings,
    /// Whether the registry holds Latin names (keys by consonants), found once.
    cross: bool,
}

impl Index {
    /// Keys the registry (its names already in `vocab`, not counted: frequencies are the people's).
    pub fn new(vocab: Vocab, registry: Vec<Rec>, settings: Settings) -> Index {
        let cross = registry.iter().any(|r| r.latin);
        let keys = {
            let b = Blocker::new(&vocab, DEATH_RULES, &[], Some(&registry), u64::MAX, 1);
            (0..DEATH_RULES.len())
                .map(|rule| {
                    let mut k: Vec<(u64, u32)> = registry
                        .iter()
                        .enumerate()
                        .filter_map(|(i, r)| b.key(rule, r).map(|k| (k, i as u32)))
                        .collect();
                    k.sort_unstable();
                    k
                })
                .collect()
        };
        Index {
            vocab,
            registry,
            keys,
            frozen: None,
            settings,
            cross,
        }
    }

    pub fn len(&self) -> usize {
        self.registry.len()
    }

    pub fn is_empty(&self) -> bool {
        self.registry.is_empty()
    }

    fn block(&self, rule: usize, key: u64) -> &[(u64, u32)] {
        let k = &self.keys[rule];
        let lo = k.partition_point(|e| e.0 < key);
        let hi = lo + k[lo..].partition_point(|e| e.0 == key);
        &k[lo..hi]
    }

    /// The registry index of the person holding this national ID (as the engine parses it).
    pub fn find_nid(&self, national_id: &str) -> Option<usize> {
        let nid = crate::record::parse_nid(national_id, &mut |_| {});
        if nid == 0 {
            return None;
        }
        let probe = Rec {
            nid,
            ..Rec::default()
        };
        let b = Blocker::new(&self.vocab, DEATH_RULES, &[], None, u64::MAX, 1);
        let key = b.key(0, &probe)?;
        self.block(0, key)
            .iter()
            .map(|e| e.1 as usize)
            .find(|i| self.registry[*i].nid == nid)
    }

    /// Each person's best match probability over the registry, in order (`households` groups the
    /// batch's people by card, for the lineage's sibling rates).
    pub fn search(&mut self, batch: &[RawPerson], households: &[u32]) -> Vec<f32> {
        let mut ignore = |_: &'static str, _| {};
        let people: Vec<Rec> = batch
            .iter()
            .zip(households.iter().chain(std::iter::repeat(&0)))
            .map(|(raw, hh)| {
                let r = Rec::from_raw(&mut self.vocab, raw, *hh, &mut ignore);
                r.count_names(&mut self.vocab);
                r
            })
            .collect();
        if self.registry.is_empty() {
            return vec![0.0; people.len()];
        }
        if self.frozen.is_none() {
            let l = link(
                &self.vocab,
                DEATH_RULES,
                &people,
                Some(&self.registry),
                None,
                &self.settings,
                &Quiet,
            );
            self.frozen = Some((l.model, l.lineage));
        }
        let Some((model, lineage)) = &self.frozen else {
            return vec![0.0; people.len()];
        };
        // Keys only: the registry is not scanned again for its script.
        let mut blocker = Blocker::new(&self.vocab, DEATH_RULES, &people, None, u64::MAX, 1);
        blocker.cross = self.cross;
        let scorer = Scorer::new(&self.vocab, model, lineage);
        let this = &*self;
        let threads = self.settings.threads.max(1);
        let chunk = people.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let parts: Vec<_> = people
                .chunks(chunk)
                .map(|part| {
                    let (blocker, scorer) = (&blocker, &scorer);
                    s.spawn(move || {
                        let mut cmp = Comparer::new(&this.vocab);
                        part.iter()
                            .map(|p| this.best(blocker, scorer, &mut cmp, p))
                            .collect::<Vec<f32>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        })
    }

    /// The best probability over the person's candidates under every rule; a block a linkage would
    /// drop is left out.
    fn best(&self, blocker: &Blocker, scorer: &Scorer, cmp: &mut Comparer, p: &Rec) -> f32 {
        let largest = (self.settings.max_block_pairs as f64).sqrt() as u64;
        let mut best = 0f32;
        for rule in 0..DEATH_RULES.len() {
            let Some(key) = blocker.key(rule, p) else {
                continue;
            };
            let block = self.block(rule, key);
            if block.len() as u64 > largest {
                continue;
            }
            for &(_, j) in block {
                let r = &self.registry[j as usize];
                let g = cmp.gamma(p, r);
                best = best.max(probability(scorer.weight(p, r, &g)) as f32);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(nid: &'a str, given: &'a str, birth: &'a str) -> RawPerson<'a> {
        RawPerson {
            national_id: nid,
            given,
            father: "علي",
            grandfather: "حسين",
            family: "الربيعي",
            mother: "فاطمة كاظم",
            birth,
            sex: "male",
        }
    }

    #[test]
    fn later_batches_score_like_the_first() {
        let mut vocab = Vocab::new();
        let mut ignore = |_: &'static str, _| {};
        let registry: Vec<Rec> = (0..50)
            .map(|i| {
                let nid = format!("1990{i:08}");
                let given = ["محمد", "احمد", "كرار", "حيدر", "مصطفى"][i % 5];
                let birth = format!("19{:02}-0{}-1{}", 50 + i, 1 + i % 9, i % 10);
                Rec::from_raw(
                    &mut vocab,
                    &raw(&nid, given, &birth),
                    crate::record::NO_HOUSEHOLD,
                    &mut ignore,
                )
            })
            .collect();
        let mut index = Index::new(vocab, registry, Settings::default());
        assert_eq!(index.find_nid("199000000003"), Some(3));
        assert_eq!(index.find_nid("199900000003"), None);
        let asked = [raw("", "حيدر", "1953-04-13"), raw("", "زينب", "2001-01-01")];
        let first = index.search(&asked, &[1, 2]);
        let again = index.search(&asked, &[1, 2]);
        assert_eq!(first.len(), 2);
        assert!(again[0] >= 0.5 && again[1] < 0.5, "{again:?}");
        // Looked up with the first batch's model, the same people score as the linkage scored them.
        assert!((first[0] - again[0]).abs() < 1e-4, "{first:?} {again:?}");
        assert!((first[1] - again[1]).abs() < 1e-4, "{first:?} {again:?}");
    }
}
