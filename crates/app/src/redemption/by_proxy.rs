//! A collection by a proxy (issue 17 point 4; docs/proxies.md, "At the outlet"): the proxy presents
//! their own ration card (its QR), or — without one — a one-time code the civil registry sent to their
//! phone for this outlet, and names the household they collect for; the grant must be active, in
//! force today, name them and cover what they take, and the outlet must not be one its proxy runs.
//! The store re-checks the grant under its row's lock in the collection's transaction, so a
//! revocation stops the next request at any outlet; the family's receipt goes to its own phone as for
//! every collection.

use super::identify::Identified;
use crate::{Actor, AppError, Registry, Result};
use serde::{Deserialize, Serialize};
use tamwin_domain::outlet::Outlet;
use tamwin_domain::proxy::GrantStatus;
use tamwin_domain::{CardNumber, HouseholdRecord, NationalId, Presence};
use tamwin_store::{Grant, ProxyCode, ProxyCollection};

/// How long a proxy's collection code is kept at the outlet that asked for it (the registry's own
/// code lasts as long).
const PROXY_CODE_MINUTES: i64 = 5;

/// Who collects under a power of attorney: with `card`, the proxy's own card; without, `code`.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProxyPresented {
    pub national_id: String,
    /// The card number of the household collected for.
    pub for_card: String,
    /// The code the civil registry sent to the proxy's phone for this outlet
    /// (`POST /api/v1/outlet/proxy-codes`), when the proxy has no card of their own to show.
    pub code: Option<String>,
}

/// A proxy's code asked for at an outlet: sent to this phone, valid until then.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProxyCodeSent {
    pub phone_masked: String,
    pub expires_at: String,
}

/// The household collected for, the proxy, and the grant.
pub(crate) struct ByProxy {
    pub record: HouseholdRecord,
    /// The proxy's member id on their own card; `grant:<id>` for a proxy on no card.
    pub collector_id: String,
    pub name: String,
    pub grant: Grant,
    pub collection: ProxyCollection,
    /// The code typed, checked only once the collection itself passed every rule (a code is good
    /// once).
    pub code: Option<String>,
}

/// A grant as an outlet sees it: what the proxy may take and until when, nothing of why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutletGrantView {
    pub grant_id: String,
    pub card_number: String,
    pub proxy_national_id: String,
    /// Programme codes; empty: all.
    pub programmes: Vec<String>,
    /// Item codes; empty: all.
    pub items: Vec<String>,
    pub valid_from: String,
    pub valid_to: String,
}

fn proxy_nid(national_id: &str) -> Result<NationalId> {
    NationalId::parse(national_id.trim()).map_err(|e| {
        AppError::Validation(tamwin_domain::ValidationErrors(vec![
            e.under("proxy.national_id"),
        ]))
    })
}

impl Registry {
    /// `grant_for` asked before any collection (a code, the grant's view): the outlet must serve the
    /// family, so that one that does not learns nothing of its grants and spends none of its proxy's
    /// codes. A collection checks it itself when it plans.
    async fn served_grant(
        &self,
        nid: &NationalId,
        for_card: &str,
        outlet: &Outlet,
    ) -> Result<(HouseholdRecord, Grant)> {
        let (record, grant) = self.grant_for(nid, for_card, outlet).await?;
        self.plan_collection(outlet, &record, None, &[]).await?;
        Ok((record, grant))
    }

