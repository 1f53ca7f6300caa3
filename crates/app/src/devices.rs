//! Device keys: an outlet device or another ministry's system registers an Ed25519 public key and signs
//! every request with it, so no shared secret ever travels. The signature covers a canonical text of
//! the method, the path with its query, the time, a nonce and the body's SHA-256 (docs/access.md); a
//! time more than five minutes off, a nonce seen before, a revoked key or a wrong signature is refused.

use crate::{Actor, ActorKind, AppError, Registry, Result};
use sha2::{Digest, Sha256};
use tamwin_domain::ValidationErrors;
use tamwin_domain::access::{Area, Permission, Role};
use tamwin_hub::{hex, unhex};
use tamwin_store::DeviceKey;

/// How far a request's time may be from the server's.
pub const CLOCK_SKEW_SECONDS: i64 = 300;

/// What a signed request carries, as the web layer read it.
#[derive(Debug, Clone)]
pub struct SignedRequest<'a> {
    pub device_id: &'a str,
    /// RFC 3339.
    pub timestamp: &'a str,
    pub nonce: &'a str,
    /// Ed25519 signature, hex.
    pub signature: &'a str,
    pub method: &'a str,
    /// Path and query, as sent.
    pub target: &'a str,
    /// SHA-256 of the body, hex (of nothing for a request without a body).
    pub body_sha256: &'a str,
}

/// The exact text a device signs.
pub fn canonical(r: &SignedRequest<'_>) -> String {
    format!(
        "tamwin-device-v1\n{}\n{}\n{}\n{}\n{}",
        r.method.to_ascii_uppercase(),
        r.target,
        r.timestamp,
        r.nonce,
        r.body_sha256
    )
}

pub fn body_sha256(body: &[u8]) -> String {
    hex(&Sha256::digest(body))
}

impl Registry {
    /// The area a credential acts in, and its outlet: an outlet operator's account, token or device
    /// names its outlet's code where others name an area, and acts for that outlet only, in the
    /// outlet's district.
    pub(crate) async fn role_area(
        &self,
        role: Option<Role>,
        area: &str,
        errs: &mut ValidationErrors,
    ) -> Result<(Option<Area>, Option<String>)> {
        if role != Some(Role::OutletOperator) {
            return Ok((
                Area::parse(area, &self.geo).map_err(|e| errs.push(e)).ok(),
                None,
            ));
        }
        let Some(o) = self.store.outlet(area.trim()).await? else {
            errs.push(tamwin_domain::FieldError::new(
                "area",
                "outlet_unknown",
                "an outlet operator names their outlet's code",
            ));
            return Ok((None, None));
        };
        Ok((Some(Area::District(o.district_code)), Some(o.code)))
    }

    /// Registers a device's public key (64 hex digits) with the role and area it acts with.
    pub async fn add_device(
        &self,
        name: &str,
        role: &str,
        area: &str,
        public_key: &str,
        actor: &Actor,
    ) -> Result<DeviceKey> {
        actor.require(Permission::ManageAccess)?;
        let mut errs = ValidationErrors::default();
        let role = Role::parse(role).map_err(|e| errs.push(e)).ok();
        let (area, outlet) = self.role_area(role, area, &mut errs).await?;
        let key = public_key.trim().to_ascii_lowercase();
        let valid_key = unhex(&key)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .is_some_and(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).is_ok());
        if !valid_key {
            errs.push(tamwin_domain::FieldError::new(
                "public_key",
                "public_key_invalid",
                "not an Ed25519 public key (64 hex digits)",
            ));
        }
        if let Some(e) = tamwin_domain::check_free_text("name", name.trim(), 100) {
            errs.push(e);
        }
        let (Some(role), Some(area)) = (role, area) else {
            return Err(AppError::Validation(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        if !actor.area.covers(&area, &self.geo) {
            return Err(AppError::Forbidden);
        }
        let d = DeviceKey {
            device_id: self.ids.id().replace('-', ""),
            name: name.trim().to_string(),
            role,
            area: area.code().into(),
            public_key: key,
            created_at: self.clock.now(),
            created_by: actor.name.clone(),
            revoked_at: None,
            outlet_code: outlet,
        };
        let log = self.log(
            "device.added",
            Some(d.device_id.clone()),
            None,
            actor,
            serde_json::json!({ "name": d.name, "role": d.role.code(), "area": d.area, "outlet": d.outlet_code, "public_key": d.public_key }),
        );
        match self.store.create_device_key(&d, &log).await {
            Ok(()) => Ok(d),
            Err(tamwin_store::StoreError::Conflict(..)) => Err(AppError::rule("public_key_taken")),
            Err(e) => Err(e.into()),
        }
    }

    /// Forgets device nonces older than any request time accepted (the job `devices.nonces`).
    pub async fn forget_device_nonces(&self) -> Result<u64> {
        let before = self
            .clock
            .now()
            .checked_sub(jiff::SignedDuration::from_secs(2 * CLOCK_SKEW_SECONDS))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(self.store.forget_nonces(before).await?)
    }

    /// The actor behind a signed request; every failure is 401 alike.
    pub async fn device_actor(&self, r: &SignedRequest<'_>) -> Result<Actor> {
        let refused = || AppError::Unauthenticated;
        let d = self
            .store
            .device_key(r.device_id)
            .await?
            .filter(|d| d.revoked_at.is_none())
            .ok_or_else(refused)?;
        let at: jiff::Timestamp = r.timestamp.parse().map_err(|_| refused())?;
        let now = self.clock.now();
        if (now.as_second() - at.as_second()).abs() > CLOCK_SKEW_SECONDS {
            return Err(refused());
        }
        if r.nonce.len() < 16
            || r.nonce.len() > 64
            || !r
                .nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(refused());
        }
        let pk = unhex(&d.public_key)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
            .ok_or_else(refused)?;
        let sig = unhex(r.signature)
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .map(|b| ed25519_dalek::Signature::from_bytes(&b))
            .ok_or_else(refused)?;
        pk.verify_strict(canonical(r).as_bytes(), &sig)
            .map_err(|_| refused())?;
        // Only a correctly signed request spends its nonce, so nobody can burn a device's nonces.
        if !self.store.use_nonce(&d.device_id, r.nonce, now).await? {
            return Err(refused());
        }
        let role = d.role;
        let area = crate::actor::stored_area(&self.geo, "device_keys", &d.area)?;
        Ok(Actor {
            name: format!("device:{}", d.name),
            kind: ActorKind::Device {
                device_id: d.device_id,
            },
            role: Some(role),
            area,
            channel: "api",
            outlet: d.outlet_code,
        })
    }

    pub async fn revoke_device(&self, device_id: &str, actor: &Actor) -> Result<()> {
        actor.require(Permission::ManageAccess)?;
        let d = self
            .store
            .device_key(device_id)
            .await?
            .filter(|d| actor.covers_code(&d.area, &self.geo))
            .ok_or(AppError::NotFound)?;
        let log = self.log(
            "device.revoked",
            Some(d.device_id.clone()),
            None,
            actor,
            serde_json::json!({ "name": d.name }),
        );
        if !self.store.revoke_device_key(&d.device_id, &log).await? {
            return Err(AppError::rule("device_already_revoked"));
        }
        Ok(())
    }

    pub async fn devices(&self, actor: &Actor) -> Result<Vec<DeviceKey>> {
        actor.require(Permission::ManageAccess)?;
        Ok(self
            .store
            .device_keys()
            .await?
            .into_iter()
            .filter(|d| actor.covers_code(&d.area, &self.geo))
            .collect())
    }
}
