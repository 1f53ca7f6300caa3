//! The household's side: its findings, its appeal with a document, and the auditor's inbox and decision.

use super::review::parse_inbox_cursor;
use super::*;
use tamwin_domain::{FindingId, HouseholdId};

impl Registry {
    /// Open appeals within the actor's area, oldest first, with their age (their reads audited).
    pub async fn appeal_inbox(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: u32,
    ) -> Result<InboxPage> {
        actor.require(Permission::Screen)?;
        let after = after.map(parse_inbox_cursor).transpose()?;
        let scope = actor.scope(&self.geo);
        let limit = limit.clamp(1, 500);
        let rows = self
            .store
            .appeal_inbox(
                scope.governorate.as_deref(),
                scope.district.as_deref(),
                after.as_ref().map(|(t, i)| (*t, i.as_str())),
                limit,
            )
            .await?;
        let read: Vec<(&HouseholdId, &str)> = rows
            .iter()
            .map(|r| (&r.appeal.household_id, r.who.card_number.as_str()))
            .collect();
        self.record_screening_reads(actor, "household.listed", "screening.appeals", &read)
            .await?;
        let now = self.clock.now();
        let next_after = (rows.len() as u32 == limit)
            .then(|| rows.last())
            .flatten()
            .map(|r| format!("{}~{}", r.appeal.submitted_at, r.appeal.appeal_id));
        Ok(InboxPage {
            items: rows
                .iter()
                .map(|r| InboxItemView {
                    appeal: AppealView::from(&r.appeal),
                    kind: r.kind,
                    member_id: r.member_id.clone(),
                    who: ConcernedView::of(&r.who, &self.geo),
                    age_days: now.duration_since(r.appeal.submitted_at).as_hours().max(0) / 24,
                })
                .collect(),
            next_after,
        })
    }

    /// The findings confirmed against the citizen's household (and those cleared by their appeal), with
    /// the member each concerns and its latest appeal; the read is audited before it leaves.
    pub async fn my_screening(&self, actor: &Actor) -> Result<Vec<MyFinding>> {
        let household_id = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let filter = FindingFilter {
            household_id: Some(household_id.clone()),
            limit: 100,
            ..Default::default()
        };
        let appeals = self.store.appeals(None, Some(&household_id), 100).await?;
        let list: Vec<MyFinding> = self
            .store
            .finding_queue(&filter)
            .await?
            .into_iter()
            .filter_map(|q| {
                let appeal = appeals
                    .iter()
                    .rfind(|a| a.finding_id == q.finding.finding_id)
                    .cloned();
                // A finding cleared by an upheld appeal stays listed: the citizen learns the outcome.
                let upheld = appeal
                    .as_ref()
                    .is_some_and(|a| a.status == AppealStatus::Upheld);
                let shown = match q.finding.status {
                    FindingStatus::Confirmed | FindingStatus::InEffect => true,
                    FindingStatus::Cleared => upheld,
                    FindingStatus::Pending => false,
                };
                shown.then_some((q, appeal))
            })
            .map(|(q, appeal)| MyFinding {
                finding: q.finding,
                member_name: q.who.member_name,
                card_number: q.who.card_number,
                appeal,
            })
            .collect();
        let read: Vec<(&HouseholdId, &str)> = list
            .iter()
            .map(|m| (&household_id, m.card_number.as_str()))
            .collect();
        self.record_screening_reads(actor, "household.read", "screening.my_findings", &read)
            .await?;
        Ok(list)
    }

