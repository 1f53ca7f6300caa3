//! Latin-script names (travel and exit records) to Arabic name keys, so that they compare with the
//! registry's Arabic names. Names common in Iraq are looked up whole (their Latin spellings vary more
//! than letters can tell: Mohammed, Muhammad, Mohamad); any other word is transliterated letter by
//! letter to a consonant skeleton. `Abdul X`, `Abd al-X`, `Abdel X` become عبدX; `al-`/`el-` go, as
//! the Arabic key drops ال.

/// Known names, by their Latin forms after lower-casing and removing everything but letters.
const NAMES: &[(&[&str], &str)] = &[
    (
        &[
            "mohammed", "muhammad", "mohamad", "mohamed", "mohammad", "muhammed", "mohd",
        ],
        "محمد",
    ),
    (&["ahmed", "ahmad"], "احمد"),
    (&["mahmoud", "mahmood", "mahmud"], "محمود"),
    (&["ali"], "علي"),
    (
        &[
            "hussein", "husain", "hussain", "hosein", "husayn", "hussien",
        ],
        "حسين",
    ),
    (&["hassan", "hasan"], "حسن"),
    (&["abbas"], "عباس"),
    (&["jaafar", "jafar", "jaffar"], "جعفر"),
    (
        &["kadhim", "kazim", "kathem", "kadhem", "kazem", "kathim"],
        "كاظم",
    ),
    (&["jasim", "jassim", "jasem", "jassem"], "جاسم"),
    (&["mustafa", "mustapha", "moustafa"], "مصطفي"),
    (&["haider", "haidar", "hayder", "hyder"], "حيدر"),
    (&["karim", "kareem"], "كريم"),
    (&["salih", "saleh"], "صالح"),
    (&["omar", "umar"], "عمر"),
    (&["fatima", "fatimah", "fatma"], "فاطمه"),
    (&["zainab", "zeinab", "zaynab"], "زينب"),
    (&["maryam", "mariam"], "مريم"),
    (&["khadija", "khadijah", "khadeeja"], "خديجه"),
    (&["zahraa", "zahra"], "زهراء"),
    (&["sajjad", "sajad"], "سجاد"),
    (&["mahdi", "mehdi"], "مهدي"),
    (&["hamid", "hameed"], "حميد"),
    (&["abdullah", "abdallah", "abdulla", "abdalla"], "عبدالله"),
    (&["allah", "ullah"], "الله"),
];

/// Digraphs first, then single letters; vowels are dropped inside a word (Arabic writes short vowels as
/// marks the key ignores) and kept as alef/waw/yaa only at its start.
const DIGRAPHS: &[(&str, &str)] = &[
    ("sh", "ش"),
    ("kh", "خ"),
    ("th", "ث"),
    ("dh", "ذ"),
    ("gh", "غ"),
    ("ch", "چ"),
    ("aa", "ا"),
    ("ee", "ي"),
    ("oo", "و"),
    ("ou", "و"),
];

fn letter(c: char) -> Option<&'static str> {
    Some(match c {
        'b' => "ب",
        'p' => "ب",
        't' => "ت",
        'j' => "ج",
        'h' => "ه",
        'd' => "د",
        'r' => "ر",
        'z' => "ز",
        's' => "س",
        'c' | 'k' => "ك",
        'q' => "ق",
        'f' | 'v' => "ف",
        'g' => "ك",
        'l' => "ل",
        'm' => "م",
        'n' => "ن",
        'w' => "و",
        'y' => "ي",
        'x' => "كس",
        _ => return None,
    })
}

