//! One linkage from start to end, on all cores: u from random pairs, m by EM per blocking rule (unless
//! a saved model is given), then every candidate pair scored and the ones above the review threshold
//! kept. A dedupe links records of one set across households; a link pairs one set with another and
//! also keeps each left record's best probability (no plausible match at all means fictitious).

use crate::blocking::{Blocker, Rule, RuleStats};
use crate::gamma::{Comparer, FIELDS, LEVELS, PATTERNS, pattern};
use crate::lineage::Lineage;
use crate::model::Model;
use crate::record::Rec;
use crate::score::{Scorer, probability};
use crate::vocab::Vocab;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

#[derive(Debug, Clone)]
pub struct Settings {
    pub threads: usize,
    /// Blocks with more candidate pairs than this are dropped and reported.
    pub max_block_pairs: u64,
    /// Pairs at or above this probability are kept for review.
    pub review: f64,
    /// Pairs at or above this probability become holds (pending review).
    pub hold: f64,
    pub em_iterations: usize,
    /// Random pairs compared to count u.
    pub random_pairs: u64,
    /// Pairs per rule EM trains on at most (blocks are sampled above that).
    pub training_pairs: u64,
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_block_pairs: 100_000,
            review: 0.5,
            hold: 0.99,
            em_iterations: 25,
            random_pairs: 1_000_000,
            training_pairs: 4_000_000,
            seed: 1,
        }
    }
}

/// Where a long run reports its progress (the CLI draws bars; tests ignore it).
pub trait Progress: Sync {
    /// A new phase of `total` units (records or pairs) begins.
    fn phase(&self, name: &str, total: u64);
    /// `done` units of the current phase are finished.
    fn advance(&self, done: u64);
}

pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredPair {
    /// Index in the left set.
    pub a: u32,
    /// Index in the left set (dedupe) or the right set (link).
    pub b: u32,
    pub pattern: u32,
    pub weight: f32,
}

impl ScoredPair {
    pub fn probability(&self) -> f64 {
        probability(f64::from(self.weight))
    }
}

pub struct Linkage {
    pub model: Model,
    pub rules: Vec<RuleStats>,
    /// Pairs at or above the review threshold, ordered by (a, b).
    pub pairs: Vec<ScoredPair>,
    /// Links only: each left record's best match probability over all its candidates (0 for none).
    pub best: Vec<f32>,
    /// Candidate pairs compared (after removing those found by an earlier rule).
    pub compared: u64,
    /// What EM did per rule (empty when a saved model was given).
    pub training: Training,
    /// What agreeing on the whole lineage was worth here.
    pub lineage: Lineage,
}

/// A small, fast generator for the random pairs (SplitMix64): sampling needs speed, not quality.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n.max(1) as u64) as usize
    }
}

pub fn link(
    vocab: &Vocab,
    rules: &[Rule],
    left: &[Rec],
    right: Option<&[Rec]>,
    model: Option<&Model>,
    settings: &Settings,
    progress: &dyn Progress,
) -> Linkage {
    let mut blocker = Blocker::new(
        vocab,
        rules,
        left,
        right,
        settings.max_block_pairs,
        settings.threads,
    );
    let (model, training) = match model {
        Some(m) => (m.clone(), Vec::new()),
        None => train(&mut blocker, settings, progress),
    };
    progress.phase("lineage and siblings", left.len() as u64);
    let lineage = Lineage::measure(vocab, left, right);
    progress.advance(left.len() as u64);
    let scorer = Scorer::new(vocab, &model, &lineage);
    let review_weight = (settings.review / (1.0 - settings.review)).log2();
    let best: Vec<AtomicU32> = if right.is_some() {
        (0..left.len()).map(|_| AtomicU32::new(0)).collect()
    } else {
        Vec::new()
    };
    let compared = AtomicU64::new(0);
    let other = right.unwrap_or(left);
    let mut pairs = Vec::new();
    let mut stats = Vec::new();
    let entries = (left.len() + right.map_or(0, <[Rec]>::len)) as u64;
    for (rule, r) in rules.iter().enumerate() {
        progress.phase(&format!("score {}", r.name), entries);
        let (states, s) = blocker.pairs(
            rule,
            1,
            true,
            &|| (Comparer::new(vocab), Vec::new(), 0u64),
            &|(cmp, out, n): &mut (Comparer, Vec<ScoredPair>, u64), a, b| {
                let (ra, rb) = (&left[a as usize], &other[b as usize]);
                let g = cmp.gamma(ra, rb);
                let w = scorer.weight(ra, rb, &g);
                *n += 1;
                if !best.is_empty() {
                    let p = probability(w) as f32;
                    best[a as usize].fetch_max(p.to_bits(), Ordering::Relaxed);
                }
                if w >= review_weight {
                    out.push(ScoredPair {
                        a,
                        b,
                        pattern: pattern(&g),
                        weight: w as f32,
                    });
                }
            },
            &|done| progress.advance(done),
        );
        for (_, out, n) in states {
            pairs.extend(out);
            compared.fetch_add(n, Ordering::Relaxed);
        }
        stats.push(s);
    }
    pairs.sort_unstable_by_key(|p| (p.a, p.b));
    Linkage {
        model,
        rules: stats,
        pairs,
        best: best
            .into_iter()
            .map(|b| f32::from_bits(b.into_inner()))
            .collect(),
        compared: compared.into_inner(),
        training,
        lineage,
    }
}

