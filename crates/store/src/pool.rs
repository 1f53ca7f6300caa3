//! How busy each backend's connection pool is, for the server's metrics (`/metrics`): a capability of
//! its own, implemented beside each backend's pool, so that a metric never needs a query.

/// One look at a pool: connections open (idle or handed out) and the most it may open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolStats {
    /// Connections handed out to a query or a transaction right now.
    pub fn in_use(&self) -> u32 {
        self.size.saturating_sub(self.idle)
    }
}

pub trait PoolUse {
    fn pool_stats(&self) -> PoolStats;
}

pub(crate) fn stats<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolStats {
    PoolStats {
        size: pool.size(),
        // Counted apart from `size`: the two readings may cross a connection being returned.
        idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
        max: pool.options().get_max_connections(),
    }
}
