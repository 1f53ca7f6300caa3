//! The payment provider fees go through: for `tamwin serve`, one speaking the sandbox's protocol
//! at a configured address (`TAMWIN_PAYMENTS_*`); for `tamwin demo`, the sandbox itself
//! (crates/paysandbox) on a free localhost port with a fresh merchant key and callback secret. Either
//! way its callbacks come to this server's `/api/v1/payments/callback`.

use crate::Error;
use std::sync::Arc;
use tamwin_app::Registry;
use tamwin_app::payments::HttpProvider;

pub(crate) async fn demo_sandbox(reg: &mut Registry, listen: &str) -> Result<String, Error> {
    let key = tamwin_app::secret::random_hex(16).map_err(|e| format!("randomness: {e}"))?;
    let secret = tamwin_app::secret::random_hex(32).map_err(|e| format!("randomness: {e}"))?;
    let sandbox = tamwin_paysandbox::Sandbox::new(&key, secret.as_bytes());
    sandbox.set_clock_offset(reg.clock().now().as_second() - jiff::Timestamp::now().as_second());
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

/// How `tamwin serve` reaches a payment provider (flags or `TAMWIN_PAYMENTS_*`); none: fees cannot be
/// paid (`payments_unavailable`).
#[derive(clap::Args, Debug, Clone)]
pub struct PaymentFlags {
    /// The provider's address (`http://host:port`), speaking the sandbox's protocol (docs/proxies.md).
    #[arg(long, env = "TAMWIN_PAYMENTS_URL")]
    pub payments_url: Option<String>,
    /// The merchant key, sent as `Authorization: Bearer …` (from the environment in production).
    #[arg(long, env = "TAMWIN_PAYMENTS_KEY", hide_env_values = true)]
    pub payments_key: Option<String>,
    /// The secret the provider signs its callbacks with.
    #[arg(long, env = "TAMWIN_PAYMENTS_WEBHOOK_SECRET", hide_env_values = true)]
    pub payments_webhook_secret: Option<String>,
    /// This server's address as citizens' browsers and the provider reach it (`https://…`); the
    /// provider calls back to `<public-url>/api/v1/payments/callback` and sends citizens back here.
    #[arg(long, env = "TAMWIN_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Points the registry's payment port at the configured provider; every flag is needed together.
pub(crate) fn connect(reg: &mut Registry, f: &PaymentFlags) -> Result<(), Error> {
    let (Some(url), Some(key), Some(secret), Some(public)) = (
        &f.payments_url,
        &f.payments_key,
        &f.payments_webhook_secret,
        &f.public_url,
    ) else {
        if f.payments_url.is_some() {
            return Err(
                "--payments-url needs --payments-key, --payments-webhook-secret and --public-url"
                    .into(),
            );
        }
        return Ok(());
    };
    let public = public.trim_end_matches('/');
    reg.set_payments(Arc::new(HttpProvider {
        name: "provider".into(),
        transport: tamwin_app::http_transport::HttpTransport { base: url.clone() },
        api_key: key.clone(),
        webhook_secret: secret.clone().into_bytes(),
        callback_url: format!("{public}/api/v1/payments/callback"),
        public_base: public.to_string(),
    }));
    Ok(())
}
