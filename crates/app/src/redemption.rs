//! Redemption at outlets (issue 16 point 3; docs/outlets.md): an outlet's device identifies the card,
//! names who collects and what, and the collection is written with its audit entry and the family's
//! receipt in one transaction that the database refuses beyond the entitlement. Each request carries
//! the device's transaction id and is idempotent on it; the device may void its own collection within
//! a set time, with a reason.

mod allowance;
mod by_proxy;
mod history;
mod identify;
mod lines;
mod look_up;
mod receipt;

pub use by_proxy::{OutletGrantView, ProxyCodeSent, ProxyPresented};
pub use history::{CitizenDistribution, CollectionView};
pub use identify::{CARD_QR_YEARS, CardPresented};
use lines::unit_code;
pub(crate) use lines::unit_code as unit_of;
pub use lines::{ItemLeft, ItemTaken};
pub use look_up::{Collector, OutletCardView};

use crate::idempotency::{IdemRequest, Outcome};
use crate::{Actor, AppError, Registry, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tamwin_domain::access::Permission;
use tamwin_domain::outlet::{Licence, Outlet, parse_quantity};
use tamwin_domain::programme::catalog;
use tamwin_domain::{CardNumber, HouseholdRecord, Member};
use tamwin_store::{Conflict, NewRedemption, Redeemed, StoreError, Void, Voided};

/// Minutes within which a device may void its own collection, unless configured otherwise.
pub const VOID_MINUTES: i64 = 15;

/// A collection as a device sends it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RedeemRequest {
    /// The device's own id for this collection (1 to 64 letters, digits, `-`, `_`): a retry with the
    /// same id never collects twice.
    pub transaction_id: String,
    /// The card presented; absent only for a proxy collecting with a code (`proxy.code`).
    #[serde(default)]
    pub card: Option<CardPresented>,
    /// The member who collects (their member number on the card); a fingerprint names them itself.
    pub collector_member_no: Option<i64>,
    /// The cycle; by default the newest open one this outlet hands out.
    pub cycle_id: Option<String>,
    /// Item code to quantity, in the item's unit (grams, millilitres, loaves): whole and above zero.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub items: BTreeMap<String, serde_json::Value>,
    /// A proxy collecting under a power of attorney: `card` is then the proxy's own card and the
    /// collector the member it names, or no card and the proxy's code.
    #[serde(default)]
    pub proxy: Option<ProxyPresented>,
}

/// A recorded collection, as the device and the family see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedemptionView {
    pub redemption_id: String,
    pub transaction_id: String,
    pub card_number: String,
    pub cycle_id: String,
    pub month: String,
    pub outlet_code: String,
    pub outlet_name: String,
    /// The collector's number on the card; 0 for a proxy, who is not on it.
    pub collector_member_no: i64,
    pub collector_name: String,
    /// A proxy's national ID, when a proxy collected.
    pub proxy_national_id: Option<String>,
    /// `qr`, `otp`, `fingerprint`.
    pub identified_by: String,
    pub at: String,
    pub taken: Vec<ItemTaken>,
    /// What is left this cycle of each item of the programme this outlet hands out.
    pub left: Vec<ItemLeft>,
    pub voided_at: Option<String>,
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    pub transaction_id: String,
    pub reason: String,
}

/// Items and their quantities as a device or a form sends them (`money` only where an allowance is
/// spent): each known, each a whole number above zero, at least one; what is wrong goes to `errs`.
pub(crate) fn parse_items(
    items: &BTreeMap<String, serde_json::Value>,
    money: bool,
    errs: &mut tamwin_domain::ValidationErrors,
) -> Vec<(String, i64)> {
    let mut out = vec![];
    for (item, q) in items {
        if catalog::unit_of(item).is_none() && !(money && item == "money") {
            errs.push(
                tamwin_domain::FieldError::new(
                    format!("items.{item}"),
                    "item_unknown",
                    "an item the platform does not know",
                )
                .with("value", item),
            );
            continue;
        }
        match parse_quantity(item, q.as_i64().filter(|_| q.is_i64() || q.is_u64())) {
            Ok(n) => out.push((item.clone(), n)),
            Err(e) => errs.push(e),
        }
    }
    if items.is_empty() {
        errs.push(tamwin_domain::FieldError::new(
            "items",
            "items_missing",
            "name at least one item and its quantity",
        ));
    }
    out
}

fn txn_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn invalid(field: &str, code: &'static str, en: &str) -> AppError {
    AppError::Validation(tamwin_domain::ValidationErrors(vec![
        tamwin_domain::FieldError::new(field, code, en),
    ]))
}

