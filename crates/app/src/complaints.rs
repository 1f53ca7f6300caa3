//! Complaints about outlets (issue 16 point 7; docs/outlets.md, "Complaints"): a family complains
//! about an outlet from its page — short weight, refused service, asked for money, closed in its
//! hours, a collection it did not make — naming the receipt it concerns; the governorate's supervisors
//! see, assign and resolve each with a reply the family reads; the time to resolution is kept. A
//! collection the family says it did not make is marked on the collection for auditors.

use crate::{Actor, AppError, Registry, Result};
use serde::{Deserialize, Serialize};
use tamwin_domain::access::Permission;
use tamwin_domain::complaint::{ComplaintKind, ComplaintStatus};
use tamwin_store::{Complaint, Conflict, StoreError};

/// A complaint as the family sends it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    /// The outlet complained about; by default the receipt's.
    pub outlet: Option<String>,
    /// `short_weight`, `refused_service`, `asked_money`, `closed_in_hours`, `collection_not_made`.
    pub kind: String,
    /// The collection (its receipt) the complaint concerns: required for `collection_not_made`.
    pub redemption_id: Option<String>,
    pub statement: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintView {
    pub complaint_id: String,
    pub card_number: String,
    pub outlet_code: String,
    pub outlet_name: String,
    pub kind: String,
    pub redemption_id: Option<String>,
    pub statement: String,
    /// `open`, `assigned`, `resolved`.
    pub status: String,
    pub created_at: String,
    pub assigned_to: Option<String>,
    pub resolved_at: Option<String>,
    pub reply: Option<String>,
    /// From filing to resolution, in hours.
    pub hours_to_resolve: Option<i64>,
}

fn text(field: &'static str, s: &str, max: usize) -> Result<String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
            tamwin_domain::FieldError::new(field, "text_required", "this text is required"),
        ])));
    }
    if let Some(e) = tamwin_domain::check_free_text(field, s, max) {
        return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
            e,
        ])));
    }
    Ok(s.to_string())
}

impl Registry {
    async fn complaint_view(&self, c: &Complaint, card: &str) -> Result<ComplaintView> {
        let outlet_name = self
            .store
            .outlet(&c.outlet_code)
            .await?
            .map(|o| o.name_ar)
            .unwrap_or_default();
        Ok(ComplaintView {
            complaint_id: c.complaint_id.clone(),
            card_number: card.to_string(),
            outlet_code: c.outlet_code.clone(),
            outlet_name,
            kind: c.kind.code().into(),
            redemption_id: c.redemption_id.clone(),
            statement: c.statement.clone(),
            status: c.status.code().into(),
            created_at: c.created_at.to_string(),
            assigned_to: c.assigned_to.clone(),
            resolved_at: c.resolved_at.map(|t| t.to_string()),
            reply: c.reply.clone(),
            hours_to_resolve: c
                .resolved_at
                .map(|r| r.duration_since(c.created_at).as_secs() / 3600),
        })
    }

