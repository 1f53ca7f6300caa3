//! The counting both generation and the dry run share, as SQL (docs/distribution.md, "Counting from
//! the household row"): rules become conditions with their values bound; households are counted from
//! their roster, or from their members when a change falls at or after the month.

use crate::rows::Val;
use tamwin_domain::programme::eligibility::{Condition, Field, Rule};
use tamwin_domain::programme::income_band::{self, IncomeBand};

/// Member `m` is held for anything but a missing national ID (a temporary card covers that): the one
/// definition the counting, the rosters and the suspension of open entitlements share.
macro_rules! held {
    () => {
        "EXISTS (SELECT 1 FROM holds x WHERE x.household_id = m.household_id AND x.member_id = m.member_id \
         AND x.lifted_at IS NULL AND x.reason <> 'no_national_id')"
    };
}

/// What a counting row carries of household `h` besides its members.
const COUNTED_HOUSEHOLD: &str = "CAST((CASE WHEN h.social_welfare THEN 1 ELSE 0 END) + (CASE WHEN h.low_income THEN 2 ELSE 0 END) AS BIGINT) AS categories, \
    h.governorate_code AS governorate_code, h.district_code AS district_code, h.agent_code AS agent_code, \
    h.state NOT IN ('active', 'temporary') AS suspended_whole";

/// `AND NOT (…)` for each rule, its values bound from `$first` on. A missing declaration (NULL) never
/// satisfies a condition, as in `eligibility::excluded_by`.
pub(crate) fn exclusions(rules: &[Rule], first: usize) -> (String, Vec<Val>) {
    let mut sql = String::new();
    let mut vals = vec![];
    for r in rules.iter().filter(|r| !r.when.is_empty()) {
        let mut conds = vec![];
        for c in &r.when {
            let n = first + vals.len();
            conds.push(match c {
                Condition::SectorIs(s) => {
                    vals.push(Val::Text((*s).to_string()));
                    format!("(h.head_sector IS NOT NULL AND h.head_sector = ${n})")
                }
                Condition::BandIs(b) => {
                    vals.push(Val::Text((*b).to_string()));
                    format!("(h.income_band IS NOT NULL AND h.income_band = ${n})")
                }
                Condition::AtLeast(f, v) => {
                    vals.push(Val::Int(*v));
                    let bands = band_fallback(*f, |b| b.all_at_least(*v));
                    format!("((h.{0} IS NOT NULL AND h.{0} >= ${n}){bands})", f.code())
                }
                Condition::Below(f, v) => {
                    vals.push(Val::Int(*v));
                    let bands = band_fallback(*f, |b| b.all_below(*v));
                    format!("((h.{0} IS NOT NULL AND h.{0} < ${n}){bands})", f.code())
                }
                Condition::IsTrue(f) => format!("h.{} = TRUE", f.code()),
                Condition::IsFalse(f) => format!("h.{} = FALSE", f.code()),
            });
        }
        sql.push_str(&format!(" AND NOT ({})", conds.join(" AND ")));
    }
    (sql, vals)
}

/// ` OR …` the household's declared income band, where no income is: the bands every income of which
/// meets the condition (`HouseholdFacts` in the domain does the same). The codes are the domain's own.
/// Every term is NOT NULL-guarded: a NULL would make `NOT (…)` NULL and drop the household.
fn band_fallback(f: Field, meets: impl Fn(&IncomeBand) -> bool) -> String {
    let bands = income_band::bands_where(meets);
    if f != Field::HouseholdMonthlyIncome || bands.is_empty() {
        return String::new();
    }
    let list: Vec<String> = bands.iter().map(|b| format!("'{b}'")).collect();
    format!(
        " OR (h.household_monthly_income IS NULL AND h.income_band IS NOT NULL AND h.income_band IN ({}))",
        list.join(", ")
    )
}

