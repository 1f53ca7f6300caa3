//! Machine credentials: API tokens and the keys of registered devices, with the nonces that refuse a
//! replayed device request. SQL in `sql_credentials.rs`.

use crate::*;
use async_trait::async_trait;

#[async_trait]
pub trait CredentialStore: Send + Sync {
    async fn create_api_token(&self, t: &ApiToken, log: &ChangeLog) -> Result<()>;
    async fn api_token(&self, token_id: &str) -> Result<Option<ApiToken>>;
    /// Revokes a token; false if there was none or it already was.
    async fn revoke_api_token(&self, token_id: &str, log: &ChangeLog) -> Result<bool>;
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;
    async fn create_device_key(&self, d: &DeviceKey, log: &ChangeLog) -> Result<()>;
    async fn device_key(&self, device_id: &str) -> Result<Option<DeviceKey>>;
    async fn revoke_device_key(&self, device_id: &str, log: &ChangeLog) -> Result<bool>;
    async fn device_keys(&self) -> Result<Vec<DeviceKey>>;
    /// Records a request's nonce, in one statement; false if the device used it before (a replay).
    async fn use_nonce(&self, device_id: &str, nonce: &str, at: jiff::Timestamp) -> Result<bool>;
    /// Drops nonces recorded before `before` (their requests' times are refused anyway); returns
    /// how many. The job `devices.nonces` calls it, off every request's path.
    async fn forget_nonces(&self, before: jiff::Timestamp) -> Result<u64>;
}
