//! The demo's stand-in for a phone: the notification outbox.

use super::*;

// ---- demo outbox ---------------------------------------------------------------------------------

pub struct OutboxRow {
    pub at: String,
    pub to: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    tr: Tr,
    rows: Vec<OutboxRow>,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

/// Only in the demo: the messages that a real gateway would have sent, so a tester can read the code.
pub async fn demo_outbox(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    if !s.demo {
        return Err(AppError::NotFound.into());
    }
    let mut msgs: Vec<(String, String, jiff::Timestamp)> = s
        .reg
        .outbox(50)
        .await?
        .into_iter()
        .map(|m| (m.recipient, m.body, m.created_at))
        .collect();
    // The civil registry's codes (to confirm a power of attorney) go to the phone it holds: shown
    // here too, as the same phone would receive them.
    if let Some(feed) = &s.registry_sms {
        msgs.extend(feed().await);
        msgs.sort_by_key(|m| std::cmp::Reverse(m.2));
        msgs.truncate(50);
    }
    let p = OutboxPage {
        tr,
        rows: msgs
            .into_iter()
            .map(|(to, body, at)| OutboxRow {
                at: crate::display::local_time(at),
                to: tamwin_domain::Phone::parse(&to)
                    .map(|p| p.display())
                    .unwrap_or(to),
                body,
            })
            .collect(),
        langs: switch(tr, |c| format!("/demo/outbox?lang={c}")),
        back_href: href("/citizen/sign-in", tr.lang),
        who: None,
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}
