//! The project's request extractors. axum's own answer a bad query, path, form or body with plain
//! text naming Rust fields and types; these answer with a problem+json carrying a stable `code` and
//! Arabic and English messages (API routes), or with the HTML error page in the reader's language
//! (`page::`, for the pages). Handlers use them in place of axum's, under the same names; clippy.toml
//! forbids axum's everywhere else.
// The one module that wraps axum's extractors.
#![allow(clippy::disallowed_types)]

use crate::problem::Problem;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use tamwin_app::AppError;

/// Why a query string, path or form did not decode: what went wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub kind: Kind,
    /// The parameter or field concerned, when known.
    pub field: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Unknown,
    Missing,
    Repeated,
    Invalid,
}

type DecodeError = serde_path_to_error::Error<serde_urlencoded::de::Error>;

/// Decodes `a=1&b=2` as axum does, keeping the path of a failure so that it can be named.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refusal> {
    let d = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(d).map_err(|e: DecodeError| refusal(&e))
}

/// serde says which field was unknown, missing or repeated only in its message; the path names the
/// field whose value did not parse.
fn refusal(e: &DecodeError) -> Refusal {
    let msg = e.inner().to_string();
    let named = |prefix: &str| {
        msg.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix('`'))
            .and_then(|r| r.split('`').next())
            .map(str::to_string)
    };
    for (prefix, kind) in [
        ("unknown field ", Kind::Unknown),
        ("missing field ", Kind::Missing),
        ("duplicate field ", Kind::Repeated),
    ] {
        if let Some(field) = named(prefix) {
            return Refusal { kind, field };
        }
    }
    let path = e.path().to_string();
    Refusal {
        kind: Kind::Invalid,
        field: if path == "." || path == "?" {
            String::new()
        } else {
            path
        },
    }
}

fn query_problem(r: &Refusal) -> Problem {
    let code = match r.kind {
        Kind::Unknown => "query_parameter_unknown",
        Kind::Missing => "query_parameter_missing",
        Kind::Repeated => "query_parameter_repeated",
        Kind::Invalid => "query_parameter_invalid",
    };
    Problem::for_field(code, &r.field)
}

fn internal() -> Problem {
    AppError::Internal("request extraction misconfigured".into()).into()
}

/// Query parameters. Their structs refuse unknown parameters (`deny_unknown_fields`).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let q = parts.uri.query().unwrap_or_default();
        decode(q.as_bytes())
            .map(Query)
            .map_err(|r| query_problem(&r))
    }
}

/// The names of the route's path parameters, in order (`/a/{x}/b/{y}` → x, y).
fn path_names(parts: &Parts) -> Vec<String> {
    parts
        .extensions
        .get::<MatchedPath>()
        .map(|m| {
            m.as_str()
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .map(|s| s.trim_start_matches('*').to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Which path parameter did not decode; `None` for a programming error (wrong arity, bad type).
fn path_refusal(parts: &mut Parts, e: axum::extract::rejection::PathRejection) -> Option<String> {
    use axum::extract::path::ErrorKind as K;
    use axum::extract::rejection::PathRejection as R;
    let names = path_names(parts);
    let R::FailedToDeserializePathParams(f) = e else {
        return None;
    };
    match f.into_kind() {
        K::ParseErrorAtKey { key, .. }
        | K::InvalidUtf8InPathParam { key }
        | K::DeserializeError { key, .. } => Some(key),
        K::ParseErrorAtIndex { index, .. } => Some(names.get(index).cloned().unwrap_or_default()),
        K::ParseError { .. } | K::Message(_) => Some(names.first().cloned().unwrap_or_default()),
        K::WrongNumberOfParameters { .. } | K::UnsupportedType { .. } => None,
        _ => None,
    }
}

/// Path parameters: a segment that is not valid UTF-8 or not of the parameter's type is a 422.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Problem> {
        match axum::extract::Path::<T>::from_request_parts(parts, s).await {
            Ok(p) => Ok(Path(p.0)),
            Err(e) => match path_refusal(parts, e) {
                Some(field) => Err(Problem::for_field("path_parameter_invalid", &field)),
                None => Err(internal()),
            },
        }
    }
}

/// A number the document bounds (`limit`): outside its range is a 422 `limit_out_of_range`, never
/// quietly clamped.
pub(crate) fn in_range<T: PartialOrd + std::fmt::Display + Copy>(
    field: &str,
    v: Option<T>,
    min: T,
    max: T,
) -> Result<Option<T>, Problem> {
    match v {
        Some(x) if x < min || x > max => {
            let p = Problem::for_field("limit_out_of_range", field);
            Err(p.detail_en(format!("{field} must be from {min} to {max}")))
        }
        v => Ok(v),
    }
}

/// Reading the body failed: too large (413) or cut off (400).
pub(crate) fn body_read_problem(status: StatusCode) -> Problem {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(413, "body_too_large")
    } else {
        Problem::new(400, "body_unreadable")
    }
}

/// The raw body (signed messages whose bytes are checked before they are parsed).
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = Problem;

    async fn from_request(req: Request, s: &S) -> Result<Self, Problem> {
        Bytes::from_request(req, s)
            .await
            .map(Body)
            .map_err(|e| body_read_problem(e.status()))
    }
}

