//! Throttling of sign-in attempts by source address as well as by account (docs/access.md, "Failed
//! sign-ins"), so that guessing is slow while a stranger cannot lock an officer or a citizen out: a
//! counter only refuses the address that earned it, and the account-wide one spares the addresses the
//! account signed in from before. Counters are keyed by hashes of what they count, never by usernames
//! or phone numbers, and unknown names are counted like known ones, so no answer tells them apart.

use crate::secret::sha256_hex;
use crate::{AppError, Registry, Result};
use tamwin_store::Throttle;

/// The window in which failures are counted, and how long a key that reached its limit is refused.
pub const WINDOW_MINUTES: i64 = 15;
/// Failed staff sign-ins (any username) from one address per window before the address is refused
/// (a centre's officers often share one address: room for their typos).
pub const ADDRESS_FAILURES: i64 = 20;
/// Failed sign-ins to one username from one address per window before that pair is refused.
pub const PAIR_FAILURES: i64 = 5;
/// Failed sign-ins to one username from all addresses per window before it is refused to every
/// address it has not signed in from in the last `KNOWN_DAYS` (one address alone stops at `PAIR_FAILURES`).
pub const ACCOUNT_FAILURES: i64 = tamwin_domain::access::LOCK_AFTER_FAILURES;
/// How long a successful sign-in makes an address known to the account.
pub const KNOWN_DAYS: i64 = 30;
/// Codes asked from one address per window (any number), and failed codes from one address: mobile
/// networks put many citizens behind one address (carrier-grade NAT), so these are loose.
pub const CODE_REQUESTS_PER_ADDRESS: i64 = 30;
pub const CODE_FAILURES_PER_ADDRESS: i64 = 30;
/// Codes one number gets from all addresses per window (a cap against flooding a phone).
pub const CODES_PER_NUMBER: i64 = 10;

/// The source of a request as the throttle keys it: the client's IP address (an IPv6 client by its
/// /64 network, which one host usually holds whole), or `local` where the server does not know it.
pub fn source_key(addr: Option<std::net::IpAddr>) -> String {
    match addr {
        None => "local".into(),
        Some(std::net::IpAddr::V4(a)) => a.to_string(),
        Some(std::net::IpAddr::V6(a)) => match a.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// A counter's key: its kind and a hash of what it counts.
pub(crate) fn key(kind: &str, parts: &[&str]) -> String {
    format!("{kind}:{}", &sha256_hex(parts)[..32])
}

fn minutes(n: i64) -> jiff::SignedDuration {
    jiff::SignedDuration::from_mins(n)
}

/// Whole seconds until the counter stops refusing (at least one), if it refuses now.
pub(crate) fn refusing(t: Option<&Throttle>, now: jiff::Timestamp) -> Option<i64> {
    let until = t?.blocked_until?;
    (until > now).then(|| (until.as_second() - now.as_second()).max(1))
}

impl Registry {
    /// The counters under these keys, in the order asked (None where there is none).
    pub(crate) async fn counters(&self, keys: &[String]) -> Result<Vec<Option<Throttle>>> {
        let found = self.store.throttles(keys).await?;
        Ok(keys
            .iter()
            .map(|k| found.iter().find(|t| t.key == *k).cloned())
            .collect())
    }

    /// Counts one failure under `key` against `limit` per window.
    pub(crate) async fn count_failure(&self, key: &str, limit: i64) -> Result<Throttle> {
        let now = self.clock.now();
        let window_from = now
            .checked_sub(minutes(WINDOW_MINUTES))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let until = now
            .checked_add(minutes(WINDOW_MINUTES))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(self
            .store
            .throttle_fail(key, now, window_from, limit, until)
            .await?)
    }

    /// Whether the counter marks an address known to an account (a success within `KNOWN_DAYS`).
    pub(crate) fn known(&self, t: Option<&Throttle>) -> bool {
        let now = self.clock.now();
        t.is_some_and(|t| {
            now.duration_since(t.window_start) < jiff::SignedDuration::from_hours(24 * KNOWN_DAYS)
        })
    }

    /// Forgets counters older than an address stays known (the job `sign_in.throttles` calls it).
    pub async fn forget_throttles(&self) -> Result<u64> {
        let before = self
            .clock
            .now()
            .checked_sub(jiff::SignedDuration::from_hours(24 * KNOWN_DAYS))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(self.store.throttle_forget(before).await?)
    }
}
