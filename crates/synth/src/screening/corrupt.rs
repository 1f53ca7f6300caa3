//! The errors a record picks up: one corruption of a written row (the list: hamza, dots,
//! names shifted, a wrong birth date…), and the copy of a member on a second card built from them.

use super::{Row, Tier, pick};
use crate::people::Gen;
use crate::weighted::Weighted;
use jiff::civil::Date;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Letters that differ only by dots, as keyboards and OCR confuse them.
const DOT_SIBLINGS: &[&[char]] = &[
    &['ب', 'ت', 'ث', 'ن', 'ي'],
    &['ج', 'ح', 'خ'],
    &['د', 'ذ'],
    &['ر', 'ز'],
    &['س', 'ش'],
    &['ص', 'ض'],
    &['ط', 'ظ'],
    &['ع', 'غ'],
    &['ف', 'ق'],
];

/// One corruption of the list, applied to a field where it can be.
pub(super) fn corrupt(rng: &mut ChaCha8Rng, r: &mut Row) -> &'static str {
    let kind = rng.random_range(0..14);
    let field: &mut String = match rng.random_range(0..4) {
        0 => &mut r.given,
        1 => &mut r.father,
        2 => &mut r.grandfather,
        _ => &mut r.family,
    };
    match kind {
        0 => {
            // Alef and hamza: a bare alef gains a hamza, or a hamza is dropped.
            *field = if field.starts_with('ا') {
                field.replacen('ا', pick(rng, &["أ", "إ"]), 1)
            } else {
                field.replace(['أ', 'إ', 'آ'], "ا")
            };
            "hamza"
        }
        1 => {
            let s = r.mother.clone();
            r.mother = if s.contains('ة') {
                s.replace('ة', "ه")
            } else {
                s.replace("ه ", "ة ")
            };
            "taa_marbuta"
        }
        2 => {
            *field = field.replace('ى', "ي");
            "alef_maqsura"
        }
        3 => {
            // Tatweel after the first letter, or a fatha.
            let mut cs: Vec<char> = field.chars().collect();
            if !cs.is_empty() {
                cs.insert(
                    1.min(cs.len()),
                    pick_char(rng, &['\u{0640}', '\u{064E}', '\u{0650}']),
                );
            }
            *field = cs.into_iter().collect();
            "marks"
        }
        4 => {
            *field = field.replace('ي', "ی").replace('ك', "ک");
            "persian_letters"
        }
        5 => {
            *field = if field.contains("عبد ") {
                field.replace("عبد ", "عبد")
            } else {
                field.replace("عبد", "عبد ")
            };
            "abd_split_joined"
        }
        6 => {
            r.family = match r.family.strip_prefix("ال") {
                Some(rest) => rest.to_string(),
                None if !r.family.is_empty() => format!("ال{}", r.family),
                None => String::new(),
            };
            "article"
        }
        7 => {
            if rng.random_bool(0.5) {
                r.family.clear();
            } else {
                r.grandfather.clear();
            }
            "missing_name"
        }
        8 => {
            // The person's own name lost, the chain moved up one place.
            r.given = std::mem::take(&mut r.father);
            r.father = std::mem::take(&mut r.grandfather);
            r.grandfather = std::mem::take(&mut r.family);
            "names_shifted"
        }
        9 | 10 => {
            let mut cs: Vec<char> = field.chars().collect();
            let spots: Vec<usize> = (0..cs.len())
                .filter(|i| DOT_SIBLINGS.iter().any(|g| g.contains(&cs[*i])))
                .collect();
            if !spots.is_empty() {
                let i = spots[rng.random_range(0..spots.len())];
                if let Some(g) = DOT_SIBLINGS.iter().find(|g| g.contains(&cs[i])) {
                    let others: Vec<char> = g.iter().copied().filter(|c| *c != cs[i]).collect();
                    cs[i] = pick_char(rng, &others);
                }
            }
            *field = cs.into_iter().collect();
            "dots"
        }
        _ => {
            r.birth = corrupt_date(rng, &r.birth);
            "birth_date"
        }
    }
}

fn pick_char(rng: &mut ChaCha8Rng, cs: &[char]) -> char {
    cs[rng.random_range(0..cs.len())]
}

fn corrupt_date(rng: &mut ChaCha8Rng, birth: &str) -> String {
    let Ok(d) = birth.parse::<Date>() else {
        return birth.to_string();
    };
    match rng.random_range(0..3) {
        0 if d.day() <= 12 && d.day() != d.month() => {
            format!("{:04}-{:02}-{:02}", d.year(), d.day(), d.month())
        }
        1 => {
            let y = d.year() + if rng.random_bool(0.5) { 1 } else { -1 };
            Date::new(y, d.month(), d.day().min(28))
                .map(|x| x.to_string())
                .unwrap_or_else(|_| birth.to_string())
        }
        _ => d.year().to_string(),
    }
}

/// The copy of a member on a second card: 0–4 corruptions (more in the hard tier), the name replaced
/// outright in the hard tier's share, and the same ID, none, or another.
pub(super) fn duplicate(
    rng: &mut ChaCha8Rng,
    g: &mut Gen,
    tier: Tier,
    real: &Row,
    reg_nid: &str,
) -> (Row, String) {
    let mut copy = real.clone();
    let weights: [u32; 5] = match tier {
        Tier::Standard => [20, 30, 25, 15, 10],
        Tier::Hard => [10, 20, 30, 25, 15],
    };
    let n = Weighted::new((0..5).zip(weights)).pick(rng);
    let mut done: Vec<&str> = Vec::new();
    for _ in 0..n {
        done.push(corrupt(rng, &mut copy));
    }
    let (p_given, p_family) = match tier {
        Tier::Standard => (0.02, 0.03),
        Tier::Hard => (0.12, 0.18),
    };
    if rng.random_bool(p_given) {
        copy.given = if copy.male {
            g.male.pick(rng)
        } else {
            g.female.pick(rng)
        }
        .to_string();
        done.push("other_given_name");
    }
    if rng.random_bool(p_family) {
        copy.family = g.family.pick(rng).to_string();
        done.push("other_family_name");
    }
    let id = match rng.random_range(0..10) {
        0..4 => {
            copy.nid = reg_nid.to_string();
            "same_id"
        }
        4..7 => {
            copy.nid.clear();
            "no_id"
        }
        _ => {
            copy.nid = g.national_id().unwrap_or_default();
            "other_id"
        }
    };
    (copy, format!("{id};corruptions={n};{}", done.join(",")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn corruptions_change_the_row_and_keep_dates_valid() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let base = Row {
            nid: "199012345678".into(),
            given: "عبد الله".into(),
            father: "جعفر".into(),
            grandfather: "إبراهيم".into(),
            family: "الزيدي".into(),
            mother: "فاطمة علي".into(),
            birth: "1980-03-12".into(),
            male: true,
        };
        let mut kinds = std::collections::BTreeSet::new();
        for _ in 0..400 {
            let mut r = base.clone();
            kinds.insert(corrupt(&mut rng, &mut r));
            let b = &r.birth;
            assert!(b.len() == 4 || b.parse::<Date>().is_ok(), "{b}");
        }
        assert_eq!(kinds.len(), 11, "{kinds:?}");
    }
}
