//! Screening on the database (issue 6). A run reads the present members of open cards and the civil
//! registry, screens them with `tamwin-matching` (duplicates across cards, one ID on two cards, deaths,
//! departures, members nobody in the registry matches) and saves the findings for auditors: above the
//! hold threshold a hold pending review, in the grey zone a review item. An auditor confirms or clears
//! each one; a confirmed finding becomes a hold after the grace period, during which the household is
//! told the reason and the cure path and may appeal with a document. Every decision is audited.

pub mod civil;

use crate::{Actor, AppError, HoldInput, HoldLift, Registry, Result};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tamwin_domain::HoldReason;
use tamwin_domain::access::Permission;
use tamwin_matching::screen::{Decision, Inputs, Kind, Models, Trip, days, screen};
use tamwin_matching::{BirthDate, Progress, RawPerson, Rec, Settings, Vocab};
use tamwin_store::{
    Appeal, Conflict, FindingDecision, FindingFilter, OutboxMessage, ScreeningFinding,
    ScreeningPerson, ScreeningRun, StoreError,
};

/// Days between an auditor's confirmation and the hold taking effect (the household is told at once).
pub const GRACE_DAYS: i64 = 14;
pub use crate::documents::{DOCUMENT_TYPES, Document, MAX_DOCUMENT_BYTES};
const PAGE: u32 = 20_000;
const BATCH: usize = 500;

/// The hold a finding of this kind becomes.
pub fn hold_reason(kind: &str) -> HoldReason {
    match kind {
        "deceased" => HoldReason::Deceased,
        "abroad" => HoldReason::Abroad,
        "fictitious" => HoldReason::Fictitious,
        _ => HoldReason::Duplicate,
    }
}

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
struct Loaded {
    vocab: Vocab,
    people: Vec<Rec>,
    members: Vec<ScreeningPerson>,
    deaths: Vec<Rec>,
    death_ids: Vec<String>,
    exits: Vec<Rec>,
    exit_ids: Vec<String>,
    trips: Vec<Trip>,
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
            after = Some((last.household_id.clone(), last.id.clone()));
            for p in page {
                let next = households.len() as u32;
                let hh = *households.entry(p.household_id.clone()).or_insert(next);
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
            let m = &l.members[f.a as usize];
            let (other_hh, other_member, other_nid) = match (f.kind, f.b) {
                (Kind::SameId | Kind::Duplicate, Some(b)) => {
                    let o = &l.members[b as usize];
                    (Some(o.household_id.clone()), Some(o.id.clone()), None)
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
                    let (x, y) = if m.id <= *o { (&m.id, o) } else { (o, &m.id) };
                    format!("pair:{x}:{y}")
                }
                (None, Some(n)) => format!("{}:{}:{n}", f.kind.code(), m.id),
                (None, None) => format!("{}:{}", f.kind.code(), m.id),
            };
            *counts
                .entry(format!("{} {}", f.kind.code(), f.decision.code()))
                .or_default() += 1;
            rows.push(ScreeningFinding {
                finding_id: self.ids.id(),
                run_id: run_id.to_string(),
                kind: f.kind.code().to_string(),
                household_id: m.household_id.clone(),
                member_id: m.id.clone(),
                other_household_id: other_hh,
                other_member_id: other_member,
                other_national_id: other_nid,
                pair_key,
                score_micros: (f.score * 1e6).round() as i64,
                decision: f.decision.code().to_string(),
                explanation: f.explanation.clone(),
                status: "pending".into(),
                created_at: now,
                decided_at: None,
                decided_by: None,
                decision_note: None,
                effective_at: None,
                hold_id: None,
            });
        }
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

    /// Findings within the actor's area.
    pub async fn screening_findings(
        &self,
        actor: &Actor,
        mut filter: FindingFilter,
    ) -> Result<Vec<ScreeningFinding>> {
        actor.require(Permission::Screen)?;
        let scope = actor.scope(&self.geo);
        filter.governorate = scope.governorate;
        filter.district = scope.district;
        Ok(self.store.findings(&filter).await?)
    }

