//! How an outlet's device identifies the card in front of it (issue 16 point 3): the ration card's
//! signed QR (its token the household's only valid one), or the card number with a one-time code sent
//! to the household's phone, or the card number with a fingerprint checked 1:1 through the hub.

use crate::{Actor, AppError, Registry, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use tamwin_card::{Kind, Payload};
use tamwin_domain::{CardNumber, HouseholdRecord, MemberId};
use tamwin_store::{CardToken, OtpChallenge, OutboxMessage};

/// How long a ration card's QR is valid: it is printed on the card.
pub const CARD_QR_YEARS: i16 = 3;
/// How long a collection code lasts.
const COLLECTION_CODE_MINUTES: i64 = 5;
const COLLECTION_CODE_ATTEMPTS: i64 = 3;

/// The card as a device presents it: exactly one of the ways.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CardPresented {
    /// The ration card's QR text (`TMW1:…`).
    pub qr: Option<String>,
    pub card_number: Option<String>,
    /// The collection code the household received (with `card_number`).
    pub code: Option<String>,
    /// The SHA-256 (hex) of the fingerprint template captured, of the member collecting (with
    /// `card_number`).
    pub fingerprint: Option<String>,
}

/// The card found, how, and the member a fingerprint named.
pub(crate) struct Identified {
    pub record: HouseholdRecord,
    pub by: &'static str,
    pub member: Option<MemberId>,
}

impl Registry {
    /// Issues the household's ration-card QR, revoking the one before (a card lost or stolen stops
    /// working at once); returns the QR text.
    pub(crate) async fn issue_card_qr(&self, r: &HouseholdRecord, actor: &Actor) -> Result<String> {
        let now = self.clock.now();
        let expires = now
            .to_zoned(jiff::tz::TimeZone::UTC)
            .checked_add(jiff::Span::new().years(CARD_QR_YEARS))
            .map_err(|e| AppError::Internal(e.to_string()))?
            .timestamp();
        let t = CardToken {
            household_id: r.household.household_id.clone(),
            token_id: self.ids.id().replace('-', ""),
            issued_at: now,
            expires_at: expires,
            revoked_at: None,
        };
        let qr = self.card_qr_text(r, &t)?;
        let log = self.log(
            "card.qr_issued",
            None,
            None,
            actor,
            serde_json::json!({ "token": t.token_id, "expires_at": expires.to_string() }),
        );
        self.store.issue_card_token(&t, &log).await?;
        Ok(qr)
    }

    /// The QR text of a card token: signed again, it reads the same.
    pub(crate) fn card_qr_text(&self, r: &HouseholdRecord, t: &CardToken) -> Result<String> {
        let keys = self
            .forms
            .as_deref()
            .ok_or_else(|| AppError::Internal("no card key configured".into()))?;
        let mut claims = BTreeMap::new();
        claims.insert(
            "card_number".to_string(),
            r.household.card_number.to_string(),
        );
        claims.insert("token".to_string(), t.token_id.clone());
        let p = Payload {
            kind: Kind::RationCard,
            issued_at: t.issued_at.as_second(),
            expires_at: t.expires_at.as_second(),
            claims,
        };
        tamwin_card::sign(&p, &keys.signer)
            .map_err(|e| AppError::Internal(format!("signing a ration card: {}", e.code())))
    }

    /// The card a device presents, checked: a forged, expired or revoked QR, a wrong or used code, a
    /// fingerprint that does not match, each refused with its code.
    pub(crate) async fn identify(&self, c: &CardPresented, outlet: &str) -> Result<Identified> {
        match (&c.qr, &c.card_number, &c.code, &c.fingerprint) {
            (Some(qr), None, None, None) => {
                let keys = self
                    .forms
                    .as_deref()
                    .ok_or_else(|| AppError::Internal("no card key configured".into()))?;
                let p = tamwin_card::verify(qr.trim(), &keys.ring, self.clock.now().as_second())
                    .map_err(|e| match e {
                        tamwin_card::CardError::Expired => AppError::rule("card_qr_expired"),
                        _ => AppError::rule("card_qr_invalid"),
                    })?;
                if p.kind != Kind::RationCard {
                    return Err(AppError::rule("card_qr_invalid"));
                }
                let (Some(card), Some(token)) =
                    (p.claims.get("card_number"), p.claims.get("token"))
                else {
                    return Err(AppError::rule("card_qr_invalid"));
                };
                let card =
                    CardNumber::parse(card).map_err(|_| AppError::rule("card_qr_invalid"))?;
                let record = self
                    .store
                    .household_by_card(&card)
                    .await?
                    .ok_or(AppError::rule("card_qr_revoked"))?;
                let valid = self
                    .store
                    .valid_card_token(&record.household.household_id)
                    .await?;
                if valid.is_none_or(|t| t.token_id != *token) {
                    return Err(AppError::rule("card_qr_revoked"));
                }
                Ok(Identified {
                    record,
                    by: "qr",
                    member: None,
                })
            }
            (None, Some(card), Some(code), None) => {
                let record = self.card_record(card).await?;
                self.check_collection_code(&record, code, outlet).await?;
                Ok(Identified {
                    record,
                    by: "otp",
                    member: None,
                })
            }
            (None, Some(card), None, Some(template)) => {
                let record = self.card_record(card).await?;
                // The fingerprint names its member: the first present member whose unified card's
                // template it matches (a household has a handful; each check is one hub call).
                for m in record
                    .members
                    .iter()
                    .filter(|m| m.presence == tamwin_domain::Presence::Present)
                {
                    let Some(nid) = &m.national_id else { continue };
                    let r = self
                        .verify_fingerprint(
                            &record.household.household_id,
                            &m.member_id,
                            nid.as_str(),
                            template,
                        )
                        .await?;
                    match r.as_str() {
                        "matched" => {
                            let member = Some(m.member_id.clone());
                            return Ok(Identified {
                                record,
                                by: "fingerprint",
                                member,
                            });
                        }
                        "unavailable" => return Err(AppError::rule("hub_unavailable")),
                        _ => {}
                    }
                }
                Err(AppError::rule("fingerprint_not_matched"))
            }
            _ => Err(AppError::rule("card_presented_invalid")),
        }
    }

