//! Arabic names in Latin script, as border officers write them on exit records.

use super::pick;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Arabic to Latin as border officers write it: common names by one of their usual spellings, the
/// rest letter by letter with short vowels guessed.
pub(super) fn romanise(rng: &mut ChaCha8Rng, name: &str) -> String {
    const KNOWN: &[(&str, &[&str])] = &[
        ("محمد", &["Mohammed", "Muhammad", "Mohamad", "Mohamed"]),
        ("علي", &["Ali"]),
        ("حسين", &["Hussein", "Husain", "Hussain"]),
        ("أحمد", &["Ahmed", "Ahmad"]),
        ("حسن", &["Hassan", "Hasan"]),
        ("عباس", &["Abbas"]),
        ("جاسم", &["Jasim", "Jassim"]),
        ("كاظم", &["Kadhim", "Kazim", "Kathem"]),
        ("عبد الله", &["Abdullah", "Abdallah", "Abd al-Lah"]),
        ("مصطفى", &["Mustafa", "Mustapha"]),
        ("حيدر", &["Haider", "Hayder", "Haidar"]),
        ("فاطمة", &["Fatima", "Fatimah"]),
        ("زينب", &["Zainab", "Zeinab"]),
    ];
    if let Some((_, forms)) = KNOWN.iter().find(|(ar, _)| *ar == name) {
        return forms[rng.random_range(0..forms.len())].to_string();
    }
    let mut out = String::new();
    let words: Vec<&str> = name.split_whitespace().collect();
    for (wi, w) in words.iter().enumerate() {
        if wi > 0 {
            out.push(if rng.random_bool(0.5) { ' ' } else { '-' });
        }
        if let Some(rest) = w.strip_prefix("ال") {
            out.push_str(pick(rng, &["Al-", "al-", "El-", "Al "]));
            out.push_str(&letters(rng, rest));
        } else if let Some(rest) = w.strip_prefix("عبد") {
            let tail = letters(rng, rest.trim_start_matches("ال"));
            out.push_str(pick(rng, &["Abdul", "Abd al-", "Abdel"]));
            out.push_str(&tail);
        } else {
            out.push_str(&letters(rng, w));
        }
    }
    out
}

fn letters(rng: &mut ChaCha8Rng, word: &str) -> String {
    let mut out = String::new();
    let cs: Vec<char> = word.chars().collect();
    for (i, c) in cs.iter().enumerate() {
        let l: &str = match c {
            'ا' | 'أ' | 'إ' | 'آ' => "a",
            'ب' => "b",
            'ت' | 'ط' => "t",
            'ث' => "th",
            'ج' => "j",
            'ح' | 'ه' => "h",
            'خ' => "kh",
            'د' => "d",
            'ذ' | 'ظ' | 'ض' => pick(rng, &["dh", "th", "z"]),
            'ر' => "r",
            'ز' => "z",
            'س' | 'ص' => "s",
            'ش' => "sh",
            'ع' => pick(rng, &["a", ""]),
            'غ' => "gh",
            'ف' => "f",
            'ق' => pick(rng, &["q", "g"]),
            'ك' => "k",
            'ل' => "l",
            'م' => "m",
            'ن' => "n",
            'و' => pick(rng, &["w", "o", "ou"]),
            'ي' | 'ى' => pick(rng, &["i", "y", "ee"]),
            'ة' => pick(rng, &["a", "ah"]),
            _ => "",
        };
        out.push_str(l);
        // A short vowel between two consonants, which Arabic script does not write.
        let vowel_next = cs
            .get(i + 1)
            .is_some_and(|n| !matches!(n, 'ا' | 'و' | 'ي' | 'ى' | 'ة'));
        if vowel_next && !matches!(c, 'ا' | 'و' | 'ي' | 'ى') && rng.random_bool(0.6) {
            out.push_str(pick(rng, &["a", "i", "u", "e"]));
        }
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().chain(chars).collect(),
        None => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn romanised_names_read_back_to_the_arabic_keys() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..5 {
            let l = romanise(&mut rng, "محمد");
            assert!(["Mohammed", "Muhammad", "Mohamad", "Mohamed"].contains(&l.as_str()));
        }
        let l = romanise(&mut rng, "الموسوي");
        assert!(
            l.starts_with("Al") || l.starts_with("al") || l.starts_with("El"),
            "{l}"
        );
    }
}
