//! Browser sessions: staff sign in with username and password, citizens with their phone and a one-time
//! code. The cookie holds a random secret; the store keeps its SHA-256, the kind, whose it is, a CSRF
//! token, and expiry (30 minutes idle, 12 hours at most).

use crate::secret::{random_code, random_hex, same, sha256_hex};
use crate::{Actor, ActorKind, AppError, Registry, Result};
use tamwin_domain::Phone;
use tamwin_domain::access::{Area, Role, check_password};
use tamwin_store::{OtpChallenge, OutboxMessage, Session};

pub const SESSION_IDLE_MINUTES: i64 = 30;
pub const SESSION_MAX_HOURS: i64 = 12;
/// A one-time code lives five minutes, may be tried five times, and works once.
pub const CODE_MINUTES: i64 = 5;
pub const CODE_ATTEMPTS: i64 = 5;
/// At most this many codes per number per quarter hour.
pub const CODES_PER_QUARTER: i64 = 3;

/// A new session: the cookie value (shown to the browser only) and the CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub cookie: String,
    pub csrf: String,
    pub actor: Actor,
}

/// A request's session, resolved: who it is and the CSRF token its forms must carry.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub actor: Actor,
    pub csrf: String,
    pub session_hash: String,
}

/// Delivers messages from the outbox: an SMS gateway in production.
pub trait SmsGateway: Send + Sync {
    fn deliver(&self, msg: &OutboxMessage);
}

/// The default gateway: the message stays in the outbox and goes to the log.
pub struct LogGateway;
impl SmsGateway for LogGateway {
    fn deliver(&self, msg: &OutboxMessage) {
        tracing::info!(to = %msg.recipient, id = %msg.message_id, "sms (outbox only): {}", msg.body);
    }
}

fn minutes(n: i64) -> jiff::Span {
    jiff::Span::new().minutes(n)
}

impl Registry {
    async fn open_session(
        &self,
        kind: &str,
        subject_id: &str,
        subject_name: &str,
        actor: Actor,
        action: &'static str,
    ) -> Result<NewSession> {
        let cookie = random_hex(32)?;
        let csrf = random_hex(32)?;
        let now = self.clock.now();
        let s = Session {
            session_hash: sha256_hex(&[&cookie]),
            kind: kind.to_string(),
            subject_id: subject_id.to_string(),
            subject_name: subject_name.to_string(),
            csrf_token: csrf.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now
                .checked_add(minutes(SESSION_IDLE_MINUTES))
                .map_err(|e| AppError::Internal(e.to_string()))?,
            ended_at: None,
        };
        let log = self.log(action, None, None, &actor, serde_json::json!({}));
        self.store.create_session(&s, &log).await?;
        Ok(NewSession {
            cookie,
            csrf,
            actor,
        })
    }

    /// Signs a staff member in (`sign_in`'s rules: lock-out, same answer for unknown user and wrong
    /// password) and opens a session.
    pub async fn staff_session(&self, username: &str, password: &str) -> Result<NewSession> {
        let acc = self.sign_in(username, password).await?;
        let actor = Actor::staff(&acc.user_id, &acc.username, acc.role, acc.area, "web");
        self.open_session(
            "staff",
            &acc.user_id,
            &acc.username,
            actor,
            "staff.signed_in",
        )
        .await
    }

