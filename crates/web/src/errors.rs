//! How a refusal is shown: its HTTP status (decided here; `app` only names the code) and its words,
//! from the catalogs (`err_<code>`, the values it names filled in as `{name}`), in any language.

use crate::i18n::{Lang, Tr};
use axum::http::StatusCode;
use tamwin_app::AppError;
use tamwin_domain::FieldError;

/// The HTTP status of an app error.
pub fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Validation(_) | AppError::IdempotencyKeyReused => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::NationalIdTaken | AppError::Rule(_) | AppError::Busy => StatusCode::CONFLICT,
        AppError::Unauthenticated | AppError::CodeRefused | AppError::SignInRefused => {
            StatusCode::UNAUTHORIZED
        }
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::TooManyCodes | AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Store(tamwin_store::StoreError::Retryable(_)) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The catalog's text of a code, as HTML (numbers isolated in `<bdi>`), its values filled in (escaped).
/// An unknown code reads as the generic refusal. An `item`, `other` or `unit` value is an item's or unit's code:
/// its name is the catalog's.
pub fn code_html(tr: Tr, code: &str, params: &[(&'static str, String)]) -> String {
    let text = tr
        .get(&format!("err_{code}"))
        .unwrap_or_else(|| tr.t("err_refused"));
    let named: Vec<(&'static str, String)> = params
        .iter()
        .map(|(k, v)| match *k {
            "item" | "other" => (*k, tr.get(&format!("item_{v}")).unwrap_or(v).to_string()),
            "unit" => (
                *k,
                tr.get(&format!("unit_code_{v}")).unwrap_or(v).to_string(),
            ),
            _ => (*k, v.clone()),
        })
        .collect();
    fill(text, &named, |v| {
        format!("<bdi dir=\"ltr\" class=\"ltr\">{}</bdi>", escape(v))
    })
}

/// The same as plain text for a page (the template escapes it): what was isolated in `<bdi>` is isolated
/// with Unicode's isolate marks instead.
pub fn code_text(tr: Tr, code: &str, params: &[(&'static str, String)]) -> String {
    plain(&code_html(tr, code, params), true)
}

/// The same for the API: plain text with no marks.
pub fn code_api(lang: Lang, code: &str, params: &[(&'static str, String)]) -> String {
    plain(&code_html(Tr { lang }, code, params), false)
}

/// The error's own text, plain, for a page.
pub fn text(tr: Tr, e: &AppError) -> String {
    code_text(tr, e.code(), &e.params())
}

/// One field's text, plain, for a page.
pub fn field_text(tr: Tr, fe: &FieldError) -> String {
    code_text(tr, fe.code, &fe.params)
}

/// What a form shows for a refusal: the error's text and, for invalid input, each field's.
pub fn refusal(tr: Tr, e: &AppError) -> String {
    let mut msg = text(tr, e);
    if let AppError::Validation(v) = e {
        for fe in &v.0 {
            msg.push_str(" — ");
            msg.push_str(&field_text(tr, fe));
        }
    }
    msg
}

/// English words for the command line.
pub fn english(e: &AppError) -> String {
    let en = Lang::parse("en").unwrap_or(Lang::PRIMARY);
    let mut msg = code_api(en, e.code(), &e.params());
    if let AppError::Validation(v) = e {
        for fe in &v.0 {
            msg.push_str(&format!(
                "; {}: {}",
                fe.field,
                code_api(en, fe.code, &fe.params)
            ));
        }
    }
    msg
}

fn fill(text: &str, params: &[(&'static str, String)], show: impl Fn(&str) -> String) -> String {
    let mut out = text.to_string();
    for (k, v) in params {
        out = out.replace(&format!("{{{k}}}"), &show(v));
    }
    out
}

fn escape(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Catalog HTML to text: `<bdi>` becomes U+2068…U+2069 (or nothing), other tags go, entities are read.
fn plain(html: &str, isolate: bool) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('>') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let tag = &rest[i + 1..i + j];
        if isolate && tag.starts_with("bdi") {
            out.push('\u{2068}');
        } else if isolate && tag == "/bdi" {
            out.push('\u{2069}');
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_from_the_catalog_with_their_values() {
        let ar = Tr {
            lang: Lang::PRIMARY,
        };
        let e = AppError::TooManyAttempts(61);
        assert_eq!(status(&e), StatusCode::TOO_MANY_REQUESTS);
        assert!(
            text(ar, &e).contains("\u{2068}2\u{2069}"),
            "{}",
            text(ar, &e)
        );
        assert_eq!(
            english(&e),
            "too many failed attempts; try again in 2 minutes"
        );
        assert_eq!(
            code_api(Lang::PRIMARY, "no_such_code", &[]),
            plain(ar.t("err_refused"), false)
        );
        assert_eq!(
            status(&AppError::rule("household_closed")),
            StatusCode::CONFLICT
        );
        assert_eq!(plain("a <bdi dir=\"ltr\">1 &lt; 2</bdi>", false), "a 1 < 2");
    }
}
