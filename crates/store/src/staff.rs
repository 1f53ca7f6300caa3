//! Staff accounts and their signed-in sessions. SQL in `sql_staff.rs`.

use crate::*;
use async_trait::async_trait;

#[async_trait]
pub trait StaffStore: Send + Sync {
    /// Adds a staff account (with its audit entry); `Conflict::UsernameTaken` if the name is in use.
    async fn create_staff_user(&self, user: &StaffUser, log: &ChangeLog) -> Result<()>;
    async fn staff_user_by_username(&self, username: &str) -> Result<Option<StaffUser>>;
    /// Records the outcome of a sign-in: the failure count and lock after it.
    async fn save_login_outcome(
        &self,
        user_id: &str,
        failed_logins: i64,
        locked_until: Option<jiff::Timestamp>,
    ) -> Result<()>;
    async fn staff_users(&self) -> Result<Vec<StaffUser>>;
    async fn staff_user_by_id(&self, user_id: &str) -> Result<Option<StaffUser>>;
    /// Replaces a password and ends every other session of the account, with the audit entry.
    async fn set_staff_password(
        &self,
        user_id: &str,
        password_hash: &str,
        keep_session: Option<&str>,
        log: &ChangeLog,
    ) -> Result<()>;
    /// Disables (ending every session) or re-enables an account, with the audit entry.
    async fn set_staff_disabled(
        &self,
        user_id: &str,
        disabled_at: Option<jiff::Timestamp>,
        log: &ChangeLog,
    ) -> Result<()>;
    /// Starts a session, with the audit entry of the sign-in.
    async fn create_session(&self, s: &Session, log: &ChangeLog) -> Result<()>;
    async fn session(&self, session_hash: &str) -> Result<Option<Session>>;
    /// Slides an open session's idle expiry.
    async fn touch_session(
        &self,
        session_hash: &str,
        at: jiff::Timestamp,
        expires_at: jiff::Timestamp,
    ) -> Result<()>;
    /// Ends a session (sign-out), with its audit entry.
    async fn end_session(&self, session_hash: &str, log: &ChangeLog) -> Result<()>;
}
