//! Use cases of the registry. Handlers call these; these call the domain rules and the store.
//! Time and ids are injected (`Clock`, `IdGen`) so tests control both.

mod actor;
pub mod appointments;
pub mod audit;
pub mod births;
pub mod card_delivery;
mod centre_visits;
mod citizen;
pub mod civil_search;
pub mod crvs;
pub mod devices;
pub mod documents;
mod error;
pub mod events;
pub mod exemptions;
pub mod home_visits;
pub mod http_transport;
pub mod hub_client;
pub mod import;
pub mod jobs;
mod mutate;
pub mod progress;
pub mod reconcile;
pub mod screening;
pub mod secret;
pub mod session;
pub mod staff;
pub mod temporary_cards;
pub mod throttle;
mod tokens;
pub mod update_status;
mod verify;
mod view;

pub use actor::{Actor, ActorKind};
pub use centre_visits::{CheckInRequest, MemberCheck, MemberCheckResult};
pub use citizen::{DATA_USES_PAGE, DataUse};
pub use error::{AppError, Rule};
pub use mutate::{
    Closure, HeadChange, HoldInput, HoldLift, MemberChange, MemberRemoval, PhoneChange,
};
pub use session::{LogGateway, NewSession, SignedIn, SmsGateway};
pub use view::{HoldView, HouseholdView, MemberView};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tamwin_domain::access::Permission;
use tamwin_domain::household::{MemberData, automatic_holds};
use tamwin_domain::{
    CardNumber, Geography, Hold, HoldReason, Household, HouseholdRecord, Member, NationalId,
    NewHousehold, Presence,
};
use tamwin_store::{
    ChangeLog, Conflict, HouseholdSummary, IdemEntry, ListFilter, NameHit, Store, StoreError,
};

pub type Result<T> = std::result::Result<T, AppError>;

/// Where time comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> jiff::Timestamp;
    /// Today's date in Iraq (UTC+3 all year).
    fn today(&self) -> jiff::civil::Date {
        let offset = jiff::tz::Offset::constant(3);
        offset.to_datetime(self.now()).date()
    }
}

pub struct SystemClock;
impl Clock for SystemClock {
    /// Microseconds, the precision the store keeps: what a response shows is what a later read shows.
    fn now(&self) -> jiff::Timestamp {
        let now = jiff::Timestamp::now();
        jiff::Timestamp::from_microsecond(now.as_microsecond()).unwrap_or(now)
    }
}

/// The system clock moved by a fixed amount: a demo that starts on a chosen day and hour (so that a
/// browser test finds an open centre whatever the real time), and runs on from there.
pub struct OffsetClock(pub jiff::SignedDuration);
impl Clock for OffsetClock {
    fn now(&self) -> jiff::Timestamp {
        let now = SystemClock.now();
        now.checked_add(self.0).unwrap_or(now)
    }
}

/// A clock that stands still unless moved: for tests.
pub struct FixedClock(pub std::sync::Mutex<jiff::Timestamp>);
impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|e| *e.into_inner())
    }
}

/// Where ids and card serials come from.
pub trait IdGen: Send + Sync {
    fn id(&self) -> String;
    /// A random eight-digit card serial.
    fn card_serial(&self) -> u32;
}

/// UUIDv7 ids (time-ordered, so inserts stay local in indexes) and random serials.
pub struct RandomIds;
impl IdGen for RandomIds {
    fn id(&self) -> String {
        uuid::Uuid::now_v7().to_string()
    }
    fn card_serial(&self) -> u32 {
        (uuid::Uuid::new_v4().as_u128() % 100_000_000) as u32
    }
}

/// Deterministic ids from a counter and a seed: for tests.
pub struct SeqIds {
    next: AtomicU64,
    seed: u64,
}
impl SeqIds {
    pub fn new(seed: u64) -> Self {
        Self {
            next: AtomicU64::new(1),
            seed,
        }
    }
}
impl IdGen for SeqIds {
    fn id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        uuid::Uuid::from_u64_pair(self.seed, n).to_string()
    }
    fn card_serial(&self) -> u32 {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        ((n.wrapping_mul(2_654_435_761).wrapping_add(self.seed)) % 100_000_000) as u32
    }
}

/// What a state-changing request carries for idempotency.
#[derive(Debug, Clone)]
pub struct IdemRequest {
    pub key: String,
    pub request_hash: String,
}

impl IdemRequest {
    /// The key as stored: prefixed by the caller, so keys of different callers never meet.
    pub(crate) fn scoped(idem: Option<&IdemRequest>, actor: &Actor) -> Option<IdemRequest> {
        idem.map(|i| IdemRequest {
            key: format!("{}|{}", actor.key(), i.key),
            request_hash: i.request_hash.clone(),
        })
    }
}

/// The result of a state-changing use case: what to answer, already serialised, so that a replay with
/// the same idempotency key answers byte for byte the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

