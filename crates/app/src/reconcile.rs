//! The nightly reconciliation: every present member with a national ID of every open card searched in
//! the civil registry, so that a death or departure whose event never arrived cannot leave a card active.
//! Cards are walked in card-number order in batches; each batch's members go in one signed CRVS search
//! (`/registry/sync/search`, up to 1,000 IDs a message) and its evidence in one write. The last card done
//! is saved after each batch, so a run cut short (the hub down, the process stopped) goes on from there.

use crate::{Actor, HoldInput, Registry, Result};
use tamwin_domain::HoldReason;
use tamwin_hub::crvs::{self, Person};
use tamwin_store::{Evidence, ListFilter};

pub const JOB: &str = "hub.reconcile";
/// The service named in the evidence of a reconciliation search.
pub const SEARCH_SERVICE: &str = "IQ/GOV/MOI/civil-registry/crvs/sync/search";

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

/// One signed search and what came of it.
pub struct Searched {
    pub request_hash: String,
    pub response_hash: String,
    pub response: crvs::SearchResponse,
}

impl Registry {
    /// One synchronous CRVS search by national IDs (at most `crvs::MAX_BATCH`), answer checked.
    /// `Err(None)` when the hub does not answer; `Err(Some(why))` when it answers wrongly.
    pub async fn crvs_search_signed(
        &self,
        national_ids: &[String],
    ) -> std::result::Result<Searched, Option<String>> {
        let hub = self.hub().map_err(|_| Some("no hub".to_string()))?;
        let now = self.clock.now();
        let m = crvs::SearchRequest {
            transaction_id: self.ids.id(),
            search_request: national_ids
                .iter()
                .map(|n| crvs::SearchItem::by_uin(n, &now.to_string(), n))
                .collect(),
        };
        let mut h = crvs::header(
            "search",
            &self.ids.id(),
            now,
            &hub.client.to_string(),
            national_ids.len(),
        );
        h.receiver_id = Some(tamwin_hub::services::PROVIDER.into());
        let body = crvs::seal(&hub.key, &hub.key_id, &h, &m).map_err(Some)?;
        let request_hash = tamwin_hub::sha256_hex(&body);
        let (status, raw) = hub
            .post_crvs("/registry/sync/search", body)
            .await
            .map_err(|_| None)?;
        let o = crvs::open(
            &raw,
            "on-search",
            &hub.hub_keys,
            self.clock.now(),
            crvs::MAX_REQUEST_AGE_SECONDS,
        )
        .map_err(|e| Some(format!("{status}: {}", e.code())))?;
        let response: crvs::SearchResponse =
            serde_json::from_value(o.message).map_err(|e| Some(e.to_string()))?;
        // The answer must be the registry's, to us, to this very question: a signed answer to another
        // search (replayed or swapped on the way) would put its results on the wrong people.
        let ours = o.header.sender_id == tamwin_hub::services::PROVIDER
            && o.header.receiver_id.as_deref() == Some(hub.client.to_string().as_str())
            && response.transaction_id == m.transaction_id
            && response.search_response.len() == national_ids.len()
            && response
                .search_response
                .iter()
                .zip(national_ids)
                .all(|(r, n)| {
                    r.reference_id == *n
                        && r.data.as_ref().is_none_or(|d| {
                            d.reg_records
                                .iter()
                                .all(|p| p.identifier.identifier_value == *n)
                        })
                });
        if !ours {
            return Err(Some("the search answer does not answer this search".into()));
        }
        Ok(Searched {
            request_hash,
            response_hash: tamwin_hub::sha256_hex(&raw),
            response,
        })
    }

    /// Runs (or resumes) the reconciliation; `progress` gets the members checked so far.
    pub async fn reconcile(
        &self,
        batch: u32,
        restart: bool,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ReconcileReport> {
        self.hub()?;
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
            // (card, household id, member id, national id) of every member to search.
            let mut wanted = Vec::new();
            for summary in &page {
                let Some(rec) = self.store.household_by_card(&summary.card_number).await? else {
                    continue;
                };
                if rec.household.closed_at.is_some() {
                    continue;
                }
                report.households += 1;
                for m in rec.present_members() {
                    if let Some(n) = &m.national_id {
                        wanted.push((
                            rec.household.card_number.clone(),
                            rec.household.household_id.clone(),
                            m.member_id.clone(),
                            n.as_str().to_string(),
                        ));
                    }
                }
            }
            for chunk in wanted.chunks(crvs::MAX_BATCH) {
                let ids: Vec<String> = chunk.iter().map(|w| w.3.clone()).collect();
                let s = match self.crvs_search_signed(&ids).await {
                    Ok(s) => s,
                    Err(None) => {
                        tracing::warn!("reconciliation stopped, the hub does not answer");
                        return Ok(report);
                    }
                    Err(Some(why)) => {
                        tracing::error!("reconciliation stopped: {why}");
                        return Ok(report);
                    }
                };
                let mut evidence = Vec::new();
                let mut holds = Vec::new();
                // Bound to the question above: one result per ID, in order, each naming its ID.
                for ((card, household_id, member_id, nid), r) in
                    chunk.iter().zip(&s.response.search_response)
                {
                    let found: Option<&Person> = (r.status == "succ")
                        .then(|| r.data.as_ref().and_then(|d| d.reg_records.first()))
                        .flatten();
                    report.members += 1;
                    let (outcome, hold) = match found {
                        None => {
                            report.not_found += 1;
                            (
                                "not_found".to_string(),
                                Some((
                                    HoldReason::Fictitious,
                                    "no person with this national ID in the civil registry"
                                        .to_string(),
                                )),
                            )
                        }
                        Some(p) if p.death_date.is_some() => {
                            report.deceased += 1;
                            let d = p.death_date.clone().unwrap_or_default();
                            (
                                format!("deceased {d}"),
                                Some((HoldReason::Deceased, format!("deceased since {d}"))),
                            )
                        }
                        Some(p)
                            if self.abroad_long_enough(p.exit_date.as_deref())
                                && self.exemption_on(nid).await?.is_none() =>
                        {
                            report.abroad += 1;
                            let d = p.exit_date.clone().unwrap_or_default();
                            (
                                format!("abroad since {d}"),
                                Some((HoldReason::Abroad, format!("abroad since {d}"))),
                            )
                        }
                        Some(p) => (
                            match &p.exit_date {
                                Some(d) => format!("abroad since {d}"),
                                None => "alive".to_string(),
                            },
                            None,
                        ),
                    };
                    evidence.push(Evidence {
                        household_id: household_id.clone(),
                        evidence_id: self.ids.id(),
                        member_id: Some(member_id.clone()),
                        service: SEARCH_SERVICE.to_string(),
                        request_hash: s.request_hash.clone(),
                        response_hash: s.response_hash.clone(),
                        at: self.clock.now(),
                        outcome: serde_json::json!({"reference_id": nid, "outcome": outcome})
                            .to_string(),
                    });
                    if let Some((reason, why)) = hold {
                        holds.push((card.clone(), member_id.clone(), reason, why));
                    }
                }
                self.store.save_evidence_batch(&evidence).await?;
                for (card, member_id, reason, why) in holds {
                    let input = HoldInput {
                        member_id: Some(member_id.clone()),
                        reason: reason.code().into(),
                        evidence: format!(
                            "civil registry search: {why} (hub request {})",
                            s.request_hash
                        ),
                        source: "civil_registry".into(),
                    };
                    self.place_hold_once(&card, &input, &actor).await?;
                }
                progress(report.members);
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
