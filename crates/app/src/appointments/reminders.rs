//! The daily work of the appointment book: reminders the day before, and releasing the places of
//! appointments nobody came to.

use super::*;

impl Registry {
    /// Texts the day-before reminder for tomorrow's appointments; returns how many were sent.
    pub async fn send_reminders(&self) -> Result<usize> {
        let today = self.clock.today();
        let tomorrow = today
            .tomorrow()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let after = tomorrow
            .tomorrow()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut sent = 0;
        loop {
            let due = self
                .store
                .due_reminders(&tomorrow.to_string(), &after.to_string(), 500)
                .await?;
            if due.is_empty() {
                return Ok(sent);
            }
            for a in &due {
                // A household gone since (an import undone) has nobody to text: marked all the same,
                // so that the next page moves on.
                let rec = self.store.household_by_id(&a.household_id).await?;
                let centre = self
                    .geo
                    .centre(&a.centre_code)
                    .map(|c| c.name_ar.clone())
                    .unwrap_or_else(|| a.centre_code.clone());
                let time = a.starts_at.get(11..).unwrap_or_default();
                let body = if a.kind == AppointmentKind::Home {
                    "تموين: يزوركم الفريق الجوّال غداً في البيت لتحديث البطاقة التموينية. يُرجى تحضير الوثائق الأصلية للفرد المطلوب زيارته.".to_string()
                } else {
                    format!(
                        "تموين: تذكير بموعد تحديث البطاقة غداً الساعة {time} في {centre}. يحضر كل فرد بعمر 18 سنة فأكثر مع الوثائق الأصلية."
                    )
                };
                let msg = tamwin_store::OutboxMessage {
                    message_id: self.ids.id(),
                    channel: "sms".into(),
                    recipient: rec
                        .as_ref()
                        .and_then(|r| r.household.phone.as_ref())
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default(),
                    body,
                    created_at: self.clock.now(),
                    delivered_at: None,
                };
                // Without a phone there is nobody to text; it is marked so that it is not asked again.
                let text = (!msg.recipient.is_empty()).then_some(&msg);
                if self
                    .store
                    .mark_reminded(&a.household_id, &a.appointment_id, self.clock.now(), text)
                    .await?
                    && text.is_some()
                {
                    sent += 1;
                }
            }
        }
    }

    /// Releases booked appointments of past days nobody came to: the place is freed and the no-show
    /// counted. Returns how many.
    pub async fn release_no_shows(&self) -> Result<usize> {
        let today = self.clock.today().to_string();
        // A visit checked in on a past day and never completed (the family left, the tablet died) is
        // closed, so that the household can book again; its place was used and stays counted.
        loop {
            let stale = self.store.unfinished(&today, 500).await?;
            if stale.is_empty() {
                break;
            }
            for a in &stale {
                let log = self.log(
                    "appointment_abandoned",
                    None,
                    None,
                    &Actor::system("appointments"),
                    serde_json::json!({ "appointment_id": a.appointment_id, "starts_at": a.starts_at }),
                );
                self.store
                    .close_unfinished(&a.household_id, &a.appointment_id, self.clock.now(), &log)
                    .await?;
            }
        }
        let mut n = 0;
        loop {
            let due = self.store.unattended(&today, 500).await?;
            if due.is_empty() {
                return Ok(n);
            }
            for a in &due {
                let log = self.log(
                    "appointment_no_show",
                    None,
                    None,
                    &Actor::system("appointments"),
                    serde_json::json!({ "appointment_id": a.appointment_id, "starts_at": a.starts_at }),
                );
                if self
                    .store
                    .release_appointment(
                        &a.household_id,
                        &a.appointment_id,
                        AppointmentStatus::NoShow,
                        self.clock.now(),
                        &log,
                    )
                    .await?
                {
                    n += 1;
                }
            }
        }
    }
}
