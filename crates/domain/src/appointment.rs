//! Appointments at update centres (issue 5): the slot grid of a centre's day, which slots may be
//! booked, who must attend, which documents suffice, and the appointment's states. Times are local
//! Iraq time (UTC+3 all year), written `YYYY-MM-DDTHH:MM`.

use crate::error::FieldError;
use crate::geography::UpdateCentre;
use crate::household::MemberData;
use jiff::civil::{Date, DateTime, Time, Weekday};

mod states;
pub use states::{AppointmentKind, AppointmentStatus, Attendance, TemporaryCardStatus};

/// The usual slot length: a transaction should take no more than half an hour.
pub const SLOT_MINUTES: i32 = 30;
/// How far ahead a household may book.
pub const BOOKING_HORIZON_DAYS: i32 = 30;
/// Members of this age or older on the appointment day must attend in person.
pub const ADULT_AGE: i16 = 18;
/// The visit's target duration (facts.md: no more than half an hour).
pub const VISIT_TARGET_MINUTES: i64 = 30;

/// When a centre receives people: its hours, counters and slot length, and its weekly rest day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentreSchedule {
    pub opens: Time,
    pub closes: Time,
    pub counters: u32,
    pub slot_minutes: i32,
    /// Days the centre is closed every week (Friday, the weekly rest day in Iraq).
    pub closed_weekdays: Vec<Weekday>,
}

/// Why a slot cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotRefusal {
    InPast,
    TooFarAhead,
    OutsideHours,
    NotOnGrid,
    ClosedDay,
    Holiday,
}

impl SlotRefusal {
    pub fn error(self) -> FieldError {
        let (code, en) = match self {
            SlotRefusal::InPast => ("slot_in_past", "this slot is in the past"),
            SlotRefusal::TooFarAhead => (
                "slot_too_far_ahead",
                "slots can be booked at most 30 days ahead",
            ),
            SlotRefusal::OutsideHours => (
                "slot_outside_hours",
                "the slot is outside the centre's opening hours",
            ),
            SlotRefusal::NotOnGrid => (
                "slot_not_on_grid",
                "slots start at the centre's opening time and every slot length after it",
            ),
            SlotRefusal::ClosedDay => (
                "slot_closed_day",
                "the centre is closed on this day of the week",
            ),
            SlotRefusal::Holiday => ("slot_holiday", "this day is a holiday at the centre"),
        };
        FieldError::new("starts_at", code, en)
    }
}

