//! What the pages serve besides pages: the not-found page, styles, scripts, icons, downloads.

use crate::extract::page::Query;
use crate::i18n::Tr;
use crate::render::*;
use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    who: Option<Who>,
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
}

fn not_found_page(tr: Tr) -> Response {
    let p = NotFoundPage {
        who: None,
        tr,
        langs: switch(tr, |code| format!("/?lang={code}")),
        back_href: href("/", tr.lang),
    };
    page(p.render(), tr.lang, StatusCode::NOT_FOUND)
}

pub async fn not_found(
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<PageQuery>, crate::extract::page::Refused>,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::problem::Problem::new(404, "route_not_found").into_response();
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    not_found_page(Tr {
        lang: lang_of(&q, &headers),
    })
}

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/app.css"),
    )
}

/// The outlet page's script: the receipt's print button and the camera's QR scan.
pub async fn outlet_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/outlet.js"),
    )
}

/// The pages' shared script for handing in a document.
pub async fn documents_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/documents.js"),
    )
}

/// The pages' behaviour (print buttons, the centre's camera, documents handed in): no page has inline
/// script, the CSP forbids it.
pub async fn pages_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/pages.js"),
    )
}

/// The installed app's icons (a seal on the programme's green), built into the binary.
pub async fn icon_192() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../../assets/icon-192.png").as_slice(),
    )
}

pub async fn icon_512() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../../assets/icon-512.png").as_slice(),
    )
}

pub async fn manifest() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../assets/manifest.webmanifest"),
    )
}

/// A kept document sent back as a download named `stem` with the extension of its type (never the
/// name it came with: that is the sender's text). The type is the one its bytes show, never the one it
/// was declared with; anything unrecognised goes as opaque bytes, and the browser is told not to guess.
pub fn attachment(stem: &str, d: tamwin_app::documents::Document) -> Response {
    let (content_type, ext) = match tamwin_app::documents::sniff(&d.bytes) {
        Some("application/pdf") => ("application/pdf", "pdf"),
        Some("image/png") => ("image/png", "png"),
        Some(_) => ("image/jpeg", "jpg"),
        None => ("application/octet-stream", "bin"),
    };
    // The stem is made by the caller from ids; only safe characters reach the header all the same.
    let stem: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{ext}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        d.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod attachment_tests {
    #![allow(clippy::unwrap_used)]
    use super::attachment;
    use tamwin_app::documents::Document;

    fn served(stem: &str, content_type: &str, bytes: &[u8]) -> (String, String) {
        let r = attachment(
            stem,
            Document {
                name: "whatever the sender said".into(),
                content_type: content_type.into(),
                bytes: bytes.to_vec(),
            },
        );
        let h = |k: axum::http::header::HeaderName| {
            r.headers().get(k).unwrap().to_str().unwrap().to_string()
        };
        assert_eq!(h(axum::http::header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        (
            h(axum::http::header::CONTENT_TYPE),
            h(axum::http::header::CONTENT_DISPOSITION),
        )
    }

    #[test]
    fn documents_go_back_with_the_type_their_bytes_show() {
        let (t, d) = served("appeal-1", "application/pdf", b"%PDF-1.4 x");
        assert_eq!(t, "application/pdf");
        assert_eq!(d, "attachment; filename=\"appeal-1.pdf\"");
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(served("e-2", "image/jpeg", &png).0, "image/png");
        // A script kept before the check, declared an image: opaque bytes, never HTML.
        let (t, d) = served("e-3", "image/png", b"<html><script>alert(1)</script>");
        assert_eq!(t, "application/octet-stream");
        assert_eq!(d, "attachment; filename=\"e-3.bin\"");
        // Only safe characters reach the header.
        let (_, d) = served("a\r\nX: 1\"/..", "application/pdf", b"%PDF-1.4");
        assert_eq!(d, "attachment; filename=\"aX1.pdf\"");
    }
}