pub struct Registry {
    pub store: Arc<dyn Store>,
    pub geo: Arc<Geography>,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdGen>,
    /// Where one-time codes go after the outbox (`LogGateway`, in memory, unless replaced: `tamwin
    /// serve` puts the configured gateway here).
    pub sms: Arc<dyn SmsGateway>,
    /// The identity hub, when one is configured.
    pub hub: Option<Arc<hub_client::HubClient>>,
    /// Where screening asks the civil registry; the hub's search when none is set.
    pub civil: Option<Arc<dyn civil_search::CivilSearch>>,
    /// Days abroad after which a member is held (the programme's limit; 183 by default).
    pub abroad_after_days: i64,
    /// The keys that sign appointment forms and temporary cards, when configured.
    pub forms: Option<Arc<appointments::FormKeys>>,
    /// Months a temporary card lasts (6 by default).
    pub temporary_card_months: i64,
    /// Days between confirming a screening finding and its hold taking effect (14 by default).
    pub screening_grace_days: i64,
    /// Wakes this server's job runner at once (a screening run queued, a "run now").
    pub jobs_wake: Arc<tokio::sync::Notify>,
}

const CARD_ATTEMPTS: usize = 8;
/// The longest name search query, in characters: a full name chain fits well within it (docs/formats.md).
pub const NAME_QUERY_MAX_CHARS: usize = 200;

