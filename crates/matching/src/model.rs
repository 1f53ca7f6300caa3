//! Fellegi–Sunter: for each field and level, m (how often true matches show it) and u (how often two
//! random records do). u is counted on random pairs; m is estimated without labels by EM on the pattern
//! histogram of each blocking rule's pairs, leaving out the fields that rule fixes (they agree by
//! construction there), and averaged over the rules that leave a field free. A model can be saved and
//! loaded as text, so a reviewed model is reused instead of re-estimated.

use crate::gamma::{FIELD_NAMES, FIELDS, LEVELS, MISSING, unpattern};

/// A probability is never exactly 0 or 1: an unseen level must not weigh infinitely.
const FLOOR: f64 = 1e-6;

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The prior probability that two records compared at random are the same person.
    pub lambda: f64,
    pub m: [[f64; LEVELS]; FIELDS],
    pub u: [[f64; LEVELS]; FIELDS],
}

/// Starting values of m: most matches agree exactly, a few show each kind of error.
const M_START: [f64; LEVELS] = [0.80, 0.06, 0.05, 0.04, 0.05, 0.0];

impl Default for Model {
    fn default() -> Self {
        Model {
            lambda: 1e-6,
            m: [M_START; FIELDS],
            u: [[1.0 / (LEVELS - 1) as f64; LEVELS]; FIELDS],
        }
    }
}

impl Model {
    /// The match weight (log2 of m/u) of each field's level; missing weighs 0.
    pub fn weights(&self) -> [[f64; LEVELS]; FIELDS] {
        let mut w = [[0.0; LEVELS]; FIELDS];
        for f in 0..FIELDS {
            for l in 0..LEVELS {
                if l as u8 != MISSING {
                    w[f][l] = (self.m[f][l].max(FLOOR) / self.u[f][l].max(FLOOR)).log2();
                }
            }
        }
        w
    }

    pub fn prior_weight(&self) -> f64 {
        let l = self.lambda.clamp(1e-15, 1.0 - 1e-9);
        (l / (1.0 - l)).log2()
    }

    /// u from a histogram of the levels seen on random pairs: `counts[field][level]`.
    pub fn set_u(&mut self, counts: &[[u64; LEVELS]; FIELDS]) {
        for f in 0..FIELDS {
            let seen: u64 = (0..LEVELS)
                .filter(|l| *l as u8 != MISSING)
                .map(|l| counts[f][l])
                .sum();
            for l in 0..LEVELS {
                if l as u8 != MISSING {
                    self.u[f][l] = ((counts[f][l] as f64 + 0.5) / (seen as f64 + 3.0)).max(FLOOR);
                }
            }
        }
    }

    /// EM over one rule's pattern histogram, fields marked in `fixed` left out. Returns the share of this
    /// rule's pairs that are matches and the m estimated for the free fields. The non-matches of a
    /// block are not random pairs (cousins sharing a grandfather share the family name too), so the
    /// block's own u is estimated beside m, starting from the random pairs' u, and then set aside:
    /// scoring uses the random pairs' u.
    pub fn em(
        &self,
        histogram: &[(u32, u64)],
        fixed: [bool; FIELDS],
        iterations: usize,
    ) -> (f64, [[f64; LEVELS]; FIELDS]) {
        let patterns: Vec<([u8; FIELDS], f64)> = histogram
            .iter()
            .map(|(p, c)| (unpattern(*p), *c as f64))
            .collect();
        let total: f64 = patterns.iter().map(|p| p.1).sum();
        let mut m = self.m;
        let mut u = self.u;
        let mut lambda = 0.3;
        if total == 0.0 {
            return (0.0, m);
        }
        for _ in 0..iterations {
            let mut acc = [[0.0; LEVELS]; FIELDS];
            let mut acc_u = [[0.0; LEVELS]; FIELDS];
            let mut matched = 0.0;
            for (g, count) in &patterns {
                let (mut pm, mut pu) = (lambda, 1.0 - lambda);
                for f in 0..FIELDS {
                    let l = g[f] as usize;
                    if fixed[f] || g[f] == MISSING {
                        continue;
                    }
                    pm *= m[f][l].max(FLOOR);
                    pu *= u[f][l].max(FLOOR);
                }
                let post = pm / (pm + pu);
                matched += post * count;
                for f in 0..FIELDS {
                    acc[f][g[f] as usize] += post * count;
                    acc_u[f][g[f] as usize] += (1.0 - post) * count;
                }
            }
            lambda = (matched / total).clamp(1e-9, 1.0 - 1e-9);
            for f in 0..FIELDS {
                if fixed[f] {
                    continue;
                }
                let seen: f64 = (0..LEVELS)
                    .filter(|l| *l as u8 != MISSING)
                    .map(|l| acc[f][l])
                    .sum();
                if seen > 0.0 {
                    for l in 0..LEVELS {
                        if l as u8 != MISSING {
                            m[f][l] = (acc[f][l] / seen).max(FLOOR);
                        }
                    }
                }
                let seen_u: f64 = (0..LEVELS)
                    .filter(|l| *l as u8 != MISSING)
                    .map(|l| acc_u[f][l])
                    .sum();
                if seen_u > 0.0 {
                    for l in 0..LEVELS {
                        if l as u8 != MISSING {
                            u[f][l] = (acc_u[f][l] / seen_u).max(FLOOR);
                        }
                    }
                }
            }
        }
        (lambda, m)
    }

