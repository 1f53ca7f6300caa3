//! A person as screening sees them: the Iraqi name chain (given, father, grandfather, family or tribe),
//! the mother's full name, the birth date (full or year only) and sex, each kept as a normalised key
//! beside nothing else: screening never needs the display form.

/// A birth date as records carry it: a full date, or only a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDate {
    Full { year: i16, month: i8, day: i8 },
    Year(i16),
}

impl BirthDate {
    /// `YYYY-MM-DD` or `YYYY` (Arabic-Indic digits accepted); None for anything else or an impossible day.
    pub fn parse(s: &str) -> Option<BirthDate> {
        let s = tamwin_text_ar::fold_digits(s.trim());
        let num = |p: &str| p.parse::<i32>().ok();
        let parts: Vec<&str> = s.split('-').collect();
        match parts.as_slice() {
            [y] if y.len() == 4 => {
                let y = num(y)?;
                (1880..=2100)
                    .contains(&y)
                    .then_some(BirthDate::Year(y as i16))
            }
            [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
                let (y, m, d) = (num(y)?, num(m)?, num(d)?);
                let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
                let days = match m {
                    1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                    4 | 6 | 9 | 11 => 30,
                    2 if leap => 29,
                    2 => 28,
                    _ => return None,
                };
                ((1880..=2100).contains(&y) && (1..=days).contains(&d)).then_some(BirthDate::Full {
                    year: y as i16,
                    month: m as i8,
                    day: d as i8,
                })
            }
            _ => None,
        }
    }

    pub fn year(self) -> i16 {
        match self {
            BirthDate::Full { year, .. } | BirthDate::Year(year) => year,
        }
    }
}

/// One person's fields as keys (`text_ar::name_key`): empty when the record has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub given: String,
    pub father: String,
    pub grandfather: String,
    pub family: String,
    pub mother: String,
    pub birth: Option<BirthDate>,
    /// `m`, `f`, or empty when unknown.
    pub sex: String,
}

impl Person {
    /// Keys the fields; a name made only of marks (diacritics, tatweel) is empty, hence missing.
    pub fn new(
        given: &str,
        father: &str,
        grandfather: &str,
        family: &str,
        mother: &str,
        birth: &str,
        sex: &str,
    ) -> Person {
        let key = tamwin_text_ar::name_key;
        Person {
            given: key(given),
            father: key(father),
            grandfather: key(grandfather),
            family: key(family),
            mother: key(mother),
            birth: BirthDate::parse(birth),
            sex: match sex.trim() {
                "male" | "m" | "M" | "ذكر" => "m".into(),
                "female" | "f" | "F" | "أنثى" | "انثى" => "f".into(),
                _ => String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_dates_full_or_year_only() {
        assert_eq!(
            BirthDate::parse("1980-02-29"),
            Some(BirthDate::Full {
                year: 1980,
                month: 2,
                day: 29
            })
        );
        assert_eq!(BirthDate::parse("1981-02-29"), None);
        assert_eq!(BirthDate::parse("١٩٧٥"), Some(BirthDate::Year(1975)));
        assert_eq!(BirthDate::parse("1975-13-01"), None);
        assert_eq!(BirthDate::parse("75"), None);
        assert_eq!(BirthDate::parse(""), None);
    }

    #[test]
    fn names_are_keyed_and_marks_alone_are_missing() {
        let p = Person::new(
            "أحمـد",
            "عبد الله",
            "كاظم",
            "الزيدي",
            "فاطمة علي",
            "1970",
            "male",
        );
        assert_eq!(p.given, "احمد");
        assert_eq!(p.father, "عبدالله");
        assert_eq!(p.family, "زيدي");
        assert_eq!(p.mother, "فاطمه علي");
        assert_eq!(p.sex, "m");
        assert_eq!(
            Person::new("\u{064E}\u{0650}", "", "", "", "", "", "").given,
            ""
        );
    }
}
