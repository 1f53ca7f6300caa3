//! The states of an appointment and of each member at its visit, as stored and as the API writes
//! them: the store parses a row into these once, and the code compares enums, never strings.

use serde::{Deserialize, Serialize};

/// Where an appointment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    CheckedIn,
    Completed,
    Cancelled,
    /// Replaced by a new booking; its form no longer admits anyone.
    Rescheduled,
    NoShow,
}

impl AppointmentStatus {
    pub const ALL: [AppointmentStatus; 6] = [
        AppointmentStatus::Booked,
        AppointmentStatus::CheckedIn,
        AppointmentStatus::Completed,
        AppointmentStatus::Cancelled,
        AppointmentStatus::Rescheduled,
        AppointmentStatus::NoShow,
    ];
    pub fn code(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "booked",
            AppointmentStatus::CheckedIn => "checked_in",
            AppointmentStatus::Completed => "completed",
            AppointmentStatus::Cancelled => "cancelled",
            AppointmentStatus::Rescheduled => "rescheduled",
            AppointmentStatus::NoShow => "no_show",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    /// Booked or checked in: the household's one open appointment.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            AppointmentStatus::Booked | AppointmentStatus::CheckedIn
        )
    }
    pub fn label_ar(self) -> &'static str {
        match self {
            AppointmentStatus::Booked => "محجوز",
            AppointmentStatus::CheckedIn => "حضر إلى المركز",
            AppointmentStatus::Completed => "اكتمل التحديث",
            AppointmentStatus::Cancelled => "ملغى",
            AppointmentStatus::Rescheduled => "أعيدت جدولته",
            AppointmentStatus::NoShow => "لم يحضر",
        }
    }
}

/// Where the visit takes place: at an update centre, or at home by a mobile team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentKind {
    Centre,
    Home,
}

impl AppointmentKind {
    pub const ALL: [AppointmentKind; 2] = [AppointmentKind::Centre, AppointmentKind::Home];
    pub fn code(self) -> &'static str {
        match self {
            AppointmentKind::Centre => "centre",
            AppointmentKind::Home => "home",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// What the officer records of one member at the visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Expected,
    Present,
    Absent,
}

impl Attendance {
    pub const ALL: [Attendance; 3] = [
        Attendance::Expected,
        Attendance::Present,
        Attendance::Absent,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Attendance::Expected => "expected",
            Attendance::Present => "present",
            Attendance::Absent => "absent",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

/// Where a temporary card stands: in use, replaced by the unified card, or run out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemporaryCardStatus {
    Active,
    Converted,
    Expired,
}

impl TemporaryCardStatus {
    pub const ALL: [TemporaryCardStatus; 3] = [
        TemporaryCardStatus::Active,
        TemporaryCardStatus::Converted,
        TemporaryCardStatus::Expired,
    ];
    pub fn code(self) -> &'static str {
        match self {
            TemporaryCardStatus::Active => "active",
            TemporaryCardStatus::Converted => "converted",
            TemporaryCardStatus::Expired => "expired",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
}

// Templates write the stored code (`data-status="{{ v.status }}"`).
macro_rules! display_code {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    )*};
}
display_code!(
    AppointmentStatus,
    AppointmentKind,
    Attendance,
    TemporaryCardStatus
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The JSON form is the stored code, so the API's answers keep their strings.
    #[test]
    fn codes_parse_back_and_are_the_json_form() {
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.code()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.code())
            );
            assert_eq!(s.to_string(), s.code());
        }
        for k in AppointmentKind::ALL {
            assert_eq!(AppointmentKind::parse(k.code()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.code())
            );
        }
        for a in Attendance::ALL {
            assert_eq!(Attendance::parse(a.code()), Some(a));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.code())
            );
        }
        for t in TemporaryCardStatus::ALL {
            assert_eq!(TemporaryCardStatus::parse(t.code()), Some(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.code())
            );
        }
        assert_eq!(AppointmentStatus::parse("Booked"), None);
        assert_eq!(AppointmentKind::parse(""), None);
    }
}
