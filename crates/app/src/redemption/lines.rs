//! What a collection may take: the household's open entitlement this outlet hands out, each item's
//! line (owed after adjustments, handed out, held by a hold), what is left, and for bread what has
//! accrued by today and what one collection may take. The store re-checks all of it under the line's
//! lock; this is what lets a refusal say how much is left.

use crate::{AppError, Registry, Result};
use serde::{Deserialize, Serialize};
use tamwin_domain::HouseholdRecord;
use tamwin_domain::outlet::{Outlet, OutletKind, bread_collectable};
use tamwin_domain::programme::cycle::categories_of;
use tamwin_domain::programme::{Benefit, CycleMonth, CycleStatus, catalog, owed};
use tamwin_store::{Cycle, LineAfter, NewRedemption, Take};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemTaken {
    pub item: String,
    pub unit: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemLeft {
    pub item: String,
    pub unit: String,
    /// Owed this cycle, after adjustments.
    pub quantity: i64,
    pub handed_out: i64,
    /// Held by a hold: not handed out while it lasts.
    pub held: i64,
    /// What can still be collected this cycle.
    pub left: i64,
    /// Bread: what one collection may take now (accrued by today, at most the days the card's size
    /// allows); an allowance's goods: what the money left buys within the item's caps.
    pub now: Option<i64>,
    /// An allowance's goods: the price of `per` units, in the country's money unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<i64>,
}

/// An allowance's goods line: its price, the other items of its choose-one group, and what one
/// collection may take of it now (`allowance::refresh_limits`).
#[derive(Debug, Clone)]
pub(crate) struct Priced {
    pub price: i64,
    pub per: i64,
    pub siblings: Vec<String>,
    pub limit: i64,
}

/// One item's line as a collection sees it.
#[derive(Debug, Clone)]
pub(crate) struct ItemLine {
    pub item: String,
    /// `g`, `ml`, `loaf`, or the country's money unit.
    pub unit: String,
    /// What the entitlement gives, before adjustments (the line's quantity if nothing wrote it).
    pub base: i64,
    pub quantity: i64,
    pub redeemed: i64,
    pub held: i64,
    /// Bread: loaves per person a day, persons counted, and the day of the month accrued to.
    pub bread: Option<(i64, i64, i64)>,
    pub priced: Option<Priced>,
}

impl ItemLine {
    pub(crate) fn left(&self) -> i64 {
        (self.quantity - self.redeemed - self.held).max(0)
    }
    fn now(&self) -> Option<i64> {
        if let Some(p) = &self.priced {
            return Some(p.limit);
        }
        self.bread.map(|(per_day, persons, day)| {
            bread_collectable(per_day, persons, day, self.redeemed).min(self.left())
        })
    }
    /// The most `redeemed` may reach now: bread what has accrued.
    fn ceiling(&self) -> i64 {
        self.bread.map_or(i64::MAX, |(per_day, persons, day)| {
            per_day.saturating_mul(persons).saturating_mul(day)
        })
    }
    fn collectable(&self) -> i64 {
        self.now().unwrap_or_else(|| self.left())
    }
}

/// The collection to write: the cycle, its lines at this outlet, and the takes.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub cycle: Cycle,
    pub lines: Vec<ItemLine>,
    pub takes: Vec<Take>,
    pub suspended_persons: i64,
}

impl Plan {
    pub fn left_of(&self, item: &str) -> i64 {
        self.lines
            .iter()
            .find(|l| l.item == item)
            .map_or(0, ItemLine::collectable)
    }
    pub fn unit_of(&self, item: &str) -> String {
        self.lines
            .iter()
            .find(|l| l.item == item)
            .map_or_else(|| unit_code(item).to_string(), |l| l.unit.clone())
    }
    /// Whether the take of `item` was a guard on another item of a choose-one group.
    pub fn guards(&self, item: &str) -> bool {
        self.takes.iter().any(|t| t.item == item && t.quantity == 0)
    }
}

/// The code of an item's unit (`g`, `ml`, `loaf`), or `money`.
pub(crate) fn unit_code(item: &str) -> &'static str {
    catalog::unit_of(item).map_or("money", |u| u.code())
}

