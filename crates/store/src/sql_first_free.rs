//! The earliest free slot taken inside one write transaction (`AppointmentStore::book_first_free`),
//! shared by both backends like `sql_appointments`, whose `insert_booking` writes the rest. A booking
//! is four calls to the database: begin, take the slot and read the household's chain head in one
//! statement, write every row in one more (`write_all`), commit (bench/README.md, "Appointment booking").

macro_rules! first_free_sql {
    ($store:ident) => {
        impl $store {
            /// Takes a place at the earliest of `f.times` that has one: the slot rows made sure of, then the
            /// first free one locked. PostgreSQL passes over a row another booking holds (SKIP LOCKED), so
            /// that concurrent bookings of one centre take neighbouring slots instead of queueing on one
            /// row; only when every free one is held does it wait, for the earliest.
            async fn first_free_once(&self, f: &FirstFree<'_>) -> Result<usize> {
                self.make_slot_rows(f).await?;
                let mut tx = self.begin_write().await?;
                if let Some(old) = f.replaces {
                    if !Self::release_in(&mut tx, f.household_id, old, "rescheduled", &ts(&f.booked_at)).await? {
                        return Err(StoreError::Conflict(Conflict::AppointmentClosed, old.to_string()));
                    }
                }
                // The household's entries all go to one chain, whatever the actor.
                let chain = tamwin_domain::audit::chain_of(Some(f.household_id));
                let mut chosen = None;
                // The times padded (the last repeated) to a power of two: a handful of statement texts,
                // each prepared once per connection, instead of one per count of times, each parsed
                // and planned anew (a third of the bookings of a run were, on PostgreSQL).
                let padded = f.times.len().next_power_of_two().max(4);
                let last = f.times.last().map(String::as_str).unwrap_or_default();
                for lock in [Self::LOCK_FREE_SLOT, Self::LOCK_FREE_SLOT_WAIT] {
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(Self::take_first_free_sql(padded, lock)))
                        .bind(f.centre_code)
                        .bind(f.centre_code);
                    for i in 0..padded {
                        q = q.bind(f.times.get(i).map_or(last, String::as_str));
                    }
                    if !Self::NUMBERED_PARAMS {
                        q = q.bind(chain);
                    }
                    if let Some(r) = q.bind(chain).fetch_optional(&mut *tx).await? {
                        let head = match (r.try_get::<Option<i64>, _>(1)?, r.try_get::<Option<String>, _>(2)?) {
                            (Some(p), Some(h)) => (p, h),
                            _ => return Err(StoreError::Database(format!("audit chain {chain} has no head row"))),
                        };
                        chosen = Some((r.try_get::<String, _>(0)?, head));
                        break;
                    }
                    if lock == Self::LOCK_FREE_SLOT_WAIT {
                        break;
                    }
                }
                let Some((starts_at, head)) = chosen else {
                    return Err(StoreError::Conflict(Conflict::SlotFull, f.times.first().cloned().unwrap_or_default()));
                };
                let Some(index) = f.times.iter().position(|t| *t == starts_at) else {
                    return Err(StoreError::Conflict(Conflict::SlotFull, starts_at));
                };
                let p = (f.make)(index)?;
                Self::insert_booking(&mut tx, &p.appointment, &p.log, p.idem.as_ref(), Some(head)).await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(index)
            }

            /// The slot rows of `f.times` not known to exist, made (empty) in a transaction of their own
            /// before the booking's: under a rush every booking that read the day before its rows were
            /// made tries to make them, and inside the booking's transaction each waited for the
            /// commit of the one that made them first (12 ms a booking on PostgreSQL, bench/README.md).
            /// An empty row is what a slot without bookings is anyway; its capacity is the centre's.
            async fn make_slot_rows(&self, f: &FirstFree<'_>) -> Result<()> {
                let slots: Vec<Vec<Val>> = f
                    .times
                    .iter()
                    .filter(|t| !f.slot_rows.contains(t))
                    .map(|t| vec![f.centre_code.into(), t.as_str().into(), f.capacity.into(), 0i64.into(), 0i64.into()])
                    .collect();
                if slots.is_empty() {
                    return Ok(());
                }
                let mut tx = self.begin_write().await?;
                Self::insert_rows(
                    &mut tx,
                    "centre_slots",
                    "centre_code, starts_at, capacity, booked, no_shows",
                    &slots,
                    " ON CONFLICT (centre_code, starts_at) DO NOTHING",
                )
                .await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(())
            }

            /// One statement: the first free of `n` times found and taken (RETURNING the time), and the
            /// head of the household's audit chain read with it. On PostgreSQL the head is locked
            /// (`FOR UPDATE`) only once the slot is taken, so every booking takes its slot before its
            /// head, as the other bookings do; SQLite's writer holds the database's write lock already.
            /// Parameters: the centre twice, the `n` times, the chain (SQLite: twice).
            fn take_first_free_sql(n: usize, lock: &str) -> String {
                let mark = |i: usize| if Self::NUMBERED_PARAMS { format!("${i}") } else { "?".into() };
                let marks: Vec<String> = (0..n).map(|i| mark(i + 3)).collect();
                let update = format!(
                    "UPDATE centre_slots SET booked = booked + 1 WHERE centre_code = {} AND booked < capacity AND starts_at = \
                     (SELECT starts_at FROM centre_slots WHERE centre_code = {} AND starts_at IN ({}) AND booked < capacity \
                     ORDER BY starts_at LIMIT 1{lock}) RETURNING starts_at",
                    mark(1),
                    mark(2),
                    marks.join(", ")
                );
                let chain = mark(n + 3);
                if Self::NUMBERED_PARAMS {
                    format!(
                        "WITH s AS ({update}) SELECT s.starts_at, h.position, h.hash FROM s LEFT JOIN LATERAL \
                         (SELECT position, hash FROM audit_heads WHERE chain = {chain}{}) h ON true",
                        Self::LOCK_HEADS
                    )
                } else {
                    format!(
                        "{update}, (SELECT position FROM audit_heads WHERE chain = {chain}), \
                         (SELECT hash FROM audit_heads WHERE chain = {chain})"
                    )
                }
            }
        }
    };
}

pub(crate) use first_free_sql;
