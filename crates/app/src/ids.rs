//! Where ids and card serials come from: UUIDv7 in production, a seeded counter for tests.

use std::sync::atomic::{AtomicU64, Ordering};

/// Where ids and card serials come from.
pub trait IdGen: Send + Sync {
    fn id(&self) -> String;
    /// A random eight-digit card serial.
    fn card_serial(&self) -> u32;
}

/// UUIDv7 ids (time-ordered, so inserts stay local in indexes) and random serials.
pub struct RandomIds;
impl IdGen for RandomIds {
    fn id(&self) -> String {
        uuid::Uuid::now_v7().to_string()
    }
    fn card_serial(&self) -> u32 {
        (uuid::Uuid::new_v4().as_u128() % 100_000_000) as u32
    }
}

/// Deterministic ids from a counter and a seed: for tests.
pub struct SeqIds {
    next: AtomicU64,
    seed: u64,
}
impl SeqIds {
    pub fn new(seed: u64) -> Self {
        Self {
            next: AtomicU64::new(1),
            seed,
        }
    }
}
impl IdGen for SeqIds {
    fn id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        uuid::Uuid::from_u64_pair(self.seed, n).to_string()
    }
    fn card_serial(&self) -> u32 {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        ((n.wrapping_mul(2_654_435_761).wrapping_add(self.seed)) % 100_000_000) as u32
    }
}