/// The same extractors for the pages: a refusal is the error page, in the reader's language.
pub mod page {
    use super::{decode, path_refusal};
    use crate::AppState;
    use crate::i18n::Tr;
    use crate::render::{lang_from, message_page};
    use axum::body::Bytes;
    use axum::extract::{FromRequest, FromRequestParts, Request};
    use axum::http::request::Parts;
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::{IntoResponse, Response};
    use serde::de::DeserializeOwned;

    /// The error page a page's request was refused with.
    pub struct Refused(Response);

    impl IntoResponse for Refused {
        fn into_response(self) -> Response {
            self.0
        }
    }

    /// The reader's language: `?lang=` (read leniently, whatever else the query holds), then the cookie.
    pub(crate) fn reader(query: Option<&str>, headers: &HeaderMap) -> Tr {
        let lang = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned());
        Tr {
            lang: lang_from(lang.as_deref(), headers),
        }
    }

    fn refused(s: &AppState, tr: Tr, key: &str, status: StatusCode) -> Refused {
        Refused(message_page(
            s,
            None,
            tr,
            tr.t(&format!("{key}_title")).to_string(),
            tr.t(&format!("{key}_text")).to_string(),
            status,
        ))
    }

    /// A form or query that does not decode.
    fn undecodable(s: &AppState, tr: Tr) -> Refused {
        refused(s, tr, "request_invalid", StatusCode::UNPROCESSABLE_ENTITY)
    }

    pub struct Query<T>(pub T);

    impl<T: DeserializeOwned> FromRequestParts<AppState> for Query<T> {
        type Rejection = Refused;

        async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Refused> {
            let q = parts.uri.query();
            decode(q.unwrap_or_default().as_bytes())
                .map(Query)
                .map_err(|_| undecodable(s, reader(q, &parts.headers)))
        }
    }

    /// A path segment that does not decode names no page: not found.
    pub struct Path<T>(pub T);

    impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for Path<T> {
        type Rejection = Refused;

        async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Refused> {
            match axum::extract::Path::<T>::from_request_parts(parts, s).await {
                Ok(p) => Ok(Path(p.0)),
                Err(e) => {
                    let tr = reader(parts.uri.query(), &parts.headers);
                    Err(match path_refusal(parts, e) {
                        Some(_) => refused(s, tr, "not_found", StatusCode::NOT_FOUND),
                        None => refused(s, tr, "server_error", StatusCode::INTERNAL_SERVER_ERROR),
                    })
                }
            }
        }
    }

    /// A posted form (`application/x-www-form-urlencoded`).
    pub struct Form<T>(pub T);

    impl<T: DeserializeOwned> FromRequest<AppState> for Form<T> {
        type Rejection = Refused;

        async fn from_request(req: Request, s: &AppState) -> Result<Self, Refused> {
            read_form(req, s).await.map(|(f, _)| Form(f))
        }
    }

    /// A form decoded, with its bytes (the CSRF-checked form reads its token from them).
    pub(crate) async fn read_form<T: DeserializeOwned>(
        req: Request,
        s: &AppState,
    ) -> Result<(T, Bytes), Refused> {
        let tr = reader(req.uri().query(), req.headers());
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if !form {
            return Err(refused(
                s,
                tr,
                "form_unsupported",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ));
        }
        let bytes = Bytes::from_request(req, s).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                refused(s, tr, "form_too_large", StatusCode::PAYLOAD_TOO_LARGE)
            } else {
                refused(s, tr, "request_invalid", StatusCode::BAD_REQUEST)
            }
        })?;
        // A form without its CSRF field, whatever else it lacks, is refused as one with a wrong
        // token: the same page, asking to reload. (Every form of these pages carries one.)
        match decode(&bytes) {
            Ok(f) => Ok((f, bytes)),
            Err(_) if form_urlencoded::parse(&bytes).any(|(k, _)| k == "csrf") => {
                Err(undecodable(s, tr))
            }
            Err(_) => Err(refused(s, tr, "csrf", StatusCode::FORBIDDEN)),
        }
    }

    /// The page for a method a page route does not answer.
    pub fn method_not_allowed(s: &AppState, query: Option<&str>, headers: &HeaderMap) -> Response {
        let tr = reader(query, headers);
        refused(s, tr, "method_not_allowed", StatusCode::METHOD_NOT_ALLOWED).0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Q {
        a: String,
        n: Option<u32>,
    }

    #[test]
    fn refusals_name_the_parameter_and_what_is_wrong() {
        let r = |s: &str| decode::<Q>(s.as_bytes()).unwrap_err();
        assert_eq!(
            r("a=1&b=2"),
            Refusal {
                kind: Kind::Unknown,
                field: "b".into()
            }
        );
        assert_eq!(r("n=1").kind, Kind::Missing);
        assert_eq!(r("n=1").field, "a");
        assert_eq!(r("a=1&a=2").kind, Kind::Repeated);
        assert_eq!(
            r("a=1&n=x"),
            Refusal {
                kind: Kind::Invalid,
                field: "n".into()
            }
        );
        assert!(decode::<Q>(b"a=%D8%B9&n=3").is_ok());
    }
}
