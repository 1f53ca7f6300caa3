//! What a household declares for eligibility (issue 15 point 2): the head's employment sector and
//! monthly income, the household's income or (Egypt) its income band, and the social-protection ministry's lists. Changed by an
//! officer of the household's area (API, visit page) and by the list import, each change audited with
//! what it was before.

use crate::{Actor, AppError, Registry, Result};
use serde::{Deserialize, Serialize};
use tamwin_domain::access::Permission;
use tamwin_domain::error::{FieldError, ValidationErrors};
use tamwin_domain::programme::eligibility::SECTORS;
use tamwin_domain::programme::income_band;
use tamwin_domain::{AppointmentId, CardNumber, HouseholdRecord};
use tamwin_store::Declarations;

/// A change of declarations: absent fields stay as they are; `null` clears a declaration.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeclarationsInput {
    /// `public`, `private`, `military`, `retired` or `none`.
    #[serde(default, with = "serde_with_nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub head_sector: Option<Option<String>>,
    /// In the smallest money unit (fils: 1,500,000 IQD is 1,500,000,000).
    #[serde(default, with = "serde_with_nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub head_monthly_income: Option<Option<i64>>,
    #[serde(default, with = "serde_with_nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub household_monthly_income: Option<Option<i64>>,
    #[serde(default)]
    pub social_welfare: Option<bool>,
    #[serde(default)]
    pub low_income: Option<bool>,
    /// Egypt: the band of the household's monthly income, `under_1000`, `1000_2399`, `2400_4999` or
    /// `5000_plus` (EGP); a declared income wins over it.
    #[serde(default, with = "serde_with_nullable")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub income_band: Option<Option<String>>,
}

/// `Some(None)` for an explicit `null`, `None` for an absent field.
mod serde_with_nullable {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclarationsView {
    pub head_sector: Option<String>,
    pub head_monthly_income: Option<i64>,
    pub household_monthly_income: Option<i64>,
    pub social_welfare: bool,
    pub low_income: bool,
    pub income_band: Option<String>,
}

impl DeclarationsView {
    pub(crate) fn of(d: &Declarations) -> Self {
        Self {
            head_sector: d.head_sector.clone(),
            head_monthly_income: d.head_monthly_income,
            household_monthly_income: d.household_monthly_income,
            social_welfare: d.social_welfare,
            low_income: d.low_income,
            income_band: d.income_band.clone(),
        }
    }
}

/// Checks a change against what is declared now; every problem is reported.
pub(crate) fn apply(now: &Declarations, input: &DeclarationsInput) -> Result<Declarations> {
    let mut errs = ValidationErrors::default();
    let mut d = now.clone();
    if let Some(s) = &input.head_sector {
        match s.as_deref().map(str::trim) {
            Some(s) if !SECTORS.contains(&s) => errs.push(
                FieldError::new(
                    "head_sector",
                    "sector_unknown",
                    "the sector is public, private, military, retired or none",
                )
                .with("value", s),
            ),
            s => d.head_sector = s.map(str::to_string),
        }
    }
    for (field, value, slot) in [
        (
            "head_monthly_income",
            input.head_monthly_income,
            &mut d.head_monthly_income,
        ),
        (
            "household_monthly_income",
            input.household_monthly_income,
            &mut d.household_monthly_income,
        ),
    ] {
        match value {
            Some(Some(n)) if n < 0 => errs.push(FieldError::new(
                field,
                "income_negative",
                "an income is a whole, non-negative amount of the smallest unit",
            )),
            Some(v) => *slot = v,
            None => {}
        }
    }
    if let Some(b) = &input.income_band {
        match b.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
            Some(b) if income_band::band(b).is_none() => errs.push(
                FieldError::new(
                    "income_band",
                    "income_band_unknown",
                    "not one of the income bands",
                )
                .with("value", b),
            ),
            b => d.income_band = b.map(str::to_string),
        }
    }
    if let Some(b) = input.social_welfare {
        d.social_welfare = b;
    }
    if let Some(b) = input.low_income {
        d.low_income = b;
    }
    if errs.0.is_empty() {
        Ok(d)
    } else {
        Err(AppError::Validation(errs))
    }
}

impl Registry {
    pub async fn declarations(&self, card: &CardNumber, actor: &Actor) -> Result<DeclarationsView> {
        if !actor.is_citizen() {
            actor.require(Permission::ReadPersonal)?;
        }
        let r = self.card_in_reach(card, actor).await?;
        self.declarations_of(&r, actor).await
    }

    /// Changes a household's declarations; the change history keeps what they were.
    pub async fn declare(
        &self,
        card: &CardNumber,
        input: &DeclarationsInput,
        actor: &Actor,
    ) -> Result<DeclarationsView> {
        actor.require(Permission::EditMembers)?;
        let r = self.card_in_reach(card, actor).await?;
        self.declare_on(&r, input, actor).await
    }

    /// The same, for the household at a visit of the officer's centre, as confirmed there; `card` is
    /// the card the form names, which must be the visit's.
    pub async fn declare_at_visit(
        &self,
        appointment_id: &AppointmentId,
        card: &CardNumber,
        input: &DeclarationsInput,
        actor: &Actor,
    ) -> Result<DeclarationsView> {
        actor.require(Permission::EditMembers)?;
        let (_, r) = self.visit_of(appointment_id, actor).await?;
        if r.household.card_number != *card {
            return Err(AppError::NotFound);
        }
        self.declare_on(&r, input, actor).await
    }

    async fn declarations_of(
        &self,
        r: &HouseholdRecord,
        actor: &Actor,
    ) -> Result<DeclarationsView> {
        let h = &r.household;
        self.record_reads(
            actor,
            "declarations.read",
            &[(&h.household_id, &h.card_number)],
        )
        .await?;
        self.declarations_unrecorded(r).await
    }

    /// The declarations of a household whose read the caller has recorded already (the visit page's
    /// `visit.read` covers everything the page shows).
    pub(crate) async fn declarations_unrecorded(
        &self,
        r: &HouseholdRecord,
    ) -> Result<DeclarationsView> {
        let d = self
            .store
            .declarations(&r.household.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(DeclarationsView::of(&d))
    }

    async fn declare_on(
        &self,
        r: &HouseholdRecord,
        input: &DeclarationsInput,
        actor: &Actor,
    ) -> Result<DeclarationsView> {
        let hid = &r.household.household_id;
        let now = self
            .store
            .declarations(hid)
            .await?
            .ok_or(AppError::NotFound)?;
        let new = apply(&now, input)?;
        let log = self.declarations_log(&r.household.card_number, &now, &new, actor);
        if !self.store.set_declarations(hid, &new, &log).await? {
            return Err(AppError::NotFound);
        }
        Ok(DeclarationsView::of(&new))
    }
}

impl Registry {
    /// The audit entry of a change of declarations, with what they were before.
    pub(crate) fn declarations_log(
        &self,
        card: &CardNumber,
        now: &Declarations,
        new: &Declarations,
        actor: &Actor,
    ) -> tamwin_store::ChangeLog {
        self.log(
            "declarations_changed",
            None,
            None,
            actor,
            serde_json::json!({
                "card_number": card.as_str(),
                "before": DeclarationsView::of(now),
                "after": DeclarationsView::of(new),
            }),
        )
    }
}
