//! The ration card's signed QR (issue 16 point 3): the token it names is the household's only valid
//! one, so that a card reported lost stops working the moment another is issued. SQL in
//! `sql_card_tokens.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::HouseholdId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardToken {
    pub household_id: HouseholdId,
    pub token_id: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[async_trait]
pub trait CardTokenStore: Send + Sync {
    /// Issues a token, revoking the household's valid one in the same transaction, audited.
    async fn issue_card_token(&self, t: &CardToken, log: &ChangeLog) -> Result<()>;
    /// The household's valid (unrevoked) token, if any.
    async fn valid_card_token(&self, household_id: &HouseholdId) -> Result<Option<CardToken>>;
}
