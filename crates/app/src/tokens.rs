//! API tokens for machine clients (outlet devices, other ministries): a role and an area like a staff
//! account, an expiry, revocable. The token is `tmw_<id>_<secret>`; only the secret's SHA-256 is stored.

use crate::secret::{random_hex, same, sha256_hex};
use crate::{Actor, ActorKind, AppError, Registry, Result};
use tamwin_domain::ValidationErrors;
use tamwin_domain::access::{Permission, Role};
use tamwin_store::ApiToken;

pub const TOKEN_MAX_DAYS: i64 = 365;

impl Registry {
    /// Creates a token and returns it with the one-time secret string. An administrator grants only
    /// within their own area.
    pub async fn create_token(
        &self,
        name: &str,
        role: &str,
        area: &str,
        days: i64,
        actor: &Actor,
    ) -> Result<(ApiToken, String)> {
        actor.require(Permission::ManageAccess)?;
        let mut errs = ValidationErrors::default();
        let role = Role::parse(role).map_err(|e| errs.push(e)).ok();
        let (area, outlet) = self.role_area(role, area, &mut errs).await?;
        let name = name.trim();
        if let Some(e) = tamwin_domain::check_free_text("name", name, 100) {
            errs.push(e);
        } else if name.is_empty() {
            errs.push(tamwin_domain::FieldError::new(
                "name",
                "name_required",
                "a token needs a name (the client or device it is for)",
            ));
        }
        if !(1..=TOKEN_MAX_DAYS).contains(&days) {
            errs.push(tamwin_domain::FieldError::new(
                "days",
                "days_out_of_range",
                "validity is 1 to 365 days",
            ));
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
        let now = self.clock.now();
        let secret = random_hex(32)?;
        let token_id = self.ids.id().replace('-', "");
        let t = ApiToken {
            token_id: token_id.clone(),
            name: name.to_string(),
            role,
            area: area.code().into(),
            secret_hash: sha256_hex(&[&secret]),
            created_at: now,
            created_by: actor.name.clone(),
            expires_at: now
                .checked_add(jiff::SignedDuration::from_hours(24 * days))
                .map_err(|e| AppError::Internal(e.to_string()))?,
            revoked_at: None,
            outlet_code: outlet,
        };
        let log = self.log(
            "token.created",
            Some(token_id.clone()),
            None,
            actor,
            serde_json::json!({ "name": t.name, "role": t.role.code(), "area": t.area, "expires_at": t.expires_at }),
        );
        self.store.create_api_token(&t, &log).await?;
        Ok((t, format!("tmw_{token_id}_{secret}")))
    }

    /// The actor behind a bearer token; unknown, malformed, wrong, revoked and expired are all 401.
    pub async fn token_actor(&self, bearer: &str) -> Result<Actor> {
        let mut parts = bearer.trim().splitn(3, '_');
        let (Some("tmw"), Some(id), Some(secret)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(AppError::Unauthenticated);
        };
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(AppError::Unauthenticated);
        }
        let t = self
            .store
            .api_token(id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let now = self.clock.now();
        if !same(&sha256_hex(&[secret]), &t.secret_hash)
            || t.revoked_at.is_some()
            || t.expires_at <= now
        {
            return Err(AppError::Unauthenticated);
        }
        let role = t.role;
        let area = crate::actor::stored_area(&self.geo, "api_tokens", &t.area)?;
        Ok(Actor {
            name: format!("token:{}", t.name),
            kind: ActorKind::Token {
                token_id: t.token_id,
            },
            role: Some(role),
            area,
            channel: "api",
            outlet: t.outlet_code,
        })
    }

    pub async fn revoke_token(&self, token_id: &str, actor: &Actor) -> Result<()> {
        actor.require(Permission::ManageAccess)?;
        let t = self
            .store
            .api_token(token_id)
            .await?
            .filter(|t| actor.covers_code(&t.area, &self.geo))
            .ok_or(AppError::NotFound)?;
        let log = self.log(
            "token.revoked",
            Some(t.token_id.clone()),
            None,
            actor,
            serde_json::json!({ "name": t.name }),
        );
        if !self.store.revoke_api_token(&t.token_id, &log).await? {
            return Err(AppError::rule("token_already_revoked"));
        }
        Ok(())
    }

    /// Tokens within the administrator's area.
    pub async fn tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>> {
        actor.require(Permission::ManageAccess)?;
        Ok(self
            .store
            .api_tokens()
            .await?
            .into_iter()
            .filter(|t| actor.covers_code(&t.area, &self.geo))
            .collect())
    }
}
