//! Changes to an existing household: members, head, holds. Each is read, changed by the domain rules,
//! and written back if nobody changed the household meanwhile (optimistic version), else tried again.

use crate::{Actor, AppError, HouseholdView, IdemRequest, Outcome, Registry, Result};
use serde::Deserialize;
use std::collections::BTreeSet;
use tamwin_domain::access::Permission;
use tamwin_domain::household::{MemberInput, check_member_set};
use tamwin_domain::{
    CardNumber, FieldError, HoldReason, HouseholdRecord, NationalId, Presence, Relation,
    ValidationErrors,
};
use tamwin_store::{Conflict, HouseholdChange, StoreError};

/// Add a member, or replace a member's data; `reason` is kept in the history.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    pub member: MemberInput,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberRemoval {
    pub reason: String,
}

/// Make another present member the head; the former head takes `former_head_relation`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HeadChange {
    pub member_id: String,
    pub former_head_relation: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    /// Absent for a hold on the whole household.
    #[serde(default)]
    pub member_id: Option<String>,
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

/// Close the card: the household no longer exists as such (all moved, merged, emigrated, deceased).
/// Its members' national IDs become free for other households.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub reason: String,
}

const ATTEMPTS: usize = 5;

fn invalid(field: &str, code: &'static str, en: &str) -> AppError {
    AppError::Validation(ValidationErrors(vec![FieldError::new(field, code, en)]))
}

fn required_reason(r: &str) -> Result<String> {
    if r.trim().is_empty() {
        return Err(invalid(
            "reason",
            "reason_required",
            "a reason for the change is required",
        ));
    }
    free_text("reason", r, 500)?;
    Ok(r.to_string())
}

fn free_text(field: &str, value: &str, max: usize) -> Result<()> {
    match tamwin_domain::check_free_text(field, value, max) {
        Some(e) => Err(AppError::Validation(ValidationErrors(vec![e]))),
        None => Ok(()),
    }
}

fn present_ids(r: &HouseholdRecord) -> BTreeSet<(NationalId, String)> {
    if r.household.closed_at.is_some() {
        return BTreeSet::new();
    }
    r.present_members()
        .filter_map(|m| m.national_id.clone().map(|n| (n, m.member_id.clone())))
        .collect()
}

/// What changed, before and after, for the audit log: changed members and holds whole, and the
/// household row's fields that moved.
fn before_after(before: &HouseholdRecord, after: &HouseholdRecord) -> serde_json::Value {
    let members: Vec<serde_json::Value> = after
        .members
        .iter()
        .filter(|m| before.member(&m.member_id) != Some(*m))
        .map(|m| serde_json::json!({ "before": before.member(&m.member_id), "after": m }))
        .collect();
    let holds: Vec<serde_json::Value> = after
        .holds
        .iter()
        .filter(|h| !before.holds.contains(h))
        .map(|h| {
            let old = before.holds.iter().find(|b| b.hold_id == h.hold_id);
            serde_json::json!({ "before": old, "after": h })
        })
        .collect();
    let row = |r: &HouseholdRecord| {
        let h = &r.household;
        serde_json::json!({
            "state": h.state.code(), "head_member_id": h.head_member_id, "address": h.address,
            "agent_code": h.agent_code, "phone": h.phone, "closed_at": h.closed_at,
        })
    };
    let (b, a) = (row(before), row(after));
    let mut out = serde_json::json!({ "members": members, "holds": holds });
    if b != a {
        out["household"] = serde_json::json!({ "before": b, "after": a });
    }
    out
}

/// What a change did, for the history.
struct Done {
    kind: &'static str,
    member_id: Option<String>,
    reason: String,
    status: u16,
}

impl Registry {
    /// Applies `f` to the household if the caller's role allows `perm` and the household is within the
    /// caller's area (else 403, or 404 as if it did not exist).
    async fn mutate<F>(
        &self,
        perm: Permission,
        card: &CardNumber,
        actor: &Actor,
        idem: Option<&IdemRequest>,
        f: F,
    ) -> Result<Outcome>
    where
        F: Fn(&Registry, &mut HouseholdRecord) -> Result<Done>,
    {
        actor.require(perm)?;
        self.mutate_in_scope(card, actor, idem, f).await
    }

