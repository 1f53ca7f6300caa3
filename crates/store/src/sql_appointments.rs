//! Appointments, slots, home visits, reminders and progress figures, shared by both backends like
//! `sql_impl`; the visit itself and its temporary cards are in `sql_visits`, expanded with this.

// Declared here rather than in lib.rs so that it comes and goes with this file.
#[path = "sql_visits.rs"]
pub(crate) mod sql_visits;

macro_rules! appointments_sql {
    ($store:ident) => {
        use $crate::appointments::*;
        use tamwin_domain::appointment::{AppointmentKind, AppointmentStatus, Attendance, TemporaryCardStatus};
        $crate::sql_appointments::sql_visits::visits_sql!($store);

        const APPT_COLS: &str = "household_id, appointment_id, kind, centre_code, starts_at, status, booked_at, booked_by, \
            reason, checked_in_at, completed_at, closed_at, reminded_at, waited_minutes, visit_seconds, proposed_members";

        impl $store {
            fn appt_row(r: &DbRow) -> Result<Appointment> {
                let kind: String = r.try_get("kind")?;
                let status: String = r.try_get("status")?;
                Ok(Appointment {
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    appointment_id: r.try_get::<String, _>("appointment_id")?.into(),
                    kind: AppointmentKind::parse(&kind).ok_or_else(|| corrupt("appointments.kind", &kind))?,
                    centre_code: r.try_get("centre_code")?,
                    starts_at: r.try_get("starts_at")?,
                    status: AppointmentStatus::parse(&status).ok_or_else(|| corrupt("appointments.status", &status))?,
                    booked_at: parse_ts(&r.try_get::<String, _>("booked_at")?)?,
                    booked_by: r.try_get("booked_by")?,
                    reason: r.try_get("reason")?,
                    checked_in_at: parse_opt_ts(r.try_get("checked_in_at")?)?,
                    completed_at: parse_opt_ts(r.try_get("completed_at")?)?,
                    closed_at: parse_opt_ts(r.try_get("closed_at")?)?,
                    reminded_at: parse_opt_ts(r.try_get("reminded_at")?)?,
                    waited_minutes: r.try_get("waited_minutes")?,
                    visit_seconds: r.try_get("visit_seconds")?,
                    members: vec![],
                    proposed_members: r.try_get("proposed_members")?,
                })
            }

            /// Appointments matching `cond` (binding `args` in order), with their members.
            async fn appts_where(&self, cond: &str, args: &[&str], order: &str) -> Result<Vec<Appointment>> {
                let sql = format!("SELECT {APPT_COLS} FROM appointments WHERE {cond} ORDER BY {order}");
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for a in args {
                    q = q.bind(*a);
                }
                let mut out: Vec<Appointment> =
                    q.fetch_all(&self.pool).await?.iter().map(Self::appt_row).collect::<Result<_>>()?;
                if out.is_empty() {
                    return Ok(out);
                }
                // One query for the members of every appointment read (a day's queue is a few hundred).
                let mut households: Vec<&str> = out.iter().map(|a| a.household_id.as_str()).collect();
                households.sort_unstable();
                households.dedup();
                let marks: Vec<String> = (1..=households.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "SELECT * FROM appointment_members WHERE household_id IN ({}) ORDER BY appointment_id, member_id",
                    marks.join(", ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for h in &households {
                    q = q.bind(*h);
                }
                let rows = q.fetch_all(&self.pool).await?;
                let mut by_appt: std::collections::HashMap<String, Vec<AppointmentMember>> = Default::default();
                for r in &rows {
                    let attendance: String = r.try_get("attendance")?;
                    let attendance = Attendance::parse(&attendance)
                        .ok_or_else(|| corrupt("appointment_members.attendance", &attendance))?;
                    by_appt.entry(r.try_get("appointment_id")?).or_default().push(AppointmentMember {
                        member_id: r.try_get::<String, _>("member_id")?.into(),
                        required: r.try_get("required")?,
                        declared_documents: r.try_get("declared_documents")?,
                        declared_national_id: r.try_get("declared_national_id")?,
                        attendance,
                        documents_seen: r.try_get("documents_seen")?,
                        note: r.try_get("note")?,
                    });
                }
                for a in &mut out {
                    a.members = by_appt.remove(a.appointment_id.as_str()).unwrap_or_default();
                }
                Ok(out)
            }

            /// Frees the place of a booked appointment and moves it to `to`; false if it was not booked.
            async fn release_in(c: &mut Conn, household_id: &str, appointment_id: &str, to: &str, at: &str) -> Result<bool> {
                // The appointment first: of two releases racing on PostgreSQL, the second waits on this
                // row and then finds it no longer booked, so the place is given back once.
                let Some(row) = sqlx::query(concat!(
                    "UPDATE appointments SET status = $1, closed_at = $2 WHERE household_id = $3 AND appointment_id = $4 ",
                    "AND status = 'booked' RETURNING centre_code, starts_at"
                ))
                .bind(to)
                .bind(at)
                .bind(household_id)
                .bind(appointment_id)
                .fetch_optional(&mut *c)
                .await?
                else {
                    return Ok(false);
                };
                let (centre, starts): (String, String) = (row.try_get(0)?, row.try_get(1)?);
                sqlx::query(
                    "UPDATE centre_slots SET booked = booked - 1, no_shows = no_shows + $1 WHERE centre_code = $2 AND starts_at = $3",
                )
                .bind(i64::from(to == "no_show"))
                .bind(centre)
                .bind(starts)
                .execute(&mut *c)
                .await?;
                Ok(true)
            }

            /// The rows of a booking whose place is (or is about to be) taken: the appointment, its members,
            /// the household's registration, the audit entry and the idempotency entry, written in one
            /// call (`write_all`). `head`: the household's chain head, if the caller has locked and read it.
            async fn insert_booking(
                tx: &mut Conn,
                a: &Appointment,
                log: &ChangeLog,
                idem: Option<&IdemEntry>,
                head: Option<(i64, String)>,
            ) -> Result<()> {
                let row = vec![
                    a.household_id.as_str().into(),
                    a.appointment_id.as_str().into(),
                    a.kind.code().into(),
                    a.centre_code.as_str().into(),
                    a.starts_at.as_str().into(),
                    a.status.code().into(),
                    ts(&a.booked_at).into(),
                    a.booked_by.as_str().into(),
                    Val::OptText(a.reason.clone()),
                    a.proposed_members.as_str().into(),
                ];
                let rows: Vec<Vec<Val>> = a
                    .members
                    .iter()
                    .map(|m| {
                        vec![
                            a.household_id.as_str().into(),
                            a.appointment_id.as_str().into(),
                            m.member_id.as_str().into(),
                            Val::Bool(m.required),
                            m.declared_documents.as_str().into(),
                            Val::OptText(m.declared_national_id.clone()),
                            m.attendance.code().into(),
                        ]
                    })
                    .collect();
                let registration: Vec<Vec<Val>> = vec![vec![a.household_id.as_str().into(), ts(&a.booked_at).into()]];
                let chain = tamwin_domain::audit::chain_for(Some(&a.household_id), &log.actor);
                let (audit, moved) =
                    Self::link_audit(&mut *tx, &[(Some(a.household_id.as_str()), log)], head.map(|h| (chain, h))).await?;
                let [entries, heads] = Self::audit_writes(&audit, &moved);
                let idem: Vec<Vec<Val>> = idem.map(idem_vals).into_iter().collect();
                use $crate::sql_audit::Write;
                Self::write_all(
                    &mut *tx,
                    &[
                        Write {
                            table: "appointments",
                            cols: "household_id, appointment_id, kind, centre_code, starts_at, status, booked_at, booked_by, reason, proposed_members",
                            rows: std::slice::from_ref(&row),
                            suffix: "",
                        },
                        Write {
                            table: "appointment_members",
                            cols: "household_id, appointment_id, member_id, required, declared_documents, declared_national_id, attendance",
                            rows: &rows,
                            suffix: "",
                        },
                        Write {
                            table: "household_registrations",
                            cols: "household_id, submitted_at",
                            rows: &registration,
                            suffix: " ON CONFLICT (household_id) DO NOTHING",
                        },
                        entries,
                        heads,
                        Write { table: "idempotency_keys", cols: IDEM_COLS, rows: &idem, suffix: "" },
                    ],
                )
                .await?;
                Ok(())
            }

            async fn book_once(&self, b: &Booking<'_>) -> Result<()> {
                let a = b.appointment;
                let mut tx = self.begin_write().await?;
                if let Some(old) = b.replaces {
                    if !Self::release_in(&mut tx, &a.household_id, old, "rescheduled", &ts(&a.booked_at)).await? {
                        return Err(StoreError::Conflict(Conflict::AppointmentClosed, old.to_string()));
                    }
                }
                Self::insert_booking(&mut tx, a, b.log, b.idem, None).await?;
                sqlx::query(concat!(
                    "INSERT INTO centre_slots (centre_code, starts_at, capacity, booked, no_shows) VALUES ($1, $2, $3, 0, 0) ",
                    "ON CONFLICT (centre_code, starts_at) DO NOTHING"
                ))
                .bind(a.centre_code.as_str())
                .bind(a.starts_at.as_str())
                .bind(b.capacity)
                .execute(&mut *tx)
                .await?;
                // The place is taken only while one is free: concurrent bookings of the last place
                // queue on this row, and the later one finds the slot full. Taken last, just before the
                // commit: every booking of a centre's earliest slot queues on this one row, so the row
                // is held for the commit alone, not for the inserts and the audit append as well.
                let taken = sqlx::query(
                    "UPDATE centre_slots SET booked = booked + 1 WHERE centre_code = $1 AND starts_at = $2 AND booked < capacity",
                )
                .bind(a.centre_code.as_str())
                .bind(a.starts_at.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if taken != 1 {
                    return Err(StoreError::Conflict(Conflict::SlotFull, a.starts_at.clone()));
                }
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(())
            }

            /// Runs one conditional update with its audit entry; false (and nothing written) if it matched no row.
            async fn appt_update(&self, sql: &'static str, binds: &[Val], household_id: &str, log: &ChangeLog) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let q = Self::bind_vals(sqlx::query(sql), binds);
                    if q.execute(&mut *tx).await?.rows_affected() != 1 {
                        return Ok(false);
                    }
                    Self::append_audit(&mut tx, &[(Some(household_id), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

        }

        #[async_trait::async_trait]
        impl AppointmentStore for $store {
            async fn book_appointment(&self, b: &Booking<'_>) -> Result<()> {
                with_retry(|| self.book_once(b)).await
            }

            async fn book_first_free(&self, f: &FirstFree<'_>) -> Result<usize> {
                with_retry(|| self.first_free_once(f)).await
            }

            async fn release_appointment(
                &self,
                household_id: &HouseholdId,
                appointment_id: &AppointmentId,
                to: AppointmentStatus,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    if !Self::release_in(&mut tx, household_id, appointment_id, to.code(), &ts(&at)).await? {
                        return Ok(false);
                    }
                    Self::append_audit(&mut tx, &[(Some(household_id), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn appointment(&self, appointment_id: &AppointmentId) -> Result<Option<Appointment>> {
                Ok(self.appts_where("appointment_id = $1", &[appointment_id], "appointment_id").await?.pop())
            }

            async fn appointments_of(&self, household_id: &HouseholdId) -> Result<Vec<Appointment>> {
                self.appts_where("household_id = $1", &[household_id], "booked_at DESC, appointment_id DESC").await
            }

            async fn appointments_at(&self, centre: &str, from: &str, to: &str) -> Result<Vec<Appointment>> {
                self.appts_where(
                    "centre_code = $1 AND starts_at >= $2 AND starts_at < $3",
                    &[centre, from, to],
                    "starts_at, appointment_id",
                )
                .await
            }

            async fn slot_loads(&self, centre: &str, from: &str, to: &str) -> Result<Vec<SlotLoad>> {
                sqlx::query(
                    "SELECT starts_at, capacity, booked, no_shows FROM centre_slots WHERE centre_code = $1 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at",
                )
                .bind(centre)
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(SlotLoad {
                        starts_at: r.try_get(0)?,
                        capacity: r.try_get(1)?,
                        booked: r.try_get(2)?,
                        no_shows: r.try_get(3)?,
                    })
                })
                .collect()
            }

            async fn holidays(&self, centre: &str, from: &str, to: &str) -> Result<Vec<String>> {
                let rows = sqlx::query(
                    "SELECT DISTINCT day FROM centre_holidays WHERE centre_code IN ($1, '*') AND day >= $2 AND day <= $3 ORDER BY day",
                )
                .bind(centre)
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
            }

            async fn save_holiday(&self, centre: &str, day: &str, name: &str) -> Result<()> {
                with_retry(|| async {
                    sqlx::query(
                        "INSERT INTO centre_holidays (centre_code, day, name) VALUES ($1, $2, $3) ON CONFLICT (centre_code, day) DO UPDATE SET name = excluded.name",
                    )
                    .bind(centre)
                    .bind(day)
                    .bind(name)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
                .await
            }

            async fn check_in(&self, household_id: &HouseholdId, appointment_id: &AppointmentId, at: jiff::Timestamp, waited_minutes: i64, log: &ChangeLog) -> Result<bool> {
                self.q_check_in(household_id, appointment_id, at, waited_minutes, log).await
            }

            async fn save_attendance(&self, household_id: &HouseholdId, appointment_id: &AppointmentId, m: &AppointmentMember, log: &ChangeLog) -> Result<bool> {
                self.q_save_attendance(household_id, appointment_id, m, log).await
            }

            async fn complete_appointment(&self, household_id: &HouseholdId, appointment_id: &AppointmentId, at: jiff::Timestamp, visit_seconds: i64, log: &ChangeLog) -> Result<bool> {
                self.q_complete_appointment(household_id, appointment_id, at, visit_seconds, log).await
            }

            async fn due_reminders(&self, from: &str, to: &str, limit: u32) -> Result<Vec<Appointment>> {
                let order = format!("starts_at, appointment_id LIMIT {}", limit.clamp(1, 10_000));
                self.appts_where(
                    "status = 'booked' AND reminded_at IS NULL AND starts_at >= $1 AND starts_at < $2",
                    &[from, to],
                    &order,
                )
                .await
            }

            async fn mark_reminded(
                &self,
                household_id: &HouseholdId,
                appointment_id: &AppointmentId,
                at: jiff::Timestamp,
                message: Option<&$crate::OutboxMessage>,
            ) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE appointments SET reminded_at = $1 WHERE household_id = $2 AND appointment_id = $3 AND reminded_at IS NULL",
                    )
                    .bind(ts(&at))
                    .bind(household_id.as_str())
                    .bind(appointment_id.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    if let Some(m) = message {
                        Self::outbox_insert(&mut tx, m).await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn unattended(&self, before: &str, limit: u32) -> Result<Vec<Appointment>> {
                let order = format!("starts_at, appointment_id LIMIT {}", limit.clamp(1, 10_000));
                self.appts_where("status = 'booked' AND starts_at < $1", &[before], &order).await
            }

            async fn save_proposals(&self, household_id: &HouseholdId, appointment_id: &AppointmentId, from: &str, to: &str) -> Result<bool> {
                self.q_save_proposals(household_id, appointment_id, from, to).await
            }

            async fn unfinished(&self, before: &str, limit: u32) -> Result<Vec<Appointment>> {
                let order = format!("starts_at, appointment_id LIMIT {}", limit.clamp(1, 10_000));
                self.appts_where("status = 'checked_in' AND starts_at < $1", &[before], &order).await
            }

            async fn close_unfinished(&self, household_id: &HouseholdId, appointment_id: &AppointmentId, at: jiff::Timestamp, log: &ChangeLog) -> Result<bool> {
                self.q_close_unfinished(household_id, appointment_id, at, log).await
            }

            async fn save_team(&self, t: &MobileTeam) -> Result<()> {
                with_retry(|| async {
                    sqlx::query(concat!(
                        "INSERT INTO mobile_teams (team_code, district_code, name_ar, visits_per_day) VALUES ($1, $2, $3, $4) ",
                        "ON CONFLICT (team_code) DO UPDATE SET district_code = excluded.district_code, ",
                        "name_ar = excluded.name_ar, visits_per_day = excluded.visits_per_day"
                    ))
                    .bind(t.team_code.as_str())
                    .bind(t.district_code.as_str())
                    .bind(t.name_ar.as_str())
                    .bind(t.visits_per_day)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
                .await
            }

            async fn teams(&self) -> Result<Vec<MobileTeam>> {
                sqlx::query("SELECT team_code, district_code, name_ar, visits_per_day FROM mobile_teams ORDER BY team_code")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(MobileTeam {
                            team_code: r.try_get(0)?,
                            district_code: r.try_get(1)?,
                            name_ar: r.try_get(2)?,
                            visits_per_day: r.try_get(3)?,
                        })
                    })
                    .collect()
            }

            async fn issue_temporary_card(&self, c: &TemporaryCard, log: &ChangeLog) -> Result<()> {
                self.q_issue_temporary_card(c, log).await
            }

            async fn temporary_cards_of(&self, household_id: &HouseholdId) -> Result<Vec<TemporaryCard>> {
                self.q_temporary_cards_of(household_id).await
            }

            async fn active_temporary_cards(&self, after: &str, limit: u32) -> Result<Vec<TemporaryCard>> {
                self.q_active_temporary_cards(after, limit).await
            }

            async fn expired_temporary_cards(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<TemporaryCard>> {
                self.q_expired_temporary_cards(now, limit).await
            }

            async fn close_temporary_card(&self, household_id: &HouseholdId, card_id: &str, to: TemporaryCardStatus, national_id: Option<&str>, at: jiff::Timestamp, log: &ChangeLog) -> Result<bool> {
                self.q_close_temporary_card(household_id, card_id, to, national_id, at, log).await
            }

            async fn progress(&self, scope: &ProgressScope, today: &str) -> Result<Progress> {
                let g = scope.governorate.as_deref().unwrap_or("");
                let d = scope.district.as_deref().unwrap_or("");
                let c = scope.centre.as_deref().unwrap_or("");
                // A centre's own figures count every household it served, whatever its district; the
                // area's (households, holds) are those of the centre's district.
                let (ga, da) = if c.is_empty() { (g, d) } else { ("", "") };
                const AREA: &str = "($1 = '' OR h.governorate_code = $1) AND ($2 = '' OR h.district_code = $2)";
                let mut p = Progress::default();
                let sql = format!("SELECT COUNT(*) FROM households h WHERE h.state <> 'closed' AND {AREA}");
                p.households = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(g).bind(d).fetch_one(&self.pool).await?.try_get(0)?;
                let sql = format!(
                    "SELECT COUNT(*), COALESCE(CAST(SUM(CASE WHEN r.verified_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT), 0) \
                     FROM household_registrations r JOIN households h ON h.household_id = r.household_id WHERE {AREA} \
                     AND ($3 = '' OR EXISTS (SELECT 1 FROM appointments a WHERE a.household_id = r.household_id AND a.centre_code = $3))"
                );
                let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ga).bind(da).bind(c).fetch_one(&self.pool).await?;
                p.households_preregistered = r.try_get(0)?;
                p.households_verified = r.try_get(1)?;
                let sql = format!(
                    "SELECT COUNT(*) FROM appointment_members m JOIN appointments a ON a.household_id = m.household_id \
                     AND a.appointment_id = m.appointment_id JOIN households h ON h.household_id = a.household_id \
                     WHERE a.status = 'completed' AND m.attendance = 'present' AND {AREA} AND ($3 = '' OR a.centre_code = $3)"
                );
                p.members_verified =
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ga).bind(da).bind(c).fetch_one(&self.pool).await?.try_get(0)?;
                let sql = format!(
                    "SELECT x.reason, COUNT(*) FROM holds x JOIN households h ON h.household_id = x.household_id \
                     WHERE x.lifted_at IS NULL AND h.state <> 'closed' AND {AREA} GROUP BY x.reason ORDER BY x.reason"
                );
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(g).bind(d).fetch_all(&self.pool).await? {
                    p.holds_by_reason.push((r.try_get(0)?, r.try_get(1)?));
                }
                let sql = format!(
                    "SELECT \
                     COALESCE(CAST(SUM(CASE WHEN a.kind = 'centre' AND a.status = 'completed' THEN 1 ELSE 0 END) AS BIGINT), 0), \
                     CAST(AVG(CASE WHEN a.kind = 'centre' AND a.status = 'completed' THEN a.visit_seconds END) AS DOUBLE PRECISION), \
                     CAST(AVG(CASE WHEN a.kind = 'centre' AND a.waited_minutes IS NOT NULL THEN a.waited_minutes END) AS DOUBLE PRECISION), \
                     COALESCE(CAST(SUM(CASE WHEN a.kind = 'centre' AND a.status = 'booked' AND a.starts_at >= $4 THEN 1 ELSE 0 END) AS BIGINT), 0), \
                     COALESCE(CAST(SUM(CASE WHEN a.kind = 'centre' AND a.status = 'no_show' THEN 1 ELSE 0 END) AS BIGINT), 0), \
                     COALESCE(CAST(SUM(CASE WHEN a.kind = 'home' AND a.status IN ('booked', 'checked_in') THEN 1 ELSE 0 END) AS BIGINT), 0), \
                     COALESCE(CAST(SUM(CASE WHEN a.kind = 'home' AND a.status = 'completed' THEN 1 ELSE 0 END) AS BIGINT), 0) \
                     FROM appointments a JOIN households h ON h.household_id = a.household_id \
                     WHERE {AREA} AND ($3 = '' OR a.centre_code = $3)"
                );
                let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ga).bind(da).bind(c).bind(today).fetch_one(&self.pool).await?;
                p.visits_completed = r.try_get(0)?;
                p.visit_minutes_avg = r.try_get::<Option<f64>, _>(1)?.map(|s| s / 60.0);
                p.wait_minutes_avg = r.try_get(2)?;
                p.appointments_due = r.try_get(3)?;
                p.no_shows = r.try_get(4)?;
                p.home_visits_pending = r.try_get(5)?;
                p.home_visits_done = r.try_get(6)?;
                // The 90th percentile by nearest rank: the ceil(0.9 n)-th shortest visit.
                let sql = format!(
                    "SELECT visit_seconds FROM (SELECT a.visit_seconds, ROW_NUMBER() OVER (ORDER BY a.visit_seconds) AS rn, \
                     COUNT(*) OVER () AS n FROM appointments a JOIN households h ON h.household_id = a.household_id \
                     WHERE a.kind = 'centre' AND a.status = 'completed' AND {AREA} AND ($3 = '' OR a.centre_code = $3)) t \
                     WHERE rn = (9 * n + 9) / 10"
                );
                p.visit_minutes_p90 = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(ga)
                    .bind(da)
                    .bind(c)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| r.try_get::<i64, _>(0))
                    .transpose()?
                    .map(|s| s as f64 / 60.0);
                Ok(p)
            }
        }
    };
}

pub(crate) use appointments_sql;
