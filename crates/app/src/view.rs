//! What the API and the pages show of a household: the record plus what the citizen needs to read.

use serde::Serialize;
use tamwin_domain::{CardState, Hold, Household, HouseholdRecord, Member, member_entitled};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdView {
    #[serde(flatten)]
    pub household: Household,
    /// The printed card number, `GG-SSSSSSSS-C`.
    pub card_number_display: String,
    pub state_label_ar: &'static str,
    pub state_label_en: &'static str,
    pub members: Vec<MemberView>,
    pub holds: Vec<HoldView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    #[serde(flatten)]
    pub member: Member,
    /// Counts toward this month's entitlement (present and not excluded by a hold).
    pub entitled: bool,
    pub relation_label_ar: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldView {
    #[serde(flatten)]
    pub hold: Hold,
    pub active: bool,
    pub reason_label_ar: &'static str,
    pub reason_label_en: &'static str,
    /// What the citizen does to lift it.
    pub cure_ar: &'static str,
    pub cure_en: &'static str,
}

impl HouseholdView {
    pub fn of(r: &HouseholdRecord) -> Self {
        let state: CardState = r.household.state;
        Self {
            household: r.household.clone(),
            card_number_display: r.household.card_number.display(),
            state_label_ar: state.label_ar(),
            state_label_en: state.label_en(),
            members: r
                .members
                .iter()
                .map(|m| MemberView {
                    member: m.clone(),
                    entitled: member_entitled(m, &r.holds),
                    relation_label_ar: m.relation.label_ar(),
                })
                .collect(),
            holds: r
                .holds
                .iter()
                .map(|h| HoldView {
                    hold: h.clone(),
                    active: h.is_active(),
                    reason_label_ar: h.reason.label_ar(),
                    reason_label_en: h.reason.label_en(),
                    cure_ar: h.reason.cure_ar(),
                    cure_en: h.reason.cure_en(),
                })
                .collect(),
        }
    }
}
