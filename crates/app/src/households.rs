//! The household registry's use cases: registering a household, reading one by card or national ID,
//! searching by name, listing and counting, each checked against the caller's role and area.

use crate::*;
use tamwin_domain::access::Permission;
use tamwin_domain::household::{MemberData, automatic_holds};
use tamwin_domain::{
    CardNumber, Hold, HoldReason, Household, HouseholdId, HouseholdRecord, Member, MemberId,
    NationalId, NewHousehold, Presence,
};
use tamwin_store::{ChangeLog, Conflict, HouseholdSummary, ListFilter, NameHit, StoreError};

const CARD_ATTEMPTS: usize = 8;
/// The longest name search query, in characters: a full name chain fits well within it (docs/formats.md).
pub const NAME_QUERY_MAX_CHARS: usize = 200;

impl Registry {
    pub(crate) fn new_member(&self, no: i64, data: MemberData) -> Member {
        Member {
            member_id: self.ids.id().into(),
            member_no: no,
            data,
            presence: Presence::Present,
            removed_reason: None,
        }
    }

    /// Holds the registry places by rule on a new member (`domain::household::automatic_holds`).
    pub(crate) fn rule_holds(&self, m: &Member, actor: &Actor) -> Vec<Hold> {
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

    pub(crate) fn new_hold(
        &self,
        member_id: Option<MemberId>,
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

    pub(crate) async fn create_household_once(
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
                    household_id: household_id.clone().into(),
                    card_number,
                    governorate: valid.governorate.clone(),
                    district: valid.district.clone(),
                    address: valid.address.clone(),
                    agent_code: valid.agent_code.clone(),
                    flour_agent_code: None,
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

    /// Opens a household: staff within their area, a citizen their own; anything else is not found.
    /// The read is in the audit log before the data leaves.
    pub async fn household(&self, card: &CardNumber, actor: &Actor) -> Result<HouseholdView> {
        if !actor.is_citizen() {
            actor.require(Permission::ReadPersonal)?;
        }
        let r = self.card_in_reach(card, actor).await?;
        self.record_reads(
            actor,
            "household.read",
            &[(&r.household.household_id, card)],
        )
        .await?;
        Ok(HouseholdView::of(&r))
    }

    /// The household of a card when the actor may see it; not found otherwise (never "forbidden": a
    /// card outside one's area is not confirmed to exist).
    pub(crate) async fn card_in_reach(
        &self,
        card: &CardNumber,
        actor: &Actor,
    ) -> Result<tamwin_domain::HouseholdRecord> {
        let rec = self.store.household_by_card(card).await?;
        in_reach(rec, actor)
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
        households: &[(&HouseholdId, &CardNumber)],
    ) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        let reads: Vec<(HouseholdId, ChangeLog)> = households
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
        let read: Vec<(&HouseholdId, &CardNumber)> = hits
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
        let read: Vec<(&HouseholdId, &CardNumber)> = rows
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

/// The household read, if the actor may see it; one not in reach is not found.
pub(crate) fn in_reach(
    rec: Option<tamwin_domain::HouseholdRecord>,
    actor: &Actor,
) -> Result<tamwin_domain::HouseholdRecord> {
    match rec {
        Some(rec) if actor.sees(&rec.household) => Ok(rec),
        _ => Err(AppError::NotFound),
    }
}
