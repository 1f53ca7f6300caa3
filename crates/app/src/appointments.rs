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
    self as rules, AppointmentStatus, CentreSchedule, Document, parse_slot, slot_text,
};
use tamwin_domain::{FieldError, HouseholdRecord, UpdateCentre, ValidationErrors};
use tamwin_store::{Appointment, AppointmentMember, Booking, Conflict, StoreError};

mod earliest;

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
    pub member_id: String,
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
    pub accepted: Option<String>,
}

/// The most members proposed with one booking.
pub const PROPOSED_MAX: usize = 10;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentMemberView {
    pub member_id: String,
    pub name: String,
    /// The member's data as registered, for the officer's corrections at the visit.
    pub data: Option<tamwin_domain::MemberInput>,
    pub age: i16,
    pub required: bool,
    pub declared_documents: Vec<String>,
    /// A national ID the head declared for a member without one, to be linked at the visit.
    pub declared_national_id: Option<String>,
    pub attendance: String,
    pub documents_seen: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppointmentView {
    pub appointment_id: String,
    pub card_number: String,
    /// `centre` or `home`.
    pub kind: String,
    pub status: String,
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
        household_id: &str,
        actor: &Actor,
    ) -> Result<HouseholdRecord> {
        let rec = self
            .household_in_reach(household_id, actor, Permission::Register)
            .await?;
        if rec.household.closed_at.is_some() {
            return Err(AppError::rule("household_closed"));
        }
        Ok(rec)
    }

    /// The centres a household may book, its own district's first, then by distance.
    fn centres_for(&self, rec: &HouseholdRecord) -> Vec<&UpdateCentre> {
        self.geo
            .centres_by_distance(&rec.household.governorate, &rec.household.district)
    }

    async fn holidays_on(
        &self,
        centre: &str,
        day: jiff::civil::Date,
    ) -> Result<Vec<jiff::civil::Date>> {
        let d = day.to_string();
        Ok(self
            .store
            .holidays(centre, &d, &d)
            .await?
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect())
    }

    /// The household of a card number (authorisation is the use case's that follows).
    pub async fn household_id_of_card(&self, card: &str) -> Result<String> {
        let card = tamwin_domain::CardNumber::parse(card)
            .map_err(|e| AppError::Validation(ValidationErrors(vec![e])))?;
        // The id alone: the use case that follows reads the household itself.
        self.store
            .household_id_by_card(&card)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Free places on `day` at the household's centres: its district's, and the others of its
    /// governorate nearest first (all of them, so a full district can be seen to be full).
    pub async fn free_slots(
        &self,
        household_id: &str,
        day: jiff::civil::Date,
        actor: &Actor,
    ) -> Result<Vec<CentreDay>> {
        let rec = self.household_for_booking(household_id, actor).await?;
        let now = local(self.clock.now());
        let mut out = vec![];
        for c in self.centres_for(&rec) {
            let s = self.schedule(c)?;
            let holidays = self.holidays_on(&c.code, day).await?;
            let next = day
                .tomorrow()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let loads: BTreeMap<String, i64> = self
                .store
                .slot_loads(&c.code, &day.to_string(), &next.to_string())
                .await?
                .into_iter()
                .map(|l| (l.starts_at, l.capacity - l.booked))
                .collect();
            let slots = s
                .slots_on(day)
                .into_iter()
                .filter(|t| s.check(*t, now, &holidays).is_ok())
                .map(|t| {
                    let key = slot_text(t);
                    let free = loads.get(&key).copied().unwrap_or(i64::from(s.counters));
                    FreeSlot {
                        starts_at: key,
                        free,
                    }
                })
                .filter(|f| f.free > 0)
                .collect();
            out.push(CentreDay {
                centre_code: c.code.clone(),
                centre_name_ar: c.name_ar.clone(),
                centre_name_en: c.name_en.clone(),
                day: day.to_string(),
                own_district: c.district_code == rec.household.district,
                slots,
            });
        }
        Ok(out)
    }

    /// Members as booked: every present member, adults required, with the documents declared.
    fn booking_members(
        &self,
        rec: &HouseholdRecord,
        day: jiff::civil::Date,
        decl: &[MemberDeclaration],
    ) -> Result<Vec<AppointmentMember>> {
        let mut errs = ValidationErrors::default();
        for (i, d) in decl.iter().enumerate() {
            let path = format!("members[{i}]");
            let Some(m) = rec.present_members().find(|m| m.member_id == d.member_id) else {
                errs.push(FieldError::new(
                    format!("{path}.member_id"),
                    "member_unknown",
                    "not a member of this household",
                ));
                continue;
            };
            if let Err(e) = rules::parse_documents(&d.documents, &format!("{path}.documents")) {
                errs.push(e);
            }
            if let Some(n) = d.national_id.as_deref().filter(|n| !n.is_empty()) {
                match (tamwin_domain::NationalId::parse(n), &m.national_id) {
                    (Err(e), _) => errs.push(e.under(&path)),
                    (Ok(_), Some(_)) => errs.push(FieldError::new(
                        format!("{path}.national_id"),
                        "national_id_already_linked",
                        "this member already has a national ID; a correction is made at the centre",
                    )),
                    (Ok(_), None) => {}
                }
            }
            let adult = rules::must_attend(m, day);
            match d.required {
                Some(true) if !adult => errs.push(FieldError::new(
                    format!("{path}.required"),
                    "minor_not_required",
                    "members under 18 are not required to attend",
                )),
                Some(false) if adult => errs.push(FieldError::new(
                    format!("{path}.required"),
                    "adult_must_attend",
                    "every member aged 18 or over must attend in person, or be visited by a mobile team",
                )),
                _ => {}
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        Ok(rec
            .present_members()
            .map(|m| {
                let d = decl.iter().find(|d| d.member_id == m.member_id);
                let docs = d
                    .and_then(|d| rules::parse_documents(&d.documents, "").ok())
                    .unwrap_or_default();
                let nid = d
                    .and_then(|d| d.national_id.as_deref())
                    .and_then(|n| tamwin_domain::NationalId::parse(n).ok())
                    .map(|n| n.as_str().to_string());
                AppointmentMember {
                    member_id: m.member_id.clone(),
                    required: rules::must_attend(m, day),
                    declared_documents: rules::documents_text(&docs),
                    declared_national_id: nid,
                    attendance: "expected".into(),
                    documents_seen: String::new(),
                    note: None,
                }
            })
            .collect())
    }

    /// Books the household's appointment (or, with `reschedule`, moves its open one).
    pub async fn book_appointment(
        &self,
        household_id: &str,
        req: &BookingRequest,
        reschedule: bool,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let idem = IdemRequest::scoped(idem, actor);
        let idem = idem.as_ref();
        let result = self
            .book_once(household_id, req, reschedule, actor, idem)
            .await;
        self.settle(idem, result).await
    }

    async fn book_once(
        &self,
        household_id: &str,
        req: &BookingRequest,
        reschedule: bool,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        if let Some(o) = self.replay(idem).await? {
            return Ok(o);
        }
        let rec = self.household_for_booking(household_id, actor).await?;
        let open = self
            .store
            .appointments_of(household_id)
            .await?
            .into_iter()
            .find(|a| a.kind == "centre" && matches!(a.status.as_str(), "booked" | "checked_in"));
        let replaces = match (&open, reschedule) {
            (Some(_), false) => {
                return Err(AppError::rule("appointment_already_booked"));
            }
            (Some(a), true) if a.status != "booked" => {
                return Err(AppError::rule("appointment_in_progress"));
            }
            (Some(a), true) => Some(a.appointment_id.clone()),
            (None, true) => return Err(no_open_appointment()),
            (None, false) => None,
        };
        let proposed = self
            .check_proposals(&req.new_members, open.as_ref())
            .await?;
        let now = local(self.clock.now());
        let candidates: Vec<&UpdateCentre> = match &req.centre {
            Some(code) => {
                let c = self.geo.centre(code.trim()).ok_or_else(|| {
                    field(FieldError::new(
                        "centre",
                        "centre_unknown",
                        "unknown update centre",
                    ))
                })?;
                if self.geo.centre_governorate(c) != Some(rec.household.governorate.as_str()) {
                    return Err(field(FieldError::new(
                        "centre",
                        "centre_other_governorate",
                        "the update centre is in another governorate; choose one in yours",
                    )));
                }
                vec![c]
            }
            None => self.centres_for(&rec),
        };
        if candidates.is_empty() {
            return Err(AppError::rule("no_update_centre"));
        }
        let starts = match &req.starts_at {
            Some(s) => Some(parse_slot(s).ok_or_else(|| {
                field(FieldError::new(
                    "starts_at",
                    "slot_invalid",
                    "not a slot time (YYYY-MM-DDTHH:MM)",
                ))
            })?),
            None => None,
        };
        // Try each candidate: the store, not this read, decides whether a place is free.
        let mut first_refusal = None;
        for c in candidates {
            let s = self.schedule(c)?;
            // The times to try, each already checked against the centre's rules and holidays.
            let (times, slot_rows) = match starts {
                Some(t) => {
                    let holidays = self.holidays_on(&c.code, t.date()).await?;
                    if let Err(r) = s.check(t, now, &holidays) {
                        first_refusal.get_or_insert(r);
                        continue;
                    }
                    (vec![t], vec![])
                }
                None => self.next_free_times(c, &s, now).await?,
            };
            // A reschedule keeps what was declared for members the new request does not mention.
            let mut decl = req.members.clone();
            if let (Some(old), Some(_)) = (&open, &replaces) {
                for m in &old.members {
                    if !rec.present_members().any(|p| p.member_id == m.member_id) {
                        continue;
                    }
                    // A declared ID is carried only while the card still has none for the member.
                    let nid = m.declared_national_id.clone().filter(|_| {
                        rec.present_members()
                            .any(|p| p.member_id == m.member_id && p.national_id.is_none())
                    });
                    match decl.iter_mut().find(|d| d.member_id == m.member_id) {
                        Some(d) if d.national_id.is_none() => d.national_id = nid,
                        Some(_) => {}
                        None => decl.push(MemberDeclaration {
                            member_id: m.member_id.clone(),
                            documents: codes(&m.declared_documents),
                            required: None,
                            national_id: nid,
                        }),
                    }
                }
            }
            let ctx = earliest::Prepare {
                rec: &rec,
                centre: c,
                proposed: &proposed,
                replaces: replaces.as_deref(),
                reschedule,
                actor,
                idem,
            };
            let booked = if starts.is_some() {
                self.book_at(&ctx, &s, &times, &decl).await?
            } else {
                self.book_earliest(&ctx, &s, (&times, &slot_rows), &decl)
                    .await?
            };
            if let Some(o) = booked {
                return Ok(o);
            }
        }
        match (first_refusal, starts) {
            (Some(r), Some(_)) => Err(field(r.error())),
            _ => Err(AppError::rule("slot_full")),
        }
    }

    /// The proposed new members as stored: validated like a registration (each error under
    /// `new_members[i]`), no national ID already on an open card; a reschedule without any keeps the
    /// ones of the appointment it replaces.
    async fn check_proposals(
        &self,
        new: &[tamwin_domain::MemberInput],
        open: Option<&Appointment>,
    ) -> Result<String> {
        if new.is_empty() {
            return Ok(open.map_or_else(|| "[]".to_string(), |a| a.proposed_members.clone()));
        }
        if new.len() > PROPOSED_MAX {
            return Err(invalid(
                "too_many_new_members",
                "at most 10 new members can be proposed with one booking",
            ));
        }
        let mut errs = ValidationErrors::default();
        let mut ids = vec![];
        for (i, m) in new.iter().enumerate() {
            match m.validate(self.clock.today()) {
                Ok(d) => ids.extend(d.national_id),
                Err(e) => errs.0.extend(
                    e.0.into_iter()
                        .map(|f| f.under(&format!("new_members[{i}]"))),
                ),
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        if !ids.is_empty() && !self.store.national_id_owners(&ids).await?.is_empty() {
            return Err(AppError::NationalIdTaken);
        }
        let list: Vec<ProposedMember> = new
            .iter()
            .map(|m| ProposedMember {
                member: m.clone(),
                accepted: None,
            })
            .collect();
        serde_json::to_string(&list).map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Writes a booking: the answer, or None when the place was taken meanwhile (try the next one);
    /// `open` is the refusal when the household already has an open appointment of this kind.
    pub(crate) async fn try_booking(
        &self,
        booking: &Booking<'_>,
        status: u16,
        body: String,
        idem: Option<&IdemRequest>,
        open: AppError,
    ) -> Result<Option<Outcome>> {
        let r = self.store.book_appointment(booking).await;
        self.booking_outcome(r, status, body, idem, open).await
    }

    /// What the store's answer to a booking means: the answer, None when the place was taken
    /// meanwhile, or the refusal.
    pub(crate) async fn booking_outcome(
        &self,
        r: std::result::Result<(), StoreError>,
        status: u16,
        body: String,
        idem: Option<&IdemRequest>,
        open: AppError,
    ) -> Result<Option<Outcome>> {
        match r {
            Ok(()) => Ok(Some(Outcome {
                status,
                body,
                replayed: false,
            })),
            Err(StoreError::Conflict(Conflict::SlotFull, _)) => Ok(None),
            Err(StoreError::Conflict(Conflict::AppointmentOpen, _)) => Err(open),
            // The appointment being moved was closed meanwhile (cancelled, or moved by a twin request).
            Err(StoreError::Conflict(Conflict::AppointmentClosed, _)) => Err(AppError::Busy),
            Err(StoreError::Conflict(Conflict::IdempotencyKeyTaken, _)) => {
                self.after_idem_race(idem).await.map(Some)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Candidate times for "the earliest free slot": the next days' slots with a place left, in order,
    /// and the times of that day that already have a slot row (rows are never deleted).
    async fn next_free_times(
        &self,
        c: &UpdateCentre,
        s: &CentreSchedule,
        now: jiff::civil::DateTime,
    ) -> Result<(Vec<jiff::civil::DateTime>, Vec<String>)> {
        let mut day = now.date();
        for _ in 0..=rules::BOOKING_HORIZON_DAYS {
            let next = day
                .tomorrow()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let holidays = self.holidays_on(&c.code, day).await?;
            let times: Vec<_> = s
                .slots_on(day)
                .into_iter()
                .filter(|t| s.check(*t, now, &holidays).is_ok())
                .collect();
            if !times.is_empty() {
                let loads = self
                    .store
                    .slot_loads(&c.code, &day.to_string(), &next.to_string())
                    .await?;
                let full: Vec<&str> = loads
                    .iter()
                    .filter(|l| l.booked >= l.capacity)
                    .map(|l| l.starts_at.as_str())
                    .collect();
                let free: Vec<_> = times
                    .into_iter()
                    .filter(|t| !full.contains(&slot_text(*t).as_str()))
                    .collect();
                if !free.is_empty() {
                    return Ok((free, loads.into_iter().map(|l| l.starts_at).collect()));
                }
            }
            day = next;
        }
        Ok((vec![], vec![]))
    }

    /// Cancels the household's booked appointment and frees its place.
    pub async fn cancel_appointment(&self, household_id: &str, actor: &Actor) -> Result<()> {
        self.household_for_booking(household_id, actor).await?;
        let open = self
            .store
            .appointments_of(household_id)
            .await?
            .into_iter()
            .find(|a| a.kind == "centre" && a.status == "booked")
            .ok_or_else(no_open_appointment)?;
        let log = self.log(
            "appointment_cancelled",
            None,
            None,
            actor,
            serde_json::json!({ "appointment_id": open.appointment_id, "starts_at": open.starts_at }),
        );
        if self
            .store
            .release_appointment(
                household_id,
                &open.appointment_id,
                "cancelled",
                self.clock.now(),
                &log,
            )
            .await?
        {
            Ok(())
        } else {
            Err(no_open_appointment())
        }
    }

    /// The household's appointments, newest first, with the form token of a booked one.
    pub async fn household_appointments(
        &self,
        household_id: &str,
        actor: &Actor,
    ) -> Result<Vec<AppointmentView>> {
        let rec = self
            .household_in_reach(household_id, actor, Permission::ReadPersonal)
            .await?;
        self.record_reads(
            actor,
            "household.read",
            &[(&rec.household.household_id, &rec.household.card_number)],
        )
        .await?;
        self.store
            .appointments_of(household_id)
            .await?
            .iter()
            .map(|a| self.appointment_view(&rec, a))
            .collect()
    }

    /// A citizen's own household, or one in a staff member's area whose role allows `perm`.
    pub(crate) async fn household_in_reach(
        &self,
        household_id: &str,
        actor: &Actor,
        perm: Permission,
    ) -> Result<HouseholdRecord> {
        if !actor.is_citizen() {
            actor.require(perm)?;
        }
        let rec = self
            .store
            .household_by_id(household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !actor.sees(&rec.household) {
            return Err(AppError::NotFound);
        }
        Ok(rec)
    }

    pub(crate) fn appointment_view(
        &self,
        rec: &HouseholdRecord,
        a: &Appointment,
    ) -> Result<AppointmentView> {
        let (name_ar, name_en, district) = match self.geo.centre(&a.centre_code) {
            Some(c) => (
                c.name_ar.clone(),
                c.name_en.clone(),
                self.geo
                    .district(&c.district_code)
                    .map(|d| d.name_ar.clone())
                    .unwrap_or_default(),
            ),
            None => (a.centre_code.clone(), a.centre_code.clone(), String::new()),
        };
        let district = match (
            district.is_empty(),
            self.geo.district(&rec.household.district),
        ) {
            (true, Some(d)) => d.name_ar.clone(),
            _ => district,
        };
        let start = parse_slot(&a.starts_at);
        let day = start
            .map(|t| t.date())
            .or_else(|| a.starts_at.parse().ok())
            .unwrap_or_else(|| self.clock.today());
        let minutes = self
            .geo
            .centre(&a.centre_code)
            .map_or(rules::SLOT_MINUTES, |c| {
                i32::try_from(c.slot_minutes).unwrap_or(rules::SLOT_MINUTES)
            });
        let ends_at = start
            .and_then(|t| {
                t.checked_add(jiff::SignedDuration::from_mins(i64::from(minutes)))
                    .ok()
            })
            .map(slot_text)
            .unwrap_or_default();
        let members = a
            .members
            .iter()
            .map(|am| {
                let m = rec.members.iter().find(|m| m.member_id == am.member_id);
                AppointmentMemberView {
                    member_id: am.member_id.clone(),
                    name: m.map(|m| m.full_name()).unwrap_or_default(),
                    data: m.map(|m| member_input(&m.data)),
                    age: m.map(|m| m.age_on(day)).unwrap_or_default(),
                    required: am.required,
                    declared_documents: codes(&am.declared_documents),
                    declared_national_id: am.declared_national_id.clone(),
                    attendance: am.attendance.clone(),
                    documents_seen: codes(&am.documents_seen),
                    note: am.note.clone(),
                }
            })
            .collect();
        let status = AppointmentStatus::parse(&a.status);
        let token = match (status, &self.forms) {
            (Some(AppointmentStatus::Booked), Some(_)) => {
                Some(self.appointment_token(rec, a, day)?)
            }
            _ => None,
        };
        Ok(AppointmentView {
            appointment_id: a.appointment_id.clone(),
            card_number: rec.household.card_number.as_str().to_string(),
            kind: a.kind.clone(),
            status: a.status.clone(),
            status_ar: status.map(|s| s.label_ar()).unwrap_or_default().to_string(),
            centre_code: a.centre_code.clone(),
            centre_name_ar: name_ar,
            centre_name_en: name_en,
            district_name_ar: district,
            address: rec.household.address.clone(),
            reason: a.reason.clone(),
            starts_at: a.starts_at.clone(),
            ends_at,
            booked_at: a.booked_at.to_string(),
            checked_in_at: a.checked_in_at.map(|t| t.to_string()),
            completed_at: a.completed_at.map(|t| t.to_string()),
            members,
            proposed_members: proposals(&a.proposed_members),
            token,
        })
    }

    /// The signed token of a booked appointment: valid until the end of its day.
    fn appointment_token(
        &self,
        rec: &HouseholdRecord,
        a: &Appointment,
        day: jiff::civil::Date,
    ) -> Result<String> {
        let keys = self
            .forms
            .as_deref()
            .ok_or_else(|| AppError::Internal("no form key configured".into()))?;
        let end = instant(
            day.tomorrow()
                .map_err(|e| AppError::Internal(e.to_string()))?
                .to_datetime(jiff::civil::Time::midnight()),
        )?;
        let issued = a.booked_at.as_second().min(self.clock.now().as_second());
        let mut claims = BTreeMap::new();
        claims.insert("appointment_id".into(), a.appointment_id.clone());
        claims.insert(
            "card_number".into(),
            rec.household.card_number.as_str().to_string(),
        );
        claims.insert("centre".into(), a.centre_code.clone());
        claims.insert("starts_at".into(), a.starts_at.clone());
        let payload = Payload {
            kind: Kind::Appointment,
            issued_at: issued,
            expires_at: end.as_second(),
            claims,
        };
        tamwin_card::sign(&payload, &keys.signer)
            .map_err(|e| AppError::Internal(format!("signing the form: {}", e.code())))
    }

    /// Texts the day-before reminder for tomorrow's appointments; returns how many were sent.
    pub async fn send_reminders(&self) -> Result<usize> {
        let today = self.clock.today();
        let tomorrow = today
            .tomorrow()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let after = tomorrow
            .tomorrow()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut sent = 0;
        loop {
            let due = self
                .store
                .due_reminders(&tomorrow.to_string(), &after.to_string(), 500)
                .await?;
            if due.is_empty() {
                return Ok(sent);
            }
            for a in &due {
                // A household gone since (an import undone) has nobody to text: marked all the same,
                // so that the next page moves on.
                let rec = self.store.household_by_id(&a.household_id).await?;
                let centre = self
                    .geo
                    .centre(&a.centre_code)
                    .map(|c| c.name_ar.clone())
                    .unwrap_or_else(|| a.centre_code.clone());
                let time = a.starts_at.get(11..).unwrap_or_default();
                let body = if a.kind == "home" {
                    "تموين: يزوركم الفريق الجوّال غداً في البيت لتحديث البطاقة التموينية. يُرجى تحضير الوثائق الأصلية للفرد المطلوب زيارته.".to_string()
                } else {
                    format!(
                        "تموين: تذكير بموعد تحديث البطاقة غداً الساعة {time} في {centre}. يحضر كل فرد بعمر 18 سنة فأكثر مع الوثائق الأصلية."
                    )
                };
                let msg = tamwin_store::OutboxMessage {
                    message_id: self.ids.id(),
                    channel: "sms".into(),
                    recipient: rec
                        .as_ref()
                        .and_then(|r| r.household.phone.as_ref())
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                    body,
                    created_at: self.clock.now(),
                    delivered_at: None,
                };
                // Without a phone there is nobody to text; it is marked so that it is not asked again.
                let text = (!msg.recipient.is_empty()).then_some(&msg);
                if self
                    .store
                    .mark_reminded(&a.household_id, &a.appointment_id, self.clock.now(), text)
                    .await?
                    && text.is_some()
                {
                    sent += 1;
                }
            }
        }
    }

    /// Releases booked appointments of past days nobody came to: the place is freed and the no-show
    /// counted. Returns how many.
    pub async fn release_no_shows(&self) -> Result<usize> {
        let today = self.clock.today().to_string();
        // A visit checked in on a past day and never completed (the family left, the tablet died) is
        // closed, so that the household can book again; its place was used and stays counted.
        loop {
            let stale = self.store.unfinished(&today, 500).await?;
            if stale.is_empty() {
                break;
            }
            for a in &stale {
                let log = self.log(
                    "appointment_abandoned",
                    None,
                    None,
                    &Actor::system("appointments"),
                    serde_json::json!({ "appointment_id": a.appointment_id, "starts_at": a.starts_at }),
                );
                self.store
                    .close_unfinished(&a.household_id, &a.appointment_id, self.clock.now(), &log)
                    .await?;
            }
        }
        let mut n = 0;
        loop {
            let due = self.store.unattended(&today, 500).await?;
            if due.is_empty() {
                return Ok(n);
            }
            for a in &due {
                let log = self.log(
                    "appointment_no_show",
                    None,
                    None,
                    &Actor::system("appointments"),
                    serde_json::json!({ "appointment_id": a.appointment_id, "starts_at": a.starts_at }),
                );
                if self
                    .store
                    .release_appointment(
                        &a.household_id,
                        &a.appointment_id,
                        "no_show",
                        self.clock.now(),
                        &log,
                    )
                    .await?
                {
                    n += 1;
                }
            }
        }
    }
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

pub(crate) fn proposals(json: &str) -> Vec<ProposedMember> {
    serde_json::from_str(json).unwrap_or_default()
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
