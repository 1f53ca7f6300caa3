//! The auditor's side: the queue of findings, a finding beside what it is compared with, the decision,
//! and holds once the grace period ends.

use super::*;
use tamwin_domain::{FindingId, HouseholdId};

impl Registry {
    /// Findings within the actor's area.
    pub async fn screening_findings(
        &self,
        actor: &Actor,
        mut filter: FindingFilter,
    ) -> Result<Vec<ScreeningFinding>> {
        actor.require(Permission::Screen)?;
        let scope = actor.scope(&self.geo);
        filter.governorate = scope.governorate;
        filter.district = scope.district;
        Ok(self.store.findings(&filter).await?)
    }

    /// One page of the auditors' queue within the actor's area: each finding with the card, district
    /// and member it concerns (their reads audited before they leave), the counts by kind and status, and
    /// the cursor of the next page. A district outside the area finds nothing.
    pub async fn screening_queue(&self, actor: &Actor, q: &QueueQuery) -> Result<QueuePage> {
        actor.require(Permission::Screen)?;
        let after = q.after.as_deref().map(parse_queue_cursor).transpose()?;
        let scope = actor.scope(&self.geo);
        let outside = matches!((&q.district, &scope.district), (Some(w), Some(a)) if w != a);
        let district = q.district.clone().or(scope.district);
        let limit = q.limit.clamp(1, 500);
        if outside {
            return Ok(QueuePage {
                items: vec![],
                next_after: None,
                counts: vec![],
            });
        }
        let filter = FindingFilter {
            status: q.status.clone(),
            kind: q.kind.clone(),
            decision: q.decision.clone(),
            governorate: scope.governorate.clone(),
            district: district.clone(),
            limit,
            after,
            ..Default::default()
        };
        let rows = self.store.finding_queue(&filter).await?;
        let counts = self
            .store
            .finding_counts(scope.governorate.as_deref(), district.as_deref())
            .await?;
        let read: Vec<(&HouseholdId, &str)> = rows
            .iter()
            .map(|r| (&r.finding.household_id, r.who.card_number.as_str()))
            .collect();
        self.record_screening_reads(actor, "household.listed", "screening.queue", &read)
            .await?;
        let next_after = (rows.len() as u32 == limit)
            .then(|| rows.last())
            .flatten()
            .map(|r| {
                format!(
                    "{}~{}~{}",
                    r.finding.decision, r.finding.score_micros, r.finding.finding_id
                )
            });
        Ok(QueuePage {
            items: rows
                .iter()
                .map(|r| QueueItemView {
                    finding: FindingView::from(&r.finding),
                    who: ConcernedView::of(&r.who, &self.geo),
                })
                .collect(),
            next_after,
            counts: counts
                .into_iter()
                .map(|c| CountView {
                    kind: c.kind,
                    status: c.status,
                    count: c.count,
                })
                .collect(),
        })
    }

    /// One finding with the household (or households) it concerns, within the actor's area; the reads
    /// of every household shown are audited before it leaves. The other card of a match is shown only
    /// when it lies in the actor's area too; otherwise the view says a record elsewhere matches.
    pub async fn screening_finding(
        &self,
        actor: &Actor,
        finding_id: &FindingId,
    ) -> Result<FindingDetail> {
        let d = self.finding_detail(actor, finding_id).await?;
        let mut read = vec![(
            &d.household.household.household_id,
            d.household.household.card_number.as_str(),
        )];
        if let Some(o) = &d.other {
            read.push((&o.household.household_id, o.household.card_number.as_str()));
        }
        self.record_screening_reads(actor, "household.read", "screening.finding", &read)
            .await?;
        Ok(d)
    }

