//! What screening answers carry: findings, appeals, the queue and inbox pages, the side-by-side view.

use super::*;
use tamwin_domain::{FindingId, HouseholdId, MemberId};

/// A finding with what the auditor compares: the member's card, the other card or the civil record.
pub struct FindingDetail {
    pub finding: ScreeningFinding,
    pub household: tamwin_domain::HouseholdRecord,
    /// The other card of a match, when it lies in the reader's area.
    pub other: Option<tamwin_domain::HouseholdRecord>,
    /// The other card of the match lies outside the reader's area: shown as such, without its data.
    pub other_outside_area: bool,
    pub civil: Option<crate::civil_search::VitalRecord>,
    pub appeals: Vec<Appeal>,
}

/// A finding on the citizen's card, with the member it concerns and its latest appeal.
pub struct MyFinding {
    pub finding: ScreeningFinding,
    pub member_name: String,
    pub card_number: String,
    pub appeal: Option<Appeal>,
}

/// Who a queued finding or appeal concerns.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConcernedView {
    pub card_number: String,
    pub member_name: String,
    pub governorate: String,
    pub district: String,
    pub district_name_ar: String,
    pub district_name_en: String,
}

impl ConcernedView {
    pub(super) fn of(c: &tamwin_store::Concerned, geo: &tamwin_domain::Geography) -> Self {
        let d = geo.district(&c.district_code);
        ConcernedView {
            card_number: c.card_number.clone(),
            member_name: c.member_name.clone(),
            governorate: c.governorate_code.clone(),
            district: c.district_code.clone(),
            district_name_ar: d.map(|d| d.name_ar.clone()).unwrap_or_default(),
            district_name_en: d.map(|d| d.name_en.clone()).unwrap_or_default(),
        }
    }
}

/// A finding in the auditors' queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItemView {
    pub finding: FindingView,
    pub who: ConcernedView,
}

/// How many findings of a kind and status lie in the reader's area.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: FindingKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: FindingStatus,
    pub count: i64,
}

/// One page of the auditors' queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuePage {
    pub items: Vec<QueueItemView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
    /// Findings by kind and status in the reader's area (narrowed by the district filter).
    pub counts: Vec<CountView>,
}

/// An open appeal in the auditors' inbox.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItemView {
    pub appeal: AppealView,
    /// The finding's kind.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: FindingKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    pub who: ConcernedView,
    /// Whole days since it was submitted.
    pub age_days: i64,
}

/// One page of the appeals inbox, oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxPage {
    pub items: Vec<InboxItemView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// A finding as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub finding_id: FindingId,
    pub run_id: String,
    /// `same_id`, `duplicate`, `deceased`, `abroad`, `fictitious`, `proxy` (a power of attorney to look into;
    /// docs/proxies.md).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: FindingKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub household_id: HouseholdId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub other_household_id: Option<HouseholdId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub other_member_id: Option<MemberId>,
    pub other_national_id: Option<String>,
    /// Match probability (fictitious: one minus the best match in the civil registry).
    pub score: f64,
    /// `hold` (a hold pending review) or `review`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub decision: ScreenDecision,
    /// Each field's level and weight (docs/formats.md).
    pub explanation: String,
    /// `pending`, `confirmed`, `in_effect`, `cleared`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: FindingStatus,
    /// The hold this finding becomes, and its reason code.
    pub hold_reason: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    /// When the hold takes effect (confirmed findings).
    pub effective_at: Option<String>,
    pub hold_id: Option<String>,
}

impl From<&ScreeningFinding> for FindingView {
    fn from(f: &ScreeningFinding) -> Self {
        FindingView {
            finding_id: f.finding_id.clone(),
            run_id: f.run_id.clone(),
            kind: f.kind,
            household_id: f.household_id.clone(),
            member_id: f.member_id.clone(),
            other_household_id: f.other_household_id.clone(),
            other_member_id: f.other_member_id.clone(),
            other_national_id: f.other_national_id.clone(),
            score: f.score_micros as f64 / 1e6,
            decision: f.decision,
            explanation: f.explanation.clone(),
            status: f.status,
            hold_reason: f.kind.hold_reason().code().to_string(),
            created_at: f.created_at.to_string(),
            decided_at: f.decided_at.map(|t| t.to_string()),
            decided_by: f.decided_by.clone(),
            decision_note: f.decision_note.clone(),
            effective_at: f.effective_at.map(|t| t.to_string()),
            hold_id: f.hold_id.clone().filter(|h| !h.is_empty()),
        }
    }
}

