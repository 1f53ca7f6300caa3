//! The screening signal of powers of attorney (issue 17 point 5; docs/proxies.md, "The screening
//! signal"): findings of the kind `proxy` for auditors, reviewed like the others. Three patterns, each
//! raised once per grant or pair:
//!
//! - **absent**: a proxy collected (in the last 90 days) for a card on which a member is deceased or
//!   abroad — held for it, or found so by this run: a hold decision when no present member is left who
//!   is neither, a review item otherwise (raised again as a hold when it comes to that);
//! - **many**: one person was proxy, over the past year, for at least as many households as the
//!   proxy limit allows at once (`Registry::set_proxy_rules`, 3 by default; a proxy who changes
//!   families keeps it up): a review item on each family;
//! - **phone**: a proxy's first collection within a week of a grant made when the family's phone had
//!   changed in the month before: someone who took over the phone may have made the grant; a review item.

use super::*;
use tamwin_domain::hold::HoldReason;
use tamwin_domain::{HouseholdId, HouseholdRecord, MemberId, Relation};
use tamwin_store::Grant;

const COLLECTED_DAYS: i64 = 90;
const PHONE_BEFORE_DAYS: i64 = 30;
const COLLECTED_AFTER_DAYS: i64 = 7;

fn days_before(t: jiff::Timestamp, days: i64) -> jiff::Timestamp {
    t.checked_sub(jiff::SignedDuration::from_hours(24 * days))
        .unwrap_or(t)
}

/// The member a finding about the whole card names: its present head, else its first present member.
fn head_of(r: &HouseholdRecord) -> Option<MemberId> {
    let present = || r.present_members();
    present()
        .find(|m| m.relation == Relation::Head)
        .or_else(|| present().next())
        .map(|m| m.member_id.clone())
}