    async fn card_record(&self, card: &str) -> Result<HouseholdRecord> {
        let card = CardNumber::parse(card)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        self.store
            .household_by_card(&card)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Sends a collection code to the household's phone, bound to this device's outlet. A card
    /// with no phone on record cannot use this way.
    pub async fn send_collection_code(&self, card: &str, actor: &Actor) -> Result<()> {
        let outlet = self.outlet_of_actor(actor).await?;
        let record = self.card_record(card).await?;
        let phone = record
            .household
            .phone
            .clone()
            .ok_or(AppError::rule("card_has_no_phone"))?;
        let now = self.clock.now();
        let since = now
            .checked_sub(jiff::SignedDuration::from_mins(15))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if self.store.otps_since(phone.as_str(), since).await? >= crate::throttle::CODES_PER_NUMBER
        {
            return Err(AppError::TooManyCodes);
        }
        let code = crate::secret::random_code(6)?;
        let challenge_id = self.ids.id();
        let challenge = OtpChallenge {
            code_hash: collection_hash(&challenge_id, &outlet.code, &code),
            challenge_id,
            phone: phone.as_str().to_string(),
            household_id: Some(record.household.household_id.clone()),
            created_at: now,
            expires_at: now
                .checked_add(jiff::SignedDuration::from_mins(COLLECTION_CODE_MINUTES))
                .map_err(|e| AppError::Internal(e.to_string()))?,
            attempts: 0,
            used_at: None,
        };
        let text = |code: &str| {
            format!(
                "رمز الاستلام عند {}: {code}\nصالح {COLLECTION_CODE_MINUTES} دقائق. أعطه للمنفذ فقط وأنت عنده.\nTamwin collection code at {}: {code}",
                outlet.name_ar, outlet.code
            )
        };
        let msg = OutboxMessage {
            message_id: self.ids.id(),
            channel: "sms".into(),
            recipient: phone.as_str().to_string(),
            body: text(&code),
            created_at: now,
            delivered_at: None,
        };
        self.store.create_otp(&challenge, Some(&msg)).await?;
        self.deliver_code_soon(msg, text(crate::session::CODE_MASK));
        Ok(())
    }

    async fn check_collection_code(
        &self,
        r: &HouseholdRecord,
        code: &str,
        outlet: &str,
    ) -> Result<()> {
        let refused = || AppError::CodeRefused;
        let phone = r.household.phone.as_ref().ok_or_else(refused)?;
        let now = self.clock.now();
        let c = self
            .store
            .latest_otp(phone.as_str())
            .await?
            .ok_or_else(refused)?;
        if c.used_at.is_some()
            || c.expires_at <= now
            || c.household_id.as_ref() != Some(&r.household.household_id)
        {
            return Err(refused());
        }
        if !self
            .store
            .otp_attempt(&c.challenge_id, COLLECTION_CODE_ATTEMPTS)
            .await?
        {
            return Err(refused());
        }
        let code = tamwin_text_ar::fold_digits(code.trim());
        if !crate::secret::same(
            &collection_hash(&c.challenge_id, outlet, &code),
            &c.code_hash,
        ) {
            return Err(refused());
        }
        if !self.store.otp_use(&c.challenge_id, now).await? {
            return Err(refused());
        }
        Ok(())
    }
}

/// A collection code's stored hash: bound to its outlet, and never equal to a sign-in code's.
fn collection_hash(challenge_id: &str, outlet: &str, code: &str) -> String {
    crate::secret::sha256_hex(&[challenge_id, "collect", outlet, code])
}
