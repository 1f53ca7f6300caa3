//! `ProxyStore` for both backends, like `sql_impl`.

pub(crate) const GRANT_COLS: &str = "household_id, grant_id, proxy_national_id, proxy_household_id, programmes, items, \
    valid_from, valid_to, reason, reason_text, status, fee, currency, created_by, created_at, head_challenge, head_confirmed_at, \
    head_evidence, proxy_challenge, proxy_confirmed_at, proxy_evidence, paid_at, payment_id, ended_at, ended_by, end_reason";

/// A place taken of the proxy's: written at 1, or raised while under the limit (`$2`). No row: full.
pub(crate) const TAKE_PLACE_SQL: &str = concat!(
    "INSERT INTO proxy_load (national_id, grants) VALUES ($1, 1) ON CONFLICT (national_id) DO UPDATE ",
    "SET grants = proxy_load.grants + 1 WHERE proxy_load.grants < $2 RETURNING grants"
);

pub(crate) const GIVE_PLACE_SQL: &str =
    "UPDATE proxy_load SET grants = grants - 1 WHERE national_id = $1";

macro_rules! proxies_sql {
    ($store:ident) => {
        use $crate::proxies::{ChangeLogFor, Confirmation, Created, Grant, GrantEnd, ProxyStore, Side};
        use tamwin_domain::proxy::{GrantReason, GrantScope, GrantStatus};

        impl $store {
            fn grant_of(r: &DbRow) -> Result<Grant> {
                let day = |col: &str| -> Result<jiff::civil::Date> {
                    let v: String = r.try_get(col)?;
                    v.parse().map_err(|_| corrupt(&format!("proxy_grants.{col}"), &v))
                };
                let list = |col: &str| -> Result<Vec<String>> {
                    let v: String = r.try_get(col)?;
                    serde_json::from_str(&v).map_err(|_| corrupt(&format!("proxy_grants.{col}"), &v))
                };
                let side = |s: &str| -> Result<Confirmation> {
                    Ok(Confirmation {
                        challenge: r.try_get(format!("{s}_challenge").as_str())?,
                        confirmed_at: parse_opt_ts(r.try_get(format!("{s}_confirmed_at").as_str())?)?,
                        evidence: r.try_get(format!("{s}_evidence").as_str())?,
                    })
                };
                let reason: String = r.try_get("reason")?;
                let status: String = r.try_get("status")?;
                Ok(Grant {
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    grant_id: r.try_get("grant_id")?,
                    proxy_national_id: r.try_get("proxy_national_id")?,
                    proxy_household_id: r.try_get::<Option<String>, _>("proxy_household_id")?.map(Into::into),
                    scope: GrantScope { programmes: list("programmes")?, items: list("items")? },
                    valid_from: day("valid_from")?,
                    valid_to: day("valid_to")?,
                    reason: GrantReason::parse(&reason).ok_or_else(|| corrupt("proxy_grants.reason", &reason))?,
                    reason_text: r.try_get("reason_text")?,
                    status: GrantStatus::parse(&status).ok_or_else(|| corrupt("proxy_grants.status", &status))?,
                    fee: r.try_get("fee")?,
                    currency: r.try_get("currency")?,
                    created_by: r.try_get("created_by")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    head: side("head")?,
                    proxy: side("proxy")?,
                    paid_at: parse_opt_ts(r.try_get("paid_at")?)?,
                    payment_id: r.try_get("payment_id")?,
                    ended_at: parse_opt_ts(r.try_get("ended_at")?)?,
                    ended_by: r.try_get("ended_by")?,
                    end_reason: r.try_get("end_reason")?,
                })
            }

            async fn grants_where(&self, filter: &str, bind: &str) -> Result<Vec<Grant>> {
                let sql = format!(
                    "SELECT {} FROM proxy_grants WHERE {filter} ORDER BY created_at DESC, grant_id DESC",
                    $crate::sql_proxies::GRANT_COLS
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(bind)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(Self::grant_of)
                    .collect()
            }
        }

        #[async_trait::async_trait]
        impl ProxyStore for $store {
            async fn create_grant(&self, g: &Grant, limit: i64, log: &ChangeLog) -> Result<Created> {
                let hid = g.household_id.as_str();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let open: Option<String> = sqlx::query_scalar(
                        "SELECT grant_id FROM proxy_grants WHERE household_id = $1 AND proxy_national_id = $2 \
                         AND status IN ('confirming', 'awaiting_payment', 'active')",
                    )
                    .bind(hid)
                    .bind(g.proxy_national_id.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                    if open.is_some() {
                        return Ok(Created::OpenGrantExists);
                    }
                    let placed: Option<i64> = sqlx::query_scalar($crate::sql_proxies::TAKE_PLACE_SQL)
                        .bind(g.proxy_national_id.as_str())
                        .bind(limit)
                        .fetch_optional(&mut *tx)
                        .await?;
                    // A first place written when the limit is 0 took the guard on trust.
                    if placed.is_none_or(|n| n > limit) {
                        return Ok(Created::ProxyAtLimit);
                    }
                    let list = |v: &[String]| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
                    let row = vec![
                        Val::from(hid),
                        g.grant_id.as_str().into(),
                        g.proxy_national_id.as_str().into(),
                        g.proxy_household_id.as_ref().map(|h| h.as_str().to_string()).into(),
                        list(&g.scope.programmes).into(),
                        list(&g.scope.items).into(),
                        g.valid_from.to_string().into(),
                        g.valid_to.to_string().into(),
                        g.reason.code().into(),
                        g.reason_text.clone().into(),
                        g.status.code().into(),
                        g.fee.into(),
                        g.currency.as_str().into(),
                        g.created_by.as_str().into(),
                        ts(&g.created_at).into(),
                        g.head.challenge.clone().into(),
                        Option::<String>::None.into(),
                        Option::<String>::None.into(),
                        g.proxy.challenge.clone().into(),
                        Option::<String>::None.into(),
                        Option::<String>::None.into(),
                        Option::<String>::None.into(),
                        Option::<String>::None.into(),
                        Option::<String>::None.into(),
                        Option::<String>::None.into(),
                        Option::<String>::None.into(),
                    ];
                    Self::insert_rows(&mut tx, "proxy_grants", $crate::sql_proxies::GRANT_COLS, &[row], "").await?;
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(Created::Done)
                })
                .await
            }

            async fn set_challenge(&self, household_id: &HouseholdId, grant_id: &str, side: Side, challenge: &str) -> Result<bool> {
                let sql = format!(
                    "UPDATE proxy_grants SET {}_challenge = $1 WHERE household_id = $2 AND grant_id = $3 \
                     AND status IN ('confirming', 'awaiting_payment', 'active')",
                    side.column()
                );
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(challenge)
                        .bind(household_id.as_str())
                        .bind(grant_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(n == 1)
                })
                .await
            }

            async fn confirm_grant(
                &self,
                household_id: &HouseholdId,
                grant_id: &str,
                side: Side,
                evidence: &str,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<Option<GrantStatus>> {
                let s = side.column();
                // Both confirmed: the grant awaits its payment, in the same statement.
                let sql = format!(
                    "UPDATE proxy_grants SET {s}_confirmed_at = $1, {s}_evidence = $2, \
                     status = CASE WHEN head_confirmed_at IS NOT NULL OR proxy_confirmed_at IS NOT NULL THEN 'awaiting_payment' ELSE status END \
                     WHERE household_id = $3 AND grant_id = $4 AND status = 'confirming' AND {s}_confirmed_at IS NULL RETURNING status"
                );
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let status: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(ts(&at))
                        .bind(evidence)
                        .bind(household_id.as_str())
                        .bind(grant_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(status) = status else { return Ok(None) };
                    Self::append_audit(&mut tx, &[(Some(household_id.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(Some(GrantStatus::parse(&status).ok_or_else(|| corrupt("proxy_grants.status", &status))?))
                })
                .await
            }

            async fn activate_grant(
                &self,
                household_id: &HouseholdId,
                grant_id: &str,
                payment_id: &str,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE proxy_grants SET status = 'active', paid_at = $1, payment_id = $2 \
                         WHERE household_id = $3 AND grant_id = $4 AND status = 'awaiting_payment'",
                    )
                    .bind(ts(&at))
                    .bind(payment_id)
                    .bind(household_id.as_str())
                    .bind(grant_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    Self::append_audit(&mut tx, &[(Some(household_id.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn end_grant(&self, e: &GrantEnd<'_>) -> Result<bool> {
                let from: Vec<String> = e.from.iter().map(|s| format!("'{}'", s.code())).collect();
                let sql = format!(
                    "UPDATE proxy_grants SET status = $1, ended_at = $2, ended_by = $3, end_reason = $4 \
                     WHERE household_id = $5 AND grant_id = $6 AND status IN ({}) RETURNING proxy_national_id",
                    from.join(", ")
                );
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let proxy: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(e.to.code())
                        .bind(ts(&e.at))
                        .bind(e.by)
                        .bind(e.reason)
                        .bind(e.household_id.as_str())
                        .bind(e.grant_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(proxy) = proxy else { return Ok(false) };
                    sqlx::query($crate::sql_proxies::GIVE_PLACE_SQL).bind(proxy.as_str()).execute(&mut *tx).await?;
                    Self::append_audit(&mut tx, &[(Some(e.household_id.as_str()), e.log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn expire_grants(&self, today: jiff::civil::Date, at: jiff::Timestamp, logs: &ChangeLogFor<'_>) -> Result<u64> {
                let due = self.grants_where("status = 'active' AND valid_to < $1", &today.to_string()).await?;
                let mut n = 0;
                for g in &due {
                    let log = logs(g);
                    let end = GrantEnd {
                        household_id: &g.household_id,
                        grant_id: &g.grant_id,
                        from: &[GrantStatus::Active],
                        to: GrantStatus::Expired,
                        by: "system",
                        reason: None,
                        at,
                        log: &log,
                    };
                    if self.end_grant(&end).await? {
                        n += 1;
                    }
                }
                Ok(n)
            }

            async fn grant(&self, grant_id: &str) -> Result<Option<Grant>> {
                Ok(self.grants_where("grant_id = $1", grant_id).await?.pop())
            }

            async fn household_grants(&self, household_id: &HouseholdId) -> Result<Vec<Grant>> {
                self.grants_where("household_id = $1", household_id.as_str()).await
            }

            async fn grants_of_proxy(&self, national_id: &str) -> Result<Vec<Grant>> {
                self.grants_where("proxy_national_id = $1", national_id).await
            }

            async fn proxy_load(&self, national_id: &str) -> Result<i64> {
                Ok(sqlx::query_scalar("SELECT grants FROM proxy_load WHERE national_id = $1")
                    .bind(national_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .unwrap_or(0))
            }

            async fn proxy_collected_since(&self, since: jiff::Timestamp) -> Result<Vec<$crate::proxies::ProxyCollected>> {
                let rows = sqlx::query(
                    "SELECT household_id, proxy_grant_id, COUNT(*) AS n, MIN(at) AS first_at, MAX(at) AS last_at FROM redemptions WHERE proxy_grant_id IS NOT NULL AND voided_at IS NULL AND at >= $1 GROUP BY household_id, proxy_grant_id ORDER BY household_id, proxy_grant_id",
                )
                .bind(ts(&since))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::proxies::ProxyCollected {
                            household_id: HouseholdId::new(r.try_get::<String, _>("household_id")?),
                            grant_id: r.try_get("proxy_grant_id")?,
                            collections: r.try_get("n")?,
                            first_at: parse_ts(&r.try_get::<String, _>("first_at")?)?,
                            last_at: parse_ts(&r.try_get::<String, _>("last_at")?)?,
                        })
                    })
                    .collect()
            }

            async fn set_proxy_ticket(&self, household_id: &HouseholdId, grant_id: &str, ticket_hash: &str, expires: jiff::Timestamp, evidence: &str) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(
                        "UPDATE proxy_grants SET proxy_ticket_hash = $1, proxy_ticket_expires = $2, proxy_seen_evidence = $3 \
                         WHERE household_id = $4 AND grant_id = $5 AND status = 'confirming' AND proxy_confirmed_at IS NULL",
                    )
                    .bind(ticket_hash)
                    .bind(ts(&expires))
                    .bind(evidence)
                    .bind(household_id.as_str())
                    .bind(grant_id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn take_proxy_ticket(&self, grant_id: &str, ticket_hash: &str, now: jiff::Timestamp) -> Result<Option<String>> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let evidence: Option<Option<String>> = sqlx::query_scalar(
                        "UPDATE proxy_grants SET proxy_ticket_hash = NULL WHERE grant_id = $1 AND proxy_ticket_hash = $2 \
                         AND proxy_ticket_expires > $3 RETURNING proxy_seen_evidence",
                    )
                    .bind(grant_id)
                    .bind(ticket_hash)
                    .bind(ts(&now))
                    .fetch_optional(&mut *tx)
                    .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(evidence.flatten())
                })
                .await
            }

            async fn grants_since(&self, since: jiff::Timestamp) -> Result<Vec<Grant>> {
                self.grants_where("created_at >= $1", &ts(&since)).await
            }

            async fn add_proxy_code(&self, c: &$crate::proxies::ProxyCode, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO proxy_collection_codes (challenge_id, grant_id, household_id, outlet_code, national_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(&c.challenge_id)
                    .bind(&c.grant_id)
                    .bind(c.household_id.as_str())
                    .bind(&c.outlet_code)
                    .bind(&c.national_id)
                    .bind(ts(&c.created_at))
                    .bind(ts(&c.expires_at))
                    .execute(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(Some(c.household_id.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn proxy_code(&self, national_id: &str, household_id: &HouseholdId, outlet_code: &str) -> Result<Option<$crate::proxies::ProxyCode>> {
                let row = sqlx::query(
                    "SELECT challenge_id, grant_id, created_at, expires_at FROM proxy_collection_codes WHERE national_id = $1 AND outlet_code = $2 AND household_id = $3 ORDER BY created_at DESC LIMIT 1",
                )
                .bind(national_id)
                .bind(outlet_code)
                .bind(household_id.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    Ok($crate::proxies::ProxyCode {
                        challenge_id: r.try_get("challenge_id")?,
                        grant_id: r.try_get("grant_id")?,
                        household_id: household_id.clone(),
                        outlet_code: outlet_code.to_string(),
                        national_id: national_id.to_string(),
                        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                        expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                    })
                })
                .transpose()
            }
        }
    };
}

pub(crate) use proxies_sql;