    /// One page of the auditors' queue within the actor's area: each finding with the card, district
    /// and member it concerns (their reads audited before they leave), the counts by kind and status, and
    /// the cursor of the next page. A district outside the area finds nothing.
    pub async fn screening_queue(&self, actor: &Actor, q: &QueueQuery) -> Result<QueuePage> {
        actor.require(Permission::Screen)?;
        let after = q.after.as_deref().map(parse_queue_cursor).transpose()?;
        let scope = actor.scope(&self.geo);
        let outside = matches!((&q.district, &scope.district), (Some(w), Some(a)) if w != a);
        let district = q.district.clone().or(scope.district);
        let limit = q.limit.clamp(1, 500);
        if outside {
            return Ok(QueuePage {
                items: vec![],
                next_after: None,
                counts: vec![],
            });
        }
        let filter = FindingFilter {
            status: q.status.clone(),
            kind: q.kind.clone(),
            decision: q.decision.clone(),
            governorate: scope.governorate.clone(),
            district: district.clone(),
            limit,
            after,
            ..Default::default()
        };
        let rows = self.store.finding_queue(&filter).await?;
        let counts = self
            .store
            .finding_counts(scope.governorate.as_deref(), district.as_deref())
            .await?;
        let read: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.finding.household_id.as_str(), r.who.card_number.as_str()))
            .collect();
        self.record_screening_reads(actor, "household.listed", "screening.queue", &read)
            .await?;
        let next_after = (rows.len() as u32 == limit)
            .then(|| rows.last())
            .flatten()
            .map(|r| {
                format!(
                    "{}~{}~{}",
                    r.finding.decision, r.finding.score_micros, r.finding.finding_id
                )
            });
        Ok(QueuePage {
            items: rows
                .iter()
                .map(|r| QueueItemView {
                    finding: FindingView::from(&r.finding),
                    who: ConcernedView::of(&r.who, &self.geo),
                })
                .collect(),
            next_after,
            counts: counts
                .into_iter()
                .map(|c| CountView {
                    kind: c.kind,
                    status: c.status,
                    count: c.count,
                })
                .collect(),
        })
    }

    /// Open appeals within the actor's area, oldest first, with their age (their reads audited).
    pub async fn appeal_inbox(
        &self,
        actor: &Actor,
        after: Option<&str>,
        limit: u32,
    ) -> Result<InboxPage> {
        actor.require(Permission::Screen)?;
        let after = after.map(parse_inbox_cursor).transpose()?;
        let scope = actor.scope(&self.geo);
        let limit = limit.clamp(1, 500);
        let rows = self
            .store
            .appeal_inbox(
                scope.governorate.as_deref(),
                scope.district.as_deref(),
                after.as_ref().map(|(t, i)| (*t, i.as_str())),
                limit,
            )
            .await?;
        let read: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.appeal.household_id.as_str(), r.who.card_number.as_str()))
            .collect();
        self.record_screening_reads(actor, "household.listed", "screening.appeals", &read)
            .await?;
        let now = self.clock.now();
        let next_after = (rows.len() as u32 == limit)
            .then(|| rows.last())
            .flatten()
            .map(|r| format!("{}~{}", r.appeal.submitted_at, r.appeal.appeal_id));
        Ok(InboxPage {
            items: rows
                .iter()
                .map(|r| InboxItemView {
                    appeal: AppealView::from(&r.appeal),
                    kind: r.kind.clone(),
                    member_id: r.member_id.clone(),
                    who: ConcernedView::of(&r.who, &self.geo),
                    age_days: now.duration_since(r.appeal.submitted_at).as_hours().max(0) / 24,
                })
                .collect(),
            next_after,
        })
    }

    /// One finding with the household (or households) it concerns, within the actor's area; the reads
    /// of every household shown are audited before it leaves. The other card of a match is shown only
    /// when it lies in the actor's area too; otherwise the view says a record elsewhere matches.
    pub async fn screening_finding(
        &self,
        actor: &Actor,
        finding_id: &str,
    ) -> Result<FindingDetail> {
        let d = self.finding_detail(actor, finding_id).await?;
        let mut read = vec![(
            d.household.household.household_id.as_str(),
            d.household.household.card_number.as_str(),
        )];
        if let Some(o) = &d.other {
            read.push((
                o.household.household_id.as_str(),
                o.household.card_number.as_str(),
            ));
        }
        self.record_screening_reads(actor, "household.read", "screening.finding", &read)
            .await?;
        Ok(d)
    }

    /// The finding as `screening_finding` gives it, without recording a read (for decisions).
    async fn finding_detail(&self, actor: &Actor, finding_id: &str) -> Result<FindingDetail> {
        actor.require(Permission::Screen)?;
        let f = self
            .store
            .finding(finding_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rec = self
            .store
            .household_by_id(&f.household_id)
            .await?
            .filter(|r| actor.sees(&r.household))
            .ok_or(AppError::NotFound)?;
        let (other, other_outside_area) = match &f.other_household_id {
            Some(h) => match self.store.household_by_id(h).await? {
                Some(o) if actor.sees(&o.household) => (Some(o), false),
                Some(_) => (None, true),
                None => (None, false),
            },
            None => (None, false),
        };
        let civil = match &f.other_national_id {
            Some(n) => self.vital_record(n).await,
            None => None,
        };
        let appeals = self
            .store
            .appeals(None, Some(&f.household_id), 100)
            .await?
            .into_iter()
            .filter(|a| a.finding_id == f.finding_id)
            .collect();
        Ok(FindingDetail {
            finding: f,
            household: rec,
            other,
            other_outside_area,
            civil,
            appeals,
        })
    }

    /// One audit entry per household whose personal data is about to be shown, as household reads
    /// write them, with the screening route it was shown through.
    async fn record_screening_reads(
        &self,
        actor: &Actor,
        action: &'static str,
        via: &'static str,
        households: &[(&str, &str)],
    ) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        let reads: Vec<(String, tamwin_store::ChangeLog)> = households
            .iter()
            .filter(|(h, _)| seen.insert(*h))
            .map(|(h, card)| {
                let log = self.log(
                    action,
                    None,
                    None,
                    actor,
                    serde_json::json!({ "card_number": card, "via": via }),
                );
                (h.to_string(), log)
            })
            .collect();
        if reads.is_empty() {
            return Ok(());
        }
        Ok(self.store.record_reads(&reads).await?)
    }

    /// An auditor confirms (the hold takes effect after the grace period, the household is told now)
    /// or clears a pending finding.
    pub async fn decide_screening_finding(
        &self,
        actor: &Actor,
        finding_id: &str,
        confirm: bool,
        note: &str,
    ) -> Result<ScreeningFinding> {
        let detail = self.finding_detail(actor, finding_id).await?;
        let f = &detail.finding;
        if note.trim().is_empty() && !confirm {
            return Err(AppError::rule("note_required"));
        }
        if let Some(e) = tamwin_domain::check_free_text("note", note, 500) {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e,
            ])));
        }
        let now = self.clock.now();
        let effective = confirm.then(|| {
            now.checked_add(jiff::SignedDuration::from_hours(
                24 * self.screening_grace_days,
            ))
            .unwrap_or(now)
        });
        let reason = hold_reason(&f.kind);
        let member = detail.household.member(&f.member_id);
        let name = member.map(|m| m.given_name.clone()).unwrap_or_default();
        let message = match (&detail.household.household.phone, effective) {
            (Some(phone), Some(at)) => Some(OutboxMessage {
                message_id: self.ids.id(),
                channel: "sms".into(),
                recipient: phone.as_str().to_string(),
                body: format!(
                    "تموين: سيُوقف نصيب {name} من البطاقة {} بسبب: {}، ابتداءً من {}. للعلاج أو الاعتراض بمستند: بوابة المواطن أو مركز التحديث.",
                    detail.household.household.card_number.as_str(),
                    reason.label_ar(),
                    at.strftime("%Y-%m-%d")
                ),
                created_at: now,
                delivered_at: None,
            }),
            _ => None,
        };
        let kind = if confirm {
            "screening_confirmed"
        } else {
            "screening_cleared"
        };
        let log = self.log(
            kind,
            Some(f.member_id.clone()),
            Some(reason.code().into()),
            actor,
            serde_json::json!({
                "finding_id": f.finding_id,
                "kind": f.kind,
                "score": f.score_micros as f64 / 1e6,
                "effective_at": effective.map(|t| t.to_string()),
                "note": note,
            }),
        );
        let decided = self
            .store
            .decide_finding(&FindingDecision {
                finding_id,
                status: if confirm { "confirmed" } else { "cleared" },
                at: now,
                by: &actor.name,
                note,
                effective_at: effective,
                log: &log,
                message: message.as_ref(),
            })
            .await?;
        if !decided {
            return Err(AppError::rule("finding_decided"));
        }
        self.store
            .finding(finding_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Confirmed findings whose grace period is over become holds (run every few minutes).
    pub async fn apply_due_findings(&self) -> Result<u64> {
        let system = Actor::system("screening");
        let mut applied = 0;
        for f in self.store.due_findings(self.clock.now(), 500).await? {
            let Some(rec) = self.store.household_by_id(&f.household_id).await? else {
                continue;
            };
            let card = rec.household.card_number.clone();
            let reason = hold_reason(&f.kind);
            // A member no longer on the card (removed in the meantime) needs no hold.
            if rec.present_members().any(|m| m.member_id == f.member_id) {
                let input = HoldInput {
                    member_id: Some(f.member_id.clone()),
                    reason: reason.code().into(),
                    evidence: format!("screening finding {}: {}", f.finding_id, f.explanation),
                    source: "screening".into(),
                };
                self.place_hold_once(&card, &input, &system).await?;
            }
            let hold_id = self
                .store
                .household_by_id(&f.household_id)
                .await?
                .and_then(|r| {
                    r.holds
                        .iter()
                        .find(|h| {
                            h.is_active()
                                && h.reason == reason
                                && h.member_id.as_deref() == Some(f.member_id.as_str())
                        })
                        .map(|h| h.hold_id.clone())
                })
                .unwrap_or_default();
            if self
                .store
                .finding_in_effect(&f.finding_id, &hold_id)
                .await?
            {
                applied += 1;
            }
        }
        Ok(applied)
    }

    /// The findings confirmed against the citizen's household (and those cleared by their appeal), with
    /// the member each concerns and its latest appeal; the read is audited before it leaves.
    pub async fn my_screening(&self, actor: &Actor) -> Result<Vec<MyFinding>> {
        let household_id = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let filter = FindingFilter {
            household_id: Some(household_id.clone()),
            limit: 100,
            ..Default::default()
        };
        let appeals = self.store.appeals(None, Some(&household_id), 100).await?;
        let list: Vec<MyFinding> = self
            .store
            .finding_queue(&filter)
            .await?
            .into_iter()
            .filter_map(|q| {
                let appeal = appeals
                    .iter()
                    .rfind(|a| a.finding_id == q.finding.finding_id)
                    .cloned();
                // A finding cleared by an upheld appeal stays listed: the citizen learns the outcome.
                let upheld = appeal.as_ref().is_some_and(|a| a.status == "upheld");
                let shown = match q.finding.status.as_str() {
                    "confirmed" | "in_effect" => true,
                    "cleared" => upheld,
                    _ => false,
                };
                shown.then_some((q, appeal))
            })
            .map(|(q, appeal)| MyFinding {
                finding: q.finding,
                member_name: q.who.member_name,
                card_number: q.who.card_number,
                appeal,
            })
            .collect();
        let read: Vec<(&str, &str)> = list
            .iter()
            .map(|m| (household_id.as_str(), m.card_number.as_str()))
            .collect();
        self.record_screening_reads(actor, "household.read", "screening.my_findings", &read)
            .await?;
        Ok(list)
    }

    /// The citizen appeals a confirmed finding (or the hold it became) with a document.
    pub async fn submit_appeal(
        &self,
        actor: &Actor,
        finding_id: &str,
        statement: &str,
        document: Document,
    ) -> Result<String> {
        let household_id = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let f = self
            .store
            .finding(finding_id)
            .await?
            .filter(|f| f.household_id == household_id)
            .ok_or(AppError::NotFound)?;
        let lifted = match f.status.as_str() {
            "confirmed" => false,
            "in_effect" => !self
                .store
                .household_by_id(&f.household_id)
                .await?
                .is_some_and(|r| {
                    r.holds
                        .iter()
                        .any(|h| Some(&h.hold_id) == f.hold_id.as_ref() && h.is_active())
                }),
            _ => true,
        };
        if lifted {
            return Err(AppError::rule("appeal_hold_lifted"));
        }
        if statement.trim().is_empty() {
            return Err(AppError::rule("statement_required"));
        }
        if let Some(e) = tamwin_domain::check_free_text("statement", statement, 1000) {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e,
            ])));
        }
        let document = document.checked()?;
        let appeal = Appeal {
            appeal_id: self.ids.id(),
            finding_id: f.finding_id.clone(),
            household_id: household_id.clone(),
            submitted_at: self.clock.now(),
            statement: statement.trim().to_string(),
            document_name: document.name,
            document_type: document.content_type,
            document: document.bytes,
            status: "open".into(),
            decided_at: None,
            decided_by: None,
            decision_note: None,
        };
        let log = self.log(
            "appeal_submitted",
            Some(f.member_id.clone()),
            None,
            actor,
            serde_json::json!({"appeal_id": appeal.appeal_id, "finding_id": f.finding_id,
                "document": appeal.document_name, "bytes": appeal.document.len()}),
        );
        match self.store.submit_appeal(&appeal, &log).await {
            Err(StoreError::Conflict(Conflict::AppealOpen, _)) => {
                Err(AppError::rule("appeal_open"))
            }
            Err(e) => Err(e.into()),
            Ok(()) => Ok(appeal.appeal_id),
        }
    }

    /// The citizen's own appeal, as just submitted (the answer to the submission).
    pub async fn own_appeal(&self, actor: &Actor, appeal_id: &str) -> Result<Appeal> {
        let household_id = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let a = self
            .store
            .appeal(appeal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let f = self
            .store
            .finding(&a.finding_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if f.household_id != household_id {
            return Err(AppError::NotFound);
        }
        Ok(a)
    }

    /// An appeal with its document, for an auditor of the finding's area.
    pub async fn appeal_document(&self, actor: &Actor, appeal_id: &str) -> Result<Appeal> {
        actor.require(Permission::Screen)?;
        let a = self
            .store
            .appeal(appeal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let d = self.finding_detail(actor, &a.finding_id).await?;
        let h = &d.household.household;
        self.record_screening_reads(
            actor,
            "household.read",
            "screening.appeal_document",
            &[(h.household_id.as_str(), h.card_number.as_str())],
        )
        .await?;
        Ok(a)
    }

    /// An auditor decides an appeal: upheld clears the finding and lifts its hold; rejected keeps it.
    pub async fn decide_appeal(
        &self,
        actor: &Actor,
        appeal_id: &str,
        uphold: bool,
        note: &str,
    ) -> Result<()> {
        actor.require(Permission::Screen)?;
        let a = self
            .store
            .appeal(appeal_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let detail = self.finding_detail(actor, &a.finding_id).await?;
        if note.trim().is_empty() {
            return Err(AppError::rule("note_required"));
        }
        let log = self.log(
            if uphold {
                "appeal_upheld"
            } else {
                "appeal_rejected"
            },
            Some(detail.finding.member_id.clone()),
            None,
            actor,
            serde_json::json!({"appeal_id": appeal_id, "finding_id": a.finding_id, "note": note}),
        );
        let status = if uphold { "upheld" } else { "rejected" };
        if !self
            .store
            .decide_appeal(appeal_id, status, self.clock.now(), &actor.name, note, &log)
            .await?
        {
            return Err(AppError::rule("appeal_decided"));
        }
        if uphold {
            let f = &detail.finding;
            self.store
                .clear_finding(&f.finding_id, self.clock.now(), &actor.name, note)
                .await?;
            if let Some(hold_id) = f.hold_id.as_deref().filter(|h| !h.is_empty()) {
                let card = detail.household.household.card_number.clone();
                let lift = HoldLift {
                    reason: format!("appeal {appeal_id} upheld: {note}"),
                };
                let by = Actor::system(&format!("appeal {}", actor.name));
                match self.lift_hold(&card, hold_id, &lift, &by, None).await {
                    Ok(_) | Err(AppError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}

/// A finding with what the auditor compares: the member's card, the other card or the civil record.
pub struct FindingDetail {
    pub finding: ScreeningFinding,
    pub household: tamwin_domain::HouseholdRecord,
    /// The other card of a match, when it lies in the reader's area.
    pub other: Option<tamwin_domain::HouseholdRecord>,
    /// The other card of the match lies outside the reader's area: shown as such, without its data.
    pub other_outside_area: bool,
    pub civil: Option<crate::civil_search::VitalRecord>,
    pub appeals: Vec<Appeal>,
}

/// A finding on the citizen's card, with the member it concerns and its latest appeal.
pub struct MyFinding {
    pub finding: ScreeningFinding,
    pub member_name: String,
    pub card_number: String,
    pub appeal: Option<Appeal>,
}

/// Which queue page to show: filters (all within the reader's area) and the keyset cursor.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub decision: Option<String>,
    pub district: Option<String>,
    /// `next_after` of the previous page.
    pub after: Option<String>,
    pub limit: u32,
}

fn cursor_invalid() -> AppError {
    AppError::Validation(tamwin_domain::ValidationErrors(vec![
        tamwin_domain::FieldError::new("after", "cursor_invalid", "the page cursor is not valid"),
    ]))
}

fn parse_queue_cursor(s: &str) -> Result<tamwin_store::QueueCursor> {
    let mut parts = s.splitn(3, '~');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(score), Some(id)) if !id.is_empty() => Ok(tamwin_store::QueueCursor {
            decision: d.to_string(),
            score_micros: score.parse().map_err(|_| cursor_invalid())?,
            finding_id: id.to_string(),
        }),
        _ => Err(cursor_invalid()),
    }
}

fn parse_inbox_cursor(s: &str) -> Result<(jiff::Timestamp, String)> {
    let (at, id) = s.split_once('~').ok_or_else(cursor_invalid)?;
    let at = at.parse().map_err(|_| cursor_invalid())?;
    Ok((at, id.to_string()))
}

/// Who a queued finding or appeal concerns.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConcernedView {
    pub card_number: String,
    pub member_name: String,
    pub governorate: String,
    pub district: String,
    pub district_name_ar: String,
    pub district_name_en: String,
}

impl ConcernedView {
    fn of(c: &tamwin_store::Concerned, geo: &tamwin_domain::Geography) -> Self {
        let d = geo.district(&c.district_code);
        ConcernedView {
            card_number: c.card_number.clone(),
            member_name: c.member_name.clone(),
            governorate: c.governorate_code.clone(),
            district: c.district_code.clone(),
            district_name_ar: d.map(|d| d.name_ar.clone()).unwrap_or_default(),
            district_name_en: d.map(|d| d.name_en.clone()).unwrap_or_default(),
        }
    }
}

/// A finding in the auditors' queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItemView {
    pub finding: FindingView,
    pub who: ConcernedView,
}

/// How many findings of a kind and status lie in the reader's area.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountView {
    pub kind: String,
    pub status: String,
    pub count: i64,
}

/// One page of the auditors' queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuePage {
    pub items: Vec<QueueItemView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
    /// Findings by kind and status in the reader's area (narrowed by the district filter).
    pub counts: Vec<CountView>,
}

/// An open appeal in the auditors' inbox.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxItemView {
    pub appeal: AppealView,
    /// The finding's kind.
    pub kind: String,
    pub member_id: String,
    pub who: ConcernedView,
    /// Whole days since it was submitted.
    pub age_days: i64,
}

