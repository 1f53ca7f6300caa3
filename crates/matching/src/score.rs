//! A pair's match weight: the prior, each field's level weight, and for exact names a term-frequency
//! adjustment (agreeing on محمد says less than agreeing on a rare name). The explanation lists every
//! term, so a reviewer sees why two records were linked.

use crate::gamma::{FIELD_NAMES, FIELDS, Gamma, LEVELS, MISSING, level_code};
use crate::lineage::{Lineage, OWN};
use crate::model::Model;
use crate::record::Rec;
use crate::vocab::Vocab;

/// A rare name's exact agreement may add at most this much over the field's average exact weight.
const TF_CAP: f64 = 5.0;

/// The lineage fields: father, grandfather, family and mother. Brothers and sisters agree on all of
/// them, so together they say "same parents", not four independent things: their positive weights
/// are capped at what sharing parents is worth (measured, see `lineage`), and the person's own fields
/// (given name, birth date, sex) must decide between a duplicate and a sibling: where the cap binds
/// they weigh m against how often siblings agree, when the records measured it.
const LINEAGE: [usize; 4] = [1, 2, 3, 4];

pub struct Scorer<'v> {
    vocab: &'v Vocab,
    weights: [[f64; LEVELS]; FIELDS],
    prior: f64,
    /// u of the exact level of the four name fields: what an average name's agreement is worth.
    u_exact: [f64; 4],
    lineage_cap: f64,
    /// The own fields' weights against siblings (`OWN` order), used where the cap binds.
    against_siblings: Option<[[f64; LEVELS]; 3]>,
}

/// One field's part of a pair's weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    pub field: usize,
    pub level: u8,
    /// The level's weight, with the term-frequency adjustment included.
    pub weight: f64,
    pub tf: f64,
    /// Weighed against siblings (the lineage cap bound).
    pub sibling: bool,
}

impl<'v> Scorer<'v> {
    /// `lineage`: the cap on the lineage fields together and, if measured, the own fields among siblings.
    pub fn new(vocab: &'v Vocab, model: &Model, lineage: &Lineage) -> Scorer<'v> {
        let against_siblings = lineage.siblings.map(|s| {
            std::array::from_fn(|i| {
                std::array::from_fn(|l| {
                    if l as u8 == MISSING {
                        0.0
                    } else {
                        (model.m[OWN[i]][l].max(1e-6) / s.u[i][l]).log2()
                    }
                })
            })
        });
        Scorer {
            vocab,
            weights: model.weights(),
            prior: model.prior_weight(),
            u_exact: [model.u[0][0], model.u[1][0], model.u[2][0], model.u[3][0]],
            lineage_cap: lineage.cap,
            against_siblings,
        }
    }

    fn lineage_positive(terms: &[Term; FIELDS]) -> f64 {
        LINEAGE.iter().map(|f| terms[*f].weight.max(0.0)).sum()
    }

    /// What the cap takes off the lineage fields' positive weights (zero or negative).
    fn lineage_excess(&self, terms: &[Term; FIELDS]) -> f64 {
        (self.lineage_cap - Self::lineage_positive(terms)).min(0.0)
    }

    fn tf(&self, field: usize, a: &Rec) -> f64 {
        let id = [a.given, a.father, a.grandfather, a.family][field];
        (self.u_exact[field] / self.vocab.frequency(field, id))
            .log2()
            .min(TF_CAP)
    }

    pub fn terms(&self, a: &Rec, b: &Rec, g: &Gamma) -> [Term; FIELDS] {
        let mut terms: [Term; FIELDS] = std::array::from_fn(|f| {
            let level = g[f];
            // Across scripts an "exact" name is exact only after transliteration: no frequency bonus.
            let tf = if f < 4 && level == 0 && !(a.latin || b.latin) {
                self.tf(f, a)
            } else {
                0.0
            };
            Term {
                field: f,
                level,
                weight: self.weights[f][level as usize] + tf,
                tf,
                sibling: false,
            }
        });
        if let Some(w) = &self.against_siblings
            && Self::lineage_positive(&terms) > self.lineage_cap
        {
            for (i, f) in OWN.into_iter().enumerate() {
                let t = &mut terms[f];
                (t.weight, t.tf, t.sibling) = (w[i][t.level as usize], 0.0, true);
            }
        }
        terms
    }

    pub fn weight(&self, a: &Rec, b: &Rec, g: &Gamma) -> f64 {
        let terms = self.terms(a, b, g);
        self.prior + terms.iter().map(|t| t.weight).sum::<f64>() + self.lineage_excess(&terms)
    }

    pub fn prior(&self) -> f64 {
        self.prior
    }

    /// `field=level(+w)` per field (tf shown when it moved the weight), the lineage cap when it bit,
    /// then the prior: `given=exact(+2.10,tf-1.35);father=skeleton(+6.02);…;lineage_cap(-12.40);prior(-19.93)`.
    pub fn explain(&self, a: &Rec, b: &Rec, g: &Gamma) -> String {
        let mut s = String::new();
        let terms = self.terms(a, b, g);
        for t in terms {
            if t.level == MISSING {
                s.push_str(&format!("{}=missing(0);", FIELD_NAMES[t.field]));
                continue;
            }
            s.push_str(&format!(
                "{}={}({:+.2}",
                FIELD_NAMES[t.field],
                level_code(t.field, t.level),
                t.weight
            ));
            if t.tf != 0.0 {
                s.push_str(&format!(",tf{:+.2}", t.tf));
            }
            if t.sibling {
                s.push_str(",sibling");
            }
            s.push_str(");");
        }
        if crate::gamma::shifted(self.vocab, a, b).is_some() {
            s.push_str("chain_shifted;");
        }
        let excess = self.lineage_excess(&terms);
        if excess < 0.0 {
            s.push_str(&format!("lineage_cap({excess:+.2});"));
        }
        s.push_str(&format!("prior({:+.2})", self.prior));
        s
    }
}

/// The probability of a match weight.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gamma::Comparer;
    use crate::record::RawPerson;

