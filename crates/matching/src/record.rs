//! A record as the engine holds it: name ids from the vocabulary, the birth date packed in a word, the
//! household as a number and the national ID as an integer. About 56 bytes a person, so the whole
//! country (46 million) fits in a few gigabytes.

use crate::person::BirthDate;
use crate::translit::latin_key;
use crate::vocab::Vocab;

/// No household (death and exit records, the civil registry).
pub const NO_HOUSEHOLD: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rec {
    pub given: u32,
    pub father: u32,
    pub grandfather: u32,
    pub family: u32,
    /// The mother's chain, name by name (0 where it ends).
    pub mother: [u32; 4],
    /// `BirthDate` packed: year << 9 | month << 5 | day, month and day 0 for a year only; 0 missing.
    pub birth: u32,
    /// 0 unknown, 1 male, 2 female.
    pub sex: u8,
    /// The names came from Latin script (exit records): compared by their consonants.
    pub latin: bool,
    pub household: u32,
    /// The unified national ID as a number, 0 when none.
    pub nid: u64,
}

pub fn pack_birth(b: Option<BirthDate>) -> u32 {
    match b {
        None => 0,
        Some(BirthDate::Year(y)) => (y as u32) << 9,
        Some(BirthDate::Full { year, month, day }) => {
            (year as u32) << 9 | (month as u32) << 5 | day as u32
        }
    }
}

pub fn unpack_birth(p: u32) -> Option<BirthDate> {
    if p == 0 {
        return None;
    }
    let (year, month, day) = ((p >> 9) as i16, ((p >> 5) & 15) as i8, (p & 31) as i8);
    Some(if month == 0 {
        BirthDate::Year(year)
    } else {
        BirthDate::Full { year, month, day }
    })
}

/// What was wrong with a field of a record that was still kept (the field counts as missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldWarning {
    /// Not `YYYY-MM-DD` or `YYYY`, or a day that does not exist.
    BadDate,
    /// Something was written but nothing of a name was left once marks were removed.
    MarksOnly,
    BadSex,
    BadNationalId,
}

impl FieldWarning {
    pub fn code(self) -> &'static str {
        match self {
            FieldWarning::BadDate => "bad_date",
            FieldWarning::MarksOnly => "name_marks_only",
            FieldWarning::BadSex => "bad_sex",
            FieldWarning::BadNationalId => "bad_national_id",
        }
    }
}

/// The raw text fields of a person row.
#[derive(Debug, Default, Clone, Copy)]
pub struct RawPerson<'a> {
    pub national_id: &'a str,
    pub given: &'a str,
    pub father: &'a str,
    pub grandfather: &'a str,
    pub family: &'a str,
    pub mother: &'a str,
    pub birth: &'a str,
    pub sex: &'a str,
}

impl Rec {
    /// Keys a person's fields into a record, counting name frequencies; each field that could not be
    /// read is reported by name and left missing.
    pub fn from_raw(
        vocab: &mut Vocab,
        raw: &RawPerson,
        household: u32,
        warn: &mut dyn FnMut(&'static str, FieldWarning),
    ) -> Rec {
        let mut name = |field: &'static str, text: &str, vocab: &mut Vocab| {
            let id = vocab.name(text);
            if id == 0 && !text.trim().is_empty() {
                warn(field, FieldWarning::MarksOnly);
            }
            id
        };
        let given = name("given_name", raw.given, vocab);
        let father = name("father_name", raw.father, vocab);
        let grandfather = name("grandfather_name", raw.grandfather, vocab);
        let family = name("family_name", raw.family, vocab);
        let mother = vocab.chain(raw.mother);
        if mother[0] == 0 && !raw.mother.trim().is_empty() {
            warn("mother_name", FieldWarning::MarksOnly);
        }
        let birth = parse_birth(raw.birth, &mut |w| warn("birth_date", w));
        let sex = match raw.sex.trim() {
            "male" | "m" | "M" | "ذكر" => 1,
            "female" | "f" | "F" | "أنثى" | "انثى" => 2,
            "" => 0,
            _ => {
                warn("sex", FieldWarning::BadSex);
                0
            }
        };
        Rec {
            given,
            father,
            grandfather,
            family,
            mother,
            birth,
            sex,
            latin: false,
            household,
            nid: parse_nid(raw.national_id, &mut |w| warn("national_id", w)),
        }
    }

