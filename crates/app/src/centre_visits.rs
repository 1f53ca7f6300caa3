//! The visit at the update centre (or at home, by a mobile team), issue 5: check-in by the form's QR or
//! the card number, per member present or absent with the original documents seen and the identity
//! checked through the hub (evidence kept), and completion: verified members active, adults who did
//! not come held "not verified in person" with the cure path, the visit's length recorded.
//! Here: the requests and answers, and who may work on a visit; the steps are in `centre_visits/`.

use crate::appointments::{AppointmentView, invalid};
use crate::{Actor, AppError, HoldInput, HoldLift, Registry, Result};
use serde::Deserialize;
use tamwin_domain::access::Permission;
use tamwin_domain::appointment::{self as rules, AppointmentKind, AppointmentStatus, Attendance};
use tamwin_domain::{AppointmentId, CardNumber, HoldReason, HouseholdRecord, MemberId};
use tamwin_store::{Appointment, AppointmentMember};

mod check_in;
pub use check_in::VisitPageData;
mod completion;
mod members;

/// What the officer scanned or typed at check-in.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The text of the form's QR code (`TMW1:…`).
    #[serde(default)]
    pub token: Option<String>,
    /// Or the ration card number, typed.
    #[serde(default)]
    pub card_number: Option<String>,
}

/// What the officer records of one member.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberCheck {
    /// `present` or `absent`.
    pub attendance: String,
    /// Originals seen: `unified_card`, or `civil_id` with `nationality_certificate`.
    #[serde(default)]
    pub documents_seen: Vec<String>,
    /// A remark (a correction made, a document's state).
    #[serde(default)]
    pub note: Option<String>,
    /// A fingerprint template captured at the counter, checked 1:1 against the unified card's through
    /// the hub when the member is present (sent, never stored).
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// The outcome of recording one member.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberCheckResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub attendance: Attendance,
    /// The hub's answer: `verified`, `mismatch`, `deceased`, `not_found`, `pending` (hub unavailable:
    /// retried later), `no_national_id` (a temporary card is the way), or `hub_not_configured`.
    pub verification: Option<String>,
    /// The fingerprint check, when a capture was sent: `matched`, `not_matched`, `unavailable`.
    pub fingerprint: Option<String>,
}

fn code_error(e: tamwin_card::CardError) -> AppError {
    AppError::Validation(tamwin_domain::ValidationErrors(vec![
        tamwin_domain::FieldError::new("token", e.code(), e.message_en()),
    ]))
}

impl Registry {
    /// Whether the actor works at this centre (or team): its code for a centre officer, its area otherwise.
    async fn works_at(&self, actor: &Actor, code: &str) -> Result<bool> {
        let district = match self.geo.centre(code) {
            Some(c) => Some(c.district_code.clone()),
            None => self
                .store
                .teams()
                .await?
                .into_iter()
                .find(|t| t.team_code == code)
                .map(|t| t.district_code),
        };
        Ok(match (&actor.kind, district) {
            (crate::ActorKind::System, _) => true,
            (_, Some(d)) => actor.area.has_centre(code, &d, &self.geo),
            (_, None) => false,
        })
    }

    /// An appointment the actor may work on, with its household; the read of the household is in the
    /// audit log (`visit.read`) before anything of it is shown or changed.
    pub(crate) async fn visit_of(
        &self,
        appointment_id: &AppointmentId,
        actor: &Actor,
    ) -> Result<(Appointment, HouseholdRecord)> {
        actor.require(Permission::VerifyInPerson)?;
        let a = self
            .store
            .appointment(appointment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !self.works_at(actor, &a.centre_code).await? {
            return Err(AppError::NotFound);
        }
        let rec = self
            .store
            .household_by_id(&a.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.record_reads(
            actor,
            "visit.read",
            &[(&rec.household.household_id, &rec.household.card_number)],
        )
        .await?;
        Ok((a, rec))
    }
}

fn not_checked_in() -> AppError {
    AppError::rule("appointment_not_checked_in")
}