/// One page of the appeals inbox, oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxPage {
    pub items: Vec<InboxItemView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// A finding as the API shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingView {
    pub finding_id: String,
    pub run_id: String,
    /// `same_id`, `duplicate`, `deceased`, `abroad`, `fictitious`.
    pub kind: String,
    pub household_id: String,
    pub member_id: String,
    pub other_household_id: Option<String>,
    pub other_member_id: Option<String>,
    pub other_national_id: Option<String>,
    /// Match probability (fictitious: one minus the best match in the civil registry).
    pub score: f64,
    /// `hold` (a hold pending review) or `review`.
    pub decision: String,
    /// Each field's level and weight (docs/formats.md).
    pub explanation: String,
    /// `pending`, `confirmed`, `in_effect`, `cleared`.
    pub status: String,
    /// The hold this finding becomes, and its reason code.
    pub hold_reason: String,
    pub created_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    /// When the hold takes effect (confirmed findings).
    pub effective_at: Option<String>,
    pub hold_id: Option<String>,
}

impl From<&ScreeningFinding> for FindingView {
    fn from(f: &ScreeningFinding) -> Self {
        FindingView {
            finding_id: f.finding_id.clone(),
            run_id: f.run_id.clone(),
            kind: f.kind.clone(),
            household_id: f.household_id.clone(),
            member_id: f.member_id.clone(),
            other_household_id: f.other_household_id.clone(),
            other_member_id: f.other_member_id.clone(),
            other_national_id: f.other_national_id.clone(),
            score: f.score_micros as f64 / 1e6,
            decision: f.decision.clone(),
            explanation: f.explanation.clone(),
            status: f.status.clone(),
            hold_reason: hold_reason(&f.kind).code().to_string(),
            created_at: f.created_at.to_string(),
            decided_at: f.decided_at.map(|t| t.to_string()),
            decided_by: f.decided_by.clone(),
            decision_note: f.decision_note.clone(),
            effective_at: f.effective_at.map(|t| t.to_string()),
            hold_id: f.hold_id.clone().filter(|h| !h.is_empty()),
        }
    }
}

