//! Random secrets and their digests: session cookies, CSRF tokens, one-time codes, API tokens.
//! Only digests are stored; the secrets themselves are shown once and then exist only with their holder.

use crate::{AppError, Result};
use sha2::{Digest, Sha256};

/// `n` random bytes from the operating system, hex-encoded.
pub fn random_hex(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("randomness: {e}")))?;
    Ok(hex(&buf))
}

/// A uniformly random code of `digits` decimal digits (rejection sampling, no modulo bias).
pub fn random_code(digits: u32) -> Result<String> {
    let modulus = 10u32.pow(digits);
    let limit = u32::MAX - u32::MAX % modulus;
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("randomness: {e}")))?;
        let v = u32::from_le_bytes(b);
        if v < limit {
            return Ok(format!("{:0width$}", v % modulus, width = digits as usize));
        }
    }
}

pub fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    hex(&h.finalize())
}

pub use tamwin_hub::hex;

/// Equality that takes the same time wherever the first difference is.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_length_and_vary() {
        let codes: std::collections::BTreeSet<String> =
            (0..50).map(|_| random_code(6).unwrap()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(codes.len() > 45);
        assert_eq!(random_hex(32).unwrap().len(), 64);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
