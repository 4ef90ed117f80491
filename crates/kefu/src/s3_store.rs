//! Attachment bytes in an S3-compatible bucket (AWS S3, MinIO, Ceph, s3s …) through
//! `object_store`'s S3 client, so several nodes share one store. Built only with the `s3`
//! feature. It implements kefu-service's `BlobStore` here, in the binary, because the
//! client brings an HTTP stack (hyper, rustls) that the service crate must not depend on.

use async_trait::async_trait;
use kefu_service::attachments::{BlobStore, StorageError};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStoreExt as _, PutPayload};

/// Where the bucket is and how to sign in to it.
#[derive(Clone, Default)]
pub struct S3Settings {
    /// `https://s3.example.com` or `http://127.0.0.1:9000`; empty for AWS itself.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Keys go under this prefix (`kefu/attachments`); may be empty.
    pub prefix: String,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"***")
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// An S3-compatible bucket.
#[derive(Debug)]
pub struct S3Store {
    client: AmazonS3,
    prefix: String,
}

impl S3Store {
    /// A client for the bucket (no request is made until the first file).
    pub fn new(s: &S3Settings) -> Result<Self, StorageError> {
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&s.bucket)
            .with_region(&s.region)
            .with_access_key_id(&s.access_key_id)
            .with_secret_access_key(&s.secret_access_key);
        if !s.endpoint.is_empty() {
            // Self-hosted servers answer on one host with the bucket in the path.
            b = b
                .with_endpoint(&s.endpoint)
                .with_allow_http(s.endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        let client = b.build().map_err(failed)?;
        Ok(Self {
            client,
            prefix: s.prefix.trim_matches('/').to_owned(),
        })
    }

    fn path(&self, key: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(key)
        } else {
            Path::from(format!("{}/{key}", self.prefix))
        }
    }
}

fn failed(e: object_store::Error) -> StorageError {
    match e {
        object_store::Error::NotFound { .. } => StorageError::NotFound,
        other => StorageError::Failed(other.to_string()),
    }
}

#[async_trait]
impl BlobStore for S3Store {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.client
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(failed)
    }

    async fn get(&self, key: &str) -> Result<Vec<u8>, StorageError> {
        let found = self.client.get(&self.path(key)).await.map_err(failed)?;
        Ok(found.bytes().await.map_err(failed)?.to_vec())
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.client.delete(&self.path(key)).await.map_err(failed) {
            Err(StorageError::NotFound) => Ok(()),
            other => other,
        }
    }
}

/// Against a real S3 server started here: `s3s-fs` (an S3 API over a directory;
/// `cargo install s3s-fs@0.14.1 --features binary`), found on PATH, in `~/.cargo/bin` or at
/// `KEFU_TEST_S3S_FS`. Without it the test says so and passes, except under `CI=true`.
/// Run with `cargo test -p kefu --features s3 s3_store`.
#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::time::Duration;

    fn s3s_fs() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("KEFU_TEST_S3S_FS") {
            return Some(PathBuf::from(p));
        }
        let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join(".cargo/bin"));
        }
        dirs.into_iter()
            .map(|d| d.join("s3s-fs"))
            .find(|p| p.is_file())
    }

    fn settings(port: u16, secret: &str) -> S3Settings {
        S3Settings {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: "kefu-test".into(),
            region: "us-east-1".into(),
            access_key_id: "KEFUTESTKEY".into(),
            secret_access_key: secret.into(),
            prefix: "attachments".into(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_round_trip_through_a_real_s3_server() {
        let Some(bin) = s3s_fs() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "s3s-fs is not installed (cargo install s3s-fs@0.14.1 --features binary)"
            );
            eprintln!("s3s-fs not installed; the S3 attachment store was not tested");
            return;
        };
        let root = std::env::temp_dir().join(format!(
            "kefu-s3-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        ));
        std::fs::create_dir_all(root.join("kefu-test")).unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let _server = tokio::process::Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--access-key",
                "KEFUTESTKEY",
                "--secret-key",
                "kefu-test-secret",
            ])
            .arg(&root)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        // An outside process: wait until it accepts connections.
        let mut up = false;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(up, "s3s-fs did not start on port {port}");

        let store = S3Store::new(&settings(port, "kefu-test-secret")).unwrap();
        let bytes = b"\x89PNG\r\n\x1a\n not really".to_vec();
        store.put("ab/abc.png", bytes.clone()).await.unwrap();
        assert_eq!(store.get("ab/abc.png").await.unwrap(), bytes);
        // The server really keeps it, under the prefix.
        let on_disk = std::fs::read(root.join("kefu-test/attachments/ab/abc.png")).unwrap();
        assert_eq!(on_disk, bytes);
        assert!(matches!(
            store.get("ab/none.png").await,
            Err(StorageError::NotFound)
        ));
        store.delete("ab/abc.png").await.unwrap();
        assert!(matches!(
            store.get("ab/abc.png").await,
            Err(StorageError::NotFound)
        ));
        let wrong = S3Store::new(&settings(port, "wrong-secret")).unwrap();
        assert!(matches!(
            wrong.put("ab/x.png", vec![1]).await,
            Err(StorageError::Failed(_))
        ));
        std::fs::remove_dir_all(root).unwrap();
    }
}
