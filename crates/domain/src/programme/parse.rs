//! The programme file (docs/formats.md, "Programme files") checked into a `Programme`: every problem is
//! collected with a stable code before anything is stored, and nothing of a bad file is kept.

use super::catalog::{ITEMS, Unit, unit_of};
use super::model::{Benefit, Category, Country, Line, PricedItem, Programme, ProgrammeVersion};
use super::month::CycleMonth;
use crate::error::{FieldError, ValidationErrors};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A number as the file wrote it: only a whole, non-negative integer is a quantity or an amount.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RawNumber {
    Int(i64),
    Float(f64),
    Other(serde::de::IgnoredAny),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLine {
    pub item: String,
    pub quantity: RawNumber,
    pub unit: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPriced {
    pub item: String,
    pub price: RawNumber,
    pub per: RawNumber,
    pub unit: String,
    #[serde(default)]
    pub cap_per_person: Option<RawNumber>,
    #[serde(default)]
    pub cap_per_card: Option<RawNumber>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVersion {
    pub version: RawNumber,
    pub effective_from: String,
    #[serde(default)]
    pub per_person: Vec<RawLine>,
    #[serde(default)]
    pub supplement: Vec<RawLine>,
    #[serde(default)]
    pub supplement_for: Vec<String>,
    #[serde(default)]
    pub loaves_per_person_per_day: Option<RawNumber>,
    #[serde(default)]
    pub unused_loaf_value: Option<RawNumber>,
    #[serde(default)]
    pub money_per_person: Option<RawNumber>,
    #[serde(default)]
    pub items: Vec<RawPriced>,
    #[serde(default)]
    pub choose_one: Vec<Vec<String>>,
    #[serde(default)]
    pub skip: Vec<String>,
    #[serde(default)]
    pub only: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub rules: Vec<super::eligibility::RawRule>,
    /// Where an assigned family may collect: `assigned` (its own agent, the default), `governorate`
    /// (any agent of its governorate), `nation` (any agent).
    #[serde(default)]
    pub portability: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgramme {
    pub code: String,
    pub country: String,
    pub kind: String,
    pub versions: Vec<RawVersion>,
}

/// Checks a whole programme file; every problem is reported, under the path of its field.
pub fn programme(raw: &RawProgramme) -> Result<Programme, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let code_ok = !raw.code.is_empty()
        && raw.code.len() <= 40
        && raw
            .code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !code_ok {
        errs.push(FieldError::new(
            "code",
            "programme_code_invalid",
            "a programme code is 1 to 40 lower-case letters, digits and dashes",
        ));
    }
    let country = Country::parse(&raw.country);
    if country.is_none() {
        errs.push(
            FieldError::new("country", "country_unknown", "the country is IQ or EG")
                .with("value", &raw.country),
        );
    }
    if !["basket", "bread", "allowance"].contains(&raw.kind.as_str()) {
        errs.push(
            FieldError::new(
                "kind",
                "programme_kind_unknown",
                "the kind is basket, bread or allowance",
            )
            .with("value", &raw.kind),
        );
    }
    if raw.versions.is_empty() {
        errs.push(FieldError::new(
            "versions",
            "programme_no_version",
            "a programme needs at least one version",
        ));
    }
    let mut versions = vec![];
    for (i, v) in raw.versions.iter().enumerate() {
        let at = format!("versions[{i}]");
        let mut e = ValidationErrors::default();
        let parsed = version(v, &raw.kind, &mut e);
        errs.0.extend(e.0.into_iter().map(|x| x.under(&at)));
        if let Some(p) = parsed {
            versions.push(p);
        }
    }
    // Versions follow each other: numbers and months both strictly increasing, so no two overlap.
    for (i, w) in versions.windows(2).enumerate() {
        if w[1].version <= w[0].version || w[1].effective_from <= w[0].effective_from {
            errs.push(
                FieldError::new(
                    format!("versions[{}]", i + 1),
                    "programme_versions_overlap",
                    "each version needs a higher number and a later month than the one before",
                )
                .with("month", w[1].effective_from),
            );
        }
    }
    errs.into_result(())?;
    Ok(Programme {
        code: raw.code.clone(),
        country: country.unwrap_or(Country::Iraq),
        versions,
    })
}

fn version(v: &RawVersion, kind: &str, errs: &mut ValidationErrors) -> Option<ProgrammeVersion> {
    let number = whole(&v.version, "version", errs);
    if number == Some(0) {
        errs.push(FieldError::new(
            "version",
            "quantity_zero",
            "this number must be at least 1",
        ));
    }
    let from = month(&v.effective_from, "effective_from", errs);
    let benefit = match kind {
        "basket" => {
            let per_person = lines(&v.per_person, "per_person", errs);
            if v.per_person.is_empty() {
                errs.push(FieldError::new(
                    "per_person",
                    "programme_no_items",
                    "a basket needs at least one item",
                ));
            }
            let supplement = lines(&v.supplement, "supplement", errs);
            let mut supplement_for = vec![];
            for (i, c) in v.supplement_for.iter().enumerate() {
                match Category::parse(c) {
                    Some(c) => supplement_for.push(c),
                    None => errs.push(
                        FieldError::new(
                            format!("supplement_for[{i}]"),
                            "category_unknown",
                            "the category is social_welfare or low_income",
                        )
                        .with("value", c),
                    ),
                }
            }
            if !supplement.is_empty() && supplement_for.is_empty() && v.supplement_for.is_empty() {
                errs.push(FieldError::new(
                    "supplement_for",
                    "supplement_without_category",
                    "say which households the supplement is for",
                ));
            }
            Some(Benefit::Basket {
                per_person,
                supplement,
                supplement_for,
            })
        }
        "bread" => {
            let loaves = required(
                &v.loaves_per_person_per_day,
                "loaves_per_person_per_day",
                errs,
            );
            let value = required(&v.unused_loaf_value, "unused_loaf_value", errs);
            Some(Benefit::Bread {
                loaves_per_person_per_day: loaves?,
                unused_loaf_value: value?,
            })
        }
        "allowance" => {
            let per_person = required(&v.money_per_person, "money_per_person", errs);
            let items = priced(&v.items, errs);
            let mut choose_one = vec![];
            for (g, group) in v.choose_one.iter().enumerate() {
                let mut one = vec![];
                for (i, item) in group.iter().enumerate() {
                    match known(item) {
                        Some(code) if items.iter().any(|p| p.item == code) => one.push(code),
                        _ => errs.push(
                            FieldError::new(
                                format!("choose_one[{g}][{i}]"),
                                "item_unknown",
                                "the item is not one the allowance lists",
                            )
                            .with("value", item),
                        ),
                    }
                }
                choose_one.push(one);
            }
            Some(Benefit::Allowance {
                per_person: per_person?,
                items,
                choose_one,
            })
        }
        _ => None,
    }?;
    // A skipped or partial month belongs to this version: not before it takes effect, not twice.
    let own = |m: CycleMonth, at: &str, seen: &[CycleMonth], errs: &mut ValidationErrors| {
        if from.is_some_and(|f| m < f) {
            errs.push(
                FieldError::new(
                    at,
                    "month_before_version",
                    "the month is before the version takes effect",
                )
                .with("month", m),
            );
        } else if seen.contains(&m) {
            errs.push(
                FieldError::new(at, "month_repeated", "the month is listed twice").with("month", m),
            );
        }
    };
    let mut skip = vec![];
    for (i, m) in v.skip.iter().enumerate() {
        let at = format!("skip[{i}]");
        if let Some(m) = month(m, &at, errs) {
            own(m, &at, &skip, errs);
            skip.push(m);
        }
    }
    let mut only = vec![];
    for (m, items) in &v.only {
        let at = format!("only.{m}");
        let Some(month) = month(m, &at, errs) else {
            continue;
        };
        own(month, &at, &skip, errs);
        let mut codes = vec![];
        for (i, item) in items.iter().enumerate() {
            match known(item) {
                Some(c) => codes.push(c),
                None => errs.push(
                    FieldError::new(
                        format!("{at}[{i}]"),
                        "item_unknown",
                        "the platform does not know this item",
                    )
                    .with("value", item),
                ),
            }
        }
        only.push((month, codes));
    }
    let rules = super::eligibility::rules(&v.rules, errs);
    let portability = match v.portability.as_deref() {
        None => Some(super::model::Portability::Assigned),
        Some(p) => super::model::Portability::parse(p).or_else(|| {
            errs.push(
                FieldError::new(
                    "portability",
                    "portability_unknown",
                    "assigned, governorate or nation",
                )
                .with("value", p),
            );
            None
        }),
    };
    Some(ProgrammeVersion {
        version: number?,
        effective_from: from?,
        benefit,
        skip,
        only,
        rules,
        portability: portability?,
    })
}

fn known(item: &str) -> Option<&'static str> {
    ITEMS.iter().find(|(c, _)| *c == item).map(|(c, _)| *c)
}

/// Goods lines: a known item, in its own unit, a whole number above zero, each item once.
fn lines(raw: &[RawLine], at: &str, errs: &mut ValidationErrors) -> Vec<Line> {
    let mut out: Vec<Line> = vec![];
    for (i, l) in raw.iter().enumerate() {
        let at = format!("{at}[{i}]");
        let item = item_in_unit(&l.item, &l.unit, &at, errs);
        let quantity = positive(&l.quantity, &format!("{at}.quantity"), errs);
        if let (Some(item), Some(quantity)) = (item, quantity) {
            if out.iter().any(|x| x.item == item) {
                errs.push(
                    FieldError::new(at, "item_repeated", "each item is listed once")
                        .with("value", item),
                );
            } else {
                out.push(Line { item, quantity });
            }
        }
    }
    out
}

/// Priced items of an allowance; prices are in the country's money unit (fils or piastres).
fn priced(raw: &[RawPriced], errs: &mut ValidationErrors) -> Vec<PricedItem> {
    let mut out: Vec<PricedItem> = vec![];
    for (i, p) in raw.iter().enumerate() {
        let at = format!("items[{i}]");
        let item = item_in_unit(&p.item, &p.unit, &at, errs);
        let price = positive(&p.price, &format!("{at}.price"), errs);
        let per = positive(&p.per, &format!("{at}.per"), errs);
        let cap_person = p
            .cap_per_person
            .as_ref()
            .map(|c| positive(c, &format!("{at}.cap_per_person"), errs));
        let cap_card = p
            .cap_per_card
            .as_ref()
            .map(|c| positive(c, &format!("{at}.cap_per_card"), errs));
        if let (Some(item), Some(price), Some(per)) = (item, price, per) {
            if out.iter().any(|x| x.item == item) {
                errs.push(
                    FieldError::new(at, "item_repeated", "each item is listed once")
                        .with("value", item),
                );
                continue;
            }
            out.push(PricedItem {
                item,
                price,
                per,
                cap_per_person: cap_person.flatten(),
                cap_per_card: cap_card.flatten(),
            });
        }
    }
    out
}

fn item_in_unit(
    item: &str,
    unit: &str,
    at: &str,
    errs: &mut ValidationErrors,
) -> Option<&'static str> {
    let Some(code) = known(item) else {
        errs.push(
            FieldError::new(
                format!("{at}.item"),
                "item_unknown",
                "the platform does not know this item",
            )
            .with("value", item),
        );
        return None;
    };
    let Some(unit) = Unit::parse(unit) else {
        errs.push(
            FieldError::new(
                format!("{at}.unit"),
                "unit_unknown",
                "the unit is g, ml, loaf, fils or piastre",
            )
            .with("value", unit),
        );
        return None;
    };
    let own = unit_of(code)?;
    if own != unit {
        errs.push(
            FieldError::new(
                format!("{at}.unit"),
                "unit_mismatch",
                "this item is counted in another unit",
            )
            .with("value", unit.code())
            .with("unit", own.code()),
        );
        return None;
    }
    Some(code)
}

fn month(s: &str, at: &str, errs: &mut ValidationErrors) -> Option<CycleMonth> {
    CycleMonth::parse(s)
        .map_err(|e| {
            errs.push(FieldError {
                field: at.to_string(),
                ..e
            })
        })
        .ok()
}

fn required(n: &Option<RawNumber>, at: &str, errs: &mut ValidationErrors) -> Option<i64> {
    match n {
        Some(n) => positive(n, at, errs),
        None => {
            errs.push(FieldError::new(
                at,
                "quantity_missing",
                "this number is required",
            ));
            None
        }
    }
}

fn positive(n: &RawNumber, at: &str, errs: &mut ValidationErrors) -> Option<i64> {
    let v = whole(n, at, errs)?;
    if v == 0 {
        errs.push(FieldError::new(
            at,
            "quantity_zero",
            "this number must be at least 1",
        ));
        return None;
    }
    Some(v)
}

/// A whole, non-negative number; a fraction, a float written `3.0`, text or a negative is refused.
fn whole(n: &RawNumber, at: &str, errs: &mut ValidationErrors) -> Option<i64> {
    match n {
        RawNumber::Int(v) if *v >= 0 => Some(*v),
        RawNumber::Int(_) => {
            errs.push(FieldError::new(
                at,
                "quantity_negative",
                "a quantity cannot be negative",
            ));
            None
        }
        RawNumber::Float(_) | RawNumber::Other(_) => {
            errs.push(FieldError::new(
                at,
                "quantity_not_integer",
                "quantities are whole numbers of the smallest unit (grams, millilitres, loaves, fils, piastres)",
            ));
            None
        }
    }
}
