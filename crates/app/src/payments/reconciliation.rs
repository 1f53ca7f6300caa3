//! The daily reconciliation of fees (issue 17 point 3): the payments settled and grants paid on a day
//! that do not agree — paid and the grant not in effect (a refund that failed), in effect and no paid
//! payment, paid another amount than the grant's fee. For auditors, limited to their area, each
//! household's read audited before the list leaves.

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::Permission;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconciliationLine {
    /// `paid_not_granted`, `granted_not_paid`, `amount_differs`.
    pub kind: String,
    pub card_number: String,
    pub grant_id: String,
    pub payment_id: Option<String>,
    /// What was paid, in the smallest money unit; the grant's fee beside it.
    pub amount: Option<i64>,
    pub fee: i64,
    pub grant_status: String,
    pub payment_status: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reconciliation {
    /// The day, in Iraq's time.
    pub date: String,
    pub lines: Vec<ReconciliationLine>,
}

impl Registry {
    pub async fn payments_reconciliation(
        &self,
        day: jiff::civil::Date,
        actor: &Actor,
    ) -> Result<Reconciliation> {
        actor.require(Permission::ReadAudit)?;
        let (start, end) = crate::clock::iraq_day(day)
            .ok_or_else(|| AppError::Internal(format!("the day {day} has no end")))?;
        let rows = self.store.payment_reconciliation(start, end).await?;
        let mut seen = vec![];
        let mut lines = vec![];
        for r in rows {
            let Some(h) = self.store.household_by_id(&r.household_id).await? else {
                continue;
            };
            if !actor.sees(&h.household) {
                continue;
            }
            seen.push((
                h.household.household_id.clone(),
                h.household.card_number.clone(),
            ));
            lines.push(ReconciliationLine {
                kind: r.kind.to_string(),
                card_number: h.household.card_number.to_string(),
                grant_id: r.grant_id,
                payment_id: r.payment_id,
                amount: r.amount,
                fee: r.fee,
                grant_status: r.grant_status,
                payment_status: r.payment_status,
            });
        }
        let reads: Vec<_> = seen.iter().map(|(h, c)| (h, c)).collect();
        self.record_reads(actor, "payments.reconciled", &reads)
            .await?;
        Ok(Reconciliation {
            date: day.to_string(),
            lines,
        })
    }
}
