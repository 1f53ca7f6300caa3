//! The dry run's difference from the previous cycle (issue 15 point 3): who enters, who leaves and
//! whose members counted change, each with why, from the registry as it stands now. The store finds the
//! households counted differently (one set-based comparison); the reasons come from each household's
//! record: a closed card, a rule that excludes it (by its code), a member who joined or left the card,
//! a hold placed or lifted. Card numbers are personal data: each household listed is checked against
//! the caller's area and its read audited before the list leaves.

use super::{Cycle, CycleView};
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use std::collections::HashMap;
use tamwin_domain::access::Permission;
use tamwin_domain::programme::eligibility::{HouseholdFacts, excluded_by};
use tamwin_domain::programme::{CycleStatus, ProgrammeVersion};
use tamwin_domain::{CardNumber, HouseholdRecord, Presence};
use tamwin_store::{CountChange, Counting, CycleFilter};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRow {
    pub card_number: String,
    pub district: String,
    /// `enters`, `leaves` or `changes` (other members counted).
    pub change: String,
    pub persons_before: Option<i64>,
    pub persons_after: Option<i64>,
    /// Why, as codes: `new_household`, `no_longer_excluded`, `household_closed`,
    /// `rule:<code>`, `member_joined:<n>`, `member_left:<n>`, `member_held:<n>:<reason>`,
    /// `hold_lifted:<n>`, `member_not_counted:<n>` (n: the member's number on the card).
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CycleChanges {
    pub cycle: CycleView,
    /// The cycle compared with: the latest generated cycle of the programme and governorate before
    /// this month. None: this is the first, and there is nothing to compare.
    pub previous: Option<CycleView>,
    pub enters: usize,
    pub leaves: usize,
    pub changes: usize,
    pub rows: Vec<ChangeRow>,
}

fn facts(d: &tamwin_store::Declarations) -> HouseholdFacts {
    HouseholdFacts {
        head_sector: d.head_sector.clone(),
        head_monthly_income: d.head_monthly_income,
        household_monthly_income: d.household_monthly_income,
        social_welfare: d.social_welfare,
        income_band: d.income_band.clone(),
    }
}

/// Why a member counted before is not counted now (`gone`), or counted now and not before.
fn member_reasons(rec: &HouseholdRecord, nos: &[i64], gone: bool, out: &mut Vec<String>) {
    for no in nos {
        let Some(m) = rec.members.iter().find(|m| m.member_no == *no) else {
            continue;
        };
        let held = rec.active_holds().find(|h| {
            h.member_id.as_ref() == Some(&m.member_id) && h.reason.code() != "no_national_id"
        });
        let lifted = rec
            .holds
            .iter()
            .any(|h| h.member_id.as_ref() == Some(&m.member_id) && h.lifted_at.is_some());
        out.push(match (gone, held) {
            (true, _) if m.presence == Presence::Removed => format!("member_left:{no}"),
            (true, Some(h)) => format!("member_held:{no}:{}", h.reason.code()),
            (true, None) => format!("member_not_counted:{no}"),
            (false, _) if lifted => format!("hold_lifted:{no}"),
            (false, _) => format!("member_joined:{no}"),
        });
    }
}

impl Registry {
    /// The previous generated cycle of the same programme and governorate.
    async fn previous_cycle(&self, c: &Cycle) -> Result<Option<Cycle>> {
        let all = self
            .store
            .cycles(&CycleFilter {
                programme: Some(c.programme.clone()),
                governorate: Some(c.governorate.clone()),
                ..CycleFilter::default()
            })
            .await?;
        Ok(all
            .into_iter()
            .filter(|x| x.month < c.month && x.generated_at.is_some())
            .max_by_key(|x| x.month))
    }

    /// The previous cycle, the version in force, and the households counted differently from it.
    async fn against_previous(
        &self,
        c: &Cycle,
    ) -> Result<Option<(Cycle, ProgrammeVersion, Vec<CountChange>)>> {
        let Some(prev) = self.previous_cycle(c).await? else {
            return Ok(None);
        };
        let p = self.load_programme(&c.programme).await?;
        let v = Self::version_in(&p, c.month)?.clone();
        let counting = Counting {
            month: c.month,
            rules: &v.rules,
        };
        let found = self
            .store
            .dry_run_changes(&c.governorate, counting, &prev.cycle_id)
            .await?;
        Ok(Some((prev, v, found)))
    }

    /// Who a cycle's dry run counts differently from the previous cycle, and why.
    pub async fn cycle_changes(&self, cycle_id: &str, actor: &Actor) -> Result<CycleChanges> {
        actor.require(Permission::ReadPersonal)?;
        let c = self.cycle_seen(cycle_id, actor).await?;
        if c.status == CycleStatus::Closed {
            return Err(AppError::rule("cycle_closed"));
        }
        let Some((prev, v, found)) = self.against_previous(&c).await? else {
            return Ok(CycleChanges {
                cycle: CycleView::of(&c),
                previous: None,
                enters: 0,
                leaves: 0,
                changes: 0,
                rows: vec![],
            });
        };
        let cards: Vec<CardNumber> = found
            .iter()
            .filter_map(|x| CardNumber::parse(&x.card_number).ok())
            .collect();
        let mut records: HashMap<String, HouseholdRecord> = HashMap::new();
        for chunk in cards.chunks(1000) {
            for r in self.store.households_by_cards(chunk).await? {
                records.insert(r.household.card_number.as_str().to_string(), r);
            }
        }
        // Only households the caller may see are listed, and each listed is audited first.
        let seen: Vec<(&CountChange, &HouseholdRecord)> = found
            .iter()
            .filter_map(|x| records.get(&x.card_number).map(|r| (x, r)))
            .filter(|(_, r)| actor.sees(&r.household))
            .collect();
        let reads: Vec<_> = seen
            .iter()
            .map(|(_, r)| (&r.household.household_id, &r.household.card_number))
            .collect();
        self.record_reads(actor, "cycle_changes.listed", &reads)
            .await?;
        let mut rows = vec![];
        for (x, rec) in seen {
            let mut reasons = vec![];
            let change = match (x.persons_before, x.persons_after) {
                (Some(_), None) => {
                    if rec.household.closed_at.is_some() {
                        reasons.push("household_closed".to_string());
                    } else if let Some(d) = self.store.declarations(&x.household_id).await?
                        && let Some(r) = excluded_by(&v.rules, &facts(&d))
                    {
                        reasons.push(format!("rule:{}", r.code));
                    } else {
                        member_reasons(rec, &x.counted_before, true, &mut reasons);
                    }
                    "leaves"
                }
                (None, Some(_)) => {
                    if prev
                        .generated_at
                        .is_some_and(|g| rec.household.created_at > g)
                    {
                        reasons.push("new_household".to_string());
                    } else {
                        reasons.push("no_longer_excluded".to_string());
                    }
                    "enters"
                }
                _ => {
                    let gone: Vec<i64> = x
                        .counted_before
                        .iter()
                        .filter(|n| !x.counted_after.contains(n))
                        .copied()
                        .collect();
                    let new: Vec<i64> = x
                        .counted_after
                        .iter()
                        .filter(|n| !x.counted_before.contains(n))
                        .copied()
                        .collect();
                    member_reasons(rec, &gone, true, &mut reasons);
                    member_reasons(rec, &new, false, &mut reasons);
                    "changes"
                }
            };
            rows.push(ChangeRow {
                card_number: x.card_number.clone(),
                district: x.district.clone(),
                change: change.to_string(),
                persons_before: x.persons_before,
                persons_after: x.persons_after,
                reasons,
            });
        }
        let count = |k: &str| rows.iter().filter(|r| r.change == k).count();
        Ok(CycleChanges {
            cycle: CycleView::of(&c),
            previous: Some(CycleView::of(&prev)),
            enters: count("enters"),
            leaves: count("leaves"),
            changes: count("changes"),
            rows,
        })
    }
}

impl CycleChanges {
    /// The rows as CSV (docs/formats.md, "Cycle changes file").
    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(vec![]);
        let internal = |e: csv::Error| AppError::Internal(e.to_string());
        w.write_record([
            "card_number",
            "district",
            "change",
            "persons_before",
            "persons_after",
            "reasons",
        ])
        .map_err(internal)?;
        let n = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        for r in &self.rows {
            w.write_record([
                r.card_number.as_str(),
                r.district.as_str(),
                r.change.as_str(),
                &n(r.persons_before),
                &n(r.persons_after),
                &r.reasons.join(";"),
            ])
            .map_err(internal)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
    }
}

impl Registry {
    /// How many households would enter, leave and change against the previous cycle: counts only,
    /// for the cycle's page (the list itself is `cycle_changes`). None when there is no previous cycle.
    pub async fn cycle_change_counts(
        &self,
        cycle_id: &str,
        actor: &Actor,
    ) -> Result<Option<(usize, usize, usize)>> {
        actor.require(Permission::ReadAggregates)?;
        let c = self.cycle_seen(cycle_id, actor).await?;
        if c.status == CycleStatus::Closed {
            return Ok(None);
        }
        let Some((_, _, found)) = self.against_previous(&c).await? else {
            return Ok(None);
        };
        let count = |f: fn(&CountChange) -> bool| found.iter().filter(|x| f(x)).count();
        Ok(Some((
            count(|x| x.persons_before.is_none()),
            count(|x| x.persons_after.is_none()),
            count(|x| x.persons_before.is_some() && x.persons_after.is_some()),
        )))
    }
}
