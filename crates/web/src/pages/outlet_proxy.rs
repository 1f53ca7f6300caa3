//! A proxy at the outlet's page (issue 17 point 4): the operator types the family's card number and
//! the proxy's national ID, scans the proxy's own card or has the civil registry text the proxy a code
//! good at this outlet, sees the grant's scope and validity, and records the collection on the family's
//! card as for any other.

use crate::AppState;
use crate::extract::page::Query;
use crate::i18n::Tr;
use crate::page_error::PageError;
use crate::pages::appointments::{Pairs, field, tr_of, with_lang};
use crate::pages::outlet::card_page_for;
use crate::signed_in::*;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::redemption::{CardPresented, ProxyPresented};

/// The proxy as the card's page shows them: who, for which card, with what, and how identified.
pub struct ProxyAtOutlet {
    pub national_id: String,
    pub for_card: String,
    /// The proxy's own card's QR; empty: a code.
    pub own_card: String,
    pub scope: String,
    pub valid_to: String,
}

/// The proxy named by a collection's form: who, and their own card (none: the code).
pub fn presented(f: &Pairs) -> Option<(ProxyPresented, Option<CardPresented>)> {
    let nid = field(f, "proxy_nid").trim();
    if nid.is_empty() {
        return None;
    }
    let own = field(f, "proxy_card").trim();
    let p = ProxyPresented {
        national_id: nid.to_string(),
        for_card: field(f, "for_card").trim().to_string(),
        code: own.is_empty().then(|| field(f, "code").trim().to_string()),
    };
    let card = (!own.is_empty()).then(|| CardPresented {
        qr: Some(own.to_string()),
        card_number: None,
        code: None,
        fingerprint: None,
    });
    Some((p, card))
}

/// The family's card again for its proxy, with a message or a refusal; the outlet's page with the
/// refusal when no grant is in force.
pub async fn again(
    s: &AppState,
    signed: &tamwin_app::SignedIn,
    tr: Tr,
    f: &Pairs,
    p: &ProxyPresented,
    message: &str,
    error: String,
) -> Result<Response, PageError> {
    let g = match s
        .reg
        .outlet_proxy_grant(&p.national_id, &p.for_card, &signed.actor)
        .await
    {
        Ok(g) => g,
        Err(e) => {
            let to = with_lang(
                "/outlet",
                tr,
                &format!(
                    "error={}",
                    crate::url::encode(&crate::notices::refusal_codes(&e))
                ),
            );
            return Ok(Redirect::to(&to).into_response());
        }
    };
    let at = ProxyAtOutlet {
        national_id: p.national_id.clone(),
        for_card: p.for_card.clone(),
        own_card: field(f, "proxy_card").trim().to_string(),
        scope: crate::pages::proxies::scope_text(tr, &g.items, &g.programmes),
        valid_to: g.valid_to.clone(),
    };
    card_page_for(s, signed, tr, &p.for_card, message, error, Some(at)).await
}

/// The proxy the form names, at an outlet.
fn named(
    signed: &tamwin_app::SignedIn,
    tr: Tr,
    f: &Pairs,
) -> Result<(Tr, ProxyPresented), PageError> {
    crate::pages::outlet::at_outlet(signed)?;
    match presented(f) {
        Some((p, _)) => Ok((tr, p)),
        None => Err(tamwin_app::AppError::rule("card_presented_invalid").into()),
    }
}

/// The operator names the family and the proxy: the family's card with the grant.
pub async fn look_up(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::render::PageQuery>,
    Staff(signed, _): Staff<Redeem>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let (tr, p) = named(&signed, tr_of(&q, &headers), &f)?;
    again(&s, &signed, tr, &f, &p, "", String::new()).await
}

/// A code for the proxy, sent by the civil registry to their phone and good at this outlet only.
pub async fn send_code(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::render::PageQuery>,
    Staff(signed, _): Staff<Redeem>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let (tr, p) = named(&signed, tr_of(&q, &headers), &f)?;
    match s
        .reg
        .send_proxy_code(&p.national_id, &p.for_card, &signed.actor)
        .await
    {
        Ok(_) => {
            again(
                &s,
                &signed,
                tr,
                &f,
                &p,
                "msg_outlet_proxy_code_sent",
                String::new(),
            )
            .await
        }
        Err(e) => {
            let err = crate::errors::refusal(tr, &e);
            again(&s, &signed, tr, &f, &p, "", err).await
        }
    }
}
