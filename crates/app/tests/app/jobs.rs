//! The job runner (issue 14, point 4) on both backends, with two runners on one database as two
//! servers: a job never runs twice at once and each due run happens once; a crashed holder's lease
//! expires and its run is taken up by the other; a failure is recorded with the next run; an
//! interrupted screening run is finished by the other server without saving a finding twice.
//! This file holds the registry, runner and counting job they share; each part is a file in `jobs/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod leases;
mod schedule;
mod screening;
mod server;

use crate::common;

use common::{advance, wired};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tamwin_app::jobs::{Done, Job, JobOutcome, RunContext, Runner, Schedule};
use tamwin_app::*;
use tamwin_domain::Geography;
use tamwin_domain::access::{Area, Role};
use tamwin_store::{FindingFilter, Store, testkit};

const NAME: &str = "test.count";

fn clock_at(at: &str) -> Arc<FixedClock> {
    Arc::new(FixedClock(Mutex::new(at.parse().unwrap())))
}

fn registry(store: Arc<dyn Store>, clock: Arc<FixedClock>) -> Arc<Registry> {
    Arc::new(Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        clock,
        Arc::new(RandomIds),
    ))
}

fn runner(reg: Arc<Registry>, job: Arc<dyn Job>) -> Arc<Runner> {
    let mut r = Runner::new(reg);
    r.register(job);
    Arc::new(r)
}

fn admin() -> Actor {
    Actor::staff("u1", "admin", Role::MinistryAdmin, Area::Nation, "web")
}

/// Counts its runs and how many run at once; each run takes a while, so that racing runners overlap.
#[derive(Default)]
struct Counting {
    fail_first: bool,
    runs: AtomicUsize,
    now: AtomicUsize,
    most: AtomicUsize,
}

#[async_trait::async_trait]
impl Job for Counting {
    fn name(&self) -> &'static str {
        NAME
    }
    fn schedule(&self) -> Schedule {
        Schedule::Every { minutes: 10 }
    }
    async fn run(&self, _reg: &Registry, _ctx: &RunContext) -> Result<Done> {
        let at_once = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(at_once, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(40)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        if self.runs.fetch_add(1, Ordering::SeqCst) == 0 && self.fail_first {
            return Err(AppError::Internal("the first run breaks".into()));
        }
        Ok(Done::Items(1))
    }
}
