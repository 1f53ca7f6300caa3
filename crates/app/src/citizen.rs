//! What a signed-in citizen sees: their own household, and who read its data ("my personal data usage").

use crate::{Actor, ActorKind, AppError, HouseholdView, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::{Area, Role};

/// One read of the household's data, told the way a citizen can weigh it: which institution, in
/// which role, when, through which channel. Staff usernames are not shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataUse {
    pub at: String,
    /// `household.read` (opened) or `household.listed` (shown in a search or list).
    pub action: String,
    pub institution_ar: String,
    pub institution_en: String,
    pub role: String,
    pub role_ar: String,
    pub role_en: String,
    pub channel: String,
}

impl Registry {
    pub fn own_household_id(actor: &Actor) -> Result<&str> {
        match &actor.kind {
            ActorKind::Citizen { household_id } => Ok(household_id),
            _ => Err(AppError::Forbidden),
        }
    }

    /// The citizen's own household (the read is audited like any other).
    pub async fn own_household(&self, actor: &Actor) -> Result<HouseholdView> {
        let hid = Self::own_household_id(actor)?;
        let r = self
            .store
            .household_by_id(hid)
            .await?
            .ok_or(AppError::NotFound)?;
        self.record_reads(
            actor,
            "household.read",
            &[(&r.household.household_id, &r.household.card_number)],
        )
        .await?;
        Ok(HouseholdView::of(&r))
    }

    /// Who read the citizen's household data, newest first.
    pub async fn data_uses(&self, actor: &Actor) -> Result<Vec<DataUse>> {
        let hid = Self::own_household_id(actor)?;
        let entries = self
            .store
            .household_audit(hid, &["household.read", "household.listed"], 200)
            .await?;
        Ok(entries
            .into_iter()
            .map(|e| {
                let (inst_ar, inst_en) = self.institution(&e.role, &e.area);
                let (role_ar, role_en) = match Role::parse(&e.role) {
                    Ok(r) => (r.label_ar().to_string(), r.label_en().to_string()),
                    Err(_) if e.role == "citizen" => ("أنت".into(), "you".into()),
                    Err(_) => ("النظام".into(), "the system".into()),
                };
                DataUse {
                    at: e.at,
                    action: e.action,
                    institution_ar: inst_ar,
                    institution_en: inst_en,
                    role: e.role,
                    role_ar,
                    role_en,
                    channel: e.channel,
                }
            })
            .collect())
    }

    /// The institution behind a role and area: the ministry's office for that area.
    fn institution(&self, role: &str, area: &str) -> (String, String) {
        if role == "citizen" {
            return ("رب الأسرة أو أحد أفرادها".into(), "your household".into());
        }
        if role == "system" {
            return (
                "وزارة التجارة — نظام تموين".into(),
                "Ministry of Trade — Tamwin system".into(),
            );
        }
        let place = match Area::parse(area, &self.geo) {
            Ok(Area::Nation) | Err(_) => None,
            Ok(Area::Governorate(g)) => self
                .geo
                .governorate(&g)
                .map(|x| (x.name_ar.clone(), x.name_en.clone())),
            Ok(Area::District(d)) => self
                .geo
                .district(&d)
                .map(|x| (x.name_ar.clone(), x.name_en.clone())),
            Ok(Area::Centre { code, .. }) => self
                .geo
                .centres
                .iter()
                .find(|c| c.code == code)
                .map(|x| (x.name_ar.clone(), x.name_en.clone())),
        };
        match place {
            None => (
                "وزارة التجارة — المركز الوطني".into(),
                "Ministry of Trade — national office".into(),
            ),
            Some((ar, en)) => (
                format!("وزارة التجارة — {ar}"),
                format!("Ministry of Trade — {en}"),
            ),
        }
    }
}
