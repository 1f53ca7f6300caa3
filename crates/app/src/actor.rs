//! Who is acting: a staff member, a citizen, a machine client or the system itself (console, import),
//! with what they may do and which households they may see. Every use case asks this, so the scope holds
//! whatever the channel.

use crate::{AppError, Result};
use tamwin_domain::access::{Area, Permission, Role};
use tamwin_domain::{Geography, Household, HouseholdId};
use tamwin_store::Scope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorKind {
    /// The operator at the console (`tamwin` subcommands) and imports: everything, everywhere.
    System,
    Staff {
        user_id: String,
    },
    Citizen {
        household_id: HouseholdId,
    },
    Token {
        token_id: String,
    },
    /// A device signing its requests with its registered key.
    Device {
        device_id: String,
    },
}

#[derive(Debug, Clone)]
pub struct Actor {
    /// Username, token name, the phone a citizen signed in with, or the system's name (`cli`, `import`).
    pub name: String,
    pub kind: ActorKind,
    /// None for the system and for citizens.
    pub role: Option<Role>,
    pub area: Area,
    /// `api`, `web`, `cli`, `import`: written to the audit log.
    pub channel: &'static str,
    /// The outlet a device or an outlet operator acts for, and only for it (issue 16).
    pub outlet: Option<String>,
}

impl Actor {
    /// The system acting through a channel (`cli`, `import`, or a test's name).
    pub fn system(name: &str) -> Actor {
        let channel = match name {
            "import" => "import",
            _ => "cli",
        };
        Actor {
            name: name.to_string(),
            kind: ActorKind::System,
            role: None,
            area: Area::Nation,
            channel,
            outlet: None,
        }
    }

    pub fn staff(
        user_id: &str,
        username: &str,
        role: Role,
        area: Area,
        channel: &'static str,
    ) -> Actor {
        Actor {
            name: username.to_string(),
            kind: ActorKind::Staff {
                user_id: user_id.to_string(),
            },
            role: Some(role),
            area,
            channel,
            outlet: None,
        }
    }

    /// The same staff member, acting for their outlet (an outlet operator's account).
    pub fn at_outlet(mut self, outlet: Option<String>) -> Actor {
        self.outlet = outlet;
        self
    }

    pub fn citizen(household_id: &HouseholdId, phone: &str, channel: &'static str) -> Actor {
        Actor {
            name: phone.to_string(),
            kind: ActorKind::Citizen {
                household_id: household_id.clone(),
            },
            role: None,
            area: Area::Nation,
            channel,
            outlet: None,
        }
    }

    /// Who the caller is, for scoping idempotency keys: one caller's key never replays another's answer.
    pub fn key(&self) -> String {
        match &self.kind {
            ActorKind::System => format!("system:{}", self.name),
            ActorKind::Staff { user_id } => format!("staff:{user_id}"),
            ActorKind::Citizen { household_id } => format!("citizen:{household_id}"),
            ActorKind::Token { token_id } => format!("token:{token_id}"),
            ActorKind::Device { device_id } => format!("device:{device_id}"),
        }
    }

    /// The role code written to the audit log.
    pub fn role_code(&self) -> &'static str {
        match (&self.kind, self.role) {
            (ActorKind::System, _) => "system",
            (ActorKind::Citizen { .. }, _) => "citizen",
            (_, Some(r)) => r.code(),
            (_, None) => "none",
        }
    }

    /// The area code written to the audit log (a citizen's is their household).
    pub fn area_code(&self) -> String {
        match &self.kind {
            ActorKind::Citizen { household_id } => format!("household:{household_id}"),
            _ => self.area.code().to_string(),
        }
    }

    /// The household of a citizen; None for anyone else.
    pub fn citizen_household(&self) -> Option<HouseholdId> {
        match &self.kind {
            ActorKind::Citizen { household_id } => Some(household_id.clone()),
            _ => None,
        }
    }

    pub fn is_citizen(&self) -> bool {
        matches!(self.kind, ActorKind::Citizen { .. })
    }

    pub fn may(&self, p: Permission) -> bool {
        match (&self.kind, self.role) {
            (ActorKind::System, _) => true,
            (ActorKind::Citizen { .. }, _) => false,
            (_, Some(r)) => r.may(p),
            (_, None) => false,
        }
    }

    /// 403 when the role does not allow it at all.
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.may(p) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether this household is within reach: a citizen's own, or one in the staff member's area.
    pub fn sees(&self, h: &Household) -> bool {
        match &self.kind {
            ActorKind::System => true,
            ActorKind::Citizen { household_id } => *household_id == h.household_id,
            _ => self.area.contains(&h.governorate, &h.district),
        }
    }

    /// The filter for store queries over many households.
    pub fn scope(&self, geo: &Geography) -> Scope {
        let (governorate, district) = self.area.filter(geo);
        Scope {
            governorate,
            district,
        }
    }

    /// Whether a stored area code (of an account, token or device) lies within this actor's area.
    pub fn covers_code(&self, area: &str, geo: &Geography) -> bool {
        Area::parse(area, geo).is_ok_and(|a| self.area.covers(&a, geo))
    }

    /// Whether a household of this governorate and district would be within reach (registrations).
    pub fn covers(&self, governorate: &str, district: &str) -> bool {
        match &self.kind {
            ActorKind::System => true,
            ActorKind::Citizen { .. } => false,
            _ => self.area.contains(governorate, district),
        }
    }
}

/// A stored area code, parsed against the geography once where the row is read: a code the geography
/// does not know is an error naming the table and column, never a silent default.
pub(crate) fn stored_area(
    geo: &tamwin_domain::Geography,
    table: &str,
    code: &str,
) -> crate::Result<Area> {
    Area::parse(code, geo)
        .map_err(|_| AppError::Internal(format!("{table}.area: unknown value {code:?}")))
}
