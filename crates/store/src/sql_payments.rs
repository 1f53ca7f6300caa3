//! `PaymentStore` for both backends, like `sql_impl`.

pub(crate) const PAYMENT_COLS: &str = "household_id, payment_id, grant_id, provider, provider_ref, redirect_url, amount, currency, \
    status, created_at, settled_at, provider_status, provider_amount, provider_currency, refunded_at";

macro_rules! payments_sql {
    ($store:ident) => {
        use $crate::payments::{Payment, PaymentStore, ProviderAnswer, ReconciliationRow, Settled};
        use tamwin_domain::payment::PaymentStatus;

        impl $store {
            fn payment_of(r: &DbRow) -> Result<Payment> {
                let status: String = r.try_get("status")?;
                Ok(Payment {
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    payment_id: r.try_get("payment_id")?,
                    grant_id: r.try_get("grant_id")?,
                    provider: r.try_get("provider")?,
                    provider_ref: r.try_get("provider_ref")?,
                    redirect_url: r.try_get("redirect_url")?,
                    amount: r.try_get("amount")?,
                    currency: r.try_get("currency")?,
                    status: PaymentStatus::parse(&status).ok_or_else(|| corrupt("payments.status", &status))?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    settled_at: parse_opt_ts(r.try_get("settled_at")?)?,
                    provider_status: r.try_get("provider_status")?,
                    provider_amount: r.try_get("provider_amount")?,
                    provider_currency: r.try_get("provider_currency")?,
                    refunded_at: parse_opt_ts(r.try_get("refunded_at")?)?,
                })
            }

            async fn payments_where(&self, filter: &str, order: &str, binds: &[&str]) -> Result<Vec<Payment>> {
                let sql = format!("SELECT {} FROM payments WHERE {filter} ORDER BY {order}", $crate::sql_payments::PAYMENT_COLS);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for b in binds {
                    q = q.bind(*b);
                }
                q.fetch_all(&self.pool).await?.iter().map(Self::payment_of).collect()
            }
        }

        #[async_trait::async_trait]
        impl PaymentStore for $store {
            async fn create_payment(&self, p: &Payment, log: &ChangeLog) -> Result<bool> {
                let row = vec![
                    Val::from(p.household_id.as_str()),
                    p.payment_id.as_str().into(),
                    p.grant_id.as_str().into(),
                    p.provider.as_str().into(),
                    p.provider_ref.clone().into(),
                    p.redirect_url.clone().into(),
                    p.amount.into(),
                    p.currency.as_str().into(),
                    p.status.code().into(),
                    ts(&p.created_at).into(),
                    Option::<String>::None.into(),
                    Option::<String>::None.into(),
                    Option::<i64>::None.into(),
                    Option::<String>::None.into(),
                    Option::<String>::None.into(),
                ];
                let written = with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    Self::insert_rows(&mut tx, "payments", $crate::sql_payments::PAYMENT_COLS, std::slice::from_ref(&row), "").await?;
                    Self::append_audit(&mut tx, &[(Some(p.household_id.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await;
                match written {
                    Ok(()) => Ok(true),
                    // `payments_one_pending`: one under way already.
                    Err(StoreError::Conflict(..)) => Ok(false),
                    Err(e) => Err(e),
                }
            }

            async fn set_payment_started(&self, payment_id: &str, provider_ref: &str, redirect_url: &str) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("UPDATE payments SET provider_ref = $1, redirect_url = $2 WHERE payment_id = $3")
                        .bind(provider_ref)
                        .bind(redirect_url)
                        .bind(payment_id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn payment(&self, payment_id: &str) -> Result<Option<Payment>> {
                Ok(self.payments_where("payment_id = $1", "created_at", &[payment_id]).await?.pop())
            }

            async fn payment_by_ref(&self, provider: &str, provider_ref: &str) -> Result<Option<Payment>> {
                Ok(self.payments_where("provider = $1 AND provider_ref = $2", "created_at", &[provider, provider_ref]).await?.pop())
            }

            async fn grant_payments(&self, household_id: &HouseholdId, grant_id: &str) -> Result<Vec<Payment>> {
                self.payments_where("household_id = $1 AND grant_id = $2", "created_at DESC, payment_id DESC", &[household_id.as_str(), grant_id]).await
            }

            async fn record_callback(&self, provider: &str, webhook_id: &str, body_sha256: &str, at: jiff::Timestamp) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(
                        "INSERT INTO payment_callbacks (provider, webhook_id, received_at, body_sha256) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(provider)
                    .bind(webhook_id)
                    .bind(ts(&at))
                    .bind(body_sha256)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(n == 1)
                })
                .await
            }

            async fn settle_payment(&self, payment_id: &str, a: &ProviderAnswer, at: jiff::Timestamp, logs: &[&ChangeLog]) -> Result<Settled> {
                let paid = a.status == "paid";
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let row: Option<(String, String)> = sqlx::query_as(
                        "UPDATE payments SET status = $1, settled_at = $2, provider_status = $3, provider_amount = $4, provider_currency = $5 \
                         WHERE payment_id = $6 AND status = 'pending' RETURNING household_id, grant_id",
                    )
                    .bind(if paid { "paid" } else { "failed" })
                    .bind(ts(&at))
                    .bind(a.status.as_str())
                    .bind(a.amount)
                    .bind(a.currency.as_str())
                    .bind(payment_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some((hid, grant)) = row else { return Ok(Settled::Already) };
                    let outcome = if paid {
                        let n = sqlx::query(
                            "UPDATE proxy_grants SET status = 'active', paid_at = $1, payment_id = $2 \
                             WHERE household_id = $3 AND grant_id = $4 AND status = 'awaiting_payment'",
                        )
                        .bind(ts(&at))
                        .bind(payment_id)
                        .bind(hid.as_str())
                        .bind(grant.as_str())
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if n == 1 { Settled::Activated } else { Settled::GrantNotWaiting }
                    } else {
                        Settled::Failed
                    };
                    let entries: Vec<(Option<&str>, &ChangeLog)> = logs.iter().map(|l| (Some(hid.as_str()), *l)).collect();
                    Self::append_audit(&mut tx, &entries).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(outcome)
                })
                .await
            }

            async fn refund_payment(&self, payment_id: &str, at: jiff::Timestamp, log: &ChangeLog) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let hid: Option<String> = sqlx::query_scalar(
                        "UPDATE payments SET status = 'refunded', refunded_at = $1 WHERE payment_id = $2 AND status = 'paid' RETURNING household_id",
                    )
                    .bind(ts(&at))
                    .bind(payment_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(hid) = hid else { return Ok(false) };
                    Self::append_audit(&mut tx, &[(Some(hid.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn pending_payments(&self, before: jiff::Timestamp, limit: u32) -> Result<Vec<Payment>> {
                let mut all = self.payments_where("status = 'pending' AND created_at < $1", "created_at, payment_id", &[&ts(&before)]).await?;
                all.truncate(limit as usize);
                Ok(all)
            }

            async fn payments_between(&self, from: jiff::Timestamp, to: jiff::Timestamp) -> Result<Vec<Payment>> {
                self.payments_where("created_at >= $1 AND created_at < $2", "created_at, payment_id", &[&ts(&from), &ts(&to)]).await
            }

            async fn payment_reconciliation(&self, from: jiff::Timestamp, to: jiff::Timestamp) -> Result<Vec<ReconciliationRow>> {
                const COLS: &str = "g.household_id, g.grant_id, p.payment_id, p.amount, g.fee, g.status AS grant_status, p.status AS payment_status";
                let checks: [(&'static str, String); 3] = [
                    ("paid_not_granted", format!(
                        "SELECT {COLS} FROM payments p JOIN proxy_grants g ON g.household_id = p.household_id AND g.grant_id = p.grant_id \
                         WHERE p.status = 'paid' AND g.status NOT IN ('active', 'given_up', 'expired') AND p.settled_at >= $1 AND p.settled_at < $2")),
                    ("granted_not_paid", format!(
                        "SELECT {COLS} FROM proxy_grants g LEFT JOIN payments p ON p.household_id = g.household_id AND p.payment_id = g.payment_id \
                         WHERE g.paid_at >= $1 AND g.paid_at < $2 AND (p.payment_id IS NULL OR p.status NOT IN ('paid', 'refunded'))")),
                    ("amount_differs", format!(
                        "SELECT {COLS} FROM payments p JOIN proxy_grants g ON g.household_id = p.household_id AND g.grant_id = p.grant_id \
                         WHERE p.status IN ('paid', 'refunded') AND p.amount <> g.fee AND p.settled_at >= $1 AND p.settled_at < $2")),
                ];
                let mut out = vec![];
                for (kind, sql) in checks {
                    for r in sqlx::query(sqlx::AssertSqlSafe(format!("{sql} ORDER BY g.household_id, g.grant_id")))
                        .bind(ts(&from))
                        .bind(ts(&to))
                        .fetch_all(&self.pool)
                        .await?
                    {
                        out.push(ReconciliationRow {
                            kind,
                            household_id: r.try_get::<String, _>("household_id")?.into(),
                            grant_id: r.try_get("grant_id")?,
                            payment_id: r.try_get("payment_id")?,
                            amount: r.try_get("amount")?,
                            fee: r.try_get("fee")?,
                            grant_status: r.try_get("grant_status")?,
                            payment_status: r.try_get("payment_status")?,
                        });
                    }
                }
                Ok(out)
            }
        }
    };
}

pub(crate) use payments_sql;
