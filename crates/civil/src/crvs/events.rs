//! Vital events recorded at the registry: the person's file changed, and a signed notification queued
//! for every subscriber of the event's type in the same write.

use super::{id, person_record};
use crate::server::HubServer;
use tamwin_hub::crvs::{self, EventType};
use tamwin_store::{CivilEvent, CivilPerson};

/// A vital event as the registry's clerks record it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_id: String,
    /// `death`, `birth`, `exit`, `entry`.
    pub kind: String,
    pub national_id: String,
    pub date: String,
    /// For a birth: the newborn's file (names, sex; the ID and date come from the event).
    pub newborn: Option<CivilPerson>,
    /// For a birth: the parents' national IDs.
    pub parents: Vec<String>,
}

impl HubServer {
    /// Records a vital event at the registry (the person's file changes) and queues a notification to
    /// every subscriber of its type. False if the event id was recorded before.
    pub async fn record_event(&self, ev: &NewEvent) -> Result<bool, String> {
        let kind = EventType::of_kind(&ev.kind).ok_or("unknown event kind")?;
        let nid = tamwin_domain::NationalId::parse(&ev.national_id).map_err(|e| e.message_en)?;
        let date: jiff::civil::Date = ev.date.parse().map_err(|_| "event date is not a date")?;
        let on_file = self
            .store
            .civil_person(nid.as_str())
            .await
            .map_err(|e| e.to_string())?;
        let mut p = match (kind, on_file) {
            (EventType::Birth, Some(_)) => return Err("the newborn's ID is already on file".into()),
            (EventType::Birth, None) => ev.newborn.clone().ok_or("a birth needs the newborn")?,
            (_, Some(p)) => p,
            (_, None) => return Err("no person with this national ID".into()),
        };
        p.national_id = nid.as_str().to_string();
        let d = date.to_string();
        let mut record = person_record(&p, None);
        match kind {
            EventType::Death => {
                p.death_date = Some(d.clone());
                record.death_date = Some(d.clone());
            }
            EventType::Birth => {
                p.birth_date = d.clone();
                record = person_record(&p, None);
                record.parent1_identifier = ev.parents.first().map(|x| crvs::Identifier::uin(x));
                record.parent2_identifier = ev.parents.get(1).map(|x| crvs::Identifier::uin(x));
            }
            EventType::Exit => {
                p.abroad_since = Some(d.clone());
                record.exit_date = Some(d.clone());
            }
            EventType::Entry => {
                p.abroad_since = None;
                record.exit_date = None;
                record.entry_date = Some(d.clone());
            }
        }
        let subscribers = self
            .store
            .crvs_subscribers(kind.code())
            .await
            .map_err(|e| e.to_string())?;
        let mut notify = Vec::new();
        for s in &subscribers {
            let m = crvs::NotifyEventRequest {
                transaction_id: id(),
                notify_event: vec![crvs::NotifyItem {
                    reference_id: ev.event_id.clone(),
                    timestamp: (self.now)().to_string(),
                    data: crvs::EventData {
                        version: crvs::VERSION.into(),
                        reg_type: crvs::REG_TYPE.into(),
                        reg_event_type: kind.code().into(),
                        reg_record_type: crvs::RECORD_TYPE.into(),
                        reg_records: record.clone(),
                    },
                }],
            };
            let body = self
                .sealed("notify", &s.subscriber, 1, &m)
                .map_err(|e| e.message().to_string())?;
            notify.push(self.delivery(s.notify_uri.clone(), body));
        }
        let e = CivilEvent {
            event_id: ev.event_id.clone(),
            kind: kind.kind().into(),
            national_id: p.national_id.clone(),
            event_date: d,
            details: serde_json::to_string(&record).map_err(|e| e.to_string())?,
            recorded_at: (self.now)(),
        };
        self.store
            .civil_record_event(&e, &p, &notify)
            .await
            .map_err(|e| e.to_string())
    }
}
