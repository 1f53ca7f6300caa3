//! The screening kinds over loaded sets: (a) one national ID in several households, (b) one person on
//! two cards, (c) members against death records, (d) members against exit records, (e) members with no
//! plausible match in the civil registry. Each finding carries its probability, the decision the
//! thresholds give (hold, review, none) and the explanation of its weight.

use crate::blocking::{DEATH_RULES, EXIT_RULES, PERSON_RULES, RuleStats};
use crate::engine::{Linkage, Progress, Settings, clusters, link};
use crate::gamma::{Comparer, pattern, unpattern};
use crate::model::Model;
use crate::person::BirthDate;
use crate::record::Rec;
use crate::score::Scorer;
use crate::vocab::Vocab;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    SameId,
    Duplicate,
    Deceased,
    Abroad,
    Fictitious,
    Silent,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::SameId => "same_id",
            Kind::Duplicate => "duplicate",
            Kind::Deceased => "deceased",
            Kind::Abroad => "abroad",
            Kind::Fictitious => "fictitious",
            Kind::Silent => "silent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    Hold,
    Review,
    None,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Hold => "hold",
            Decision::Review => "review",
            Decision::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: Kind,
    /// Index of the member in the people set.
    pub a: u32,
    /// The other record: a member (same_id, duplicate), a death or exit record; none for fictitious.
    pub b: Option<u32>,
    pub score: f64,
    pub decision: Decision,
    pub explanation: String,
    /// Duplicates: the first member of the linked cluster.
    pub cluster: Option<u32>,
}

/// Days since 1970-01-01 of a civil date (exit and return dates).
pub fn days(d: BirthDate) -> Option<i32> {
    let BirthDate::Full { year, month, day } = d else {
        return None;
    };
    let (y, m, d) = (i32::from(year), i32::from(month), i32::from(day));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// An exit record's dates, as days.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trip {
    pub exit: Option<i32>,
    pub returned: Option<i32>,
}

pub struct Inputs<'a> {
    pub vocab: &'a Vocab,
    pub people: &'a [Rec],
    /// Members already closed (removed from their card): a death match is reported, not acted on.
    pub closed: &'a [bool],
    pub deaths: Option<&'a [Rec]>,
    pub exits: Option<(&'a [Rec], &'a [Trip])>,
    pub registry: Option<&'a [Rec]>,
    /// Collections per household, for silent cards (the window is checked before screening).
    pub collections: Option<&'a crate::silent::Collections>,
    /// Today, in days, and the absence that makes an exit count.
    pub today: i32,
    pub abroad_days: i32,
}

/// Saved or estimated models, one per linkage.
#[derive(Debug, Clone, Default)]
pub struct Models {
    pub people: Option<Model>,
    pub deaths: Option<Model>,
    pub exits: Option<Model>,
    pub registry: Option<Model>,
}

/// What one linkage did, for the report.
#[derive(Debug, Clone)]
pub struct LinkReport {
    pub name: &'static str,
    pub rules: Vec<RuleStats>,
    pub compared: u64,
    pub kept: usize,
    pub model: Model,
    pub training: crate::engine::Training,
    pub lineage: crate::lineage::Lineage,
}

/// Groups of one national ID larger than this are not paired out (reported as dropped).
const SAME_ID_GROUP_CAP: usize = 50;

pub struct Screening {
    pub findings: Vec<Finding>,
    pub reports: Vec<LinkReport>,
    /// National IDs shared by more members than the cap: (ID, members).
    pub oversized_id_groups: Vec<(u64, usize)>,
    /// Collections were given but hold too few cycles to call a card silent.
    pub too_few_cycles: Option<crate::silent::TooFewCycles>,
}

/// A different given name (not a typo, not a dot) is what twins and a chimera built from a real
/// person show: such a pair may be reviewed, never held by the machine alone.
fn guarded(g: &crate::gamma::Gamma, d: Decision, explanation: &mut String) -> Decision {
    if g[0] == 4 && d == Decision::Hold {
        explanation.push_str(";given_name_differs:review_only");
        Decision::Review
    } else {
        d
    }
}

fn decide(p: f64, s: &Settings) -> Decision {
    if p >= s.hold {
        Decision::Hold
    } else if p >= s.review {
        Decision::Review
    } else {
        Decision::None
    }
}

