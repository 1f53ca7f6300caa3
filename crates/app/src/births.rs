//! Births: the civil registry reports a newborn with their parents; the household of a parent gets a
//! suggestion to add the child, which the head confirms or declines from the citizen portal. Nothing is
//! added without the head: a wrong parent link in the registry must not change a card by itself.

use crate::{Actor, AppError, MemberChange, Registry, Result};
use serde::Serialize;
use tamwin_domain::{HouseholdId, MemberInput, NationalId, Relation, Vulnerability};
use tamwin_store::{OutboxMessage, StoreError, Suggestion, VitalEvent};

/// What a birth event carries beyond the newborn's ID and birth date (`vital_events.details`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct BirthDetails {
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    #[serde(default)]
    pub family_name: Option<String>,
    pub mother_name: String,
    pub sex: String,
    /// The parents' national IDs, as the registry knows them.
    #[serde(default)]
    pub parents: Vec<String>,
}

impl BirthDetails {
    fn parse(details: &str) -> Result<BirthDetails> {
        let d: BirthDetails = serde_json::from_str(details).map_err(|_| Self::invalid())?;
        if d.given_name.trim().is_empty() || d.parents.is_empty() {
            return Err(Self::invalid());
        }
        Ok(d)
    }

    /// Refuses a birth event that could never become a suggestion, before it is stored.
    pub(crate) fn check(details: &serde_json::Value) -> Result<()> {
        Self::parse(&details.to_string()).map(|_| ())
    }

    fn invalid() -> AppError {
        AppError::rule("birth_details_invalid")
    }
}

/// A suggestion as the head sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuggestionView {
    pub suggestion_id: String,
    /// `add_newborn`.
    pub kind: String,
    /// `pending`, `confirming` (being added), `confirmed`, `declined`.
    pub status: String,
    pub national_id: String,
    pub full_name: String,
    pub birth_date: String,
    pub sex: String,
    pub relation: String,
    pub event_id: String,
    pub created_at: String,
    pub decided_at: Option<String>,
}

impl SuggestionView {
    fn of(s: &Suggestion) -> Self {
        let m: Option<MemberInput> = serde_json::from_str(&s.details).ok();
        let (full_name, birth_date, sex, relation) = match m {
            Some(m) => (
                [
                    Some(m.given_name),
                    Some(m.father_name),
                    Some(m.grandfather_name),
                    m.family_name,
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
                m.birth_date,
                m.sex,
                m.relation,
            ),
            None => Default::default(),
        };
        SuggestionView {
            suggestion_id: s.suggestion_id.clone(),
            kind: s.kind.clone(),
            status: s.status.clone(),
            national_id: s.national_id.clone(),
            full_name,
            birth_date,
            sex,
            relation,
            event_id: s.event_id.clone(),
            created_at: s.created_at.to_string(),
            decided_at: s.decided_at.map(|t| t.to_string()),
        }
    }
}

/// The child's relation to the head, from the parent's.
fn relation_through(parent: Relation, sex: &str) -> Relation {
    match parent {
        Relation::Head | Relation::Spouse if sex == "female" => Relation::Daughter,
        Relation::Head | Relation::Spouse => Relation::Son,
        Relation::Son | Relation::Daughter => Relation::Grandchild,
        _ => Relation::OtherRelative,
    }
}

impl Registry {
    /// Turns a birth into a suggestion for a parent's household. True when settled (suggested, or the
    /// child is already on a card); false while no parent is registered yet.
    pub(crate) async fn apply_birth(&self, e: &VitalEvent) -> Result<bool> {
        let child = NationalId::parse(&e.national_id)
            .map_err(|_| AppError::Internal(format!("stored event id {}", e.event_id)))?;
        if self.store.household_by_national_id(&child).await?.is_some() {
            return Ok(true);
        }
        let d = BirthDetails::parse(&e.details)?;
        for parent in &d.parents {
            let Ok(pid) = NationalId::parse(parent) else {
                continue;
            };
            let Some(rec) = self.store.household_by_national_id(&pid).await? else {
                continue;
            };
            let Some(p) = rec
                .present_members()
                .find(|m| m.national_id.as_ref() == Some(&pid))
            else {
                continue;
            };
            let member = MemberInput {
                national_id: Some(child.as_str().to_string()),
                given_name: d.given_name.clone(),
                father_name: d.father_name.clone(),
                grandfather_name: d.grandfather_name.clone(),
                family_name: d.family_name.clone(),
                mother_name: d.mother_name.clone(),
                birth_date: e.event_date.clone(),
                sex: d.sex.clone(),
                relation: relation_through(p.data.relation, &d.sex).code().to_string(),
                vulnerability: Vulnerability::default(),
            };
            let s = Suggestion {
                suggestion_id: self.ids.id(),
                household_id: rec.household.household_id.clone(),
                kind: "add_newborn".into(),
                event_id: e.event_id.clone(),
                national_id: child.as_str().to_string(),
                details: serde_json::to_string(&member)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                status: "pending".into(),
                created_at: self.clock.now(),
                decided_at: None,
                decided_by: None,
            };
            let notice = rec.household.phone.as_ref().map(|phone| OutboxMessage {
                message_id: self.ids.id(),
                channel: "sms".into(),
                recipient: phone.as_str().to_string(),
                body: format!(
                    "تموين: سُجّلت ولادة {}. ادخل إلى بوابة المواطن لتأكيد إضافته إلى بطاقتك التموينية.",
                    d.given_name
                ),
                created_at: self.clock.now(),
                delivered_at: None,
            });
            self.store.save_suggestion(&s, notice.as_ref()).await?;
            return Ok(true);
        }
        Ok(false)
    }

