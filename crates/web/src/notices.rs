//! What a redirect may tell the page it lands on (issue 13, point 8): `?error=` and `?message=` carry
//! codes, never text. The page looks each code up in the catalogs (`err_<code>` for refusals, a fixed
//! list of outcome keys for messages) and shows nothing of an unknown one but a generic refusal, so a
//! made-up text in a link is never shown as the system's.

use crate::i18n::Tr;
use tamwin_app::AppError;

/// The codes of a refusal for `?error=`: the error's own code and, for invalid input, each field's
/// (the catalog says what each means).
pub fn refusal_codes(e: &AppError) -> String {
    let mut codes = vec![e.code()];
    if let AppError::Validation(v) = e {
        codes.extend(v.0.iter().map(|f| f.code));
    }
    codes.join(",")
}

/// Codes are short, lowercase ASCII words; anything else is not a code.
fn is_code(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 64
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The refusal a page shows for `?error=codes`: the catalog's text of each known code (the first one
/// with a field's detail after it), or a generic refusal when none is known; nothing when empty.
/// Catalog texts are the project's own HTML (numbers isolated in `<bdi>`), so the result is safe.
pub fn error_html(tr: Tr, codes: Option<&str>) -> String {
    let Some(codes) = codes.filter(|c| !c.trim().is_empty()) else {
        return String::new();
    };
    let mut texts: Vec<&'static str> = vec![];
    for c in codes.split(',').map(str::trim).filter(|c| is_code(c)) {
        if let Some(t) = tr.get(&format!("err_{c}"))
            && !texts.contains(&t)
        {
            texts.push(t);
        }
    }
    if texts.is_empty() {
        return tr.t("err_refused").to_string();
    }
    texts.join(" — ")
}

/// Outcomes a redirect may name in `?message=`: these catalog keys, and those starting with these
/// prefixes (the verification's answer, a finding's and an appeal's status, a cycle's step).
const OUTCOMES: [&str; 10] = [
    "tc_issued",
    "decl_saved",
    "basket_adjust_done",
    "home_visit_booked",
    "visit_corrected",
    "proposal_added",
    "visit_done",
    "screening_started",
    "exemption_granted",
    "job_requested",
];
const OUTCOME_PREFIXES: [&str; 5] = ["verif_", "fstatus_", "astatus_", "cycle_msg_", "msg_"];

/// The message a page shows for `?message=codes`: the catalog's text of each known outcome; nothing
/// for an unknown one.
pub fn message_html(tr: Tr, codes: Option<&str>) -> String {
    let Some(codes) = codes else {
        return String::new();
    };
    codes
        .split(',')
        .map(str::trim)
        .filter(|c| is_code(c))
        .filter(|c| OUTCOMES.contains(c) || OUTCOME_PREFIXES.iter().any(|p| c.starts_with(p)))
        .filter_map(|c| tr.get(c))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn only_catalog_texts_are_shown() {
        let tr = Tr {
            lang: Lang::PRIMARY,
        };
        let made_up = "اتصل بالرقم 07801234567 لاستلام حصتك";
        assert_eq!(error_html(tr, Some(made_up)), tr.t("err_refused"));
        assert_eq!(error_html(tr, Some("no_such_code")), tr.t("err_refused"));
        assert_eq!(error_html(tr, None), "");
        assert_eq!(error_html(tr, Some("slot_full")), tr.t("err_slot_full"));
        assert!(error_html(tr, Some("validation_failed,card_number_malformed")).contains("<bdi"));
        assert_eq!(message_html(tr, Some(made_up)), "");
        // A catalog key that is no outcome is not shown either.
        assert_eq!(message_html(tr, Some("app_name")), "");
        assert_eq!(message_html(tr, Some("visit_done")), tr.t("visit_done"));
        assert_eq!(
            message_html(tr, Some("verif_verified")),
            tr.t("verif_verified")
        );
        let e = AppError::Validation(tamwin_domain::ValidationErrors(vec![
            tamwin_domain::CardNumber::parse("12").unwrap_err(),
        ]));
        assert_eq!(refusal_codes(&e), "validation_failed,card_number_malformed");
    }
}
