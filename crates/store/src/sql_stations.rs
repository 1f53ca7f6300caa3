//! Registration sites and mobile-station visits at the reference civil registry, shared by both
//! backends like `sql_impl`.

macro_rules! stations_sql {
    ($store:ident) => {
        impl $store {
            async fn q_visits(&self, cond: &'static str, a: &str, b: &str) -> Result<Vec<$crate::StationVisit>> {
                let sql = format!(
                    "SELECT v.*, (SELECT COUNT(*) FROM visit_registrations r WHERE r.visit_id = v.visit_id) AS registered \
                     FROM station_visits v WHERE {cond} ORDER BY v.visit_date, v.starts, v.visit_id"
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(a);
                if !b.is_empty() {
                    q = q.bind(b);
                }
                q.fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok($crate::StationVisit {
                            visit_id: r.try_get("visit_id")?,
                            site_id: r.try_get("site_id")?,
                            place_kind: r.try_get("place_kind")?,
                            place_name: r.try_get("place_name")?,
                            district: r.try_get("district")?,
                            visit_date: r.try_get("visit_date")?,
                            starts: r.try_get("starts")?,
                            ends: r.try_get("ends")?,
                            status: r.try_get("status")?,
                            created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                            registered: r.try_get("registered")?,
                        })
                    })
                    .collect()
            }

        }

        #[async_trait::async_trait]
        impl $crate::StationStore for $store {
            async fn save_site(&self, s: &$crate::RegistrationSite) -> Result<()> {
                with_retry(|| async {
                    sqlx::query(
                        "INSERT INTO registration_sites (site_id, kind, name, governorate, district, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(s.site_id.as_str())
                    .bind(s.kind.as_str())
                    .bind(s.name.as_str())
                    .bind(s.governorate.as_str())
                    .bind(s.district.as_str())
                    .bind(ts(&s.created_at))
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
                .await
            }

            async fn site(&self, id: &str) -> Result<Option<$crate::RegistrationSite>> {
                let row = sqlx::query("SELECT * FROM registration_sites WHERE site_id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref()
                    .map(|r| {
                        Ok($crate::RegistrationSite {
                            site_id: r.try_get("site_id")?,
                            kind: r.try_get("kind")?,
                            name: r.try_get("name")?,
                            governorate: r.try_get("governorate")?,
                            district: r.try_get("district")?,
                            created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                        })
                    })
                    .transpose()
            }

            async fn save_visit(&self, v: &$crate::StationVisit) -> Result<()> {
                with_retry(|| async {
                    sqlx::query(concat!(
                        "INSERT INTO station_visits (visit_id, site_id, place_kind, place_name, district, visit_date, starts, ends, ",
                        "status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    ))
                    .bind(v.visit_id.as_str())
                    .bind(v.site_id.as_str())
                    .bind(v.place_kind.as_str())
                    .bind(v.place_name.as_str())
                    .bind(v.district.as_str())
                    .bind(v.visit_date.as_str())
                    .bind(v.starts.as_str())
                    .bind(v.ends.as_str())
                    .bind(v.status.as_str())
                    .bind(ts(&v.created_at))
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
                .await
            }

            async fn visit(&self, visit_id: &str) -> Result<Option<$crate::StationVisit>> {
                Ok(self.q_visits("v.visit_id = $1", visit_id, "").await?.into_iter().next())
            }

            async fn visits(&self, from: &str, to: &str) -> Result<Vec<$crate::StationVisit>> {
                self.q_visits("v.visit_date >= $1 AND v.visit_date <= $2", from, to).await
            }

            async fn set_visit_status(&self, id: &str, from: &str, to: &str) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query("UPDATE station_visits SET status = $1 WHERE visit_id = $2 AND status = $3")
                        .bind(to)
                        .bind(id)
                        .bind(from)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn register_at_visit(&self, visit_id: &str, nid: &str, service: &str, at: jiff::Timestamp) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(
                        "INSERT INTO visit_registrations (visit_id, national_id, registered_at, service) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    )
                    .bind(visit_id)
                    .bind(nid)
                    .bind(ts(&at))
                    .bind(service)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn visit_registrations(&self, visit_id: &str) -> Result<Vec<(String, String, jiff::Timestamp)>> {
                sqlx::query("SELECT national_id, service, registered_at FROM visit_registrations WHERE visit_id = $1 ORDER BY registered_at, national_id")
                    .bind(visit_id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, parse_ts(&r.try_get::<String, _>(2)?)?)))
                    .collect()
            }
        }
    };
}

pub(crate) use stations_sql;
