//! What the store keeps of pre-registration (issue 5): appointments at update centres and home visits,
//! their slots and capacity, what happened to each member at the visit, temporary cards, and the
//! progress figures read from them. `Store` includes this interface.

use crate::{ChangeLog, IdemEntry, OutboxMessage, Result};
use async_trait::async_trait;
use tamwin_domain::appointment::{
    AppointmentKind, AppointmentStatus, Attendance, TemporaryCardStatus,
};
use tamwin_domain::{AppointmentId, HouseholdId, MemberId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub household_id: HouseholdId,
    pub appointment_id: AppointmentId,
    pub kind: AppointmentKind,
    /// The update centre, or the mobile team of a home visit.
    pub centre_code: String,
    /// Local time `YYYY-MM-DDTHH:MM` (a home visit: `YYYY-MM-DD`).
    pub starts_at: String,
    pub status: AppointmentStatus,
    pub booked_at: jiff::Timestamp,
    pub booked_by: String,
    /// A home visit's reason: `elderly`, `sick`, `disabled`.
    pub reason: Option<String>,
    pub checked_in_at: Option<jiff::Timestamp>,
    pub completed_at: Option<jiff::Timestamp>,
    pub closed_at: Option<jiff::Timestamp>,
    pub reminded_at: Option<jiff::Timestamp>,
    pub waited_minutes: Option<i64>,
    pub visit_seconds: Option<i64>,
    pub members: Vec<AppointmentMember>,
    /// Members the head proposed online, as JSON (`[{"member": …, "accepted": member id or null}]`).
    pub proposed_members: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentMember {
    pub member_id: MemberId,
    /// Must attend in person (an adult on the day).
    pub required: bool,
    /// Comma-separated document codes (`domain::appointment::Document`).
    pub declared_documents: String,
    /// A national ID the head declared for a member the card holds without one.
    pub declared_national_id: Option<String>,
    pub attendance: Attendance,
    pub documents_seen: String,
    pub note: Option<String>,
}

/// How full one slot (or one team day) is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotLoad {
    pub starts_at: String,
    pub capacity: i64,
    pub booked: i64,
    pub no_shows: i64,
}

/// One booking, written in one transaction.
pub struct Booking<'a> {
    pub appointment: &'a Appointment,
    /// The slot's capacity if this booking creates it.
    pub capacity: i64,
    /// The open appointment this one replaces (a reschedule): it becomes `rescheduled` and frees its place.
    pub replaces: Option<&'a str>,
    pub log: &'a ChangeLog,
    pub idem: Option<&'a IdemEntry>,
}

/// A booking at whichever of several times has a place, chosen inside the write transaction: the
/// earliest free slot, decided where it is authoritative instead of one transaction per time tried.
pub struct FirstFree<'a> {
    pub household_id: &'a HouseholdId,
    pub centre_code: &'a str,
    /// When it is booked (the replaced appointment's closing time).
    pub booked_at: jiff::Timestamp,
    /// Candidate start times, earliest first (`YYYY-MM-DDTHH:MM`, so text order is time order).
    pub times: &'a [String],
    /// Times known to have a slot row already (rows are never deleted): the others are made first.
    pub slot_rows: &'a [String],
    /// The slots' capacity, for those this booking creates.
    pub capacity: i64,
    pub replaces: Option<&'a str>,
    /// Builds the booking for the time chosen (an index into `times`); called once, after the place
    /// is taken, inside the transaction.
    pub make: &'a (dyn Fn(usize) -> Result<PreparedBooking> + Send + Sync),
}

/// What `FirstFree::make` gives: the appointment at the chosen time, its audit entry and answer.
pub struct PreparedBooking {
    pub appointment: Appointment,
    pub log: ChangeLog,
    pub idem: Option<IdemEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MobileTeam {
    pub team_code: String,
    pub district_code: String,
    pub name_ar: String,
    pub visits_per_day: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemporaryCard {
    pub household_id: HouseholdId,
    pub card_id: String,
    pub member_id: MemberId,
    pub issued_at: jiff::Timestamp,
    pub issued_by: String,
    pub expires_at: jiff::Timestamp,
    pub status: TemporaryCardStatus,
    pub closed_at: Option<jiff::Timestamp>,
    pub national_id: Option<String>,
}

/// Where a store query on appointments is limited to: a centre (or team), a district, a governorate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressScope {
    pub governorate: Option<String>,
    pub district: Option<String>,
    pub centre: Option<String>,
}

/// The progress of the update campaign in one scope (issue 5, point 6).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    /// Open households in the registry (of the scope's area; for a centre, its district).
    pub households: i64,
    pub households_preregistered: i64,
    pub households_verified: i64,
    pub members_verified: i64,
    /// Active holds by reason.
    pub holds_by_reason: Vec<(String, i64)>,
    pub visits_completed: i64,
    pub visit_minutes_avg: Option<f64>,
    pub visit_minutes_p90: Option<f64>,
    /// Minutes from booking to check-in.
    pub wait_minutes_avg: Option<f64>,
    pub appointments_due: i64,
    pub no_shows: i64,
    pub home_visits_pending: i64,
    pub home_visits_done: i64,
}