/// The findings of a link (people against deaths or exits): each pair scored and explained, its
/// decision left to `decision`, which may add notes to the explanation.
fn link_findings(
    inp: &Inputs,
    l: &Linkage,
    other: &[Rec],
    kind: Kind,
    decision: impl Fn(&crate::engine::ScoredPair, f64, &crate::gamma::Gamma, &mut String) -> Decision,
) -> Vec<Finding> {
    let s = Scorer::new(inp.vocab, &l.model, &l.lineage);
    l.pairs
        .iter()
        .map(|p| {
            let prob = p.probability();
            let g = unpattern(p.pattern);
            let mut explanation = s.explain(&inp.people[p.a as usize], &other[p.b as usize], &g);
            let decision = decision(p, prob, &g, &mut explanation);
            Finding {
                kind,
                a: p.a,
                b: Some(p.b),
                score: prob,
                decision,
                explanation,
                cluster: None,
            }
        })
        .collect()
}

fn report(name: &'static str, l: &Linkage) -> LinkReport {
    LinkReport {
        name,
        rules: l.rules.clone(),
        compared: l.compared,
        kept: l.pairs.len(),
        model: l.model.clone(),
        training: l.training.clone(),
        lineage: l.lineage,
    }
}

/// Why nobody in the registry matched, as the explanation starts: no ID, an ID on file under other
/// names, or an ID the registry does not know.
pub fn id_note(has_id: bool, known: bool) -> &'static str {
    match (has_id, known) {
        (false, _) => "no_national_id",
        (true, true) => "national_id_in_registry_names_differ",
        (true, false) => "national_id_unknown_to_registry",
    }
}

/// The fictitious finding of member `a` whose best registry match is `best`: none when that match
/// reaches the review threshold. The registry's search answers `best`; the files' screening computes it.
pub fn fictitious(a: u32, best: f64, id_note: &str, settings: &Settings) -> Option<Finding> {
    if best >= settings.review {
        return None;
    }
    let score = 1.0 - best;
    Some(Finding {
        kind: Kind::Fictitious,
        a,
        b: None,
        score,
        decision: decide(score, settings),
        explanation: format!("{id_note};best_registry_match={best:.4}"),
        cluster: None,
    })
}