impl Registry {
    pub fn new(
        store: Arc<dyn Store>,
        geo: Arc<Geography>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdGen>,
    ) -> Self {
        Self {
            store,
            geo,
            clock,
            ids,
            sms: Arc::new(LogGateway::default()),
            hub: None,
            civil: None,
            abroad_after_days: events::ABROAD_AFTER_DAYS,
            forms: None,
            temporary_card_months: temporary_cards::TEMPORARY_CARD_MONTHS,
            screening_grace_days: screening::GRACE_DAYS,
            jobs_wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    pub fn backend(&self) -> tamwin_store::Backend {
        self.store.backend()
    }

    /// How busy the database's connection pool is, and which backend it is (for `/metrics`).
    pub fn pool_stats(&self) -> (tamwin_store::Backend, tamwin_store::PoolStats) {
        (self.store.backend(), self.store.pool_stats())
    }

    /// Migrates the schema and writes the reference geography: run at every start.
    pub async fn prepare(&self) -> Result<usize> {
        let n = self.store.migrate().await?;
        self.store.save_geography(&self.geo).await?;
        let teams =
            tamwin_domain::geography::builtin_teams(&self.geo).map_err(AppError::Internal)?;
        for t in teams {
            self.store
                .save_team(&tamwin_store::MobileTeam {
                    team_code: t.code,
                    district_code: t.district_code,
                    name_ar: t.name_ar,
                    visits_per_day: i64::from(t.visits_per_day),
                })
                .await?;
        }
        Ok(n)
    }

    /// Replays the stored answer for a key, refuses a key reused for another request, or says "go on".
    async fn replay(&self, idem: Option<&IdemRequest>) -> Result<Option<Outcome>> {
        let Some(req) = idem else { return Ok(None) };
        match self.store.idempotency_entry(&req.key).await? {
            Some(e) if e.request_hash == req.request_hash => Ok(Some(Outcome {
                status: e.status,
                body: e.body,
                replayed: true,
            })),
            Some(_) => Err(AppError::IdempotencyKeyReused),
            None => Ok(None),
        }
    }

    fn idem_entry(&self, idem: Option<&IdemRequest>, status: u16, body: &str) -> Option<IdemEntry> {
        idem.map(|r| IdemEntry {
            key: r.key.clone(),
            request_hash: r.request_hash.clone(),
            status,
            body: body.to_string(),
            created_at: self.clock.now(),
        })
    }

    /// A failure can be a retry of a request that succeeded meanwhile (the same key, in flight at the
    /// same time): then the stored answer is the answer.
    async fn settle(&self, idem: Option<&IdemRequest>, result: Result<Outcome>) -> Result<Outcome> {
        match result {
            Err(e) if idem.is_some() && !matches!(e, AppError::IdempotencyKeyReused) => {
                match self.replay(idem).await {
                    Ok(Some(o)) => Ok(o),
                    Err(AppError::IdempotencyKeyReused) => Err(AppError::IdempotencyKeyReused),
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    /// A concurrent request with the same key won the race: answer what it stored.
    async fn after_idem_race(&self, idem: Option<&IdemRequest>) -> Result<Outcome> {
        match self.replay(idem).await? {
            Some(o) => Ok(o),
            None => Err(AppError::Store(StoreError::Conflict(
                Conflict::IdempotencyKeyTaken,
                "vanished".into(),
            ))),
        }
    }

    fn new_member(&self, no: i64, data: MemberData) -> Member {
        Member {
            member_id: self.ids.id(),
            member_no: no,
            data,
            presence: Presence::Present,
            removed_reason: None,
        }
    }

    /// Holds the registry places by rule on a new member (`domain::household::automatic_holds`).
    fn rule_holds(&self, m: &Member, actor: &Actor) -> Vec<Hold> {
        automatic_holds(&m.data)
            .into_iter()
            .map(|reason| {
                self.new_hold(
                    Some(m.member_id.clone()),
                    reason,
                    rule_evidence(reason),
                    "registry_rule",
                    actor,
                )
            })
            .collect()
    }

    fn new_hold(
        &self,
        member_id: Option<String>,
        reason: HoldReason,
        evidence: &str,
        source: &str,
        actor: &Actor,
    ) -> Hold {
        Hold {
            hold_id: self.ids.id(),
            member_id,
            reason,
            evidence: evidence.to_string(),
            source: source.to_string(),
            since: self.clock.now(),
            placed_by: actor.name.clone(),
            lifted_at: None,
            lifted_by: None,
            lift_reason: None,
        }
    }

    /// Registers a household with its members in one transaction.
    pub async fn create_household(
        &self,
        input: &NewHousehold,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        actor.require(Permission::Register)?;
        let idem = IdemRequest::scoped(idem, actor);
        let idem = idem.as_ref();
        let result = self.create_household_once(input, actor, idem).await;
        self.settle(idem, result).await
    }

    async fn create_household_once(
        &self,
        input: &NewHousehold,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        if let Some(o) = self.replay(idem).await? {
            return Ok(o);
        }
        let valid = input
            .validate(&self.geo, self.clock.today())
            .map_err(AppError::Validation)?;
        if !actor.covers(&valid.governorate, &valid.district) {
            return Err(AppError::Forbidden);
        }
        if let Some(a) = &valid.agent_code
            && !self
                .store
                .agents_in_district(&valid.district)
                .await?
                .iter()
                .any(|x| &x.code == a)
        {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                tamwin_domain::FieldError::new(
                    "agent_code",
                    "agent_unknown",
                    "unknown ration agent for this district",
                ),
            ])));
        }
        let ids: Vec<NationalId> = valid
            .members
            .iter()
            .filter_map(|m| m.national_id.clone())
            .collect();
        if !self.store.national_id_owners(&ids).await?.is_empty() {
            return Err(AppError::NationalIdTaken);
        }
        let now = self.clock.now();
        let members: Vec<Member> = valid
            .members
            .into_iter()
            .enumerate()
            .map(|(i, d)| self.new_member(i as i64 + 1, d))
            .collect();
        let holds: Vec<Hold> = members
            .iter()
            .flat_map(|m| self.rule_holds(m, actor))
            .collect();
        let head = members
            .iter()
            .find(|m| m.relation == tamwin_domain::Relation::Head)
            .map(|m| m.member_id.clone());
        let head_member_id =
            head.ok_or_else(|| AppError::Internal("validated household without head".into()))?;
        let household_id = self.ids.id();
        for _ in 0..CARD_ATTEMPTS {
            let card_number = CardNumber::new(&valid.governorate, self.ids.card_serial())
                .ok_or_else(|| AppError::Internal("card number".into()))?;
            let mut rec = HouseholdRecord {
                household: Household {
                    household_id: household_id.clone(),
                    card_number,
                    governorate: valid.governorate.clone(),
                    district: valid.district.clone(),
                    address: valid.address.clone(),
                    agent_code: valid.agent_code.clone(),
                    phone: valid.phone.clone(),
                    state: tamwin_domain::CardState::Active,
                    head_member_id: head_member_id.clone(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    closed_at: None,
                },
                members: members.clone(),
                holds: holds.clone(),
            };
            rec.household.state = rec.derived_state();
            let body = serde_json::to_string(&HouseholdView::of(&rec))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let log = self.log(
                "created",
                None,
                None,
                actor,
                serde_json::json!({ "members": rec.members.len() }),
            );
            match self
                .store
                .create_household(&rec, &log, self.idem_entry(idem, 201, &body).as_ref())
                .await
            {
                Ok(()) => {
                    return Ok(Outcome {
                        status: 201,
                        body,
                        replayed: false,
                    });
                }
                Err(StoreError::Conflict(Conflict::CardNumberTaken, _)) => continue,
                Err(StoreError::Conflict(Conflict::IdempotencyKeyTaken, _)) => {
                    return self.after_idem_race(idem).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal(
            "no free card number after several attempts".into(),
        ))
    }

    fn log(
        &self,
        kind: &'static str,
        member_id: Option<String>,
        reason: Option<String>,
        actor: &Actor,
        details: serde_json::Value,
    ) -> ChangeLog {
        ChangeLog {
            change_id: self.ids.id(),
            at: self.clock.now(),
            actor: actor.name.clone(),
            role: actor.role_code().to_string(),
            area: actor.area_code(),
            kind,
            member_id,
            reason,
            details,
            channel: actor.channel,
        }
    }

    /// Opens a household: staff within their area, a citizen their own; anything else is not found.
    /// The read is in the audit log before the data leaves.
    pub async fn household(&self, card: &CardNumber, actor: &Actor) -> Result<HouseholdView> {
        if !actor.is_citizen() {
            actor.require(Permission::ReadPersonal)?;
        }
        let r = self
            .store
            .household_by_card(card)
            .await?
            .filter(|r| actor.sees(&r.household))
            .ok_or(AppError::NotFound)?;
        self.record_reads(
            actor,
            "household.read",
            &[(&r.household.household_id, card)],
        )
        .await?;
        Ok(HouseholdView::of(&r))
    }

    pub async fn household_by_national_id(
        &self,
        id: &NationalId,
        actor: &Actor,
    ) -> Result<Option<HouseholdView>> {
        actor.require(Permission::ReadPersonal)?;
        let Some(r) = self
            .store
            .household_by_national_id(id)
            .await?
            .filter(|r| actor.sees(&r.household))
        else {
            return Ok(None);
        };
        self.record_reads(
            actor,
            "household.read",
            &[(&r.household.household_id, &r.household.card_number)],
        )
        .await?;
        Ok(Some(HouseholdView::of(&r)))
    }

    /// One audit entry per household whose personal data is about to be shown.
    pub(crate) async fn record_reads(
        &self,
        actor: &Actor,
        action: &'static str,
        households: &[(&String, &CardNumber)],
    ) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        let reads: Vec<(String, ChangeLog)> = households
            .iter()
            .filter(|(h, _)| seen.insert(*h))
            .map(|(h, c)| {
                let log = self.log(
                    action,
                    None,
                    None,
                    actor,
                    serde_json::json!({ "card_number": c.as_str() }),
                );
                ((*h).clone(), log)
            })
            .collect();
        Ok(self.store.record_reads(&reads).await?)
    }

    /// Members found by a name in any spelling variant; `birth_year` narrows the result.
    pub async fn search_by_name(
        &self,
        name: &str,
        birth_year: Option<i16>,
        limit: u32,
        actor: &Actor,
    ) -> Result<Vec<NameHit>> {
        actor.require(Permission::ReadPersonal)?;
        if name.chars().count() > NAME_QUERY_MAX_CHARS {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                tamwin_domain::FieldError::new(
                    "name",
                    "name_query_too_long",
                    "the name searched for is longer than 200 characters",
                ),
            ])));
        }
        let key = tamwin_text_ar::name_key(name);
        if key.is_empty() {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                tamwin_domain::FieldError::new(
                    "name",
                    "name_required",
                    "give a name to search for",
                ),
            ])));
        }
        let hits = self
            .store
            .search_by_name(
                &key,
                birth_year,
                &actor.scope(&self.geo),
                limit.clamp(1, 200),
            )
            .await?;
        let read: Vec<(&String, &CardNumber)> = hits
            .iter()
            .map(|h| (&h.household_id, &h.card_number))
            .collect();
        self.record_reads(actor, "household.listed", &read).await?;
        Ok(hits)
    }

    /// A page of households within both the filter and the caller's area (a filter outside the area
    /// finds nothing, as if the households did not exist).
    pub async fn list(&self, filter: &ListFilter, actor: &Actor) -> Result<Vec<HouseholdSummary>> {
        actor.require(Permission::ReadPersonal)?;
        let scope = actor.scope(&self.geo);
        let mut f = filter.clone();
        for (wanted, allowed) in [
            (&mut f.governorate, scope.governorate),
            (&mut f.district, scope.district),
        ] {
            match (wanted.as_ref(), allowed) {
                (Some(w), Some(a)) if *w != a => return Ok(vec![]),
                (None, Some(a)) => *wanted = Some(a),
                _ => {}
            }
        }
        let rows = self.store.list_households(&f).await?;
        let read: Vec<(&String, &CardNumber)> = rows
            .iter()
            .map(|h| (&h.household_id, &h.card_number))
            .collect();
        self.record_reads(actor, "household.listed", &read).await?;
        Ok(rows)
    }

    /// Households and members by district and card state, within the caller's area: no personal data.
    pub async fn stats(&self, actor: &Actor) -> Result<Vec<tamwin_store::AreaCount>> {
        actor.require(Permission::ReadAggregates)?;
        Ok(self.store.household_stats(&actor.scope(&self.geo)).await?)
    }
}

pub(crate) fn rule_evidence(reason: HoldReason) -> &'static str {
    match reason {
        HoldReason::NoNationalId => "no unified national ID on record",
        _ => "registry rule",
    }
}
