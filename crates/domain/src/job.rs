//! Background jobs as data (issue 14, point 4): when a job is due (its schedule's slots) and what a run
//! came to. Pure: the runner in `app` passes the time in. A slot is the instant a due run belongs to,
//! the same on every server, so that two servers agree which run is which and each happens once.

use jiff::{SignedDuration, Timestamp};

/// Iraq keeps UTC+3 all year (no daylight saving since 2008): daily jobs are set in its local time.
pub const IRAQ_UTC_OFFSET_HOURS: i8 = 3;

/// When a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// On a grid of this many minutes from the Unix epoch (every 10 minutes: :00, :10, …).
    Every { minutes: i64 },
    /// Once a day at this time in Iraq. A slot missed by more than `catch_up_hours` (the servers were
    /// down, or this is the first start) waits for the next day instead of running in working hours.
    DailyAt {
        hour: i8,
        minute: i8,
        catch_up_hours: i64,
    },
    /// Only when work is queued (a screening run started from its page).
    Queued,
}

impl Schedule {
    /// The slot due at `now`, if one is (the latest slot at or before `now`).
    pub fn slot_at(self, now: Timestamp) -> Option<Timestamp> {
        match self {
            Schedule::Every { minutes } => {
                let step = minutes.max(1) * 60;
                let s = now.as_second();
                Timestamp::from_second(s - s.rem_euclid(step)).ok()
            }
            Schedule::DailyAt {
                hour,
                minute,
                catch_up_hours,
            } => {
                let slot = self.daily_slot_at_or_before(now, hour, minute)?;
                (now.duration_since(slot) <= SignedDuration::from_hours(catch_up_hours))
                    .then_some(slot)
            }
            Schedule::Queued => None,
        }
    }

    /// The first slot after `slot` (for "next run" once `slot` has run).
    pub fn next_after(self, slot: Timestamp) -> Option<Timestamp> {
        match self {
            Schedule::Every { minutes } => slot
                .checked_add(SignedDuration::from_mins(minutes.max(1)))
                .ok(),
            Schedule::DailyAt { hour, minute, .. } => {
                let later = slot.checked_add(SignedDuration::from_hours(24)).ok()?;
                self.daily_slot_at_or_before(later, hour, minute)
            }
            Schedule::Queued => None,
        }
    }

    /// The next slot a run is due for, given the slot of the last run (None: never ran).
    pub fn next_run(self, now: Timestamp, last_slot: Option<Timestamp>) -> Option<Timestamp> {
        let due = self.slot_at(now);
        match (due, last_slot) {
            (Some(d), Some(l)) if l >= d => self.next_after(l),
            (Some(d), _) => Some(d),
            (None, _) => match self {
                Schedule::Queued => None,
                // Outside the catch-up window: tonight's (or tomorrow night's) slot.
                _ => {
                    let before = self.latest_slot(now)?;
                    self.next_after(before)
                }
            },
        }
    }

    /// The latest slot at or before `now`, ignoring any catch-up window.
    fn latest_slot(self, now: Timestamp) -> Option<Timestamp> {
        match self {
            Schedule::DailyAt { hour, minute, .. } => {
                self.daily_slot_at_or_before(now, hour, minute)
            }
            other => other.slot_at(now),
        }
    }

    fn daily_slot_at_or_before(self, now: Timestamp, hour: i8, minute: i8) -> Option<Timestamp> {
        let offset = jiff::tz::Offset::constant(IRAQ_UTC_OFFSET_HOURS);
        let local = offset.to_datetime(now);
        let today = local.date().at(hour, minute, 0, 0);
        let day = if today <= local {
            today
        } else {
            today.checked_sub(jiff::Span::new().days(1)).ok()?
        };
        offset.to_timestamp(day).ok()
    }
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Ok,
    Failed,
    /// Nothing to do this time (no hub configured, nothing queued).
    Skipped,
}

impl JobOutcome {
    pub const ALL: [JobOutcome; 3] = [JobOutcome::Ok, JobOutcome::Failed, JobOutcome::Skipped];
    pub fn code(self) -> &'static str {
        match self {
            JobOutcome::Ok => "ok",
            JobOutcome::Failed => "failed",
            JobOutcome::Skipped => "skipped",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == s)
    }
}

/// Why a run started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunCause {
    /// Its schedule's slot came.
    Schedule,
    /// Work was queued for it.
    Queue,
    /// A member of staff asked for it ("run now").
    Manual,
}

impl RunCause {
    pub const ALL: [RunCause; 3] = [RunCause::Schedule, RunCause::Queue, RunCause::Manual];
    pub fn code(self) -> &'static str {
        match self {
            RunCause::Schedule => "schedule",
            RunCause::Queue => "queue",
            RunCause::Manual => "manual",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.code() == s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn every_ten_minutes_is_a_grid() {
        let s = Schedule::Every { minutes: 10 };
        assert_eq!(
            s.slot_at(t("2026-11-21T09:17:42Z")),
            Some(t("2026-11-21T09:10:00Z"))
        );
        assert_eq!(
            s.next_after(t("2026-11-21T09:10:00Z")),
            Some(t("2026-11-21T09:20:00Z"))
        );
        assert_eq!(
            s.next_run(t("2026-11-21T09:17:42Z"), Some(t("2026-11-21T09:10:00Z"))),
            Some(t("2026-11-21T09:20:00Z"))
        );
        assert_eq!(
            s.next_run(t("2026-11-21T09:17:42Z"), None),
            Some(t("2026-11-21T09:10:00Z"))
        );
    }

    #[test]
    fn daily_slots_are_in_iraq_time_and_do_not_catch_up_in_the_day() {
        let s = Schedule::DailyAt {
            hour: 2,
            minute: 0,
            catch_up_hours: 6,
        };
        // 02:00 in Baghdad is 23:00 UTC the day before.
        assert_eq!(
            s.slot_at(t("2026-11-20T23:30:00Z")),
            Some(t("2026-11-20T23:00:00Z"))
        );
        assert_eq!(
            s.slot_at(t("2026-11-21T04:59:00Z")),
            Some(t("2026-11-20T23:00:00Z"))
        );
        // 14:00 in Baghdad: too late for last night's run; the next is tonight.
        assert_eq!(s.slot_at(t("2026-11-21T11:00:00Z")), None);
        assert_eq!(
            s.next_run(t("2026-11-21T11:00:00Z"), None),
            Some(t("2026-11-21T23:00:00Z"))
        );
        // Just before 02:00: yesterday's slot is long past, today's not yet come.
        assert_eq!(s.slot_at(t("2026-11-20T22:59:00Z")), None);
        assert_eq!(
            s.next_run(t("2026-11-20T22:59:00Z"), None),
            Some(t("2026-11-20T23:00:00Z"))
        );
        assert_eq!(
            s.next_run(t("2026-11-21T01:00:00Z"), Some(t("2026-11-20T23:00:00Z"))),
            Some(t("2026-11-21T23:00:00Z"))
        );
    }

    #[test]
    fn codes_round_trip() {
        for o in JobOutcome::ALL {
            assert_eq!(JobOutcome::parse(o.code()), Some(o));
        }
        for c in RunCause::ALL {
            assert_eq!(RunCause::parse(c.code()), Some(c));
        }
        assert_eq!(JobOutcome::parse("running"), None);
    }
}
