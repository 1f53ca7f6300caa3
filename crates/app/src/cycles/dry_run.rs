//! The dry run (issue 15 point 3): what a cycle's generation would write, before anyone approves it,
//! from the same `SELECT` as generation, totalled by district, by agent and by warehouse, with the
//! quantity of each item the agents must be sent. Households held as a whole are counted apart: their share waits.

use super::{month_of, rule};
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use tamwin_domain::access::Permission;
use tamwin_domain::programme::cycle::categories_of;
use tamwin_domain::programme::{Country, ProgrammeVersion, catalog, owed};
use tamwin_store::{AreaTotal, Counting};

/// An item and how much of it, in its unit (`g`, `ml`, `loaf`, or money in `fils`/`piastre`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemAmount {
    pub item: String,
    pub unit: String,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistrictTotal {
    pub district: String,
    pub households: i64,
    pub persons: i64,
    /// Households held as a whole: counted, their share suspended until the hold is lifted.
    pub suspended_households: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentTonnage {
    /// None: households with no agent assigned yet.
    pub agent: Option<String>,
    pub district: String,
    pub households: i64,
    pub persons: i64,
    pub items: Vec<ItemAmount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRun {
    pub programme: String,
    pub version: i64,
    pub month: String,
    pub governorate: String,
    pub households: i64,
    pub persons: i64,
    pub suspended_households: i64,
    pub districts: Vec<DistrictTotal>,
    pub agents: Vec<AgentTonnage>,
    /// The agents' quantities by the warehouse that supplies them.
    pub warehouses: Vec<super::WarehouseTonnage>,
    /// The governorate's total of each item (suspended households left out).
    pub items: Vec<ItemAmount>,
}

/// Households, persons and items owed, of one agent.
type AgentSum = (i64, i64, BTreeMap<&'static str, i64>);

fn unit_code(item: &str, country: Country) -> &'static str {
    catalog::unit_of(item).unwrap_or(country.money()).code()
}

fn add(into: &mut BTreeMap<&'static str, i64>, item: &'static str, amount: i64) -> Result<()> {
    let e = into.entry(item).or_insert(0);
    *e = e
        .checked_add(amount)
        .ok_or_else(|| AppError::Internal("the programme's amounts overflow".into()))?;
    Ok(())
}

fn amounts(m: &BTreeMap<&'static str, i64>, country: Country) -> Vec<ItemAmount> {
    m.iter()
        .map(|(item, amount)| ItemAmount {
            item: (*item).to_string(),
            unit: unit_code(item, country).to_string(),
            amount: *amount,
        })
        .collect()
}

/// Totals of the store's groups: by district, by agent with the items owed, and for the whole area.
pub(crate) fn totals(
    rows: &[AreaTotal],
    v: &ProgrammeVersion,
    month: tamwin_domain::programme::CycleMonth,
    country: Country,
) -> Result<(Vec<DistrictTotal>, Vec<AgentTonnage>, Vec<ItemAmount>)> {
    let mut districts: BTreeMap<&str, DistrictTotal> = BTreeMap::new();
    let mut agents: BTreeMap<(&str, Option<&str>), AgentSum> = BTreeMap::new();
    let mut all: BTreeMap<&'static str, i64> = BTreeMap::new();
    for r in rows {
        let d = districts
            .entry(&r.district)
            .or_insert_with(|| DistrictTotal {
                district: r.district.clone(),
                households: 0,
                persons: 0,
                suspended_households: 0,
            });
        d.households += r.households;
        d.persons += r.persons;
        if r.suspended {
            d.suspended_households += r.households;
            continue;
        }
        let a = agents.entry((&r.district, r.agent.as_deref())).or_default();
        a.0 += r.households;
        a.1 += r.persons;
        // Owed amounts are per person, so a group's total is the amount for all its persons.
        let lines = owed(v, month, r.persons, &categories_of(r.categories))
            .map_err(|_| AppError::Internal("the programme's amounts overflow".into()))?;
        for l in lines {
            add(&mut a.2, l.item, l.amount)?;
            add(&mut all, l.item, l.amount)?;
        }
    }
    let agents = agents
        .into_iter()
        .map(
            |((district, agent), (households, persons, items))| AgentTonnage {
                agent: agent.map(str::to_string),
                district: district.to_string(),
                households,
                persons,
                items: amounts(&items, country),
            },
        )
        .collect();
    Ok((
        districts.into_values().collect(),
        agents,
        amounts(&all, country),
    ))
}

impl Registry {
    /// What a cycle of `programme` for `month` in `governorate` (or `nation`) would hold if generated now.
    pub async fn dry_run(
        &self,
        programme: &str,
        month: &str,
        governorate: &str,
        actor: &Actor,
    ) -> Result<DryRun> {
        actor.require(Permission::ReadAggregates)?;
        // `nation`: every governorate at once, for the ministry (one pass over the registry).
        let area = match governorate {
            "nation" if actor.area == tamwin_domain::access::Area::Nation => None,
            g if self.geo.governorate(g).is_some() && self.sees_cycles_of(g, actor) => Some(g),
            _ => return Err(AppError::NotFound),
        };
        let month = month_of(month)?;
        let p = self.load_programme(programme).await?;
        let v = Self::version_in(&p, month)?;
        let rows = self
            .store
            .dry_run(
                area,
                Counting {
                    month,
                    rules: &v.rules,
                },
            )
            .await?;
        let (districts, agents, items) = totals(&rows, v, month, p.country)?;
        let supplier = self.store.agent_warehouses().await?.into_iter().collect();
        let warehouses = super::warehouses::by_warehouse(&agents, &supplier);
        Ok(DryRun {
            programme: p.code.clone(),
            version: v.version,
            month: month.to_string(),
            governorate: governorate.to_string(),
            households: districts.iter().map(|d| d.households).sum(),
            persons: districts.iter().map(|d| d.persons).sum(),
            suspended_households: districts.iter().map(|d| d.suspended_households).sum(),
            districts,
            agents,
            warehouses,
            items,
        })
    }

    /// The dry run of a drafted cycle.
    pub async fn dry_run_cycle(&self, cycle_id: &str, actor: &Actor) -> Result<DryRun> {
        actor.require(Permission::ReadAggregates)?;
        let c = self.cycle_seen(cycle_id, actor).await?;
        if c.status == tamwin_domain::programme::CycleStatus::Closed {
            return Err(rule("cycle_closed", vec![]));
        }
        self.dry_run(&c.programme, &c.month.to_string(), &c.governorate, actor)
            .await
    }
}