/// `HH:MM` as a time of day.
pub fn parse_hhmm(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once(':')?;
    Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

/// `YYYY-MM-DDTHH:MM` (or with a space, Arabic-Indic digits accepted) as a local date-time.
pub fn parse_slot(s: &str) -> Option<DateTime> {
    let s = tamwin_text_ar::fold_digits(s.trim()).replace(' ', "T");
    let (d, t) = s.split_once('T')?;
    let date = crate::household::parse_date(d)?;
    Some(date.to_datetime(parse_hhmm(t)?))
}

/// The stored and displayed form of a slot start.
pub fn slot_text(dt: DateTime) -> String {
    dt.strftime("%Y-%m-%dT%H:%M").to_string()
}

impl CentreSchedule {
    pub fn of(c: &UpdateCentre) -> Option<CentreSchedule> {
        let (opens, closes) = (parse_hhmm(&c.opens)?, parse_hhmm(&c.closes)?);
        (opens < closes && c.counters > 0).then(|| CentreSchedule {
            opens,
            closes,
            counters: c.counters,
            slot_minutes: i32::try_from(c.slot_minutes).unwrap_or(SLOT_MINUTES),
            closed_weekdays: vec![Weekday::Friday],
        })
    }

    /// Start times of the day's slots (none on a closed weekday; holidays are the caller's).
    pub fn slots_on(&self, day: Date) -> Vec<DateTime> {
        if self.closed_weekdays.contains(&day.weekday()) {
            return vec![];
        }
        let step = jiff::SignedDuration::from_mins(i64::from(self.slot_minutes));
        let mut out = vec![];
        let mut t = day.to_datetime(self.opens);
        let close = day.to_datetime(self.closes);
        while let Ok(end) = t.checked_add(step) {
            if end > close {
                break;
            }
            out.push(t);
            t = end;
        }
        out
    }

    /// Whether `start` may be booked now (`now` local): a future slot on the grid, within the horizon,
    /// on an open day that is not one of `holidays`.
    pub fn check(
        &self,
        start: DateTime,
        now: DateTime,
        holidays: &[Date],
    ) -> Result<(), SlotRefusal> {
        let day = start.date();
        if start <= now {
            return Err(SlotRefusal::InPast);
        }
        if day
            > now
                .date()
                .saturating_add(jiff::Span::new().days(BOOKING_HORIZON_DAYS))
        {
            return Err(SlotRefusal::TooFarAhead);
        }
        let t = start.time();
        let end = t.checked_add(jiff::SignedDuration::from_mins(i64::from(
            self.slot_minutes,
        )));
        if t < self.opens || end.map_or(true, |e| e > self.closes || e < t) {
            return Err(SlotRefusal::OutsideHours);
        }
        let minutes = |t: Time| i32::from(t.hour()) * 60 + i32::from(t.minute());
        if (minutes(t) - minutes(self.opens)) % self.slot_minutes != 0 || t.second() != 0 {
            return Err(SlotRefusal::NotOnGrid);
        }
        if self.closed_weekdays.contains(&day.weekday()) {
            return Err(SlotRefusal::ClosedDay);
        }
        if holidays.contains(&day) {
            return Err(SlotRefusal::Holiday);
        }
        Ok(())
    }
}

/// Whether a member must come in person on `day`.
pub fn must_attend(m: &MemberData, day: Date) -> bool {
    m.age_on(day) >= ADULT_AGE
}

/// An original document a member brings to the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Document {
    /// The unified national card (البطاقة الوطنية الموحدة).
    UnifiedCard,
    /// The old civil-status ID (هوية الأحوال المدنية).
    CivilId,
    /// The nationality certificate (شهادة الجنسية).
    NationalityCertificate,
}

impl Document {
    pub const ALL: [Document; 3] = [
        Document::UnifiedCard,
        Document::CivilId,
        Document::NationalityCertificate,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Document::UnifiedCard => "unified_card",
            Document::CivilId => "civil_id",
            Document::NationalityCertificate => "nationality_certificate",
        }
    }
    pub fn parse(s: &str) -> Option<Document> {
        Document::ALL.into_iter().find(|d| d.code() == s.trim())
    }
    pub fn label_ar(self) -> &'static str {
        match self {
            Document::UnifiedCard => "البطاقة الوطنية الموحدة",
            Document::CivilId => "هوية الأحوال المدنية",
            Document::NationalityCertificate => "شهادة الجنسية العراقية",
        }
    }
    pub fn label_en(self) -> &'static str {
        match self {
            Document::UnifiedCard => "unified national card",
            Document::CivilId => "civil-status ID",
            Document::NationalityCertificate => "nationality certificate",
        }
    }
}

/// A list of document codes, comma-separated as stored; unknown codes are an error naming `field`.
pub fn parse_documents(codes: &[String], field: &str) -> Result<Vec<Document>, FieldError> {
    let mut out = vec![];
    for c in codes {
        let d = Document::parse(c)
            .ok_or_else(|| FieldError::new(field, "document_unknown", "unknown document kind"))?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out.sort();
    Ok(out)
}

pub fn documents_text(docs: &[Document]) -> String {
    docs.iter().map(|d| d.code()).collect::<Vec<_>>().join(",")
}

pub fn documents_from_text(s: &str) -> Vec<Document> {
    s.split(',').filter_map(Document::parse).collect()
}

/// Originals that prove identity: the unified card, or the civil ID together with the nationality
/// certificate (the old pair the unified card replaces).
pub fn documents_suffice(docs: &[Document]) -> bool {
    docs.contains(&Document::UnifiedCard)
        || (docs.contains(&Document::CivilId) && docs.contains(&Document::NationalityCertificate))
}

/// Great-circle distance in kilometres between two points given in degrees: "nearest centre".
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests;