    /// The session behind a cookie, if it is open and not expired; the account is read again so a
    /// disabled account or a changed role takes effect at once.
    pub async fn session_of(&self, cookie: &str) -> Result<SignedIn> {
        let hash = sha256_hex(&[cookie]);
        let s = self
            .store
            .session(&hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let now = self.clock.now();
        let too_old = s
            .created_at
            .checked_add(jiff::Span::new().hours(SESSION_MAX_HOURS))
            .map_or(true, |t| t <= now);
        if s.ended_at.is_some() || s.expires_at <= now || too_old {
            return Err(AppError::Unauthenticated);
        }
        let actor = match s.kind.as_str() {
            "staff" => {
                let u = self
                    .store
                    .staff_user_by_id(&s.subject_id)
                    .await?
                    .filter(|u| u.disabled_at.is_none())
                    .ok_or(AppError::Unauthenticated)?;
                let role = Role::parse(&u.role)
                    .map_err(|_| AppError::Internal(format!("stored role {}", u.role)))?;
                let area = Area::parse(&u.area, &self.geo)
                    .map_err(|_| AppError::Internal(format!("stored area {}", u.area)))?;
                Actor::staff(&u.user_id, &u.username, role, area, "web")
            }
            "citizen" => Actor::citizen(&s.subject_id, &s.subject_name, "web"),
            _ => return Err(AppError::Unauthenticated),
        };
        // One write a minute at most, not one per request.
        if now.duration_since(s.last_seen_at).as_secs() >= 60 {
            let expires = now
                .checked_add(minutes(SESSION_IDLE_MINUTES))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            self.store.touch_session(&hash, now, expires).await?;
        }
        Ok(SignedIn {
            actor,
            csrf: s.csrf_token,
            session_hash: hash,
        })
    }

    pub async fn sign_out(&self, who: &SignedIn) -> Result<()> {
        let action = if who.actor.is_citizen() {
            "citizen.signed_out"
        } else {
            "staff.signed_out"
        };
        let log = self.log(action, None, None, &who.actor, serde_json::json!({}));
        Ok(self.store.end_session(&who.session_hash, &log).await?)
    }

    /// Replaces the signed-in staff member's password after checking the current one; every other
    /// session of the account ends.
    pub async fn change_password(&self, who: &SignedIn, current: &str, new: &str) -> Result<()> {
        let ActorKind::Staff { user_id } = &who.actor.kind else {
            return Err(AppError::Forbidden);
        };
        self.sign_in(&who.actor.name, current).await?;
        check_password(new)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        if new == current {
            return Err(AppError::Rule(
                "password_unchanged",
                "كلمة المرور الجديدة مطابقة للحالية",
                "the new password is the current one",
            ));
        }
        let hash = crate::staff::hash(new.to_string()).await?;
        let log = self.log(
            "staff.password_changed",
            Some(user_id.clone()),
            None,
            &who.actor,
            serde_json::json!({}),
        );
        Ok(self
            .store
            .set_staff_password(user_id, &hash, Some(&who.session_hash), &log)
            .await?)
    }

    /// Sends a one-time code to a number, if an open household has it. The answer is the same either
    /// way, so the form cannot be used to learn who is registered.
    pub async fn request_code(&self, phone: &str) -> Result<()> {
        let phone = Phone::parse(phone)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        let now = self.clock.now();
        let since = now
            .checked_sub(minutes(15))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if self.store.otps_since(phone.as_str(), since).await? >= CODES_PER_QUARTER {
            return Err(AppError::TooManyCodes);
        }
        let household_id = self.store.household_by_phone(&phone).await?;
        let code = random_code(6)?;
        let challenge_id = self.ids.id();
        let challenge = OtpChallenge {
            code_hash: sha256_hex(&[&challenge_id, &code]),
            challenge_id,
            phone: phone.as_str().to_string(),
            household_id: household_id.clone(),
            created_at: now,
            expires_at: now
                .checked_add(minutes(CODE_MINUTES))
                .map_err(|e| AppError::Internal(e.to_string()))?,
            attempts: 0,
            used_at: None,
        };
        let msg = household_id.map(|_| OutboxMessage {
            message_id: self.ids.id(),
            channel: "sms".into(),
            recipient: phone.as_str().to_string(),
            body: format!(
                "رمز الدخول إلى تموين: {code}\nصالح {CODE_MINUTES} دقائق. لا تعطه لأحد.\nTamwin sign-in code: {code} (valid {CODE_MINUTES} minutes; never share it)"
            ),
            created_at: now,
            delivered_at: None,
        });
        self.store.create_otp(&challenge, msg.as_ref()).await?;
        if let Some(m) = &msg {
            self.sms.deliver(m);
        }
        Ok(())
    }

    /// Checks a one-time code and opens a citizen session on the household of the number. Every
    /// failure is the same `CodeRefused`: wrong, expired, used, superseded, out of attempts, unknown number.
    pub async fn verify_code(&self, phone: &str, code: &str) -> Result<NewSession> {
        let phone = Phone::parse(phone).map_err(|_| AppError::CodeRefused)?;
        let code = tamwin_text_ar::fold_digits(code.trim());
        let now = self.clock.now();
        let c = self
            .store
            .latest_otp(phone.as_str())
            .await?
            .ok_or(AppError::CodeRefused)?;
        if c.used_at.is_some() || c.expires_at <= now {
            return Err(AppError::CodeRefused);
        }
        if !self
            .store
            .otp_attempt(&c.challenge_id, CODE_ATTEMPTS)
            .await?
        {
            return Err(AppError::CodeRefused);
        }
        let Some(household_id) = &c.household_id else {
            return Err(AppError::CodeRefused);
        };
        if !same(&sha256_hex(&[&c.challenge_id, &code]), &c.code_hash) {
            return Err(AppError::CodeRefused);
        }
        if !self.store.otp_use(&c.challenge_id, now).await? {
            return Err(AppError::CodeRefused);
        }
        // The number may have moved to another household, or the card closed, since the code was sent.
        let still = self.store.household_by_phone(&phone).await?;
        if still.as_ref() != Some(household_id) {
            return Err(AppError::CodeRefused);
        }
        let actor = Actor::citizen(household_id, phone.as_str(), "web");
        self.open_session(
            "citizen",
            household_id,
            phone.as_str(),
            actor,
            "citizen.signed_in",
        )
        .await
    }

    /// The most recent messages of the outbox, for the demo's page that stands in for a phone.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        Ok(self.store.outbox_recent(limit).await?)
    }
}
