//! How times and numbers are written on pages (issue 13, points 14 and 15): Iraq's local time
//! (Asia/Baghdad: UTC+3 all year, no daylight saving) to the minute, `2026-12-16 08:46`, and the card
//! number in its printed form, `11-00012345-2`. The API keeps RFC 3339 in UTC and the bare number.

use jiff::Timestamp;
use jiff::tz::{TimeZone, offset};

fn iraq() -> TimeZone {
    TimeZone::fixed(offset(3))
}

/// A moment as Iraq's local date and time, to the minute.
pub fn local_time(t: Timestamp) -> String {
    t.to_zoned(iraq()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// A moment's date in Iraq (a hold placed at 23:30 UTC is placed on the next day there).
pub fn local_date(t: Timestamp) -> String {
    t.to_zoned(iraq()).strftime("%Y-%m-%d").to_string()
}

/// A stored RFC 3339 time as `local_time`; text that is no time is shown as it is.
pub fn local_time_str(at: &str) -> String {
    at.parse::<Timestamp>()
        .map(local_time)
        .unwrap_or_else(|_| at.to_string())
}

/// A stored RFC 3339 time's date in Iraq; text that is no time is shown as it is.
pub fn local_date_str(at: &str) -> String {
    at.parse::<Timestamp>()
        .map(local_date)
        .unwrap_or_else(|_| at.to_string())
}

/// A card number as printed (`11-00012345-2`), whatever form it is stored in.
pub fn card(raw: &str) -> String {
    tamwin_domain::CardNumber::parse(raw)
        .map(|c| c.display())
        .unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iraqs_and_cards_printed() {
        let t: Timestamp = "2026-12-16T05:46:03.638149Z".parse().unwrap();
        assert_eq!(local_time(t), "2026-12-16 08:46");
        assert_eq!(local_time_str("2026-12-16T21:30:00Z"), "2026-12-17 00:30");
        assert_eq!(local_date_str("2026-12-16T21:30:00Z"), "2026-12-17");
        // Summer too: no daylight saving in Iraq.
        assert_eq!(local_time_str("2026-07-01T12:00:00Z"), "2026-07-01 15:00");
        assert_eq!(local_time_str("not a time"), "not a time");
        assert_eq!(card("11000123452"), "11-00012345-2");
        assert_eq!(card("11-00012345-2"), "11-00012345-2");
    }
}
