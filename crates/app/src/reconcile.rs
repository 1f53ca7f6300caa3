//! The nightly reconciliation: every present member with a national ID of every open card asked of the
//! civil registry's life status, so that a death or departure whose event never arrived cannot leave a
//! card active. Cards are walked in card-number order in batches; the last card done is saved after each
//! batch, so a run cut short (the hub down, the process stopped) goes on from there.

use crate::hub_client::{CallError, Called};
use crate::{Actor, AppError, HoldInput, Registry, Result};
use tamwin_domain::HoldReason;
use tamwin_hub::HubErrorCode;
use tamwin_hub::services::{LifeStatus, NationalIdQuery, Service};
use tamwin_store::{Evidence, ListFilter};

pub const JOB: &str = "hub.reconcile";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    pub households: u64,
    pub members: u64,
    pub deceased: u64,
    pub abroad: u64,
    pub not_found: u64,
    /// False when the run stopped early (the hub stopped answering); the next run resumes.
    pub finished: bool,
}

impl Registry {
    /// Runs (or resumes) the reconciliation; `progress` gets the members checked so far.
    pub async fn reconcile(
        &self,
        batch: u32,
        restart: bool,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ReconcileReport> {
        let hub = self
            .hub
            .clone()
            .ok_or_else(|| AppError::Internal("no identity hub configured".into()))?;
        let mut after = if restart {
            None
        } else {
            self.store
                .job_cursor(JOB)
                .await?
                .and_then(|c| tamwin_domain::CardNumber::parse(&c).ok())
        };
        let mut report = ReconcileReport::default();
        let actor = Actor::system("civil_registry");
        loop {
            let page = self
                .store
                .list_households(&ListFilter {
                    after: after.clone(),
                    limit: batch.clamp(1, 1000),
                    ..Default::default()
                })
                .await?;
            let Some(last) = page.last() else { break };
            let last = last.card_number.clone();
            for summary in &page {
                let Some(rec) = self.store.household_by_card(&summary.card_number).await? else {
                    continue;
                };
                if rec.household.closed_at.is_some() {
                    continue;
                }
                report.households += 1;
                let members: Vec<_> = rec
                    .present_members()
                    .filter_map(|m| m.national_id.clone().map(|n| (m.member_id.clone(), n)))
                    .collect();
                for (member_id, nid) in members {
                    let (request_hash, answer) = hub
                        .call::<_, LifeStatus>(
                            Service::LifeStatus,
                            &NationalIdQuery {
                                national_id: nid.as_str().to_string(),
                            },
                        )
                        .await;
                    let c: Called<LifeStatus> = match answer {
                        Ok(c) => c,
                        Err(CallError::Unavailable(why)) => {
                            tracing::warn!(
                                "reconciliation stopped, the hub does not answer: {why}"
                            );
                            return Ok(report);
                        }
                        Err(e) => {
                            tracing::error!("reconciliation stopped: {e:?}");
                            return Ok(report);
                        }
                    };
                    report.members += 1;
                    self.store
                        .save_evidence(&Evidence {
                            household_id: rec.household.household_id.clone(),
                            evidence_id: self.ids.id(),
                            member_id: Some(member_id.clone()),
                            service: Service::LifeStatus.id().to_string(),
                            request_hash: request_hash.clone(),
                            response_hash: c.response_hash.clone(),
                            at: self.clock.now(),
                            outcome: serde_json::json!({
                                "response": c.envelope.response, "error": c.envelope.error_code().map(|e| e.code())
                            })
                            .to_string(),
                        })
                        .await?;
                    let hold = match (&c.envelope.response, c.envelope.error_code()) {
                        (Some(s), _) if s.status == "deceased" => {
                            report.deceased += 1;
                            Some((
                                HoldReason::Deceased,
                                format!("deceased since {}", s.since.clone().unwrap_or_default()),
                            ))
                        }
                        (Some(s), _)
                            if s.status == "abroad"
                                && self.abroad_long_enough(s.since.as_deref())
                                && self.exemption_on(nid.as_str()).await?.is_none() =>
                        {
                            report.abroad += 1;
                            Some((
                                HoldReason::Abroad,
                                format!("abroad since {}", s.since.clone().unwrap_or_default()),
                            ))
                        }
                        (None, Some(HubErrorCode::IdNotFound)) => {
                            report.not_found += 1;
                            Some((
                                HoldReason::Fictitious,
                                "no person with this national ID in the civil registry".into(),
                            ))
                        }
                        _ => None,
                    };
                    if let Some((reason, why)) = hold {
                        let input = HoldInput {
                            member_id: Some(member_id.clone()),
                            reason: reason.code().into(),
                            evidence: format!("life status: {why} (hub request {request_hash})"),
                            source: "civil_registry".into(),
                        };
                        self.place_hold_once(&rec.household.card_number, &input, &actor)
                            .await?;
                    }
                    progress(report.members);
                }
            }
            self.store
                .save_job_cursor(JOB, Some(last.as_str()), self.clock.now())
                .await?;
            after = Some(last);
        }
        self.store
            .save_job_cursor(JOB, None, self.clock.now())
            .await?;
        report.finished = true;
        Ok(report)
    }

    fn abroad_long_enough(&self, since: Option<&str>) -> bool {
        since
            .and_then(|s| s.parse::<jiff::civil::Date>().ok())
            .is_some_and(|d| {
                i64::from((self.clock.today() - d).get_days()) >= self.abroad_after_days
            })
    }
}
