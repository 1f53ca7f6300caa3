//! Booking: the free slots of a household's centres, booking (the earliest free or a chosen time), the
//! members and proposals an appointment carries, and cancelling.

use super::*;
use tamwin_domain::HouseholdId;

/// Days of slot loads read at once when looking for the earliest free slot.
const LOADS_READ_DAYS: i64 = 7;
/// Open days with a free place whose slots one booking's write transaction may choose from.
const CANDIDATE_DAYS: usize = 3;
/// Times a booking reads its centre again after the day it read filled before its write.
const SAME_CENTRE_RETRIES: usize = 2;

impl Registry {
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
    pub async fn household_id_of_card(&self, card: &str) -> Result<HouseholdId> {
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
        household_id: &HouseholdId,
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
    pub(super) fn booking_members(
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
                    attendance: Attendance::Expected,
                    documents_seen: String::new(),
                    note: None,
                }
            })
            .collect())
    }

    /// Books the household's appointment (or, with `reschedule`, moves its open one).
    pub async fn book_appointment(
        &self,
        household_id: &HouseholdId,
        req: &BookingRequest,
        reschedule: bool,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let idem = IdemRequest::scoped(idem, actor);
        let idem = idem.as_ref();
        let result = match self.household_for_booking(household_id, actor).await {
            Ok(rec) => self.book_once(rec, req, reschedule, actor, idem).await,
            Err(e) => Err(e),
        };
        self.settle(idem, result).await
    }

    /// Books an appointment for the household of a card number (an officer's or a token's booking):
    /// the household read by its card in the same statement as the card is looked up.
    pub async fn book_appointment_for_card(
        &self,
        card: &str,
        req: &BookingRequest,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let card = tamwin_domain::CardNumber::parse(card)
            .map_err(|e| AppError::Validation(ValidationErrors(vec![e])))?;
        // As `household_in_reach`: a citizen's reach is their own household, not a permission.
        if !actor.is_citizen() {
            actor.require(Permission::Register)?;
        }
        let idem = IdemRequest::scoped(idem, actor);
        let idem = idem.as_ref();
        let result = match self
            .card_in_reach(&card, actor)
            .await
            .and_then(super::open_for_booking)
        {
            Ok(rec) => self.book_once(rec, req, false, actor, idem).await,
            Err(e) => Err(e),
        };
        self.settle(idem, result).await
    }

    /// One booking. A repeated request is not looked up first: its key is written in the booking's
    /// transaction, so a repeat fails there (or on the household's open appointment) and `settle`
    /// answers what the first stored. That saves every booking a read for the rare repeat.
    async fn book_once(
        &self,
        rec: HouseholdRecord,
        req: &BookingRequest,
        reschedule: bool,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let household_id = &rec.household.household_id;
        let open = self
            .store
            .appointments_of(household_id)
            .await?
            .into_iter()
            .find(|a| a.kind == AppointmentKind::Centre && a.status.is_open());
        let replaces = match (&open, reschedule) {
            (Some(_), false) => {
                return Err(AppError::rule("appointment_already_booked"));
            }
            (Some(a), true) if a.status != AppointmentStatus::Booked => {
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
            if starts.is_some() {
                if let Some(o) = self.book_at(&ctx, &s, &times, &decl).await? {
                    return Ok(o);
                }
                continue;
            }
            // The day read may have filled before the write: read this centre again (its next free
            // day) rather than fall to a farther centre that a race, not a full calendar, chose.
            let (mut times, mut slot_rows) = (times, slot_rows);
            for attempt in 0..=SAME_CENTRE_RETRIES {
                if times.is_empty() {
                    break;
                }
                if let Some(o) = self
                    .book_earliest(&ctx, &s, (&times, &slot_rows), &decl)
                    .await?
                {
                    return Ok(o);
                }
                if attempt < SAME_CENTRE_RETRIES {
                    (times, slot_rows) = self.next_free_times(c, &s, now).await?;
                }
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

    /// Candidate times for "the earliest free slot": the slots with a place left of the first days that
    /// have one (up to `CANDIDATE_DAYS` open days, within one read of loads), in order, and the times
    /// among them that already have a slot row (rows are never deleted). The write transaction takes
    /// the earliest of them still free: a day that fills between this read and the write then costs
    /// no second attempt (on SQLite a second trip through the writers' queue). The horizon's holidays
    /// are read once and the slots' loads a week at a time: under a rush the first days are full, and
    /// one read a day passed over made a booking several reads (bench/README.md).
    async fn next_free_times(
        &self,
        c: &UpdateCentre,
        s: &CentreSchedule,
        now: jiff::civil::DateTime,
    ) -> Result<(Vec<jiff::civil::DateTime>, Vec<String>)> {
        let first = now.date();
        let last = first.saturating_add(jiff::Span::new().days(rules::BOOKING_HORIZON_DAYS));
        let holidays: Vec<jiff::civil::Date> = self
            .store
            .holidays(&c.code, &first.to_string(), &last.to_string())
            .await?
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        let mut day = first;
        let mut loads: Vec<tamwin_store::SlotLoad> = vec![];
        let mut read_until = first;
        let (mut out, mut rows, mut days) = (vec![], vec![], 0);
        while day <= last && days < CANDIDATE_DAYS {
            let next = day
                .tomorrow()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let times: Vec<_> = s
                .slots_on(day)
                .into_iter()
                .filter(|t| s.check(*t, now, &holidays).is_ok())
                .collect();
            if times.is_empty() {
                day = next;
                continue;
            }
            if day >= read_until {
                // Candidates come from one read only: they are compared as of one moment.
                if !out.is_empty() {
                    break;
                }
                read_until = day.saturating_add(jiff::Span::new().days(LOADS_READ_DAYS));
                loads = self
                    .store
                    .slot_loads(&c.code, &day.to_string(), &read_until.to_string())
                    .await?;
            }
            let (today, next_text) = (day.to_string(), next.to_string());
            let of_day: Vec<&tamwin_store::SlotLoad> = loads
                .iter()
                .filter(|l| {
                    l.starts_at.as_str() >= today.as_str()
                        && l.starts_at.as_str() < next_text.as_str()
                })
                .collect();
            let free: Vec<_> = times
                .into_iter()
                .filter(|t| {
                    let key = slot_text(*t);
                    !of_day
                        .iter()
                        .any(|l| l.starts_at == key && l.booked >= l.capacity)
                })
                .collect();
            if !free.is_empty() {
                out.extend(free);
                rows.extend(of_day.iter().map(|l| l.starts_at.clone()));
                days += 1;
            }
            day = next;
        }
        Ok((out, rows))
    }

    /// Cancels the household's booked appointment and frees its place.
    pub async fn cancel_appointment(
        &self,
        household_id: &HouseholdId,
        actor: &Actor,
    ) -> Result<()> {
        self.household_for_booking(household_id, actor).await?;
        let open = self
            .store
            .appointments_of(household_id)
            .await?
            .into_iter()
            .find(|a| a.kind == AppointmentKind::Centre && a.status == AppointmentStatus::Booked)
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
                AppointmentStatus::Cancelled,
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
}
