//! Message catalogs: one `key = value` file per language, compiled in. Arabic is the primary language and
//! the fallback; a new language (Kurdish Sorani, `ckb`) is one more file with the same keys.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ar,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En => "ltr",
        }
    }
    pub fn other(self) -> Lang {
        match self {
            Lang::Ar => Lang::En,
            Lang::En => Lang::Ar,
        }
    }
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "ar" => Some(Lang::Ar),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

fn parse(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static AR: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| parse(include_str!("../i18n/ar.txt")));
static EN: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| parse(include_str!("../i18n/en.txt")));

/// Translations for one page.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn t(&self, key: &str) -> &'static str {
        let cat = match self.lang {
            Lang::Ar => &*AR,
            Lang::En => &*EN,
        };
        cat.get(key).or_else(|| AR.get(key)).copied().unwrap_or("?")
    }
    pub fn is_ar(&self) -> bool {
        self.lang == Lang::Ar
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_arabic_key_is_in_english_and_back() {
        let mut a: Vec<_> = AR.keys().collect();
        let mut e: Vec<_> = EN.keys().collect();
        a.sort();
        e.sort();
        assert_eq!(a, e);
        assert!(AR.len() > 30);
        assert_eq!(Tr { lang: Lang::Ar }.t("lookup_submit"), "بحث");
        assert_eq!(Tr { lang: Lang::En }.t("lookup_submit"), "Search");
    }
}