    /// The citizen appeals a confirmed finding (or the hold it became) with a document.
    pub async fn submit_appeal(
        &self,
        actor: &Actor,
        finding_id: &FindingId,
        statement: &str,
        document: Document,
    ) -> Result<String> {
        let household_id = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let f = self
            .store
            .finding(finding_id)
            .await?
            .filter(|f| f.household_id == household_id)
            .ok_or(AppError::NotFound)?;
        let lifted = match f.status {
            FindingStatus::Confirmed => false,
            FindingStatus::InEffect => !self
                .store
                .household_by_id(&f.household_id)
                .await?
                .is_some_and(|r| {
                    r.holds
                        .iter()
                        .any(|h| Some(&h.hold_id) == f.hold_id.as_ref() && h.is_active())
                }),
            _ => true,
        };
        if lifted {
            return Err(AppError::rule("appeal_hold_lifted"));
        }
        if statement.trim().is_empty() {
            return Err(AppError::rule("statement_required"));
        }
        if let Some(e) = tamwin_domain::check_free_text("statement", statement, 1000) {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e,
            ])));
        }
        let document = document.checked()?;
        let appeal = Appeal {
            appeal_id: self.ids.id(),
            finding_id: f.finding_id.clone(),
            household_id: household_id.clone(),
            submitted_at: self.clock.now(),
            statement: statement.trim().to_string(),
            document_name: document.name,
            document_type: document.content_type,
            document: document.bytes,
            status: AppealStatus::Open,
            decided_at: None,
            decided_by: None,
            decision_note: None,
        };
        let log = self.log(
            "appeal_submitted",
            Some(f.member_id.to_string()),
            None,
            actor,
            serde_json::json!({"appeal_id": appeal.appeal_id, "finding_id": f.finding_id,
                "document": appeal.document_name, "bytes": appeal.document.len()}),
        );
        match self.store.submit_appeal(&appeal, &log).await {
            Err(StoreError::Conflict(Conflict::AppealOpen, _)) => {
                Err(AppError::rule("appeal_open"))
            }
            Err(e) => Err(e.into()),
            Ok(()) => Ok(appeal.appeal_id),
        }
    }

    /// The citizen's own appeal, as just submitted (the answer to the submission).
    pub async fn own_appeal(&self, actor: &Actor, appeal_id: &str) -> Result<Appeal> {
        let household_id = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let a = self
            .store
            .appeal(appeal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let f = self
            .store
            .finding(&a.finding_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if f.household_id != household_id {
            return Err(AppError::NotFound);
        }
        Ok(a)
    }

    /// An appeal with its document, for an auditor of the finding's area.
    pub async fn appeal_document(&self, actor: &Actor, appeal_id: &str) -> Result<Appeal> {
        actor.require(Permission::Screen)?;
        let a = self
            .store
            .appeal(appeal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let d = self.finding_detail(actor, &a.finding_id).await?;
        let h = &d.household.household;
        self.record_screening_reads(
            actor,
            "household.read",
            "screening.appeal_document",
            &[(&h.household_id, h.card_number.as_str())],
        )
        .await?;
        Ok(a)
    }

    /// An auditor decides an appeal: upheld clears the finding and lifts its hold; rejected keeps it.
    pub async fn decide_appeal(
        &self,
        actor: &Actor,
        appeal_id: &str,
        uphold: bool,
        note: &str,
    ) -> Result<()> {
        actor.require(Permission::Screen)?;
        let a = self
            .store
            .appeal(appeal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let detail = self.finding_detail(actor, &a.finding_id).await?;
        if note.trim().is_empty() {
            return Err(AppError::rule("note_required"));
        }
        let log = self.log(
            if uphold {
                "appeal_upheld"
            } else {
                "appeal_rejected"
            },
            Some(detail.finding.member_id.to_string()),
            None,
            actor,
            serde_json::json!({"appeal_id": appeal_id, "finding_id": a.finding_id, "note": note}),
        );
        let status = if uphold {
            AppealStatus::Upheld
        } else {
            AppealStatus::Rejected
        };
        if !self
            .store
            .decide_appeal(appeal_id, status, self.clock.now(), &actor.name, note, &log)
            .await?
        {
            return Err(AppError::rule("appeal_decided"));
        }
        if uphold {
            let f = &detail.finding;
            self.store
                .clear_finding(&f.finding_id, self.clock.now(), &actor.name, note)
                .await?;
            if let Some(hold_id) = f.hold_id.as_deref().filter(|h| !h.is_empty()) {
                let card = detail.household.household.card_number.clone();
                let lift = HoldLift {
                    reason: format!("appeal {appeal_id} upheld: {note}"),
                };
                let by = Actor::system(&format!("appeal {}", actor.name));
                match self.lift_hold(&card, hold_id, &lift, &by, None).await {
                    Ok(_) | Err(AppError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}
