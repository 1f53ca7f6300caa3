//! Browser sessions: staff sign in with username and password, citizens with their phone and a one-time
//! code. The cookie holds a random secret; the store keeps its SHA-256, the kind, whose it is, a CSRF
//! token, and expiry (30 minutes idle, 12 hours at most).

use crate::secret::{random_code, random_hex, same, sha256_hex};
use crate::{Actor, ActorKind, AppError, Registry, Result};
use tamwin_domain::Phone;
use tamwin_domain::access::check_password;
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

/// Delivers messages from the outbox: an SMS gateway in production (`tamwin serve --sms-url`).
#[async_trait::async_trait]
pub trait SmsGateway: Send + Sync {
    /// Hands one message to the network; the error says why it did not go (never the message's text).
    async fn deliver(&self, msg: &OutboxMessage) -> std::result::Result<(), String>;
    /// Messages a demo gateway keeps in memory for the page that stands in for a phone; a real
    /// gateway keeps none.
    fn recent(&self, _limit: usize) -> Vec<OutboxMessage> {
        vec![]
    }
}

/// The demo's and the tests' gateway: the last messages stay in this process's memory only (the
/// demo's `/demo/outbox` page shows them); the log says a message went, never what it says.
#[derive(Default)]
pub struct LogGateway {
    kept: std::sync::Mutex<std::collections::VecDeque<OutboxMessage>>,
}

/// How many messages the demo's gateway keeps.
const KEPT: usize = 50;

#[async_trait::async_trait]
impl SmsGateway for LogGateway {
    async fn deliver(&self, msg: &OutboxMessage) -> std::result::Result<(), String> {
        tracing::info!(id = %msg.message_id, "sms kept in memory for the demo's outbox page");
        let mut kept = self
            .kept
            .lock()
            .map_err(|_| "gateway memory poisoned".to_string())?;
        kept.push_front(msg.clone());
        kept.truncate(KEPT);
        Ok(())
    }
    fn recent(&self, limit: usize) -> Vec<OutboxMessage> {
        self.kept
            .lock()
            .map(|k| k.iter().take(limit).cloned().collect())
            .unwrap_or_default()
    }
}

/// The text of a sign-in code message; with the code masked, what the outbox keeps once it went.
fn code_message(code: &str) -> String {
    format!(
        "رمز الدخول إلى تموين: {code}\nصالح {CODE_MINUTES} دقائق. لا تعطه لأحد.\nTamwin sign-in code: {code} (valid {CODE_MINUTES} minutes; never share it)"
    )
}

