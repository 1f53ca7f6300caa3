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
        // One record lost the person's own name and its chain moved up a place: compare it aligned,
        // its given name against the other's father, and so on; the lost name is missing.
        let (a, b) = match shifted(self.vocab, a, b) {
            Some(Shift::A) => (&realign(a), b),
            Some(Shift::B) => (a, &realign(b)),
            None => (a, b),
        };
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

pub enum Shift {
    A,
    B,
}

/// Whether `x`'s given and father names are `y`'s father and grandfather names (on dot skeletons) while
/// its own given name is not `y`'s: the chain moved up a place.
fn moved_up(v: &Vocab, x: &Rec, y: &Rec) -> bool {
    let s = |id: u32| if id == 0 { 0 } else { v.skeleton(id) };
    x.given != 0
        && x.father != 0
        && s(x.given) == s(y.father)
        && s(x.father) == s(y.grandfather)
        && s(x.given) != s(y.given)
}

/// Which record, if either, has its chain moved up a place against the other.
pub fn shifted(v: &Vocab, a: &Rec, b: &Rec) -> Option<Shift> {
    if a.latin || b.latin {
        None
    } else if moved_up(v, a, b) {
        Some(Shift::A)
    } else if moved_up(v, b, a) {
        Some(Shift::B)
    } else {
        None
    }
}

/// The record with its chain put back a place: the lost given name missing.
fn realign(r: &Rec) -> Rec {
    Rec {
        given: 0,
        father: r.given,
        grandfather: r.father,
        family: if r.family == 0 {
            r.grandfather
        } else {
            r.family
        },
        ..*r
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
        // The copy lost its own name: علي كاظم الموسوي for حسين علي كاظم الموسوي.
        let lost = Rec::from_raw(
            &mut v,
            &RawPerson {
                given: "علي",
                father: "كاظم",
                grandfather: "الموسوي",
                family: "",
                ..raw
            },
            3,
            &mut none,
        );
        let mut c = Comparer::new(&v);
        assert_eq!(c.gamma(&a, &b), [1, 0, MISSING, 0, 2, 1, 0]);
        assert_eq!(c.gamma(&lost, &a), [MISSING, 0, 0, 0, 0, 0, 0]);
        assert_eq!(c.gamma(&a, &lost), [MISSING, 0, 0, 0, 0, 0, 0]);
        let g = c.gamma(&x, &a);
        assert_eq!(&g[..3], &[0, 0, 0]);
        assert!(g[3] <= 2, "{g:?}");
        assert_eq!((g[4], g[5], g[6]), (MISSING, 2, MISSING));
    }
}
