use super::*;

fn set(rs: &[HoldReason]) -> ReasonSet {
    let mut s = ReasonSet::default();
    for r in rs {
        s.insert(*r);
    }
    s
}

/// The expected state of one hold on a household with a head and one other member, written out by hand.
fn single_hold_table(level: u8, r: HoldReason) -> CardState {
    use CardState::*;
    use HoldReason::*;
    match (level, r) {
        // household level
        (0, Deceased | Abroad | Duplicate | Fictitious) => Blocked,
        (0, DataMismatch | Other) => Suspended,
        (0, NotVerifiedInPerson) => PendingVerification,
        (0, NoNationalId) => Temporary,
        // the head
        (1, NoNationalId) => Temporary,
        (1, NotVerifiedInPerson) => PendingVerification,
        (1, _) => Suspended,
        // another member: excluded alone, the card stays active
        (_, NoNationalId) => Temporary,
        (_, _) => Active,
    }
}

#[test]
fn every_single_hold_at_every_level() {
    for r in HoldReason::ALL {
        for level in 0..3u8 {
            let (mut hh, mut head, mut other) = (
                ReasonSet::default(),
                ReasonSet::default(),
                ReasonSet::default(),
            );
            match level {
                0 => hh.insert(r),
                1 => head.insert(r),
                _ => other.insert(r),
            }
            assert_eq!(
                state_from_sets(false, hh, head, &[other]),
                single_hold_table(level, r),
                "{r:?} at level {level}"
            );
        }
    }
}

/// Every combination of reasons on the household and on the head, with no other member or one other
/// member carrying any combination of reasons: 2 × 256 × 256 × 257 states. Checks the closed rule, that
/// one more hold never makes the state less severe, and when a card can collect.
#[test]
fn exhaustive_over_all_hold_combinations() {
    let no_id_bit = 1u8 << (HoldReason::NoNationalId as u8);
    let only_no_id = |x: u8| x & !no_id_bit == 0;
    let mut seen = std::collections::HashSet::new();
    for closed in [false, true] {
        for hh in 0..=255u8 {
            for head in 0..=255u8 {
                for other in -1i16..=255 {
                    let others: Vec<ReasonSet> = if other < 0 {
                        vec![]
                    } else {
                        vec![ReasonSet(other as u8)]
                    };
                    let s = state_from_sets(closed, ReasonSet(hh), ReasonSet(head), &others);
                    seen.insert(s);
                    if closed {
                        assert_eq!(s, CardState::Closed);
                        continue;
                    }
                    assert_ne!(s, CardState::Closed);
                    for bit in 0..8u8 {
                        let more = |x: u8| x | (1 << bit);
                        assert!(
                            state_from_sets(false, ReasonSet(more(hh)), ReasonSet(head), &others)
                                >= s
                        );
                        assert!(
                            state_from_sets(false, ReasonSet(hh), ReasonSet(more(head)), &others)
                                >= s
                        );
                        if other >= 0 {
                            let o = [ReasonSet(more(other as u8))];
                            assert!(
                                state_from_sets(false, ReasonSet(hh), ReasonSet(head), &o) >= s
                            );
                        }
                    }
                    // A card collects only when the household and its head carry nothing but missing IDs.
                    assert_eq!(s.can_collect(), only_no_id(hh) && only_no_id(head));
                    // Missing IDs alone make a temporary card; no hold at all an active one.
                    let other_bits = if other < 0 { 0 } else { other as u8 };
                    if only_no_id(hh) && only_no_id(head) {
                        let any_no_id = (hh | head | other_bits) & no_id_bit != 0;
                        assert_eq!(
                            s,
                            if any_no_id {
                                CardState::Temporary
                            } else {
                                CardState::Active
                            }
                        );
                    }
                }
            }
        }
    }
    assert_eq!(seen.len(), CardState::ALL.len(), "every state is reachable");
}

#[test]
fn everyone_excluded_blocks_the_card() {
    let dead = set(&[HoldReason::Deceased]);
    let abroad = set(&[HoldReason::Abroad]);
    let unverified = set(&[HoldReason::NotVerifiedInPerson]);
    assert_eq!(
        state_from_sets(false, ReasonSet::default(), dead, &[abroad, dead]),
        CardState::Blocked
    );
    assert_eq!(
        state_from_sets(
            false,
            ReasonSet::default(),
            dead,
            &[abroad, ReasonSet::default()]
        ),
        CardState::Suspended
    );
    assert_eq!(
        state_from_sets(false, ReasonSet::default(), dead, &[]),
        CardState::Blocked
    );
    // Nobody verified yet is a visit to come, not a block.
    assert_eq!(
        state_from_sets(false, ReasonSet::default(), unverified, &[unverified]),
        CardState::PendingVerification
    );
}

#[test]
fn codes_round_trip() {
    for s in CardState::ALL {
        assert_eq!(CardState::parse(s.code()), Some(s));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            format!("\"{}\"", s.code())
        );
    }
}
