//! Exemptions to the abroad rule: a member studying, treated or on an official mission abroad keeps
//! their share for the exemption's dates. Granting one lifts an abroad hold already placed; when it ends,
//! the next pass over pending exits (or the nightly reconciliation) places the hold again.

use crate::documents::Document;
use crate::{Actor, AppError, HoldLift, Registry, Result};
use serde::{Deserialize, Serialize};
use tamwin_domain::access::Permission;
use tamwin_domain::{HoldReason, NationalId};
use tamwin_store::Exemption;

pub const EXEMPTION_REASONS: [&str; 4] = [
    "study",
    "medical_treatment",
    "official_mission",
    "pilgrimage",
];

/// The longest exemption granted at once (days): it is renewed with new evidence, not left open.
pub const MAX_EXEMPTION_DAYS: i32 = 366;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExemptionRequest {
    pub national_id: String,
    /// `study`, `medical_treatment`, `official_mission`, `pilgrimage`.
    pub reason: String,
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// `YYYY-MM-DD`, at most 366 days after `valid_from`.
    pub valid_until: String,
    /// What the document is: a university letter, a hospital report, a ministry order (its number).
    pub evidence: String,
    /// The document itself (required): its file name, type (`application/pdf`, `image/jpeg`,
    /// `image/png`) and content, base64 (standard alphabet), at most 2 MB once decoded.
    #[serde(default)]
    pub document_name: String,
    #[serde(default)]
    pub document_type: String,
    #[serde(default)]
    pub document_base64: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExemptionView {
    pub exemption_id: String,
    pub national_id: String,
    pub reason: String,
    pub valid_from: String,
    pub valid_until: String,
    pub evidence: String,
    pub granted_by: String,
    pub granted_at: String,
    /// The document the exemption rests on (none on exemptions granted before documents were kept).
    pub document_name: Option<String>,
    pub document_type: Option<String>,
}

impl From<&Exemption> for ExemptionView {
    fn from(e: &Exemption) -> Self {
        ExemptionView {
            exemption_id: e.exemption_id.clone(),
            national_id: e.national_id.clone(),
            reason: e.reason.clone(),
            valid_from: e.valid_from.clone(),
            valid_until: e.valid_until.clone(),
            evidence: e.evidence.clone(),
            granted_by: e.granted_by.clone(),
            granted_at: e.granted_at.to_string(),
            document_name: e.document_name.clone(),
            document_type: e.document_type.clone(),
        }
    }
}

fn date(v: &str) -> Result<jiff::civil::Date> {
    tamwin_text_ar::fold_digits(v.trim())
        .parse()
        .map_err(|_| AppError::rule("date_invalid"))
}

impl Registry {
    /// The exemption covering today for this person, if any.
    pub(crate) async fn exemption_on(&self, national_id: &str) -> Result<Option<Exemption>> {
        let today = self.clock.today().to_string();
        Ok(self
            .store
            .exemptions(national_id)
            .await?
            .into_iter()
            .find(|e| e.valid_from <= today && today <= e.valid_until))
    }

    /// Grants an exemption to a registered member within the actor's area on the strength of a
    /// document, and lifts an abroad hold that is covered by it.
    pub async fn grant_exemption(
        &self,
        req: &ExemptionRequest,
        actor: &Actor,
    ) -> Result<ExemptionView> {
        actor.require(Permission::LiftHold)?;
        let nid = NationalId::parse(&req.national_id)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        if !EXEMPTION_REASONS.contains(&req.reason.as_str()) {
            return Err(AppError::rule("exemption_reason_unknown"));
        }
        let from = match &req.valid_from {
            Some(v) => date(v)?,
            None => self.clock.today(),
        };
        let until = date(&req.valid_until)?;
        let days = (until - from).get_days();
        if until < from || days > MAX_EXEMPTION_DAYS || until < self.clock.today() {
            return Err(AppError::rule("exemption_dates_invalid"));
        }
        if let Some(e) = tamwin_domain::check_free_text("evidence", &req.evidence, 500) {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e,
            ])));
        }
        if req.evidence.trim().is_empty() {
            return Err(AppError::rule("evidence_required"));
        }
        let document =
            Document::from_base64(&req.document_name, &req.document_type, &req.document_base64)?;
        let rec = self
            .store
            .household_by_national_id(&nid)
            .await?
            .filter(|r| actor.sees(&r.household))
            .ok_or(AppError::NotFound)?;
        // A double submission (or a retry after a lost answer) finds the first grant.
        let same = self
            .store
            .exemptions(nid.as_str())
            .await?
            .into_iter()
            .find(|e| {
                e.reason == req.reason
                    && e.valid_from == from.to_string()
                    && e.valid_until == until.to_string()
            });
        let member = rec
            .present_members()
            .find(|m| m.national_id.as_ref() == Some(&nid))
            .map(|m| m.member_id.clone());
        // A double submission (or a retry after a lost answer, or after the lift below failed) finds
        // the first grant and still lifts the hold.
        let e = match same {
            Some(e) => e,
            None => {
                let e = Exemption {
                    exemption_id: self.ids.id(),
                    national_id: nid.as_str().to_string(),
                    reason: req.reason.clone(),
                    valid_from: from.to_string(),
                    valid_until: until.to_string(),
                    evidence: req.evidence.trim().to_string(),
                    granted_by: actor.name.clone(),
                    granted_at: self.clock.now(),
                    document_name: Some(document.name),
                    document_type: Some(document.content_type),
                };

                let log = self.log(
                    "exemption.granted",
                    member.clone().map(String::from),
                    Some(e.evidence.clone()),
                    actor,
                    serde_json::json!({
                        "national_id": e.national_id, "reason": e.reason,
                        "valid_from": e.valid_from, "valid_until": e.valid_until,
                        "document_name": e.document_name, "document_bytes": document.bytes.len(),
                    }),
                );
                self.store
                    .save_exemption(&e, &document.bytes, &rec.household.household_id, &log)
                    .await?;
                e
            }
        };
        if from <= self.clock.today() {
            let held = rec.active_holds().find(|h| {
                h.reason == HoldReason::Abroad && h.member_id.is_some() && h.member_id == member
            });
            if let Some(h) = held {
                let lift = HoldLift {
                    reason: format!(
                        "exempt from the abroad rule until {} ({}: {})",
                        e.valid_until, e.reason, e.evidence
                    ),
                };
                self.lift_hold(&rec.household.card_number, &h.hold_id, &lift, actor, None)
                    .await?;
            }
        }
        Ok(ExemptionView::from(&e))
    }

    /// The national ID of a registered person whose household the actor may read.
    async fn person_in_view(&self, national_id: &str, actor: &Actor) -> Result<NationalId> {
        actor.require(Permission::ReadPersonal)?;
        let nid = NationalId::parse(national_id)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        self.store
            .household_by_national_id(&nid)
            .await?
            .filter(|r| actor.sees(&r.household))
            .ok_or(AppError::NotFound)?;
        Ok(nid)
    }

    /// A registered person's exemptions, for staff who may see their household.
    pub async fn exemptions_of(
        &self,
        national_id: &str,
        actor: &Actor,
    ) -> Result<Vec<ExemptionView>> {
        let nid = self.person_in_view(national_id, actor).await?;
        Ok(self
            .store
            .exemptions(nid.as_str())
            .await?
            .iter()
            .map(ExemptionView::from)
            .collect())
    }

    /// The document an exemption rests on, for staff who may see the person's household.
    pub async fn exemption_document(&self, exemption_id: &str, actor: &Actor) -> Result<Document> {
        actor.require(Permission::ReadPersonal)?;
        let (e, bytes) = self
            .store
            .exemption_document(exemption_id)
            .await?
            .filter(|(_, bytes)| !bytes.is_empty())
            .ok_or(AppError::NotFound)?;
        self.person_in_view(&e.national_id, actor).await?;
        Ok(Document {
            name: e.document_name.unwrap_or_default(),
            content_type: e.document_type.unwrap_or_default(),
            bytes,
        })
    }
}