/// The members counted in month `$1` of the households `area` selects (a condition on `h`), grouped by
/// household, their member numbers in order (so that two countings compare as text). Held members
/// (any hold but a missing national ID, which a temporary card covers) are not counted; a household
/// that cannot collect now is counted, suspended as a whole, so that lifting its hold during the cycle
/// restores its share.
pub(crate) fn counting_select(area: &str, rules_sql: &str) -> String {
    format!(
        "SELECT h.household_id AS household_id, COUNT(*) AS persons, \
         string_agg(CAST(m.member_no AS TEXT), ' ' ORDER BY m.member_no) AS counted, {COUNTED_HOUSEHOLD} \
         FROM households h JOIN members m ON m.household_id = h.household_id \
         WHERE {area} AND h.state <> 'closed'{rules_sql} \
         AND (m.presence = 'present' OR (m.left_in IS NOT NULL AND m.left_in >= $1)) \
         AND (m.counts_from IS NULL OR m.counts_from <= $1) \
         AND NOT {held} \
         GROUP BY h.household_id, h.social_welfare, h.low_income, h.governorate_code, h.district_code, h.agent_code, h.state",
        held = held!()
    )
}

/// The households `area` selects with what they count in month `$1`, one row per household: from the
/// household's row (its roster) when no member's counting changes at or after `$1`, the usual case;
/// else from its members (`counting_select`). Both halves keep the same rules.
pub(crate) fn counting_rows(area: &str, rules_sql: &str) -> String {
    let settled = "(h.roster_added IS NULL OR h.roster_added <= $1) AND (h.roster_left IS NULL OR h.roster_left < $1)";
    format!(
        "SELECT h.household_id AS household_id, h.roster_persons AS persons, h.roster AS counted, {COUNTED_HOUSEHOLD} \
         FROM households h WHERE {area} AND h.state <> 'closed'{rules_sql} AND h.roster_persons > 0 AND {settled} \
         UNION ALL {}",
        counting_select(&format!("{area} AND NOT ({settled})"), rules_sql)
    )
}

/// Recomputes the rosters of households `$1…$n` from their members and holds, as `counting_select`
/// counts a month no later change touches.
pub(crate) fn refresh_rosters(n: usize) -> String {
    let held = concat!("NOT ", held!());
    let ids: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    format!(
        "UPDATE households SET \
         roster_persons = (SELECT COUNT(*) FROM members m WHERE m.household_id = households.household_id AND m.presence = 'present' AND {held}), \
         roster = (SELECT string_agg(CAST(m.member_no AS TEXT), ' ' ORDER BY m.member_no) FROM members m \
         WHERE m.household_id = households.household_id AND m.presence = 'present' AND {held}), \
         roster_added = (SELECT MAX(m.counts_from) FROM members m WHERE m.household_id = households.household_id), \
         roster_left = (SELECT MAX(m.left_in) FROM members m WHERE m.household_id = households.household_id) \
         WHERE household_id IN ({})",
        ids.join(", ")
    )
}

/// The table a generation loads and attaches (PostgreSQL): `entitlements_` and its first cycle's id
/// with anything but letters and digits made `_` (so never quoted), cut to 40 characters so that the
/// names derived from it stay within PostgreSQL's 63 (a cycle id is 36).
pub(crate) fn partition_name(cycle_id: &str) -> String {
    let safe: String = cycle_id
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("entitlements_{safe}")
}

/// Text values as SQL literals, for DDL that takes no bound values (partition bounds, CHECKs).
pub(crate) fn literals<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// After a household's change, its entitlements in approved and open cycles follow its holds: the
/// whole share waits while the household cannot collect, and each counted member held is suspended.
/// Lifting the hold restores it the same way. Nothing is regenerated.
pub(crate) const REFRESH_SUSPENSION: &str = concat!(
    "UPDATE entitlements SET \
    suspended_whole = (SELECT h.state NOT IN ('active', 'temporary') FROM households h WHERE h.household_id = entitlements.household_id), \
    suspended_persons = (SELECT COUNT(*) FROM members m WHERE m.household_id = entitlements.household_id \
        AND (' ' || entitlements.counted || ' ') LIKE ('% ' || CAST(m.member_no AS TEXT) || ' %') \
        AND ",
    held!(),
    ") WHERE household_id = $1 AND cycle_id IN (SELECT cycle_id FROM cycles WHERE status IN ('approved', 'open'))"
);
