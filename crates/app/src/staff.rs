//! Staff accounts: adding them and signing them in, throttled by address and by account (issue 3,
//! issue 13; `throttle`).

use crate::{Actor, AppError, Registry, Result};
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::LazyLock;
use tamwin_domain::ValidationErrors;
use tamwin_domain::access::{Area, Permission, Role, check_password, check_username};
use tamwin_store::{Conflict, StaffUser, StoreError};

/// A signed-in (or listed) staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub area: Area,
    /// An outlet operator's outlet.
    pub outlet: Option<String>,
}

pub(crate) async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Checked against when the username does not exist, so that both failures take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"no such user, no such password")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Sixteen characters from an alphabet without look-alikes (no 0/O, 1/l/I).
fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = [
        uuid::Uuid::new_v4().into_bytes(),
        uuid::Uuid::new_v4().into_bytes(),
    ]
    .concat();
    bytes
        .iter()
        .take(16)
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

impl Registry {
    /// Adds a staff account. Without a password one is generated and returned, to be shown once.
    pub async fn add_staff(
        &self,
        username: &str,
        role: &str,
        area: &str,
        password: Option<&str>,
        actor: &Actor,
    ) -> Result<(StaffAccount, Option<String>)> {
        actor.require(Permission::ManageAccess)?;
        let mut errs = ValidationErrors::default();
        let username = check_username(username).map_err(|e| errs.push(e)).ok();
        let role = Role::parse(role).map_err(|e| errs.push(e)).ok();
        let (area, outlet) = self.role_area(role, area, &mut errs).await?;
        if let Some(p) = password
            && let Err(e) = check_password(p)
        {
            errs.push(e);
        }
        let (Some(username), Some(role), Some(area)) = (username, role, area) else {
            return Err(AppError::Validation(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        if !actor.area.covers(&area, &self.geo) {
            return Err(AppError::Forbidden);
        }
        let generated = password.is_none().then(generate_password);
        let clear = password
            .map(str::to_string)
            .or_else(|| generated.clone())
            .unwrap_or_default();
        let user = StaffUser {
            user_id: self.ids.id(),
            username: username.clone(),
            role,
            area: area.code().to_string(),
            password_hash: hash(clear).await?,
            failed_logins: 0,
            locked_until: None,
            created_at: self.clock.now(),
            disabled_at: None,
            outlet_code: outlet.clone(),
        };
        let details = serde_json::json!({ "username": username, "role": role.code(), "area": area.code(), "outlet": outlet });
        let log = self.log(
            "staff_user_added",
            Some(user.user_id.clone()),
            None,
            actor,
            details,
        );
        match self.store.create_staff_user(&user, &log).await {
            Ok(()) => Ok((
                StaffAccount {
                    user_id: user.user_id,
                    username,
                    role,
                    area,
                    outlet,
                },
                generated,
            )),
            Err(StoreError::Conflict(Conflict::UsernameTaken, _)) => {
                Err(AppError::rule("username_taken"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Signs a staff member in from no known address (the CLI, tests): `sign_in_from` with the fixed
    /// source `local`.
    pub async fn sign_in(&self, username: &str, password: &str) -> Result<StaffAccount> {
        self.sign_in_from(username, password, "local").await
    }

    /// Signs a staff member in from a source address (`throttle::source_key`). Wrong password, unknown
    /// username and disabled account are refused alike, after the same password hash; refusals for too
    /// many failures (`TooManyAttempts`, 429) are counted by username whether it exists or not, so they
    /// tell nothing either. Too many failures from one address refuse that address; to one username
    /// from one address, that pair; to one username from many addresses, every address the account has
    /// not signed in from lately (docs/access.md).
    pub async fn sign_in_from(
        &self,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<StaffAccount> {
        use crate::throttle::{ACCOUNT_FAILURES, ADDRESS_FAILURES, PAIR_FAILURES, key, refusing};
        let now = self.clock.now();
        let name = username.trim().to_lowercase();
        let keys = [
            key("staff-address", &[source]),
            key("staff-pair", &[&name, source]),
            key("staff-account", &[&name]),
            key("staff-known", &[&name, source]),
        ];
        let c = self.counters(&keys).await?;
        // An address refused is refused before anything about the account is looked at.
        if let Some(secs) = refusing(c[0].as_ref(), now) {
            return Err(AppError::TooManyAttempts(secs));
        }
        let user = self
            .store
            .staff_user_by_username(username)
            .await?
            .filter(|u| u.disabled_at.is_none());
        // The hash always runs, so no answer comes sooner for an unknown, disabled or locked account.
        let phc = user
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
        let right = verify(password.to_string(), phc).await && user.is_some();
        let locked = refusing(c[1].as_ref(), now)
            .or_else(|| refusing(c[2].as_ref(), now).filter(|_| !self.known(c[3].as_ref())));
        if let Some(secs) = locked {
            if !right {
                self.count_failure(&keys[0], ADDRESS_FAILURES).await?;
            }
            return Err(AppError::TooManyAttempts(secs));
        }
        let Some(user) = user.filter(|_| right) else {
            self.count_failure(&keys[0], ADDRESS_FAILURES).await?;
            self.count_failure(&keys[1], PAIR_FAILURES).await?;
            self.count_failure(&keys[2], ACCOUNT_FAILURES).await?;
            return Err(AppError::SignInRefused);
        };
        self.store.throttle_reset(&keys[1], now).await?;
        self.store.throttle_reset(&keys[3], now).await?;
        let role = user.role;
        let area = crate::actor::stored_area(&self.geo, "staff_users", &user.area)?;
        Ok(StaffAccount {
            user_id: user.user_id,
            username: user.username,
            role,
            area,
            outlet: user.outlet_code,
        })
    }
}

/// A staff account as the administration page lists it.
#[derive(Debug, Clone)]
pub struct StaffListing {
    pub account: StaffAccount,
    pub locked_until: Option<jiff::Timestamp>,
    pub disabled: bool,
    pub created_at: jiff::Timestamp,
}

impl Registry {
    /// Staff accounts whose area lies within the administrator's; `locked_until` is the account-wide
    /// refusal after failures from many addresses (`throttle`).
    pub async fn staff_list(&self, actor: &Actor) -> Result<Vec<StaffListing>> {
        actor.require(Permission::ManageAccess)?;
        let mut out = Vec::new();
        for u in self.store.staff_users().await? {
            let account = crate::throttle::key("staff-account", &[&u.username.to_lowercase()]);
            let locked_until = self
                .counters(&[account])
                .await?
                .remove(0)
                .and_then(|t| t.blocked_until)
                .filter(|t| *t > self.clock.now());
            let role = u.role;
            let area = crate::actor::stored_area(&self.geo, "staff_users", &u.area)?;
            if !actor.area.covers(&area, &self.geo) {
                continue;
            }
            out.push(StaffListing {
                account: StaffAccount {
                    user_id: u.user_id,
                    username: u.username,
                    role,
                    area,
                    outlet: u.outlet_code,
                },
                locked_until,
                disabled: u.disabled_at.is_some(),
                created_at: u.created_at,
            });
        }
        Ok(out)
    }

    /// Disables an account (its sessions end at once) or enables it again. Not one's own.
    pub async fn set_staff_disabled(
        &self,
        username: &str,
        disabled: bool,
        actor: &Actor,
    ) -> Result<()> {
        actor.require(Permission::ManageAccess)?;
        let u = self
            .store
            .staff_user_by_username(username)
            .await?
            .filter(|u| actor.covers_code(&u.area, &self.geo))
            .ok_or(AppError::NotFound)?;
        if matches!(&actor.kind, crate::ActorKind::Staff { user_id } if *user_id == u.user_id) {
            return Err(AppError::rule("cannot_disable_self"));
        }
        let action = if disabled {
            "staff.disabled"
        } else {
            "staff.enabled"
        };
        let log = self.log(
            action,
            Some(u.user_id.clone()),
            None,
            actor,
            serde_json::json!({ "username": u.username }),
        );
        let at = disabled.then(|| self.clock.now());
        Ok(self.store.set_staff_disabled(&u.user_id, at, &log).await?)
    }
}

impl Registry {
    /// A staff account acting from the command line (`--as USERNAME`): its role and area, and its
    /// name in the audit log. A disabled or unknown account cannot act.
    pub async fn acting_as(&self, username: &str) -> Result<Actor> {
        let u = self
            .store
            .staff_user_by_username(username.trim())
            .await?
            .filter(|u| u.disabled_at.is_none())
            .ok_or(AppError::Unauthenticated)?;
        let area = crate::actor::stored_area(&self.geo, "staff_users", &u.area)?;
        Ok(Actor::staff(&u.user_id, &u.username, u.role, area, "cli").at_outlet(u.outlet_code))
    }
}
