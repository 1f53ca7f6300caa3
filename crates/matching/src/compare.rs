//! Field comparisons at graded levels (Fellegi–Sunter compares levels, not raw scores): names exact after
//! normalisation, equal after folding the letters that differ only by dots (how handwriting, keyboards
//! and OCR confuse them), close or similar by Jaro–Winkler, different, or missing on either side; birth
//! dates exact, day and month swapped, same year, a year apart, different, or missing.

use crate::jaro::jaro_winkler;
use crate::person::BirthDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameLevel {
    Exact,
    /// Equal once letters that differ only by their dots are folded together.
    Skeleton,
    /// Jaro–Winkler ≥ 0.92.
    Close,
    /// Jaro–Winkler ≥ 0.85.
    Similar,
    Different,
    Missing,
}

impl NameLevel {
    pub fn code(self) -> &'static str {
        match self {
            NameLevel::Exact => "exact",
            NameLevel::Skeleton => "skeleton",
            NameLevel::Close => "close",
            NameLevel::Similar => "similar",
            NameLevel::Different => "different",
            NameLevel::Missing => "missing",
        }
    }
}

/// One letter to the representative of its dot family: ب ت ث ن ي, ج ح خ, د ذ, ر ز, س ش, ص ض, ط ظ,
/// ع غ, ف ق (domain/facts.md: the keyboard and OCR confusions of names).
fn dotless(c: char) -> char {
    match c {
        'ب' | 'ت' | 'ث' | 'ن' | 'ي' => 'ب',
        'ج' | 'ح' | 'خ' => 'ح',
        'د' | 'ذ' => 'د',
        'ر' | 'ز' => 'ر',
        'س' | 'ش' => 'س',
        'ص' | 'ض' => 'ص',
        'ط' | 'ظ' => 'ط',
        'ع' | 'غ' => 'ع',
        'ف' | 'ق' => 'ف',
        other => other,
    }
}

/// The dot-skeleton of a key: a blocking and comparison key robust to dot confusions.
pub fn skeleton(key: &str) -> String {
    key.chars().map(dotless).collect()
}

/// Compares two name keys (already `text_ar::name_key`).
pub fn compare_names(a: &str, b: &str) -> NameLevel {
    if a.is_empty() || b.is_empty() {
        return NameLevel::Missing;
    }
    if a == b {
        return NameLevel::Exact;
    }
    if skeleton(a) == skeleton(b) {
        return NameLevel::Skeleton;
    }
    band(jaro_winkler(a, b))
}

/// The level of a Jaro–Winkler similarity between two names that are neither equal nor skeleton-equal.
pub fn band(similarity: f64) -> NameLevel {
    match similarity {
        s if s >= 0.92 => NameLevel::Close,
        s if s >= 0.85 => NameLevel::Similar,
        _ => NameLevel::Different,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DateLevel {
    Exact,
    /// Day and month swapped (12/03 for 03/12).
    Swapped,
    /// The same year, one side giving only the year, or the days differing.
    SameYear,
    /// A year apart.
    YearApart,
    Different,
    Missing,
}

impl DateLevel {
    pub fn code(self) -> &'static str {
        match self {
            DateLevel::Exact => "exact",
            DateLevel::Swapped => "swapped",
            DateLevel::SameYear => "same_year",
            DateLevel::YearApart => "year_apart",
            DateLevel::Different => "different",
            DateLevel::Missing => "missing",
        }
    }
}

pub fn compare_dates(a: Option<BirthDate>, b: Option<BirthDate>) -> DateLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return DateLevel::Missing;
    };
    match (a, b) {
        _ if a == b => DateLevel::Exact,
        (
            BirthDate::Full {
                year: y1,
                month: m1,
                day: d1,
            },
            BirthDate::Full {
                year: y2,
                month: m2,
                day: d2,
            },
        ) if y1 == y2 && m1 == d2 && d1 == m2 => DateLevel::Swapped,
        _ if a.year() == b.year() => DateLevel::SameYear,
        _ if (a.year() - b.year()).abs() == 1 => DateLevel::YearApart,
        _ => DateLevel::Different,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamwin_text_ar::name_key;

    fn level(a: &str, b: &str) -> NameLevel {
        compare_names(&name_key(a), &name_key(b))
    }

    #[test]
    fn name_levels() {
        // Hamza, taa marbuta and alef maqsura are folded by the key: exact.
        assert_eq!(level("أحمد", "احمد"), NameLevel::Exact);
        assert_eq!(level("فاطمة", "فاطمه"), NameLevel::Exact);
        assert_eq!(level("مصطفى", "مصطفي"), NameLevel::Exact);
        assert_eq!(level("عبد الله", "عبدالله"), NameLevel::Exact);
        // Dots confused: حسين typed as خسين, زينب as رينب.
        assert_eq!(level("حسين", "خسين"), NameLevel::Skeleton);
        assert_eq!(level("زينب", "رينب"), NameLevel::Skeleton);
        assert_eq!(level("حسين", "حسن"), NameLevel::Close);
        assert_eq!(level("محمد", "علي"), NameLevel::Different);
        assert_eq!(level("", "علي"), NameLevel::Missing);
        assert!(
            NameLevel::Exact < NameLevel::Skeleton && NameLevel::Similar < NameLevel::Different
        );
    }

    #[test]
    fn date_levels() {
        let d = |s: &str| BirthDate::parse(s);
        for (other, want) in [
            ("1980-03-12", DateLevel::Exact),
            ("1980-12-03", DateLevel::Swapped),
            ("1980", DateLevel::SameYear),
            ("1981-03-12", DateLevel::YearApart),
            ("1990-03-12", DateLevel::Different),
        ] {
            assert_eq!(compare_dates(d("1980-03-12"), d(other)), want, "{other}");
        }
        assert_eq!(compare_dates(None, d("1990")), DateLevel::Missing);
    }
}