impl Registry {
    /// The outlet the actor acts for: it must exist and be licensed now.
    pub(crate) async fn outlet_of_actor(&self, actor: &Actor) -> Result<Outlet> {
        actor.require(Permission::Redeem)?;
        let code = actor.outlet.as_deref().ok_or(AppError::Forbidden)?;
        let o =
            self.store.outlet(code).await?.ok_or_else(|| {
                AppError::Internal(format!("outlet {code} of an actor is missing"))
            })?;
        if o.licence != Licence::Active {
            return Err(AppError::rule("outlet_not_active"));
        }
        Ok(o)
    }

    /// Whether this outlet may serve this card under a programme version: a bakery or commodity
    /// outlet any card of its governorate; an agent its own households, and others as far as the
    /// programme's portability reaches (any agent of the governorate, or of the country). `Err` says
    /// why not.
    pub(crate) fn serves(
        &self,
        o: &Outlet,
        r: &HouseholdRecord,
        portability: tamwin_domain::programme::Portability,
    ) -> Result<()> {
        use tamwin_domain::outlet::OutletKind::*;
        use tamwin_domain::programme::Portability;
        let h = &r.household;
        let same_governorate = self
            .geo
            .district(&o.district_code)
            .map(|d| d.governorate_code.as_str())
            == Some(h.governorate.as_str());
        let own = match o.kind {
            RationAgent => h.agent_code.as_deref() == Some(o.code.as_str()),
            FlourAgent => h.flour_agent_code.as_deref() == Some(o.code.as_str()),
            Bakery | CommodityOutlet => same_governorate,
        };
        match (own, portability, same_governorate) {
            (true, _, _) | (false, Portability::Nation, _) if o.kind.assigned() => Ok(()),
            (true, _, _) => Ok(()),
            (false, Portability::Governorate, true) if o.kind.assigned() => Ok(()),
            (_, _, false) => Err(AppError::rule("card_other_governorate")),
            _ => Err(AppError::rule("card_not_served_here")),
        }
    }

