//! The `[attachments]` section: upload limits, how long download links last, and where the
//! files are kept.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Uploaded images and voice messages.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AttachmentsConfig {
    /// Largest image in bytes.
    pub image_max_bytes: u64,
    /// Largest voice recording in bytes.
    pub voice_max_bytes: u64,
    /// How long a download link works.
    pub link_ttl_seconds: u64,
    /// The directory files are kept in; empty: `attachments` beside a SQLite database
    /// (`./kefu-data/attachments` with PostgreSQL).
    pub directory: String,
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        Self {
            image_max_bytes: 10 * 1024 * 1024,
            voice_max_bytes: 10 * 1024 * 1024,
            link_ttl_seconds: 900,
            directory: String::new(),
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
        None
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
    pub fn settings(&self, database_url: &str) -> kefu_service::attachments::AttachmentSettings {
        kefu_service::attachments::AttachmentSettings {
            image_max_bytes: self.image_max_bytes,
            voice_max_bytes: self.voice_max_bytes,
            link_ttl: Duration::from_secs(self.link_ttl_seconds),
            storage: Arc::new(kefu_service::attachments::DirectoryStore::new(
                self.directory(database_url),
            )),
            transcriber: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
