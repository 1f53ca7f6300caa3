//! Verifying the audit log: every chain walked from its first entry to its recorded head.

use crate::Registry;
use tamwin_domain::audit::{Broken, CHAINS, ChainVerifier, Fault};
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
