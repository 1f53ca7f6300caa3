//! Arabic normalisation for search and matching keys (DESIGN.md, "Arabic first"; domain/facts.md, "Names").
//!
//! Every function here builds a *key* from text; none alters the text a person typed. Display forms are
//! stored as entered and keys are derived beside them.

use unicode_normalization::UnicodeNormalization;

/// Arabic-Indic (U+0660..) and Extended Arabic-Indic (U+06F0.., Persian/Kurdish) digits to ASCII.
pub fn fold_digit(c: char) -> char {
    match c {
        '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        _ => c,
    }
}

/// Folds every digit of `s` to ASCII, leaving everything else as it is.
pub fn fold_digits(s: &str) -> String {
    s.chars().map(fold_digit).collect()
}

/// Marks that carry no letter: format controls, bidi controls, joiners, byte-order mark, soft hyphen.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Harakat, Quranic annotation marks, superscript alef and tatweel: dropped from keys.
fn is_diacritic_or_tatweel(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}' | '\u{06EA}'..='\u{06ED}' | '\u{0640}')
}

/// One letter to its search form: hamza-carrying alefs to bare alef, taa marbuta to haa, alef maqsura and
/// Persian/Kurdish yeh to yaa, keheh to kaf, hamza on waw/yaa to the bare letter.
fn fold_letter(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ة' | 'ە' | 'ھ' => 'ه',
        'ى' | 'ی' | 'ې' | 'ئ' => 'ي',
        'ک' => 'ك',
        'ؤ' => 'و',
        _ => fold_digit(c).to_lowercase().next().unwrap_or(c),
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '-' | '_' | '.' | ',' | '،' | '؛' | ';' | '/' | '\\' | '(' | ')' | '"' | '\''
        )
}

/// Normalised tokens of a name or phrase, before the name-specific rules.
pub fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    // NFKC turns presentation forms (U+FB50..U+FEFF) into base letters and composes alef + hamza marks.
    for c in s.nfkc() {
        if is_invisible(c) || is_diacritic_or_tatweel(c) {
            continue;
        }
        if is_separator(c) {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        cur.push(fold_letter(c));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

const ABD: &str = "عبد";
const AL: &str = "ال";

/// Name tokens for search and matching: `tokens`, then عبد joined to the word after it (never dropped),
/// then the article ال removed from the front of a word that keeps at least two letters after it.
/// The article is removed from every token, not only the family name, so a query needs no knowledge of
/// which part of the chain a word is; given names beginning with ال are rare and fold consistently.
pub fn name_tokens(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending_abd = false;
    for t in tokens(s) {
        if pending_abd {
            out.push(format!("{ABD}{t}"));
            pending_abd = false;
            continue;
        }
        let t = strip_article(&t);
        if t == ABD {
            pending_abd = true;
        } else {
            out.push(t.to_string());
        }
    }
    if pending_abd {
        out.push(ABD.to_string());
    }
    out
}

/// Removes the article as often as it leads (so the key is a fixed point), keeping two letters at least.
fn strip_article(mut t: &str) -> &str {
    while let Some(rest) = t.strip_prefix(AL) {
        if rest.chars().count() < 2 {
            break;
        }
        t = rest;
    }
    t
}

/// The search key of a name or a chain of names: normalised name tokens joined by one space.
pub fn name_key(s: &str) -> String {
    name_tokens(s).join(" ")
}

/// The key of a chain of name parts (given, father, grandfather, family…), skipping missing parts.
pub fn chain_key(parts: &[Option<&str>]) -> String {
    let mut out: Vec<String> = Vec::new();
    for p in parts.iter().flatten() {
        out.extend(name_tokens(p));
    }
    out.join(" ")
}

/// Whether `key` starts with `prefix` on a token boundary (both already keys).
pub fn key_has_prefix(key: &str, prefix: &str) -> bool {
    key == prefix || (key.starts_with(prefix) && key[prefix.len()..].starts_with(' '))
}

/// Whether `c` may stand in a person's name as typed (domain/facts.md, "Names"): a letter of the
/// Arabic script as Arabic, Persian and Kurdish (Sorani) write it, with its diacritics and tatweel and
/// its presentation forms; a Latin letter, accented or not (passport spellings); a space; one of the
/// marks `-`, `'`, `’`, `ʼ`, `.`; or an invisible joiner or direction mark keyboards insert (dropped
/// from keys). Digits, symbols, emoji, other scripts, control characters and bidi overrides are not.
pub fn is_name_char(c: char) -> bool {
    match c {
        ' ' | '\u{00A0}' | '-' | '\'' | '\u{2019}' | '\u{02BC}' | '.' => true,
        // Embeddings, overrides and isolates reorder what is shown: not part of a name.
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => false,
        c if is_invisible(c) || is_diacritic_or_tatweel(c) => true,
        '\u{0621}'..='\u{063F}' | '\u{0641}'..='\u{064A}' => true,
        // Persian, Kurdish and other extended letters (پ چ ژ گ ڤ ڕ ڵ ۆ ێ ە ی ک …).
        '\u{066E}'..='\u{066F}' | '\u{0671}'..='\u{06D3}' | '\u{06D5}' => true,
        '\u{06EE}'..='\u{06EF}' | '\u{06FA}'..='\u{06FC}' | '\u{06FF}' => true,
        '\u{0750}'..='\u{077F}' => true,
        // A presentation form is as good as the letters it stands for (ornate parentheses are not).
        '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFC}' => {
            let base: String = std::iter::once(c).nfkc().collect();
            base != c.to_string() && base.chars().all(is_name_char)
        }
        'A'..='Z' | 'a'..='z' => true,
        '\u{00D7}' | '\u{00F7}' => false,
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' | '\u{0300}'..='\u{036F}' => true,
        _ => false,
    }
}

/// True if `s` contains a character that makes no sense in a name (see `is_name_char`): a digit in
/// any script, a symbol, an emoji, a control character.
pub fn has_non_name_chars(s: &str) -> bool {
    s.chars().any(|c| !is_name_char(c))
}

#[cfg(test)]
mod tests;