/// What stands for the code in the stored message after delivery.
pub const CODE_MASK: &str = "••••••";

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

    /// Signs a staff member in (`sign_in_from`'s rules) from no known address and opens a session.
    pub async fn staff_session(&self, username: &str, password: &str) -> Result<NewSession> {
        self.staff_session_from(username, password, "local").await
    }

    /// Signs a staff member in from a source address (`throttle::source_key`): throttled by address
    /// and account, same answer for unknown user and wrong password; opens a session.
    pub async fn staff_session_from(
        &self,
        username: &str,
        password: &str,
        source: &str,
    ) -> Result<NewSession> {
        let acc = self.sign_in_from(username, password, source).await?;
        let actor = Actor::staff(&acc.user_id, &acc.username, acc.role, acc.area, "web")
            .at_outlet(acc.outlet);
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
                let role = u.role;
                let area = crate::actor::stored_area(&self.geo, "staff_users", &u.area)?;
                Actor::staff(&u.user_id, &u.username, role, area, "web").at_outlet(u.outlet_code)
            }
            "citizen" => Actor::citizen(&s.subject_id.as_str().into(), &s.subject_name, "web"),
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
        // Throttled per session: a stolen session guesses no faster than a stranger.
        let source = format!("session:{}", who.session_hash);
        self.sign_in_from(&who.actor.name, current, &source).await?;
        check_password(new)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        if new == current {
            return Err(AppError::rule("password_unchanged"));
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

    /// `request_code_from` from no known address (tests).
    pub async fn request_code(&self, phone: &str) -> Result<()> {
        self.request_code_from(phone, "local").await
    }

    /// Sends a one-time code to a number, if an open household has it. The answer is the same either
    /// way, and as fast (the message goes in the background), so the form cannot be used to learn who
    /// is registered. Throttled per address, per number and address (so that a stranger cannot use up
    /// a citizen's codes), and per number from all addresses (so that nobody floods a phone).
    pub async fn request_code_from(&self, phone: &str, source: &str) -> Result<()> {
        use crate::throttle::{CODE_REQUESTS_PER_ADDRESS, CODES_PER_NUMBER, key, refusing};
        let phone = Phone::parse(phone)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        let now = self.clock.now();
        let keys = [
            key("code-address", &[source]),
            key("code-pair", &[phone.as_str(), source]),
        ];
        let c = self.counters(&keys).await?;
        if let Some(secs) = refusing(c[0].as_ref(), now) {
            return Err(AppError::TooManyAttempts(secs));
        }
        if refusing(c[1].as_ref(), now).is_some() {
            return Err(AppError::TooManyCodes);
        }
        let since = now
            .checked_sub(minutes(15))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if self.store.otps_since(phone.as_str(), since).await? >= CODES_PER_NUMBER {
            return Err(AppError::TooManyCodes);
        }
        self.count_failure(&keys[0], CODE_REQUESTS_PER_ADDRESS)
            .await?;
        self.count_failure(&keys[1], CODES_PER_QUARTER).await?;
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
            body: code_message(&code),
            created_at: now,
            delivered_at: None,
        });
        self.store.create_otp(&challenge, msg.as_ref()).await?;
        if let Some(m) = msg {
            self.deliver_code_soon(m, code_message(CODE_MASK));
        }
        Ok(())
    }

    /// Hands a message bearing a code to the gateway in the background, then keeps it in the outbox
    /// with the code masked: the code leaves the database once the gateway had its chance (a code is
    /// not sent again; it lasts minutes, and the citizen asks for another).
    pub(crate) fn deliver_code_soon(&self, m: OutboxMessage, masked: String) {
        let (sms, store, clock) = (self.sms.clone(), self.store.clone(), self.clock.clone());
        tokio::spawn(async move {
            let delivered = match sms.deliver(&m).await {
                Ok(()) => Some(clock.now()),
                Err(e) => {
                    tracing::warn!(id = %m.message_id, "sms gateway: {e}");
                    None
                }
            };
            if let Err(e) = store
                .outbox_update(&m.message_id, delivered, Some(&masked))
                .await
            {
                tracing::warn!(id = %m.message_id, "outbox: {e}");
            }
        });
    }

    /// `verify_code_from` from no known address (tests).
    pub async fn verify_code(&self, phone: &str, code: &str) -> Result<NewSession> {
        self.verify_code_from(phone, code, "local").await
    }

    /// Checks a one-time code and opens a citizen session on the household of the number. Every
    /// failure is the same `CodeRefused`: wrong, expired, used, superseded, out of attempts, unknown
    /// number; too many failures from one address refuse it for a while (`TooManyAttempts`).
    pub async fn verify_code_from(
        &self,
        phone: &str,
        code: &str,
        source: &str,
    ) -> Result<NewSession> {
        use crate::throttle::{CODE_FAILURES_PER_ADDRESS, key, refusing};
        let address = key("code-verify-address", &[source]);
        let c = self.counters(std::slice::from_ref(&address)).await?;
        if let Some(secs) = refusing(c[0].as_ref(), self.clock.now()) {
            return Err(AppError::TooManyAttempts(secs));
        }
        match self.check_code(phone, code).await {
            Err(AppError::CodeRefused) => {
                self.count_failure(&address, CODE_FAILURES_PER_ADDRESS)
                    .await?;
                Err(AppError::CodeRefused)
            }
            other => other,
        }
    }

    async fn check_code(&self, phone: &str, code: &str) -> Result<NewSession> {
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
        if still.as_deref() != Some(household_id.as_str()) {
            return Err(AppError::CodeRefused);
        }
        let actor = Actor::citizen(&household_id.as_str().into(), phone.as_str(), "web");
        self.open_session(
            "citizen",
            household_id,
            phone.as_str(),
            actor,
            "citizen.signed_in",
        )
        .await
    }

    /// The most recent messages of the outbox, for the demo's page that stands in for a phone: a
    /// message the demo's gateway still holds in memory is shown as sent (the stored one has its code
    /// masked).
    pub async fn outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>> {
        // The stored rows first: one stored masked was in the gateway's memory before it was masked.
        let mut rows = self.store.outbox_recent(limit).await?;
        let kept = self.sms.recent(limit as usize);
        for r in &mut rows {
            if let Some(k) = kept.iter().find(|k| k.message_id == r.message_id) {
                r.body = k.body.clone();
            }
        }
        Ok(rows)
    }
}
