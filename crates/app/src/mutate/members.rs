//! Changes to a household's members: one added, one's data replaced, one removed, and another
//! member made the head.

use super::{Done, invalid, prefix, required_reason};
use crate::{Actor, AppError, IdemRequest, Outcome, Registry, Result};
use serde::Deserialize;
use tamwin_domain::access::Permission;
use tamwin_domain::household::MemberInput;
use tamwin_domain::{CardNumber, HoldReason, MemberId, Presence, Relation};

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
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    pub former_head_relation: String,
    pub reason: String,
}

impl Registry {
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
                member_id: Some(id.clone()),
                reason: reason.clone(),
                status: 201,
            })
        })
        .await
    }

    pub async fn update_member(
        &self,
        card: &CardNumber,
        member_id: &MemberId,
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
                .find(|m| m.member_id == *member_id && m.presence == Presence::Present)
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
                member_id: Some(mid.clone()),
                reason: reason.clone(),
                status: 200,
            })
        })
        .await
    }

    pub async fn remove_member(
        &self,
        card: &CardNumber,
        member_id: &MemberId,
        req: &MemberRemoval,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let reason = required_reason(&req.reason)?;
        self.mutate(Permission::EditMembers, card, actor, idem, |_, rec| {
            let m = rec
                .members
                .iter_mut()
                .find(|m| m.member_id == *member_id && m.presence == Presence::Present)
                .ok_or(AppError::NotFound)?;
            if m.relation == Relation::Head {
                return Err(AppError::rule("head_cannot_be_removed"));
            }
            m.presence = Presence::Removed;
            m.removed_reason = Some(reason.clone());
            Ok(Done {
                kind: "member_removed",
                member_id: Some(member_id.clone()),
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
}
