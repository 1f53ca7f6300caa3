//! The application: `Registry` holds the store, the geography, the ports and the programme's settings;
//! every use case is a method on it, in a file per capability.

use crate::*;
use std::sync::Arc;
use tamwin_domain::Geography;
use tamwin_store::{ChangeLog, Store};

/// An item's name in a language, when known.
pub type ItemNames = Arc<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

/// Its fields are private: `web` and the binary reach the store, the ports and the settings only
/// through the methods below and the use cases.
pub struct Registry {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) geo: Arc<Geography>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: Arc<dyn IdGen>,
    /// Where one-time codes go after the outbox (`LogGateway`, in memory, unless replaced: `tamwin
    /// serve` puts the configured gateway here).
    pub(crate) sms: Arc<dyn SmsGateway>,
    /// The identity hub, when one is configured.
    pub(crate) hub: Option<Arc<hub_client::HubClient>>,
    /// Where screening asks the civil registry; the hub's search when none is set.
    pub(crate) civil: Option<Arc<dyn civil_search::CivilSearch>>,
    /// Days abroad after which a member is held (the programme's limit; 183 by default).
    pub(crate) abroad_after_days: i64,
    /// The keys that sign appointment forms and temporary cards, when configured.
    pub(crate) forms: Option<Arc<appointments::FormKeys>>,
    /// Months a temporary card lasts (6 by default).
    pub(crate) temporary_card_months: i64,
    /// Days between confirming a screening finding and its hold taking effect (14 by default).
    pub(crate) screening_grace_days: i64,
    /// Wakes this server's job runner at once (a screening run queued, a "run now").
    pub(crate) jobs_wake: Arc<tokio::sync::Notify>,
    /// Minutes within which an outlet's device may void its own collection (15 by default).
    pub(crate) void_minutes: i64,
    /// Whether a collection that would take an outlet's stock below zero is refused (off by default:
    /// the variance shows it).
    pub(crate) refuse_beyond_stock: bool,
    /// The payment provider fees are paid through, when one is configured.
    pub(crate) payments: Option<Arc<dyn payments::PaymentProvider>>,
    /// An item's name in a language (`ar`, `en`) for the messages families receive; without it the
    /// messages name items by their codes.
    pub(crate) item_names: Option<ItemNames>,
    /// Households one person may be proxy for at once, and a grant's fee in fils.
    pub(crate) proxy_limit: i64,
    pub(crate) proxy_fee: i64,
    /// Programme versions parsed, by programme and version (`cycle_version`).
    pub(crate) versions: std::sync::Mutex<
        std::collections::HashMap<
            (String, i64),
            (
                tamwin_domain::programme::Programme,
                tamwin_domain::programme::ProgrammeVersion,
            ),
        >,
    >,
}

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
            void_minutes: redemption::VOID_MINUTES,
            refuse_beyond_stock: false,
            versions: Default::default(),
            payments: None,
            item_names: None,
            proxy_limit: tamwin_domain::proxy::MAX_HOUSEHOLDS,
            proxy_fee: proxies::FEE_FILS,
        }
    }

    /// The reference geography the registry is organised by.
    pub fn geo(&self) -> &Arc<Geography> {
        &self.geo
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The identity hub, when one is configured (`hub()` is the use cases' "or refuse").
    pub fn hub_client(&self) -> Option<&Arc<hub_client::HubClient>> {
        self.hub.as_ref()
    }

    /// The keys that sign appointment forms and temporary cards, when configured.
    pub fn forms(&self) -> Option<&Arc<appointments::FormKeys>> {
        self.forms.as_ref()
    }

    /// Wakes this server's job runner at once.
    pub fn jobs_wake(&self) -> &Arc<tokio::sync::Notify> {
        &self.jobs_wake
    }

    pub fn set_geo(&mut self, geo: Arc<Geography>) {
        self.geo = geo;
    }

    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    pub fn set_sms(&mut self, sms: Arc<dyn SmsGateway>) {
        self.sms = sms;
    }

    pub fn set_hub(&mut self, hub: Arc<hub_client::HubClient>) {
        self.hub = Some(hub);
    }

    /// Where screening asks the civil registry when no hub is configured (the embedded default).
    pub fn set_civil_search(&mut self, civil: Arc<dyn civil_search::CivilSearch>) {
        self.civil = Some(civil);
    }

    pub fn set_forms(&mut self, forms: Arc<appointments::FormKeys>) {
        self.forms = Some(forms);
    }

    /// The programme's settings: days abroad before a hold, months a temporary card lasts, and days
    /// of grace between a confirmed finding and its hold.
    pub fn set_rules(
        &mut self,
        abroad_after_days: i64,
        temporary_card_months: i64,
        grace_days: i64,
    ) {
        self.abroad_after_days = abroad_after_days;
        self.temporary_card_months = temporary_card_months;
        self.screening_grace_days = grace_days;
    }

    /// The outlets' settings: minutes a device may void its own collection in, and whether a
    /// collection beyond the outlet's stock is refused.
    pub fn set_outlet_rules(&mut self, void_minutes: i64, refuse_beyond_stock: bool) {
        self.void_minutes = void_minutes;
        self.refuse_beyond_stock = refuse_beyond_stock;
    }

    /// Where the messages families receive take items' names from (the web's catalogs).
    pub fn set_item_names(&mut self, names: ItemNames) {
        self.item_names = Some(names);
    }

    /// The item's name in the language, or its code.
    pub(crate) fn item_name(&self, item: &str, lang: &str) -> String {
        self.item_names
            .as_ref()
            .and_then(|f| f(item, lang))
            .unwrap_or_else(|| item.to_string())
    }

    pub fn set_payments(&mut self, provider: Arc<dyn payments::PaymentProvider>) {
        self.payments = Some(provider);
    }

    /// The proxies' settings: households one person may be proxy for at once, and a grant's fee (fils).
    pub fn set_proxy_rules(&mut self, limit: i64, fee: i64) {
        self.proxy_limit = limit;
        self.proxy_fee = fee;
    }

    pub fn abroad_after_days(&self) -> i64 {
        self.abroad_after_days
    }

    pub fn set_abroad_after_days(&mut self, days: i64) {
        self.abroad_after_days = days;
    }

    /// The store itself, for tests that look behind the application (never for `web`: a source test
    /// there refuses it).
    #[cfg(feature = "testkit")]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
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

    /// The audit entry of a change (or a read) by `actor`, stamped now.
    pub(crate) fn log(
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
}
