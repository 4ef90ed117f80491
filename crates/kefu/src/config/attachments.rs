//! The `[attachments]` section: upload limits, how long download links last, and where the
//! files are kept.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Uploaded images and voice messages.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentsConfig {
    /// Largest image in bytes.
    pub image_max_bytes: u64,
    /// Largest voice recording in bytes.
    pub voice_max_bytes: u64,
    /// How long a download link works.
    pub link_ttl_seconds: u64,
    /// How long an upload no message used is kept.
    pub unused_hours: u64,
    /// `directory` or `s3`.
    pub storage: String,
    /// The directory files are kept in; empty: `attachments` beside a SQLite database
    /// (`./kefu-data/attachments` with PostgreSQL).
    pub directory: String,
    /// With `storage = "s3"`: the server (empty for AWS), bucket, region, keys, key prefix.
    pub s3_endpoint: String,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    pub s3_prefix: String,
}

impl std::fmt::Debug for AttachmentsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentsConfig")
            .field("image_max_bytes", &self.image_max_bytes)
            .field("voice_max_bytes", &self.voice_max_bytes)
            .field("link_ttl_seconds", &self.link_ttl_seconds)
            .field("unused_hours", &self.unused_hours)
            .field("storage", &self.storage)
            .field("directory", &self.directory)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_bucket", &self.s3_bucket)
            .field("s3_region", &self.s3_region)
            .field("s3_access_key_id", &self.s3_access_key_id)
            .field("s3_secret_access_key", &"***")
            .field("s3_prefix", &self.s3_prefix)
            .finish()
    }
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        Self {
            image_max_bytes: 10 * 1024 * 1024,
            voice_max_bytes: 10 * 1024 * 1024,
            link_ttl_seconds: 900,
            unused_hours: 24,
            storage: "directory".into(),
            directory: String::new(),
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_prefix: String::new(),
        }
    }
}

/// Most bytes any upload may be configured to take (the whole upload is held in memory).
const MAX_LIMIT: u64 = 100 * 1024 * 1024;

impl AttachmentsConfig {
    /// The first bad key and why.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        for (key, v) in [
            ("attachments.image_max_bytes", self.image_max_bytes),
            ("attachments.voice_max_bytes", self.voice_max_bytes),
        ] {
            if !(1024..=MAX_LIMIT).contains(&v) {
                return Some((key, format!("must be from 1024 to {MAX_LIMIT}")));
            }
        }
        if !(10..=7 * 24 * 3600).contains(&self.link_ttl_seconds) {
            return Some((
                "attachments.link_ttl_seconds",
                "must be from 10 to 604800".into(),
            ));
        }
        if !(1..=24 * 365).contains(&self.unused_hours) {
            return Some(("attachments.unused_hours", "must be from 1 to 8760".into()));
        }
        match self.storage.as_str() {
            "directory" => None,
            "s3" if !cfg!(feature = "s3") => Some((
                "attachments.storage",
                "s3 needs a kefu built with `--features s3`".into(),
            )),
            "s3" => [
                ("attachments.s3_bucket", &self.s3_bucket),
                ("attachments.s3_region", &self.s3_region),
                ("attachments.s3_access_key_id", &self.s3_access_key_id),
                (
                    "attachments.s3_secret_access_key",
                    &self.s3_secret_access_key,
                ),
            ]
            .into_iter()
            .find(|(_, v)| v.trim().is_empty())
            .map(|(key, _)| (key, "must be set with storage = \"s3\"".into())),
            _ => Some((
                "attachments.storage",
                "must be \"directory\" or \"s3\"".into(),
            )),
        }
    }

    /// Where files go: the configured directory, else beside the database.
    pub fn directory(&self, database_url: &str) -> PathBuf {
        if !self.directory.trim().is_empty() {
            return PathBuf::from(self.directory.trim());
        }
        if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            return PathBuf::from("./kefu-data/attachments");
        }
        kefu_store::database_file(database_url)
            .parent()
            .map_or_else(|| PathBuf::from("attachments"), |d| d.join("attachments"))
    }

    /// The service's attachment settings.
    pub fn settings(
        &self,
        database_url: &str,
    ) -> anyhow::Result<kefu_service::attachments::AttachmentSettings> {
        Ok(kefu_service::attachments::AttachmentSettings {
            image_max_bytes: self.image_max_bytes,
            voice_max_bytes: self.voice_max_bytes,
            link_ttl: Duration::from_secs(self.link_ttl_seconds),
            unused_ttl: Duration::from_secs(self.unused_hours * 3600),
            storage: self.storage(database_url)?,
            transcriber: None,
        })
    }

    #[cfg(feature = "s3")]
    fn storage(
        &self,
        database_url: &str,
    ) -> anyhow::Result<Arc<dyn kefu_service::attachments::BlobStore>> {
        use crate::s3_store::{S3Settings, S3Store};
        if self.storage != "s3" {
            return Ok(self.directory_store(database_url));
        }
        let store = S3Store::new(&S3Settings {
            endpoint: self.s3_endpoint.trim().to_owned(),
            bucket: self.s3_bucket.trim().to_owned(),
            region: self.s3_region.trim().to_owned(),
            access_key_id: self.s3_access_key_id.trim().to_owned(),
            secret_access_key: self.s3_secret_access_key.clone(),
            prefix: self.s3_prefix.trim().to_owned(),
        })
        .map_err(|e| anyhow::anyhow!("attachments.s3_* (env KEFU_ATTACHMENT_S3_*): {e}"))?;
        Ok(Arc::new(store))
    }

    #[cfg(not(feature = "s3"))]
    fn storage(
        &self,
        database_url: &str,
    ) -> anyhow::Result<Arc<dyn kefu_service::attachments::BlobStore>> {
        Ok(self.directory_store(database_url))
    }

    fn directory_store(&self, database_url: &str) -> Arc<dyn kefu_service::attachments::BlobStore> {
        Arc::new(kefu_service::attachments::DirectoryStore::new(
            self.directory(database_url),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_needs_its_bucket_and_keys_and_an_unknown_storage_is_named() {
        let s3 = AttachmentsConfig {
            storage: "s3".into(),
            ..AttachmentsConfig::default()
        };
        let (key, _) = s3.problem().unwrap();
        if cfg!(feature = "s3") {
            assert_eq!(key, "attachments.s3_bucket");
        } else {
            assert_eq!(key, "attachments.storage");
        }
        let odd = AttachmentsConfig {
            storage: "ftp".into(),
            ..AttachmentsConfig::default()
        };
        assert_eq!(odd.problem().unwrap().0, "attachments.storage");
        assert!(AttachmentsConfig::default().problem().is_none());
    }

    #[test]
    fn files_go_beside_a_sqlite_database_unless_a_directory_is_set() {
        let c = AttachmentsConfig::default();
        assert_eq!(
            c.directory("./kefu-data"),
            PathBuf::from("./kefu-data/attachments")
        );
        assert_eq!(
            c.directory("sqlite:///var/lib/kefu/k.db"),
            PathBuf::from("/var/lib/kefu/attachments")
        );
        assert_eq!(
            c.directory("postgres://db/kefu"),
            PathBuf::from("./kefu-data/attachments")
        );
        let set = AttachmentsConfig {
            directory: "/srv/files".into(),
            ..c
        };
        assert_eq!(set.directory("./kefu-data"), PathBuf::from("/srv/files"));
    }
}
