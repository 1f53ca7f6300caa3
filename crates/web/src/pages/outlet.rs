//! The outlet's page (issue 16 point 5), for an outlet operator on a tablet or phone: scan the card's QR
//! (a camera where the browser has one, or a scanner typing into the field) or type the card number;
//! see what the family may collect this cycle and who may collect; record the collection (all of it or
//! part); show the receipt; the day's list, with a void within its time; the outlet's stock.

use crate::AppState;
use crate::display::local_time_str;
use crate::extract::page::Query;
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::page_error::PageError;
use crate::pages::appointments::{Pairs, field, tr_of, with_lang};
use crate::pages::cycles::{item, quantity};
use crate::render::{LangLink, PageQuery, Who, href, lang_from, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::redemption::{
    CardPresented, ItemLeft, OutletCardView, RedeemRequest, RedemptionView, VoidRequest,
};
use tamwin_app::stock::StockLine;

/// An outlet page is an outlet operator's: the account must act for an outlet (a ministry
/// administrator holds every permission, but stands at no outlet).
pub(crate) fn at_outlet(signed: &tamwin_app::SignedIn) -> Result<(), PageError> {
    match signed.actor.outlet {
        Some(_) => Ok(()),
        None => Err(tamwin_app::AppError::Forbidden.into()),
    }
}

pub struct LeftRow {
    pub code: String,
    pub item: String,
    pub left: String,
    /// What one collection may take now, in the item's unit (the field's maximum).
    pub now: i64,
    pub now_text: String,
    pub unit: String,
    /// The field's value: all that may be taken now, or nothing for an allowance's goods (the family
    /// chooses); no field for the allowance's money, which the goods' prices draw down.
    pub default: i64,
    pub takes: bool,
    /// An allowance's goods: `12.5 EGP / 1 kg`.
    pub price: String,
}

fn left_rows(tr: Tr, lines: &[ItemLeft]) -> Vec<LeftRow> {
    let allowance = lines.iter().any(|l| l.price.is_some());
    lines
        .iter()
        .map(|l| {
            let now = l.now.unwrap_or(l.left);
            let money = l.price.and_then(|p| {
                let unit = lines.iter().find(|m| m.item == "money")?.unit.as_str();
                Some(format!(
                    "{} / {}",
                    quantity(tr, unit, p),
                    quantity(tr, &l.unit, l.per?)
                ))
            });
            LeftRow {
                code: l.item.clone(),
                item: item(tr, &l.item),
                left: quantity(tr, &l.unit, l.left),
                now,
                now_text: quantity(tr, &l.unit, now),
                unit: tr.t(&format!("unit_code_{}", l.unit)).to_string(),
                default: if allowance { 0 } else { now },
                takes: !(allowance && l.item == "money"),
                price: money.unwrap_or_default(),
            }
        })
        .collect()
}

pub struct DayRow {
    pub at: String,
    pub card: String,
    pub collector: String,
    pub taken: String,
    pub txn: String,
    pub voided: bool,
}

pub struct StockRow {
    pub item: String,
    pub allocated: String,
    pub received: String,
    pub handed_out: String,
    pub variance: String,
}

fn stock_rows(tr: Tr, lines: &[StockLine]) -> Vec<StockRow> {
    lines
        .iter()
        .map(|l| StockRow {
            item: item(tr, &l.item),
            allocated: quantity(tr, &l.unit, l.allocated),
            received: quantity(tr, &l.unit, l.received),
            handed_out: quantity(tr, &l.unit, l.handed_out),
            variance: quantity(tr, &l.unit, l.variance),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "outlet.html")]
struct OutletHome {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    day: Vec<DayRow>,
    stock: Vec<StockRow>,
}

#[derive(serde::Deserialize)]
pub struct OutletQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

/// The outlet's home: the scan form, the day's list and the stock.
pub async fn outlet_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OutletQuery>,
    Staff(signed, _): Staff<Redeem>,
) -> Result<Response, PageError> {
    at_outlet(&signed)?;
    let tr = Tr {
        lang: lang_from(q.lang.as_deref(), &headers),
    };
    let today = s.reg.clock().today();
    let day = s.reg.outlet_day(today, &signed.actor).await?;
    let stock = s.reg.own_stock_now(&signed.actor).await?;
    let p = OutletHome {
        tr,
        langs: switch(tr, |c| format!("/outlet?lang={c}")),
        back_href: href("/outlet", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        day: day
            .iter()
            .rev()
            .map(|v| DayRow {
                at: local_time_str(&v.at),
                card: v.card_number.clone(),
                collector: v.collector_name.clone(),
                taken: crate::pages::cycles::items_text(tr, &v.taken),
                txn: v.transaction_id.clone(),
                voided: v.voided_at.is_some(),
            })
            .collect(),
        stock: stock_rows(tr, &stock),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "outlet_card.html")]
struct OutletCard {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    card: OutletCardView,
    programme: String,
    scanned: String,
    lines: Vec<LeftRow>,
    /// A fresh transaction id for this form: submitting it twice collects once.
    txn: String,
    /// A proxy collecting for the family, and their grant.
    proxy: Option<crate::pages::outlet_proxy::ProxyAtOutlet>,
}

pub(crate) async fn card_page(
    s: &AppState,
    signed: &tamwin_app::SignedIn,
    tr: Tr,
    scanned: &str,
    message: &str,
    error: String,
) -> Result<Response, PageError> {
    card_page_for(s, signed, tr, scanned, message, error, None).await
}

/// The card's page; with `proxy`, the family's card looked up for its proxy.
pub(crate) async fn card_page_for(
    s: &AppState,
    signed: &tamwin_app::SignedIn,
    tr: Tr,
    scanned: &str,
    message: &str,
    error: String,
    proxy: Option<crate::pages::outlet_proxy::ProxyAtOutlet>,
) -> Result<Response, PageError> {
    let card = match s.reg.outlet_look_up(scanned, &signed.actor).await {
        Ok(c) => c,
        Err(e) => {
            let to = with_lang(
                "/outlet",
                tr,
                &format!("error={}", crate::url::encode(&refusal_codes(&e))),
            );
            return Ok(Redirect::to(&to).into_response());
        }
    };
    let p = OutletCard {
        tr,
        langs: switch(tr, |c| format!("/outlet?lang={c}")),
        back_href: href("/outlet", tr.lang),
        who: Some(Who::of(s, signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, Some(message).filter(|m| !m.is_empty())),
        error,
        lines: left_rows(tr, &card.lines),
        programme: crate::pages::cycles::programme_label(tr, &card.programme),
        scanned: scanned.trim().to_string(),
        card,
        txn: format!("web-{}", tamwin_app::secret::random_hex(12)?),
        proxy,
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// A card scanned or typed: what the family may collect now.
pub async fn card(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<Redeem>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    at_outlet(&signed)?;
    let tr = tr_of(&q, &headers);
    card_page(&s, &signed, tr, field(&f, "card"), "", String::new()).await
}

/// A collection code sent to the family's phone, for a card typed by its number.
pub async fn send_code(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<Redeem>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    at_outlet(&signed)?;
    let tr = tr_of(&q, &headers);
    let scanned = field(&f, "card");
    match s
        .reg
        .send_collection_code(scanned.trim(), &signed.actor)
        .await
    {
        Ok(()) => {
            card_page(
                &s,
                &signed,
                tr,
                scanned,
                "msg_outlet_code_sent",
                String::new(),
            )
            .await
        }
        Err(e) => {
            let err = crate::errors::refusal(tr, &e);
            card_page(&s, &signed, tr, scanned, "", err).await
        }
    }
}

#[derive(Template)]
#[template(path = "outlet_receipt.html")]
struct OutletReceipt {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    r: RedemptionView,
    at: String,
    taken: Vec<(String, String)>,
    left: Vec<LeftRow>,
}

/// Records the collection: the quantities asked (a field left at zero takes nothing of that item),
/// by the member chosen; the receipt, or the card again with the refusal.
pub async fn collect(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<Redeem>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    at_outlet(&signed)?;
    let tr = tr_of(&q, &headers);
    let scanned = field(&f, "card").trim().to_string();
    let is_qr = scanned.starts_with("TMW1:");
    let code = field(&f, "code").trim();
    let by_proxy = crate::pages::outlet_proxy::presented(&f);
    let card = match &by_proxy {
        Some((_, own)) => own.clone(),
        None => Some(CardPresented {
            qr: is_qr.then(|| scanned.clone()),
            card_number: (!is_qr).then(|| scanned.clone()),
            code: (!is_qr).then(|| code.to_string()),
            fingerprint: None,
        }),
    };
    let items = f
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("q_")?.to_string(), v.trim())))
        .filter(|(_, v)| !v.is_empty() && *v != "0")
        .map(|(k, v)| {
            let n = tamwin_text_ar::fold_digits(v);
            // Not a whole number: sent as text, refused with its message.
            let q = n
                .parse::<i64>()
                .map(serde_json::Value::from)
                .unwrap_or_else(|_| serde_json::Value::from(n));
            (k, q)
        })
        .collect();
    let req = RedeemRequest {
        transaction_id: field(&f, "txn").to_string(),
        card,
        collector_member_no: match by_proxy {
            Some(_) => None,
            None => field(&f, "collector").trim().parse().ok(),
        },
        cycle_id: Some(field(&f, "cycle"))
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        items,
        proxy: by_proxy.as_ref().map(|(p, _)| p.clone()),
    };
    let hash = tamwin_app::devices::body_sha256(format!("{:?}", f).as_bytes());
    match s.reg.redeem(&req, &hash, &signed.actor).await {
        Ok(o) => {
            let r: RedemptionView = serde_json::from_str(&o.body)
                .map_err(|e| tamwin_app::AppError::Internal(e.to_string()))?;
            let p = OutletReceipt {
                tr,
                langs: switch(tr, |c| format!("/outlet?lang={c}")),
                back_href: href("/outlet", tr.lang),
                who: Some(Who::of(&s, &signed, tr)),
                at: local_time_str(&r.at),
                taken: r
                    .taken
                    .iter()
                    .map(|t| (item(tr, &t.item), quantity(tr, &t.unit, t.quantity)))
                    .collect(),
                left: left_rows(tr, &r.left),
                r,
            };
            Ok(page(p.render(), tr.lang, StatusCode::OK))
        }
        Err(e) => {
            let err = crate::errors::refusal(tr, &e);
            match by_proxy {
                Some((p, _)) => {
                    crate::pages::outlet_proxy::again(&s, &signed, tr, &f, &p, "", err).await
                }
                None => card_page(&s, &signed, tr, &scanned, "", err).await,
            }
        }
    }
}

/// Voids one of today's collections of this outlet, with a reason.
pub async fn void(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<Redeem>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    at_outlet(&signed)?;
    let tr = tr_of(&q, &headers);
    let v = VoidRequest {
        transaction_id: field(&f, "txn").to_string(),
        reason: field(&f, "reason").to_string(),
    };
    let query = match s.reg.void_redemption(&v, &signed.actor).await {
        Ok(_) => "message=msg_outlet_voided".to_string(),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&with_lang("/outlet", tr, &query)).into_response())
}
