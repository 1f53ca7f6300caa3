//! The comparison vector of a pair: one agreement level per field. Levels are small numbers so that a
//! whole vector is one pattern number, and EM works on a histogram of patterns instead of on pairs.

use crate::compare::{DateLevel, NameLevel, band, compare_dates};
use crate::jaro::jaro_winkler;
use crate::record::Rec;
use crate::vocab::Vocab;

pub const FIELDS: usize = 7;
pub const LEVELS: usize = 6;
pub const FIELD_NAMES: [&str; FIELDS] = [
    "given",
    "father",
    "grandfather",
    "family",
    "mother",
    "birth",
    "sex",
];
/// The level index that means "missing on either side": it weighs nothing.
pub const MISSING: u8 = 5;
/// Number of distinct patterns (LEVELS ^ FIELDS).
pub const PATTERNS: usize = 279_936;

pub type Gamma = [u8; FIELDS];

pub fn name_index(l: NameLevel) -> u8 {
    match l {
        NameLevel::Exact => 0,
        NameLevel::Skeleton => 1,
        NameLevel::Close => 2,
        NameLevel::Similar => 3,
        NameLevel::Different => 4,
        NameLevel::Missing => MISSING,
    }
}

pub fn date_index(l: DateLevel) -> u8 {
    match l {
        DateLevel::Exact => 0,
        DateLevel::Swapped => 1,
        DateLevel::SameYear => 2,
        DateLevel::YearApart => 3,
        DateLevel::Different => 4,
        DateLevel::Missing => MISSING,
    }
}

/// The code of level `level` of field `field`, as explanations print it.
pub fn level_code(field: usize, level: u8) -> &'static str {
    const NAME: [NameLevel; LEVELS] = [
        NameLevel::Exact,
        NameLevel::Skeleton,
        NameLevel::Close,
        NameLevel::Similar,
        NameLevel::Different,
        NameLevel::Missing,
    ];
    const DATE: [DateLevel; LEVELS] = [
        DateLevel::Exact,
        DateLevel::Swapped,
        DateLevel::SameYear,
        DateLevel::YearApart,
        DateLevel::Different,
        DateLevel::Missing,
    ];
    match field {
        5 => DATE[level as usize % LEVELS].code(),
        _ => NAME[level as usize % LEVELS].code(),
    }
}

pub fn pattern(g: &Gamma) -> u32 {
    g.iter()
        .rev()
        .fold(0u32, |acc, l| acc * LEVELS as u32 + u32::from(*l))
}

pub fn unpattern(mut p: u32) -> Gamma {
    let mut g = [0u8; FIELDS];
    for l in g.iter_mut() {
        *l = (p % LEVELS as u32) as u8;
        p /= LEVELS as u32;
    }
    g
}

/// Compares pairs of records of one vocabulary.
pub struct Comparer<'v> {
    vocab: &'v Vocab,
    buf_a: String,
    buf_b: String,
}

impl<'v> Comparer<'v> {
    pub fn new(vocab: &'v Vocab) -> Comparer<'v> {
        Comparer {
            vocab,
            buf_a: String::new(),
            buf_b: String::new(),
        }
    }

    /// One name field; across scripts (either side from Latin) by the consonant keys.
    pub fn name(&self, a: u32, b: u32, cross: bool) -> u8 {
        if a == 0 || b == 0 {
            return MISSING;
        }
        if a == b {
            return 0;
        }
        let v = self.vocab;
        let (ka, kb) = if cross {
            (v.consonants(a), v.consonants(b))
        } else {
            (v.skeleton(a), v.skeleton(b))
        };
        if ka == kb {
            return 1;
        }
        let (sa, sb) = if cross {
            (v.key(ka), v.key(kb))
        } else {
            (v.key(a), v.key(b))
        };
        name_index(band(jaro_winkler(sa, sb)))
    }

    fn mother(&mut self, a: &[u32; 4], b: &[u32; 4]) -> u8 {
        if a[0] == 0 || b[0] == 0 {
            return MISSING;
        }
        if a == b {
            return 0;
        }
        let v = self.vocab;
        if a.iter()
            .zip(b)
            .all(|(x, y)| v.skeleton(*x) == v.skeleton(*y))
        {
            return 1;
        }
        for (buf, ids) in [(&mut self.buf_a, a), (&mut self.buf_b, b)] {
            buf.clear();
            for id in ids.iter().take_while(|id| **id != 0) {
                if !buf.is_empty() {
                    buf.push(' ');
                }
                buf.push_str(v.key(*id));
            }
        }
        name_index(band(jaro_winkler(&self.buf_a, &self.buf_b)))
    }

    pub fn gamma(&mut self, a: &Rec, b: &Rec) -> Gamma {
        let cross = a.latin || b.latin;
        let sex = match (a.sex, b.sex) {
            (0, _) | (_, 0) => MISSING,
            (x, y) if x == y => 0,
            _ => 4,
        };
        [
            self.name(a.given, b.given, cross),
            self.name(a.father, b.father, cross),
            self.name(a.grandfather, b.grandfather, cross),
            self.name(a.family, b.family, cross),
            self.mother(&a.mother, &b.mother),
            date_index(compare_dates(a.birth_date(), b.birth_date())),
            sex,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{RawPerson, Rec};

    #[test]
    fn patterns_round_trip() {
        let g: Gamma = [0, 1, 2, 3, 4, 5, 0];
        assert_eq!(unpattern(pattern(&g)), g);
        assert!((pattern(&[5; FIELDS]) as usize) < PATTERNS);
        assert_eq!(level_code(5, 1), "swapped");
        assert_eq!(level_code(0, 1), "skeleton");
    }

    #[test]
    fn a_pair_compared_field_by_field() {
        let mut v = Vocab::new();
        let mut none = |_: &'static str, _| {};
        let raw = RawPerson {
            given: "حسين",
            father: "علي",
            grandfather: "كاظم",
            family: "الموسوي",
            mother: "فاطمة حسن",
            birth: "1980-03-12",
            sex: "male",
            ..Default::default()
        };
        let a = Rec::from_raw(&mut v, &raw, 1, &mut none);
        let b = Rec::from_raw(
            &mut v,
            &RawPerson {
                given: "خسين",
                grandfather: "",
                mother: "فاطمه حسين",
                birth: "1980-12-03",
                ..raw
            },
            2,
            &mut none,
        );
        let x = Rec::from_full_name(
            &mut v,
            "",
            "Hussein Ali Kadhim Al-Musawi",
            "1980",
            &mut none,
        );
        let mut c = Comparer::new(&v);
        assert_eq!(c.gamma(&a, &b), [1, 0, MISSING, 0, 2, 1, 0]);
        let g = c.gamma(&x, &a);
        assert_eq!(&g[..3], &[0, 0, 0]);
        assert!(g[3] <= 2, "{g:?}");
        assert_eq!((g[4], g[5], g[6]), (MISSING, 2, MISSING));
    }
}
