//! What a signed-in citizen sees: their own household, and who read its data ("my personal data usage").

use crate::{Actor, ActorKind, AppError, HouseholdView, Registry, Result};
use serde::Serialize;
use tamwin_domain::HouseholdId;
use tamwin_domain::access::{Area, Role};

/// One read of the household's data, told the way a citizen can weigh it: which institution, in
/// which role, when, through which channel, and what for (the action). Staff usernames are not shown.
/// The household's own views are not listed; its appearances in one actor's searches and lists on one
/// day are one row with their count.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataUse {
    /// When (the latest, for collapsed list appearances).
    pub at: String,
    /// The earliest of collapsed list appearances (`at` for a single read).
    pub first_at: String,
    /// What was done: `household.read` (the household opened), `visit.read` (opened at an
    /// appointment or home visit), `household.listed` (shown in a search or list), or another
    /// `*.read` (a screening finding, appeal or document of the household opened).
    pub action: String,
    /// How many times (list appearances of one day are collapsed; 1 for a read).
    pub count: i64,
    pub institution_ar: String,
    pub institution_en: String,
    pub role: String,
    pub role_ar: String,
    pub role_en: String,
    pub channel: String,
    /// Pass as `before` to get the rows after this one (older).
    pub cursor: String,
}

/// Rows of "who read my data" per page.
pub const DATA_USES_PAGE: u32 = 100;

impl Registry {
    pub fn own_household_id(actor: &Actor) -> Result<&HouseholdId> {
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

    /// Who read the citizen's household data, newest first, a page at a time: `before` is the
    /// `cursor` of the last row of the previous page.
    pub async fn data_uses(&self, actor: &Actor, before: Option<&str>) -> Result<Vec<DataUse>> {
        let hid = Self::own_household_id(actor)?;
        let before = before.map(|c| c.split_once('~').unwrap_or((c, "")));
        let rows = self
            .store
            .household_reads(hid, before, DATA_USES_PAGE)
            .await?;
        Ok(rows
            .into_iter()
            .map(|e| {
                let (inst_ar, inst_en) = self.institution(&e.role, &e.area);
                let (role_ar, role_en) = match Role::parse(&e.role) {
                    Ok(r) => (r.label_ar().to_string(), r.label_en().to_string()),
                    Err(_) => ("النظام".into(), "the system".into()),
                };
                DataUse {
                    cursor: format!("{}~{}", e.last_at, e.group_key),
                    at: e.last_at,
                    first_at: e.first_at,
                    action: e.action,
                    count: e.count,
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