impl Registry {
    /// The open cycle this outlet hands out for the household (the one named, or the newest), and
    /// its lines; the takes asked, checked against what is left.
    pub(crate) async fn plan_collection(
        &self,
        outlet: &Outlet,
        r: &HouseholdRecord,
        cycle_id: Option<&str>,
        asked: &[(String, i64)],
    ) -> Result<Plan> {
        let hid = &r.household.household_id;
        let mut chosen = None;
        // Why no cycle was chosen, when the outlet may not serve the card in any.
        let mut refused = None;
        for (c, e) in self
            .store
            .household_entitlements(hid, &[CycleStatus::Open])
            .await?
        {
            if cycle_id.is_some_and(|id| id != c.cycle_id) {
                continue;
            }
            let (p, v) = self.cycle_version(&c).await?;
            if let Err(e) = self.serves(outlet, r, v.portability) {
                refused.get_or_insert(e);
                continue;
            }
            // A cycle of which this outlet hands out something to this household (a ration agent
            // nothing of a flour programme, a flour agent only a basket's flour).
            let owes = owed(&v, c.month, e.persons, &categories_of(e.categories))
                .map_err(|_| AppError::Internal("the programme's amounts overflow".into()))?;
            if owes
                .iter()
                .any(|o| outlet.kind.hands_out(&v.benefit, o.item))
            {
                chosen = Some((c, e, v, p));
                break;
            }
        }
        let Some((cycle, e, v, p)) = chosen else {
            return Err(refused.unwrap_or_else(|| AppError::rule("no_open_cycle_here")));
        };
        if e.suspended_whole {
            return Err(AppError::rule("household_on_hold"));
        }
        let categories = categories_of(e.categories);
        let overflow = |_| AppError::Internal("the programme's amounts overflow".into());
        let full = owed(&v, cycle.month, e.persons, &categories).map_err(overflow)?;
        let held = owed(&v, cycle.month, e.suspended_persons, &categories).map_err(overflow)?;
        let stored = self.store.household_lines(hid).await?;
        let today = self.clock.today();
        let money_unit = p.country.money().code();
        let mut lines: Vec<ItemLine> = full
            .iter()
            .filter(|o| outlet.kind.hands_out(&v.benefit, o.item))
            .map(|o| {
                let s = stored
                    .iter()
                    .find(|x| x.cycle_id == cycle.cycle_id && x.item == o.item);
                let quantity = s.map_or(o.amount, |x| x.quantity);
                let h = held
                    .iter()
                    .find(|x| x.item == o.item)
                    .map_or(0, |x| x.amount)
                    .min(quantity);
                let bread = match &v.benefit {
                    Benefit::Bread {
                        loaves_per_person_per_day,
                        ..
                    } => Some((
                        *loaves_per_person_per_day,
                        e.persons,
                        bread_day(cycle.month, today),
                    )),
                    _ => None,
                };
                ItemLine {
                    item: o.item.to_string(),
                    unit: catalog::unit_of(o.item)
                        .map_or(money_unit, |u| u.code())
                        .to_string(),
                    base: o.amount,
                    quantity,
                    redeemed: s.map_or(0, |x| x.redeemed),
                    held: h,
                    bread,
                    priced: None,
                }
            })
            .collect();
        let allowance = match &v.benefit {
            Benefit::Allowance {
                items, choose_one, ..
            } if outlet.kind == OutletKind::CommodityOutlet => {
                lines.extend(super::allowance::goods_lines(
                    items,
                    choose_one,
                    e.persons,
                    &stored,
                    &cycle.cycle_id,
                ));
                super::allowance::refresh_limits(&mut lines);
                Some(super::allowance::takes(&lines, asked)?)
            }
            _ => None,
        };
        let mut takes = vec![];
        for (item, q) in asked {
            let Some(l) = lines.iter().find(|l| l.item == *item) else {
                let code = if full.iter().any(|o| o.item == item) {
                    "item_not_at_outlet"
                } else {
                    "item_not_in_programme"
                };
                return Err(AppError::Rule(crate::error::Rule {
                    code,
                    params: vec![("item", item.clone())],
                }));
            };
            if *q > l.collectable() {
                return Err(AppError::Rule(crate::error::Rule {
                    code: "quantity_over_entitlement",
                    params: vec![
                        ("item", item.clone()),
                        ("left", l.collectable().to_string()),
                        ("unit", l.unit.clone()),
                    ],
                }));
            }
            takes.push(Take {
                item: item.clone(),
                quantity: *q,
                base: l.base,
                held: l.held,
                ceiling: l.ceiling(),
                stock: true,
            });
        }
        Ok(Plan {
            cycle,
            lines,
            takes: allowance.unwrap_or(takes),
            suspended_persons: e.suspended_persons,
        })
    }

