//! A household's appointments as it and the centre see them, with the signed form's token.

use super::*;
use tamwin_domain::HouseholdId;

impl Registry {
    /// The household's appointments, newest first, with the form token of a booked one.
    pub async fn household_appointments(
        &self,
        household_id: &HouseholdId,
        actor: &Actor,
    ) -> Result<Vec<AppointmentView>> {
        let rec = self.household_read(household_id, actor).await?;
        self.store
            .appointments_of(household_id)
            .await?
            .iter()
            .map(|a| self.appointment_view(&rec, a))
            .collect()
    }

    /// A citizen's own household, or one in a staff member's area whose role allows `perm`.
    pub(crate) async fn household_in_reach(
        &self,
        household_id: &HouseholdId,
        actor: &Actor,
        perm: Permission,
    ) -> Result<HouseholdRecord> {
        if !actor.is_citizen() {
            actor.require(perm)?;
        }
        let rec = self.store.household_by_id(household_id).await?;
        crate::households::in_reach(rec, actor)
    }

    /// A household in reach whose personal data is about to leave: its read is in the audit log first.
    pub(crate) async fn household_read(
        &self,
        household_id: &HouseholdId,
        actor: &Actor,
    ) -> Result<HouseholdRecord> {
        let rec = self
            .household_in_reach(household_id, actor, Permission::ReadPersonal)
            .await?;
        self.record_reads(
            actor,
            "household.read",
            &[(&rec.household.household_id, &rec.household.card_number)],
        )
        .await?;
        Ok(rec)
    }

    pub(crate) fn appointment_view(
        &self,
        rec: &HouseholdRecord,
        a: &Appointment,
    ) -> Result<AppointmentView> {
        let (name_ar, name_en, district) = match self.geo.centre(&a.centre_code) {
            Some(c) => (
                c.name_ar.clone(),
                c.name_en.clone(),
                self.geo
                    .district(&c.district_code)
                    .map(|d| d.name_ar.clone())
                    .unwrap_or_default(),
            ),
            None => (a.centre_code.clone(), a.centre_code.clone(), String::new()),
        };
        let district = match (
            district.is_empty(),
            self.geo.district(&rec.household.district),
        ) {
            (true, Some(d)) => d.name_ar.clone(),
            _ => district,
        };
        let start = parse_slot(&a.starts_at);
        let day = start
            .map(|t| t.date())
            .or_else(|| a.starts_at.parse().ok())
            .unwrap_or_else(|| self.clock.today());
        let minutes = self
            .geo
            .centre(&a.centre_code)
            .map_or(rules::SLOT_MINUTES, |c| {
                i32::try_from(c.slot_minutes).unwrap_or(rules::SLOT_MINUTES)
            });
        let ends_at = start
            .and_then(|t| {
                t.checked_add(jiff::SignedDuration::from_mins(i64::from(minutes)))
                    .ok()
            })
            .map(slot_text)
            .unwrap_or_default();
        let members = a
            .members
            .iter()
            .map(|am| {
                let m = rec.members.iter().find(|m| m.member_id == am.member_id);
                AppointmentMemberView {
                    member_id: am.member_id.clone(),
                    name: m.map(|m| m.full_name()).unwrap_or_default(),
                    data: m.map(|m| member_input(&m.data)),
                    age: m.map(|m| m.age_on(day)).unwrap_or_default(),
                    required: am.required,
                    declared_documents: codes(&am.declared_documents),
                    declared_national_id: am.declared_national_id.clone(),
                    attendance: am.attendance,
                    documents_seen: codes(&am.documents_seen),
                    note: am.note.clone(),
                }
            })
            .collect();
        let token = match (a.status, &self.forms) {
            (AppointmentStatus::Booked, Some(_)) => Some(self.appointment_token(rec, a, day)?),
            _ => None,
        };
        Ok(AppointmentView {
            appointment_id: a.appointment_id.clone(),
            card_number: rec.household.card_number.as_str().to_string(),
            kind: a.kind,
            status: a.status,
            status_ar: a.status.label_ar().to_string(),
            centre_code: a.centre_code.clone(),
            centre_name_ar: name_ar,
            centre_name_en: name_en,
            district_name_ar: district,
            address: rec.household.address.clone(),
            reason: a.reason.clone(),
            starts_at: a.starts_at.clone(),
            ends_at,
            booked_at: a.booked_at.to_string(),
            checked_in_at: a.checked_in_at.map(|t| t.to_string()),
            completed_at: a.completed_at.map(|t| t.to_string()),
            members,
            proposed_members: proposals(&a.proposed_members)?,
            token,
        })
    }

    /// The signed token of a booked appointment: valid until the end of its day.
    fn appointment_token(
        &self,
        rec: &HouseholdRecord,
        a: &Appointment,
        day: jiff::civil::Date,
    ) -> Result<String> {
        let keys = self
            .forms
            .as_deref()
            .ok_or_else(|| AppError::Internal("no form key configured".into()))?;
        let end = instant(
            day.tomorrow()
                .map_err(|e| AppError::Internal(e.to_string()))?
                .to_datetime(jiff::civil::Time::midnight()),
        )?;
        let issued = a.booked_at.as_second().min(self.clock.now().as_second());
        let mut claims = BTreeMap::new();
        claims.insert("appointment_id".into(), a.appointment_id.to_string());
        claims.insert(
            "card_number".into(),
            rec.household.card_number.as_str().to_string(),
        );
        claims.insert("centre".into(), a.centre_code.clone());
        claims.insert("starts_at".into(), a.starts_at.clone());
        let payload = Payload {
            kind: Kind::Appointment,
            issued_at: issued,
            expires_at: end.as_second(),
            claims,
        };
        tamwin_card::sign(&payload, &keys.signer)
            .map_err(|e| AppError::Internal(format!("signing the form: {}", e.code())))
    }
}
