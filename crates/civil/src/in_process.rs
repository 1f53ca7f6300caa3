//! The reference registry reached without a network: requests go through its router in the same
//! process. The demo and the tests use it; `down` makes it unreachable, to play a hub outage.

use axum::body::Body;
use http_body_util::BodyExt;
use std::sync::atomic::{AtomicBool, Ordering};
use tower::ServiceExt;

pub struct InProcess {
    pub router: axum::Router,
    pub down: AtomicBool,
}

impl InProcess {
    pub fn new(router: axum::Router) -> Self {
        InProcess {
            router,
            down: AtomicBool::new(false),
        }
    }
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl tamwin_hub::HubTransport for InProcess {
    async fn post(
        &self,
        path: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("connection refused".into());
        }
        // A callback target may be a full URL; in-process only its path matters.
        let path = match path.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => path,
        };
        let mut req = axum::http::Request::builder().method("POST").uri(path);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let req = req.body(Body::from(body)).map_err(|e| e.to_string())?;
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes()
            .to_vec();
        Ok((status, headers, bytes))
    }
}