/// An appeal as the API shows it (without the document).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppealView {
    pub appeal_id: String,
    pub finding_id: String,
    pub submitted_at: String,
    pub statement: String,
    pub document_name: String,
    pub document_type: String,
    /// `open`, `upheld`, `rejected`.
    pub status: String,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

impl From<&Appeal> for AppealView {
    fn from(a: &Appeal) -> Self {
        AppealView {
            appeal_id: a.appeal_id.clone(),
            finding_id: a.finding_id.clone(),
            submitted_at: a.submitted_at.to_string(),
            statement: a.statement.clone(),
            document_name: a.document_name.clone(),
            document_type: a.document_type.clone(),
            status: a.status.clone(),
            decided_at: a.decided_at.map(|t| t.to_string()),
            decision_note: a.decision_note.clone(),
        }
    }
}

/// One side of a finding: the fields screening compared.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SideView {
    /// The card number (members) or empty (civil registry).
    pub card_number: String,
    pub national_id: Option<String>,
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    pub family_name: Option<String>,
    pub mother_name: String,
    pub birth_date: String,
    pub sex: String,
    /// Civil registry: the death date or the departure date.
    pub death_date: Option<String>,
    pub abroad_since: Option<String>,
}

fn member_side(r: &tamwin_domain::HouseholdRecord, member_id: &str) -> Option<SideView> {
    let m = r.member(member_id)?;
    Some(SideView {
        card_number: r.household.card_number.as_str().to_string(),
        national_id: m.national_id.as_ref().map(|n| n.as_str().to_string()),
        given_name: m.given_name.clone(),
        father_name: m.father_name.clone(),
        grandfather_name: m.grandfather_name.clone(),
        family_name: m.family_name.clone(),
        mother_name: m.mother_name.clone(),
        birth_date: m.birth_date.to_string(),
        sex: m.sex.code().to_string(),
        death_date: None,
        abroad_since: None,
    })
}

