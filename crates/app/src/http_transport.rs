//! The hub over HTTP: one connection per message (hub traffic is a few batched calls a second, not a
//! stream), plain HTTP/1.1 to the address given; TLS, where the network needs it, ends at the
//! ministry's gateway in front of the hub.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;

/// The largest answer read (a 1,000-person search answer is ~0.5 MiB).
const MAX_ANSWER: usize = 8 << 20;

pub struct HttpTransport {
    /// `http://host:port`, prefixed to paths; a full `http://` URL (a callback target) is used as is.
    pub base: String,
}

#[async_trait::async_trait]
impl tamwin_hub::HubTransport for HttpTransport {
    async fn post(
        &self,
        path: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), String> {
        let url = if path.starts_with("http://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base.trim_end_matches('/'))
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("not an http:// URL: {url}"))?;
        let (authority, target) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
        let stream = tokio::net::TcpStream::connect(authority)
            .await
            .map_err(|e| format!("{authority}: {e}"))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut req = hyper::Request::builder()
            .method("POST")
            .uri(target)
            .header("host", authority);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        // Answers are small; a peer sending without end is cut off.
        let bytes = http_body_util::Limited::new(resp.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes()
            .to_vec();
        Ok((status, headers, bytes))
    }
}
