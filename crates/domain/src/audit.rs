//! The tamper-evident audit log: entries linked by hashes into a few parallel chains.
//!
//! Each entry's hash covers its chain, the previous entry's hash and its content, but not its position:
//! so a changed entry no longer matches its hash (modified), a missing one leaves a gap in positions
//! (deleted), and entries moved to other positions no longer link to their predecessor while the entry
//! they link to still exists elsewhere (reordered). Many chains (4,096), chosen by household, let writers
//! for different households append without waiting on one another (docs/audit.md, "Chains").

use sha2::{Digest, Sha256};

/// Number of chains. Household entries go to the chain of their household; others to the chain of
/// their actor. A power of two and a multiple of the 16 chains before migration 0022, so that a
/// household's chain then and now agree modulo 16 and the 16 old chains simply go on.
pub const CHAINS: i64 = 4096;

/// The chains of the layout before migration 0022 (`FNV-1a mod 16`), kept for the docs and tests.
pub const CHAINS_BEFORE_0022: i64 = 16;

/// The `prev_hash` of the first entry of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry says: who did what to which record, through which channel, with before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditContent {
    pub entry_id: String,
    /// RFC 3339, microseconds, UTC.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub area: String,
    /// `api`, `web`, `cli`, `import`.
    pub channel: String,
    /// `household.created`, `member_added`, `hold_placed`, `household.read`, …
    pub action: String,
    pub household_id: Option<String>,
    pub subject: Option<String>,
    /// JSON of what changed, before and after, or of what was read.
    pub details: String,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub chain: i64,
    pub position: i64,
    pub prev_hash: String,
    pub hash: String,
    pub content: AuditContent,
}

fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The chain of a household's entries: FNV-1a of the household id, so a household's history stays in
/// one chain and different households spread over all of them. No household: chain 0.
pub fn chain_of(household_id: Option<&str>) -> i64 {
    let Some(id) = household_id else { return 0 };
    (fnv1a(&[id.as_bytes()]) % CHAINS as u64) as i64
}

/// The chain an entry is appended to: its household's; an entry about no household (a sign-in, a
/// staff account, a token) goes to its actor's chain, so that two people signing in at once do not
/// queue on one chain either.
pub fn chain_for(household_id: Option<&str>, actor: &str) -> i64 {
    match household_id {
        Some(_) => chain_of(household_id),
        None => (fnv1a(&[b"actor\0", actor.as_bytes()]) % CHAINS as u64) as i64,
    }
}

/// SHA-256 over the chain, the previous hash and every content field, each length-prefixed so that no
/// two different entries serialise alike.
pub fn entry_hash(chain: i64, prev_hash: &str, c: &AuditContent) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(&chain.to_string());
    field(prev_hash);
    field(&c.entry_id);
    field(&c.at);
    field(&c.actor);
    field(&c.role);
    field(&c.area);
    field(&c.channel);
    field(&c.action);
    field(c.household_id.as_deref().unwrap_or("\u{0}none"));
    field(c.subject.as_deref().unwrap_or("\u{0}none"));
    field(&c.details);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The next entry of a chain after (`position`, `hash`) of its head.
pub fn append(chain: i64, head: (i64, &str), content: AuditContent) -> AuditEntry {
    let hash = entry_hash(chain, head.1, &content);
    AuditEntry {
        chain,
        position: head.0 + 1,
        prev_hash: head.1.to_string(),
        hash,
        content,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Modified,
    Deleted,
    Reordered,
}

impl FaultKind {
    pub fn code(self) -> &'static str {
        match self {
            FaultKind::Modified => "modified",
            FaultKind::Deleted => "deleted",
            FaultKind::Reordered => "reordered",
        }
    }
}

/// Where a chain first goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    pub chain: i64,
    /// The position at which the chain breaks.
    pub position: i64,
    /// The entry found there, if any.
    pub entry_id: Option<String>,
}

