//! Errors as `application/problem+json` (RFC 9457) with a stable `code`, its messages in Arabic and
//! English and a `title` in the language the request asks for (`Accept-Language`: ar, ckb or en;
//! English when it names none of them), all from the catalogs; and the request extractor that turns
//! a bad body into one.

use crate::errors;
use crate::i18n::Lang;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use tamwin_app::{AppError, IdemRequest};
use tamwin_domain::FieldError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    /// The message in the request's language (`Accept-Language`), English by default.
    pub title: String,
    pub status: u16,
    /// Stable machine code.
    pub code: String,
    pub message_ar: String,
    pub message_en: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// The request's id, as in the `X-Request-Id` header of the answer: quote it when reporting a fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One problem with one input field, in the catalogs' words.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FieldError)]
pub struct FieldProblem {
    /// Path of the field, e.g. `members[2].national_id`.
    pub field: String,
    /// Stable machine code, e.g. `national_id_invalid`.
    pub code: String,
    pub message_ar: String,
    pub message_en: String,
}

impl FieldProblem {
    pub fn of(fe: &FieldError) -> Self {
        Self {
            field: fe.field.clone(),
            code: fe.code.to_string(),
            message_ar: errors::code_api(Lang::PRIMARY, fe.code, &fe.params),
            message_en: errors::code_api(english(), fe.code, &fe.params),
        }
    }
}

tokio::task_local! {
    /// The language `Accept-Language` asked for, for the titles of this request's problems.
    static REQUESTED: Option<Lang>;
}

fn english() -> Lang {
    Lang::parse("en").unwrap_or(Lang::PRIMARY)
}

/// The first language of `Accept-Language` (by weight) that has a catalog.
pub fn accept_language(headers: &HeaderMap) -> Option<Lang> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut tags: Vec<(f32, Lang)> = v
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let tag = it.next()?.trim().to_ascii_lowercase();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                .unwrap_or(1.0);
            let primary = tag.split('-').next()?;
            Lang::parse(primary).map(|l| (q, l))
        })
        .filter(|(q, _)| *q > 0.0)
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.first().map(|t| t.1)
}

/// Middleware: problems made while answering this request are titled in its language.
pub async fn language_layer(req: Request, next: axum::middleware::Next) -> Response {
    let lang = accept_language(req.headers());
    REQUESTED.scope(lang, next.run(req)).await
}

fn title_lang() -> Lang {
    REQUESTED
        .try_with(|l| *l)
        .ok()
        .flatten()
        .unwrap_or_else(english)
}

impl Problem {
    /// The problem of a code, in the catalogs' words.
    pub fn new(status: u16, code: &str) -> Self {
        Self::with(status, code, &[])
    }

    /// The same, naming values (`{name}` in the catalog's text).
    pub fn with(status: u16, code: &str, params: &[(&'static str, String)]) -> Self {
        Self {
            kind: format!("https://tamwin.example/problems/{code}"),
            title: errors::code_api(title_lang(), code, params),
            status,
            code: code.to_string(),
            message_ar: errors::code_api(Lang::PRIMARY, code, params),
            message_en: errors::code_api(english(), code, params),
            errors: vec![],
            request_id: None,
        }
    }

    /// A 422 `validation_failed` for one field.
    pub fn invalid(fe: &FieldError) -> Self {
        let mut p = Problem::new(422, "validation_failed");
        p.errors.push(FieldProblem::of(fe));
        p
    }

    /// A 422 of this code whose `errors` names the field, with the same code; the English message
    /// (and an English title) says which field.
    pub fn for_field(code: &'static str, field: &str) -> Self {
        let mut p = Problem::new(422, code);
        if !field.is_empty() {
            let en = p.message_en.clone();
            p = p.detail_en(format!("{en}: {field}"));
            p.errors
                .push(FieldProblem::of(&FieldError::new(field, code, en)));
        }
        p
    }

    /// An English message more precise than the catalog's (what serde said, the bounds of a number),
    /// also the title when the title is English.
    pub fn detail_en(mut self, en: String) -> Self {
        if title_lang() == english() {
            self.title = en.clone();
        }
        self.message_en = en;
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(mut self) -> Response {
        if self.request_id.is_none() {
            self.request_id = crate::request_id::current();
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "{}".into());
        let mut r = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"tamwin\""),
            );
        }
        r
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        let status = errors::status(&e).as_u16();
        if status >= 500 {
            tracing::error!("request failed: {e}");
        }
        let mut p = Problem::with(status, e.code(), &e.params());
        if let AppError::Validation(v) = e {
            p.errors = v.0.iter().map(FieldProblem::of).collect();
        }
        p
    }
}

pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// A JSON body for a state-changing request, with its idempotency key and the digest of the request.
pub struct Mutation<T> {
    pub body: T,
    pub idem: Option<IdemRequest>,
}

fn idem_from(
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<Option<IdemRequest>, Problem> {
    let Some(v) = headers.get(IDEMPOTENCY_HEADER) else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .ok_or_else(|| Problem::new(400, "idempotency_key_invalid"))?;
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    let digest: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Some(IdemRequest {
        key: key.to_string(),
        request_hash: digest,
    }))
}

/// Why a body did not parse, told apart so the client can act on it, with the field concerned (`path`,
/// e.g. `members[1].birth_date`). serde's own words are kept where they speak of the API (unknown
/// variants, the domain's validation messages), not where they name Rust types.
pub fn body_problem(err: &serde_json::Error, path: &str) -> Problem {
    let msg = err.to_string();
    let field = match path {
        "" | "." | "?" => "",
        p => p,
    };
    let named = |prefix: &str| {
        msg.find(prefix)
            .and_then(|i| msg[i + prefix.len()..].strip_prefix('`'))
            .and_then(|r| r.split('`').next())
            // The path ends at the unknown field, or at the object missing one.
            .map(|f| match field {
                "" => f.to_string(),
                p if p == f || p.ends_with(&format!(".{f}")) => p.to_string(),
                p => format!("{p}.{f}"),
            })
    };
    let (code, en, field) = if let Some(f) = named("unknown field ") {
        (
            "unknown_field",
            "the request body has a field this operation does not take".to_string(),
            f,
        )
    } else if let Some(f) = named("missing field ") {
        (
            "missing_field",
            "a required field is missing from the request body".to_string(),
            f,
        )
    } else if err.is_data()
        && !msg.starts_with("invalid type")
        && !msg.starts_with("invalid value")
        && !msg.starts_with("invalid length")
    {
        (
            "body_invalid",
            format!("the request body is not valid: {msg}"),
            field.to_string(),
        )
    } else if err.is_data() {
        (
            "body_invalid",
            format!(
                "the request body is not valid: a value has the wrong type (line {}, column {})",
                err.line(),
                err.column()
            ),
            field.to_string(),
        )
    } else {
        (
            "body_invalid",
            format!(
                "the request body is not valid JSON (line {}, column {})",
                err.line(),
                err.column()
            ),
            field.to_string(),
        )
    };
    // The title and messages are the catalog's; the English ones keep serde's precision.
    let mut p = Problem::new(422, code).detail_en(en.clone());
    if !field.is_empty() {
        p.message_en = format!("{en}: {field}");
        let mut fp = FieldProblem::of(&FieldError::new(&field, code, en.clone()));
        fp.message_en = en;
        p.errors.push(fp);
    }
    p
}

/// Parses a JSON body as `serde_json::from_slice` does, naming the field of a failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut d = serde_json::Deserializer::from_slice(bytes);
    let v = serde_path_to_error::deserialize(&mut d)
        .map_err(|e| body_problem(e.inner(), &e.path().to_string()))?;
    d.end().map_err(|e| body_problem(&e, ""))?;
    Ok(v)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Mutation<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        let method = req.method().to_string();
        let path = req.uri().path().to_string();
        let headers = req.headers().clone();
        // A signed device request's body must be the one whose digest it signed.
        let declared = req
            .extensions()
            .get::<crate::auth::DeclaredDigest>()
            .cloned();
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ct.starts_with("application/json") {
            return Err(Problem::new(415, "content_type_unsupported"));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| crate::extract::body_read_problem(e.status()))?;
        if let Some(d) = declared {
            let actual = tamwin_app::devices::body_sha256(&bytes);
            if !tamwin_app::secret::same(&actual, &d.0) {
                return Err(AppError::Unauthenticated.into());
            }
        }
        let idem = idem_from(&headers, &method, &path, &bytes)?;
        let body = parse_json(&bytes)?;
        Ok(Mutation { body, idem })
    }
}
