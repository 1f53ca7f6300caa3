//! The update campaign's progress figures (issue 5, point 6) for a centre, district, governorate or the
//! nation, within the caller's area: counts and durations only, no personal data.

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::{Area, Permission};
use tamwin_store::ProgressScope;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressQuery {
    #[serde(default)]
    pub governorate: Option<String>,
    #[serde(default)]
    pub district: Option<String>,
    #[serde(default)]
    pub centre: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldCount {
    pub reason: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgressView {
    /// `nation`, or the code of the governorate, district or centre the figures are for.
    pub area: String,
    pub households: i64,
    pub households_preregistered: i64,
    pub households_verified: i64,
    /// Percent of the area's open households.
    pub preregistered_pct: f64,
    pub verified_pct: f64,
    pub members_verified: i64,
    pub holds_by_reason: Vec<HoldCount>,
    pub visits_completed: i64,
    pub visit_minutes_avg: Option<f64>,
    pub visit_minutes_p90: Option<f64>,
    /// The target a visit should not exceed (minutes).
    pub visit_target_minutes: i64,
    pub wait_minutes_avg: Option<f64>,
    pub appointments_due: i64,
    pub no_shows: i64,
    /// No-shows as a percent of appointments whose day has come (attended or missed).
    pub no_show_pct: f64,
    pub home_visits_pending: i64,
    pub home_visits_done: i64,
}

fn pct(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

impl Registry {
    pub async fn progress(&self, q: &ProgressQuery, actor: &Actor) -> Result<ProgressView> {
        actor.require(Permission::ReadAggregates)?;
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(|s| tamwin_text_ar::fold_digits(s.trim()))
                .filter(|s| !s.is_empty())
        };
        // The narrowest area asked for, which must lie within the caller's.
        let code = text(&q.centre)
            .or_else(|| text(&q.district))
            .or_else(|| text(&q.governorate))
            .unwrap_or_else(|| actor.area.code().to_string());
        let area = Area::parse(&code, &self.geo)
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        if !actor.area.covers(&area, &self.geo) {
            return Err(AppError::Forbidden);
        }
        let (governorate, district) = area.filter(&self.geo);
        let scope = ProgressScope {
            governorate,
            district,
            centre: match &area {
                Area::Centre { code, .. } => Some(code.clone()),
                _ => None,
            },
        };
        let p = self
            .store
            .progress(&scope, &self.clock.today().to_string())
            .await?;
        let round = |v: Option<f64>| v.map(|x| (x * 10.0).round() / 10.0);
        Ok(ProgressView {
            area: area.code().to_string(),
            preregistered_pct: pct(p.households_preregistered, p.households),
            verified_pct: pct(p.households_verified, p.households),
            households: p.households,
            households_preregistered: p.households_preregistered,
            households_verified: p.households_verified,
            members_verified: p.members_verified,
            holds_by_reason: p
                .holds_by_reason
                .into_iter()
                .map(|(reason, count)| HoldCount { reason, count })
                .collect(),
            visits_completed: p.visits_completed,
            visit_minutes_avg: round(p.visit_minutes_avg),
            visit_minutes_p90: round(p.visit_minutes_p90),
            visit_target_minutes: tamwin_domain::appointment::VISIT_TARGET_MINUTES,
            wait_minutes_avg: round(p.wait_minutes_avg),
            appointments_due: p.appointments_due,
            no_show_pct: pct(p.no_shows, p.no_shows + p.visits_completed),
            no_shows: p.no_shows,
            home_visits_pending: p.home_visits_pending,
            home_visits_done: p.home_visits_done,
        })
    }
}
