//! Reading the support mailbox over IMAP with `async-imap`: the unseen mails by UID, each
//! fetched without marking it (`BODY.PEEK[]`), and marked `\Seen` only once kefu has taken
//! it — a mail whose processing failed for a passing reason is read again next time.

use super::{EmailSettings, MailServerError};
use async_imap::Session;
use futures_util::TryStreamExt as _;
use tokio::net::TcpStream;

/// A signed-in IMAP connection with the configured folder selected.
pub struct Mailbox {
    session: Session<TcpStream>,
}

fn temporary(what: &str) -> impl Fn(async_imap::error::Error) -> MailServerError + '_ {
    move |e| MailServerError::Temporary(format!("IMAP {what} failed: {e}"))
}

impl Mailbox {
    /// Connects, signs in and selects the folder.
    pub async fn open(settings: &EmailSettings) -> Result<Self, MailServerError> {
        let tcp = TcpStream::connect((settings.imap_host.as_str(), settings.imap_port))
            .await
            .map_err(|e| {
                MailServerError::Temporary(format!(
                    "cannot reach the IMAP server {}:{}: {e}",
                    settings.imap_host, settings.imap_port
                ))
            })?;
        let mut client = async_imap::Client::new(tcp);
        client
            .read_response()
            .await
            .map_err(|e| MailServerError::Temporary(format!("no IMAP greeting: {e}")))?
            .ok_or_else(|| MailServerError::Temporary("the IMAP server closed at once".into()))?;
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
