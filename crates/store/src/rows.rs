//! Domain values to column values and back, shared by both backends.

use crate::{ChangeLog, IdemEntry, StoreError};
use jiff::Timestamp;
use tamwin_domain::household::{MemberData, parse_date};
use tamwin_domain::{
    CardNumber, CardState, Hold, HoldReason, Household, Member, NationalId, Presence, Relation,
    Sex, Vulnerability,
};

/// A column value: the few types the schema uses, bindable on both backends.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
}

impl From<&str> for Val {
    fn from(s: &str) -> Self {
        Val::Text(s.to_string())
    }
}
impl From<String> for Val {
    fn from(s: String) -> Self {
        Val::Text(s)
    }
}
impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Self {
        Val::OptText(s)
    }
}
/// Identifiers are stored as their text.
macro_rules! id_vals {
    ($($id:ty),*) => {$(
        impl From<$id> for Val {
            fn from(id: $id) -> Self {
                Val::Text(id.into_string())
            }
        }
        impl From<&$id> for Val {
            fn from(id: &$id) -> Self {
                Val::Text(id.to_string())
            }
        }
        impl From<Option<$id>> for Val {
            fn from(id: Option<$id>) -> Self {
                Val::OptText(id.map(<$id>::into_string))
            }
        }
    )*};
}
id_vals!(
    tamwin_domain::HouseholdId,
    tamwin_domain::MemberId,
    tamwin_domain::AppointmentId,
    tamwin_domain::FindingId
);

impl From<i64> for Val {
    fn from(n: i64) -> Self {
        Val::Int(n)
    }
}
impl From<Option<i64>> for Val {
    fn from(n: Option<i64>) -> Self {
        Val::OptInt(n)
    }
}
impl From<bool> for Val {
    fn from(b: bool) -> Self {
        Val::Bool(b)
    }
}

/// Timestamps are stored as UTC text with microseconds, so that text order is time order.
pub(crate) fn ts(t: &Timestamp) -> String {
    format!("{t:.6}")
}

pub(crate) fn parse_ts(s: &str) -> Result<Timestamp, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s}: {e}")))
}

pub(crate) fn parse_opt_ts(s: Option<String>) -> Result<Option<Timestamp>, StoreError> {
    s.as_deref().map(parse_ts).transpose()
}

/// The placeholders of an IN list: `$1, $2, …, $n`, or `?, ?, …` where numbered ones would cost
/// SQLite a look-up by name each (see `insert_sql`).
pub(crate) fn marks(n: usize, numbered: bool) -> String {
    if numbered {
        (1..=n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        vec!["?"; n].join(", ")
    }
}

/// A stored role, parsed once: a value the code does not know is an error naming its table and column.
pub(crate) fn parse_role(table: &str, v: &str) -> Result<tamwin_domain::access::Role, StoreError> {
    tamwin_domain::access::Role::parse(v).map_err(|_| corrupt(&format!("{table}.role"), v))
}

/// A stored cycle month (`YYYY-MM`).
pub(crate) fn parse_month(
    what: &str,
    v: &str,
) -> Result<tamwin_domain::programme::CycleMonth, StoreError> {
    tamwin_domain::programme::CycleMonth::parse(v).map_err(|_| corrupt(what, v))
}

pub(crate) fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: {v:?}"))
}

pub(crate) fn household_vals(h: &Household) -> Vec<Val> {
    vec![
        h.household_id.as_str().into(),
        h.card_number.as_str().into(),
        h.governorate.as_str().into(),
        h.district.as_str().into(),
        h.address.as_str().into(),
        h.agent_code.clone().into(),
        h.state.code().into(),
        h.head_member_id.as_str().into(),
        h.version.into(),
        ts(&h.created_at).into(),
        ts(&h.updated_at).into(),
        h.closed_at.as_ref().map(ts).into(),
        h.phone.as_ref().map(|p| p.as_str().to_string()).into(),
    ]
}

