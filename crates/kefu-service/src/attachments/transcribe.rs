//! Speech to text for voice messages: an interface only. No backend ships by default; one
//! set in the service settings fills a voice attachment's `transcript` at upload.

use async_trait::async_trait;

/// A speech-to-text backend failed; the upload goes on without a transcript.
#[derive(Debug, thiserror::Error)]
#[error("transcription failed: {0}")]
pub struct TranscribeError(pub String);

/// Turns a recording into text.
#[async_trait]
pub trait Transcriber: Send + Sync + std::fmt::Debug {
    /// The text of the recording (`content_type` as sniffed), or `None` when it holds no
    /// speech.
    async fn transcribe(
        &self,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<Option<String>, TranscribeError>;
}
