//! Changes to the household as a whole: its contact number, and closing its card.

use super::{Done, required_reason};
use crate::{Actor, AppError, IdemRequest, Outcome, Registry, Result};
use serde::Deserialize;
use tamwin_domain::access::Permission;
use tamwin_domain::{CardNumber, ValidationErrors};

/// A new contact number for the household (citizen sign-in goes to it).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneChange {
    /// An Iraqi mobile number; empty to remove it.
    pub phone: String,
    pub reason: String,
}

/// Close the card: the household no longer exists as such (all moved, merged, emigrated, deceased).
/// Its members' national IDs become free for other households.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub reason: String,
}

impl Registry {
    pub async fn set_phone(
        &self,
        card: &CardNumber,
        req: &PhoneChange,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        let phone = match req.phone.trim() {
            "" => None,
            p => Some(
                tamwin_domain::Phone::parse(p)
                    .map_err(|e| AppError::Validation(ValidationErrors(vec![e])))?,
            ),
        };
        self.mutate(Permission::EditMembers, card, actor, idem, |_, rec| {
            rec.household.phone = phone.clone();
            Ok(Done {
                kind: "phone_changed",
                member_id: None,
                reason: reason.clone(),
                status: 200,
            })
        })
        .await
    }

    pub async fn close_household(
        &self,
        card: &CardNumber,
        req: &Closure,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        self.mutate(Permission::CloseHousehold, card, actor, idem, |reg, rec| {
            rec.household.closed_at = Some(reg.clock.now());
            Ok(Done {
                kind: "household_closed",
                member_id: None,
                reason: reason.clone(),
                status: 200,
            })
        })
        .await
    }
}
