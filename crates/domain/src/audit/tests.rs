use super::*;

fn content(i: usize) -> AuditContent {
    AuditContent {
        entry_id: format!("e{i}"),
        at: format!("2026-11-21T10:00:{i:02}.000000Z"),
        actor: "officer-1".into(),
        role: "update_centre_officer".into(),
        area: "11".into(),
        channel: "api".into(),
        action: "hold_placed".into(),
        household_id: Some("h1".into()),
        subject: None,
        details: format!("{{\"n\":{i}}}"),
    }
}

fn chain(n: usize) -> Vec<AuditEntry> {
    let mut out: Vec<AuditEntry> = Vec::new();
    for i in 1..=n {
        let head = out
            .last()
            .map(|e| (e.position, e.hash.clone()))
            .unwrap_or((0, GENESIS.to_string()));
        out.push(append(3, (head.0, &head.1), content(i)));
    }
    out
}

fn verify(entries: &[AuditEntry], head: Option<(i64, &str)>) -> Result<i64, Fault> {
    let mut v = ChainVerifier::new(3);
    let hashes: Vec<String> = entries.iter().map(|e| e.hash.clone()).collect();
    for e in entries {
        match v.next(e) {
            Ok(()) => {}
            Err(Broken::Fault(f)) => return Err(f),
            Err(Broken::Link) => {
                return Err(v.link_fault(e, hashes.contains(&e.prev_hash)));
            }
        }
    }
    v.finish(head)
}

#[test]
fn an_untouched_chain_verifies() {
    let c = chain(10);
    let last = c.last().unwrap();
    assert_eq!(verify(&c, Some((last.position, &last.hash))), Ok(10));
    assert_eq!(verify(&[], None), Ok(0));
}

#[test]
fn a_modified_entry_is_named() {
    let mut c = chain(10);
    c[4].content.details = "{\"n\":99}".into();
    let last = c.last().unwrap().clone();
    let f = verify(&c, Some((last.position, &last.hash))).unwrap_err();
    assert_eq!(
        (f.kind, f.position, f.entry_id.as_deref()),
        (FaultKind::Modified, 5, Some("e5"))
    );
    // Re-hashing the changed entry does not help: the next one no longer links to it.
    let mut c = chain(10);
    c[4].content.actor = "someone-else".into();
    c[4].hash = entry_hash(3, &c[4].prev_hash.clone(), &c[4].content);
    let f = verify(&c, Some((last.position, &last.hash))).unwrap_err();
    assert_eq!(
        (f.kind, f.position, f.entry_id.as_deref()),
        (FaultKind::Modified, 5, Some("e5"))
    );
}

#[test]
fn a_deleted_entry_is_found() {
    let mut c = chain(10);
    let last = c.last().unwrap().clone();
    c.remove(6);
    let f = verify(&c, Some((last.position, &last.hash))).unwrap_err();
    assert_eq!((f.kind, f.position), (FaultKind::Deleted, 7));
    // The last entry deleted: the head still remembers it.
    let mut c = chain(10);
    c.pop();
    let f = verify(&c, Some((last.position, &last.hash))).unwrap_err();
    assert_eq!((f.kind, f.position), (FaultKind::Deleted, 10));
}

#[test]
fn reordered_entries_are_found() {
    let mut c = chain(10);
    let last = c.last().unwrap().clone();
    // Entries 4 and 5 swap places (their positions swapped, their hashes intact).
    c.swap(3, 4);
    c[3].position = 4;
    c[4].position = 5;
    let f = verify(&c, Some((last.position, &last.hash))).unwrap_err();
    assert_eq!(
        (f.kind, f.position, f.entry_id.as_deref()),
        (FaultKind::Reordered, 4, Some("e5"))
    );
}

#[test]
fn chains_spread_households_and_keep_each_in_one() {
    let mut seen = std::collections::HashSet::new();
    // Enough households that every one of the 4,096 chains gets some (about 24 missed at 20k).
    for i in 0..100_000 {
        let id = format!("household-{i}");
        assert_eq!(chain_of(Some(&id)), chain_of(Some(&id)));
        seen.insert(chain_of(Some(&id)));
    }
    assert_eq!(seen.len() as i64, CHAINS);
    assert_eq!(chain_of(None), 0);
}

#[test]
fn the_new_chains_continue_the_sixteen_old_ones() {
    // Before migration 0022 a household's chain was FNV-1a mod 16: its chain now is the same modulo
    // 16, so a household that stays below 16 appends to the very chain it used before.
    for i in 0..1000 {
        let id = format!("household-{i}");
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let old = (h % CHAINS_BEFORE_0022 as u64) as i64;
        assert_eq!(chain_of(Some(&id)) % CHAINS_BEFORE_0022, old);
    }
}

#[test]
fn entries_about_no_household_spread_by_actor() {
    assert_eq!(chain_for(Some("h1"), "anyone"), chain_of(Some("h1")));
    assert_eq!(chain_for(None, "officer-1"), chain_for(None, "officer-1"));
    let chains: std::collections::HashSet<i64> = (0..100)
        .map(|i| chain_for(None, &format!("officer-{i}")))
        .collect();
    assert!(chains.len() > 90, "{}", chains.len());
}
