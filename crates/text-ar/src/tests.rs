use super::*;
use proptest::prelude::*;

#[test]
fn hamza_forms_tatweel_and_diacritics_fold_together() {
    let k = name_key("أحمد");
    assert_eq!(k, "احمد");
    assert_eq!(name_key("احمد"), k);
    assert_eq!(name_key("أحمـــد"), k);
    assert_eq!(name_key("أَحْمَد"), k);
    assert_eq!(name_key("إحمد"), k);
    assert_eq!(name_key("آحمد"), k);
}

#[test]
fn taa_marbuta_alef_maqsura_and_persian_letters() {
    assert_eq!(name_key("فاطمة"), name_key("فاطمه"));
    assert_eq!(name_key("مرتضى"), name_key("مرتضي"));
    assert_eq!(name_key("علی"), name_key("علي"));
    assert_eq!(name_key("کاظم"), name_key("كاظم"));
}

#[test]
fn abd_compounds_join_and_are_never_dropped() {
    assert_eq!(name_key("عبد الله"), name_key("عبدالله"));
    assert_eq!(name_key("عبد الله"), "عبدالله");
    assert_ne!(name_key("عبد الله"), name_key("الله"));
    assert_eq!(name_key("عبد الأمير"), name_key("عبدالامير"));
    // A trailing lone عبد stays a word of its own.
    assert_eq!(name_key("عبد"), "عبد");
}

#[test]
fn article_on_family_names() {
    assert_eq!(name_key("الربيعي"), name_key("ربيعي"));
    assert_eq!(name_key("علي حسين الربيعي"), "علي حسين ربيعي");
    // Too short to be an article: kept.
    assert_eq!(name_key("الي"), "الي");
}

#[test]
fn presentation_forms_and_invisible_marks() {
    // U+FEE3 U+FEA4 U+FEE4 U+FEAA: presentation forms of محمد.
    assert_eq!(
        name_key("\u{FEE3}\u{FEA4}\u{FEE4}\u{FEAA}"),
        name_key("محمد")
    );
    assert_eq!(name_key("مح\u{200C}مد\u{200F}"), name_key("محمد"));
    assert_eq!(name_key("\u{FEFF}محمد"), name_key("محمد"));
}

#[test]
fn digits_fold_in_any_script() {
    assert_eq!(fold_digits("١٢٣٤٥٦٧٨٩٠"), "1234567890");
    assert_eq!(fold_digits("۱۲۳"), "123");
    assert_eq!(tokens("بيت ٤٢"), vec!["بيت".to_string(), "42".to_string()]);
}

#[test]
fn chain_key_skips_missing_parts() {
    assert_eq!(
        chain_key(&[Some("علي"), Some("حسين"), None, Some("آل ياسين")]),
        "علي حسين ال ياسين"
    );
    assert_eq!(chain_key(&[Some("علي"), None]), "علي");
}

#[test]
fn prefix_on_token_boundary() {
    assert!(key_has_prefix("علي حسين كاظم", "علي حسين"));
    assert!(key_has_prefix("علي حسين", "علي حسين"));
    assert!(!key_has_prefix("علي حسينه", "علي حسين"));
}

fn noisy_name() -> impl Strategy<Value = (String, String)> {
    // A clean name and the same name with noise that must not change its key.
    let letters = prop::sample::select(vec![
        'ا', 'ب', 'ح', 'د', 'ر', 'س', 'ع', 'ل', 'م', 'ن', 'ه', 'و', 'ي', 'ك', 'ق',
    ]);
    let noise = prop::sample::select(vec![
        '\u{0640}', '\u{064E}', '\u{0650}', '\u{0652}', '\u{200C}', '\u{200F}', '\u{FEFF}',
    ]);
    (
        prop::collection::vec(letters, 2..10),
        prop::collection::vec(prop::option::of(noise), 10),
    )
        .prop_map(|(ls, ns)| {
            let clean: String = ls.iter().collect();
            let mut noisy = String::new();
            for (i, c) in ls.iter().enumerate() {
                noisy.push(*c);
                if let Some(Some(n)) = ns.get(i) {
                    noisy.push(*n);
                }
            }
            (clean, noisy)
        })
}

proptest! {
    #[test]
    fn key_is_idempotent(s in "\\PC{0,40}") {
        let k = name_key(&s);
        prop_assert_eq!(name_key(&k), k.clone());
        let t = tokens(&s).join(" ");
        prop_assert_eq!(tokens(&t).join(" "), t);
    }

    #[test]
    fn keys_hold_no_foreign_digits_marks_or_tatweel(s in "[\\u{0600}-\\u{06FF}\\u{0660}-\\u{0669}\\u{200B}-\\u{200F} a-zA-Z0-9]{0,40}") {
        let k = name_key(&s);
        prop_assert!(!k.chars().any(|c| ('\u{0660}'..='\u{0669}').contains(&c) || ('\u{06F0}'..='\u{06F9}').contains(&c)), "foreign digit in {:?}", k);
        prop_assert!(!k.chars().any(|c| is_invisible(c) || is_diacritic_or_tatweel(c)), "mark left in {:?}", k);
    }

    #[test]
    fn display_text_is_never_altered(s in "\\PC{0,40}") {
        let before = s.clone();
        let _ = name_key(&s);
        let _ = chain_key(&[Some(&s), Some(&s)]);
        prop_assert_eq!(s, before);
    }

    #[test]
    fn noise_does_not_change_the_key((clean, noisy) in noisy_name()) {
        prop_assert_eq!(name_key(&clean), name_key(&noisy));
    }
}

#[test]
fn names_hold_letters_of_arabic_kurdish_and_latin_only() {
    for ok in [
        "مُحَمَّـد\u{200C}",
        "عبد الله",
        "آل ياسين",
        "ڕێبین",
        "هەڵۆ",
        "گۆران",
        "پەروین",
        "Mohammed",
        "O'Brien",
        "José-María",
        "Zaïd al-Ḥusaynī",
        "\u{FE8D}\u{FEDF}\u{FEE4}\u{FEEE}\u{FEB3}\u{FEEE}\u{FEF1}",
        "St. John",
    ] {
        assert!(!has_non_name_chars(ok), "{ok:?} refused");
    }
    for bad in [
        "أحمد😀",
        "محمد2",
        "محمد٢",
        "محمد۲",
        "علي\n",
        "علي\u{202E}",
        "علي،حسن",
        "<script>",
        "علي@",
        "Алексей",
        "李",
        "a×b",
        "\u{FD3E}علي\u{FD3F}",
    ] {
        assert!(has_non_name_chars(bad), "{bad:?} accepted");
    }
}