    /// Records a collection (see the module's comment). `request_hash` is the request's digest, so
    /// that a transaction id reused for another request is refused.
    pub async fn redeem(
        &self,
        req: &RedeemRequest,
        request_hash: &str,
        actor: &Actor,
    ) -> Result<Outcome> {
        let outlet = self.outlet_of_actor(actor).await?;
        if !txn_ok(&req.transaction_id) {
            return Err(invalid(
                "transaction_id",
                "transaction_id_invalid",
                "1 to 64 letters, digits, - and _",
            ));
        }
        let mut errs = tamwin_domain::ValidationErrors::default();
        let asked = parse_items(&req.items, true, &mut errs);
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        let idem = IdemRequest {
            key: format!("redeem|{}|{}", actor.key(), req.transaction_id),
            request_hash: request_hash.to_string(),
        };
        if let Some(o) = self.replay(Some(&idem)).await? {
            return Ok(o);
        }
        let device = actor.key();
        let (found, by_proxy) = match (&req.card, &req.proxy) {
            (Some(card), p) => {
                let found = self.identify(card, &outlet.code).await?;
                let by_proxy = match p {
                    Some(p) => Some(self.by_proxy(&found, p, &outlet).await?),
                    None => None,
                };
                (Some(found), by_proxy)
            }
            (None, Some(p)) => (None, Some(self.by_proxy_code(p, &outlet).await?)),
            (None, None) => return Err(AppError::rule("card_presented_invalid")),
        };
        let (r, identified_by) = match (&by_proxy, &found) {
            (Some(b), f) => (&b.record, f.as_ref().map_or("otp", |f| f.by)),
            (None, Some(f)) => (&f.record, f.by),
            (None, None) => return Err(AppError::rule("card_presented_invalid")),
        };
        if !matches!(
            r.household.state,
            tamwin_domain::CardState::Active | tamwin_domain::CardState::Temporary
        ) {
            return Err(AppError::rule("household_on_hold"));
        }
        let (collector_id, shown) = match (&by_proxy, &found) {
            (Some(b), _) => (b.collector_id.clone(), (0, b.name.clone())),
            (None, f) => {
                let fp = f.as_ref().and_then(|f| f.member.as_ref());
                let m = self.collector(r, fp, req.collector_member_no)?;
                (
                    m.member_id.as_str().to_string(),
                    (m.member_no, m.full_name()),
                )
            }
        };
        // A proxy's code, checked once the collection passed its rules (the registry spends it).
        let mut code_evidence: Option<String> = None;
        for attempt in 0..3 {
            let plan = self
                .plan_collection(&outlet, r, req.cycle_id.as_deref(), &asked)
                .await?;
            if let Some(b) = &by_proxy {
                by_proxy::covers(&b.grant, &plan.cycle.programme, &plan.takes)?;
                if let (Some(code), None) = (&b.code, &code_evidence) {
                    code_evidence = Some(self.check_proxy_code(b, &outlet, code).await?);
                }
            }
            let nr = NewRedemption {
                household_id: r.household.household_id.clone(),
                redemption_id: self.ids.id(),
                cycle_id: plan.cycle.cycle_id.clone(),
                outlet_code: outlet.code.clone(),
                device_id: device.clone(),
                device_txn: req.transaction_id.clone(),
                collector_member_id: collector_id.clone(),
                identified_by,
                at: self.clock.now(),
                takes: plan.takes.clone(),
                suspended_persons: plan.suspended_persons,
                stock_guard: self.refuse_beyond_stock,
                proxy: by_proxy.as_ref().map(|b| b.collection.clone()),
            };
            let log = self.log(
                "redemption.recorded",
                Some(collector_id.clone()),
                None,
                actor,
                serde_json::json!({
                    "redemption_id": nr.redemption_id,
                    "outlet": outlet.code,
                    "cycle_id": nr.cycle_id,
                    "transaction_id": nr.device_txn,
                    "identified_by": identified_by,
                    "proxy_code_evidence": code_evidence,
                    "items": asked.iter().map(|(i, q)| serde_json::json!({ "item": i, "quantity": q })).collect::<Vec<_>>(),
                }),
            );
            let finish = |after: &[tamwin_store::LineAfter]| {
                let view = self.redemption_view(&nr, &outlet, &plan, r, shown.clone(), after, None);
                let body = serde_json::to_string(&view).unwrap_or_default();
                let receipt = self.receipt(r, &view);
                let entry = tamwin_store::IdemEntry {
                    key: idem.key.clone(),
                    request_hash: idem.request_hash.clone(),
                    status: 201,
                    body,
                    created_at: nr.at,
                };
                (entry, receipt)
            };
            match self.store.redeem(&nr, &log, &finish).await {
                Ok(Redeemed::Done(after)) => {
                    let view =
                        self.redemption_view(&nr, &outlet, &plan, r, shown.clone(), &after, None);
                    return Ok(Outcome {
                        status: 201,
                        body: serde_json::to_string(&view)
                            .map_err(|e| AppError::Internal(e.to_string()))?,
                        replayed: false,
                    });
                }
                Ok(Redeemed::Exceeds(item)) if plan.guards(&item) => {
                    return Err(AppError::Rule(crate::error::Rule {
                        code: "choose_one_taken",
                        params: vec![("item", item)],
                    }));
                }
                Ok(Redeemed::Exceeds(item)) => {
                    let left = plan.left_of(&item);
                    return Err(AppError::Rule(crate::error::Rule {
                        code: "quantity_over_entitlement",
                        params: vec![
                            ("unit", plan.unit_of(&item)),
                            ("item", item),
                            ("left", left.to_string()),
                        ],
                    }));
                }
                Ok(Redeemed::OutOfStock(item)) => {
                    return Err(AppError::Rule(crate::error::Rule {
                        code: "outlet_out_of_stock",
                        params: vec![("item", item)],
                    }));
                }
                Ok(Redeemed::NotOpen) => return Err(AppError::rule("no_open_cycle_here")),
                Ok(Redeemed::ProxyEnded) => return Err(AppError::rule("proxy_grant_ended")),
                Ok(Redeemed::Stale) if attempt < 2 => continue,
                Ok(Redeemed::Stale) => return Err(AppError::Busy),
                Err(StoreError::Conflict(
                    Conflict::DeviceTxnTaken | Conflict::IdempotencyKeyTaken,
                    _,
                )) => {
                    return self
                        .replay(Some(&idem))
                        .await?
                        .ok_or(AppError::IdempotencyKeyReused);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Busy)
    }

    /// Who collects: the member a fingerprint named, or the member number given; present and not
    /// held.
    fn collector<'a>(
        &self,
        r: &'a HouseholdRecord,
        by_fingerprint: Option<&tamwin_domain::MemberId>,
        member_no: Option<i64>,
    ) -> Result<&'a Member> {
        let m = match (by_fingerprint, member_no) {
            (Some(id), None) => r.members.iter().find(|m| m.member_id == *id),
            (Some(id), Some(no)) => r
                .members
                .iter()
                .find(|m| m.member_id == *id && m.member_no == no),
            (None, Some(no)) => r.members.iter().find(|m| m.member_no == no),
            (None, None) => {
                return Err(invalid(
                    "collector_member_no",
                    "collector_missing",
                    "name the member who collects",
                ));
            }
        }
        .filter(|m| m.presence == tamwin_domain::Presence::Present)
        .ok_or(AppError::rule("collector_not_member"))?;
        let held = r
            .active_holds()
            .any(|h| h.member_id.as_ref() == Some(&m.member_id));
        if held {
            return Err(AppError::rule("collector_on_hold"));
        }
        Ok(m)
    }

