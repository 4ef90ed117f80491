//! Who may read the SQLite files: they hold customers' tickets and staff credentials, so
//! the data directory is 0700 and the database 0600 (SQLite gives its `-wal` and `-shm`
//! files the database file's mode when it creates them). Existing looser modes are
//! tightened; a directory that only holds a database named by file path (`/tmp/x.db`) is
//! left as it is unless kefu creates it.

use std::path::Path;

/// Creates what is missing with owner-only modes and tightens what exists.
#[cfg(unix)]
pub(crate) fn secure(file: &Path, data_dir: Option<&Path>) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(parent) = file.parent().filter(|d| !d.as_os_str().is_empty())
        && !parent.exists()
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(parent)?;
    }
    if let Some(dir) = data_dir {
        restrict(dir, 0o700)?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    restrict(file, 0o600)?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = file.as_os_str().to_owned();
        side.push(suffix);
        let side = Path::new(&side);
        if side.exists() {
            restrict(side, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn secure(file: &Path, _data_dir: Option<&Path>) -> std::io::Result<()> {
    if let Some(parent) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    Ok(())
}

/// Removes any permission bit outside `mode`.
#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn a_new_data_directory_and_database_are_owner_only() {
        let root = std::env::temp_dir().join(format!("kefu-files-{}", uuid::Uuid::new_v4()));
        let dir = root.join("a/data");
        let file = dir.join("kefu.db");
        secure(&file, Some(&dir)).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&root.join("a")), 0o700);
        assert_eq!(mode(&file), 0o600);
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn loose_existing_files_are_tightened_but_a_shared_parent_is_not() {
        let root = std::env::temp_dir().join(format!("kefu-files-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = root.join("x.db");
        let wal = root.join("x.db-wal");
        for f in [&file, &wal] {
            std::fs::write(f, b"").unwrap();
            std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        secure(&file, None).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&wal), 0o600);
        assert_eq!(mode(&root), 0o755, "a file's parent is not ours to change");
        std::fs::remove_dir_all(root).unwrap();
    }
}