    /// The family's card and the grant in force today naming this proxy for it, at an outlet its
    /// proxy does not run.
    async fn grant_for(
        &self,
        nid: &NationalId,
        for_card: &str,
        outlet: &Outlet,
    ) -> Result<(HouseholdRecord, Grant)> {
        let card = CardNumber::parse(for_card.trim()).map_err(|e| {
            AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e.under("proxy.for_card"),
            ]))
        })?;
        let record = self
            .store
            .household_by_card(&card)
            .await?
            .ok_or(AppError::NotFound)?;
        let today = self.clock.today();
        let grant = self
            .store
            .household_grants(&record.household.household_id)
            .await?
            .into_iter()
            .find(|g| {
                g.status == GrantStatus::Active
                    && g.proxy_national_id == nid.as_str()
                    && g.valid_from <= today
                    && today <= g.valid_to
            })
            .ok_or_else(|| AppError::rule("proxy_no_grant"))?;
        if outlet.licensee_national_id.as_deref() == Some(nid.as_str()) {
            return Err(AppError::rule("proxy_runs_outlet"));
        }
        Ok((record, grant))
    }

    /// The proxy with their own card: a present member of it, not on hold.
    pub(crate) async fn by_proxy(
        &self,
        own: &Identified,
        p: &ProxyPresented,
        outlet: &Outlet,
    ) -> Result<ByProxy> {
        let nid = proxy_nid(&p.national_id)?;
        if p.code.is_some() {
            return Err(AppError::rule("card_presented_invalid"));
        }
        let proxy = own
            .record
            .members
            .iter()
            .find(|m| m.presence == Presence::Present && m.national_id.as_ref() == Some(&nid))
            .ok_or_else(|| AppError::rule("proxy_not_on_card"))?;
        if own
            .record
            .active_holds()
            .any(|h| h.member_id.is_none() || h.member_id.as_ref() == Some(&proxy.member_id))
        {
            return Err(AppError::rule("proxy_on_hold"));
        }
        let (record, grant) = self.grant_for(&nid, &p.for_card, outlet).await?;
        Ok(self.proxy_collection(
            record,
            grant,
            &nid,
            proxy.member_id.as_str().to_string(),
            proxy.full_name(),
        ))
    }

    /// The proxy without a card: the code the registry sent them for this outlet and this family.
    /// On a card here they must not be on hold there.
    pub(crate) async fn by_proxy_code(
        &self,
        p: &ProxyPresented,
        outlet: &Outlet,
    ) -> Result<ByProxy> {
        let nid = proxy_nid(&p.national_id)?;
        let code = p
            .code
            .as_deref()
            .ok_or_else(|| AppError::rule("card_presented_invalid"))?;
        let (record, grant) = self.grant_for(&nid, &p.for_card, outlet).await?;
        let (collector_id, name) = match self.store.household_by_national_id(&nid).await? {
            Some(own) => {
                let m = own
                    .members
                    .iter()
                    .find(|m| m.national_id.as_ref() == Some(&nid));
                if own.active_holds().any(|h| {
                    h.member_id.is_none() || h.member_id.as_ref() == m.map(|m| &m.member_id)
                }) {
                    return Err(AppError::rule("proxy_on_hold"));
                }
                match m {
                    Some(m) => (m.member_id.as_str().to_string(), m.full_name()),
                    None => (format!("grant:{}", grant.grant_id), masked(&nid)),
                }
            }
            None => (format!("grant:{}", grant.grant_id), masked(&nid)),
        };
        let mut b = self.proxy_collection(record, grant, &nid, collector_id, name);
        b.code = Some(code.to_string());
        Ok(b)
    }

    /// The proxy's code, once the collection passed its rules: the one asked for this family at this
    /// outlet, in time, matching at the registry (which spends it); the check's evidence.
    pub(crate) async fn check_proxy_code(
        &self,
        b: &ByProxy,
        outlet: &Outlet,
        code: &str,
    ) -> Result<String> {
        let nid = &b.collection.national_id;
        let c = self
            .store
            .proxy_code(nid, &b.record.household.household_id, &outlet.code)
            .await?
            .ok_or(AppError::CodeRefused)?;
        if c.grant_id != b.grant.grant_id || c.expires_at <= self.clock.now() {
            return Err(AppError::CodeRefused);
        }
        self.check_registry_code(nid, &c.challenge_id, code)
            .await?
            .ok_or(AppError::CodeRefused)
    }

    fn proxy_collection(
        &self,
        record: HouseholdRecord,
        grant: Grant,
        nid: &NationalId,
        collector_id: String,
        name: String,
    ) -> ByProxy {
        let collection = ProxyCollection {
            grant_id: grant.grant_id.clone(),
            national_id: nid.as_str().to_string(),
            name: name.clone(),
            today: self.clock.today(),
        };
        ByProxy {
            record,
            collector_id,
            name,
            grant,
            collection,
            code: None,
        }
    }

    /// The grant in force naming this proxy for the family, as the outlet's device sees it before a
    /// collection: its scope and validity; the read audited before it leaves.
    pub async fn outlet_proxy_grant(
        &self,
        national_id: &str,
        for_card: &str,
        actor: &Actor,
    ) -> Result<OutletGrantView> {
        let outlet = self.outlet_of_actor(actor).await?;
        let nid = proxy_nid(national_id)?;
        let (record, grant) = self.served_grant(&nid, for_card, &outlet).await?;
        self.record_reads(
            actor,
            "grants.read",
            &[(
                &record.household.household_id,
                &record.household.card_number,
            )],
        )
        .await?;
        Ok(OutletGrantView {
            grant_id: grant.grant_id.clone(),
            card_number: record.household.card_number.to_string(),
            proxy_national_id: grant.proxy_national_id.clone(),
            programmes: grant.scope.programmes.clone(),
            items: grant.scope.items.clone(),
            valid_from: grant.valid_from.to_string(),
            valid_to: grant.valid_to.to_string(),
        })
    }

    /// Asks the civil registry to send a proxy a code for a collection at the device's outlet, once
    /// a grant in force names them for the family; the code is good at this outlet only.
    pub async fn send_proxy_code(
        &self,
        national_id: &str,
        for_card: &str,
        actor: &Actor,
    ) -> Result<ProxyCodeSent> {
        let outlet = self.outlet_of_actor(actor).await?;
        let nid = proxy_nid(national_id)?;
        let (record, grant) = self.served_grant(&nid, for_card, &outlet).await?;
        let sent = self.send_registry_code(nid.as_str(), "collection").await?;
        let now = self.clock.now();
        let c = ProxyCode {
            challenge_id: sent.challenge_id,
            grant_id: grant.grant_id,
            household_id: record.household.household_id.clone(),
            outlet_code: outlet.code.clone(),
            national_id: nid.as_str().to_string(),
            created_at: now,
            expires_at: now
                .checked_add(jiff::SignedDuration::from_mins(PROXY_CODE_MINUTES))
                .map_err(|e| AppError::Internal(e.to_string()))?,
        };
        let log = self.log(
            "proxy_code.sent",
            None,
            None,
            actor,
            serde_json::json!({ "grant_id": c.grant_id, "outlet": c.outlet_code }),
        );
        self.store.add_proxy_code(&c, &log).await?;
        Ok(ProxyCodeSent {
            phone_masked: sent.phone_masked,
            expires_at: sent.expires_at,
        })
    }
}

/// A proxy on no card is named by the end of their national ID.
fn masked(nid: &NationalId) -> String {
    let s = nid.as_str();
    format!("•••{}", &s[s.len().saturating_sub(4)..])
}

/// Whether the grant covers every item a collection takes (an allowance's money goes with its goods).
pub(crate) fn covers(g: &Grant, programme: &str, items: &[tamwin_store::Take]) -> Result<()> {
    for t in items.iter().filter(|t| t.quantity > 0 && t.item != "money") {
        if !g.scope.covers(programme, &t.item) {
            return Err(AppError::Rule(crate::error::Rule {
                code: "proxy_scope_excludes",
                params: vec![("item", t.item.clone())],
            }));
        }
    }
    if !g.scope.programmes.is_empty() && !g.scope.programmes.iter().any(|p| p == programme) {
        return Err(AppError::Rule(crate::error::Rule {
            code: "proxy_scope_excludes",
            params: vec![("item", programme.to_string())],
        }));
    }
    Ok(())
}