    #[test]
    fn common_names_weigh_less_and_the_explanation_adds_up() {
        let mut v = Vocab::new();
        let mut none = |_: &'static str, _| {};
        let mut recs = vec![];
        for (i, given) in ["محمد", "محمد", "محمد", "محمد", "زيد", "زيد", "علي", "حسن"]
            .iter()
            .enumerate()
        {
            let raw = RawPerson {
                given,
                father: "علي",
                birth: "1990",
                ..Default::default()
            };
            let r = Rec::from_raw(&mut v, &raw, i as u32, &mut none);
            r.count_names(&mut v);
            recs.push(r);
        }
        let model = Model {
            lambda: 0.01,
            ..Model::default()
        };
        let s = Scorer::new(&v, &model, &Lineage::assumed(1000));
        let mut c = Comparer::new(&v);
        let common = c.gamma(&recs[0], &recs[1]);
        let rare = c.gamma(&recs[4], &recs[5]);
        assert_eq!(common, rare);
        assert!(s.weight(&recs[4], &recs[5], &rare) > s.weight(&recs[0], &recs[1], &common));
        let text = s.explain(&recs[0], &recs[1], &common);
        assert!(text.starts_with("given=exact("), "{text}");
        assert!(
            text.contains(",tf-") && text.contains("mother=missing(0)"),
            "{text}"
        );
        let sum: f64 = text
            .split(';')
            .filter_map(|t| {
                t.split_once('(')?
                    .1
                    .split([',', ')'])
                    .next()?
                    .parse::<f64>()
                    .ok()
            })
            .sum();
        assert!(
            (sum - s.weight(&recs[0], &recs[1], &common)).abs() < 0.05,
            "{sum}"
        );
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!(probability(10.0) > 0.999);
    }

    #[test]
    fn where_the_lineage_cap_binds_the_own_fields_weigh_against_siblings() {
        let mut v = Vocab::new();
        let mut none = |_: &'static str, _| {};
        let mut person = |v: &mut Vocab, given: &str, hh: u32| {
            let raw = RawPerson {
                given,
                father: "علي",
                grandfather: "حسين",
                family: "الموسوي",
                mother: "زينب كاظم",
                birth: "1990-04-02",
                sex: "male",
                ..Default::default()
            };
            Rec::from_raw(v, &raw, hh, &mut none)
        };
        let (a, b) = (person(&mut v, "محمد", 1), person(&mut v, "محمد", 2));
        let model = Model {
            lambda: 1e-6,
            ..Model::default()
        };
        let mut lineage = Lineage::assumed(1000);
        let plain = Scorer::new(&v, &model, &lineage);
        // Brothers almost never share a given name; twins share the birth date.
        let mut u = [[0.2; LEVELS]; 3];
        (u[0][0], u[1][0]) = (0.001, 0.01);
        lineage.siblings = Some(crate::lineage::Siblings { pairs: 5000, u });
        // Sharing parents is common here: the mother's name alone passes the cap.
        lineage.cap = 1.0;
        let s = Scorer::new(&v, &model, &lineage);
        let g = Comparer::new(&v).gamma(&a, &b);
        let text = s.explain(&a, &b, &g);
        assert!(
            text.contains("given=exact(") && text.contains(",sibling)"),
            "{text}"
        );
        assert!(text.contains("lineage_cap("), "{text}");
        let given = |sc: &Scorer| sc.terms(&a, &b, &g)[0].weight;
        let expected = (model.m[0][0] / 0.001).log2();
        assert!((given(&s) - expected).abs() < 1e-9, "{}", given(&s));
        assert!(!plain.explain(&a, &b, &g).contains("sibling"));
    }
}