    /// The answer to a collection, from the lines as it left them.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn redemption_view(
        &self,
        nr: &NewRedemption,
        outlet: &Outlet,
        plan: &Plan,
        r: &HouseholdRecord,
        collector: (i64, String),
        after: &[LineAfter],
        voided: Option<(&jiff::Timestamp, &str)>,
    ) -> super::RedemptionView {
        let mut lines = plan.lines.clone();
        for l in &mut lines {
            if let Some(a) = after.iter().find(|a| a.item == l.item) {
                l.quantity = a.quantity;
                l.redeemed = a.redeemed;
            }
        }
        if lines.iter().any(|l| l.priced.is_some()) {
            super::allowance::refresh_limits(&mut lines);
        }
        let left = lines
            .iter()
            .map(|l| {
                let now = l.now();
                let priced = l.priced.as_ref();
                ItemLeft {
                    item: l.item.clone(),
                    unit: l.unit.clone(),
                    // A goods line shows what the card could still reach: taken, and what it may take.
                    quantity: match priced {
                        Some(p) => l.redeemed + p.limit,
                        None => l.quantity,
                    },
                    handed_out: l.redeemed,
                    held: l.held,
                    left: now.filter(|_| priced.is_some()).unwrap_or_else(|| l.left()),
                    now,
                    price: priced.map(|p| p.price),
                    per: priced.map(|p| p.per),
                }
            })
            .collect();
        super::RedemptionView {
            redemption_id: nr.redemption_id.clone(),
            transaction_id: nr.device_txn.clone(),
            card_number: r.household.card_number.to_string(),
            cycle_id: plan.cycle.cycle_id.clone(),
            month: plan.cycle.month.to_string(),
            outlet_code: outlet.code.clone(),
            outlet_name: outlet.name_ar.clone(),
            collector_member_no: collector.0,
            collector_name: collector.1,
            proxy_national_id: nr.proxy.as_ref().map(|p| p.national_id.clone()),
            identified_by: nr.identified_by.to_string(),
            at: nr.at.to_string(),
            taken: nr
                .takes
                .iter()
                .filter(|t| t.quantity > 0)
                .map(|t| ItemTaken {
                    item: t.item.clone(),
                    unit: plan.unit_of(&t.item),
                    quantity: t.quantity,
                })
                .collect(),
            left,
            voided_at: voided.map(|(at, _)| at.to_string()),
            void_reason: voided.map(|(_, r)| r.to_string()),
        }
    }

    /// A stored collection as the device sees it, with what is left now.
    pub(crate) async fn stored_view(
        &self,
        r: &HouseholdRecord,
        red: &tamwin_store::Redemption,
    ) -> Result<super::RedemptionView> {
        let outlet = self
            .store
            .outlet(&red.outlet_code)
            .await?
            .ok_or(AppError::NotFound)?;
        // A proxy is not on this card: number 0 and the name their own card gave.
        let collector = match &red.proxy {
            Some((_, _, name)) => (0, name.clone()),
            None => r
                .members
                .iter()
                .find(|m| m.member_id.as_str() == red.collector_member_id)
                .map(|m| (m.member_no, m.full_name()))
                .ok_or_else(|| AppError::Internal("a collection's collector is missing".into()))?,
        };
        let plan = self
            .plan_collection(&outlet, r, Some(&red.cycle_id), &[])
            .await;
        let cycle = self
            .store
            .cycle(&red.cycle_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let plan = plan.unwrap_or(Plan {
            cycle,
            lines: vec![],
            takes: vec![],
            suspended_persons: 0,
        });
        let nr = NewRedemption {
            household_id: red.household_id.clone(),
            redemption_id: red.redemption_id.clone(),
            cycle_id: red.cycle_id.clone(),
            outlet_code: red.outlet_code.clone(),
            device_id: red.device_id.clone(),
            device_txn: red.device_txn.clone(),
            collector_member_id: red.collector_member_id.clone(),
            identified_by: match red.identified_by.as_str() {
                "otp" => "otp",
                "fingerprint" => "fingerprint",
                _ => "qr",
            },
            at: red.at,
            takes: red
                .lines
                .iter()
                .map(|(item, q)| Take {
                    item: item.clone(),
                    quantity: *q,
                    base: 0,
                    held: 0,
                    ceiling: 0,
                    stock: false,
                })
                .collect(),
            suspended_persons: 0,
            stock_guard: false,
            proxy: red
                .proxy
                .as_ref()
                .map(|(g, n, name)| tamwin_store::ProxyCollection {
                    grant_id: g.clone(),
                    national_id: n.clone(),
                    name: name.clone(),
                    today: self.clock.today(),
                }),
        };
        let voided = red
            .voided_at
            .as_ref()
            .map(|at| (at, red.void_reason.as_deref().unwrap_or("")));
        Ok(self.redemption_view(&nr, &outlet, &plan, r, collector, &[], voided))
    }
}

/// The day of the cycle's month bread has accrued to by `today`: none before the month, all of it
/// after.
fn bread_day(month: CycleMonth, today: jiff::civil::Date) -> i64 {
    let this = CycleMonth::of(today);
    if this < month {
        0
    } else if this > month {
        month.days()
    } else {
        i64::from(today.day())
    }
}
