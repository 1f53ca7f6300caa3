//! The earliest free slot taken inside one write transaction (`AppointmentStore::book_first_free`),
//! shared by both backends like `sql_appointments`, whose `insert_booking` writes the rest.

macro_rules! first_free_sql {
    ($store:ident) => {
        impl $store {
            /// Takes a place at the earliest of `f.times` that has one: the slot rows made sure of, then the
            /// first free one locked. PostgreSQL passes over a row another booking holds (SKIP LOCKED), so
            /// that concurrent bookings of one centre take neighbouring slots instead of queueing on one
            /// row; only when every free one is held does it wait, for the earliest.
            async fn first_free_once(&self, f: &FirstFree<'_>) -> Result<usize> {
                let mut tx = self.begin_write().await?;
                if let Some(old) = f.replaces {
                    if !Self::release_in(&mut tx, f.household_id, old, "rescheduled", &ts(&f.booked_at)).await? {
                        return Err(StoreError::Conflict(Conflict::AppointmentClosed, old.to_string()));
                    }
                }
                // Only the rows not known to exist: once a day's slots are made, this is no statement at all.
                let slots: Vec<Vec<Val>> = f
                    .times
                    .iter()
                    .filter(|t| !f.slot_rows.contains(t))
                    .map(|t| vec![f.centre_code.into(), t.as_str().into(), f.capacity.into(), 0i64.into(), 0i64.into()])
                    .collect();
                Self::insert_rows(
                    &mut tx,
                    "centre_slots",
                    "centre_code, starts_at, capacity, booked, no_shows",
                    &slots,
                    " ON CONFLICT (centre_code, starts_at) DO NOTHING",
                )
                .await?;
                // The first free slot found and taken in one statement (RETURNING the time taken).
                let mut chosen = None;
                for lock in [Self::LOCK_FREE_SLOT, Self::LOCK_FREE_SLOT_WAIT] {
                    let mark = |i: usize| if Self::NUMBERED_PARAMS { format!("${i}") } else { "?".into() };
                    let marks: Vec<String> = (0..f.times.len()).map(|i| mark(i + 3)).collect();
                    let sql = format!(
                        "UPDATE centre_slots SET booked = booked + 1 WHERE centre_code = {} AND booked < capacity AND starts_at = \
                         (SELECT starts_at FROM centre_slots WHERE centre_code = {} AND starts_at IN ({}) AND booked < capacity \
                         ORDER BY starts_at LIMIT 1{lock}) RETURNING starts_at",
                        mark(1),
                        mark(2),
                        marks.join(", ")
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(f.centre_code).bind(f.centre_code);
                    for t in f.times {
                        q = q.bind(t.as_str());
                    }
                    if let Some(r) = q.fetch_optional(&mut *tx).await? {
                        chosen = Some(r.try_get::<String, _>(0)?);
                        break;
                    }
                    if lock == Self::LOCK_FREE_SLOT_WAIT {
                        break;
                    }
                }
                let Some(starts_at) = chosen else {
                    return Err(StoreError::Conflict(Conflict::SlotFull, f.times.first().cloned().unwrap_or_default()));
                };
                let Some(index) = f.times.iter().position(|t| *t == starts_at) else {
                    return Err(StoreError::Conflict(Conflict::SlotFull, starts_at));
                };
                let p = (f.make)(index)?;
                Self::insert_booking(&mut tx, &p.appointment, &p.log, p.idem.as_ref()).await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(index)
            }
        }
    };
}

pub(crate) use first_free_sql;
