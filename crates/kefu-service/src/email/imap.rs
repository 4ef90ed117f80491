//! Reading the support mailbox over IMAP with `async-imap`: the unseen mails by UID, each
//! fetched without marking it (`BODY.PEEK[]`), and marked `\Seen` only once kefu has taken
//! it — a mail whose processing failed for a passing reason is read again next time. The
//! connection is in the clear, upgraded with STARTTLS, or TLS from the start ([`tls`]).

use super::{EmailSettings, MailServerError, MailTls, tls};
use async_imap::Session;
use futures_util::TryStreamExt as _;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// A connection to the IMAP server, plain or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}

/// A signed-in IMAP connection with the configured folder selected.
pub struct Mailbox {
    session: Session<Box<dyn Stream>>,
}

/// The server's greeting, read before anything is said.
async fn greeted<T: Stream>(client: &mut async_imap::Client<T>) -> Result<(), MailServerError> {
    client
        .read_response()
        .await
        .map_err(|e| MailServerError::Temporary(format!("no IMAP greeting: {e}")))?
        .ok_or_else(|| MailServerError::Temporary("the IMAP server closed at once".into()))?;
    Ok(())
}

/// A greeted client on the configured kind of connection.
async fn connect(
    settings: &EmailSettings,
) -> Result<async_imap::Client<Box<dyn Stream>>, MailServerError> {
    let host = settings.imap_host.as_str();
    let tcp = TcpStream::connect((host, settings.imap_port))
        .await
        .map_err(|e| {
            MailServerError::Temporary(format!(
                "cannot reach the IMAP server {host}:{}: {e}",
                settings.imap_port
            ))
        })?;
    let stream: Box<dyn Stream> = match settings.imap_tls {
        MailTls::None => Box::new(tcp),
        MailTls::Tls => Box::new(tls::wrap(settings, host, tcp).await?),
        MailTls::Starttls => {
            let mut plain = async_imap::Client::new(tcp);
            greeted(&mut plain).await?;
            plain
                .run_command_and_check_ok("STARTTLS", None)
                .await
                .map_err(|e| {
                    MailServerError::Permanent(format!(
                        "the IMAP server {host} refused STARTTLS: {e}"
                    ))
                })?;
            let tls = tls::wrap(settings, host, plain.into_inner()).await?;
            // No greeting follows the upgrade.
            return Ok(async_imap::Client::new(Box::new(tls)));
        }
    };
    let mut client = async_imap::Client::new(stream);
    greeted(&mut client).await?;
    Ok(client)
}

fn temporary(what: &str) -> impl Fn(async_imap::error::Error) -> MailServerError + '_ {
    move |e| MailServerError::Temporary(format!("IMAP {what} failed: {e}"))
}

impl Mailbox {
    /// Connects, signs in and selects the folder.
    pub async fn open(settings: &EmailSettings) -> Result<Self, MailServerError> {
        let client = connect(settings).await?;
        let mut session = client
            .login(&settings.imap_user, &settings.imap_password)
            .await
            .map_err(|(e, _)| {
                MailServerError::Permanent(format!("the IMAP server refused the login: {e}"))
            })?;
        session
            .select(&settings.imap_mailbox)
            .await
            .map_err(temporary("selecting the folder"))?;
        Ok(Self { session })
    }

    /// The UIDs of unseen mails, oldest first.
    pub async fn unseen(&mut self) -> Result<Vec<u32>, MailServerError> {
        let mut uids: Vec<u32> = self
            .session
            .uid_search("UNSEEN")
            .await
            .map_err(temporary("searching unseen mail"))?
            .into_iter()
            .collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The raw mail with this UID (`None` when it is gone), left unseen.
    pub async fn fetch(&mut self, uid: u32) -> Result<Option<Vec<u8>>, MailServerError> {
        let fetches: Vec<_> = self
            .session
            .uid_fetch(uid.to_string(), "BODY.PEEK[]")
            .await
            .map_err(temporary("fetching a mail"))?
            .try_collect()
            .await
            .map_err(temporary("reading a mail"))?;
        Ok(fetches.iter().find_map(|f| f.body().map(<[u8]>::to_vec)))
    }

    /// Marks the mail as taken.
    pub async fn mark_seen(&mut self, uid: u32) -> Result<(), MailServerError> {
        let _: Vec<_> = self
            .session
            .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
            .await
            .map_err(temporary("marking a mail seen"))?
            .try_collect()
            .await
            .map_err(temporary("marking a mail seen"))?;
        Ok(())
    }

    /// Signs out (errors are of no interest: the connection is dropped either way).
    pub async fn close(mut self) {
        let _ = self.session.logout().await;
    }
}