fn word(w: &str) -> String {
    if let Some((_, ar)) = NAMES.iter().find(|(forms, _)| forms.contains(&w)) {
        return (*ar).to_string();
    }
    let mut out = String::new();
    let mut rest = w;
    let mut first = true;
    while !rest.is_empty() {
        if let Some((l, ar)) = DIGRAPHS.iter().find(|(l, _)| rest.starts_with(l)) {
            out.push_str(ar);
            rest = &rest[l.len()..];
            first = false;
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        match c {
            'a' | 'e' | 'i' | 'o' | 'u' if first => out.push('ا'),
            'a' | 'e' | 'i' | 'o' | 'u' => {}
            c => {
                if let Some(ar) = letter(c) {
                    // A doubled consonant is one letter with a shadda in Arabic, which the key drops.
                    if !out.ends_with(ar) {
                        out.push_str(ar);
                    }
                }
            }
        }
        first = false;
    }
    out
}

/// A key for comparing across scripts: the long vowels and the letters Latin spellings cannot tell apart
/// folded away (emphatics to their plain letters, ع and ء dropped, ح to ه).
pub fn consonants(key: &str) -> String {
    key.chars()
        .filter_map(|c| match c {
            'ا' | 'و' | 'ي' | 'ع' | 'ء' => None,
            'ص' => Some('س'),
            'ض' => Some('د'),
            'ط' => Some('ت'),
            'ظ' => Some('ذ'),
            'ق' | 'غ' => Some('ك'),
            'ح' => Some('ه'),
            other => Some(other),
        })
        .collect()
}

/// Compares a Latin-script name with an Arabic name key, at the same levels as two Arabic names:
/// exact when the transliteration meets it, skeleton when their consonants do.
pub fn compare_cross(latin: &str, arabic_key: &str) -> crate::compare::NameLevel {
    use crate::compare::NameLevel;
    let l = latin_key(latin);
    if l.is_empty() || arabic_key.is_empty() {
        return NameLevel::Missing;
    }
    if l == arabic_key {
        return NameLevel::Exact;
    }
    let (a, b) = (consonants(&l), consonants(arabic_key));
    if a == b {
        return NameLevel::Skeleton;
    }
    crate::compare::band(crate::jaro::jaro_winkler(&a, &b))
}

/// The Arabic name key of a Latin-script name (`text_ar::name_key` of the transliteration).
pub fn latin_key(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<String> = lower
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let mut out: Vec<String> = vec![];
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if let Some((_, ar)) = NAMES.iter().find(|(forms, _)| forms.contains(&w)) {
            out.push((*ar).to_string());
            i += 1;
            continue;
        }
        // Abdul Karim, Abd al-Karim, Abdel Karim, Abdulkarim: one word عبدكريم.
        let abd = ["abdul", "abdel", "abdal", "abdil", "abd"]
            .iter()
            .find(|p| w.starts_with(*p));
        if let Some(p) = abd {
            let tail = &w[p.len()..];
            let (next, skip) = if !tail.is_empty() {
                (tail.to_string(), 1)
            } else {
                match words.get(i + 1).map(String::as_str) {
                    Some("al" | "el" | "ul") => (words.get(i + 2).cloned().unwrap_or_default(), 3),
                    Some(n) => (n.to_string(), 2),
                    None => (String::new(), 1),
                }
            };
            // عبد is always followed by the article in these names (Abdul = Abd al-).
            out.push(format!("عبدال{}", word(&next)));
            i += skip;
            continue;
        }
        if matches!(w, "al" | "el") {
            i += 1;
            continue;
        }
        out.push(word(w));
        i += 1;
    }
    tamwin_text_ar::name_key(&out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::NameLevel;
    use crate::translit::compare_cross;
    use tamwin_text_ar::name_key;

    #[test]
    fn common_spellings_meet_the_arabic_name() {
        for latin in ["Mohammed", "MUHAMMAD", "Mohamad", "mohamed"] {
            assert_eq!(latin_key(latin), name_key("محمد"), "{latin}");
        }
        assert_eq!(latin_key("Hussein Ali"), name_key("حسين علي"));
        assert_eq!(latin_key("Fatimah"), name_key("فاطمة"));
    }

    #[test]
    fn abd_compounds_and_the_article() {
        let want = name_key("عبد الكريم");
        for latin in [
            "Abdul Karim",
            "Abd al-Karim",
            "Abdel Kareem",
            "Abdulkarim",
            "Abd el Karim",
        ] {
            assert_eq!(latin_key(latin), want, "{latin}");
        }
        assert_eq!(latin_key("al-Zaidi"), latin_key("Zaidi"));
        assert_eq!(latin_key("El-Zaidi"), latin_key("zaidi"));
    }

    #[test]
    fn unknown_names_fall_back_to_a_comparable_skeleton() {
        // ناصر / Nasser, صباح / Sabah: their consonants meet.
        assert_eq!(
            compare_cross("Nasser", &name_key("ناصر")),
            NameLevel::Skeleton
        );
        assert_eq!(
            compare_cross("Sabah", &name_key("صباح")),
            NameLevel::Skeleton
        );
        assert_eq!(
            compare_cross("Mohammed", &name_key("محمد")),
            NameLevel::Exact
        );
        assert_eq!(
            compare_cross("Abdullah", &name_key("عبد الله")),
            NameLevel::Exact
        );
        assert!(compare_cross("Nasser", &name_key("حسين")) >= NameLevel::Similar);
        assert_eq!(compare_cross("", &name_key("حسين")), NameLevel::Missing);
        assert_eq!(latin_key("Shakir"), "شكر");
        assert_eq!(latin_key(""), "");
        assert_eq!(latin_key("123 -"), "");
    }
}
