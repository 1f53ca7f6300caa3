//! Resuming an import: which households of a batch an earlier run already wrote. A re-run after an
//! interruption finds them with one set-based look-up per batch and skips them, so the batch stays on
//! the bulk path (COPY on PostgreSQL) instead of failing on their keys and retrying household by household.

use super::{Rejects, reject};
use std::collections::HashMap;
use tamwin_domain::HouseholdRecord;
use tamwin_domain::household::{MemberData, Presence};
use tamwin_store::{Store, StoreError};

/// What a batch holds once the households already in the store are taken out.
pub(super) struct Sorted {
    /// Households to write.
    pub fresh: Vec<HouseholdRecord>,
    /// Cards already present exactly as this file would import them.
    pub present: Vec<String>,
    /// Households refused before any write (their reject rows are written).
    pub refused: u64,
}

/// Splits a batch: households whose card is already there identically are counted present, those whose
/// card or a national ID is held by another household are rejected with the code the row-by-row path
/// gives, the rest are written.
pub(super) async fn sort_batch(
    store: &dyn Store,
    batch: Vec<HouseholdRecord>,
    rejects: &Rejects,
) -> Result<Sorted, StoreError> {
    let cards: Vec<_> = batch
        .iter()
        .map(|r| r.household.card_number.clone())
        .collect();
    let stored: HashMap<String, HouseholdRecord> = store
        .households_by_cards(&cards)
        .await?
        .into_iter()
        .map(|r| (r.household.card_number.as_str().to_string(), r))
        .collect();
    let mut out = Sorted {
        fresh: Vec::with_capacity(batch.len()),
        present: Vec::new(),
        refused: 0,
    };
    let mut unseen = Vec::with_capacity(batch.len());
    for rec in batch {
        let card = rec.household.card_number.as_str().to_string();
        match stored.get(&card) {
            None => unseen.push(rec),
            Some(s) if same_as_imported(s, &rec) => out.present.push(card),
            Some(_) => {
                reject(
                    rejects,
                    "households.csv",
                    0,
                    &card,
                    "card_number_taken",
                    "this card number already belongs to a household with other contents",
                );
                out.refused += 1;
            }
        }
    }
    // National IDs of new cards held by another household: refused here rather than by the batch's
    // constraint, which would send the whole batch down the row-by-row path.
    let ids: Vec<_> = unseen
        .iter()
        .flat_map(|r| r.members.iter().filter_map(|m| m.national_id.clone()))
        .collect();
    let owners: HashMap<String, String> = store
        .national_id_owners(&ids)
        .await?
        .into_iter()
        .map(|(n, c)| (n.as_str().to_string(), c.as_str().to_string()))
        .collect();
    for rec in unseen {
        let taken = rec
            .members
            .iter()
            .filter_map(|m| m.national_id.as_ref())
            .find_map(|n| owners.get(n.as_str()).map(|c| (n.as_str(), c)));
        match taken {
            None => out.fresh.push(rec),
            Some((n, other)) => {
                reject(
                    rejects,
                    "households.csv",
                    0,
                    rec.household.card_number.as_str(),
                    "national_id_in_other_household",
                    &format!("national ID {n} already belongs to card {other}"),
                );
                out.refused += 1;
            }
        }
    }
    Ok(out)
}

/// Whether a stored household is the one this file would import: the same card, place, address, agent,
/// phone and state, the same members by position on the card, and the same holds. Ids and times are
/// made anew by every run, so they are not compared.
pub(super) fn same_as_imported(stored: &HouseholdRecord, parsed: &HouseholdRecord) -> bool {
    let (s, p) = (&stored.household, &parsed.household);
    let same_household = s.card_number == p.card_number
        && s.governorate == p.governorate
        && s.district == p.district
        && s.address == p.address
        && s.agent_code == p.agent_code
        && s.phone == p.phone
        && s.state == p.state
        && s.closed_at.is_none() == p.closed_at.is_none();
    let same_members = stored.members.len() == parsed.members.len()
        && members(stored)
            .iter()
            .zip(members(parsed).iter())
            .all(|(a, b)| a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3);
    same_household && same_members && holds(stored) == holds(parsed)
}

/// A record's members in card order, by what an import sets.
fn members(r: &HouseholdRecord) -> Vec<(i64, &MemberData, Presence, Option<&str>)> {
    let mut m: Vec<_> = r
        .members
        .iter()
        .map(|m| {
            (
                m.member_no,
                &m.data,
                m.presence,
                m.removed_reason.as_deref(),
            )
        })
        .collect();
    m.sort_by_key(|x| x.0);
    m
}

/// A hold by what an import sets: member by position on the card, reason, evidence, source, placed
/// by, lifted.
type HoldKey<'a> = (Option<i64>, &'static str, &'a str, &'a str, &'a str, bool);

/// A record's holds keyed by what an import sets.
fn holds(r: &HouseholdRecord) -> Vec<HoldKey<'_>> {
    let no: HashMap<&str, i64> = r
        .members
        .iter()
        .map(|m| (m.member_id.as_str(), m.member_no))
        .collect();
    let mut out: Vec<_> = r
        .holds
        .iter()
        .map(|h| {
            (
                h.member_id.as_deref().and_then(|m| no.get(m).copied()),
                h.reason.code(),
                h.evidence.as_str(),
                h.source.as_str(),
                h.placed_by.as_str(),
                h.lifted_at.is_some(),
            )
        })
        .collect();
    out.sort();
    out
}