    /// The signed-in family's complaint.
    pub async fn file_complaint(
        &self,
        input: &ComplaintInput,
        actor: &Actor,
    ) -> Result<ComplaintView> {
        let hid = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let r = self
            .store
            .household_by_id(&hid)
            .await?
            .ok_or(AppError::NotFound)?;
        let kind = ComplaintKind::parse(input.kind.trim()).ok_or_else(|| {
            AppError::Validation(tamwin_domain::ValidationErrors(vec![
                tamwin_domain::FieldError::new("kind", "complaint_kind_unknown", "an unknown kind"),
            ]))
        })?;
        let statement = text("statement", &input.statement, 2000)?;
        // The receipt, if named, must be this family's.
        let receipt = match input
            .redemption_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(id) => Some(
                self.store
                    .redemption(&hid, id)
                    .await?
                    .ok_or(AppError::rule("complaint_receipt_unknown"))?,
            ),
            None if kind.needs_receipt() => {
                return Err(AppError::rule("complaint_receipt_missing"));
            }
            None => None,
        };
        let outlet = match (&input.outlet, &receipt) {
            (_, Some(red)) => red.outlet_code.clone(),
            (Some(o), None) => o.trim().to_string(),
            (None, None) => return Err(AppError::rule("complaint_outlet_missing")),
        };
        let o = self
            .store
            .outlet(&outlet)
            .await?
            .ok_or(AppError::rule("outlet_unknown"))?;
        let gov = self
            .geo
            .district(&o.district_code)
            .map(|d| d.governorate_code.clone())
            .ok_or_else(|| AppError::Internal(format!("outlet {} has no district", o.code)))?;
        let c = Complaint {
            household_id: hid.clone(),
            complaint_id: self.ids.id(),
            outlet_code: o.code.clone(),
            governorate: gov,
            kind,
            redemption_id: receipt.map(|x| x.redemption_id),
            statement,
            status: ComplaintStatus::Open,
            created_at: self.clock.now(),
            assigned_to: None,
            assigned_at: None,
            resolved_by: None,
            resolved_at: None,
            reply: None,
        };
        let log = self.log(
            "complaint.filed",
            Some(c.complaint_id.clone()),
            None,
            actor,
            serde_json::json!({ "outlet": c.outlet_code, "kind": kind.code(), "redemption_id": c.redemption_id }),
        );
        match self.store.file_complaint(&c, &log).await {
            Ok(()) => {}
            Err(StoreError::Conflict(Conflict::Other, m)) if m.contains("complaints") => {
                return Err(AppError::rule("complaint_exists"));
            }
            Err(e) => return Err(e.into()),
        }
        self.complaint_view(&c, r.household.card_number.as_str())
            .await
    }

    /// The signed-in family's complaints, newest first, with the replies.
    pub async fn own_complaints(&self, actor: &Actor) -> Result<Vec<ComplaintView>> {
        let hid = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let r = self
            .store
            .household_by_id(&hid)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut out = vec![];
        for c in self.store.household_complaints(&hid).await? {
            out.push(
                self.complaint_view(&c, r.household.card_number.as_str())
                    .await?,
            );
        }
        Ok(out)
    }

    /// The complaints of the supervisor's governorate (or the nation's governorate named), newest
    /// first; each household's read is audited.
    pub async fn complaints(
        &self,
        governorate: &str,
        status: Option<&str>,
        actor: &Actor,
    ) -> Result<Vec<ComplaintView>> {
        actor.require(Permission::ManageOutlets)?;
        if self.geo.governorate(governorate).is_none() || !actor.covers_code(governorate, &self.geo)
        {
            return Err(AppError::NotFound);
        }
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                Some(ComplaintStatus::parse(s).ok_or(AppError::rule("complaint_status_unknown"))?)
            }
            None => None,
        };
        let mut out = vec![];
        for c in self
            .store
            .governorate_complaints(governorate, status, 200)
            .await?
        {
            let Some(r) = self.store.household_by_id(&c.household_id).await? else {
                continue;
            };
            self.record_reads(
                actor,
                "complaints.read",
                &[(&r.household.household_id, &r.household.card_number)],
            )
            .await?;
            out.push(
                self.complaint_view(&c, r.household.card_number.as_str())
                    .await?,
            );
        }
        Ok(out)
    }

    async fn complaint_in_reach(&self, complaint_id: &str, actor: &Actor) -> Result<Complaint> {
        actor.require(Permission::ManageOutlets)?;
        let c = self
            .store
            .complaint(complaint_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !actor.covers_code(&c.governorate, &self.geo) {
            return Err(AppError::NotFound);
        }
        Ok(c)
    }

    /// Assigns a complaint to a member of staff (by username) to look into.
    pub async fn assign_complaint(
        &self,
        complaint_id: &str,
        to: &str,
        actor: &Actor,
    ) -> Result<()> {
        let c = self.complaint_in_reach(complaint_id, actor).await?;
        let to = text("assigned_to", to, 100)?;
        if c.status == ComplaintStatus::Resolved {
            return Err(AppError::rule("complaint_resolved"));
        }
        let log = self.log(
            "complaint.assigned",
            Some(c.complaint_id.clone()),
            None,
            actor,
            serde_json::json!({ "to": to }),
        );
        if !self
            .store
            .assign_complaint(&c.household_id, complaint_id, &to, self.clock.now(), &log)
            .await?
        {
            return Err(AppError::rule("complaint_resolved"));
        }
        Ok(())
    }

    /// Resolves an assigned complaint with the reply the family reads.
    pub async fn resolve_complaint(
        &self,
        complaint_id: &str,
        reply: &str,
        actor: &Actor,
    ) -> Result<()> {
        let c = self.complaint_in_reach(complaint_id, actor).await?;
        let reply = text("reply", reply, 2000)?;
        if c.status != ComplaintStatus::Assigned {
            return Err(AppError::rule("complaint_not_assigned"));
        }
        let log = self.log(
            "complaint.resolved",
            Some(c.complaint_id.clone()),
            Some(reply.clone()),
            actor,
            serde_json::json!({}),
        );
        if !self
            .store
            .resolve_complaint(
                &c.household_id,
                complaint_id,
                &actor.name,
                &reply,
                self.clock.now(),
                &log,
            )
            .await?
        {
            return Err(AppError::rule("complaint_not_assigned"));
        }
        Ok(())
    }

    /// Collections families say they did not make, for auditors: where, when, what, and the
    /// complaint; those of the auditor's area, each household's read audited.
    pub async fn disputed_collections(&self, actor: &Actor) -> Result<Vec<DisputedView>> {
        actor.require(Permission::Screen)?;
        let mut out = vec![];
        for red in self.store.disputed_redemptions(500).await? {
            let Some(r) = self.store.household_by_id(&red.household_id).await? else {
                continue;
            };
            if !actor.sees(&r.household) {
                continue;
            }
            self.record_reads(
                actor,
                "disputed.read",
                &[(&r.household.household_id, &r.household.card_number)],
            )
            .await?;
            let outlet_name = self
                .store
                .outlet(&red.outlet_code)
                .await?
                .map_or_else(|| red.outlet_code.clone(), |o| o.name_ar);
            let collector = r
                .members
                .iter()
                .find(|m| m.member_id.as_str() == red.collector_member_id)
                .map(|m| m.full_name())
                .unwrap_or_default();
            out.push(DisputedView {
                card_number: r.household.card_number.to_string(),
                outlet_code: red.outlet_code.clone(),
                at: red.at.to_string(),
                collector_name: collector,
                identified_by: red.identified_by.clone(),
                outlet_name,
                items: red
                    .lines
                    .iter()
                    .map(|(i, q)| crate::redemption::ItemTaken {
                        item: i.clone(),
                        unit: crate::redemption::unit_of(i).to_string(),
                        quantity: *q,
                    })
                    .collect(),
                complaint_id: red.disputed_by.clone().unwrap_or_default(),
                voided: red.voided_at.is_some(),
            });
        }
        Ok(out)
    }
}

/// A collection the family says it did not make.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisputedView {
    pub card_number: String,
    pub outlet_code: String,
    pub at: String,
    pub collector_name: String,
    /// `qr`, `otp`, `fingerprint`: a collection by QR the family did not make points at the card's
    /// holder or a copy of its QR, by code at its phone.
    pub identified_by: String,
    pub outlet_name: String,
    pub items: Vec<crate::redemption::ItemTaken>,
    pub complaint_id: String,
    pub voided: bool,
}
