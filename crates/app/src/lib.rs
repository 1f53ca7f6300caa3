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
mod clock;
pub mod complaints;
pub mod crvs;
pub mod cycles;
pub mod declarations;
pub mod declarations_import;
pub mod devices;
pub mod documents;
mod error;
pub mod events;
pub mod exemptions;
pub mod home_visits;
mod households;
pub mod http_transport;
pub mod hub_client;
mod idempotency;
mod ids;
pub mod import;
pub mod jobs;
pub mod lists;
mod mutate;
pub mod outlets;
pub mod payments;
pub mod programmes;
pub mod progress;
pub mod proxies;
pub mod reconcile;
pub mod redemption;
mod registry;
pub mod screening;
pub mod secret;
pub mod session;
pub mod staff;
pub mod stock;
pub mod temporary_cards;
pub mod throttle;
mod tokens;
pub mod update_status;
mod verify;
mod view;
pub mod warehouses;

pub use actor::{Actor, ActorKind};
pub use centre_visits::{CheckInRequest, MemberCheck, MemberCheckResult, VisitPageData};
pub use citizen::{DATA_USES_PAGE, DataUse};
pub use clock::{Clock, FixedClock, OffsetClock, SystemClock};
pub use error::{AppError, Rule};
pub use households::NAME_QUERY_MAX_CHARS;
pub use idempotency::{IdemRequest, Outcome};
pub use ids::{IdGen, RandomIds, SeqIds};
pub use mutate::{
    Closure, HeadChange, HoldInput, HoldLift, MemberChange, MemberRemoval, PhoneChange,
};
pub use registry::{ItemNames, Registry};
pub use session::{LogGateway, NewSession, SignedIn, SmsGateway};
pub use view::{HoldView, HouseholdView, MemberView};

pub(crate) use households::rule_evidence;

pub type Result<T> = std::result::Result<T, AppError>;
