//! A collection by a proxy (issue 17 point 4; docs/proxies.md, "At the outlet"): the proxy presents
//! their own ration card (its QR) and names the household they collect for; the grant must be active,
//! in force today, name them and cover what they take. The store re-checks the grant under its row's
//! lock in the collection's transaction, so a revocation stops the next request at any outlet; the
//! family's receipt goes to its own phone as for every collection.

use super::identify::Identified;
use crate::{AppError, Registry, Result};
use serde::Deserialize;
use tamwin_domain::proxy::GrantStatus;
use tamwin_domain::{CardNumber, HouseholdRecord, Member, NationalId, Presence};
use tamwin_store::{Grant, ProxyCollection};

/// Who collects under a power of attorney: `card` is then the proxy's own card.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProxyPresented {
    pub national_id: String,
    /// The card number of the household collected for.
    pub for_card: String,
}

/// The household collected for, the proxy as on their own card, and the grant.
pub(crate) struct ByProxy {
    pub record: HouseholdRecord,
    pub proxy: Member,
    pub grant: Grant,
    pub collection: ProxyCollection,
}

impl Registry {
    pub(crate) async fn by_proxy(&self, own: &Identified, p: &ProxyPresented) -> Result<ByProxy> {
        let nid = NationalId::parse(p.national_id.trim()).map_err(|e| {
            AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e.under("proxy.national_id"),
            ]))
        })?;
        let proxy = own
            .record
            .members
            .iter()
            .find(|m| m.presence == Presence::Present && m.national_id.as_ref() == Some(&nid))
            .cloned()
            .ok_or_else(|| AppError::rule("proxy_not_on_card"))?;
        if own
            .record
            .active_holds()
            .any(|h| h.member_id.is_none() || h.member_id.as_ref() == Some(&proxy.member_id))
        {
            return Err(AppError::rule("proxy_on_hold"));
        }
        let card = CardNumber::parse(p.for_card.trim()).map_err(|e| {
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
        let collection = ProxyCollection {
            grant_id: grant.grant_id.clone(),
            national_id: nid.as_str().to_string(),
            name: proxy.full_name(),
            today,
        };
        Ok(ByProxy {
            record,
            proxy,
            grant,
            collection,
        })
    }
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
