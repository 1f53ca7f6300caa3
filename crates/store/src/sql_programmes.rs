//! `ProgrammeStore` for both backends, like `sql_impl`.

macro_rules! programmes_sql {
    ($store:ident) => {
        use $crate::programmes::{ProgrammeRow, ProgrammeStore, StoredVersion};

        impl $store {
            fn programme_from_row(r: &DbRow) -> Result<ProgrammeRow> {
                Ok(ProgrammeRow {
                    code: r.try_get("code")?,
                    country: r.try_get("country")?,
                    kind: r.try_get("kind")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                })
            }
        }

        #[async_trait::async_trait]
        impl ProgrammeStore for $store {
            async fn add_programme_versions(&self, p: &ProgrammeRow, versions: &[StoredVersion], log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("INSERT INTO programmes (code, country, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING")
                        .bind(p.code.as_str())
                        .bind(p.country.as_str())
                        .bind(p.kind.as_str())
                        .bind(ts(&p.created_at))
                        .execute(&mut *tx)
                        .await?;
                    for v in versions {
                        sqlx::query(concat!(
                            "INSERT INTO programme_versions (programme, version, effective_from, content, imported_by, imported_at) ",
                            "VALUES ($1, $2, $3, $4, $5, $6)"
                        ))
                        .bind(v.programme.as_str())
                        .bind(v.version)
                        .bind(v.effective_from.to_string())
                        .bind(v.content.as_str())
                        .bind(v.imported_by.as_str())
                        .bind(ts(&v.imported_at))
                        .execute(&mut *tx)
                        .await?;
                    }
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn programmes(&self) -> Result<Vec<ProgrammeRow>> {
                sqlx::query("SELECT code, country, kind, created_at FROM programmes ORDER BY code")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(Self::programme_from_row)
                    .collect()
            }

            async fn programme_row(&self, code: &str) -> Result<Option<ProgrammeRow>> {
                sqlx::query("SELECT code, country, kind, created_at FROM programmes WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await?
                    .as_ref()
                    .map(Self::programme_from_row)
                    .transpose()
            }

            async fn programme_versions(&self, code: &str) -> Result<Vec<StoredVersion>> {
                let rows = sqlx::query(concat!(
                    "SELECT programme, version, effective_from, content, imported_by, imported_at FROM programme_versions ",
                    "WHERE programme = $1 ORDER BY version"
                ))
                .bind(code)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let month: String = r.try_get("effective_from")?;
                        Ok(StoredVersion {
                            programme: r.try_get("programme")?,
                            version: r.try_get("version")?,
                            effective_from: parse_month("programme_versions.effective_from", &month)?,
                            content: r.try_get("content")?,
                            imported_by: r.try_get("imported_by")?,
                            imported_at: parse_ts(&r.try_get::<String, _>("imported_at")?)?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use programmes_sql;
