//! The visit at the counter (or at home), shared by both backends like `sql_appointments`, whose
//! `AppointmentStore` implementation calls these: check-in, each member's attendance, completion, the
//! members proposed online, closing a visit nobody finished; and the temporary cards issued at a visit.

macro_rules! visits_sql {
    ($store:ident) => {
        impl $store {
            async fn q_check_in(
                &self,
                household_id: &str,
                appointment_id: &str,
                at: jiff::Timestamp,
                waited_minutes: i64,
                log: &ChangeLog,
            ) -> Result<bool> {
                self.appt_update(
                    "UPDATE appointments SET status = 'checked_in', checked_in_at = $1, waited_minutes = $2 WHERE household_id = $3 AND appointment_id = $4 AND status = 'booked'",
                    &[ts(&at).into(), Val::Int(waited_minutes), household_id.into(), appointment_id.into()],
                    household_id,
                    log,
                )
                .await
            }

            async fn q_save_attendance(
                &self,
                household_id: &str,
                appointment_id: &str,
                m: &AppointmentMember,
                log: &ChangeLog,
            ) -> Result<bool> {
                self.appt_update(
                    concat!(
                        "UPDATE appointment_members SET attendance = $1, documents_seen = $2, note = $3 ",
                        "WHERE household_id = $4 AND appointment_id = $5 AND member_id = $6 AND EXISTS (",
                        "SELECT 1 FROM appointments a WHERE a.household_id = $4 AND a.appointment_id = $5 AND a.status = 'checked_in')"
                    ),
                    &[
                        m.attendance.code().into(),
                        m.documents_seen.as_str().into(),
                        Val::OptText(m.note.clone()),
                        household_id.into(),
                        appointment_id.into(),
                        m.member_id.as_str().into(),
                    ],
                    household_id,
                    log,
                )
                .await
            }

            async fn q_complete_appointment(
                &self,
                household_id: &str,
                appointment_id: &str,
                at: jiff::Timestamp,
                visit_seconds: i64,
                log: &ChangeLog,
            ) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE appointments SET status = 'completed', completed_at = $1, visit_seconds = $2 WHERE household_id = $3 AND appointment_id = $4 AND status = 'checked_in'",
                    )
                    .bind(ts(&at))
                    .bind(visit_seconds)
                    .bind(household_id)
                    .bind(appointment_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    // An officer's household (registered at the counter) has no online submission.
                    sqlx::query(concat!(
                        "INSERT INTO household_registrations (household_id, submitted_at, verified_at) VALUES ($1, $2, $2) ",
                        "ON CONFLICT (household_id) DO UPDATE SET verified_at = excluded.verified_at"
                    ))
                    .bind(household_id)
                    .bind(ts(&at))
                    .execute(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(Some(household_id), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn q_save_proposals(&self, household_id: &str, appointment_id: &str, from: &str, to: &str) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(concat!(
                        "UPDATE appointments SET proposed_members = $1 WHERE household_id = $2 AND appointment_id = $3 ",
                        "AND status = 'checked_in' AND proposed_members = $4"
                    ))
                    .bind(to)
                    .bind(household_id)
                    .bind(appointment_id)
                    .bind(from)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn q_close_unfinished(
                &self,
                household_id: &str,
                appointment_id: &str,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<bool> {
                self.appt_update(
                    "UPDATE appointments SET status = 'cancelled', closed_at = $1 WHERE household_id = $2 AND appointment_id = $3 AND status = 'checked_in'",
                    &[ts(&at).into(), household_id.into(), appointment_id.into()],
                    household_id,
                    log,
                )
                .await
            }

            // ---- temporary cards ----

            fn temp_card_row(r: &DbRow) -> Result<TemporaryCard> {
                let status: String = r.try_get("status")?;
                Ok(TemporaryCard {
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    card_id: r.try_get("card_id")?,
                    member_id: r.try_get::<String, _>("member_id")?.into(),
                    issued_at: parse_ts(&r.try_get::<String, _>("issued_at")?)?,
                    issued_by: r.try_get("issued_by")?,
                    expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                    status: TemporaryCardStatus::parse(&status).ok_or_else(|| corrupt("temporary_cards.status", &status))?,
                    closed_at: parse_opt_ts(r.try_get("closed_at")?)?,
                    national_id: r.try_get("national_id")?,
                })
            }

            async fn q_issue_temporary_card(&self, c: &TemporaryCard, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let row = vec![
                        c.household_id.as_str().into(),
                        c.card_id.as_str().into(),
                        c.member_id.as_str().into(),
                        ts(&c.issued_at).into(),
                        c.issued_by.as_str().into(),
                        ts(&c.expires_at).into(),
                        c.status.code().into(),
                    ];
                    Self::insert_rows(
                        &mut tx,
                        "temporary_cards",
                        "household_id, card_id, member_id, issued_at, issued_by, expires_at, status",
                        &[row],
                        "",
                    )
                    .await?;
                    Self::append_audit(&mut tx, &[(Some(c.household_id.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn q_temporary_cards_of(&self, household_id: &str) -> Result<Vec<TemporaryCard>> {
                sqlx::query("SELECT * FROM temporary_cards WHERE household_id = $1 ORDER BY issued_at DESC, card_id")
                    .bind(household_id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(Self::temp_card_row)
                    .collect()
            }

            async fn q_active_temporary_cards(&self, after: &str, limit: u32) -> Result<Vec<TemporaryCard>> {
                let sql = format!(
                    "SELECT t.* FROM temporary_cards t JOIN members m ON m.household_id = t.household_id AND m.member_id = t.member_id \
                     WHERE t.status = 'active' AND t.card_id > $1 AND m.national_id IS NOT NULL AND m.presence = 'present' \
                     ORDER BY t.card_id LIMIT {}",
                    limit.clamp(1, 10_000)
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(after)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(Self::temp_card_row)
                    .collect()
            }

            async fn q_expired_temporary_cards(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<TemporaryCard>> {
                let sql = format!(
                    "SELECT * FROM temporary_cards WHERE status = 'active' AND expires_at < $1 ORDER BY expires_at, card_id LIMIT {}",
                    limit.clamp(1, 10_000)
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(ts(&now))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(Self::temp_card_row)
                    .collect()
            }

            async fn q_close_temporary_card(
                &self,
                household_id: &str,
                card_id: &str,
                to: TemporaryCardStatus,
                national_id: Option<&str>,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<bool> {
                self.appt_update(
                    "UPDATE temporary_cards SET status = $1, national_id = $2, closed_at = $3 WHERE household_id = $4 AND card_id = $5 AND status = 'active'",
                    &[
                        to.code().into(),
                        Val::OptText(national_id.map(str::to_string)),
                        ts(&at).into(),
                        household_id.into(),
                        card_id.into(),
                    ],
                    household_id,
                    log,
                )
                .await
            }
        }
    };
}

pub(crate) use visits_sql;
