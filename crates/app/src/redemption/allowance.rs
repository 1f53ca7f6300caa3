//! Egypt's commodity allowance at a grocer (issue 16; docs/outlets.md, "The commodity allowance"): the
//! card holds money a month, and a collection names goods; their prices draw the money down, each
//! item stays within its caps (a person's share, the card's most), and of a choose-one group the card
//! takes one item a month. All of it is written as lines that the store's guarded takes re-check under
//! the lock of the money line, which every collection of the card takes first.

use super::lines::{ItemLine, Priced};
use crate::error::Rule;
use crate::{AppError, Result};
use tamwin_domain::programme::{PricedItem, entitle};
use tamwin_store::{EntitlementLine, Take};

/// A goods line without a cap: only the money bounds it.
const UNCAPPED: i64 = i64::MAX / 4;

/// The line of each priced item, as the card stands in this cycle.
pub(crate) fn goods_lines(
    items: &[PricedItem],
    choose_one: &[Vec<&'static str>],
    persons: i64,
    stored: &[EntitlementLine],
    cycle_id: &str,
) -> Vec<ItemLine> {
    items
        .iter()
        .map(|p| {
            let s = stored
                .iter()
                .find(|x| x.cycle_id == cycle_id && x.item == p.item);
            let base = entitle::cap(p, persons).unwrap_or(UNCAPPED);
            let siblings = choose_one
                .iter()
                .filter(|g| g.contains(&p.item))
                .flat_map(|g| g.iter().filter(|i| **i != p.item))
                .map(|i| i.to_string())
                .collect();
            ItemLine {
                item: p.item.to_string(),
                unit: super::unit_code(p.item).to_string(),
                base,
                quantity: s.map_or(base, |x| x.quantity),
                redeemed: s.map_or(0, |x| x.redeemed),
                held: 0,
                bread: None,
                priced: Some(Priced {
                    price: p.price,
                    per: p.per,
                    siblings,
                    limit: 0,
                }),
            }
        })
        .collect()
}

/// The cost of `q` units of an item priced `price` per `per` units, rounded up: a card never gets
/// goods its money does not cover.
fn cost(price: i64, per: i64, q: i64) -> Option<i64> {
    let c = (i128::from(q) * i128::from(price) + i128::from(per) - 1) / i128::from(per);
    i64::try_from(c).ok()
}

/// Each priced line's limit now: what is left under its cap, no more than the money left buys, and
/// nothing once another item of its group was taken.
pub(crate) fn refresh_limits(lines: &mut [ItemLine]) {
    let money = lines
        .iter()
        .find(|l| l.item == "money")
        .map_or(0, ItemLine::left);
    let taken: Vec<String> = lines
        .iter()
        .filter(|l| l.priced.is_some() && l.redeemed > 0)
        .map(|l| l.item.clone())
        .collect();
    for l in lines.iter_mut() {
        let cap_left = (l.quantity - l.redeemed).max(0);
        if let Some(p) = l.priced.as_mut() {
            let buys = i128::from(money) * i128::from(p.per) / i128::from(p.price);
            p.limit = if p.siblings.iter().any(|s| taken.contains(s)) {
                0
            } else {
                i64::try_from(buys).unwrap_or(i64::MAX).min(cap_left)
            };
        }
    }
}

/// The takes of a collection of goods: the money their prices cost first (its line's lock orders
/// every collection of the card), then each item, then a guard on each other item of a group asked
/// from. Refusals name what is wrong: money asked directly, two items of one group, an item of a
/// group already chosen, more than the money left.
pub(crate) fn takes(lines: &[ItemLine], asked: &[(String, i64)]) -> Result<Vec<Take>> {
    let line = |item: &str| lines.iter().find(|l| l.item == item);
    let money = line("money").ok_or_else(|| AppError::rule("no_open_cycle_here"))?;
    let mut total: i64 = 0;
    let mut goods = vec![];
    let mut guards: Vec<&str> = vec![];
    for (item, q) in asked {
        if item == "money" {
            return Err(AppError::rule("allowance_names_goods"));
        }
        let Some(l) = line(item) else { continue };
        let Some(p) = &l.priced else { continue };
        if let Some(s) = p
            .siblings
            .iter()
            .find(|s| asked.iter().any(|(a, _)| a == *s))
        {
            return Err(AppError::Rule(Rule {
                code: "choose_one_of_group",
                params: vec![("item", item.clone()), ("other", s.clone())],
            }));
        }
        if p.limit == 0
            && let Some(s) = p
                .siblings
                .iter()
                .find(|s| line(s).is_some_and(|x| x.redeemed > 0))
        {
            return Err(AppError::Rule(Rule {
                code: "choose_one_taken",
                params: vec![("item", s.clone())],
            }));
        }
        total = cost(p.price, p.per, *q)
            .and_then(|c| total.checked_add(c))
            .ok_or_else(|| AppError::rule("allowance_exceeded"))?;
        guards.extend(p.siblings.iter().map(String::as_str));
        goods.push(Take {
            item: item.clone(),
            quantity: *q,
            base: l.base,
            held: 0,
            ceiling: i64::MAX,
            stock: true,
        });
    }
    if total > money.left() {
        return Err(AppError::Rule(Rule {
            code: "allowance_exceeded",
            params: vec![
                ("cost", total.to_string()),
                ("left", money.left().to_string()),
                ("unit", money.unit.clone()),
            ],
        }));
    }
    for g in guards {
        if let Some(l) = line(g).filter(|_| !goods.iter().any(|t| t.item == g)) {
            goods.push(Take {
                item: g.to_string(),
                quantity: 0,
                base: l.base,
                held: 0,
                ceiling: 0,
                stock: false,
            });
        }
    }
    goods.sort_by(|a, b| a.item.cmp(&b.item));
    goods.dedup_by(|a, b| a.item == b.item);
    let mut out = vec![Take {
        item: "money".into(),
        quantity: total,
        base: money.base,
        held: money.held,
        ceiling: i64::MAX,
        stock: false,
    }];
    out.extend(goods);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::cost;

    #[test]
    fn a_cost_rounds_up_to_the_smallest_money_unit() {
        assert_eq!(cost(1250, 1000, 2000), Some(2500));
        assert_eq!(cost(1250, 1000, 1), Some(2));
        assert_eq!(cost(900, 500, 500), Some(900));
        assert_eq!(
            cost(i64::MAX, 1, 2),
            None,
            "overflow is refused, not wrapped"
        );
    }
}