    /// A record from one full-name string, as exit records carry it: Latin script (transliterated and
    /// compared by consonants) or Arabic. The chain is read given, father, grandfather, and the last of
    /// four or more names as the family name.
    pub fn from_full_name(
        vocab: &mut Vocab,
        national_id: &str,
        full_name: &str,
        birth: &str,
        warn: &mut dyn FnMut(&'static str, FieldWarning),
    ) -> Rec {
        let latin = full_name.chars().any(|c| c.is_ascii_alphabetic());
        let key = if latin {
            latin_key(full_name)
        } else {
            tamwin_text_ar::name_key(full_name)
        };
        if key.is_empty() && !full_name.trim().is_empty() {
            warn("full_name", FieldWarning::MarksOnly);
        }
        let tokens: Vec<&str> = key.split(' ').filter(|t| !t.is_empty()).collect();
        let id = |i: usize, vocab: &mut Vocab| tokens.get(i).map_or(0, |t| vocab.id(t));
        let family = if tokens.len() >= 4 {
            vocab.id(tokens[tokens.len() - 1])
        } else {
            0
        };
        Rec {
            given: id(0, vocab),
            father: id(1, vocab),
            grandfather: id(2, vocab),
            family,
            mother: [0; 4],
            birth: parse_birth(birth, &mut |w| warn("birth_date", w)),
            sex: 0,
            latin,
            household: NO_HOUSEHOLD,
            nid: parse_nid(national_id, &mut |w| warn("national_id", w)),
        }
    }

    /// Counts this record's names in the term frequencies (the people screened, not the files they
    /// are screened against, so that a name weighs the same whatever else is loaded).
    pub fn count_names(&self, vocab: &mut Vocab) {
        for (f, id) in [self.given, self.father, self.grandfather, self.family]
            .into_iter()
            .enumerate()
        {
            vocab.count(f, id);
        }
    }

    pub fn birth_date(&self) -> Option<BirthDate> {
        unpack_birth(self.birth)
    }
}

fn parse_birth(text: &str, warn: &mut dyn FnMut(FieldWarning)) -> u32 {
    if text.trim().is_empty() {
        return 0;
    }
    match BirthDate::parse(text) {
        Some(b) => pack_birth(Some(b)),
        None => {
            warn(FieldWarning::BadDate);
            0
        }
    }
}

/// National IDs are digits (12 in Iraq's unified number); anything else is kept as missing.
pub fn parse_nid(text: &str, warn: &mut dyn FnMut(FieldWarning)) -> u64 {
    let t = tamwin_text_ar::fold_digits(text.trim());
    if t.is_empty() {
        return 0;
    }
    match t.parse::<u64>() {
        Ok(n) if t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) && n > 0 => n,
        _ => {
            warn(FieldWarning::BadNationalId);
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn births_pack_both_ways() {
        for s in ["1980-02-29", "1975", "2026-12-31"] {
            let b = BirthDate::parse(s);
            assert_eq!(unpack_birth(pack_birth(b)), b, "{s}");
        }
        assert_eq!(unpack_birth(0), None);
    }

    #[test]
    fn bad_fields_are_reported_and_left_missing() {
        let mut vocab = Vocab::new();
        let mut warnings = vec![];
        let raw = RawPerson {
            national_id: "19x",
            given: "\u{064E}\u{0650}",
            father: "علي",
            birth: "1981-02-29",
            sex: "?",
            ..Default::default()
        };
        let r = Rec::from_raw(&mut vocab, &raw, 7, &mut |f, w| warnings.push((f, w)));
        assert_eq!((r.given, r.birth, r.sex, r.nid), (0, 0, 0, 0));
        assert_ne!(r.father, 0);
        assert_eq!(
            warnings,
            vec![
                ("given_name", FieldWarning::MarksOnly),
                ("birth_date", FieldWarning::BadDate),
                ("sex", FieldWarning::BadSex),
                ("national_id", FieldWarning::BadNationalId),
            ]
        );
    }

    #[test]
    fn exit_names_latin_or_arabic() {
        let mut vocab = Vocab::new();
        let mut none = |_: &'static str, _: FieldWarning| {};
        let r = Rec::from_full_name(
            &mut vocab,
            "",
            "Mohammed Abdul Karim Hussein Al-Musawi",
            "1990",
            &mut none,
        );
        assert!(r.latin);
        assert_eq!(vocab.key(r.given), "محمد");
        assert_eq!(vocab.key(r.father), "عبدالكريم");
        assert_eq!(vocab.key(r.grandfather), "حسين");
        assert_ne!(r.family, 0);
        let a = Rec::from_full_name(&mut vocab, "", "محمد علي حسين", "", &mut none);
        assert!(!a.latin);
        assert_eq!((vocab.key(a.grandfather), a.family), ("حسين", 0));
    }
}