/// An appeal as the API shows it (without the document).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppealView {
    pub appeal_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub finding_id: FindingId,
    pub submitted_at: String,
    pub statement: String,
    pub document_name: String,
    pub document_type: String,
    /// `open`, `upheld`, `rejected`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: AppealStatus,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

impl From<&Appeal> for AppealView {
    fn from(a: &Appeal) -> Self {
        AppealView {
            appeal_id: a.appeal_id.clone(),
            finding_id: a.finding_id.clone(),
            submitted_at: a.submitted_at.to_string(),
            statement: a.statement.clone(),
            document_name: a.document_name.clone(),
            document_type: a.document_type.clone(),
            status: a.status,
            decided_at: a.decided_at.map(|t| t.to_string()),
            decision_note: a.decision_note.clone(),
        }
    }
}

/// One side of a finding: the fields screening compared.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SideView {
    /// The card number (members) or empty (civil registry).
    pub card_number: String,
    pub national_id: Option<String>,
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    pub family_name: Option<String>,
    pub mother_name: String,
    pub birth_date: String,
    pub sex: String,
    /// Civil registry: the death date or the departure date.
    pub death_date: Option<String>,
    pub abroad_since: Option<String>,
}

fn member_side(r: &tamwin_domain::HouseholdRecord, member_id: &MemberId) -> Option<SideView> {
    let m = r.member(member_id)?;
    Some(SideView {
        card_number: r.household.card_number.as_str().to_string(),
        national_id: m.national_id.as_ref().map(|n| n.as_str().to_string()),
        given_name: m.given_name.clone(),
        father_name: m.father_name.clone(),
        grandfather_name: m.grandfather_name.clone(),
        family_name: m.family_name.clone(),
        mother_name: m.mother_name.clone(),
        birth_date: m.birth_date.to_string(),
        sex: m.sex.code().to_string(),
        death_date: None,
        abroad_since: None,
    })
}

/// A finding with both records side by side and its appeals: what the auditor decides on.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingDetailView {
    pub finding: FindingView,
    pub member: SideView,
    /// The other member, or the civil registry's person; none for fictitious, and none when the
    /// other card lies outside the reader's area (`other_outside_area`).
    pub other: Option<SideView>,
    /// A card outside the reader's area matches: its data is not shown (the explanation is); an
    /// auditor whose area covers both cards sees both.
    pub other_outside_area: bool,
    pub appeals: Vec<AppealView>,
}

impl FindingDetail {
    pub fn view(&self) -> FindingDetailView {
        let f = &self.finding;
        let other = match (&self.other, &f.other_member_id, &self.civil) {
            (Some(r), Some(m), _) => member_side(r, m),
            (_, _, Some(c)) => Some(SideView {
                card_number: String::new(),
                national_id: Some(c.national_id.clone()),
                given_name: c.given_name.clone(),
                father_name: c.father_name.clone(),
                grandfather_name: c.grandfather_name.clone(),
                family_name: c.family_name.clone(),
                mother_name: c.mother_name.clone(),
                birth_date: c.birth_date.clone(),
                sex: c.sex.clone(),
                death_date: c.death_date.clone(),
                abroad_since: c.abroad_since.clone(),
            }),
            _ => None,
        };
        let mut finding = FindingView::from(f);
        if self.other_outside_area {
            finding.other_household_id = None;
            finding.other_member_id = None;
        }
        FindingDetailView {
            finding,
            member: member_side(&self.household, &f.member_id).unwrap_or_default(),
            other,
            other_outside_area: self.other_outside_area,
            appeals: self.appeals.iter().map(AppealView::from).collect(),
        }
    }
}
