//! A screening run: queued from the page, loaded, screened and saved by the job runner, resumed after a stop.

use super::*;
use tamwin_domain::MemberId;

/// The phase and counts of the run in progress, shared between the screening thread and the task that
/// writes them to the store.
#[derive(Default)]
struct Shared {
    phase: String,
    done: u64,
    total: u64,
}

struct Tracker(Arc<Mutex<Shared>>);

impl Progress for Tracker {
    fn phase(&self, name: &str, total: u64) {
        if let Ok(mut s) = self.0.lock() {
            s.phase = name.to_string();
            s.total = total;
            s.done = 0;
        }
    }
    fn advance(&self, done: u64) {
        if let Ok(mut s) = self.0.lock() {
            s.done = done;
        }
    }
}

/// What a run loaded: the records and, per record, who they are in the database.
pub(super) struct Loaded {
    pub(super) vocab: Vocab,
    pub(super) people: Vec<Rec>,
    pub(super) members: Vec<ScreeningPerson>,
    pub(super) deaths: Vec<Rec>,
    pub(super) death_ids: Vec<String>,
    pub(super) exits: Vec<Rec>,
    pub(super) exit_ids: Vec<String>,
    pub(super) trips: Vec<Trip>,
}

/// A member's fields as the engine reads them.
pub fn raw(p: &ScreeningPerson) -> RawPerson<'_> {
    RawPerson {
        national_id: p.national_id.as_deref().unwrap_or(""),
        given: &p.given,
        father: &p.father,
        grandfather: &p.grandfather,
        family: p.family.as_deref().unwrap_or(""),
        mother: &p.mother,
        birth: &p.birth_date,
        sex: &p.sex,
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunView {
    pub run_id: String,
    pub status: String,
    pub phase: String,
    pub done: i64,
    pub total: i64,
    pub written: i64,
    pub started_by: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub summary: String,
    pub error: Option<String>,
}

impl From<&ScreeningRun> for RunView {
    fn from(r: &ScreeningRun) -> Self {
        RunView {
            run_id: r.run_id.clone(),
            status: r.status.clone(),
            phase: r.phase.clone(),
            done: r.done,
            total: r.total,
            written: r.written,
            started_by: r.started_by.clone(),
            started_at: r.started_at.to_string(),
            finished_at: r.finished_at.map(|t| t.to_string()),
            summary: r.summary.clone(),
            error: r.error.clone(),
        }
    }
}

impl Registry {
    /// Queues a screening run for the job runner; refused while another runs (or waits).
    pub async fn start_screening(&self, actor: &Actor) -> Result<RunView> {
        actor.require(Permission::Screen)?;
        let run = ScreeningRun {
            run_id: self.ids.id(),
            started_by: actor.name.clone(),
            started_at: self.clock.now(),
            finished_at: None,
            status: "running".into(),
            phase: "load".into(),
            done: 0,
            total: 0,
            written: 0,
            summary: String::new(),
            error: None,
        };
        let log = self.log(
            "screening_started",
            None,
            None,
            actor,
            serde_json::json!({"run_id": run.run_id}),
        );
        match self.store.start_screening_run(&run, &log).await {
            Err(StoreError::Conflict(Conflict::ScreeningRunning, _)) => {
                return Err(AppError::rule("screening_running"));
            }
            other => other?,
        }
        // The job runner runs it (`jobs::SCREENING`); this server's at once.
        self.jobs_wake.notify_one();
        Ok(RunView::from(&run))
    }

    /// The work of a run: load, screen, save, finish. A failure is recorded on the run.
    pub async fn run_screening(&self, run_id: &str) -> Result<()> {
        let system = Actor::system("screening");
        match self.run_screening_inner(run_id).await {
            Ok(summary) => {
                let log = self.log(
                    "screening_finished",
                    None,
                    None,
                    &system,
                    serde_json::json!({"run_id": run_id, "summary": summary}),
                );
                self.store
                    .finish_screening_run(run_id, "done", &summary, None, self.clock.now(), &log)
                    .await?;
                Ok(())
            }
            Err(e) => {
                let log = self.log(
                    "screening_failed",
                    None,
                    None,
                    &system,
                    serde_json::json!({"run_id": run_id, "error": e.to_string()}),
                );
                self.store
                    .finish_screening_run(
                        run_id,
                        "failed",
                        "",
                        Some(&e.to_string()),
                        self.clock.now(),
                        &log,
                    )
                    .await?;
                Err(e)
            }
        }
    }

    async fn load_screening(&self, run_id: &str) -> Result<Loaded> {
        let mut vocab = Vocab::new();
        let mut ignore = |_: &'static str, _| {};
        let mut households: HashMap<String, u32> = HashMap::new();
        let (mut people, mut members) = (Vec::new(), Vec::new());
        let mut after: Option<(String, String)> = None;
        loop {
            let page = self
                .store
                .screening_members(after.as_ref().map(|(h, m)| (h.as_str(), m.as_str())), PAGE)
                .await?;
            let Some(last) = page.last() else { break };
            after = Some((last.household_id.to_string(), last.id.clone()));
            for p in page {
                let next = households.len() as u32;
                let hh = *households.entry(p.household_id.to_string()).or_insert(next);
                let r = Rec::from_raw(&mut vocab, &raw(&p), hh, &mut ignore);
                r.count_names(&mut vocab);
                people.push(r);
                members.push(p);
            }
            self.store
                .screening_progress(run_id, "load members", people.len() as i64, 0)
                .await?;
        }
        let mut loaded = Loaded {
            vocab,
            people,
            members,
            deaths: Vec::new(),
            death_ids: Vec::new(),
            exits: Vec::new(),
            exit_ids: Vec::new(),
            trips: Vec::new(),
        };
        self.load_vital_records(run_id, &mut loaded).await?;
        Ok(loaded)
    }

    async fn run_screening_inner(&self, run_id: &str) -> Result<String> {
        let loaded = self.load_screening(run_id).await?;
        let (fictitious, searched) = self.search_registry(run_id, &loaded).await?;
        let loaded = Arc::new(loaded);
        let shared = Arc::new(Mutex::new(Shared::default()));
        let today = BirthDate::parse(&self.clock.today().to_string())
            .and_then(days)
            .unwrap_or(0);
        let abroad_days = self.abroad_after_days as i32;
        let work = {
            let loaded = Arc::clone(&loaded);
            let tracker = Tracker(Arc::clone(&shared));
            tokio::task::spawn_blocking(move || {
                let l = &*loaded;
                let inputs = Inputs {
                    vocab: &l.vocab,
                    people: &l.people,
                    closed: &[],
                    deaths: (!l.deaths.is_empty()).then_some(l.deaths.as_slice()),
                    exits: (!l.exits.is_empty())
                        .then_some((l.exits.as_slice(), l.trips.as_slice())),
                    // The fictitious kind is the registry's search, asked above.
                    registry: None,
                    // Silent cards need collections, which come with distribution.
                    collections: None,
                    today,
                    abroad_days,
                };
                screen(&inputs, &Models::default(), &Settings::default(), &tracker)
            })
        };
        tokio::pin!(work);
        // The screening thread works; this task writes its progress every second.
        let mut result = loop {
            tokio::select! {
                r = &mut work => break r.map_err(|e| AppError::Internal(e.to_string()))?,
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {
                    let (phase, done, total) = shared
                        .lock()
                        .map(|s| (s.phase.clone(), s.done, s.total))
                        .unwrap_or_default();
                    self.store.screening_progress(run_id, &phase, done as i64, total as i64).await?;
                }
            }
        };
        result.findings.extend(fictitious);
        let now = self.clock.now();
        let l = &*loaded;
        let mut rows = Vec::new();
        let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
        for f in result
            .findings
            .iter()
            .filter(|f| f.decision != Decision::None)
        {
            let (Some(decision), kind) = (stored_decision(f.decision), stored_kind(f.kind)?) else {
                continue;
            };
            let m = &l.members[f.a as usize];
            let (other_hh, other_member, other_nid) = match (f.kind, f.b) {
                (Kind::SameId | Kind::Duplicate, Some(b)) => {
                    let o = &l.members[b as usize];
                    (
                        Some(o.household_id.clone()),
                        Some(MemberId::new(o.id.clone())),
                        None,
                    )
                }
                (Kind::Deceased, Some(b)) => (None, None, l.death_ids.get(b as usize).cloned()),
                (Kind::Abroad, Some(b)) => (None, None, l.exit_ids.get(b as usize).cloned()),
                _ => (None, None, None),
            };
            // Exemptions (study, treatment, mission, pilgrimage) stop the abroad rule for the person.
            if f.kind == Kind::Abroad
                && let Some(nid) = &m.national_id
                && self.exemption_on(nid).await?.is_some()
            {
                continue;
            }
            let pair_key = match (&other_member, &other_nid) {
                (Some(o), _) => {
                    let o = o.as_str();
                    let (x, y) = if m.id.as_str() <= o {
                        (m.id.as_str(), o)
                    } else {
                        (o, m.id.as_str())
                    };
                    format!("pair:{x}:{y}")
                }
                (None, Some(n)) => format!("{}:{}:{n}", f.kind.code(), m.id),
                (None, None) => format!("{}:{}", f.kind.code(), m.id),
            };
            *counts
                .entry(format!("{} {}", f.kind.code(), f.decision.code()))
                .or_default() += 1;
            rows.push(ScreeningFinding {
                finding_id: self.ids.id().into(),
                run_id: run_id.to_string(),
                kind,
                household_id: m.household_id.clone(),
                member_id: m.id.clone().into(),
                other_household_id: other_hh,
                other_member_id: other_member,
                other_national_id: other_nid,
                pair_key,
                score_micros: (f.score * 1e6).round() as i64,
                decision,
                explanation: f.explanation.clone(),
                status: FindingStatus::Pending,
                created_at: now,
                decided_at: None,
                decided_by: None,
                decision_note: None,
                effective_at: None,
                hold_id: None,
            });
        }
        let proxies = self.proxy_findings(run_id, &rows).await?;
        for f in &proxies {
            *counts
                .entry(format!("proxy {}", f.decision.code()))
                .or_default() += 1;
        }
        rows.extend(proxies);
        let mut written = 0i64;
        let mut new = 0u64;
        for chunk in rows.chunks(BATCH) {
            written += chunk.len() as i64;
            new += self.store.save_findings(run_id, chunk, written).await?;
            self.store
                .screening_progress(run_id, "save findings", written, rows.len() as i64)
                .await?;
        }
        let mut summary = format!(
            "{} members, {} civil-registry persons ({} deceased, {} abroad); {} findings, {} new",
            l.people.len(),
            searched,
            l.deaths.len(),
            l.exits.len(),
            rows.len(),
            new
        );
        for (k, n) in counts {
            summary.push_str(&format!("; {k}: {n}"));
        }
        for r in &result.reports {
            let dropped: u64 = r.rules.iter().map(|s| s.dropped_pairs).sum();
            summary.push_str(&format!(
                "; {}: {} pairs compared, {} dropped in oversized blocks",
                r.name, r.compared, dropped
            ));
        }
        Ok(summary)
    }

    pub async fn screening_runs(&self, actor: &Actor) -> Result<Vec<RunView>> {
        actor.require(Permission::Screen)?;
        Ok(self
            .store
            .screening_runs(20)
            .await?
            .iter()
            .map(RunView::from)
            .collect())
    }
}
