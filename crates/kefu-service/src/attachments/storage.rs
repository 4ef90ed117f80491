//! Where attachment bytes live, behind one trait: a directory on this machine by default
//! (one node), or an S3-compatible bucket (several nodes). Keys are made by kefu
//! (`ab/<id>.<ext>`), never from a client's file name.

use async_trait::async_trait;
use std::path::PathBuf;

/// Why bytes could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such object")]
    NotFound,
    #[error("attachment storage failed: {0}")]
    Failed(String),
}

/// An object store for attachment bytes.
#[async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` under `key`, durably before it returns.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError>;
    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError>;
    /// Removes the object; one already gone is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
}

/// Files under one directory, readable by kefu's user only (0600).
#[derive(Debug, Clone)]
pub struct DirectoryStore {
    root: PathBuf,
}

impl DirectoryStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The path of a key; keys are kefu's own (`[0-9a-z./]` with no `..`), checked anyway.
    fn path(&self, key: &str) -> Result<PathBuf, StorageError> {
        let safe = !key.is_empty()
            && !key.starts_with('/')
            && !key.contains("..")
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '.');
        if safe {
            Ok(self.root.join(key))
        } else {
            Err(StorageError::Failed(format!("refused key {key:?}")))
        }
    }
}

fn io(e: std::io::Error) -> StorageError {
    if e.kind() == std::io::ErrorKind::NotFound {
        StorageError::NotFound
    } else {
        StorageError::Failed(e.to_string())
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Failed(e.to_string()))?
}

#[async_trait]
impl BlobStore for DirectoryStore {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        let path = self.path(key)?;
        blocking(move || {
            use std::io::Write as _;
            let dir = path
                .parent()
                .ok_or_else(|| StorageError::Failed("key has no directory".into()))?;
            std::fs::create_dir_all(dir).map_err(io)?;
            // Written aside and renamed: a reader never sees half a file.
            let tmp = path.with_extension("part");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&tmp).map_err(io)?;
            file.write_all(&bytes).map_err(io)?;
            file.sync_all().map_err(io)?;
            std::fs::rename(&tmp, &path).map_err(io)
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let path = self.path(key)?;
        blocking(move || std::fs::read(path).map_err(io)).await
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path(key)?;
        blocking(move || match std::fs::remove_file(path).map_err(io) {
            Err(StorageError::NotFound) => Ok(()),
            other => other,
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_private_and_read_back() {
        let root = std::env::temp_dir().join(format!("kefu-store-test-{}", uuid::Uuid::new_v4()));
        let store = DirectoryStore::new(&root);
        store.put("ab/abc.png", b"bytes".to_vec()).await.unwrap();
        assert_eq!(store.get("ab/abc.png").await.unwrap(), b"bytes");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(root.join("ab/abc.png"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            store.get("ab/none.png").await,
            Err(StorageError::NotFound)
        ));
        assert!(store.put("../escape", vec![]).await.is_err());
        assert!(store.put("/etc/x", vec![]).await.is_err());
        std::fs::remove_dir_all(root).unwrap();
    }
}
