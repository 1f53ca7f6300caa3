//! The catalogs agree: each has every key the others have, and every key the code names (in Rust and
//! in templates, the refusal codes of app, domain and web, the labels of domain codes) exists.

use super::*;
use std::path::Path;

fn sources(dir: &Path, ext: &str, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            out.push((p.display().to_string(), text));
        }
    }
}

/// The string literals right after `prefix` (`t("` → the key), when they look like keys.
fn literals_after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let end = rest.find('"')?;
            let k = &rest[..end];
            let is_key = !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            is_key.then_some(k)
        })
        .collect()
}

/// Codes written as `"code", "an English sentence"` or `"code", format!(` (a field error's code and
/// its English words, in any of the helpers that build one).
fn coded_pairs(text: &str) -> Vec<&str> {
    let mut out = vec![];
    for (i, _) in text.match_indices('"') {
        let rest = &text[i + 1..];
        let Some(end) = rest.find('"') else { continue };
        let k = &rest[..end];
        if k.is_empty()
            || !k.contains('_')
            || !k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            continue;
        }
        let after = rest[end + 1..].trim_start();
        let Some(after) = after.strip_prefix(',') else {
            continue;
        };
        let after = after.trim_start();
        let sentence = after
            .strip_prefix('"')
            .and_then(|s| s.split('"').next())
            .is_some_and(|s| s.contains(' '));
        if sentence || after.starts_with("format!(") {
            out.push(k);
        }
    }
    out
}

#[test]
fn every_catalog_has_every_key_of_the_others() {
    let all: std::collections::BTreeSet<&str> =
        PARSED.iter().flat_map(|c| c.keys().copied()).collect();
    assert!(all.len() > 400);
    for (i, c) in PARSED.iter().enumerate() {
        let missing: Vec<_> = all.iter().filter(|k| !c.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", CATALOGS[i].0);
    }
    // The same order too, so that the files read side by side and merge line by line.
    let order = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
            .collect()
    };
    for c in CATALOGS {
        assert_eq!(
            order(c.3),
            order(CATALOGS[0].3),
            "{}: keys out of order",
            c.0
        );
    }
    let (ar, ckb, en) = (
        Tr {
            lang: Lang::PRIMARY,
        },
        Tr {
            lang: Lang::parse("ckb").unwrap(),
        },
        Tr {
            lang: Lang::parse("en").unwrap(),
        },
    );
    assert_eq!(ar.t("lookup_submit"), "بحث");
    assert_eq!(ckb.t("lookup_submit"), "گەڕان");
    assert_eq!(en.t("lookup_submit"), "Search");
    assert_eq!(ar.state(CardState::Blocked), "محجوبة");
    assert_eq!(en.reason(HoldReason::Abroad), "living abroad");
    assert_eq!(Lang::parse("xx"), None);
    assert_eq!(ckb.lang.dir(), "rtl");
    assert!(Lang::all().all(|l| l.dir() == "rtl" || l.dir() == "ltr"));
}

#[test]
fn every_key_the_code_names_is_in_the_catalogs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ar = &PARSED[0];
    let mut missing = std::collections::BTreeSet::new();
    let mut need = |key: String, whence: &str| {
        if !ar.contains_key(key.as_str()) {
            missing.insert(format!("{key} ({whence})"));
        }
    };
    // Keys in web's code and templates.
    let mut web = vec![];
    sources(&root.join("src"), "rs", &mut web);
    sources(&root.join("templates"), "html", &mut web);
    for (file, text) in &web {
        if file.ends_with("i18n_tests.rs") {
            continue;
        }
        for k in literals_after(text, ".t(\"") {
            need(k.to_string(), file);
        }
        for k in literals_after(text, "tr.get(\"") {
            need(k.to_string(), file);
        }
        for k in literals_after(text, "Problem::new(") {
            need(format!("err_{k}"), file);
        }
    }
    // Refusal codes everywhere they are made.
    let mut code = web.clone();
    for c in ["app", "domain"] {
        sources(&root.join("..").join(c).join("src"), "rs", &mut code);
    }
    for (file, text) in &code {
        // The import's reject files are for the command line, in English.
        if file.ends_with("tests.rs") || file.contains("/import/") {
            continue;
        }
        let text = text.replace("\n", " ");
        let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        // `AppError::rule("…")` and the helpers named `rule("…", params)`.
        for k in literals_after(&squeezed, "rule(\"") {
            need(format!("err_{k}"), file);
        }
        for k in literals_after(&squeezed, "Rule { code: \"") {
            need(format!("err_{k}"), file);
        }
        for k in literals_after(&squeezed, "for_field(\"") {
            need(format!("err_{k}"), file);
        }
        for k in squeezed
            .match_indices("Problem::new(")
            .filter_map(|(i, _)| squeezed[i..].split('"').nth(1))
            .filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        {
            need(format!("err_{k}"), file);
        }
        for k in coded_pairs(&squeezed) {
            need(format!("err_{k}"), file);
        }
    }
    // The app's own errors and the QR codes' refusals.
    use tamwin_app::AppError;
    for e in [
        AppError::Validation(Default::default()),
        AppError::NotFound,
        AppError::NationalIdTaken,
        AppError::Busy,
        AppError::IdempotencyKeyReused,
        AppError::Unauthenticated,
        AppError::Forbidden,
        AppError::CodeRefused,
        AppError::TooManyCodes,
        AppError::SignInRefused,
        AppError::TooManyAttempts(60),
        AppError::Internal(String::new()),
    ] {
        need(format!("err_{}", e.code()), "AppError");
    }
    for e in tamwin_card::CardError::ALL {
        need(format!("err_{}", e.code()), "CardError");
    }
    // Labels of domain codes.
    use tamwin_domain::appointment::{AppointmentStatus, Document};
    use tamwin_domain::delivery::DeliveryStatus;
    let labels = CardState::ALL
        .iter()
        .map(|x| format!("state_{}", x.code()))
        .chain(
            HoldReason::ALL
                .iter()
                .map(|x| format!("reason_{}", x.code())),
        )
        .chain(HoldReason::ALL.iter().map(|x| format!("cure_{}", x.code())))
        .chain(Relation::ALL.iter().map(|x| format!("rel_{}", x.code())))
        .chain(Role::ALL.iter().map(|x| format!("role_{}", x.code())))
        .chain(Document::ALL.iter().map(|x| format!("doc_{}", x.code())))
        .chain(
            AppointmentStatus::ALL
                .iter()
                .map(|x| format!("apstatus_{}", x.code())),
        )
        .chain(
            DeliveryStatus::ALL
                .iter()
                .map(|x| format!("dstatus_{}", x.code())),
        );
    for k in labels {
        need(k, "domain label");
    }
    assert!(missing.is_empty(), "keys no catalog has: {missing:#?}");
}
