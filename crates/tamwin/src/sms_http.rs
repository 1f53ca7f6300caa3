//! The SMS gateway over HTTP (docs/access.md, "SMS gateway"): each message is one JSON POST to the
//! provider's (or the ministry's SMS relay's) URL with a bearer credential, all from `TAMWIN_SMS_*`.
//! `tamwin serve` refuses to start without one unless told to serve without SMS: a ministry expects
//! sign-in codes to reach phones, not a log.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::time::Duration;
use tamwin_store::OutboxMessage;

/// How `tamwin serve` sends SMS (flags or `TAMWIN_SMS_*`).
#[derive(clap::Args, Debug, Clone)]
pub struct SmsFlags {
    /// The gateway's URL (`http://host:port/path`); each message is POSTed there as JSON
    /// `{"id", "to", "text", "sender"}`. TLS, where needed, ends at the ministry's relay in front of it.
    #[arg(long, env = "TAMWIN_SMS_URL")]
    pub sms_url: Option<String>,
    /// The credential, sent as `Authorization: Bearer …` (from the environment, not the command line,
    /// in production: `TAMWIN_SMS_TOKEN`).
    #[arg(long, env = "TAMWIN_SMS_TOKEN", hide_env_values = true)]
    pub sms_token: Option<String>,
    /// The sender name or number the provider shows.
    #[arg(long, env = "TAMWIN_SMS_SENDER", default_value = "Tamwin")]
    pub sms_sender: String,
    /// Seconds to wait for the gateway's answer.
    #[arg(long, env = "TAMWIN_SMS_TIMEOUT", default_value_t = 10)]
    pub sms_timeout: u64,
    /// Serve without an SMS gateway: citizens cannot receive sign-in codes (a warning at start).
    #[arg(long, env = "TAMWIN_SMS_DISABLED")]
    pub sms_disabled: bool,
}

/// The gateway `serve` uses, or why it will not start.
pub fn gateway(f: &SmsFlags) -> Result<std::sync::Arc<dyn tamwin_app::SmsGateway>, String> {
    match (&f.sms_url, f.sms_disabled) {
        (Some(url), _) => Ok(std::sync::Arc::new(HttpSms::new(
            url,
            f.sms_token.clone(),
            &f.sms_sender,
            Duration::from_secs(f.sms_timeout.max(1)),
        )?)),
        (None, true) => {
            tracing::warn!(
                "serving without an SMS gateway (TAMWIN_SMS_DISABLED): citizens cannot receive sign-in codes"
            );
            Ok(std::sync::Arc::new(NoSms))
        }
        (None, false) => Err(
            "no SMS gateway: set TAMWIN_SMS_URL (and TAMWIN_SMS_TOKEN), or \
             TAMWIN_SMS_DISABLED=true to serve without citizen sign-in codes (docs/access.md)"
                .into(),
        ),
    }
}

/// Delivers nothing: `serve --sms-disabled`.
struct NoSms;

#[async_trait::async_trait]
impl tamwin_app::SmsGateway for NoSms {
    async fn deliver(&self, _: &OutboxMessage) -> Result<(), String> {
        Err("no SMS gateway configured".into())
    }
}

pub struct HttpSms {
    authority: String,
    target: String,
    token: Option<String>,
    sender: String,
    timeout: Duration,
}

impl HttpSms {
    pub fn new(
        url: &str,
        token: Option<String>,
        sender: &str,
        timeout: Duration,
    ) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("TAMWIN_SMS_URL: not an http:// URL: {url}"))?;
        let (authority, target) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
        if authority.is_empty() {
            return Err(format!("TAMWIN_SMS_URL: no host in {url}"));
        }
        Ok(HttpSms {
            authority: authority.to_string(),
            target: target.to_string(),
            token,
            sender: sender.to_string(),
            timeout,
        })
    }

    async fn post(&self, body: Vec<u8>) -> Result<u16, String> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|e| format!("{}: {e}", self.authority))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut req = hyper::Request::builder()
            .method("POST")
            .uri(&self.target)
            .header("host", &self.authority)
            .header("content-type", "application/json");
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        // The answer's body is not needed; it is read (a little) so the connection closes cleanly.
        let _ = http_body_util::Limited::new(resp.into_body(), 64 << 10)
            .collect()
            .await;
        Ok(status)
    }
}

#[async_trait::async_trait]
impl tamwin_app::SmsGateway for HttpSms {
    async fn deliver(&self, msg: &OutboxMessage) -> Result<(), String> {
        let body = serde_json::json!({
            "id": msg.message_id, "to": msg.recipient, "text": msg.body, "sender": self.sender,
        });
        let status = tokio::time::timeout(self.timeout, self.post(body.to_string().into_bytes()))
            .await
            .map_err(|_| format!("{}: no answer in time", self.authority))??;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(format!("{}: answered {status}", self.authority))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::sync::{Arc, Mutex};
    use tamwin_app::SmsGateway;

    type Seen = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;

    /// A local gateway that records what it was sent and answers `status`.
    async fn local_gateway(status: u16) -> (String, Seen) {
        let seen: Seen = Arc::default();
        let s = seen.clone();
        let app = axum::Router::new().route(
            "/send",
            axum::routing::post(
                move |h: axum::http::HeaderMap, body: axum::body::Bytes| async move {
                    let auth = h
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    s.lock()
                        .unwrap()
                        .push((auth, serde_json::from_slice(&body).unwrap()));
                    axum::http::StatusCode::from_u16(status).unwrap()
                },
            ),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, app).await });
        (format!("http://{addr}/send"), seen)
    }

    fn msg() -> OutboxMessage {
        OutboxMessage {
            message_id: "m1".into(),
            channel: "sms".into(),
            recipient: "07701112233".into(),
            body: "code 123456".into(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            delivered_at: None,
        }
    }

    #[tokio::test]
    async fn posts_each_message_with_the_credential() {
        let (url, seen) = local_gateway(202).await;
        let g = HttpSms::new(
            &url,
            Some("s3cret".into()),
            "Tamwin",
            Duration::from_secs(5),
        )
        .unwrap();
        g.deliver(&msg()).await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].0.as_deref(), Some("Bearer s3cret"));
        assert_eq!(
            seen[0].1,
            serde_json::json!({"id": "m1", "to": "07701112233", "text": "code 123456", "sender": "Tamwin"})
        );
    }

    #[tokio::test]
    async fn a_refusal_or_no_gateway_is_an_error() {
        let (url, _) = local_gateway(503).await;
        let g = HttpSms::new(&url, None, "Tamwin", Duration::from_secs(5)).unwrap();
        assert!(g.deliver(&msg()).await.unwrap_err().contains("503"));
        // Nobody listens on a freshly closed port.
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone = format!("http://{}/send", l.local_addr().unwrap());
        drop(l);
        let g = HttpSms::new(&gone, None, "Tamwin", Duration::from_secs(5)).unwrap();
        assert!(g.deliver(&msg()).await.is_err());
        assert!(HttpSms::new("https://x/", None, "T", Duration::from_secs(1)).is_err());
    }

    #[test]
    fn serve_needs_a_gateway_or_an_explicit_no() {
        let mut f = SmsFlags {
            sms_url: None,
            sms_token: None,
            sms_sender: "Tamwin".into(),
            sms_timeout: 10,
            sms_disabled: false,
        };
        assert!(gateway(&f).is_err());
        f.sms_disabled = true;
        assert!(gateway(&f).is_ok());
        f.sms_url = Some("http://127.0.0.1:9/send".into());
        assert!(gateway(&f).is_ok());
    }
}
