//! A grant as the head fills it in, checked field by field: every fault named under its field, with
//! its code, before anything is asked of the hub or written.

use crate::{AppError, Registry, Result};
use serde::Deserialize;
use tamwin_domain::proxy::{GrantReason, GrantScope, adult_on, check_validity};
use tamwin_domain::{FieldError, NationalId, ValidationErrors};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub proxy_national_id: String,
    /// `YYYY-MM-DD`, checked with the national ID at the civil registry.
    pub proxy_birth_date: String,
    /// Programme codes; none: all.
    #[serde(default)]
    pub programmes: Vec<String>,
    /// Item codes; none: all.
    #[serde(default)]
    pub items: Vec<String>,
    /// `YYYY-MM-DD`, today or later.
    pub valid_from: String,
    /// `YYYY-MM-DD`, at most twelve months after `valid_from`.
    pub valid_to: String,
    /// `elderly`, `sick`, `disabled`, `away_study`, `away_treatment`, `other`.
    pub reason: String,
    /// Said in words; needed for `other`.
    pub reason_text: Option<String>,
}

/// The input, checked.
pub(crate) struct Checked {
    pub proxy: String,
    pub birth_date: String,
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    pub scope: GrantScope,
    pub reason: GrantReason,
    pub reason_text: Option<String>,
}

fn day(field: &str, v: &str, errs: &mut ValidationErrors) -> Option<jiff::civil::Date> {
    let d = tamwin_text_ar::fold_digits(v.trim()).parse().ok();
    if d.is_none() {
        errs.push(FieldError::new(field, "date_invalid", "a date as YYYY-MM-DD").with("value", v));
    }
    d
}

impl GrantInput {
    pub(crate) async fn check(&self, today: jiff::civil::Date, reg: &Registry) -> Result<Checked> {
        let mut errs = ValidationErrors::default();
        let proxy = NationalId::parse(&tamwin_text_ar::fold_digits(self.proxy_national_id.trim()))
            .map_err(|e| errs.push(e.under("proxy_national_id")))
            .ok();
        let birth = day("proxy_birth_date", &self.proxy_birth_date, &mut errs);
        if birth.is_some_and(|b| !adult_on(b, today)) {
            errs.push(FieldError::new(
                "proxy_birth_date",
                "proxy_not_adult",
                "a proxy is 18 or older",
            ));
        }
        let (from, to) = (
            day("valid_from", &self.valid_from, &mut errs),
            day("valid_to", &self.valid_to, &mut errs),
        );
        if let (Some(f), Some(t)) = (from, to)
            && let Err(e) = check_validity(f, t, today)
        {
            errs.push(e);
        }
        let reason = GrantReason::parse(self.reason.trim());
        if reason.is_none() {
            errs.push(
                FieldError::new("reason", "grant_reason_unknown", "an unknown reason")
                    .with("value", &self.reason),
            );
        }
        let reason_text = self
            .reason_text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if let Some(e) =
            reason_text.and_then(|t| tamwin_domain::check_free_text("reason_text", t, 300))
        {
            errs.push(e);
        }
        if reason == Some(GrantReason::Other) && reason_text.is_none() {
            errs.push(FieldError::new(
                "reason_text",
                "grant_reason_text_missing",
                "say the reason in words",
            ));
        }
        for (i, p) in self.programmes.iter().enumerate() {
            if reg.store.programme_row(p).await?.is_none() {
                errs.push(
                    FieldError::new(
                        format!("programmes[{i}]"),
                        "programme_unknown",
                        "an unknown programme",
                    )
                    .with("value", p),
                );
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            if tamwin_domain::programme::catalog::unit_of(item).is_none() {
                errs.push(
                    FieldError::new(
                        format!("items[{i}]"),
                        "item_unknown",
                        "an item the platform does not know",
                    )
                    .with("value", item),
                );
            }
        }
        match (proxy, birth, from, to, reason) {
            (Some(p), Some(b), Some(f), Some(t), Some(r)) if errs.is_empty() => Ok(Checked {
                proxy: p.as_str().to_string(),
                birth_date: b.to_string(),
                from: f,
                to: t,
                scope: GrantScope {
                    programmes: self.programmes.clone(),
                    items: self.items.clone(),
                },
                reason: r,
                reason_text: reason_text.map(str::to_string),
            }),
            _ => Err(AppError::Validation(errs)),
        }
    }
}
