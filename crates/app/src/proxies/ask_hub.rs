//! What a grant asks the civil registry, through the hub (the only door to it): whether the person
//! named is who the head says (national ID and birth date), alive and in the country, and one-time
//! codes to each side's phone as the registry knows it, checked there. Each answer's request and
//! response hashes are the evidence kept.

use crate::{AppError, Registry, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tamwin_hub::HubErrorCode;
use tamwin_hub::services::{
    CodeCheck, CodeSent, IdentityMatch, IdentityQuery, LifeStatus, NationalIdQuery, SendCodeQuery,
    Service, VerifyCodeQuery,
};

/// A hub answer and its evidence: `request_hash:response_hash`.
pub(crate) struct Answered<R> {
    pub answer: R,
    pub evidence: String,
}

impl Registry {
    async fn ask<Q: Serialize + Sync, R: DeserializeOwned>(
        &self,
        service: Service,
        q: &Q,
    ) -> Result<Answered<R>> {
        // No hub configured is the hub not answering, as far as the citizen is concerned.
        let hub = self.hub().map_err(|_| AppError::rule("hub_unavailable"))?;
        let (request_hash, called) = hub.call::<_, R>(service, q).await;
        let c = called.map_err(|_| AppError::rule("hub_unavailable"))?;
        match c.envelope.response {
            Some(answer) => Ok(Answered {
                answer,
                evidence: format!("{request_hash}:{}", c.response_hash),
            }),
            None => Err(match c.envelope.error_code() {
                Some(HubErrorCode::IdNotFound) => AppError::rule("proxy_unknown"),
                Some(HubErrorCode::IdDeactivatedDeceased) => AppError::rule("proxy_deceased"),
                Some(HubErrorCode::NoPhoneOnFile) => AppError::rule("grant_no_phone_on_file"),
                Some(HubErrorCode::TooManyCodes) => AppError::rule("grant_too_many_codes"),
                _ => AppError::rule("hub_unavailable"),
            }),
        }
    }

    /// The person named is who the head says, alive and in the country.
    pub(crate) async fn check_proxy_person(
        &self,
        national_id: &str,
        birth_date: &str,
    ) -> Result<()> {
        let q = IdentityQuery {
            national_id: national_id.to_string(),
            birth_date: Some(birth_date.to_string()),
            ..Default::default()
        };
        let m: Answered<IdentityMatch> = self.ask(Service::VerifyIdentity, &q).await?;
        if !m.answer.matched {
            return Err(AppError::rule("proxy_identity_mismatch"));
        }
        let q = NationalIdQuery {
            national_id: national_id.to_string(),
        };
        let life: Answered<LifeStatus> = self.ask(Service::LifeStatus, &q).await?;
        match life.answer.status.as_str() {
            "alive" => Ok(()),
            "deceased" => Err(AppError::rule("proxy_deceased")),
            "abroad" => Err(AppError::rule("proxy_abroad")),
            _ => Err(AppError::rule("hub_unavailable")),
        }
    }

    /// A code to the phone the registry holds for this person: `purpose` is `citizen` (the head) or
    /// `proxy`.
    pub(crate) async fn send_registry_code(
        &self,
        national_id: &str,
        purpose: &str,
    ) -> Result<CodeSent> {
        let q = SendCodeQuery {
            national_id: national_id.to_string(),
            purpose: purpose.to_string(),
        };
        Ok(self.ask(Service::SendCode, &q).await?.answer)
    }

    /// Whether the code matches the registry's challenge; the evidence when it does.
    pub(crate) async fn check_registry_code(
        &self,
        national_id: &str,
        challenge_id: &str,
        code: &str,
    ) -> Result<Option<String>> {
        let q = VerifyCodeQuery {
            national_id: national_id.to_string(),
            challenge_id: challenge_id.to_string(),
            code: code.trim().to_string(),
        };
        let c: Answered<CodeCheck> = self.ask(Service::VerifyCode, &q).await?;
        Ok(c.answer.matched.then_some(c.evidence))
    }
}
