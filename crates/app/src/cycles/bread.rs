//! The month-end conversion of unused bread (issue 16 point 4; docs/outlets.md, "Bread"): Egypt's unused
//! bread points become commodity credit. When a bakery programme's cycle closes, each family's unused
//! loaves, times the value its programme version gives a loaf, are added to its money in the allowance
//! cycle of the next month of the same governorate, once that cycle is generated; until then the
//! conversion waits, and the job tries again.

use crate::{Actor, AppError, Registry, Result};
use tamwin_domain::programme::{Benefit, CycleStatus, owed};
use tamwin_store::{Conversion, Converted, Cycle, CycleFilter};

/// The job that converts closed bread cycles.
pub const BREAD_JOB: &str = "cycles.bread_conversion";

impl Registry {
    /// Converts every closed bread cycle whose target cycle is ready; returns the households credited.
    pub async fn convert_closed_bread(&self) -> Result<u64> {
        let bread: Vec<String> = self
            .store
            .programmes()
            .await?
            .into_iter()
            .filter(|p| p.kind == "bread")
            .map(|p| p.code)
            .collect();
        let mut credited = 0;
        for id in self.store.cycles_to_convert(&bread).await? {
            if let Some(done) = self.convert_bread_cycle(&id).await? {
                credited += u64::try_from(done.households).unwrap_or(0);
            }
        }
        Ok(credited)
    }

    /// The allowance cycle of the month after `c`'s, in its governorate and country, that can take
    /// credit now: open, or approved and generated.
    async fn conversion_target(&self, c: &Cycle, country: &str) -> Result<Option<Cycle>> {
        for p in self.store.programmes().await? {
            if p.kind != "allowance" || p.country != country {
                continue;
            }
            let f = CycleFilter {
                programme: Some(p.code.clone()),
                month: Some(c.month.next()),
                governorate: Some(c.governorate.clone()),
                status: None,
            };
            let ready = self.store.cycles(&f).await?.into_iter().find(|t| {
                t.status == CycleStatus::Open
                    || (t.status == CycleStatus::Approved && t.generated_at.is_some())
            });
            if ready.is_some() {
                return Ok(ready);
            }
        }
        Ok(None)
    }

    /// Converts one closed bread cycle; None while its target is not ready (or it was converted).
    pub(crate) async fn convert_bread_cycle(&self, cycle_id: &str) -> Result<Option<Converted>> {
        let c = self
            .store
            .cycle(cycle_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (p, v) = self.cycle_version(&c).await?;
        let Benefit::Bread {
            loaves_per_person_per_day,
            unused_loaf_value,
        } = v.benefit
        else {
            return Ok(None);
        };
        let Some(target) = self.conversion_target(&c, p.country.code()).await? else {
            return Ok(None);
        };
        let (_, tv) = self.cycle_version(&target).await?;
        let money_per_person = owed(&tv, target.month, 1, &[])
            .map_err(|_| AppError::Internal("the programme's amounts overflow".into()))?
            .iter()
            .find(|o| o.item == "money")
            .map_or(0, |o| o.amount);
        let actor = Actor::system(BREAD_JOB);
        let mut log = self.cycle_log("bread_converted", &c, &actor);
        log.details["into_cycle"] = serde_json::Value::from(target.cycle_id.clone());
        let reason = format!("unused bread of {} ({})", c.month, c.cycle_id);
        let conversion = Conversion {
            bread_cycle: &c.cycle_id,
            into_cycle: &target.cycle_id,
            loaves_per_person_per_day,
            days: c.month.days(),
            loaf_value: unused_loaf_value,
            money_per_person,
            reason: &reason,
            actor: &actor.name,
            at: self.clock.now(),
            log: &log,
        };
        Ok(self.store.convert_unused_bread(&conversion).await?)
    }
}