/// A finding with both records side by side and its appeals: what the auditor decides on.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FindingDetailView {
    pub finding: FindingView,
    pub member: SideView,
    /// The other member, or the civil registry's person; none for fictitious, and none when the
    /// other card lies outside the reader's area (`other_outside_area`).
    pub other: Option<SideView>,
    /// A card outside the reader's area matches: its data is not shown (the explanation is); an
    /// auditor whose area covers both cards sees both.
    pub other_outside_area: bool,
    pub appeals: Vec<AppealView>,
}

impl FindingDetail {
    pub fn view(&self) -> FindingDetailView {
        let f = &self.finding;
        let other = match (&self.other, &f.other_member_id, &self.civil) {
            (Some(r), Some(m), _) => member_side(r, m),
            (_, _, Some(c)) => Some(SideView {
                card_number: String::new(),
                national_id: Some(c.national_id.clone()),
                given_name: c.given_name.clone(),
                father_name: c.father_name.clone(),
                grandfather_name: c.grandfather_name.clone(),
                family_name: c.family_name.clone(),
                mother_name: c.mother_name.clone(),
                birth_date: c.birth_date.clone(),
                sex: c.sex.clone(),
                death_date: c.death_date.clone(),
                abroad_since: c.abroad_since.clone(),
            }),
            _ => None,
        };
        let mut finding = FindingView::from(f);
        if self.other_outside_area {
            finding.other_household_id = None;
            finding.other_member_id = None;
        }
        FindingDetailView {
            finding,
            member: member_side(&self.household, &f.member_id).unwrap_or_default(),
            other,
            other_outside_area: self.other_outside_area,
            appeals: self.appeals.iter().map(AppealView::from).collect(),
        }
    }
}
