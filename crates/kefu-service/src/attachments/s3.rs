//! Attachment bytes in an S3-compatible bucket (AWS S3, MinIO, Ceph, s3s …) through
//! `object_store`'s S3 client, so several nodes share one store. Built only with the `s3`
//! feature.

use super::storage::{BlobStore, StorageError};
use async_trait::async_trait;
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
}
