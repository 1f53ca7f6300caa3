//! The evidence of a hold the system placed, in the page's language. The system records it in
//! English (the audit log's and the API's words: `abroad since 2024-03-26 (hub request …)`); a page
//! in another language reads the known forms back into the catalog's words with the same dates and
//! references. Evidence a person typed is shown as typed.

use crate::i18n::Tr;

fn iso(v: &str) -> String {
    format!("\u{2068}{v}\u{2069}")
}

fn fill(tr: Tr, key: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(tr.t(key).to_string(), |t, (k, v)| {
        t.replace(&format!("{{{k}}}"), v)
    })
}

/// What the civil registry said of a member, as the hub's answers are recorded.
fn registry_answer(tr: Tr, why: &str) -> Option<String> {
    if let Some(d) = why.strip_prefix("abroad since ") {
        return Some(fill(tr, "ev_abroad_since", &[("date", iso(d))]));
    }
    if let Some(d) = why.strip_prefix("deceased since ") {
        return Some(fill(tr, "ev_deceased_since", &[("date", iso(d))]));
    }
    if let Some(f) = why.strip_prefix("differs from the civil registry: ") {
        let fields: Vec<String> = f
            .split(", ")
            .map(|x| {
                let k = match x {
                    "birth_date" => "birth",
                    x => x.trim_end_matches("_name"),
                };
                tr.get(&format!("field_{k}"))
                    .map_or_else(|| iso(x), str::to_string)
            })
            .collect();
        let sep = format!("{} ", tr.t("list_sep"));
        return Some(fill(tr, "ev_differs", &[("fields", fields.join(&sep))]));
    }
    match why {
        "national ID deactivated: holder deceased" => Some(tr.t("ev_id_deceased").to_string()),
        "no person with this national ID in the civil registry" => {
            Some(tr.t("ev_id_not_found").to_string())
        }
        _ => None,
    }
}

pub fn evidence(tr: Tr, text: &str) -> String {
    if tr.lang.code() == "en" {
        return text.to_string();
    }
    known(tr, text).unwrap_or_else(|| text.to_string())
}

fn known(tr: Tr, text: &str) -> Option<String> {
    if let Some((why, hash)) = text
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once(" (hub request "))
    {
        let why = why.strip_prefix("civil registry search: ").unwrap_or(why);
        let what = registry_answer(tr, why)?;
        return Some(fill(tr, "ev_hub", &[("what", what), ("ref", iso(hash))]));
    }
    if let Some((head, id)) = text
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once(" (civil registry event "))
    {
        let (what, date) = head.split_once(" on ")?;
        let key = match what {
            "death" => "ev_death",
            "exit" => "ev_exit",
            _ => return None,
        };
        return Some(fill(tr, key, &[("date", iso(date)), ("ref", iso(id))]));
    }
    if let Some(rest) = text.strip_prefix("absent at the update-centre appointment of ") {
        let (day, rest) = rest.split_once(" (")?;
        let (id, _) = rest.split_once(')')?;
        return Some(fill(
            tr,
            "ev_absent",
            &[("date", iso(day)), ("ref", iso(id))],
        ));
    }
    if let Some(rest) = text.strip_prefix("temporary card ") {
        let (id, rest) = rest.split_once(" expired on ")?;
        let (date, _) = rest.split_once(' ')?;
        return Some(fill(
            tr,
            "ev_temporary_card_expired",
            &[("date", iso(date)), ("ref", iso(id))],
        ));
    }
    if let Some(rest) = text.strip_prefix("screening finding ") {
        let (id, _) = rest.split_once(':')?;
        return Some(fill(tr, "ev_screening", &[("ref", iso(id))]));
    }
    match text {
        "registry rule" => Some(tr.t("ev_registry_rule").to_string()),
        "no unified national ID on record" => Some(tr.t("ev_no_national_id").to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_systems_evidence_reads_in_the_pages_language() {
        for lang in ["ar", "ckb"] {
            let tr = Tr {
                lang: Lang::parse(lang).unwrap(),
            };
            for text in [
                "civil registry search: abroad since 2024-03-26 (hub request 7084e0cd)",
                "national ID deactivated: holder deceased (hub request 7084e0cd)",
                "differs from the civil registry: given_name, birth_date (hub request ab12)",
                "death on 2026-11-02 (civil registry event 0f1e2d)",
                "absent at the update-centre appointment of 2026-12-07 (01a2-359e); cure: book a new appointment",
                "temporary card 0c1d expired on 2026-12-01 without a unified national card; cure: obtain it",
                "screening finding 0a1b: given=exact(+3.41)",
                "registry rule",
            ] {
                let s = evidence(tr, text);
                let prose = s
                    .split(|c: char| !c.is_ascii_alphabetic())
                    .any(|w| w.len() > 3);
                assert!(!prose, "{lang}: {text} → {s}");
            }
        }
    }
}
