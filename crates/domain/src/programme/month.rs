//! The month a cycle covers: `YYYY-MM`, ordered, with its number of days (bread is credited per day).

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// A calendar month, the unit of a distribution cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CycleMonth {
    year: i16,
    month: i8,
}

impl CycleMonth {
    pub fn new(year: i16, month: i8) -> Option<Self> {
        ((2000..=2100).contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    /// `2026-12`; anything else (`2026-13`, `2026-1`, `26-12`) is `month_invalid`.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                "",
                "month_invalid",
                "a month is written YYYY-MM, e.g. 2026-12",
            )
        };
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (y, m) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        Self::new(y, m).ok_or_else(bad)
    }

    pub fn year(self) -> i16 {
        self.year
    }
    pub fn month(self) -> i8 {
        self.month
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month a day falls in.
    pub fn of(day: jiff::civil::Date) -> Self {
        Self {
            year: day.year(),
            month: day.month(),
        }
    }

    /// The month an instant falls in, in Iraq (UTC+3 all year): cycles follow the Iraqi calendar.
    pub fn in_iraq(at: jiff::Timestamp) -> Self {
        Self::of(
            at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(3)))
                .date(),
        )
    }

    pub fn first_day(self) -> jiff::civil::Date {
        jiff::civil::date(self.year, self.month, 1)
    }

    pub fn days(self) -> i64 {
        i64::from(self.first_day().days_in_month())
    }
}

impl std::fmt::Display for CycleMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for CycleMonth {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.message_en)
    }
}

impl From<CycleMonth> for String {
    fn from(m: CycleMonth) -> String {
        m.to_string()
    }
}
