//! Files that hold secrets (the demo's accounts with their passwords, keys) are written readable by
//! their owner only (mode 0600), also when they already existed with a looser mode.

use std::io::Write;

/// Writes `bytes` to `path`, owner-only.
pub fn write(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    // `mode` applies only to a file created now.
    #[cfg(unix)]
    f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_and_existing_files_end_owner_only() {
        let dir = std::env::temp_dir().join(format!("tamwin-owner-only-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let new = dir.join("accounts.json");
        super::write(&new, b"{}").unwrap();
        assert_eq!(
            std::fs::metadata(&new).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let old = dir.join("old.json");
        std::fs::write(&old, b"x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        super::write(&old, b"{}").unwrap();
        assert_eq!(
            std::fs::metadata(&old).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(std::fs::read(&old).unwrap(), b"{}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