    /// Voids the device's own collection within the void window, putting its quantities back.
    pub async fn void_redemption(
        &self,
        req: &VoidRequest,
        actor: &Actor,
    ) -> Result<RedemptionView> {
        let outlet = self.outlet_of_actor(actor).await?;
        let reason = req.reason.trim();
        if reason.is_empty() || tamwin_domain::check_free_text("reason", reason, 500).is_some() {
            return Err(AppError::rule("reason_missing"));
        }
        let device = actor.key();
        let red = self
            .store
            .redemption_by_txn(&device, req.transaction_id.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        if red.voided_at.is_some() {
            return Err(AppError::rule("redemption_voided_already"));
        }
        let now = self.clock.now();
        let not_before = now
            .checked_sub(jiff::SignedDuration::from_mins(self.void_minutes))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if red.at < not_before {
            return Err(AppError::Rule(crate::error::Rule {
                code: "void_too_late",
                params: vec![("minutes", self.void_minutes.to_string())],
            }));
        }
        let r = self
            .store
            .household_by_id(&red.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let log = self.log(
            "redemption.voided",
            Some(red.collector_member_id.clone()),
            Some(reason.to_string()),
            actor,
            serde_json::json!({ "redemption_id": red.redemption_id, "transaction_id": red.device_txn }),
        );
        let message = self.void_message(&r, &outlet, &red);
        let v = Void {
            household_id: &red.household_id,
            redemption_id: &red.redemption_id,
            device_id: &device,
            not_before,
            reason,
            at: now,
        };
        match self
            .store
            .void_redemption(&v, &log, message.as_ref())
            .await?
        {
            Voided::Done(_) => {}
            Voided::Refused => return Err(AppError::rule("void_refused")),
        }
        let red = self
            .store
            .redemption(&red.household_id, &red.redemption_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.stored_view(&r, &red).await
    }

    /// An outlet's collections on a day (its local date), oldest first: the day's list.
    pub async fn outlet_day(
        &self,
        day: jiff::civil::Date,
        actor: &Actor,
    ) -> Result<Vec<RedemptionView>> {
        let outlet = self.outlet_of_actor(actor).await?;
        let (start, end) = crate::clock::iraq_day(day)
            .ok_or_else(|| AppError::Internal(format!("the day {day} has no end")))?;
        let rows = self
            .store
            .outlet_redemptions(&outlet.code, start, end)
            .await?;
        let mut out = vec![];
        for red in rows {
            let r = self
                .store
                .household_by_id(&red.household_id)
                .await?
                .ok_or(AppError::NotFound)?;
            self.record_reads(
                actor,
                "redemptions.read",
                &[(&r.household.household_id, &r.household.card_number)],
            )
            .await?;
            out.push(self.stored_view(&r, &red).await?);
        }
        Ok(out)
    }

    /// Issues a new ration-card QR for a household of the staff member's area (a card lost): the one
    /// before stops working at once.
    pub async fn reissue_card_qr(&self, card: &CardNumber, actor: &Actor) -> Result<String> {
        actor.require(Permission::EditMembers)?;
        let r = self.card_in_reach(card, actor).await?;
        self.issue_card_qr(&r, actor).await
    }

    /// The citizen's own ration-card QR: issued the first time, and again when they report the card
    /// lost (`renew`).
    pub async fn own_card_qr(&self, renew: bool, actor: &Actor) -> Result<String> {
        let hid = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let r = self
            .store
            .household_by_id(&hid)
            .await?
            .ok_or(AppError::NotFound)?;
        if !renew && let Some(t) = self.store.valid_card_token(&hid).await? {
            return self.card_qr_text(&r, &t);
        }
        self.issue_card_qr(&r, actor).await
    }
}