    /// The signed-in citizen's suggestions, newest first.
    pub async fn own_suggestions(&self, actor: &Actor) -> Result<Vec<SuggestionView>> {
        let hid = Self::own_household_id(actor)?;
        Ok(self
            .store
            .suggestions(hid)
            .await?
            .iter()
            .map(SuggestionView::of)
            .collect())
    }

    /// The head confirms (the child is added, with the event as the reason) or declines. Deciding
    /// again the same way changes nothing; the other way is refused.
    pub async fn decide_suggestion(
        &self,
        actor: &Actor,
        suggestion_id: &str,
        confirm: bool,
    ) -> Result<SuggestionView> {
        let hid = Self::own_household_id(actor)?;
        let find = || async {
            self.store
                .suggestions(hid)
                .await?
                .into_iter()
                .find(|s| s.suggestion_id == suggestion_id)
                .ok_or(AppError::NotFound)
        };
        let decided_other_way = || AppError::rule("suggestion_decided");
        let now = self.clock.now();
        let s = find().await?;
        if !confirm {
            // Only a suggestion nobody has started to confirm can be declined.
            if s.status == "pending"
                && self
                    .store
                    .decide_suggestion(suggestion_id, "pending", "declined", now, &actor.name)
                    .await?
            {
                return Ok(SuggestionView::of(&find().await?));
            }
            let s = find().await?;
            return if s.status == "declined" {
                Ok(SuggestionView::of(&s))
            } else {
                Err(decided_other_way())
            };
        }
        match s.status.as_str() {
            "confirmed" => return Ok(SuggestionView::of(&s)),
            "declined" => return Err(decided_other_way()),
            _ => {}
        }
        // Claimed first, so a decline racing this confirmation cannot land after the child is added;
        // a confirmation cut short stays `confirming` and the next one finishes it.
        if s.status == "pending"
            && !self
                .store
                .decide_suggestion(suggestion_id, "pending", "confirming", now, &actor.name)
                .await?
        {
            // Decided meanwhile: the same way is done (or being done), the other way stands.
            let meanwhile = find().await?;
            match meanwhile.status.as_str() {
                "confirmed" => return Ok(SuggestionView::of(&meanwhile)),
                "confirming" => {}
                _ => return Err(decided_other_way()),
            }
        }
        let rec = self
            .store
            .household_by_id(hid)
            .await?
            .ok_or(AppError::NotFound)?;
        let member: MemberInput = serde_json::from_str(&s.details)
            .map_err(|e| AppError::Internal(format!("suggestion details: {e}")))?;
        let change = MemberChange {
            member,
            reason: format!(
                "birth registered by the civil registry (event {}), confirmed by the head",
                s.event_id
            ),
        };
        match self
            .add_member_in_scope(&rec.household.card_number, &change, actor, None)
            .await
        {
            Ok(_) => {}
            // Added by an earlier or concurrent confirmation.
            Err(AppError::NationalIdTaken | AppError::Store(StoreError::Conflict(..)))
                if self.child_added(hid, &s).await? => {}
            Err(e) => return Err(e),
        }
        self.store
            .decide_suggestion(suggestion_id, "confirming", "confirmed", now, &actor.name)
            .await?;
        Ok(SuggestionView::of(&find().await?))
    }

    async fn child_added(&self, household_id: &HouseholdId, s: &Suggestion) -> Result<bool> {
        let Ok(id) = NationalId::parse(&s.national_id) else {
            return Ok(false);
        };
        Ok(self
            .store
            .household_by_national_id(&id)
            .await?
            .is_some_and(|r| r.household.household_id == *household_id))
    }
}
