//! Writing a booking: at the time asked for, or at the earliest free slot of a centre, chosen inside the
//! write transaction (`book_first_free`) rather than one transaction per time tried, which under load
//! left most attempts finding their slot filled meanwhile (bench/README.md, "Appointment booking").

use super::*;
use tamwin_store::{ChangeLog, FirstFree, IdemEntry, PreparedBooking};

/// What a booking at one centre is made of, whatever the time.
pub(super) struct Prepare<'a> {
    pub rec: &'a HouseholdRecord,
    pub centre: &'a UpdateCentre,
    pub proposed: &'a str,
    pub replaces: Option<&'a str>,
    pub reschedule: bool,
    pub actor: &'a Actor,
    pub idem: Option<&'a IdemRequest>,
}

/// A booking built for one time: the appointment, its answer, audit entry and idempotency entry.
struct Prepared {
    appointment: Appointment,
    body: String,
    log: ChangeLog,
    idem: Option<IdemEntry>,
}

fn already_booked() -> AppError {
    AppError::rule("appointment_already_booked")
}

impl Registry {
    fn status_of(p: &Prepare<'_>) -> u16 {
        if p.reschedule { 200 } else { 201 }
    }

    fn prepare_booking(
        &self,
        p: &Prepare<'_>,
        t: jiff::civil::DateTime,
        members: Vec<AppointmentMember>,
    ) -> Result<Prepared> {
        let appt = Appointment {
            household_id: p.rec.household.household_id.clone(),
            appointment_id: self.ids.id().into(),
            kind: AppointmentKind::Centre,
            centre_code: p.centre.code.clone(),
            starts_at: slot_text(t),
            status: AppointmentStatus::Booked,
            booked_at: self.clock.now(),
            booked_by: p.actor.name.clone(),
            reason: None,
            checked_in_at: None,
            completed_at: None,
            closed_at: None,
            reminded_at: None,
            waited_minutes: None,
            visit_seconds: None,
            members,
            proposed_members: p.proposed.to_string(),
        };
        let view = self.appointment_view(p.rec, &appt)?;
        let body = serde_json::to_string(&view).map_err(|e| AppError::Internal(e.to_string()))?;
        let log = self.log(
            if p.reschedule {
                "appointment_rescheduled"
            } else {
                "appointment_booked"
            },
            None,
            None,
            p.actor,
            serde_json::json!({
                "appointment_id": appt.appointment_id,
                "centre": appt.centre_code,
                "starts_at": appt.starts_at,
                "replaces": p.replaces,
            }),
        );
        let idem = self.idem_entry(p.idem, Self::status_of(p), &body);
        Ok(Prepared {
            appointment: appt,
            body,
            log,
            idem,
        })
    }

    /// Tries the times asked for one by one (in practice one: the household chose it).
    pub(super) async fn book_at(
        &self,
        p: &Prepare<'_>,
        s: &CentreSchedule,
        times: &[jiff::civil::DateTime],
        decl: &[MemberDeclaration],
    ) -> Result<Option<Outcome>> {
        for t in times {
            let members = self.booking_members(p.rec, t.date(), decl)?;
            let b = self.prepare_booking(p, *t, members)?;
            let booking = Booking {
                appointment: &b.appointment,
                capacity: i64::from(s.counters),
                replaces: p.replaces,
                log: &b.log,
                idem: b.idem.as_ref(),
            };
            let status = Self::status_of(p);
            if let Some(o) = self
                .try_booking(&booking, status, b.body, p.idem, already_booked())
                .await?
            {
                return Ok(Some(o));
            }
        }
        Ok(None)
    }

    /// The earliest of `times` (the free slots of the first open days, as last read) that still has a
    /// place when the write transaction takes it; None when all were taken meanwhile. `slot_rows`: the
    /// times read with a slot row already, which the transaction need not make.
    pub(super) async fn book_earliest(
        &self,
        p: &Prepare<'_>,
        s: &CentreSchedule,
        (times, slot_rows): (&[jiff::civil::DateTime], &[String]),
        decl: &[MemberDeclaration],
    ) -> Result<Option<Outcome>> {
        // Members depend on the day alone: checked here, before the transaction, so that a refusal
        // is the household's error and not the store's. The first day's refusal is the answer; a
        // later day the members would be refused on (a member turning 18) is not offered.
        let mut by_day: Vec<(jiff::civil::Date, Vec<AppointmentMember>)> = vec![];
        for t in times {
            let day = t.date();
            if by_day.iter().any(|(d, _)| *d == day) {
                continue;
            }
            match self.booking_members(p.rec, day, decl) {
                Ok(m) => by_day.push((day, m)),
                Err(e) if by_day.is_empty() => return Err(e),
                Err(_) => break,
            }
        }
        let times: Vec<jiff::civil::DateTime> = times
            .iter()
            .copied()
            .filter(|t| by_day.iter().any(|(d, _)| *d == t.date()))
            .collect();
        if times.is_empty() {
            return Ok(None);
        }
        let members_on = |day: jiff::civil::Date| {
            by_day
                .iter()
                .find(|(d, _)| *d == day)
                .map(|(_, m)| m.clone())
                .unwrap_or_default()
        };
        let texts: Vec<String> = times.iter().map(|t| slot_text(*t)).collect();
        // The answer of the booking made, or why it could not be built.
        let made: std::sync::Mutex<Option<Result<String>>> = std::sync::Mutex::new(None);
        let make = |i: usize| -> tamwin_store::Result<PreparedBooking> {
            let (stash, out) = match self.prepare_booking(p, times[i], members_on(times[i].date()))
            {
                Ok(b) => (
                    Ok(b.body),
                    Ok(PreparedBooking {
                        appointment: b.appointment,
                        log: b.log,
                        idem: b.idem,
                    }),
                ),
                Err(e) => {
                    let m = format!("booking not built: {e}");
                    (Err(e), Err(StoreError::Database(m)))
                }
            };
            if let Ok(mut m) = made.lock() {
                *m = Some(stash);
            }
            out
        };
        let f = FirstFree {
            household_id: &p.rec.household.household_id,
            centre_code: &p.centre.code,
            booked_at: self.clock.now(),
            times: &texts,
            slot_rows,
            capacity: i64::from(s.counters),
            replaces: p.replaces,
            make: &make,
        };
        let r = self.store.book_first_free(&f).await.map(|_| ());
        let body = match made.lock().ok().and_then(|mut m| m.take()) {
            Some(Err(e)) => return Err(e),
            Some(Ok(body)) => body,
            None => String::new(),
        };
        let status = Self::status_of(p);
        self.booking_outcome(r, status, body, p.idem, already_booked())
            .await
    }
}