    /// A change whose permission the caller has already settled (a head confirming a suggestion for
    /// their own household); the household must still be within the actor's reach.
    async fn mutate_in_scope<F>(
        &self,
        card: &CardNumber,
        actor: &Actor,
        idem: Option<&IdemRequest>,
        f: F,
    ) -> Result<Outcome>
    where
        F: Fn(&Registry, &mut HouseholdRecord) -> Result<Done>,
    {
        let idem = IdemRequest::scoped(idem, actor);
        let idem = idem.as_ref();
        let result = self.mutate_once(card, actor, idem, f).await;
        self.settle(idem, result).await
    }

    async fn mutate_once<F>(
        &self,
        card: &CardNumber,
        actor: &Actor,
        idem: Option<&IdemRequest>,
        f: F,
    ) -> Result<Outcome>
    where
        F: Fn(&Registry, &mut HouseholdRecord) -> Result<Done>,
    {
        if let Some(o) = self.replay(idem).await? {
            return Ok(o);
        }
        for _ in 0..ATTEMPTS {
            let before = self
                .store
                .household_by_card(card)
                .await?
                .filter(|r| actor.sees(&r.household))
                .ok_or(AppError::NotFound)?;
            if before.household.closed_at.is_some() {
                return Err(AppError::rule("household_closed"));
            }
            let mut after = before.clone();
            let done = f(self, &mut after)?;
            let mut errs = ValidationErrors::default();
            check_member_set(
                &after.present_members().map(|m| &m.data).collect::<Vec<_>>(),
                &mut errs,
            );
            if !errs.is_empty() {
                return Err(AppError::Validation(errs));
            }
            let (old_ids, new_ids) = (present_ids(&before), present_ids(&after));
            let added: Vec<(NationalId, String)> = new_ids.difference(&old_ids).cloned().collect();
            let removed: Vec<NationalId> = old_ids
                .difference(&new_ids)
                .map(|(n, _)| n.clone())
                .collect();
            // Ids that only moved between members of this household are removed and added back.
            let fresh: Vec<NationalId> = added
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| !removed.contains(n))
                .collect();
            if self
                .store
                .national_id_owners(&fresh)
                .await?
                .iter()
                .any(|(_, c)| c != card)
            {
                return Err(AppError::NationalIdTaken);
            }
            after.household.state = after.derived_state();
            after.household.version = before.household.version + 1;
            after.household.updated_at = self.clock.now();
            let body = serde_json::to_string(&HouseholdView::of(&after))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let change = HouseholdChange {
                expected_version: before.household.version,
                members: after
                    .members
                    .iter()
                    .filter(|m| before.member(&m.member_id) != Some(*m))
                    .cloned()
                    .collect(),
                holds: after
                    .holds
                    .iter()
                    .filter(|h| !before.holds.contains(h))
                    .cloned()
                    .collect(),
                national_ids_removed: removed,
                national_ids_added: added,
                log: self.log(
                    done.kind,
                    done.member_id,
                    Some(done.reason),
                    actor,
                    before_after(&before, &after),
                ),
                household: after.household,
            };
            match self
                .store
                .save_change(&change, self.idem_entry(idem, done.status, &body).as_ref())
                .await
            {
                Ok(()) => {
                    return Ok(Outcome {
                        status: done.status,
                        body,
                        replayed: false,
                    });
                }
                Err(StoreError::Conflict(Conflict::VersionMismatch, _)) => continue,
                Err(StoreError::Conflict(Conflict::IdempotencyKeyTaken, _)) => {
                    return self.after_idem_race(idem).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Busy)
    }

    pub async fn add_member(
        &self,
        card: &CardNumber,
        req: &MemberChange,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        actor.require(Permission::EditMembers)?;
        self.add_member_in_scope(card, req, actor, idem).await
    }

    /// `add_member` once the permission is settled (a head confirming a birth for their household).
    pub(crate) async fn add_member_in_scope(
        &self,
        card: &CardNumber,
        req: &MemberChange,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        let data = req
            .member
            .validate(self.clock.today())
            .map_err(|e| AppError::Validation(prefix(e, "member")))?;
        self.mutate_in_scope(card, actor, idem, |reg, rec| {
            let no = rec.members.iter().map(|m| m.member_no).max().unwrap_or(0) + 1;
            let m = reg.new_member(no, data.clone());
            let id = m.member_id.clone();
            rec.holds.extend(reg.rule_holds(&m, actor));
            rec.members.push(m);
            Ok(Done {
                kind: "member_added",
                member_id: Some(id),
                reason: reason.clone(),
                status: 201,
            })
        })
        .await
    }

    pub async fn update_member(
        &self,
        card: &CardNumber,
        member_id: &str,
        req: &MemberChange,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        let data = req
            .member
            .validate(self.clock.today())
            .map_err(|e| AppError::Validation(prefix(e, "member")))?;
        self.mutate(Permission::EditMembers, card, actor, idem, |reg, rec| {
            let m = rec
                .members
                .iter_mut()
                .find(|m| m.member_id == member_id && m.presence == Presence::Present)
                .ok_or(AppError::NotFound)?;
            if (m.relation == Relation::Head) != (data.relation == Relation::Head) {
                return Err(AppError::rule("head_change_not_by_update"));
            }
            let gained_id = m.national_id.is_none() && data.national_id.is_some();
            let lost_id = m.national_id.is_some() && data.national_id.is_none();
            m.data = data.clone();
            let mid = m.member_id.clone();
            let already_held = rec.holds.iter().any(|h| {
                h.is_active()
                    && h.member_id.as_deref() == Some(&mid)
                    && h.reason == HoldReason::NoNationalId
            });
            if lost_id && !already_held {
                // The same rule as for a new member: no unified card, a temporary card.
                let m = m.clone();
                rec.holds.extend(reg.rule_holds(&m, actor));
            }
            if gained_id {
                // Linking the unified card cures the "no national ID" hold.
                for h in rec.holds.iter_mut().filter(|h| {
                    h.is_active()
                        && h.member_id.as_deref() == Some(&mid)
                        && h.reason == HoldReason::NoNationalId
                }) {
                    h.lifted_at = Some(reg.clock.now());
                    h.lifted_by = Some(actor.name.clone());
                    h.lift_reason = Some("national ID linked".into());
                }
            }
            Ok(Done {
                kind: "member_updated",
                member_id: Some(mid),
                reason: reason.clone(),
                status: 200,
            })
        })
        .await
    }

    pub async fn remove_member(
        &self,
        card: &CardNumber,
        member_id: &str,
        req: &MemberRemoval,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        self.mutate(Permission::EditMembers, card, actor, idem, |_, rec| {
            let m = rec
                .members
                .iter_mut()
                .find(|m| m.member_id == member_id && m.presence == Presence::Present)
                .ok_or(AppError::NotFound)?;
            if m.relation == Relation::Head {
                return Err(AppError::rule("head_cannot_be_removed"));
            }
            m.presence = Presence::Removed;
            m.removed_reason = Some(reason.clone());
            Ok(Done {
                kind: "member_removed",
                member_id: Some(member_id.to_string()),
                reason: reason.clone(),
                status: 200,
            })
        })
        .await
    }

    pub async fn change_head(
        &self,
        card: &CardNumber,
        req: &HeadChange,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        let former = Relation::parse(req.former_head_relation.trim())
            .filter(|r| *r != Relation::Head)
            .ok_or_else(|| {
                invalid(
                    "former_head_relation",
                    "relation_invalid",
                    "unknown relation for the former head",
                )
            })?;
        self.mutate(Permission::EditMembers, card, actor, idem, |_, rec| {
            let new_head = rec
                .members
                .iter()
                .position(|m| m.member_id == req.member_id && m.presence == Presence::Present)
                .ok_or(AppError::NotFound)?;
            if rec.members[new_head].relation == Relation::Head {
                return Err(invalid(
                    "member_id",
                    "already_head",
                    "this member is already the head",
                ));
            }
            for m in rec
                .members
                .iter_mut()
                .filter(|m| m.relation == Relation::Head && m.presence == Presence::Present)
            {
                m.data.relation = former;
            }
            rec.members[new_head].data.relation = Relation::Head;
            rec.household.head_member_id = req.member_id.clone();
            Ok(Done {
                kind: "head_changed",
                member_id: Some(req.member_id.clone()),
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
            let members_without_id: Vec<String> = rec
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
}

fn prefix(e: ValidationErrors, parent: &str) -> ValidationErrors {
    ValidationErrors(e.0.into_iter().map(|f| f.under(parent)).collect())
}

/// A new contact number for the household (citizen sign-in goes to it).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneChange {
    /// An Iraqi mobile number; empty to remove it.
    pub phone: String,
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
}

impl Registry {
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