    /// The finding as `screening_finding` gives it, without recording a read (for decisions).
    pub(super) async fn finding_detail(
        &self,
        actor: &Actor,
        finding_id: &FindingId,
    ) -> Result<FindingDetail> {
        actor.require(Permission::Screen)?;
        let f = self
            .store
            .finding(finding_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rec = self
            .store
            .household_by_id(&f.household_id)
            .await?
            .filter(|r| actor.sees(&r.household))
            .ok_or(AppError::NotFound)?;
        let (other, other_outside_area) = match &f.other_household_id {
            Some(h) => match self.store.household_by_id(h).await? {
                Some(o) if actor.sees(&o.household) => (Some(o), false),
                Some(_) => (None, true),
                None => (None, false),
            },
            None => (None, false),
        };
        let civil = match &f.other_national_id {
            Some(n) => self.vital_record(n).await,
            None => None,
        };
        let appeals = self
            .store
            .appeals(None, Some(&f.household_id), 100)
            .await?
            .into_iter()
            .filter(|a| a.finding_id == f.finding_id)
            .collect();
        Ok(FindingDetail {
            finding: f,
            household: rec,
            other,
            other_outside_area,
            civil,
            appeals,
        })
    }

    /// One audit entry per household whose personal data is about to be shown, as household reads
    /// write them, with the screening route it was shown through.
    pub(super) async fn record_screening_reads(
        &self,
        actor: &Actor,
        action: &'static str,
        via: &'static str,
        households: &[(&HouseholdId, &str)],
    ) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        let reads: Vec<(HouseholdId, tamwin_store::ChangeLog)> = households
            .iter()
            .filter(|(h, _)| seen.insert(*h))
            .map(|(h, card)| {
                let log = self.log(
                    action,
                    None,
                    None,
                    actor,
                    serde_json::json!({ "card_number": card, "via": via }),
                );
                ((*h).clone(), log)
            })
            .collect();
        if reads.is_empty() {
            return Ok(());
        }
        Ok(self.store.record_reads(&reads).await?)
    }

