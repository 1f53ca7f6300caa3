//! The registry's background work as jobs: what `tamwin serve` ran in a loop every ten minutes, the
//! nightly reconciliation with the civil registry, screening runs started from their page, and the
//! pruning of old run rows. `Runner::standard` registers them.

use super::{Done, Job, RunContext, Runner, Schedule};
use crate::{Registry, Result};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The nightly reconciliation (its cursor in `job_cursors` has the same name).
pub const RECONCILE: &str = crate::reconcile::JOB;
/// Screening runs, queued by `start_screening`.
pub const SCREENING: &str = "screening.run";
/// How often the short passes run (they did every ten minutes in the serve loop).
const EVERY_MINUTES: i64 = 10;
/// Runs kept on the jobs page and in the table.
const KEEP_RUNS_DAYS: i64 = 30;

type Work = for<'a> fn(
    &'a Registry,
    &'a RunContext,
) -> Pin<Box<dyn Future<Output = Result<Done>> + Send + 'a>>;

/// A job given by its name, schedule and one function.
struct Simple {
    name: &'static str,
    schedule: Schedule,
    work: Work,
}

#[async_trait::async_trait]
impl Job for Simple {
    fn name(&self) -> &'static str {
        self.name
    }
    fn schedule(&self) -> Schedule {
        self.schedule
    }
    async fn run(&self, reg: &Registry, ctx: &RunContext) -> Result<Done> {
        (self.work)(reg, ctx).await
    }
}

fn every(name: &'static str, work: Work) -> Arc<dyn Job> {
    Arc::new(Simple {
        name,
        schedule: Schedule::Every {
            minutes: EVERY_MINUTES,
        },
        work,
    })
}

fn items(n: impl TryInto<u64>) -> Done {
    Done::Items(n.try_into().unwrap_or(u64::MAX))
}

/// Screening runs: `start_screening` writes the run (status `running`) and wakes the runner; this job
/// runs it. A run whose server stopped is taken up again, findings already saved skipped.
struct Screening;

#[async_trait::async_trait]
impl Job for Screening {
    fn name(&self) -> &'static str {
        SCREENING
    }
    fn schedule(&self) -> Schedule {
        Schedule::Queued
    }
    async fn queued(&self, reg: &Registry) -> Result<Option<String>> {
        Ok(reg.store.running_screening_run().await?.map(|r| r.run_id))
    }
    async fn run(&self, reg: &Registry, ctx: &RunContext) -> Result<Done> {
        let Some(id) = ctx.item.as_deref() else {
            return Ok(Done::Skipped("nothing_queued"));
        };
        reg.run_screening(id).await?;
        let written = reg.store.screening_run(id).await?.map_or(0, |r| r.written);
        Ok(items(written))
    }
}

/// Cycle generation: approving a cycle queues it (`approve_cycle`); this job generates it, in one
/// transaction with the other approved cycles of its programme's month, reporting the cycles done.
struct GenerateCycles;

#[async_trait::async_trait]
impl Job for GenerateCycles {
    fn name(&self) -> &'static str {
        crate::cycles::GENERATE_JOB
    }
    fn schedule(&self) -> Schedule {
        Schedule::Queued
    }
    async fn queued(&self, reg: &Registry) -> Result<Option<String>> {
        reg.cycle_waiting().await
    }
    async fn run(&self, reg: &Registry, ctx: &RunContext) -> Result<Done> {
        let Some(item) = ctx.item.as_deref() else {
            return Ok(Done::Skipped("nothing_queued"));
        };
        let id = item.split('@').next().unwrap_or(item);
        let done = reg
            .generate_cycle(id, item, &|done, total| ctx.progress(done, Some(total)))
            .await?;
        Ok(items(
            done.iter()
                .map(|(_, households, _)| households)
                .sum::<i64>(),
        ))
    }
}

impl Runner {
    /// The runner with every job of the registry (`standard_jobs`).
    pub fn standard(reg: Arc<Registry>) -> Runner {
        let jobs = standard_jobs(reg.hub.is_some());
        let mut r = Runner::new(reg);
        for j in jobs {
            r.register(j);
        }
        r
    }

    /// The runner with only these of the registry's jobs (tests run one kind of work at a time).
    pub fn only(reg: Arc<Registry>, names: &[&str]) -> Runner {
        let jobs = standard_jobs(reg.hub.is_some());
        let mut r = Runner::new(reg);
        for j in jobs.into_iter().filter(|j| names.contains(&j.name())) {
            r.register(j);
        }
        r
    }
}

