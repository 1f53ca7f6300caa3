//! Holds on a household or a member: placed with its evidence and source (once, when a rule or an
//! outside source places it), and lifted with a reason unless its condition still holds.

use super::{Done, free_text, invalid, required_reason};
use crate::{Actor, AppError, IdemRequest, Outcome, Registry, Result};
use serde::Deserialize;
use tamwin_domain::access::Permission;
use tamwin_domain::{CardNumber, HoldReason, MemberId};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    /// Absent for a hold on the whole household.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub member_id: Option<MemberId>,
    /// One of `deceased`, `abroad`, `duplicate`, `fictitious`, `not_verified_in_person`, `no_national_id`,
    /// `data_mismatch`, `other`.
    pub reason: String,
    pub evidence: String,
    /// Where the evidence came from, e.g. `civil_registry`, `screening`, `update_centre`.
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldLift {
    pub reason: String,
}

impl Registry {
    pub async fn place_hold(
        &self,
        card: &CardNumber,
        req: &HoldInput,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = HoldReason::parse(req.reason.trim())
            .ok_or_else(|| invalid("reason", "hold_reason_unknown", "unknown hold reason"))?;
        free_text("evidence", &req.evidence, 1000)?;
        free_text("source", &req.source, 100)?;
        if req.evidence.trim().is_empty() {
            return Err(invalid(
                "evidence",
                "evidence_required",
                "the evidence for the hold is required",
            ));
        }
        if req.source.trim().is_empty() {
            return Err(invalid(
                "source",
                "source_required",
                "the source of the evidence is required",
            ));
        }
        self.mutate(Permission::PlaceHold, card, actor, idem, |reg, rec| {
            if let Some(mid) = &req.member_id
                && !rec.present_members().any(|m| &m.member_id == mid)
            {
                return Err(AppError::NotFound);
            }
            let duplicate = rec
                .active_holds()
                .any(|h| h.reason == reason && h.member_id == req.member_id);
            if duplicate {
                return Err(AppError::rule("hold_already_active"));
            }
            let h = reg.new_hold(
                req.member_id.clone(),
                reason,
                &req.evidence,
                &req.source,
                actor,
            );
            rec.holds.push(h);
            Ok(Done {
                kind: "hold_placed",
                member_id: req.member_id.clone(),
                reason: reason.code().into(),
                status: 201,
            })
        })
        .await
    }

    pub async fn lift_hold(
        &self,
        card: &CardNumber,
        hold_id: &str,
        req: &HoldLift,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        self.mutate(Permission::LiftHold, card, actor, idem, |reg, rec| {
            let members_without_id: Vec<MemberId> = rec
                .present_members()
                .filter(|m| m.national_id.is_none())
                .map(|m| m.member_id.clone())
                .collect();
            let h = rec
                .holds
                .iter_mut()
                .find(|h| h.hold_id == hold_id && h.is_active())
                .ok_or(AppError::NotFound)?;
            if h.reason == HoldReason::NoNationalId
                && h.source == "registry_rule"
                && let Some(mid) = &h.member_id
                && members_without_id.contains(mid)
            {
                return Err(AppError::rule("hold_condition_still_holds"));
            }
            h.lifted_at = Some(reg.clock.now());
            h.lifted_by = Some(actor.name.clone());
            h.lift_reason = Some(reason.clone());
            let member_id = h.member_id.clone();
            Ok(Done {
                kind: "hold_lifted",
                member_id,
                reason: reason.clone(),
                status: 200,
            })
        })
        .await
    }

    /// Places a hold for a rule or an outside source (the hub, a vital event, reconciliation); one with the
    /// same reason already active on the member is left as it is, so repeated answers hold once.
    pub(crate) async fn place_hold_once(
        &self,
        card: &CardNumber,
        input: &HoldInput,
        actor: &Actor,
    ) -> Result<()> {
        match self.place_hold(card, input, actor, None).await {
            Ok(_) => Ok(()),
            Err(AppError::Rule(r)) if r.code == "hold_already_active" => Ok(()),
            Err(e) => Err(e),
        }
    }
}