/// A new household's columns: those of `household_vals` and its roster (migration 0025).
pub(crate) const NEW_HOUSEHOLD_COLS: &str = "household_id, card_number, governorate_code, district_code, address, agent_code, state, head_member_id, version, created_at, updated_at, closed_at, phone, roster_persons, roster";

/// A new household's row in `NEW_HOUSEHOLD_COLS` order. Its roster is what `sql_counting::refresh_rosters`
/// would compute from the rows written beside it (present members not held but for a missing national
/// ID; no month marks, a new card has none), computed here so that an import writes each household
/// once; a test compares the two after every story (`assert_rosters_agree`).
pub(crate) fn new_household_vals(r: &tamwin_domain::HouseholdRecord) -> Vec<Val> {
    let held = |m: &Member| {
        r.active_holds().any(|x| {
            x.member_id.as_ref() == Some(&m.member_id) && x.reason != HoldReason::NoNationalId
        })
    };
    let mut counted: Vec<i64> = r
        .members
        .iter()
        .filter(|m| m.presence == Presence::Present && !held(m))
        .map(|m| m.member_no)
        .collect();
    counted.sort_unstable();
    let roster = (!counted.is_empty()).then(|| {
        counted
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut vals = household_vals(&r.household);
    vals.push(Val::Int(counted.len() as i64));
    vals.push(Val::OptText(roster));
    vals
}

/// The household columns in `household_vals` order, as read from a row.
pub(crate) struct HouseholdCols {
    pub household_id: String,
    pub card_number: String,
    pub governorate: String,
    pub district: String,
    pub address: String,
    pub agent_code: Option<String>,
    /// Read, never written by `household_vals`: set by an assignment only (`OutletStore`).
    pub flour_agent_code: Option<String>,
    pub state: String,
    pub head_member_id: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub closed_at: Option<String>,
    pub phone: Option<String>,
}

impl HouseholdCols {
    pub fn into_domain(self) -> Result<Household, StoreError> {
        Ok(Household {
            card_number: CardNumber::parse(&self.card_number)
                .map_err(|_| corrupt("card number", &self.card_number))?,
            state: CardState::parse(&self.state)
                .ok_or_else(|| corrupt("card state", &self.state))?,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
            closed_at: parse_opt_ts(self.closed_at)?,
            phone: self
                .phone
                .map(|p| tamwin_domain::Phone::parse(&p).map_err(|_| corrupt("phone", &p)))
                .transpose()?,
            household_id: self.household_id.into(),
            governorate: self.governorate,
            district: self.district,
            address: self.address,
            agent_code: self.agent_code,
            flour_agent_code: self.flour_agent_code,
            head_member_id: self.head_member_id.into(),
            version: self.version,
        })
    }
}

pub(crate) const MEMBER_COLS: &str = "household_id, member_id, member_no, national_id, given_name, father_name, grandfather_name, family_name, mother_name, birth_date, birth_year, sex, relation, elderly, sick, disabled, presence, removed_reason, name_key, given_family_key";

pub(crate) fn member_vals(household_id: &str, m: &Member) -> Vec<Val> {
    vec![
        household_id.into(),
        m.member_id.as_str().into(),
        m.member_no.into(),
        m.national_id
            .as_ref()
            .map(|n| n.as_str().to_string())
            .into(),
        m.given_name.as_str().into(),
        m.father_name.as_str().into(),
        m.grandfather_name.as_str().into(),
        m.family_name.clone().into(),
        m.mother_name.as_str().into(),
        m.birth_date.to_string().into(),
        i64::from(m.birth_date.year()).into(),
        m.sex.code().into(),
        m.relation.code().into(),
        m.vulnerability.elderly.into(),
        m.vulnerability.sick.into(),
        m.vulnerability.disabled.into(),
        m.presence.code().into(),
        m.removed_reason.clone().into(),
        m.name_key().into(),
        m.given_family_key().into(),
    ]
}

/// A flag as either backend's JSON writes it: `true`/`false` (PostgreSQL) or `1`/`0` (SQLite).
fn flag<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(match <Flag as serde::Deserialize>::deserialize(d)? {
        Flag::Bool(b) => b,
        Flag::Int(i) => i != 0,
    })
}

#[derive(serde::Deserialize)]
pub(crate) struct MemberCols {
    pub member_id: String,
    pub member_no: i64,
    pub national_id: Option<String>,
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    pub family_name: Option<String>,
    pub mother_name: String,
    pub birth_date: String,
    pub sex: String,
    pub relation: String,
    #[serde(deserialize_with = "flag")]
    pub elderly: bool,
    #[serde(deserialize_with = "flag")]
    pub sick: bool,
    #[serde(deserialize_with = "flag")]
    pub disabled: bool,
    pub presence: String,
    pub removed_reason: Option<String>,
}

impl MemberCols {
    pub fn into_domain(self) -> Result<Member, StoreError> {
        let national_id = match &self.national_id {
            Some(s) => Some(NationalId::parse(s).map_err(|_| corrupt("national id", s))?),
            None => None,
        };
        Ok(Member {
            member_id: self.member_id.into(),
            member_no: self.member_no,
            data: MemberData {
                national_id,
                birth_date: parse_date(&self.birth_date)
                    .ok_or_else(|| corrupt("birth date", &self.birth_date))?,
                sex: Sex::parse(&self.sex).ok_or_else(|| corrupt("sex", &self.sex))?,
                relation: Relation::parse(&self.relation)
                    .ok_or_else(|| corrupt("relation", &self.relation))?,
                given_name: self.given_name,
                father_name: self.father_name,
                grandfather_name: self.grandfather_name,
                family_name: self.family_name,
                mother_name: self.mother_name,
                vulnerability: Vulnerability {
                    elderly: self.elderly,
                    sick: self.sick,
                    disabled: self.disabled,
                },
            },
            presence: match self.presence.as_str() {
                "present" => Presence::Present,
                "removed" => Presence::Removed,
                other => return Err(corrupt("presence", other)),
            },
            removed_reason: self.removed_reason,
        })
    }
}

pub(crate) const HOLD_COLS: &str = "household_id, hold_id, member_id, reason, evidence, source, since, placed_by, lifted_at, lifted_by, lift_reason";

pub(crate) fn hold_vals(household_id: &str, h: &Hold) -> Vec<Val> {
    vec![
        household_id.into(),
        h.hold_id.as_str().into(),
        h.member_id.clone().into(),
        h.reason.code().into(),
        h.evidence.as_str().into(),
        h.source.as_str().into(),
        ts(&h.since).into(),
        h.placed_by.as_str().into(),
        h.lifted_at.as_ref().map(ts).into(),
        h.lifted_by.clone().into(),
        h.lift_reason.clone().into(),
    ]
}

#[derive(serde::Deserialize)]
pub(crate) struct HoldCols {
    pub hold_id: String,
    pub member_id: Option<String>,
    pub reason: String,
    pub evidence: String,
    pub source: String,
    pub since: String,
    pub placed_by: String,
    pub lifted_at: Option<String>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

impl HoldCols {
    pub fn into_domain(self) -> Result<Hold, StoreError> {
        Ok(Hold {
            reason: HoldReason::parse(&self.reason)
                .ok_or_else(|| corrupt("hold reason", &self.reason))?,
            since: parse_ts(&self.since)?,
            lifted_at: parse_opt_ts(self.lifted_at)?,
            hold_id: self.hold_id,
            member_id: self.member_id.map(Into::into),
            evidence: self.evidence,
            source: self.source,
            placed_by: self.placed_by,
            lifted_by: self.lifted_by,
            lift_reason: self.lift_reason,
        })
    }
}

pub(crate) const CHANGE_COLS: &str =
    "household_id, change_id, at, actor, kind, member_id, reason, details";

pub(crate) fn change_vals(household_id: &str, c: &ChangeLog) -> Vec<Val> {
    vec![
        household_id.into(),
        c.change_id.as_str().into(),
        ts(&c.at).into(),
        c.actor.as_str().into(),
        c.kind.into(),
        c.member_id.clone().into(),
        c.reason.clone().into(),
        c.details.to_string().into(),
    ]
}

/// `INSERT INTO table (cols) VALUES ($1, …), ($k, …)…` for `rows` rows of `ncols` columns. With
/// `numbered` false the placeholders are plain `?`: SQLite looks numbered parameters up by name with a
/// linear scan, which makes a statement of thousands of them quadratic.
pub(crate) fn insert_sql(
    table: &str,
    cols: &str,
    ncols: usize,
    rows: usize,
    suffix: &str,
    numbered: bool,
) -> String {
    let mut s = format!("INSERT INTO {table} ({cols}) VALUES ");
    let mut p = 1;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..ncols {
            if c > 0 {
                s.push_str(", ");
            }
            if numbered {
                s.push('$');
                s.push_str(&p.to_string());
                p += 1;
            } else {
                s.push('?');
            }
        }
        s.push(')');
    }
    s.push_str(suffix);
    s
}

/// `ON CONFLICT (keys) DO UPDATE SET` every other column to the incoming value.
pub(crate) fn upsert_suffix(cols: &str, keys: &[&str]) -> String {
    let sets: Vec<String> = cols
        .split(',')
        .map(str::trim)
        .filter(|c| !keys.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        " ON CONFLICT ({}) DO UPDATE SET {}",
        keys.join(", "),
        sets.join(", ")
    )
}

pub(crate) const AUDIT_COLS: &str = "chain, position, entry_id, at, actor, role, area, channel, action, household_id, subject, details, prev_hash, hash";

pub(crate) fn audit_vals(e: &tamwin_domain::audit::AuditEntry) -> Vec<Val> {
    let c = &e.content;
    vec![
        e.chain.into(),
        e.position.into(),
        c.entry_id.as_str().into(),
        c.at.as_str().into(),
        c.actor.as_str().into(),
        c.role.as_str().into(),
        c.area.as_str().into(),
        c.channel.as_str().into(),
        c.action.as_str().into(),
        c.household_id.clone().into(),
        c.subject.clone().into(),
        c.details.as_str().into(),
        e.prev_hash.as_str().into(),
        e.hash.as_str().into(),
    ]
}

pub(crate) const CIVIL_COLS: &str = "national_id, given_name, father_name, grandfather_name, family_name, mother_name, birth_date, sex, phone, card_status, card_expires, fingerprint_sha256, death_date, abroad_since";

pub(crate) fn civil_vals(p: &crate::CivilPerson) -> Vec<Val> {
    vec![
        p.national_id.as_str().into(),
        p.given_name.as_str().into(),
        p.father_name.as_str().into(),
        p.grandfather_name.as_str().into(),
        p.family_name.clone().into(),
        p.mother_name.as_str().into(),
        p.birth_date.as_str().into(),
        p.sex.as_str().into(),
        p.phone.clone().into(),
        p.card_status.clone().into(),
        p.card_expires.clone().into(),
        p.fingerprint_sha256.clone().into(),
        p.death_date.clone().into(),
        p.abroad_since.clone().into(),
    ]
}

/// The idempotency table's columns, shared by every write that stores an answer with its change.
pub(crate) const IDEM_COLS: &str = "idem_key, request_hash, status, body, created_at";

/// An idempotency entry's row, in `IDEM_COLS` order.
pub(crate) fn idem_vals(e: &IdemEntry) -> Vec<Val> {
    vec![
        e.key.as_str().into(),
        e.request_hash.as_str().into(),
        i64::from(e.status).into(),
        e.body.as_str().into(),
        ts(&e.created_at).into(),
    ]
}

pub(crate) const OUTBOX_COLS: &str =
    "message_id, channel, recipient, body, created_at, delivered_at";

/// An outbox message's row, in `OUTBOX_COLS` order.
pub(crate) fn outbox_vals(m: &crate::OutboxMessage) -> Vec<Val> {
    vec![
        m.message_id.as_str().into(),
        m.channel.as_str().into(),
        m.recipient.as_str().into(),
        m.body.as_str().into(),
        ts(&m.created_at).into(),
        m.delivered_at.as_ref().map(ts).into(),
    ]
}
