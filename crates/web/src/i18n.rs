//! Message catalogs: one `key = value` file per language (Arabic, Kurdish Sorani, English), compiled in
//! and listed in `CATALOGS`. Every text a person reads comes from here: the interface's words, the
//! refusals (`err_<code>`, with `{name}` for the values they name) and the labels of domain codes
//! (`state_active`, `reason_deceased`, `cure_deceased`, `rel_head`, `role_auditor`…). Every catalog
//! has every key (a test checks it, and that each key the code uses exists); Arabic is the primary
//! language and the fallback. A new language is one more file and one more line in `CATALOGS`.

use std::collections::HashMap;
use std::sync::LazyLock;
use tamwin_domain::access::Role;
use tamwin_domain::{CardState, HoldReason, Relation};

/// (code, text direction, the language's own name, catalog text).
const CATALOGS: &[(&str, &str, &str, &str)] = &[
    ("ar", "rtl", "العربية", include_str!("../i18n/ar.txt")),
    ("ckb", "rtl", "کوردی", include_str!("../i18n/ckb.txt")),
    ("en", "ltr", "English", include_str!("../i18n/en.txt")),
];

fn parse(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static PARSED: LazyLock<Vec<HashMap<&'static str, &'static str>>> =
    LazyLock::new(|| CATALOGS.iter().map(|c| parse(c.3)).collect());

/// A language with a catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(usize);

impl Lang {
    /// Arabic: the default and the fallback.
    pub const PRIMARY: Lang = Lang(0);

    pub fn parse(code: &str) -> Option<Lang> {
        CATALOGS.iter().position(|c| c.0 == code).map(Lang)
    }
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..CATALOGS.len()).map(Lang)
    }
    pub fn code(self) -> &'static str {
        CATALOGS[self.0].0
    }
    pub fn dir(self) -> &'static str {
        CATALOGS[self.0].1
    }
    pub fn native_name(self) -> &'static str {
        CATALOGS[self.0].2
    }
}

/// An item's name from the catalogs (`item_<code>`) in a language, for the messages the application
/// writes itself (receipts); `None` for an unknown language or item.
pub fn item_names() -> tamwin_app::ItemNames {
    std::sync::Arc::new(|item: &str, lang: &str| {
        let tr = Tr {
            lang: Lang::parse(lang)?,
        };
        tr.lookup(&format!("item_{item}")).map(str::to_string)
    })
}

/// Translations for one page.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    fn lookup(&self, key: &str) -> Option<&'static str> {
        PARSED.get(self.lang.0).and_then(|c| c.get(key)).copied()
    }

    /// The key's text, in Arabic where this language lacks it; `None` for a key no catalog has.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.lookup(key)
            .or_else(|| PARSED.first().and_then(|c| c.get(key)).copied())
    }

    pub fn t(&self, key: &str) -> &'static str {
        self.lookup(key)
            .or_else(|| PARSED.first().and_then(|c| c.get(key)).copied())
            .unwrap_or("?")
    }

    /// English where the page is English, Arabic otherwise: for data that carries both (place and
    /// centre names), never for the interface's own words.
    pub fn pick<'a>(&self, ar: &'a str, en: &'a str) -> &'a str {
        if self.lang.code() == "en" { en } else { ar }
    }

    /// The label of a domain code (`state_active`, `role_auditor`): the catalog's, like every text.
    pub fn label(&self, prefix: &str, code: &str) -> &'static str {
        self.t(&format!("{prefix}_{code}"))
    }
    pub fn state(&self, s: CardState) -> &'static str {
        self.label("state", s.code())
    }
    pub fn reason(&self, r: HoldReason) -> &'static str {
        self.label("reason", r.code())
    }
    pub fn cure(&self, r: HoldReason) -> &'static str {
        self.label("cure", r.code())
    }
    pub fn relation(&self, r: Relation) -> &'static str {
        self.label("rel", r.code())
    }
    pub fn role(&self, r: Role) -> &'static str {
        self.label("role", r.code())
    }
}

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;