/// The registry's jobs: the ten-minute passes, screening runs, the pruning of old runs, and with a hub
/// the nightly reconciliation at 02:00 Iraq time. A new kind of background work is one more line here.
pub fn standard_jobs(with_hub: bool) -> Vec<Arc<dyn Job>> {
    let mut r: Vec<Arc<dyn Job>> = Vec::new();
    // Vital events that wait (a parent registered since, an exit whose six months have passed, an
    // exemption that ended).
    r.push(every("vital_events.waiting", |reg, _| {
        Box::pin(async move { Ok(items(reg.apply_pending_events(500).await?)) })
    }));
    // Tomorrow's appointments are reminded.
    r.push(every("appointments.reminders", |reg, _| {
        Box::pin(async move { Ok(items(reg.send_reminders().await?)) })
    }));
    // Past days' unattended appointments free their places; visits left open are closed.
    r.push(every("appointments.no_shows", |reg, _| {
        Box::pin(async move { Ok(items(reg.release_no_shows().await?)) })
    }));
    // Temporary cards: converted once the unified card is linked and valid (asked of the hub).
    r.push(every("temporary_cards.convert", |reg, _| {
        Box::pin(async move {
            if reg.hub.is_none() {
                return Ok(Done::Skipped("no_hub"));
            }
            Ok(items(reg.convert_temporary_cards().await?))
        })
    }));
    // … and held when they run out.
    r.push(every("temporary_cards.expire", |reg, _| {
        Box::pin(async move { Ok(items(reg.expire_temporary_cards().await?)) })
    }));
    // Sign-in throttle counters past any use are dropped.
    r.push(every("sign_in.throttles", |reg, _| {
        Box::pin(async move { Ok(items(reg.forget_throttles().await?)) })
    }));
    // Powers of attorney past their last day end by themselves, giving their proxy's place back.
    r.push(every(crate::proxies::EXPIRE_JOB, |reg, _| {
        Box::pin(async move { Ok(items(reg.expire_grants().await?)) })
    }));
    // Payments left pending (a callback lost) are asked about at the provider.
    r.push(every(crate::payments::CHECK_JOB, |reg, _| {
        Box::pin(async move { Ok(items(reg.check_pending_payments().await?)) })
    }));
    // Device nonces past any accepted request time are dropped (each request records its own in one
    // statement).
    r.push(every("devices.nonces", |reg, _| {
        Box::pin(async move { Ok(items(reg.forget_device_nonces().await?)) })
    }));
    // Confirmed screening findings whose grace period has ended become holds.
    r.push(every("screening.holds", |reg, _| {
        Box::pin(async move { Ok(items(reg.apply_due_findings().await?)) })
    }));
    // Closed bread cycles' unused bread becomes the next month's commodity credit, once that cycle is
    // generated.
    r.push(every(crate::cycles::BREAD_JOB, |reg, _| {
        Box::pin(async move { Ok(items(reg.convert_closed_bread().await?)) })
    }));
    r.push(Arc::new(Screening));
    r.push(Arc::new(GenerateCycles));
    // Old run rows go, once a day (00:00 UTC, 03:00 in Iraq).
    r.push(Arc::new(Simple {
        name: "jobs.prune",
        schedule: Schedule::Every { minutes: 24 * 60 },
        work: |reg, _| {
            Box::pin(async move {
                let before = reg
                    .clock
                    .now()
                    .checked_sub(jiff::SignedDuration::from_hours(24 * KEEP_RUNS_DAYS))
                    .map_err(|e| crate::AppError::Internal(e.to_string()))?;
                Ok(items(reg.store.prune_job_runs(before).await?))
            })
        },
    }));
    if with_hub {
        r.push(Arc::new(Simple {
            name: RECONCILE,
            // 02:00 in Iraq, when the registry is quiet; a night missed by less than six hours is
            // caught up, a later start waits for the next night.
            schedule: Schedule::DailyAt {
                hour: 2,
                minute: 0,
                catch_up_hours: 6,
            },
            work: |reg, ctx| {
                Box::pin(async move {
                    // Events that wait first, as `tamwin hub reconcile` does.
                    reg.apply_pending_events(500).await?;
                    let r = reg
                        .reconcile(500, false, &|n| ctx.progress(n, None))
                        .await?;
                    Ok(match r.finished {
                        true => items(r.members),
                        false => Done::Stopped {
                            items: r.members,
                            why: "hub_unreachable".into(),
                        },
                    })
                })
            },
        }));
    }
    r
}
