//! Monthly cycles (issue 15 point 4; docs/distribution.md): a supervisor drafts a cycle of a programme
//! for a month and governorate; another approves it, which queues its generation (the job
//! `cycles.generate`); once generated it is opened, and at the month's end closed. Dry runs and the
//! household's basket are in `cycles/`.

mod adjust;
mod basket;
mod bread;
mod changes;
mod dry_run;
mod warehouses;

pub use adjust::{AdjustmentInput, AdjustmentView};
pub use basket::{BasketLine, BasketView, CountedMember};
pub use bread::BREAD_JOB;
pub use changes::{ChangeRow, CycleChanges};
pub use dry_run::{AgentTonnage, DistrictTotal, DryRun, ItemAmount};
pub use warehouses::WarehouseTonnage;

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::Permission;
use tamwin_domain::programme::{CycleMonth, CycleStatus, Programme, ProgrammeVersion};
use tamwin_store::{Counting, Cycle, CycleFilter, CycleMove, Generated};

/// The job that generates approved cycles.
pub const GENERATE_JOB: &str = "cycles.generate";

/// A cycle as staff and the API see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CycleView {
    pub cycle_id: String,
    pub programme: String,
    pub version: i64,
    pub month: String,
    pub governorate: String,
    /// `draft`, `approved`, `open`, `closed`, `failed`.
    pub status: String,
    pub drafted_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub drafted_at: jiff::Timestamp,
    pub approved_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub approved_at: Option<jiff::Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub generated_at: Option<jiff::Timestamp>,
    pub households: Option<i64>,
    pub persons: Option<i64>,
    /// Why the generation failed.
    pub error: Option<String>,
    pub opened_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub opened_at: Option<jiff::Timestamp>,
    pub closed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<jiff::Timestamp>,
}

impl CycleView {
    pub fn of(c: &Cycle) -> Self {
        Self {
            cycle_id: c.cycle_id.clone(),
            programme: c.programme.clone(),
            version: c.version,
            month: c.month.to_string(),
            governorate: c.governorate.clone(),
            status: c.status.code().to_string(),
            drafted_by: c.drafted_by.clone(),
            drafted_at: c.drafted_at,
            approved_by: c.approved_by.clone(),
            approved_at: c.approved_at,
            generated_at: c.generated_at,
            households: c.households,
            persons: c.persons,
            error: c.error.clone(),
            opened_by: c.opened_by.clone(),
            opened_at: c.opened_at,
            closed_by: c.closed_by.clone(),
            closed_at: c.closed_at,
        }
    }
}

fn rule(code: &'static str, params: Vec<(&'static str, String)>) -> AppError {
    AppError::Rule(crate::error::Rule { code, params })
}

fn month_of(s: &str) -> Result<CycleMonth> {
    CycleMonth::parse(s).map_err(|e| {
        AppError::Validation(tamwin_domain::error::ValidationErrors(vec![
            e.under("month"),
        ]))
    })
}