#[async_trait]
pub trait AppointmentStore: Send + Sync {
    /// Takes a place in the slot if one is free (`Conflict::SlotFull` otherwise), records the appointment,
    /// its members and the household's registration, releases `replaces`, appends the audit entry and
    /// the idempotency entry: all or nothing. `Conflict::AppointmentOpen` if the household already has
    /// an open appointment of this kind.
    async fn book_appointment(&self, b: &Booking<'_>) -> Result<()>;
    /// Books at the earliest of `f.times` with a place left, in one transaction (on PostgreSQL a slot
    /// another booking is taking at this instant is passed over for the next); the index booked, or
    /// `Conflict::SlotFull` when every one is full. Otherwise as `book_appointment`.
    async fn book_first_free(&self, f: &FirstFree<'_>) -> Result<usize>;
    /// Moves a booked appointment to `cancelled` or `no_show` and frees its place (a no-show is counted
    /// on the slot); false if it was not booked any more.
    async fn release_appointment(
        &self,
        household_id: &HouseholdId,
        appointment_id: &AppointmentId,
        to: AppointmentStatus,
        at: jiff::Timestamp,
        log: &ChangeLog,
    ) -> Result<bool>;
    async fn appointment(&self, appointment_id: &AppointmentId) -> Result<Option<Appointment>>;
    /// A household's appointments, newest first.
    async fn appointments_of(&self, household_id: &HouseholdId) -> Result<Vec<Appointment>>;
    /// A centre's (or team's) appointments starting from `from` up to `to` (exclusive), in time order.
    async fn appointments_at(&self, centre: &str, from: &str, to: &str)
    -> Result<Vec<Appointment>>;
    /// The slots of a centre (or team) from `from` up to `to` (exclusive) that have been booked at all.
    async fn slot_loads(&self, centre: &str, from: &str, to: &str) -> Result<Vec<SlotLoad>>;
    /// Holidays of the centre (and national ones) between two days inclusive.
    async fn holidays(&self, centre: &str, from: &str, to: &str) -> Result<Vec<String>>;
    async fn save_holiday(&self, centre: &str, day: &str, name: &str) -> Result<()>;
    /// booked → checked_in; false if it was not booked.
    async fn check_in(
        &self,
        household_id: &HouseholdId,
        appointment_id: &AppointmentId,
        at: jiff::Timestamp,
        waited_minutes: i64,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// What the officer recorded of one member of a checked-in appointment; false if it is not checked in.
    async fn save_attendance(
        &self,
        household_id: &HouseholdId,
        appointment_id: &AppointmentId,
        m: &AppointmentMember,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// checked_in → completed, with the visit's length, and the household's registration verified.
    async fn complete_appointment(
        &self,
        household_id: &HouseholdId,
        appointment_id: &AppointmentId,
        at: jiff::Timestamp,
        visit_seconds: i64,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// Booked appointments starting from `from` up to `to` (exclusive) not yet reminded.
    async fn due_reminders(&self, from: &str, to: &str, limit: u32) -> Result<Vec<Appointment>>;
    /// Marks the reminder sent and queues it (if there is anyone to text), in one transaction; false if
    /// already reminded.
    async fn mark_reminded(
        &self,
        household_id: &HouseholdId,
        appointment_id: &AppointmentId,
        at: jiff::Timestamp,
        message: Option<&OutboxMessage>,
    ) -> Result<bool>;
    /// Replaces the proposals of a checked-in appointment; false if it is not checked in or they changed
    /// since they were read (`from`).
    async fn save_proposals(
        &self,
        household_id: &HouseholdId,
        appointment_id: &AppointmentId,
        from: &str,
        to: &str,
    ) -> Result<bool>;
    /// Booked appointments that started before `before`: the no-shows to release.
    async fn unattended(&self, before: &str, limit: u32) -> Result<Vec<Appointment>>;
    /// Checked-in appointments of days before `before` that nobody completed.
    async fn unfinished(&self, before: &str, limit: u32) -> Result<Vec<Appointment>>;
    /// checked_in → cancelled (the place was used and is not given back); false if not checked in.
    async fn close_unfinished(
        &self,
        household_id: &HouseholdId,
        appointment_id: &AppointmentId,
        at: jiff::Timestamp,
        log: &ChangeLog,
    ) -> Result<bool>;

    async fn save_team(&self, t: &MobileTeam) -> Result<()>;
    async fn teams(&self) -> Result<Vec<MobileTeam>>;

    /// Issues a temporary card (`Conflict::Other` if the member holds an active one).
    async fn issue_temporary_card(&self, c: &TemporaryCard, log: &ChangeLog) -> Result<()>;
    async fn temporary_cards_of(&self, household_id: &HouseholdId) -> Result<Vec<TemporaryCard>>;
    /// Active temporary cards of members with a national ID, after `after` (card id), for conversion.
    async fn active_temporary_cards(&self, after: &str, limit: u32) -> Result<Vec<TemporaryCard>>;
    /// Active temporary cards that expired before `now`.
    async fn expired_temporary_cards(
        &self,
        now: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<TemporaryCard>>;
    /// active → converted or expired; false if it was not active.
    async fn close_temporary_card(
        &self,
        household_id: &HouseholdId,
        card_id: &str,
        to: TemporaryCardStatus,
        national_id: Option<&str>,
        at: jiff::Timestamp,
        log: &ChangeLog,
    ) -> Result<bool>;

    /// The campaign's figures in a scope, from a few set-based queries.
    async fn progress(&self, scope: &ProgressScope, today: &str) -> Result<Progress>;
}