/// Why `ChainVerifier::next` stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    Fault(Fault),
    /// The entry does not link to the entry before it.
    Link,
}

/// Walks one chain in position order.
pub struct ChainVerifier {
    chain: i64,
    expected_position: i64,
    prev: String,
    prev_entry: Option<String>,
}

impl ChainVerifier {
    pub fn new(chain: i64) -> Self {
        Self {
            chain,
            expected_position: 1,
            prev: GENESIS.to_string(),
            prev_entry: None,
        }
    }

    fn fault(&self, kind: FaultKind, position: i64, entry_id: Option<String>) -> Fault {
        Fault {
            kind,
            chain: self.chain,
            position,
            entry_id,
        }
    }

    /// Checks the next entry. `Err(Broken::Link)` means it does not link to its predecessor: the caller
    /// asks the store whether the entry it links to exists elsewhere and calls `link_fault`.
    pub fn next(&mut self, e: &AuditEntry) -> Result<(), Broken> {
        if entry_hash(e.chain, &e.prev_hash, &e.content) != e.hash || e.chain != self.chain {
            return Err(Broken::Fault(self.fault(
                FaultKind::Modified,
                e.position,
                Some(e.content.entry_id.clone()),
            )));
        }
        if e.position > self.expected_position {
            return Err(Broken::Fault(self.fault(
                FaultKind::Deleted,
                self.expected_position,
                None,
            )));
        }
        if e.position < self.expected_position {
            return Err(Broken::Fault(self.fault(
                FaultKind::Reordered,
                e.position,
                Some(e.content.entry_id.clone()),
            )));
        }
        if e.prev_hash != self.prev {
            return Err(Broken::Link);
        }
        self.prev = e.hash.clone();
        self.prev_entry = Some(e.content.entry_id.clone());
        self.expected_position += 1;
        Ok(())
    }

    /// A broken link: the entry's true predecessor stands elsewhere in the chain (moved), or the entry
    /// before it is not the one it was written after (changed and re-hashed, or removed with positions
    /// closed up).
    pub fn link_fault(&self, e: &AuditEntry, predecessor_exists: bool) -> Fault {
        if predecessor_exists {
            self.fault(
                FaultKind::Reordered,
                e.position,
                Some(e.content.entry_id.clone()),
            )
        } else {
            self.fault(FaultKind::Modified, e.position - 1, self.prev_entry.clone())
        }
    }

    /// After the last entry: the chain's recorded head must be where the walk ended.
    pub fn finish(&self, head: Option<(i64, &str)>) -> Result<i64, Fault> {
        let walked = self.expected_position - 1;
        match head {
            None if walked == 0 => Ok(0),
            Some((p, h)) if p == walked && h == self.prev => Ok(walked),
            Some((p, _)) if p > walked => Err(Fault {
                kind: FaultKind::Deleted,
                chain: self.chain,
                position: walked + 1,
                entry_id: None,
            }),
            _ => Err(Fault {
                kind: FaultKind::Modified,
                chain: self.chain,
                position: walked,
                entry_id: None,
            }),
        }
    }
}

/// The heads of every chain at one moment, to be signed by the server and kept outside the system: a
/// later rewrite or truncation of the log before that moment no longer matches it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// RFC 3339.
    pub at: String,
    pub heads: Vec<ChainHead>,
    /// Ed25519 public key of the server, hex.
    pub public_key: String,
    /// Ed25519 signature over `checkpoint_message`, hex.
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainHead {
    pub chain: i64,
    pub position: i64,
    pub hash: String,
}

/// The exact bytes a checkpoint's signature covers: a version line, the time, and one line per chain.
pub fn checkpoint_message(at: &str, heads: &[ChainHead]) -> String {
    let mut m = format!("tamwin-audit-checkpoint-v1\n{at}\n");
    for h in heads {
        m.push_str(&format!("{} {} {}\n", h.chain, h.position, h.hash));
    }
    m
}

#[cfg(test)]
mod tests;
