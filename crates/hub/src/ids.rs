//! X-Road-style identifiers. A member organisation is `instance/class/member` (e.g. `IQ/GOV/MOI`, the
//! Interior Ministry); its systems are subsystems (`IQ/GOV/MOT/tamwin`, the ration side of the Ministry
//! of Trade); a service is offered by a subsystem and versioned
//! (`IQ/GOV/MOI/civil-registry/verify-identity/v1`). Every request names its client in `X-Road-Client`.

use std::fmt;

/// Each part: 1-64 of ASCII letters, digits, `-`, `_`, `.`.
fn part_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// The calling system: instance / class / member / subsystem.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId {
    pub instance: String,
    pub class: String,
    pub member: String,
    pub subsystem: String,
}

impl ClientId {
    pub fn parse(s: &str) -> Option<ClientId> {
        let p: Vec<&str> = s.trim().split('/').collect();
        match p.as_slice() {
            [i, c, m, sub] if p.iter().all(|x| part_ok(x)) => Some(ClientId {
                instance: (*i).into(),
                class: (*c).into(),
                member: (*m).into(),
                subsystem: (*sub).into(),
            }),
            _ => None,
        }
    }
    /// The member organisation (`IQ/GOV/MOT`): keys belong to members, not to subsystems.
    pub fn member_code(&self) -> String {
        format!("{}/{}/{}", self.instance, self.class, self.member)
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.instance, self.class, self.member, self.subsystem
        )
    }
}

/// A service: the providing subsystem, the service code and its version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceId {
    pub provider: ClientId,
    pub service: String,
    pub version: String,
}

impl ServiceId {
    pub fn parse(s: &str) -> Option<ServiceId> {
        let p: Vec<&str> = s.trim().trim_matches('/').split('/').collect();
        match p.as_slice() {
            [i, c, m, sub, service, version] if p.iter().all(|x| part_ok(x)) => Some(ServiceId {
                provider: ClientId {
                    instance: (*i).into(),
                    class: (*c).into(),
                    member: (*m).into(),
                    subsystem: (*sub).into(),
                },
                service: (*service).into(),
                version: (*version).into(),
            }),
            _ => None,
        }
    }
    /// The path the hub serves it at: `/r1/IQ/GOV/MOI/civil-registry/verify-identity/v1`.
    pub fn path(&self) -> String {
        format!("/r1/{self}")
    }
    /// The service named by a request path, if it is one.
    pub fn from_path(path: &str) -> Option<ServiceId> {
        ServiceId::parse(path.split('?').next()?.strip_prefix("/r1/")?)
    }
}

impl fmt::Display for ServiceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.provider, self.service, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_junk() {
        let c = ClientId::parse("IQ/GOV/MOT/tamwin").unwrap();
        assert_eq!(c.to_string(), "IQ/GOV/MOT/tamwin");
        assert_eq!(c.member_code(), "IQ/GOV/MOT");
        let s = ServiceId::parse("IQ/GOV/MOI/civil-registry/verify-identity/v1").unwrap();
        assert_eq!(s.path(), "/r1/IQ/GOV/MOI/civil-registry/verify-identity/v1");
        assert_eq!(ServiceId::from_path(&s.path()).unwrap(), s);
        for bad in [
            "",
            "IQ/GOV/MOT",
            "IQ/GOV/MOT/tam win",
            "IQ//MOT/x",
            "IQ/GOV/MOT/a/b",
        ] {
            assert!(ClientId::parse(bad).is_none(), "{bad}");
        }
        assert!(ServiceId::parse("IQ/GOV/MOI/civil-registry/verify-identity").is_none());
        assert!(ServiceId::from_path("/r2/IQ/GOV/MOI/c/s/v1").is_none());
    }
}
