//! Verifying the audit log: every chain walked from its first entry to its recorded head; and signed
//! checkpoints of the heads, kept outside the system, that a later rewrite of the log cannot match.

use crate::Registry;
use tamwin_domain::audit::{
    Broken, CHAINS, ChainHead, ChainVerifier, Checkpoint, Fault, checkpoint_message,
};
use tamwin_store::StoreError;

const PAGE: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub chains: i64,
    pub entries: i64,
}

/// Walks every chain; the first fault found, or how much was checked.
pub async fn verify(
    reg: &Registry,
    progress: &dyn Fn(i64),
) -> Result<Result<AuditReport, Fault>, StoreError> {
    let mut entries = 0;
    for chain in 0..CHAINS {
        let mut v = ChainVerifier::new(chain);
        let mut after = 0;
        loop {
            let page = reg.store.audit_page(chain, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            for e in &page {
                match v.next(e) {
                    Ok(()) => {}
                    Err(Broken::Fault(f)) => return Ok(Err(f)),
                    Err(Broken::Link) => {
                        let exists = reg.store.audit_hash_exists(chain, &e.prev_hash).await?;
                        return Ok(Err(v.link_fault(e, exists)));
                    }
                }
            }
            entries += page.len() as i64;
            progress(entries);
        }
        // Read after the walk, as close to it as can be: a live server goes on appending.
        let (position, hash) = reg.store.audit_head(chain).await?;
        let head = if position == 0 {
            None
        } else {
            Some((position, hash.as_str()))
        };
        if let Err(f) = v.finish(head) {
            return Ok(Err(f));
        }
    }
    Ok(Ok(AuditReport {
        chains: CHAINS,
        entries,
    }))
}

/// The server's Ed25519 key that signs checkpoints: a file of 64 hex digits (the 32-byte seed), created
/// on first use readable by its owner only.
pub struct ServerKey(ed25519_dalek::SigningKey);

/// Exactly `N` bytes of hex.
fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    tamwin_hub::unhex(s.trim()).and_then(|b| <[u8; N]>::try_from(b).ok())
}

impl ServerKey {
    /// Reads the key, or creates it if the file does not exist; the flag says it was created.
    pub fn load_or_create(path: &std::path::Path) -> Result<(ServerKey, bool), String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let seed = unhex::<32>(&text)
                    .ok_or_else(|| format!("{}: not a key (64 hex digits)", path.display()))?;
                Ok((
                    ServerKey(ed25519_dalek::SigningKey::from_bytes(&seed)),
                    false,
                ))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut seed = [0u8; 32];
                getrandom::fill(&mut seed).map_err(|e| format!("randomness: {e}"))?;
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
                let mut f = opts
                    .open(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                std::io::Write::write_all(
                    &mut f,
                    format!("{}\n", crate::secret::hex(&seed)).as_bytes(),
                )
                .map_err(|e| format!("{}: {e}", path.display()))?;
                Ok((
                    ServerKey(ed25519_dalek::SigningKey::from_bytes(&seed)),
                    true,
                ))
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn public_hex(&self) -> String {
        crate::secret::hex(&self.0.verifying_key().to_bytes())
    }

    /// The same kind of key file serves the hub's and a member organisation's signing keys.
    pub fn signing_key(&self) -> &ed25519_dalek::SigningKey {
        &self.0
    }
}

/// Signs the current head of every chain (the message lists all of them, empty ones at position 0).
pub async fn checkpoint(reg: &Registry, key: &ServerKey) -> Result<Checkpoint, StoreError> {
    use ed25519_dalek::Signer;
    // One read of every head (4,096 of them), not one query each.
    let heads: Vec<ChainHead> = reg
        .store
        .audit_heads()
        .await?
        .into_iter()
        .map(|(chain, position, hash)| ChainHead {
            chain,
            position,
            hash,
        })
        .collect();
    let at = format!("{:.6}", reg.clock.now());
    let sig = key.0.sign(checkpoint_message(&at, &heads).as_bytes());
    Ok(Checkpoint {
        at,
        heads,
        public_key: key.public_hex(),
        signature: crate::secret::hex(&sig.to_bytes()),
    })
}

/// Why a checkpoint does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointFault {
    /// Signed by another key than the one trusted.
    UntrustedKey,
    /// The signature does not match the checkpoint's content.
    BadSignature,
    /// The log no longer has, at this chain and position, the entry the checkpoint recorded.
    Diverged { chain: i64, position: i64 },
}

impl CheckpointFault {
    pub fn describe(&self) -> String {
        match self {
            CheckpointFault::UntrustedKey => "checkpoint signed by an untrusted key".into(),
            CheckpointFault::BadSignature => "checkpoint signature invalid".into(),
            CheckpointFault::Diverged { chain, position } => format!(
                "log diverged from the checkpoint: chain {chain} position {position} is missing or different"
            ),
        }
    }
}

/// Checks a checkpoint's signature against the trusted public key, then that every recorded head is
/// still in the log with the same hash (so nothing up to it was rewritten, truncated or replaced).
pub async fn verify_checkpoint(
    reg: &Registry,
    cp: &Checkpoint,
    trusted_public_hex: &str,
) -> Result<Result<(), CheckpointFault>, StoreError> {
    if !crate::secret::same(&cp.public_key, trusted_public_hex.trim()) {
        return Ok(Err(CheckpointFault::UntrustedKey));
    }
    let (Some(pk), Some(sig)) = (unhex::<32>(&cp.public_key), unhex::<64>(&cp.signature)) else {
        return Ok(Err(CheckpointFault::BadSignature));
    };
    let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&pk) else {
        return Ok(Err(CheckpointFault::BadSignature));
    };
    let sig = ed25519_dalek::Signature::from_bytes(&sig);
    if vk
        .verify_strict(checkpoint_message(&cp.at, &cp.heads).as_bytes(), &sig)
        .is_err()
    {
        return Ok(Err(CheckpointFault::BadSignature));
    }
    for h in cp.heads.iter().filter(|h| h.position > 0) {
        let page = reg.store.audit_page(h.chain, h.position - 1, 1).await?;
        let same = page
            .first()
            .is_some_and(|e| e.position == h.position && e.hash == h.hash);
        if !same {
            return Ok(Err(CheckpointFault::Diverged {
                chain: h.chain,
                position: h.position,
            }));
        }
    }
    Ok(Ok(()))
}
