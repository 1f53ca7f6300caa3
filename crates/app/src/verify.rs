//! Checking members against the civil registry through the hub. Every call is kept as evidence linked
//! to the member; the answer decides the member's verification state and, where the registry says so,
//! a hold with the call as its evidence. When the hub cannot answer, the member is marked pending and
//! the check goes to the retry queue: nothing is lost and nobody waits at the counter.

use crate::hub_client::{CallError, HubClient};
use crate::{Actor, AppError, HoldInput, Registry, Result};
use tamwin_domain::{CardNumber, HoldReason, HouseholdId, HouseholdRecord, MemberId};
use tamwin_hub::HubErrorCode;
use tamwin_hub::services::{IdentityMatch, IdentityQuery, Service};
use tamwin_store::{Evidence, MemberVerification};

/// First retry after this many minutes, doubling with each attempt up to a day.
pub const RETRY_MINUTES: i64 = 5;

fn retry_after(attempts: i64) -> jiff::SignedDuration {
    let minutes = (RETRY_MINUTES << attempts.clamp(0, 9)).min(24 * 60);
    jiff::SignedDuration::from_mins(minutes)
}

impl Registry {
    pub(crate) fn hub(&self) -> Result<&HubClient> {
        self.hub
            .as_deref()
            .ok_or_else(|| AppError::Internal("no identity hub configured".into()))
    }