impl Registry {
    /// This run's proxy findings; `found` are the run's other findings (deceased and abroad members).
    pub(super) async fn proxy_findings(
        &self,
        run_id: &str,
        found: &[ScreeningFinding],
    ) -> Result<Vec<ScreeningFinding>> {
        let now = self.clock.now();
        let mut out = vec![];
        let finding = |household: &HouseholdRecord,
                       member: MemberId,
                       g: &Grant,
                       pair_key: String,
                       decision: ScreenDecision,
                       score: f64,
                       explanation: String| ScreeningFinding {
            finding_id: self.ids.id().into(),
            run_id: run_id.to_string(),
            kind: FindingKind::Proxy,
            household_id: household.household.household_id.clone(),
            member_id: member,
            other_household_id: g.proxy_household_id.clone(),
            other_member_id: None,
            other_national_id: Some(g.proxy_national_id.clone()),
            pair_key,
            score_micros: (score * 1e6).round() as i64,
            decision,
            explanation,
            status: FindingStatus::Pending,
            created_at: now,
            decided_at: None,
            decided_by: None,
            decision_note: None,
            effective_at: None,
            hold_id: None,
        };
        // Collections by proxy: absent members, and a grant on a phone that had just changed.
        for c in self
            .store
            .proxy_collected_since(days_before(now, COLLECTED_DAYS))
            .await?
        {
            let (Some(g), Some(r)) = (
                self.store.grant(&c.grant_id).await?,
                self.store.household_by_id(&c.household_id).await?,
            ) else {
                continue;
            };
            let absent: Vec<(&tamwin_domain::Member, &'static str)> = r
                .present_members()
                .filter_map(|m| {
                    let held = r.active_holds().find(|h| {
                        h.member_id.as_ref() == Some(&m.member_id)
                            && matches!(h.reason, HoldReason::Deceased | HoldReason::Abroad)
                    });
                    let this_run = found.iter().find(|f| {
                        f.member_id == m.member_id
                            && matches!(f.kind, FindingKind::Deceased | FindingKind::Abroad)
                    });
                    match (held.map(|h| h.reason), this_run.map(|f| f.kind)) {
                        (Some(HoldReason::Deceased), _) | (_, Some(FindingKind::Deceased)) => {
                            Some((m, "deceased"))
                        }
                        (Some(_), _) | (_, Some(_)) => Some((m, "abroad")),
                        _ => None,
                    }
                })
                .collect();
            if let Some((m, why)) = absent.first() {
                let everyone = absent.len() == r.present_members().count();
                let decision = if everyone {
                    ScreenDecision::Hold
                } else {
                    ScreenDecision::Review
                };
                // The decision is in the key: a card found with every member absent later is raised
                // again, as a hold.
                out.push(finding(
                    &r,
                    m.member_id.clone(),
                    &g,
                    format!("proxy:absent:{}:{}", g.grant_id, decision.code()),
                    decision,
                    if everyone { 1.0 } else { 0.8 },
                    // Notes the finding's page reads back into the catalogs' words (`note_*`).
                    format!(
                        "proxy_national_id={};proxy_collections={};proxy_last={};proxy_members_{why}={}/{}",
                        g.proxy_national_id,
                        c.collections,
                        c.last_at.strftime("%Y-%m-%d"),
                        absent.len(),
                        r.present_members().count(),
                    ),
                ));
            }
            let changed = self
                .store
                .household_audit(&r.household.household_id, &["phone_changed"], 20)
                .await?
                .into_iter()
                .filter_map(|e| e.at.parse::<jiff::Timestamp>().ok())
                .find(|at| {
                    *at <= g.created_at && *at >= days_before(g.created_at, PHONE_BEFORE_DAYS)
                });
            let soon = days_before(c.first_at, COLLECTED_AFTER_DAYS) <= g.created_at;
            if let (Some(at), true, Some(head)) = (changed, soon, head_of(&r)) {
                out.push(finding(
                    &r,
                    head,
                    &g,
                    format!("proxy:phone:{}", g.grant_id),
                    ScreenDecision::Review,
                    0.7,
                    format!(
                        "proxy_national_id={};phone_changed={};grant_made={};proxy_first_collection={}",
                        g.proxy_national_id,
                        at.strftime("%Y-%m-%d"),
                        g.created_at.strftime("%Y-%m-%d"),
                        c.first_at.strftime("%Y-%m-%d")
                    ),
                ));
            }
        }
        // One person proxy for many households over the year (grants both sides confirmed).
        let many_from = self.proxy_limit.max(1) as usize;
        let mut by_proxy: HashMap<String, Vec<Grant>> = HashMap::new();
        for g in self.store.grants_since(days_before(now, 365)).await? {
            // Grants both sides confirmed, whatever became of them since.
            if g.head.confirmed_at.is_none() || g.proxy.confirmed_at.is_none() {
                continue;
            }
            let list = by_proxy.entry(g.proxy_national_id.clone()).or_default();
            if !list.iter().any(|x| x.household_id == g.household_id) {
                list.push(g);
            }
        }
        let mut many: Vec<_> = by_proxy
            .into_values()
            .filter(|l| l.len() >= many_from)
            .collect();
        many.sort_by(|a, b| a[0].proxy_national_id.cmp(&b[0].proxy_national_id));
        for list in many {
            let n = list.len();
            for g in &list {
                let Some(r) = self.store.household_by_id(&g.household_id).await? else {
                    continue;
                };
                let Some(head) = head_of(&r) else { continue };
                out.push(finding(
                    &r,
                    head,
                    g,
                    format!("proxy:many:{}:{}", g.proxy_national_id, g.household_id),
                    ScreenDecision::Review,
                    (n as f64 / (2 * many_from) as f64).min(1.0),
                    format!(
                        "proxy_national_id={};proxy_households={n}",
                        g.proxy_national_id
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// A confirmed proxy finding ends the family's open grants to that proxy (revoked by the auditor);
    /// how many ended.
    pub(super) async fn end_flagged_grants(
        &self,
        household: &HouseholdId,
        proxy: &str,
        finding: &str,
        actor: &Actor,
    ) -> Result<usize> {
        use tamwin_domain::proxy::GrantStatus::*;
        let mut ended = 0;
        for g in self.store.household_grants(household).await? {
            if g.proxy_national_id != proxy
                || !matches!(g.status, Confirming | AwaitingPayment | Active)
            {
                continue;
            }
            let reason = format!("screening finding {finding}");
            let log = self.log(
                "grant.revoked",
                None,
                Some(reason.clone()),
                actor,
                serde_json::json!({ "grant_id": g.grant_id, "finding_id": finding }),
            );
            let end = tamwin_store::GrantEnd {
                household_id: household,
                grant_id: &g.grant_id,
                from: &[Confirming, AwaitingPayment, Active],
                to: Revoked,
                by: &actor.name,
                reason: Some(&reason),
                at: self.clock.now(),
                log: &log,
            };
            if self.store.end_grant(&end).await? {
                ended += 1;
            }
        }
        Ok(ended)
    }
}
