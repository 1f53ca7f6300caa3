//! The proxy's side of a grant (issue 17 points 1 and 2): no account is needed — the national ID and
//! the code the civil registry sent to the proxy's own phone are the proof. The proxy accepts or
//! declines a grant awaiting their confirmation — at once, or on their page after reading it (the code
//! is good once: the page carries a short-lived ticket from the reading to the answer) — and later
//! gives one up.

use super::{Grant, GrantView};
use crate::{Actor, AppError, Registry, Result};
use tamwin_domain::proxy::GrantStatus;
use tamwin_store::{GrantEnd, Side};

/// Minutes the proxy's page may take from reading a grant to answering it.
const TICKET_MINUTES: i64 = 15;

impl Registry {
    /// The proxy accepts (`accept`) or declines a grant naming them, with the code the registry sent
    /// to their phone: no account is needed, the code is the proof.
    pub async fn answer_grant(
        &self,
        national_id: &str,
        code: &str,
        accept: bool,
    ) -> Result<GrantView> {
        let (g, evidence) = self.waiting_grant(national_id, code).await?;
        self.settle_answer(g, evidence, accept).await
    }

    /// The proxy reads the grant the code names before answering: the grant, and the ticket (good
    /// for `TICKET_MINUTES`) that answers it with `answer_with_ticket`. The read is audited.
    pub async fn proxy_reads_grant(
        &self,
        national_id: &str,
        code: &str,
    ) -> Result<(GrantView, String)> {
        let (g, evidence) = self.waiting_grant(national_id, code).await?;
        let ticket = crate::secret::random_hex(16)?;
        let until = self
            .clock
            .now()
            .checked_add(jiff::SignedDuration::from_mins(TICKET_MINUTES))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let hash = crate::secret::sha256_hex(&[&g.grant_id, &ticket]);
        if !self
            .store
            .set_proxy_ticket(&g.household_id, &g.grant_id, &hash, until, &evidence)
            .await?
        {
            return Err(AppError::rule("grant_not_confirming"));
        }
        let r = self
            .store
            .household_by_id(&g.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // The reader is the proxy the code proved, named in the entry.
        self.record_reads(
            &Actor::system(&format!("proxy:{}", g.proxy_national_id)),
            "grants.read",
            &[(&r.household.household_id, &r.household.card_number)],
        )
        .await?;
        Ok((self.grant_view(&g.grant_id, &r).await?, ticket))
    }

    /// The answer to a grant read with `proxy_reads_grant`, with its ticket.
    pub async fn answer_with_ticket(
        &self,
        grant_id: &str,
        ticket: &str,
        accept: bool,
    ) -> Result<GrantView> {
        let wrong = || AppError::rule("grant_code_wrong");
        let g = self.store.grant(grant_id.trim()).await?.ok_or_else(wrong)?;
        let sent = crate::secret::sha256_hex(&[&g.grant_id, ticket.trim()]);
        let evidence = self
            .store
            .take_proxy_ticket(&g.grant_id, &sent, self.clock.now())
            .await?
            .ok_or_else(wrong)?;
        if g.status != GrantStatus::Confirming || g.proxy.confirmed_at.is_some() {
            return Err(AppError::rule("grant_not_confirming"));
        }
        self.settle_answer(g, evidence, accept).await
    }

    /// The grant awaiting this person's answer whose challenge the code matches, and the evidence.
    async fn waiting_grant(&self, national_id: &str, code: &str) -> Result<(Grant, String)> {
        let nid = tamwin_domain::NationalId::parse(national_id.trim())
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        let waiting: Vec<Grant> = self
            .store
            .grants_of_proxy(nid.as_str())
            .await?
            .into_iter()
            .filter(|g| g.status == GrantStatus::Confirming && g.proxy.confirmed_at.is_none())
            .collect();
        let mut found = None;
        for g in waiting {
            let Some(challenge) = g.proxy.challenge.as_deref() else {
                continue;
            };
            if let Some(evidence) = self
                .check_registry_code(nid.as_str(), challenge, code)
                .await?
            {
                found = Some((g, evidence));
                break;
            }
        }
        found.ok_or_else(|| AppError::rule("grant_code_wrong"))
    }

    /// The proxy's answer recorded: accepted with the check's evidence, or declined.
    async fn settle_answer(&self, g: Grant, evidence: String, accept: bool) -> Result<GrantView> {
        let proxy = Actor::system("proxy");
        let r = self
            .store
            .household_by_id(&g.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.clock.now();
        if accept {
            let log = self.log(
                "grant.confirmed",
                None,
                None,
                &proxy,
                serde_json::json!({ "grant_id": g.grant_id, "side": "proxy", "evidence": evidence }),
            );
            self.store
                .confirm_grant(
                    &g.household_id,
                    &g.grant_id,
                    Side::Proxy,
                    &evidence,
                    now,
                    &log,
                )
                .await?
                .ok_or_else(|| AppError::rule("grant_not_confirming"))?;
        } else {
            let log = self.log(
                "grant.declined",
                None,
                None,
                &proxy,
                serde_json::json!({ "grant_id": g.grant_id, "evidence": evidence }),
            );
            let end = GrantEnd {
                household_id: &g.household_id,
                grant_id: &g.grant_id,
                from: &[GrantStatus::Confirming],
                to: GrantStatus::Declined,
                by: "proxy",
                reason: None,
                at: now,
                log: &log,
            };
            if !self.store.end_grant(&end).await? {
                return Err(AppError::rule("grant_not_confirming"));
            }
        }
        self.grant_view(&g.grant_id, &r).await
    }

    /// A code to the proxy's phone (as the registry holds it) for what they do with their open grants
    /// later (giving one up). The answer is the same whether or not a grant names the person, so that
    /// nobody learns who is a proxy; the registry allows three codes a quarter hour.
    pub async fn proxy_code(&self, national_id: &str) -> Result<()> {
        let nid = tamwin_domain::NationalId::parse(national_id.trim())
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        let open: Vec<Grant> = self
            .store
            .grants_of_proxy(nid.as_str())
            .await?
            .into_iter()
            .filter(|g| g.status.is_open())
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let sent = self.send_registry_code(nid.as_str(), "proxy").await?;
        for g in &open {
            self.store
                .set_challenge(
                    &g.household_id,
                    &g.grant_id,
                    Side::Proxy,
                    &sent.challenge_id,
                )
                .await?;
        }
        Ok(())
    }

    /// The proxy gives a grant up with the code last sent to their phone: an active one ends given
    /// up, one still awaiting its fee ends declined; its place is given back.
    pub async fn give_up_grant(
        &self,
        national_id: &str,
        grant_id: &str,
        code: &str,
    ) -> Result<GrantView> {
        let nid = tamwin_domain::NationalId::parse(national_id.trim())
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        // Another person's grant reads as a wrong code, never as someone else's grant.
        let g = self
            .store
            .grant(grant_id.trim())
            .await?
            .filter(|g| g.proxy_national_id == nid.as_str())
            .ok_or_else(|| AppError::rule("grant_code_wrong"))?;
        let challenge = g
            .proxy
            .challenge
            .as_deref()
            .ok_or_else(|| AppError::rule("grant_code_wrong"))?;
        let evidence = self
            .check_registry_code(nid.as_str(), challenge, code)
            .await?
            .ok_or_else(|| AppError::rule("grant_code_wrong"))?;
        let (from, to) = match g.status {
            GrantStatus::Active => (GrantStatus::Active, GrantStatus::GivenUp),
            GrantStatus::AwaitingPayment => (GrantStatus::AwaitingPayment, GrantStatus::Declined),
            _ => return Err(AppError::rule("grant_ended")),
        };
        let log = self.log(
            "grant.given_up",
            None,
            None,
            &Actor::system("proxy"),
            serde_json::json!({ "grant_id": g.grant_id, "evidence": evidence }),
        );
        let end = GrantEnd {
            household_id: &g.household_id,
            grant_id: &g.grant_id,
            from: &[from],
            to,
            by: "proxy",
            reason: None,
            at: self.clock.now(),
            log: &log,
        };
        if !self.store.end_grant(&end).await? {
            return Err(AppError::rule("grant_ended"));
        }
        let r = self
            .store
            .household_by_id(&g.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.grant_view(&g.grant_id, &r).await
    }

    /// `give_up_grant` for the family the proxy names by its card number (what a proxy knows), with
    /// the code last sent to their phone. A card no open grant of theirs is for reads as a wrong code.
    pub async fn give_up_for_card(
        &self,
        national_id: &str,
        card_number: &str,
        code: &str,
    ) -> Result<GrantView> {
        let wrong = || AppError::rule("grant_code_wrong");
        let nid = tamwin_domain::NationalId::parse(national_id.trim())
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        let card = tamwin_domain::CardNumber::parse(card_number.trim()).map_err(|_| wrong())?;
        let r = self
            .store
            .household_by_card(&card)
            .await?
            .ok_or_else(wrong)?;
        let g = self
            .store
            .household_grants(&r.household.household_id)
            .await?
            .into_iter()
            .find(|g| {
                g.proxy_national_id == nid.as_str()
                    && matches!(g.status, GrantStatus::Active | GrantStatus::AwaitingPayment)
            })
            .ok_or_else(wrong)?;
        self.give_up_grant(nid.as_str(), &g.grant_id, code).await
    }
}
