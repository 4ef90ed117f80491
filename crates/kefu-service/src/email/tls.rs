//! How kefu speaks to the mail servers: in the clear, upgraded with STARTTLS, or over
//! implicit TLS (IMAPS on 993, SMTPS on 465), with rustls. Certificates are checked against
//! the system's roots plus, when `tls_ca_file` is set, the certificates of that PEM file (a
//! private CA or a self-signed server); a certificate that does not chain to them, or names
//! another host, ends the conversation before any password is sent.

use super::{EmailSettings, MailServerError};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore, crypto};

/// The security of one mail-server connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTls {
    /// Plain TCP: only for a server on this host or a private network.
    #[default]
    None,
    /// Plain TCP upgraded with STARTTLS before signing in; a server that does not offer it
    /// is refused (never a silent fall-back to the clear).
    Starttls,
    /// TLS from the first byte (IMAPS, SMTPS).
    Tls,
}

impl MailTls {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Starttls => "starttls",
            Self::Tls => "tls",
        }
    }
}

/// `tls_ca_file` read: its bytes (what lettre takes) and its certificates (at least one).
pub struct CaFile {
    pub pem: Vec<u8>,
    pub certs: Vec<CertificateDer<'static>>,
}

/// Reads a PEM file of certificates.
pub fn read_ca_file(path: &Path) -> Result<CaFile, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{} is not PEM: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{} holds no certificate", path.display()));
    }
    Ok(CaFile { pem, certs })
}

/// The system's trusted roots, read once.
fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        if !found.errors.is_empty() {
            tracing::warn!(
                errors = found.errors.len(),
                "some of the system's certificates could not be read"
            );
        }
        found.certs
    })
}

fn misconfigured(why: String) -> MailServerError {
    // A missing CA file may come back (a mount); the delivery is retried.
    MailServerError::Temporary(format!("mail TLS: {why}"))
}

/// `tls_ca_file` read, `None` when it is unset.
fn extra_roots(settings: &EmailSettings) -> Result<Option<CaFile>, MailServerError> {
    settings
        .tls_ca_file
        .as_deref()
        .map(|p| read_ca_file(p).map_err(misconfigured))
        .transpose()
}

/// The rustls client configuration for the IMAP connection.
fn client_config(settings: &EmailSettings) -> Result<Arc<ClientConfig>, MailServerError> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(system_roots().iter().cloned());
    for cert in extra_roots(settings)?.map(|f| f.certs).unwrap_or_default() {
        roots
            .add(cert)
            .map_err(|e| misconfigured(format!("a certificate of tls_ca_file: {e}")))?;
    }
    let config = ClientConfig::builder_with_provider(Arc::new(crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| misconfigured(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Wraps an open connection to `host` in TLS, checking the server's certificate.
pub async fn wrap(
    settings: &EmailSettings,
    host: &str,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, MailServerError> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| MailServerError::Permanent(format!("{host:?} is not a host name: {e}")))?;
    tokio_rustls::TlsConnector::from(client_config(settings)?)
        .connect(name, tcp)
        .await
        .map_err(|e| MailServerError::Temporary(format!("TLS with {host} failed: {e}")))
}

/// lettre's TLS parameters for the SMTP server.
pub fn smtp_parameters(
    settings: &EmailSettings,
) -> Result<lettre::transport::smtp::client::TlsParameters, MailServerError> {
    use lettre::transport::smtp::client::{Certificate, TlsParameters};
    let mut builder = TlsParameters::builder(settings.smtp_host.clone());
    if let Some(file) = extra_roots(settings)? {
        let certs = Certificate::from_pem(&file.pem)
            .map_err(|e| misconfigured(format!("tls_ca_file: {e}")))?;
        builder = builder.add_root_certificate(certs);
    }
    builder
        .build_rustls()
        .map_err(|e| misconfigured(e.to_string()))
}
