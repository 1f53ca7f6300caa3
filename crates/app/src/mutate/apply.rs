//! A change applied: the household read within the actor's reach, changed by the caller's closure,
//! checked (the member set, national IDs free), and written with its audit entry if nobody changed
//! it meanwhile (optimistic version), else tried again; an idempotent request replays its answer.

use super::Done;
use crate::{Actor, AppError, HouseholdView, IdemRequest, Outcome, Registry, Result};
use std::collections::BTreeSet;
use tamwin_domain::access::Permission;
use tamwin_domain::household::check_member_set;
use tamwin_domain::{CardNumber, HouseholdRecord, MemberId, NationalId, ValidationErrors};
use tamwin_store::{Conflict, HouseholdChange, StoreError};

const ATTEMPTS: usize = 5;

fn present_ids(r: &HouseholdRecord) -> BTreeSet<(NationalId, MemberId)> {
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

impl Registry {
    /// Applies `f` to the household if the caller's role allows `perm` and the household is within the
    /// caller's area (else 403, or 404 as if it did not exist).
    pub(super) async fn mutate<F>(
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
    pub(super) async fn mutate_in_scope<F>(
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
            let added: Vec<(NationalId, MemberId)> =
                new_ids.difference(&old_ids).cloned().collect();
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
                    done.member_id.map(String::from),
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
}
