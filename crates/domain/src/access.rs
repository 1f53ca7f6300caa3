//! Staff roles, the areas they are scoped to, and the sign-in rules (issue 3).

use crate::error::FieldError;
use crate::geography::Geography;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    MinistryAdmin,
    GovernorateSupervisor,
    CentreOfficer,
    MobileTeamOfficer,
    Auditor,
    /// Read-only aggregates, no personal data.
    Analyst,
    OutletOperator,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::MinistryAdmin,
        Role::GovernorateSupervisor,
        Role::CentreOfficer,
        Role::MobileTeamOfficer,
        Role::Auditor,
        Role::Analyst,
        Role::OutletOperator,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Role::MinistryAdmin => "ministry_admin",
            Role::GovernorateSupervisor => "governorate_supervisor",
            Role::CentreOfficer => "centre_officer",
            Role::MobileTeamOfficer => "mobile_team_officer",
            Role::Auditor => "auditor",
            Role::Analyst => "analyst",
            Role::OutletOperator => "outlet_operator",
        }
    }
    pub fn parse(s: &str) -> Result<Role, FieldError> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s.trim())
            .ok_or_else(|| FieldError::new("role", "role_unknown", "unknown role"))
    }
}

/// What a use case needs of its caller. Which role holds which is `Role::may`, one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Open households, search by name or ID, list households with names: personal data.
    ReadPersonal,
    /// Register a new household.
    Register,
    /// Add, correct or remove members, change the head, set the contact phone.
    EditMembers,
    PlaceHold,
    LiftHold,
    CloseHousehold,
    /// Counts by area and state, no names.
    ReadAggregates,
    /// Read the audit log and export signed checkpoints.
    ReadAudit,
    /// Staff accounts and API tokens.
    ManageAccess,
    /// Check in appointments, verify members in person, complete visits, issue temporary cards.
    VerifyInPerson,
    /// Run screening, confirm or clear its findings, decide citizens' appeals.
    Screen,
    /// See the background jobs: their last and next runs (page `/jobs`).
    ViewJobs,
    /// Ask a background job to run now. Jobs work on the whole nation: ministry administrators only.
    RunJobs,
    /// Import programme versions and the social-protection ministry's lists: the ministry's.
    ManageProgrammes,
    /// Draft, approve (another's draft), open and close the cycles of one's governorate.
    ManageCycles,
    /// Import outlets, suspend and reinstate them, move and assign their households (issue 16).
    ManageOutlets,
    /// Hand the ration out at one's own outlet: look a card up, record and void collections.
    Redeem,
}

impl Role {
    /// The authorisation table. Scope (which households) is separate: `Area::contains`.
    pub fn may(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::MinistryAdmin => true,
            Role::GovernorateSupervisor => matches!(
                p,
                ReadPersonal
                    | Register
                    | EditMembers
                    | PlaceHold
                    | LiftHold
                    | CloseHousehold
                    | ReadAggregates
                    | VerifyInPerson
                    | ViewJobs
                    | ManageCycles
                    | ManageOutlets
            ),
            Role::CentreOfficer => matches!(
                p,
                ReadPersonal
                    | Register
                    | EditMembers
                    | PlaceHold
                    | LiftHold
                    | ReadAggregates
                    | VerifyInPerson
            ),
            Role::MobileTeamOfficer => {
                matches!(p, ReadPersonal | Register | EditMembers | VerifyInPerson)
            }
            Role::Auditor => {
                matches!(
                    p,
                    ReadPersonal | ReadAggregates | ReadAudit | Screen | ViewJobs
                )
            }
            Role::Analyst => matches!(p, ReadAggregates),
            // For its own outlet only: the actor carries it (`Actor::outlet`).
            Role::OutletOperator => matches!(p, Redeem),
        }
    }

    pub fn label_ar(self) -> &'static str {
        match self {
            Role::MinistryAdmin => "مدير في الوزارة",
            Role::GovernorateSupervisor => "مشرف المحافظة",
            Role::CentreOfficer => "موظف مركز التحديث",
            Role::MobileTeamOfficer => "موظف الفريق الجوّال",
            Role::Auditor => "مدقّق",
            Role::Analyst => "محلّل بيانات",
            Role::OutletOperator => "مشغّل منفذ توزيع",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::MinistryAdmin => "ministry administrator",
            Role::GovernorateSupervisor => "governorate supervisor",
            Role::CentreOfficer => "update-centre officer",
            Role::MobileTeamOfficer => "mobile-team officer",
            Role::Auditor => "auditor",
            Role::Analyst => "analyst",
            Role::OutletOperator => "outlet operator",
        }
    }
}

