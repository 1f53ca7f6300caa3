//! Unified cards and their home-delivery orders at the reference civil registry, shared by both
//! backends like `sql_impl`.

macro_rules! cards_sql {
    ($store:ident) => {
        /// A stored delivery status, parsed once: an unknown value is an error naming its table and column.
        fn delivery_status(what: &str, v: &str) -> Result<tamwin_domain::delivery::DeliveryStatus> {
            tamwin_domain::delivery::DeliveryStatus::parse(v).ok_or_else(|| corrupt(what, v))
        }

        impl $store {
            async fn q_step(c: &mut Conn, order_id: &str, status: &str, at: jiff::Timestamp, note: &str) -> Result<()> {
                sqlx::query(concat!(
                    "INSERT INTO card_delivery_steps (order_id, seq, status, at, note) VALUES ($1, ",
                    "(SELECT COALESCE(MAX(seq), 0) + 1 FROM card_delivery_steps WHERE order_id = $2), $3, $4, $5)"
                ))
                .bind(order_id)
                .bind(order_id)
                .bind(status)
                .bind(ts(&at))
                .bind(note)
                .execute(&mut *c)
                .await?;
                Ok(())
            }

            async fn q_deliveries(&self, by: &'static str, v: &str) -> Result<Vec<$crate::CardDelivery>> {
                let sql = if by == "order_id" {
                    "SELECT * FROM card_deliveries WHERE order_id = $1"
                } else {
                    "SELECT * FROM card_deliveries WHERE national_id = $1 ORDER BY created_at DESC, order_id DESC"
                };
                let rows = sqlx::query(sql).bind(v).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in &rows {
                    let order_id: String = r.try_get("order_id")?;
                    let steps = sqlx::query("SELECT status, at, note FROM card_delivery_steps WHERE order_id = $1 ORDER BY seq")
                        .bind(order_id.as_str())
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(|s| {
                            let status = delivery_status("card_delivery_steps.status", &s.try_get::<String, _>(0)?)?;
                            Ok((status, parse_ts(&s.try_get::<String, _>(1)?)?, s.try_get(2)?))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    out.push($crate::CardDelivery {
                        order_id,
                        card_id: r.try_get("card_id")?,
                        national_id: r.try_get("national_id")?,
                        address: r.try_get("address")?,
                        status: delivery_status("card_deliveries.status", &r.try_get::<String, _>("status")?)?,
                        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
                        steps,
                    });
                }
                Ok(out)
            }
        }

        #[async_trait::async_trait]
        impl $crate::CardStore for $store {
            async fn civil_issue_card(&self, c: &$crate::CivilCard, d: Option<&$crate::CardDelivery>) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("UPDATE civil_cards SET status = 'replaced' WHERE national_id = $1 AND status = 'valid'")
                        .bind(c.national_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(concat!(
                        "INSERT INTO civil_cards (card_id, national_id, card_number, issued_at, expires_at, status, qr) ",
                        "VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    ))
                    .bind(c.card_id.as_str())
                    .bind(c.national_id.as_str())
                    .bind(c.card_number.as_str())
                    .bind(ts(&c.issued_at))
                    .bind(ts(&c.expires_at))
                    .bind(c.status.as_str())
                    .bind(c.qr.as_str())
                    .execute(&mut *tx)
                    .await?;
                    let expires = c.expires_at.to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
                    sqlx::query("UPDATE civil_persons SET card_status = 'valid', card_expires = $1 WHERE national_id = $2")
                        .bind(expires)
                        .bind(c.national_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    if let Some(d) = d {
                        sqlx::query(concat!(
                            "INSERT INTO card_deliveries (order_id, card_id, national_id, address, status, created_at, updated_at) ",
                            "VALUES ($1, $2, $3, $4, $5, $6, $7)"
                        ))
                        .bind(d.order_id.as_str())
                        .bind(d.card_id.as_str())
                        .bind(d.national_id.as_str())
                        .bind(d.address.as_str())
                        .bind(d.status.code())
                        .bind(ts(&d.created_at))
                        .bind(ts(&d.updated_at))
                        .execute(&mut *tx)
                        .await?;
                        Self::q_step(&mut tx, &d.order_id, d.status.code(), d.created_at, "").await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn civil_cards(&self, national_id: &str) -> Result<Vec<$crate::CivilCard>> {
                sqlx::query("SELECT * FROM civil_cards WHERE national_id = $1 ORDER BY issued_at DESC, card_id DESC")
                    .bind(national_id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok($crate::CivilCard {
                            card_id: r.try_get("card_id")?,
                            national_id: r.try_get("national_id")?,
                            card_number: r.try_get("card_number")?,
                            issued_at: parse_ts(&r.try_get::<String, _>("issued_at")?)?,
                            expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                            status: r.try_get("status")?,
                            qr: r.try_get("qr")?,
                        })
                    })
                    .collect()
            }

            async fn card_delivery_step(&self, order_id: &str, from: &str, to: &str, at: jiff::Timestamp, note: &str) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query("UPDATE card_deliveries SET status = $1, updated_at = $2 WHERE order_id = $3 AND status = $4")
                        .bind(to)
                        .bind(ts(&at))
                        .bind(order_id)
                        .bind(from)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if n == 1 {
                        Self::q_step(&mut tx, order_id, to, at, note).await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(n == 1)
                })
                .await
            }

            async fn card_delivery(&self, order_id: &str) -> Result<Option<$crate::CardDelivery>> {
                Ok(self.q_deliveries("order_id", order_id).await?.into_iter().next())
            }

            async fn card_deliveries(&self, national_id: &str) -> Result<Vec<$crate::CardDelivery>> {
                self.q_deliveries("national_id", national_id).await
            }
        }
    };
}

pub(crate) use cards_sql;