    /// The model as text: one line for lambda, then `m|u field level value` lines.
    pub fn to_text(&self) -> String {
        let mut s = format!("tamwin-screening-model 1\nlambda {:e}\n", self.lambda);
        for (kind, table) in [("m", &self.m), ("u", &self.u)] {
            for f in 0..FIELDS {
                for l in 0..LEVELS {
                    if l as u8 != MISSING {
                        s.push_str(&format!(
                            "{kind} {} {} {:e}\n",
                            FIELD_NAMES[f],
                            crate::gamma::level_code(f, l as u8),
                            table[f][l]
                        ));
                    }
                }
            }
        }
        s
    }

    /// Reads `to_text`'s format; every m and u line must be there, each probability in (0, 1].
    pub fn from_text(text: &str) -> Result<Model, String> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        if lines.next().map(str::trim) != Some("tamwin-screening-model 1") {
            return Err("not a screening model (first line)".into());
        }
        let mut model = Model::default();
        let mut seen = 0;
        for (n, line) in lines.enumerate() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let value = |s: &str| -> Result<f64, String> {
                s.parse::<f64>()
                    .ok()
                    .filter(|v| *v > 0.0 && *v <= 1.0)
                    .ok_or_else(|| format!("line {}: bad probability {s}", n + 2))
            };
            match parts.as_slice() {
                ["lambda", v] => model.lambda = value(v)?,
                [kind @ ("m" | "u"), field, level, v] => {
                    let f = FIELD_NAMES
                        .iter()
                        .position(|x| x == field)
                        .ok_or_else(|| format!("line {}: unknown field {field}", n + 2))?;
                    let l = (0..LEVELS as u8)
                        .find(|l| *l != MISSING && crate::gamma::level_code(f, *l) == *level)
                        .ok_or_else(|| format!("line {}: unknown level {level}", n + 2))?;
                    let table = if *kind == "m" {
                        &mut model.m
                    } else {
                        &mut model.u
                    };
                    table[f][l as usize] = value(v)?;
                    seen += 1;
                }
                _ => return Err(format!("line {}: not understood", n + 2)),
            }
        }
        if seen != 2 * FIELDS * (LEVELS - 1) {
            return Err(format!(
                "{seen} probabilities, {} expected",
                2 * FIELDS * (LEVELS - 1)
            ));
        }
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gamma::pattern;

    #[test]
    fn em_separates_matches_from_non_matches_without_labels() {
        // 300 matches agreeing on all free fields, 700 non-matches differing on them; u from random
        // pairs says agreement is rare.
        let mut model = Model::default();
        let mut u = [[0u64; LEVELS]; FIELDS];
        for f in 0..FIELDS {
            u[f][0] = 5;
            u[f][4] = 995;
        }
        model.set_u(&u);
        let agree = pattern(&[0, 0, 0, 0, 0, 0, 0]);
        let differ = pattern(&[0, 4, 4, 4, 4, 4, 0]);
        let mut fixed = [false; FIELDS];
        fixed[0] = true;
        let (lambda, m) = model.em(&[(agree, 300), (differ, 700)], fixed, 30);
        assert!((lambda - 0.3).abs() < 0.02, "{lambda}");
        assert!(m[1][0] > 0.95 && m[1][4] < 0.05, "{:?}", m[1]);
        // The fixed field keeps its starting m.
        assert_eq!(m[0], model.m[0]);
    }

    #[test]
    fn cousins_sharing_a_family_name_are_not_taken_for_matches() {
        // Blocked on the given and father names: 900 cousins who share the family name but not the
        // mother or the birth date, 100 true matches who share everything. Random pairs rarely share a
        // family name, so with u fixed EM would call the cousins matches.
        let mut model = Model::default();
        let mut u = [[0u64; LEVELS]; FIELDS];
        for f in 0..FIELDS {
            u[f][0] = 10;
            u[f][4] = 990;
        }
        model.set_u(&u);
        let cousins = pattern(&[0, 0, 4, 0, 4, 4, 0]);
        let same = pattern(&[0, 0, 0, 0, 0, 0, 0]);
        let mut fixed = [false; FIELDS];
        fixed[0] = true;
        fixed[1] = true;
        let (lambda, m) = model.em(&[(cousins, 900), (same, 100)], fixed, 30);
        assert!((lambda - 0.1).abs() < 0.02, "{lambda}");
        assert!(m[4][0] > 0.9 && m[5][0] > 0.9, "{:?} {:?}", m[4], m[5]);
    }

    #[test]
    fn a_model_saves_and_loads() {
        let mut model = Model {
            lambda: 2.5e-7,
            ..Model::default()
        };
        model.m[3][2] = 0.125;
        let back = Model::from_text(&model.to_text()).expect("reads back");
        assert_eq!(back, model);
        assert!(Model::from_text("hello").is_err());
        assert!(Model::from_text(&model.to_text().replace("1.25e-1", "1.5e0")).is_err());
        let short: String = model
            .to_text()
            .lines()
            .take(5)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(Model::from_text(&short).is_err());
    }
}