/// Where a staff member may act: the whole nation, a governorate, a district or one update centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    Nation,
    Governorate(String),
    District(String),
    /// A centre, with the district it stands in.
    Centre {
        code: String,
        district: String,
    },
}

impl Area {
    /// `nation`, a governorate code (`11`), a district code (`1101`) or an update-centre code (`KRB-C01`),
    /// each checked against the geography.
    pub fn parse(s: &str, geo: &Geography) -> Result<Area, FieldError> {
        let s = tamwin_text_ar::fold_digits(s.trim());
        if s == "nation" {
            return Ok(Area::Nation);
        }
        if geo.governorate(&s).is_some() {
            return Ok(Area::Governorate(s));
        }
        if geo.district(&s).is_some() {
            return Ok(Area::District(s));
        }
        if let Some(c) = geo.centres.iter().find(|c| c.code == s) {
            return Ok(Area::Centre {
                code: c.code.clone(),
                district: c.district_code.clone(),
            });
        }
        Err(FieldError::new(
            "area",
            "area_unknown",
            "unknown area: nation, or a governorate, district or update-centre code",
        ))
    }

    /// The stored form: `nation`, or the code.
    pub fn code(&self) -> &str {
        match self {
            Area::Nation => "nation",
            Area::Governorate(c) | Area::District(c) => c,
            Area::Centre { code, .. } => code,
        }
    }

    /// Whether another area lies wholly inside this one (an administrator grants only within their own).
    pub fn covers(&self, other: &Area, geo: &Geography) -> bool {
        match (self, other) {
            (Area::Nation, _) => true,
            (_, Area::Nation) => false,
            (Area::Governorate(g), Area::Governorate(o)) => g == o,
            (Area::Governorate(g), Area::District(d) | Area::Centre { district: d, .. }) => {
                geo.district(d).is_some_and(|x| &x.governorate_code == g)
            }
            (Area::District(d), Area::District(o) | Area::Centre { district: o, .. }) => d == o,
            (Area::Centre { code, .. }, Area::Centre { code: o, .. }) => code == o,
            _ => false,
        }
    }

    /// The (governorate, district) filter a store query applies for this area.
    pub fn filter(&self, geo: &Geography) -> (Option<String>, Option<String>) {
        match self {
            Area::Nation => (None, None),
            Area::Governorate(g) => (Some(g.clone()), None),
            Area::District(d) | Area::Centre { district: d, .. } => (
                geo.district(d).map(|x| x.governorate_code.clone()),
                Some(d.clone()),
            ),
        }
    }

    /// Whether an update centre (or a mobile team of `district`) is within the area: an officer works the
    /// appointments of their centre whichever district the household comes from.
    pub fn has_centre(&self, code: &str, district: &str, geo: &Geography) -> bool {
        match self {
            Area::Centre { code: c, .. } => c == code,
            other => geo
                .district(district)
                .is_some_and(|d| other.contains(&d.governorate_code, district)),
        }
    }

    /// Whether a household of this governorate and district lies in the area.
    pub fn contains(&self, governorate: &str, district: &str) -> bool {
        match self {
            Area::Nation => true,
            Area::Governorate(g) => g == governorate,
            Area::District(d) | Area::Centre { district: d, .. } => d == district,
        }
    }
}