impl Registry {
    /// A governorate the actor manages cycles of (their area covers it), or not found.
    fn cycle_area(&self, governorate: &str, actor: &Actor) -> Result<()> {
        if self.geo.governorate(governorate).is_none() || !actor.covers_code(governorate, &self.geo)
        {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// Whether the actor sees a governorate's cycles: it covers the governorate, or lies in it (a
    /// district's or centre's staff see their governorate's totals).
    fn sees_cycles_of(&self, governorate: &str, actor: &Actor) -> bool {
        use tamwin_domain::access::Area;
        match &actor.area {
            Area::Nation => true,
            Area::Governorate(g) => g == governorate,
            Area::District(d) | Area::Centre { district: d, .. } => self
                .geo
                .district(d)
                .is_some_and(|x| x.governorate_code == governorate),
        }
    }

    /// The version of a programme in force in a month, refusing a month the programme skips.
    pub(crate) fn version_in(p: &Programme, month: CycleMonth) -> Result<&ProgrammeVersion> {
        let v = p
            .version_for(month)
            .ok_or_else(|| rule("cycle_no_version", vec![("month", month.to_string())]))?;
        if v.skip.contains(&month) {
            return Err(rule(
                "cycle_month_skipped",
                vec![("month", month.to_string())],
            ));
        }
        Ok(v)
    }

    pub async fn draft_cycle(
        &self,
        programme: &str,
        month: &str,
        governorate: &str,
        actor: &Actor,
    ) -> Result<CycleView> {
        actor.require(Permission::ManageCycles)?;
        self.cycle_area(governorate, actor)?;
        let month = month_of(month)?;
        let p = self.load_programme(programme).await?;
        let v = Self::version_in(&p, month)?;
        let c = Cycle {
            cycle_id: self.ids.id(),
            programme: p.code.clone(),
            version: v.version,
            month,
            governorate: governorate.to_string(),
            status: CycleStatus::Draft,
            drafted_by: actor.name.clone(),
            drafted_at: self.clock.now(),
            approved_by: None,
            approved_at: None,
            generated_at: None,
            generation_run: None,
            households: None,
            persons: None,
            error: None,
            opened_by: None,
            opened_at: None,
            closed_by: None,
            closed_at: None,
        };
        let log = self.cycle_log("cycle_drafted", &c, actor);
        self.store.draft_cycle(&c, &log).await?;
        Ok(CycleView::of(&c))
    }

    fn cycle_log(&self, kind: &'static str, c: &Cycle, actor: &Actor) -> tamwin_store::ChangeLog {
        self.log(
            kind,
            Some(c.cycle_id.clone()),
            None,
            actor,
            serde_json::json!({
                "cycle_id": c.cycle_id,
                "programme": c.programme,
                "month": c.month.to_string(),
                "governorate": c.governorate,
            }),
        )
    }

    /// The programme and the version a cycle names. A stored version never changes (new ones are
    /// added beside it), so each is parsed once per server and kept: an outlet's collection asks
    /// for it on every request. The programme kept with it may lack versions added since; callers
    /// use it for what never changes (its country).
    pub(crate) async fn cycle_version(&self, c: &Cycle) -> Result<(Programme, ProgrammeVersion)> {
        let key = (c.programme.clone(), c.version);
        if let Some(hit) = self
            .versions
            .lock()
            .map_err(|_| AppError::Internal("the programme cache is poisoned".into()))?
            .get(&key)
        {
            return Ok(hit.clone());
        }
        let p = self.load_programme(&c.programme).await?;
        let v = p
            .versions
            .iter()
            .find(|v| v.version == c.version)
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "cycle {}: version {} missing",
                    c.cycle_id, c.version
                ))
            })?;
        self.versions
            .lock()
            .map_err(|_| AppError::Internal("the programme cache is poisoned".into()))?
            .insert(key, (p.clone(), v.clone()));
        Ok((p, v))
    }

    /// A cycle the actor manages.
    pub(crate) async fn cycle_for(&self, cycle_id: &str, actor: &Actor) -> Result<Cycle> {
        let c = self.cycle_seen(cycle_id, actor).await?;
        self.cycle_area(&c.governorate, actor)?;
        Ok(c)
    }

    /// A cycle the actor sees.
    pub(crate) async fn cycle_seen(&self, cycle_id: &str, actor: &Actor) -> Result<Cycle> {
        self.store
            .cycle(cycle_id)
            .await?
            .filter(|c| self.sees_cycles_of(&c.governorate, actor))
            .ok_or(AppError::NotFound)
    }

    pub async fn cycle_status(&self, cycle_id: &str, actor: &Actor) -> Result<CycleView> {
        actor.require(Permission::ReadAggregates)?;
        Ok(CycleView::of(&self.cycle_seen(cycle_id, actor).await?))
    }

    /// Cycles within the actor's area, newest month first.
    pub async fn cycles(&self, filter: &CycleFilter, actor: &Actor) -> Result<Vec<CycleView>> {
        actor.require(Permission::ReadAggregates)?;
        Ok(self
            .store
            .cycles(filter)
            .await?
            .iter()
            .filter(|c| self.sees_cycles_of(&c.governorate, actor))
            .map(CycleView::of)
            .collect())
    }

    /// Four eyes: approved by someone other than who drafted it; a failed generation is approved
    /// again to run again. Approval queues the generation.
    pub async fn approve_cycle(&self, cycle_id: &str, actor: &Actor) -> Result<CycleView> {
        actor.require(Permission::ManageCycles)?;
        let c = self.cycle_for(cycle_id, actor).await?;
        if !matches!(c.status, CycleStatus::Draft | CycleStatus::Failed) {
            return Err(rule(
                "cycle_not_draft",
                vec![("status", c.status.code().into())],
            ));
        }
        if c.drafted_by == actor.name {
            return Err(AppError::rule("cycle_own_draft"));
        }
        self.move_cycle(&c, c.status, CycleStatus::Approved, "cycle_approved", actor)
            .await?;
        self.jobs_wake.notify_one();
        self.cycle_status_of(cycle_id).await
    }

    /// Only a generated cycle opens: one whose generation failed, or has not run, cannot.
    pub async fn open_cycle(&self, cycle_id: &str, actor: &Actor) -> Result<CycleView> {
        actor.require(Permission::ManageCycles)?;
        let c = self.cycle_for(cycle_id, actor).await?;
        match (c.status, c.generated_at) {
            (CycleStatus::Approved, Some(_)) => {}
            (CycleStatus::Failed, _) => return Err(AppError::rule("cycle_generation_failed")),
            (CycleStatus::Approved | CycleStatus::Draft, None) => {
                return Err(AppError::rule("cycle_not_generated"));
            }
            (s, _) => {
                return Err(rule(
                    "cycle_not_approved",
                    vec![("status", s.code().into())],
                ));
            }
        }
        self.move_cycle(
            &c,
            CycleStatus::Approved,
            CycleStatus::Open,
            "cycle_opened",
            actor,
        )
        .await?;
        // What each agent is to hand out (issue 16 point 2); `reallocate` computes it again.
        self.allocate(&c, actor).await?;
        self.cycle_status_of(cycle_id).await
    }

    pub async fn close_cycle(&self, cycle_id: &str, actor: &Actor) -> Result<CycleView> {
        actor.require(Permission::ManageCycles)?;
        let c = self.cycle_for(cycle_id, actor).await?;
        if c.status != CycleStatus::Open {
            return Err(rule(
                "cycle_not_open",
                vec![("status", c.status.code().into())],
            ));
        }
        self.move_cycle(
            &c,
            CycleStatus::Open,
            CycleStatus::Closed,
            "cycle_closed",
            actor,
        )
        .await?;
        // A bread cycle's unused bread converts now if the next month's allowance cycle is ready; if
        // not, or if this fails, the job `cycles.bread_conversion` does it later.
        if let Err(e) = self.convert_bread_cycle(cycle_id).await {
            tracing::warn!(cycle_id, error = %e, "bread conversion left to the job");
        }
        self.cycle_status_of(cycle_id).await
    }

    async fn cycle_status_of(&self, cycle_id: &str) -> Result<CycleView> {
        Ok(CycleView::of(
            &self
                .store
                .cycle(cycle_id)
                .await?
                .ok_or(AppError::NotFound)?,
        ))
    }

    async fn move_cycle(
        &self,
        c: &Cycle,
        from: CycleStatus,
        to: CycleStatus,
        kind: &'static str,
        actor: &Actor,
    ) -> Result<()> {
        let log = self.cycle_log(kind, c, actor);
        let moved = self
            .store
            .move_cycle(&CycleMove {
                cycle_id: &c.cycle_id,
                from,
                to,
                by: &actor.name,
                at: self.clock.now(),
                log: &log,
            })
            .await?;
        if moved {
            Ok(())
        } else {
            // Another clerk moved it first.
            Err(AppError::Busy)
        }
    }

    /// The next approved cycle waiting for its generation, oldest month first, as `cycle_id@approved_at`.
    pub async fn cycle_waiting(&self) -> Result<Option<String>> {
        let mut waiting: Vec<Cycle> = self
            .store
            .cycles(&CycleFilter {
                status: Some(CycleStatus::Approved),
                ..CycleFilter::default()
            })
            .await?
            .into_iter()
            .filter(|c| c.generated_at.is_none())
            .collect();
        waiting.sort_by(|a, b| (a.month, &a.cycle_id).cmp(&(b.month, &b.cycle_id)));
        // Each approval is its own piece of work: a cycle approved again after a failed generation
        // runs again (the runner runs each item once).
        Ok(waiting.into_iter().next().map(|c| {
            let approved = c.approved_at.map(|t| t.to_string()).unwrap_or_default();
            format!("{}@{approved}", c.cycle_id)
        }))
    }

    /// Generates a cycle's entitlements (the job's work; `tamwin cycle approve` runs it too). A
    /// failure leaves nothing written and the cycle `failed`; a second run writes nothing and says why.
    pub async fn generate_cycle(
        &self,
        cycle_id: &str,
        run: &str,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<Vec<(String, i64, i64)>> {
        let actor = Actor::system("cycles.generate");
        let c = self
            .store
            .cycle(cycle_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if c.status == CycleStatus::Closed {
            return Err(AppError::rule("cycle_closed"));
        }
        if c.generated_at.is_some() {
            return Err(AppError::rule("cycle_already_generated"));
        }
        if c.status != CycleStatus::Approved {
            return Err(rule(
                "cycle_not_approved",
                vec![("status", c.status.code().into())],
            ));
        }
        // The other approved cycles of the programme's month and version go with it: a national
        // generation reads the registry once, not once per governorate.
        let mut batch = vec![c.clone()];
        batch.extend(
            self.store
                .cycles(&CycleFilter {
                    programme: Some(c.programme.clone()),
                    month: Some(c.month),
                    status: Some(CycleStatus::Approved),
                    ..CycleFilter::default()
                })
                .await?
                .into_iter()
                .filter(|x| {
                    x.cycle_id != c.cycle_id && x.version == c.version && x.generated_at.is_none()
                }),
        );
        let outcome = async {
            let (_, v) = self.cycle_version(&c).await?;
            let counting = Counting {
                month: c.month,
                rules: &v.rules,
            };
            let ids: Vec<String> = batch.iter().map(|x| x.cycle_id.clone()).collect();
            let logs: Vec<_> = batch
                .iter()
                .map(|x| self.cycle_log("cycle_generated", x, &actor))
                .collect();
            Ok::<_, AppError>(
                self.store
                    .generate_cycles(&ids, counting, run, self.clock.now(), progress, &logs)
                    .await?,
            )
        }
        .await;
        match outcome {
            Ok(Generated::Done { cycles }) => Ok(cycles),
            Ok(Generated::NotPending(_)) => Err(AppError::rule("cycle_already_generated")),
            Ok(Generated::NoSuchCycle) => Err(AppError::NotFound),
            Err(e) => {
                for x in &batch {
                    let log = self.cycle_log("cycle_generation_failed", x, &actor);
                    self.store
                        .fail_generation(&x.cycle_id, &e.to_string(), &log)
                        .await?;
                }
                Err(e)
            }
        }
    }
}
