//! Pre-registration and appointments (issue 5): the head (or an officer) books an update centre by the
//! household's district, on a day and hour with a free counter; reschedules or cancels; gets a form
//! whose QR carries a signed appointment token; is reminded the day before. A slot is never booked
//! beyond its counters (the store's invariant), and a repeated submission books once (idempotency).

use crate::{Actor, AppError, IdemRequest, Outcome, Registry, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tamwin_card::{KeyRing, Kind, Payload, Signer};
use tamwin_domain::access::Permission;
use tamwin_domain::appointment::{
    self as rules, AppointmentKind, AppointmentStatus, Attendance, CentreSchedule, Document,
    parse_slot, slot_text,
};
use tamwin_domain::{
    AppointmentId, FieldError, HouseholdId, HouseholdRecord, MemberId, UpdateCentre,
    ValidationErrors,
};
use tamwin_store::{Appointment, AppointmentMember, Booking, Conflict, StoreError};

mod booking;
mod earliest;
mod listing;
mod reminders;

/// The keys that sign appointment forms (and temporary cards): the current signer and every key still
/// trusted, so that forms signed before a rotation keep checking in.
pub struct FormKeys {
    pub signer: Signer,
    pub ring: KeyRing,
}

impl FormKeys {
    /// One key, trusted from `valid_from` (Unix seconds).
    pub fn single(key_id: &str, key: ed25519_dalek::SigningKey, valid_from: i64) -> Result<Self> {
        let signer = Signer::new(key_id, key)
            .map_err(|e| AppError::Internal(format!("form key: {}", e.code())))?;
        let mut ring = KeyRing::new();
        ring.add(key_id, signer.verifying_key(), valid_from, None);
        Ok(FormKeys { signer, ring })
    }
}

/// One member in a booking: the documents they hold and, optionally, whether they attend.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberDeclaration {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    /// `unified_card`, `civil_id`, `nationality_certificate`.
    #[serde(default)]
    pub documents: Vec<String>,
    /// Every member aged 18 or over attends; marking a younger member as required is refused.
    #[serde(default)]
    pub required: Option<bool>,
    /// The unified national ID of a member the card holds without one: linked when an officer sees the
    /// card at the visit.
    #[serde(default)]
    pub national_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    /// `YYYY-MM-DDTHH:MM`, local time; absent: the earliest free slot.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// An update centre of the household's governorate; absent: the household's district's centre, or
    /// the nearest with a free counter at that time.
    #[serde(default)]
    pub centre: Option<String>,
    #[serde(default)]
    pub members: Vec<MemberDeclaration>,
    /// Members not on the card yet (a spouse, a child): each is added only when an officer accepts it
    /// at the visit, with the documents seen. At most 10.
    #[serde(default)]
    pub new_members: Vec<tamwin_domain::MemberInput>,
}

/// A member the head proposed online, and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposedMember {
    pub member: tamwin_domain::MemberInput,
    /// The member id once an officer accepted it at the visit.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub accepted: Option<MemberId>,
}

/// The most members proposed with one booking.
pub const PROPOSED_MAX: usize = 10;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentMemberView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    pub name: String,
    /// The member's data as registered, for the officer's corrections at the visit.
    pub data: Option<tamwin_domain::MemberInput>,
    pub age: i16,
    pub required: bool,
    pub declared_documents: Vec<String>,
    /// A national ID the head declared for a member without one, to be linked at the visit.
    pub declared_national_id: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub attendance: Attendance,
    pub documents_seen: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentView {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub appointment_id: AppointmentId,
    pub card_number: String,
    /// `centre` or `home`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: AppointmentKind,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: AppointmentStatus,
    pub status_ar: String,
    pub centre_code: String,
    pub centre_name_ar: String,
    pub centre_name_en: String,
    pub district_name_ar: String,
    /// The household's address (a mobile team's route list).
    pub address: String,
    /// A home visit's reason: `elderly`, `sick`, `disabled`.
    pub reason: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub booked_at: String,
    pub checked_in_at: Option<String>,
    pub completed_at: Option<String>,
    pub members: Vec<AppointmentMemberView>,
    /// Members the head proposed, in order (their index is used to accept one at the visit).
    pub proposed_members: Vec<ProposedMember>,
    /// The signed token the form's QR code holds (only while the appointment is booked).
    pub token: Option<String>,
}

/// Free places of one centre on one day.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CentreDay {
    pub centre_code: String,
    pub centre_name_ar: String,
    pub centre_name_en: String,
    pub day: String,
    /// Whether this is a centre of the household's own district.
    pub own_district: bool,
    pub slots: Vec<FreeSlot>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FreeSlot {
    pub starts_at: String,
    pub free: i64,
}

pub(crate) fn invalid(code: &'static str, en: &'static str) -> AppError {
    AppError::Validation(ValidationErrors(vec![FieldError::new("", code, en)]))
}

fn field(e: FieldError) -> AppError {
    AppError::Validation(ValidationErrors(vec![e]))
}

/// Local (Iraq, UTC+3) date-time of an instant.
pub(crate) fn local(t: jiff::Timestamp) -> jiff::civil::DateTime {
    jiff::tz::Offset::constant(3).to_datetime(t)
}

/// The instant of a local date-time.
pub(crate) fn instant(dt: jiff::civil::DateTime) -> Result<jiff::Timestamp> {
    jiff::tz::Offset::constant(3)
        .to_timestamp(dt)
        .map_err(|e| AppError::Internal(format!("time: {e}")))
}

impl Registry {
    pub(crate) fn schedule(&self, c: &UpdateCentre) -> Result<CentreSchedule> {
        CentreSchedule::of(c)
            .ok_or_else(|| AppError::Internal(format!("centre {} has no valid hours", c.code)))
    }

    /// The household this actor may book for: a citizen's own, or one within a staff member's area.
    pub(crate) async fn household_for_booking(
        &self,
        household_id: &HouseholdId,
        actor: &Actor,
    ) -> Result<HouseholdRecord> {
        let rec = self
            .household_in_reach(household_id, actor, Permission::Register)
            .await?;
        open_for_booking(rec)
    }
}

/// A household that may book: not closed.
fn open_for_booking(rec: HouseholdRecord) -> Result<HouseholdRecord> {
    if rec.household.closed_at.is_some() {
        return Err(AppError::rule("household_closed"));
    }
    Ok(rec)
}

/// A member's registered data in the input form (a correction starts from it).
pub fn member_input(d: &tamwin_domain::household::MemberData) -> tamwin_domain::MemberInput {
    tamwin_domain::MemberInput {
        national_id: d.national_id.as_ref().map(|n| n.as_str().to_string()),
        given_name: d.given_name.clone(),
        father_name: d.father_name.clone(),
        grandfather_name: d.grandfather_name.clone(),
        family_name: d.family_name.clone(),
        mother_name: d.mother_name.clone(),
        birth_date: d.birth_date.to_string(),
        sex: d.sex.code().to_string(),
        relation: d.relation.code().to_string(),
        vulnerability: d.vulnerability,
    }
}

/// The members proposed at booking, as stored: a value that does not parse is an error naming its
/// table and column, not an empty list.
pub(crate) fn proposals(json: &str) -> Result<Vec<ProposedMember>> {
    serde_json::from_str(json)
        .map_err(|e| AppError::Internal(format!("appointments.proposed_members: {e}")))
}

fn codes(s: &str) -> Vec<String> {
    rules::documents_from_text(s)
        .into_iter()
        .map(|d: Document| d.code().to_string())
        .collect()
}

fn no_open_appointment() -> AppError {
    AppError::rule("no_open_appointment")
}
