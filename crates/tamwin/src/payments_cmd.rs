//! The demo's payment provider: the sandbox (crates/paysandbox) on a free localhost port, with a fresh
//! merchant key and callback secret, and the registry's payment port pointed at it, its callbacks to
//! this server's `/api/v1/payments/callback`.

use crate::Error;
use std::sync::Arc;
use tamwin_app::Registry;
use tamwin_app::payments::HttpProvider;

pub(crate) async fn demo_sandbox(reg: &mut Registry, listen: &str) -> Result<String, Error> {
    let key = tamwin_app::secret::random_hex(16).map_err(|e| format!("randomness: {e}"))?;
    let secret = tamwin_app::secret::random_hex(32).map_err(|e| format!("randomness: {e}"))?;
    let sandbox = tamwin_paysandbox::Sandbox::new(&key, secret.as_bytes());
    let base = tamwin_paysandbox::serve(sandbox, "127.0.0.1:0").await?;
    reg.set_payments(Arc::new(HttpProvider {
        name: "sandbox".into(),
        transport: tamwin_app::http_transport::HttpTransport { base: base.clone() },
        api_key: key,
        webhook_secret: secret.into_bytes(),
        callback_url: format!("http://{listen}/api/v1/payments/callback"),
        public_base: format!("http://{listen}"),
    }));
    Ok(base)
}
