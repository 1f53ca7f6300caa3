//! Picking by weight: names, governorates, age bands and counts drawn from weighted lists.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Cumulative weights for picking by weight with one random draw.
pub(crate) struct Weighted<T> {
    items: Vec<T>,
    cum: Vec<u64>,
}

impl<T: Clone> Weighted<T> {
    pub(crate) fn new(pairs: impl IntoIterator<Item = (T, u32)>) -> Self {
        let mut items = Vec::new();
        let mut cum = Vec::new();
        let mut total = 0u64;
        for (t, w) in pairs {
            total += u64::from(w.max(1));
            items.push(t);
            cum.push(total);
        }
        Self { items, cum }
    }
    pub(crate) fn pick(&self, rng: &mut ChaCha8Rng) -> T {
        let total = self.cum.last().copied().unwrap_or(1);
        let x = rng.random_range(0..total);
        let i = self
            .cum
            .partition_point(|c| *c <= x)
            .min(self.items.len() - 1);
        self.items[i].clone()
    }
}
