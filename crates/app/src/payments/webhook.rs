//! A payment provider's callback, checked as Standard Webhooks signs it: HMAC-SHA256 with the shared
//! secret over `id.timestamp.body`, base64 in `webhook-signature` as `v1,<signature>` (several may be
//! sent, space-separated, while a secret is rotated); a timestamp more than five minutes off is refused.
//! A callback that passes is still only a hint: the payment counts once the provider's status check
//! says so (`Registry::settle_payment`).

use base64::Engine as _;
use hmac::{KeyInit, Mac};

/// How far a callback's timestamp may be from now.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The three headers of a callback.
#[derive(Debug, Clone, Default)]
pub struct WebhookHeaders {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
}

/// Why a callback is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookRefusal {
    Malformed,
    OutsideWindow,
    BadSignature,
}

fn mac(secret: &[u8], id: &str, timestamp: &str, body: &[u8]) -> Option<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(secret).ok()?;
    m.update(id.as_bytes());
    m.update(b".");
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    Some(m)
}

/// The `webhook-signature` value for a callback (the sandbox provider signs with it; tests too).
pub fn sign(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let sig = mac(secret, id, &timestamp.to_string(), body)
        .map(|m| m.finalize().into_bytes().to_vec())
        .unwrap_or_default();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(sig)
    )
}

/// Checks a callback's signature and time (`now` in Unix seconds).
pub fn verify(
    secret: &[u8],
    h: &WebhookHeaders,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookRefusal> {
    if h.id.is_empty() || h.id.len() > 200 {
        return Err(WebhookRefusal::Malformed);
    }
    let ts: i64 = h
        .timestamp
        .trim()
        .parse()
        .map_err(|_| WebhookRefusal::Malformed)?;
    if (now - ts).abs() > TOLERANCE_SECONDS {
        return Err(WebhookRefusal::OutsideWindow);
    }
    for s in h.signature.split_whitespace() {
        let Some(b64) = s.strip_prefix("v1,") else {
            continue;
        };
        let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(b64) else {
            continue;
        };
        // `verify_slice` compares in constant time.
        if let Some(m) = mac(secret, &h.id, &h.timestamp, body)
            && m.verify_slice(&sig).is_ok()
        {
            return Ok(());
        }
    }
    Err(WebhookRefusal::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_callback_passes_inside_its_window_and_nothing_else_does() {
        let secret = b"whsec-test";
        let body = br#"{"type":"payment.updated"}"#;
        let h = WebhookHeaders {
            id: "msg_1".into(),
            timestamp: "1700000000".into(),
            signature: sign(secret, "msg_1", 1_700_000_000, body),
        };
        assert_eq!(verify(secret, &h, body, 1_700_000_100), Ok(()));
        assert_eq!(
            verify(secret, &h, body, 1_700_000_301),
            Err(WebhookRefusal::OutsideWindow)
        );
        assert_eq!(
            verify(secret, &h, b"{}", 1_700_000_000),
            Err(WebhookRefusal::BadSignature),
            "another body"
        );
        assert_eq!(
            verify(b"other", &h, body, 1_700_000_000),
            Err(WebhookRefusal::BadSignature)
        );
        let other_id = WebhookHeaders {
            id: "msg_2".into(),
            ..h.clone()
        };
        assert_eq!(
            verify(secret, &other_id, body, 1_700_000_000),
            Err(WebhookRefusal::BadSignature),
            "the id is signed"
        );
        let rotated = WebhookHeaders {
            signature: format!("v1,AAAA {}", h.signature),
            ..h.clone()
        };
        assert_eq!(verify(secret, &rotated, body, 1_700_000_000), Ok(()));
        let bad = WebhookHeaders {
            timestamp: "soon".into(),
            ..h
        };
        assert_eq!(
            verify(secret, &bad, body, 1_700_000_000),
            Err(WebhookRefusal::Malformed)
        );
    }
}
