//! Vital events from the civil registry: deaths, exits and entries here, births in `births`. Each is stored once by its id, so a second delivery changes nothing, and applied
//! when its person is in the ration registry: an event about someone not registered yet waits and is
//! applied by the next pass after registration. Travel is decided by the latest exit or entry, whatever
//! order they arrived in.

use crate::{Actor, AppError, HoldInput, HoldLift, Registry, Result};
use tamwin_domain::{HoldReason, MemberId, NationalId};
use tamwin_store::VitalEvent;

/// By default an exit older than this (days) without a later entry puts the member on an `abroad`
/// hold (`Registry::abroad_after_days`, `--abroad-after-days`).
pub const ABROAD_AFTER_DAYS: i64 = 183;

impl Registry {
    /// Stores an event and applies it if its person is registered; false if it was delivered before.
    pub async fn receive_vital_event(
        &self,
        event_id: &str,
        kind: &str,
        national_id: &str,
        event_date: &str,
        details: serde_json::Value,
    ) -> Result<bool> {
        let id = NationalId::parse(national_id)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        let date: jiff::civil::Date = event_date
            .trim()
            .parse()
            .map_err(|_| AppError::rule("event_date_invalid"))?;
        if !matches!(kind, "death" | "birth" | "exit" | "entry") {
            return Err(AppError::rule("event_kind_unknown"));
        }
        if kind == "birth" {
            crate::births::BirthDetails::check(&details)?;
        }
        let e = VitalEvent {
            event_id: event_id.to_string(),
            national_id: id.as_str().to_string(),
            kind: kind.to_string(),
            event_date: date.to_string(),
            received_at: self.clock.now(),
            applied_at: None,
            details: details.to_string(),
        };
        if !self.store.save_vital_event(&e).await? {
            return Ok(false);
        }
        self.apply_event(&e).await?;
        Ok(true)
    }

    /// Applies the events still waiting (a person registered since, an exit whose time has come),
    /// all of them, `page` at a time.
    pub async fn apply_pending_events(&self, page: u32) -> Result<usize> {
        let mut applied = 0;
        let mut after = None;
        loop {
            let events = self.store.pending_vital_events(after, page.max(1)).await?;
            let Some(last) = events.last() else {
                return Ok(applied);
            };
            after = Some((last.received_at, last.event_id.clone()));
            for e in &events {
                if self.apply_event(e).await? {
                    applied += 1;
                }
            }
        }
    }

    /// True if the event took effect (and is marked applied); false if it has to wait.
    async fn apply_event(&self, e: &VitalEvent) -> Result<bool> {
        // A birth is about someone not on any card yet: it goes to a parent's household.
        let done = if e.kind == "birth" {
            self.apply_birth(e).await?
        } else {
            self.apply_to_member(e).await?
        };
        if done {
            self.store
                .mark_vital_event_applied(&e.event_id, self.clock.now())
                .await?;
        }
        Ok(done)
    }

    async fn apply_to_member(&self, e: &VitalEvent) -> Result<bool> {
        let Ok(nid) = NationalId::parse(&e.national_id) else {
            return Ok(false);
        };
        let Some(rec) = self.store.household_by_national_id(&nid).await? else {
            return Ok(false);
        };
        let Some(member) = rec
            .present_members()
            .find(|m| m.national_id.as_ref() == Some(&nid))
        else {
            return Ok(false);
        };
        let card = rec.household.card_number.clone();
        let member_id = member.member_id.clone();
        let hub = Actor::system("civil_registry");
        let done = match e.kind.as_str() {
            "death" => {
                self.place_event_hold(&card, &member_id, HoldReason::Deceased, e, &hub)
                    .await?;
                true
            }
            "exit" | "entry" => {
                let latest = self.store.travel_events(&e.national_id).await?;
                match latest.first() {
                    Some(l) if l.kind == "entry" => {
                        let abroad = rec.active_holds().find(|h| {
                            h.reason == HoldReason::Abroad
                                && h.member_id.as_deref() == Some(&member_id)
                        });
                        if let Some(h) = abroad {
                            let lift = HoldLift {
                                reason: format!(
                                    "returned: entry on {} (civil registry event {})",
                                    l.event_date, l.event_id
                                ),
                            };
                            self.lift_hold(&card, &h.hold_id, &lift, &hub, None).await?;
                        }
                        true
                    }
                    Some(l) => {
                        let since: jiff::civil::Date = l.event_date.parse().map_err(|_| {
                            AppError::Internal(format!("stored event date {}", l.event_date))
                        })?;
                        // Civil dates subtract to a span in days.
                        let days = i64::from((self.clock.today() - since).get_days());
                        // While an exemption runs the event stays pending, so that the pass after
                        // it ends places the hold.
                        if days >= self.abroad_after_days
                            && self.exemption_on(&e.national_id).await?.is_none()
                        {
                            self.place_event_hold(&card, &member_id, HoldReason::Abroad, l, &hub)
                                .await?;
                            true
                        } else {
                            false
                        }
                    }
                    None => true,
                }
            }
            _ => false,
        };
        Ok(done)
    }

    async fn place_event_hold(
        &self,
        card: &tamwin_domain::CardNumber,
        member_id: &MemberId,
        reason: HoldReason,
        e: &VitalEvent,
        actor: &Actor,
    ) -> Result<()> {
        let what = if reason == HoldReason::Deceased {
            "death"
        } else {
            "exit"
        };
        let input = HoldInput {
            member_id: Some(member_id.clone()),
            reason: reason.code().into(),
            evidence: format!(
                "{what} on {} (civil registry event {})",
                e.event_date, e.event_id
            ),
            source: "civil_registry".into(),
        };
        self.place_hold_once(card, &input, actor).await
    }
}