/// u on random pairs, then EM per rule on its (sampled) pairs, m averaged over the rules that leave a
/// field free, and the prior from the rule that expects the most matches.
/// Per training rule: its name, the pairs EM saw, and the share of them EM took for matches.
pub type Training = Vec<(&'static str, u64, f64)>;

fn train(blocker: &mut Blocker, settings: &Settings, progress: &dyn Progress) -> (Model, Training) {
    let vocab = blocker.vocab;
    let (left, right) = (blocker.left, blocker.right);
    let mut model = Model::default();
    progress.phase("u from random pairs", settings.random_pairs);
    let threads = settings.threads.max(1) as u64;
    let per_thread = settings.random_pairs / threads;
    let done = AtomicU64::new(0);
    let counts: Vec<[[u64; LEVELS]; FIELDS]> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let done = &done;
                s.spawn(move || {
                    let mut rng = Rng(settings.seed ^ (t + 1).wrapping_mul(0xA24B_AED4_963E_E407));
                    let mut cmp = Comparer::new(vocab);
                    let mut counts = [[0u64; LEVELS]; FIELDS];
                    let other = right.unwrap_or(left);
                    if left.is_empty() || other.is_empty() {
                        return counts;
                    }
                    for i in 0..per_thread {
                        let a = &left[rng.below(left.len())];
                        let b = &other[rng.below(other.len())];
                        if right.is_none() && a.household == b.household {
                            continue;
                        }
                        for (f, l) in cmp.gamma(a, b).iter().enumerate() {
                            counts[f][*l as usize] += 1;
                        }
                        if i % 65_536 == 65_535 {
                            progress.advance(done.fetch_add(65_536, Ordering::Relaxed) + 65_536);
                        }
                    }
                    counts
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut u = [[0u64; LEVELS]; FIELDS];
    for c in &counts {
        for f in 0..FIELDS {
            for l in 0..LEVELS {
                u[f][l] += c[f][l];
            }
        }
    }
    model.set_u(&u);

    // The sampling rate per rule keeps EM's input near `training_pairs` on a whole country.
    let n_left = left.len() as u64;
    let n_right = right.map_or(n_left, |r| r.len() as u64);
    let sample = (n_left.max(n_right) / 2_000_000).max(1);
    let mut m_sum = [[0.0; LEVELS]; FIELDS];
    let mut m_n = [0usize; FIELDS];
    let mut expected_matches: f64 = 0.0;
    let mut trained = Vec::new();
    let entries = n_left + right.map_or(0, |r| r.len() as u64);
    for rule in 0..blocker.rules.len() {
        if !blocker.rules[rule].train {
            continue;
        }
        progress.phase(&format!("train {}", blocker.rules[rule].name), entries);
        let (states, _) = blocker.pairs(
            rule,
            sample,
            false,
            &|| (Comparer::new(vocab), vec![0u64; PATTERNS]),
            &|(cmp, hist): &mut (Comparer, Vec<u64>), a, b| {
                let other = right.unwrap_or(left);
                let g = cmp.gamma(&left[a as usize], &other[b as usize]);
                hist[pattern(&g) as usize] += 1;
            },
            &|done| progress.advance(done),
        );
        let mut hist = vec![0u64; PATTERNS];
        for (_, h) in states {
            for (x, y) in hist.iter_mut().zip(h) {
                *x += y;
            }
        }
        let sparse: Vec<(u32, u64)> = hist
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(p, c)| (p as u32, *c))
            .collect();
        let total: u64 = sparse.iter().map(|x| x.1).sum();
        if total == 0 {
            continue;
        }
        let mut fixed = [false; FIELDS];
        for part in blocker.rules[rule].parts {
            if let Some(f) = part.field() {
                fixed[f] = true;
            }
        }
        let (lambda, m) = model.em(&sparse, fixed, settings.em_iterations);
        trained.push((blocker.rules[rule].name, total, lambda));
        for f in 0..FIELDS {
            if !fixed[f] {
                for l in 0..LEVELS {
                    m_sum[f][l] += m[f][l];
                }
                m_n[f] += 1;
            }
        }
        // Pairs compared, not pairs in the blocks: a block's pairs within one household never are.
        expected_matches = expected_matches.max(lambda * total as f64 * sample as f64);
    }
    for f in 0..FIELDS {
        if m_n[f] > 0 {
            for l in 0..LEVELS {
                model.m[f][l] = m_sum[f][l] / m_n[f] as f64;
            }
        }
        model.m[f] = floored(model.m[f]);
    }
    let possible = if right.is_some() {
        n_left as f64 * n_right as f64
    } else {
        n_left as f64 * (n_left as f64 - 1.0) / 2.0
    };
    model.lambda = (expected_matches.max(1.0) / possible.max(1.0)).clamp(1e-15, 0.5);
    (model, trained)
}

/// Every kind of error happens to true matches now and then, even when the training data (a clean
/// registry) shows none: each level keeps at least half a percent of m, so one typo cannot outweigh
/// four agreeing names.
const M_MIN: f64 = 0.005;

fn floored(mut m: [f64; LEVELS]) -> [f64; LEVELS] {
    let levels = 0..LEVELS - 1;
    for l in levels.clone() {
        m[l] = m[l].max(M_MIN);
    }
    let sum: f64 = levels.clone().map(|l| m[l]).sum();
    for l in levels {
        m[l] /= sum;
    }
    m
}

/// Connected components of the pairs at or above `min_weight`: per record, the smallest index of its
/// cluster (itself when alone).
pub fn clusters(n: usize, pairs: &[ScoredPair], min_weight: f32) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for p in pairs.iter().filter(|p| p.weight >= min_weight) {
        let (ra, rb) = (root(&mut parent, p.a), root(&mut parent, p.b));
        // The smaller index becomes the root, so a cluster is named by its first record.
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi as usize] = lo;
    }
    (0..n as u32).map(|x| root(&mut parent, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::PERSON_RULES;
    use crate::record::RawPerson;

    #[test]
    fn clusters_join_chains_of_links() {
        let pair = |a, b, w| ScoredPair {
            a,
            b,
            pattern: 0,
            weight: w,
        };
        let c = clusters(5, &[pair(3, 4, 9.0), pair(1, 3, 9.0), pair(0, 2, 1.0)], 5.0);
        assert_eq!(c, vec![0, 1, 2, 1, 1]);
    }

    #[test]
    fn a_duplicate_across_cards_is_found_and_a_namesake_is_not() {
        let mut v = Vocab::new();
        let mut none = |_: &'static str, _| {};
        let given = ["حسين", "علي", "محمد", "كاظم", "جاسم", "عباس", "زيد", "حيدر"];
        let mut recs = vec![];
        let mut hh = 0;
        // 400 distinct people, then the first 20 again on other cards with a dot confusion.
        for i in 0..400usize {
            let raw = RawPerson {
                given: given[i % 8],
                father: given[(i / 8) % 8],
                grandfather: given[(i / 64) % 8],
                family: ["الموسوي", "الجبوري", "التميمي"][i % 3],
                mother: ["فاطمة حسن", "زينب علي", "مريم كاظم"][i % 3],
                birth: &format!(
                    "{}-{:02}-{:02}",
                    1950 + i % 50,
                    1 + (i / 50) % 12,
                    10 + i % 7
                ),
                sex: "male",
                ..Default::default()
            };
            let r = Rec::from_raw(&mut v, &raw, hh, &mut none);
            r.count_names(&mut v);
            recs.push(r);
            hh += 1;
        }
        for i in 0..20usize {
            let mut r = recs[i];
            r.household = hh;
            hh += 1;
            r.mother[0] = v.id("فاطمه");
            recs.push(r);
        }
        let settings = Settings {
            threads: 2,
            random_pairs: 20_000,
            ..Settings::default()
        };
        let out = link(&v, PERSON_RULES, &recs, None, None, &settings, &Quiet);
        let found: Vec<(u32, u32)> = out
            .pairs
            .iter()
            .filter(|p| p.probability() >= 0.99)
            .map(|p| (p.a, p.b))
            .collect();
        let want: Vec<(u32, u32)> = (0..20).map(|i| (i, 400 + i)).collect();
        assert_eq!(found, want);
        assert!(out.compared >= 20);
    }
}