    /// Checks one member (by household and member id) and records what came of it.
    pub async fn verify_member(
        &self,
        household_id: &HouseholdId,
        member_id: &MemberId,
    ) -> Result<MemberVerification> {
        let hub = self.hub()?;
        let rec = self
            .store
            .household_by_id(household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let m = rec
            .present_members()
            .find(|m| m.member_id == *member_id)
            .ok_or(AppError::NotFound)?;
        let Some(nid) = &m.national_id else {
            return Err(AppError::rule("member_without_national_id"));
        };
        let query = IdentityQuery {
            national_id: nid.as_str().to_string(),
            given_name: Some(m.given_name.clone()),
            father_name: Some(m.father_name.clone()),
            grandfather_name: Some(m.grandfather_name.clone()),
            family_name: m.family_name.clone(),
            mother_name: Some(m.mother_name.clone()),
            birth_date: Some(m.birth_date.to_string()),
            sex: Some(m.sex.code().to_string()),
        };
        let (request_hash, answer) = hub
            .call::<_, IdentityMatch>(Service::VerifyIdentity, &query)
            .await;
        let now = self.clock.now();
        let previous = self.store.verification(household_id, member_id).await?;
        let attempts = previous.as_ref().map_or(0, |v| v.attempts) + 1;
        let evidence_id = self.ids.id();
        let (status, response_hash, outcome, hold) = match &answer {
            Ok(c) => match (&c.envelope.response, c.envelope.error_code()) {
                (Some(r), _) if r.matched => (
                    "verified",
                    c.response_hash.clone(),
                    serde_json::json!(r),
                    None,
                ),
                (Some(r), _) => {
                    let differs: Vec<&str> = r
                        .fields
                        .iter()
                        .filter(|(_, ok)| !**ok)
                        .map(|(f, _)| f.as_str())
                        .collect();
                    (
                        "mismatch",
                        c.response_hash.clone(),
                        serde_json::json!(r),
                        Some((
                            HoldReason::DataMismatch,
                            format!("differs from the civil registry: {}", differs.join(", ")),
                        )),
                    )
                }
                (None, Some(HubErrorCode::IdDeactivatedDeceased)) => (
                    "deceased",
                    c.response_hash.clone(),
                    serde_json::json!({ "error": "HUB-ID-002" }),
                    Some((
                        HoldReason::Deceased,
                        "national ID deactivated: holder deceased".to_string(),
                    )),
                ),
                (None, Some(HubErrorCode::IdNotFound)) => (
                    "not_found",
                    c.response_hash.clone(),
                    serde_json::json!({ "error": "HUB-ID-001" }),
                    Some((
                        HoldReason::Fictitious,
                        "no person with this national ID in the civil registry".to_string(),
                    )),
                ),
                (None, code) => (
                    "pending",
                    c.response_hash.clone(),
                    serde_json::json!({ "error": code.map(|c| c.code()) }),
                    None,
                ),
            },
            Err(CallError::Refused(code)) => {
                tracing::error!(
                    "hub refused our request ({}): check the key and clock",
                    code.code()
                );
                (
                    "pending",
                    String::new(),
                    serde_json::json!({ "error": code.code() }),
                    None,
                )
            }
            Err(e) => (
                "pending",
                String::new(),
                serde_json::json!({ "failure": format!("{e:?}") }),
                None,
            ),
        };
        let evidence = Evidence {
            household_id: household_id.clone(),
            evidence_id: evidence_id.clone(),
            member_id: Some(member_id.clone()),
            service: Service::VerifyIdentity.id().to_string(),
            request_hash: request_hash.clone(),
            response_hash,
            at: now,
            outcome: outcome.to_string(),
        };
        let v = MemberVerification {
            household_id: household_id.clone(),
            member_id: member_id.clone(),
            status: status.to_string(),
            attempts,
            last_attempt_at: now,
            next_attempt_at: (status == "pending")
                .then(|| now.checked_add(retry_after(attempts - 1)).ok())
                .flatten(),
            evidence_id: Some(evidence_id),
        };
        self.store.save_verification(&v, Some(&evidence)).await?;
        if let Some((reason, why)) = hold {
            self.hold_from_hub(
                &rec.household.card_number,
                member_id,
                reason,
                &why,
                &request_hash,
            )
            .await?;
        }
        Ok(v)
    }

    /// Compares a fingerprint captured at the counter with the template of the member's unified card,
    /// through the hub (the capture is sent, never stored; the call is kept as evidence). Answers
    /// `matched`, `not_matched`, or `unavailable` when the hub cannot answer.
    pub async fn verify_fingerprint(
        &self,
        household_id: &HouseholdId,
        member_id: &MemberId,
        national_id: &str,
        template: &str,
    ) -> Result<String> {
        let hub = self.hub()?;
        let q = tamwin_hub::services::FingerprintQuery {
            national_id: national_id.to_string(),
            template: template.to_string(),
        };
        let (request_hash, answer) = hub
            .call::<_, tamwin_hub::services::FingerprintMatch>(Service::VerifyFingerprint, &q)
            .await;
        let (result, response_hash, outcome) = match &answer {
            Ok(c) => match &c.envelope.response {
                Some(r) => (
                    if r.matched { "matched" } else { "not_matched" },
                    c.response_hash.clone(),
                    serde_json::json!(r),
                ),
                None => (
                    "unavailable",
                    c.response_hash.clone(),
                    serde_json::json!({ "error": c.envelope.error_code().map(|e| e.code()) }),
                ),
            },
            Err(e) => (
                "unavailable",
                String::new(),
                serde_json::json!({ "failure": format!("{e:?}") }),
            ),
        };
        self.store
            .save_evidence(&Evidence {
                household_id: household_id.clone(),
                evidence_id: self.ids.id(),
                member_id: Some(member_id.clone()),
                service: Service::VerifyFingerprint.id().to_string(),
                request_hash,
                response_hash,
                at: self.clock.now(),
                outcome: outcome.to_string(),
            })
            .await?;
        Ok(result.to_string())
    }

    /// Places a hold whose evidence is a hub answer; one already in place is left as it is.
    async fn hold_from_hub(
        &self,
        card: &CardNumber,
        member_id: &MemberId,
        reason: HoldReason,
        why: &str,
        request_hash: &str,
    ) -> Result<()> {
        let input = HoldInput {
            member_id: Some(member_id.clone()),
            reason: reason.code().to_string(),
            evidence: format!("{why} (hub request {request_hash})"),
            source: "civil_registry".into(),
        };
        self.place_hold_once(card, &input, &Actor::system("hub"))
            .await
    }

    /// Checks every present member with a national ID of a household.
    pub async fn verify_household(&self, rec: &HouseholdRecord) -> Result<Vec<MemberVerification>> {
        let mut out = vec![];
        let ids: Vec<MemberId> = rec
            .present_members()
            .filter(|m| m.national_id.is_some())
            .map(|m| m.member_id.clone())
            .collect();
        for id in ids {
            out.push(self.verify_member(&rec.household.household_id, &id).await?);
        }
        Ok(out)
    }

    /// Tries again the pending checks whose time has come; returns how many were tried.
    pub async fn retry_verifications(&self, limit: u32) -> Result<usize> {
        let due = self
            .store
            .due_verifications(self.clock.now(), limit)
            .await?;
        for v in &due {
            self.verify_member(&v.household_id, &v.member_id).await?;
        }
        Ok(due.len())
    }
}