/// Lower-case letters, digits, dot, dash and underscore; 3 to 40 of them.
pub fn check_username(s: &str) -> Result<String, FieldError> {
    let ok = (3..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(
            "username",
            "username_invalid",
            "a username is 3-40 characters: lower-case letters, digits, . _ -",
        ))
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;

pub fn check_password(p: &str) -> Result<(), FieldError> {
    if p.chars().count() < PASSWORD_MIN_CHARS || p.chars().any(char::is_control) {
        return Err(FieldError::new(
            "password",
            "password_weak",
            "a password has at least 12 characters",
        ));
    }
    Ok(())
}

/// Consecutive failed sign-ins after which an account is locked.
pub const LOCK_AFTER_FAILURES: i64 = 20;
/// How long the lock lasts.
pub const LOCK_MINUTES: i64 = 15;

/// After one more failure: the new count, and the time until which the account is locked, if it is.
pub fn after_failure(failures: i64, now: jiff::Timestamp) -> (i64, Option<jiff::Timestamp>) {
    let n = failures + 1;
    let until = if n >= LOCK_AFTER_FAILURES {
        now.checked_add(jiff::Span::new().minutes(LOCK_MINUTES))
            .ok()
    } else {
        None
    };
    (n, until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_parse_and_contain() {
        let geo = Geography::builtin().unwrap();
        assert_eq!(Area::parse("nation", &geo).unwrap(), Area::Nation);
        let k = Area::parse("١١", &geo).unwrap();
        assert_eq!(k, Area::Governorate("11".into()));
        assert!(k.contains("11", "1102") && !k.contains("01", "0101"));
        let d = Area::parse("1102", &geo).unwrap();
        assert!(d.contains("11", "1102") && !d.contains("11", "1101"));
        let c = Area::parse("KRB-C01", &geo).unwrap();
        assert!(c.contains("11", "1101") && !c.contains("11", "1102"));
        assert_eq!(c.code(), "KRB-C01");
        assert_eq!(Area::parse("99", &geo).unwrap_err().code, "area_unknown");
    }

    #[test]
    fn areas_cover() {
        let geo = Geography::builtin().unwrap();
        let a = |s| Area::parse(s, &geo).unwrap();
        assert!(a("nation").covers(&a("11"), &geo));
        assert!(a("11").covers(&a("1101"), &geo) && a("11").covers(&a("KRB-C01"), &geo));
        assert!(!a("11").covers(&a("nation"), &geo) && !a("11").covers(&a("01"), &geo));
        assert!(a("1101").covers(&a("KRB-C01"), &geo) && !a("1102").covers(&a("KRB-C01"), &geo));
        assert!(!a("KRB-C01").covers(&a("1101"), &geo));
        assert_eq!(
            a("KRB-C01").filter(&geo),
            (Some("11".into()), Some("1101".into()))
        );
    }

    #[test]
    fn analysts_see_no_personal_data_and_only_admins_manage_access() {
        for r in Role::ALL {
            assert_eq!(r.may(Permission::ManageAccess), r == Role::MinistryAdmin);
        }
        assert!(!Role::Analyst.may(Permission::ReadPersonal));
        assert!(Role::Analyst.may(Permission::ReadAggregates));
        assert!(!Role::Auditor.may(Permission::EditMembers));
    }

    #[test]
    fn roles_usernames_passwords() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()).unwrap(), r);
        }
        assert!(Role::parse("king").is_err());
        assert!(check_username("officer.7").is_ok());
        assert!(
            check_username("Officer").is_err()
                && check_username("ab").is_err()
                && check_username("a b c").is_err()
        );
        assert!(check_password("correct horse battery").is_ok());
        assert!(check_password("short").is_err());
    }

    #[test]
    fn the_twentieth_failure_locks() {
        let now: jiff::Timestamp = "2026-11-21T10:00:00Z".parse().unwrap();
        assert_eq!(after_failure(0, now), (1, None));
        assert_eq!(after_failure(18, now).1, None);
        let (n, until) = after_failure(19, now);
        assert_eq!(n, 20);
        assert_eq!(until, Some("2026-11-21T10:15:00Z".parse().unwrap()));
    }
}
