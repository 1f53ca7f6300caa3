//! One error type for every page handler: a handler returns `Result<_, PageError>` and uses `?`; the
//! refusal becomes the error page in the reader's language (`render::error_page`), with the signed-in
//! caller's header when an extractor found one. Nothing hand-renders a refusal and returns it early.
//!
//! An app error needs the registry (the header names the caller's area) and the reader's language to be
//! shown, which `IntoResponse` does not have: the response carries the error out, and `layer` (around
//! every route) renders it with the request's state and language.

use crate::AppState;
use crate::extract::page::{Refused, reader};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::{Arc, Mutex};
use tamwin_app::{AppError, SignedIn};

pub enum PageError {
    /// Shown as the error page: its status and words are `errors`' (the catalogs').
    App(AppError),
    /// An answer ready to go: the sign-in redirect, a refused extractor's page.
    Answer(Response),
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError::App(e)
    }
}

impl From<Refused> for PageError {
    fn from(r: Refused) -> Self {
        PageError::Answer(r.into_response())
    }
}

impl PageError {
    /// Sent to `to` (the sign-in page, the caller's own page) in the reader's language.
    pub fn redirect(to: &str) -> Self {
        PageError::Answer(Redirect::to(to).into_response())
    }
}

/// The app error a response carries out to `layer` (a response extension must be `Clone`).
#[derive(Clone)]
struct Pending(Arc<AppError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Answer(r) => r,
            PageError::App(e) => {
                let mut r = crate::errors::status(&e).into_response();
                r.extensions_mut().insert(Pending(Arc::new(e)));
                r
            }
        }
    }
}

/// Who the request's extractors found signed in, for the error page's header.
#[derive(Clone, Default)]
pub(crate) struct SignedSlot(Arc<Mutex<Option<SignedIn>>>);

impl SignedSlot {
    pub(crate) fn put(&self, s: &SignedIn) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some(s.clone());
        }
    }

    pub(crate) fn get(&self) -> Option<SignedIn> {
        self.0.lock().ok().and_then(|g| g.clone())
    }
}

/// Middleware: renders the app error a page handler returned as the error page.
pub async fn layer(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let tr = reader(req.uri().query(), req.headers());
    let slot = SignedSlot::default();
    req.extensions_mut().insert(slot.clone());
    let mut r = next.run(req).await;
    match r.extensions_mut().remove::<Pending>() {
        Some(Pending(e)) => crate::render::error_page(&s, slot.get().as_ref(), tr, &e),
        None => r,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    /// The ways a handler used to answer a refusal by hand instead of returning it (`?`, `Err(..)`).
    /// Spelt in pieces so that this file does not match itself.
    fn by_hand() -> Vec<String> {
        vec![
            ["=> return ", "r,"].concat(),
            ["=> return ", "r;"].concat(),
            ["return error_", "page("].concat(),
            ["Err(e) => return ", "Err(e.into())"].concat(),
        ]
    }

    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn no_handler_returns_a_refusal_early_by_hand() {
        let mut files = vec![];
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        assert!(files.len() > 20, "the sources were not found");
        let mut found = vec![];
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, line) in text.lines().enumerate() {
                let compact: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
                if by_hand().iter().any(|p| compact.contains(p.as_str())) {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "return the error (`?`) instead; the page error renders it:\n{}",
            found.join("\n")
        );
    }

    /// `web` reaches the store only through `app` (whose use cases check the area and audit reads):
    /// no handler names the store or the store crate's capabilities.
    #[test]
    fn web_never_reaches_the_store_behind_the_application() {
        let mut files = vec![];
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let banned = [[".store", "()"].concat(), [".store", "."].concat()];
        let mut found = vec![];
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (i, line) in text.lines().enumerate() {
                if banned.iter().any(|b| line.contains(b.as_str())) {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(
            found.is_empty(),
            "ask a use case in app instead:\n{}",
            found.join("\n")
        );
    }
}
