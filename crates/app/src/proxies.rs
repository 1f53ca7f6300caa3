//! Electronic powers of attorney (الوكالات الإلكترونية; issue 17, docs/proxies.md): the head of a
//! household, signed in, names another adult by national ID and birth date to collect its ration,
//! within a scope and a validity of at most twelve months, for a reason. The person is checked through
//! the hub (who they are, alive, in the country) and here (not on hold, not of the same household, proxy
//! for fewer households than the limit, which the database keeps); each side confirms with a one-time
//! code the civil registry sends to their own phone, and the checks that matched are kept as evidence.
//! The grant then awaits its fee; the head may revoke it at any moment, the proxy decline it, and it
//! ends by itself after its last day.

mod ask_hub;
mod grant_input;
mod proxy_side;

pub use grant_input::GrantInput;

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::proxy::GrantStatus;
use tamwin_domain::{HouseholdRecord, Presence, Relation};
use tamwin_store::{Created, Grant, GrantEnd, Side};

/// The fee of a grant unless configured otherwise: 5,000 IQD, in fils.
pub const FEE_FILS: i64 = 5_000_000;
/// The job that ends grants after their last day.
pub const EXPIRE_JOB: &str = "proxies.expire";

/// A grant as its household and its proxy see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantView {
    pub grant_id: String,
    pub card_number: String,
    pub proxy_national_id: String,
    /// `confirming`, `awaiting_payment`, `active`, `declined`, `cancelled`, `revoked`, `given_up`,
    /// `expired`.
    pub status: String,
    /// Programme codes; empty: all.
    pub programmes: Vec<String>,
    /// Item codes; empty: all.
    pub items: Vec<String>,
    pub valid_from: String,
    pub valid_to: String,
    pub reason: String,
    pub reason_text: Option<String>,
    /// In the smallest money unit (fils).
    pub fee: i64,
    pub currency: String,
    pub head_confirmed: bool,
    pub proxy_confirmed: bool,
    pub created_at: String,
    pub ended_at: Option<String>,
}

/// A grant just made: the codes went to these phones (masked as the registry shows them).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GrantStarted {
    pub grant: GrantView,
    pub head_phone: Option<String>,
    pub proxy_phone: Option<String>,
}

pub(crate) fn view(g: &Grant, r: &HouseholdRecord) -> GrantView {
    GrantView {
        grant_id: g.grant_id.clone(),
        card_number: r.household.card_number.to_string(),
        proxy_national_id: g.proxy_national_id.clone(),
        status: g.status.code().to_string(),
        programmes: g.scope.programmes.clone(),
        items: g.scope.items.clone(),
        valid_from: g.valid_from.to_string(),
        valid_to: g.valid_to.to_string(),
        reason: g.reason.code().to_string(),
        reason_text: g.reason_text.clone(),
        fee: g.fee,
        currency: g.currency.clone(),
        head_confirmed: g.head.confirmed_at.is_some(),
        proxy_confirmed: g.proxy.confirmed_at.is_some(),
        created_at: g.created_at.to_string(),
        ended_at: g.ended_at.map(|t| t.to_string()),
    }
}

