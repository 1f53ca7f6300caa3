//! One household read whole in one statement: its row, and its members and holds as JSON arrays built
//! by the database. One statement sees one snapshot on both backends, so the three parts agree without
//! a read transaction; it was five round trips (begin, three reads, commit), a fifth of a booking's
//! (bench/README.md, "Appointment booking under load").

/// The member columns, as `json_object` / `json_build_object` arguments name them.
pub(crate) const MEMBER_FIELDS: &[&str] = &[
    "member_id",
    "member_no",
    "national_id",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "birth_date",
    "sex",
    "relation",
    "elderly",
    "sick",
    "disabled",
    "presence",
    "removed_reason",
];
pub(crate) const HOLD_FIELDS: &[&str] = &[
    "hold_id",
    "member_id",
    "reason",
    "evidence",
    "source",
    "since",
    "placed_by",
    "lifted_at",
    "lifted_by",
    "lift_reason",
];

/// `SELECT` of the household row and its two arrays, for the household `filter` picks (one `$1`).
/// `object` and `(agg_open, agg_close)` are the backend's JSON object and array aggregate.
pub(crate) fn load_sql(filter: &str, object: &str, (agg_open, agg_close): (&str, &str)) -> String {
    let array = |table: &str, fields: &[&str]| {
        let args: Vec<String> = fields.iter().map(|f| format!("'{f}', x.{f}")).collect();
        format!(
            "(SELECT {agg_open}{object}({}){agg_close} FROM {table} x WHERE x.household_id = h.household_id)",
            args.join(", ")
        )
    };
    format!(
        "SELECT h.household_id, h.card_number, h.governorate_code, h.district_code, h.address, h.agent_code, h.flour_agent_code, h.state, \
         h.head_member_id, h.version, h.created_at, h.updated_at, h.closed_at, h.phone, {} AS members_json, {} AS holds_json \
         FROM households h WHERE {filter}",
        array("members", MEMBER_FIELDS),
        array("holds", HOLD_FIELDS)
    )
}

macro_rules! household_load_sql {
    ($store:ident) => {
        impl $store {
            /// The household `filter` picks (`h.household_id = $1`, or through an index), read whole.
            async fn load_where(&self, sql: &str, key: &str) -> Result<Option<HouseholdRecord>> {
                match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(&self.pool).await? {
                    Some(row) => Ok(Some(Self::record_of(&row)?)),
                    None => Ok(None),
                }
            }

            /// Every household `filter` picks, read whole in the one statement.
            async fn load_all_where(&self, sql: &str, key: &str) -> Result<Vec<HouseholdRecord>> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_all(&self.pool).await?;
                rows.iter().map(Self::record_of).collect()
            }

            fn record_of(row: &DbRow) -> Result<HouseholdRecord> {
                let household = Self::household_cols(row)?.into_domain()?;
                let json = |col: &str| -> Result<String> { Ok(row.try_get::<String, _>(col)?) };
                let mut members = serde_json::from_str::<Vec<MemberCols>>(&json("members_json")?)
                    .map_err(|e| StoreError::Database(format!("members of {}: {e}", household.household_id)))?;
                members.sort_by_key(|m| m.member_no);
                let mut holds = serde_json::from_str::<Vec<HoldCols>>(&json("holds_json")?)
                    .map_err(|e| StoreError::Database(format!("holds of {}: {e}", household.household_id)))?;
                holds.sort_by(|a, b| (&a.since, &a.hold_id).cmp(&(&b.since, &b.hold_id)));
                Ok(HouseholdRecord {
                    household,
                    members: members.into_iter().map(MemberCols::into_domain).collect::<Result<_>>()?,
                    holds: holds.into_iter().map(HoldCols::into_domain).collect::<Result<_>>()?,
                })
            }

            /// Reads one household whole, by its id.
            async fn load(&self, household_id: &str) -> Result<Option<HouseholdRecord>> {
                static SQL: std::sync::LazyLock<String> =
                    std::sync::LazyLock::new(|| $store::load_sql_where("h.household_id = $1"));
                self.load_where(&SQL, household_id).await
            }

            /// Reads one household whole, by a card number of it (`card_index`).
            async fn load_by_card(&self, card: &str) -> Result<Option<HouseholdRecord>> {
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    $store::load_sql_where("h.household_id = (SELECT household_id FROM card_index WHERE card_number = $1)")
                });
                self.load_where(&SQL, card).await
            }

            /// Reads one household whole, by a national ID of one of its members (`national_id_index`).
            async fn load_by_national_id(&self, id: &str) -> Result<Option<HouseholdRecord>> {
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    $store::load_sql_where(
                        "h.household_id = (SELECT household_id FROM national_id_index WHERE national_id = $1)",
                    )
                });
                self.load_where(&SQL, id).await
            }

            /// Whole households by card number, in one statement whatever their number (the card
            /// numbers bound as one JSON array): a bulk import asks this of every batch of 5,000.
            async fn load_by_cards(&self, cards: &[CardNumber]) -> Result<Vec<HouseholdRecord>> {
                if cards.is_empty() {
                    return Ok(vec![]);
                }
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    $store::load_sql_where(&format!(
                        "h.household_id IN (SELECT household_id FROM card_index WHERE card_number IN ({}))",
                        $store::JSON_TEXTS
                    ))
                });
                let list = serde_json::to_string(&cards.iter().map(CardNumber::as_str).collect::<Vec<_>>())
                    .map_err(|e| StoreError::Database(e.to_string()))?;
                self.load_all_where(&SQL, &list).await
            }
        }
    };
}

pub(crate) use household_load_sql;