    /// An auditor confirms (the hold takes effect after the grace period, the household is told now)
    /// or clears a pending finding.
    pub async fn decide_screening_finding(
        &self,
        actor: &Actor,
        finding_id: &FindingId,
        confirm: bool,
        note: &str,
    ) -> Result<ScreeningFinding> {
        let detail = self.finding_detail(actor, finding_id).await?;
        let f = &detail.finding;
        if note.trim().is_empty() && !confirm {
            return Err(AppError::rule("note_required"));
        }
        if let Some(e) = tamwin_domain::check_free_text("note", note, 500) {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e,
            ])));
        }
        let now = self.clock.now();
        // A proxy finding confirmed ends the grant at once; the others hold after the grace period.
        let effective = (confirm && f.kind.holds()).then(|| {
            now.checked_add(jiff::SignedDuration::from_hours(
                24 * self.screening_grace_days,
            ))
            .unwrap_or(now)
        });
        let reason = f.kind.hold_reason();
        // A proxy finding confirmed ends the grants first: the family is told only of grants that
        // did end, and a failure here leaves the finding pending, to be decided again.
        let ended = match (&f.other_national_id, confirm && !f.kind.holds()) {
            (Some(proxy), true) => {
                self.end_flagged_grants(&f.household_id, proxy, f.finding_id.as_str(), actor)
                    .await?
            }
            _ => 0,
        };
        let member = detail.household.member(&f.member_id);
        let name = member.map(|m| m.given_name.clone()).unwrap_or_default();
        let message = match (&detail.household.household.phone, effective) {
            (Some(phone), None) if ended > 0 => Some(OutboxMessage {
                message_id: self.ids.id(),
                channel: "sms".into(),
                recipient: phone.as_str().to_string(),
                body: format!(
                    "تموين: أُلغيت الوكالة عن بطاقتكم {} بعد تدقيق، ولا يستلم الوكيل عنكم بعد الآن. لوكالة جديدة: صفحتكم في بوابة المواطن.\nTamwin: the power of attorney for card {} was revoked after an audit.",
                    detail.household.household.card_number.as_str(),
                    detail.household.household.card_number.as_str(),
                ),
                created_at: now,
                delivered_at: None,
            }),
            (Some(phone), Some(at)) => Some(OutboxMessage {
                message_id: self.ids.id(),
                channel: "sms".into(),
                recipient: phone.as_str().to_string(),
                body: format!(
                    "تموين: سيُوقف نصيب {name} من البطاقة {} بسبب: {}، ابتداءً من {}. للعلاج أو الاعتراض بمستند: بوابة المواطن أو مركز التحديث.",
                    detail.household.household.card_number.as_str(),
                    reason.label_ar(),
                    at.strftime("%Y-%m-%d")
                ),
                created_at: now,
                delivered_at: None,
            }),
            _ => None,
        };
        let kind = if confirm {
            "screening_confirmed"
        } else {
            "screening_cleared"
        };
        let log = self.log(
            kind,
            Some(f.member_id.to_string()),
            Some(reason.code().into()),
            actor,
            serde_json::json!({
                "finding_id": f.finding_id,
                "kind": f.kind,
                "score": f.score_micros as f64 / 1e6,
                "effective_at": effective.map(|t| t.to_string()),
                "note": note,
            }),
        );
        let decided = self
            .store
            .decide_finding(&FindingDecision {
                finding_id,
                status: if confirm {
                    FindingStatus::Confirmed
                } else {
                    FindingStatus::Cleared
                },
                at: now,
                by: &actor.name,
                note,
                effective_at: effective,
                log: &log,
                message: message.as_ref(),
            })
            .await?;
        if !decided {
            return Err(AppError::rule("finding_decided"));
        }
        if confirm && !f.kind.holds() {
            self.store.finding_in_effect(&f.finding_id, "").await?;
        }
        self.store
            .finding(finding_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Confirmed findings whose grace period is over become holds (run every few minutes).
    pub async fn apply_due_findings(&self) -> Result<u64> {
        let system = Actor::system("screening");
        let mut applied = 0;
        for f in self.store.due_findings(self.clock.now(), 500).await? {
            let Some(rec) = self.store.household_by_id(&f.household_id).await? else {
                continue;
            };
            let card = rec.household.card_number.clone();
            let reason = f.kind.hold_reason();
            // A member no longer on the card (removed in the meantime) needs no hold.
            if rec.present_members().any(|m| m.member_id == f.member_id) {
                let input = HoldInput {
                    member_id: Some(f.member_id.clone()),
                    reason: reason.code().into(),
                    evidence: format!("screening finding {}: {}", f.finding_id, f.explanation),
                    source: "screening".into(),
                };
                self.place_hold_once(&card, &input, &system).await?;
            }
            let hold_id = self
                .store
                .household_by_id(&f.household_id)
                .await?
                .and_then(|r| {
                    r.holds
                        .iter()
                        .find(|h| {
                            h.is_active()
                                && h.reason == reason
                                && h.member_id.as_deref() == Some(f.member_id.as_str())
                        })
                        .map(|h| h.hold_id.clone())
                })
                .unwrap_or_default();
            if self
                .store
                .finding_in_effect(&f.finding_id, &hold_id)
                .await?
            {
                applied += 1;
            }
        }
        Ok(applied)
    }
}

/// Which queue page to show: filters (all within the reader's area) and the keyset cursor.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub decision: Option<String>,
    pub district: Option<String>,
    /// `next_after` of the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

pub(super) fn cursor_invalid() -> AppError {
    AppError::Validation(tamwin_domain::ValidationErrors(vec![
        tamwin_domain::FieldError::new("after", "cursor_invalid", "the page cursor is not valid"),
    ]))
}

pub(super) fn parse_queue_cursor(s: &str) -> Result<tamwin_store::QueueCursor> {
    let mut parts = s.splitn(3, '~');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(score), Some(id)) if !id.is_empty() => Ok(tamwin_store::QueueCursor {
            decision: d.to_string(),
            score_micros: score.parse().map_err(|_| cursor_invalid())?,
            finding_id: FindingId::new(id),
        }),
        _ => Err(cursor_invalid()),
    }
}

pub(super) fn parse_inbox_cursor(s: &str) -> Result<(jiff::Timestamp, String)> {
    let (at, id) = s.split_once('~').ok_or_else(cursor_invalid)?;
    let at = at.parse().map_err(|_| cursor_invalid())?;
    Ok((at, id.to_string()))
}