pub fn screen(
    inp: &Inputs,
    models: &Models,
    settings: &Settings,
    progress: &dyn Progress,
) -> Screening {
    let mut out = Screening {
        findings: Vec::new(),
        reports: Vec::new(),
        oversized_id_groups: Vec::new(),
        too_few_cycles: None,
    };
    let people = inp.people;
    let vocab = inp.vocab;

    // (b) and the model (a) is scored with.
    let dedupe = link(
        vocab,
        PERSON_RULES,
        people,
        None,
        models.people.as_ref(),
        settings,
        progress,
    );
    let scorer = Scorer::new(vocab, &dedupe.model, &dedupe.lineage);
    let mut cmp = Comparer::new(vocab);
    // (a) one ID in several households, every pair scored, so the reviewer sees whether it is one person
    // twice or an ID typed onto someone else.
    progress.phase("same national ID", people.len() as u64);
    let mut by_id: Vec<(u64, u32)> = people
        .iter()
        .enumerate()
        .filter(|(_, r)| r.nid != 0)
        .map(|(i, r)| (r.nid, i as u32))
        .collect();
    by_id.sort_unstable();
    let mut same_id = Vec::new();
    for group in by_id.chunk_by(|x, y| x.0 == y.0) {
        if group.len() < 2 {
            continue;
        }
        if group.len() > SAME_ID_GROUP_CAP {
            out.oversized_id_groups.push((group[0].0, group.len()));
            continue;
        }
        for (x, &(_, i)) in group.iter().enumerate() {
            for &(_, j) in &group[x + 1..] {
                let (a, b) = (&people[i as usize], &people[j as usize]);
                if a.household == b.household {
                    continue;
                }
                let g = cmp.gamma(a, b);
                let w = scorer.weight(a, b, &g);
                same_id.push(crate::engine::ScoredPair {
                    a: i,
                    b: j,
                    pattern: pattern(&g),
                    weight: w as f32,
                });
            }
        }
    }
    progress.advance(people.len() as u64);
    let dup_pairs: Vec<_> = dedupe
        .pairs
        .iter()
        .filter(|p| {
            let (a, b) = (&people[p.a as usize], &people[p.b as usize]);
            !(a.nid != 0 && a.nid == b.nid)
        })
        .copied()
        .collect();
    let hold_weight = (settings.hold / (1.0 - settings.hold)).log2() as f32;
    let linked: Vec<_> = dup_pairs.iter().chain(&same_id).copied().collect();
    let cluster = clusters(people.len(), &linked, hold_weight);
    let pair_finding = |kind: Kind, p: &crate::engine::ScoredPair| {
        let (a, b) = (&people[p.a as usize], &people[p.b as usize]);
        let prob = p.probability();
        let root = cluster[p.a as usize];
        let clustered = cluster[p.b as usize] == root;
        let g = unpattern(p.pattern);
        let mut explanation = scorer.explain(a, b, &g);
        let decision = match kind {
            // The same ID twice always needs a person's decision, even when the names differ.
            Kind::SameId if prob < settings.review => Decision::Review,
            _ => decide(prob, settings),
        };
        Finding {
            kind,
            a: p.a,
            b: Some(p.b),
            score: prob,
            decision: guarded(&g, decision, &mut explanation),
            explanation,
            cluster: clustered.then_some(root),
        }
    };
    out.findings
        .extend(same_id.iter().map(|p| pair_finding(Kind::SameId, p)));
    out.findings
        .extend(dup_pairs.iter().map(|p| pair_finding(Kind::Duplicate, p)));
    out.reports.push(report("duplicates", &dedupe));

    // (c) deaths.
    if let Some(deaths) = inp.deaths {
        let l = link(
            vocab,
            DEATH_RULES,
            people,
            Some(deaths),
            models.deaths.as_ref(),
            settings,
            progress,
        );
        let found = link_findings(
            inp,
            &l,
            deaths,
            Kind::Deceased,
            |p, prob, g, explanation| {
                if inp.closed.get(p.a as usize).copied().unwrap_or(false) {
                    explanation.push_str(";member_already_closed");
                    Decision::None
                } else {
                    guarded(g, decide(prob, settings), explanation)
                }
            },
        );
        out.findings.extend(found);
        out.reports.push(report("deaths", &l));
    }

    // (d) exits, Latin or Arabic names; an exit counts once the absence passes the limit.
    if let Some((exits, trips)) = inp.exits {
        let l = link(
            vocab,
            EXIT_RULES,
            people,
            Some(exits),
            models.exits.as_ref(),
            settings,
            progress,
        );
        let found = link_findings(inp, &l, exits, Kind::Abroad, |p, prob, g, explanation| {
            let trip = trips.get(p.b as usize).copied().unwrap_or_default();
            match (trip.exit, trip.returned) {
                (Some(x), Some(r)) if r >= x => {
                    explanation.push_str(";returned");
                    Decision::None
                }
                (Some(x), _) if inp.today - x < inp.abroad_days => {
                    explanation.push_str(&format!(";away_days={}", inp.today - x));
                    Decision::None
                }
                (Some(x), _) => {
                    explanation.push_str(&format!(";away_days={}", inp.today - x));
                    guarded(g, decide(prob, settings), explanation)
                }
                (None, _) => {
                    explanation.push_str(";no_exit_date");
                    Decision::None
                }
            }
        });
        out.findings.extend(found);
        out.reports.push(report("exits", &l));
    }

    // (e) fictitious: no candidate in the civil registry reaches the review threshold.
    if let Some(registry) = inp.registry {
        let l = link(
            vocab,
            DEATH_RULES,
            people,
            Some(registry),
            models.registry.as_ref(),
            settings,
            progress,
        );
        let mut ids: Vec<u64> = registry.iter().map(|r| r.nid).filter(|n| *n != 0).collect();
        ids.sort_unstable();
        for (i, best) in l.best.iter().enumerate() {
            let r = &people[i];
            let known = r.nid != 0 && ids.binary_search(&r.nid).is_ok();
            out.findings.extend(fictitious(
                i as u32,
                f64::from(*best),
                id_note(r.nid != 0, known),
                settings,
            ));
        }
        out.reports.push(report("registry", &l));
    }

    // (f) silent cards.
    if let Some(c) = inp.collections {
        match crate::silent::silent(people, c) {
            Ok(found) => out.findings.extend(found),
            Err(e) => out.too_few_cycles = Some(e),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        let d = |s: &str| BirthDate::parse(s).and_then(days);
        assert_eq!(d("1970-01-01"), Some(0));
        assert_eq!(d("2026-11-22"), Some(20_779));
        assert_eq!(
            d("2000-03-01").zip(d("2000-02-28")).map(|(a, b)| a - b),
            Some(2)
        );
        assert_eq!(d("2026"), None);
    }
}