impl Registry {
    /// The signed-in head's household, whole.
    async fn granting_household(&self, actor: &Actor) -> Result<HouseholdRecord> {
        let hid = actor.citizen_household().ok_or(AppError::Forbidden)?;
        self.store
            .household_by_id(&hid)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The head's national ID: the registry sends the head's code to the phone it holds for it.
    fn head_national_id(r: &HouseholdRecord) -> Result<String> {
        r.members
            .iter()
            .find(|m| m.relation == Relation::Head && m.presence == Presence::Present)
            .and_then(|m| m.national_id.as_ref())
            .map(|n| n.as_str().to_string())
            .ok_or_else(|| AppError::rule("grant_head_without_id"))
    }

    /// Makes a grant and sends both sides their codes (see the module's comment).
    pub async fn grant_proxy(&self, input: &GrantInput, actor: &Actor) -> Result<GrantStarted> {
        let r = self.granting_household(actor).await?;
        let today = self.clock.today();
        let checked = input.check(today, self).await?;
        let head_id = Self::head_national_id(&r)?;
        if r.members.iter().any(|m| {
            m.presence == Presence::Present
                && m.national_id.as_ref().map(|n| n.as_str()) == Some(checked.proxy.as_str())
        }) {
            return Err(AppError::rule("proxy_own_household"));
        }
        if self.all_adults_held(&r, today) {
            return Err(AppError::rule("grant_household_held"));
        }
        // The family's own agents: a grant to the one who runs them could never be used.
        for code in [&r.household.agent_code, &r.household.flour_agent_code]
            .into_iter()
            .flatten()
        {
            if let Some(o) = self.store.outlet(code).await?
                && o.licensee_national_id.as_deref() == Some(checked.proxy.as_str())
            {
                return Err(AppError::rule("proxy_runs_outlet"));
            }
        }
        self.check_proxy_person(&checked.proxy, &checked.birth_date)
            .await?;
        // On a card here: not held, neither as a whole nor as a member.
        let nid = tamwin_domain::NationalId::parse(&checked.proxy)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        let proxy_household = match self.store.household_by_national_id(&nid).await? {
            Some(p) => {
                let member = p
                    .members
                    .iter()
                    .find(|m| m.national_id.as_ref() == Some(&nid));
                let held = p.active_holds().any(|h| {
                    h.member_id.is_none() || h.member_id.as_ref() == member.map(|m| &m.member_id)
                });
                if held {
                    return Err(AppError::rule("proxy_on_hold"));
                }
                Some(p.household.household_id.clone())
            }
            None => None,
        };
        let g = Grant {
            household_id: r.household.household_id.clone(),
            grant_id: self.ids.id(),
            proxy_national_id: checked.proxy.clone(),
            proxy_household_id: proxy_household,
            scope: checked.scope.clone(),
            valid_from: checked.from,
            valid_to: checked.to,
            reason: checked.reason,
            reason_text: checked.reason_text.clone(),
            status: GrantStatus::Confirming,
            fee: self.proxy_fee,
            currency: "IQD".into(),
            created_by: actor.name.clone(),
            created_at: self.clock.now(),
            head: Default::default(),
            proxy: Default::default(),
            paid_at: None,
            payment_id: None,
            ended_at: None,
            ended_by: None,
            end_reason: None,
        };
        let log = self.log(
            "grant.created",
            None,
            None,
            actor,
            serde_json::json!({
                "grant_id": g.grant_id, "proxy_national_id": g.proxy_national_id,
                "programmes": g.scope.programmes, "items": g.scope.items,
                "valid_from": g.valid_from.to_string(), "valid_to": g.valid_to.to_string(),
                "reason": g.reason.code(),
            }),
        );
        match self.store.create_grant(&g, self.proxy_limit, &log).await? {
            Created::Done => {}
            Created::ProxyAtLimit => {
                return Err(AppError::Rule(crate::error::Rule {
                    code: "proxy_at_limit",
                    params: vec![("limit", self.proxy_limit.to_string())],
                }));
            }
            Created::OpenGrantExists => return Err(AppError::rule("grant_exists")),
        }
        let hid = &g.household_id;
        // Codes that could not go out now are sent again on the head's asking (`resend`).
        let mut phones = (None, None);
        if let Ok(sent) = self.send_registry_code(&head_id, "citizen").await {
            self.store
                .set_challenge(hid, &g.grant_id, Side::Head, &sent.challenge_id)
                .await?;
            phones.0 = Some(sent.phone_masked);
        }
        if let Ok(sent) = self.send_registry_code(&g.proxy_national_id, "proxy").await {
            self.store
                .set_challenge(hid, &g.grant_id, Side::Proxy, &sent.challenge_id)
                .await?;
            phones.1 = Some(sent.phone_masked);
        }
        Ok(GrantStarted {
            grant: view(&g, &r),
            head_phone: phones.0,
            proxy_phone: phones.1,
        })
    }

    /// Whether every adult present is held (or the household as a whole): such a household cannot
    /// grant.
    fn all_adults_held(&self, r: &HouseholdRecord, today: jiff::civil::Date) -> bool {
        if r.active_holds().any(|h| h.member_id.is_none()) {
            return true;
        }
        let mut adults = r.members.iter().filter(|m| {
            m.presence == Presence::Present && tamwin_domain::proxy::adult_on(m.birth_date, today)
        });
        adults.all(|m| {
            r.active_holds()
                .any(|h| h.member_id.as_ref() == Some(&m.member_id))
        })
    }

    /// A grant of the signed-in head's household.
    pub(crate) async fn own_grant(
        &self,
        grant_id: &str,
        actor: &Actor,
    ) -> Result<(Grant, HouseholdRecord)> {
        let r = self.granting_household(actor).await?;
        let g = self
            .store
            .grant(grant_id.trim())
            .await?
            .filter(|g| g.household_id == r.household.household_id)
            .ok_or(AppError::NotFound)?;
        Ok((g, r))
    }

    /// The head confirms the grant with the code the registry sent to the head's phone.
    pub async fn confirm_grant(
        &self,
        grant_id: &str,
        code: &str,
        actor: &Actor,
    ) -> Result<GrantView> {
        let (g, r) = self.own_grant(grant_id, actor).await?;
        if g.status != GrantStatus::Confirming || g.head.confirmed_at.is_some() {
            return Err(AppError::rule("grant_not_confirming"));
        }
        let challenge = g
            .head
            .challenge
            .as_deref()
            .ok_or_else(|| AppError::rule("grant_code_not_sent"))?;
        let evidence = self
            .check_registry_code(&Self::head_national_id(&r)?, challenge, code)
            .await?
            .ok_or_else(|| AppError::rule("grant_code_wrong"))?;
        let log = self.log(
            "grant.confirmed",
            None,
            None,
            actor,
            serde_json::json!({ "grant_id": g.grant_id, "side": "head", "evidence": evidence }),
        );
        self.store
            .confirm_grant(
                &g.household_id,
                &g.grant_id,
                Side::Head,
                &evidence,
                self.clock.now(),
                &log,
            )
            .await?
            .ok_or_else(|| AppError::rule("grant_not_confirming"))?;
        self.grant_view(&g.grant_id, &r).await
    }

    /// The head revokes a grant at any moment; the next request at any outlet is refused.
    pub async fn revoke_grant(
        &self,
        grant_id: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<GrantView> {
        let (g, r) = self.own_grant(grant_id, actor).await?;
        let reason = reason.trim();
        if let Some(e) = tamwin_domain::check_free_text("reason", reason, 500) {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e,
            ])));
        }
        let log = self.log(
            "grant.revoked",
            None,
            Some(reason.to_string()).filter(|r| !r.is_empty()),
            actor,
            serde_json::json!({ "grant_id": g.grant_id }),
        );
        let end = GrantEnd {
            household_id: &g.household_id,
            grant_id: &g.grant_id,
            from: &[
                GrantStatus::Confirming,
                GrantStatus::AwaitingPayment,
                GrantStatus::Active,
            ],
            to: GrantStatus::Revoked,
            by: &actor.name,
            reason: Some(reason).filter(|r| !r.is_empty()),
            at: self.clock.now(),
            log: &log,
        };
        if !self.store.end_grant(&end).await? {
            return Err(AppError::rule("grant_ended"));
        }
        self.grant_view(&g.grant_id, &r).await
    }

    /// The signed-in head's grants, newest first (the read audited).
    pub async fn own_grants(&self, actor: &Actor) -> Result<Vec<GrantView>> {
        let r = self.granting_household(actor).await?;
        self.audited_grants(&r, actor).await
    }

    /// A household's grants for staff of its area (reading personal data), newest first, the read
    /// audited before the list leaves.
    pub async fn household_grants(
        &self,
        card: &tamwin_domain::CardNumber,
        actor: &Actor,
    ) -> Result<Vec<GrantView>> {
        actor.require(tamwin_domain::access::Permission::ReadPersonal)?;
        let r = self.card_in_reach(card, actor).await?;
        self.audited_grants(&r, actor).await
    }

    /// A household's grants, newest first, the read audited before they leave.
    async fn audited_grants(&self, r: &HouseholdRecord, actor: &Actor) -> Result<Vec<GrantView>> {
        self.record_reads(
            actor,
            "grants.read",
            &[(&r.household.household_id, &r.household.card_number)],
        )
        .await?;
        Ok(self
            .store
            .household_grants(&r.household.household_id)
            .await?
            .iter()
            .map(|g| view(g, r))
            .collect())
    }

    async fn grant_view(&self, grant_id: &str, r: &HouseholdRecord) -> Result<GrantView> {
        let g = self
            .store
            .grant(grant_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(view(&g, r))
    }

    /// Active grants past their last day end (the job `proxies.expire`); returns how many.
    pub async fn expire_grants(&self) -> Result<u64> {
        let actor = Actor::system(EXPIRE_JOB);
        let log = |g: &Grant| {
            self.log(
                "grant.expired",
                None,
                None,
                &actor,
                serde_json::json!({ "grant_id": g.grant_id, "valid_to": g.valid_to.to_string() }),
            )
        };
        Ok(self
            .store
            .expire_grants(self.clock.today(), self.clock.now(), &log)
            .await?)
    }
}
