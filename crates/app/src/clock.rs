//! Where time comes from: the system clock, a moved one for the demo, and a fixed one for tests.

/// Where time comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> jiff::Timestamp;
    /// Today's date in Iraq (UTC+3 all year).
    fn today(&self) -> jiff::civil::Date {
        let offset = jiff::tz::Offset::constant(3);
        offset.to_datetime(self.now()).date()
    }
}

/// A day in Iraq (UTC+3) as the instants `[start, end)` it spans; None past the calendar's end.
pub fn iraq_day(day: jiff::civil::Date) -> Option<(jiff::Timestamp, jiff::Timestamp)> {
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(3));
    let start = day.to_zoned(tz).ok()?;
    let end = start.tomorrow().ok()?;
    Some((start.timestamp(), end.timestamp()))
}

pub struct SystemClock;
impl Clock for SystemClock {
    /// Microseconds, the precision the store keeps: what a response shows is what a later read shows.
    fn now(&self) -> jiff::Timestamp {
        let now = jiff::Timestamp::now();
        jiff::Timestamp::from_microsecond(now.as_microsecond()).unwrap_or(now)
    }
}

/// The system clock moved by a fixed amount: a demo that starts on a chosen day and hour (so that a
/// browser test finds an open centre whatever the real time), and runs on from there.
pub struct OffsetClock(pub jiff::SignedDuration);
impl Clock for OffsetClock {
    fn now(&self) -> jiff::Timestamp {
        let now = SystemClock.now();
        now.checked_add(self.0).unwrap_or(now)
    }
}

/// A clock that stands still unless moved: for tests.
pub struct FixedClock(pub std::sync::Mutex<jiff::Timestamp>);
impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}
