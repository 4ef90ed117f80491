//! The e-mail channel against a real mail server: Postfix (SMTP) and Dovecot (IMAP) from
//! Debian's packages, started for each test in a folder of its own on free ports by
//! `scripts/mailserver.sh`, with the mailboxes support@kefu.test and customer@kefu.test.
//! Without Postfix and Dovecot installed the tests say so and pass, except under `CI=true`
//! (where `.ci/run` installs them), where they fail. The TLS tests start the server with a
//! test CA, STARTTLS on SMTP and IMAP, and SMTPS and IMAPS on ports of their own.

use crate::TestApp;
use kefu_service::email::imap::Mailbox;
use kefu_service::email::smtp::{OutgoingMail, send};
use kefu_service::email::{EmailAdapter, EmailSettings, MailTls};
use reqwest::StatusCode;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/mailserver.sh");
pub const SUPPORT: &str = "support@kefu.test";
pub const CUSTOMER: &str = "customer@kefu.test";

/// A running Postfix + Dovecot pair, stopped and removed on drop.
pub struct MailServer {
    dir: PathBuf,
    smtp: u16,
    imap: u16,
    /// SMTPS and IMAPS, when started with TLS.
    tls_ports: Option<[u16; 2]>,
    /// How kefu and the customer speak to it.
    smtp_tls: MailTls,
    imap_tls: MailTls,
}

fn installed() -> bool {
    [
        "/usr/sbin/postfix",
        "/usr/sbin/dovecot",
        "/usr/lib/dovecot/lmtp",
    ]
    .iter()
    .all(|p| std::path::Path::new(p).exists())
}

fn free_ports() -> [u16; 5] {
    let listeners: Vec<std::net::TcpListener> = (0..5)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let port = |i: usize| listeners[i].local_addr().unwrap().port();
    [port(0), port(1), port(2), port(3), port(4)]
}

impl MailServer {
    /// Starts one, or `None` (after saying why) where Postfix and Dovecot are missing.
    pub async fn start() -> Option<Self> {
        Self::launch(None).await
    }

    /// Starts one with TLS; kefu and the customer use SMTP and IMAP as given (a port with
    /// STARTTLS or the implicit-TLS one), trusting the test CA.
    pub async fn start_with_tls(smtp_tls: MailTls, imap_tls: MailTls) -> Option<Self> {
        Self::launch(Some((smtp_tls, imap_tls))).await
    }

    async fn launch(tls: Option<(MailTls, MailTls)>) -> Option<Self> {
        if !installed() {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "Postfix and Dovecot are needed (scripts/mailserver.sh install)"
            );
            eprintln!(
                "skipped: Postfix and Dovecot are not installed (scripts/mailserver.sh install)"
            );
            return None;
        }
        let [smtp, imap, lmtp, smtps, imaps] = free_ports();
        let dir = std::env::temp_dir().join(format!("kefu-mx-{}", uuid::Uuid::new_v4().simple()));
        let mut ports = vec![smtp, imap, lmtp];
        if tls.is_some() {
            ports.extend([smtps, imaps]);
        }
        let status = tokio::process::Command::new("bash")
            .arg(SCRIPT)
            .arg("start")
            .arg(&dir)
            .args(ports.iter().map(u16::to_string))
            .status()
            .await
            .unwrap();
        assert!(
            status.success(),
            "the mail server did not start (see {})",
            dir.display()
        );
        let (smtp_tls, imap_tls) = tls.unwrap_or_default();
        Some(Self {
            dir,
            smtp,
            imap,
            tls_ports: tls.map(|_| [smtps, imaps]),
            smtp_tls,
            imap_tls,
        })
    }

    /// Settings for the mailbox `user` (kefu's own: support@kefu.test).
    pub fn settings(&self, user: &str) -> EmailSettings {
        let port = |mode: MailTls, plain: u16, implicit: usize| match (mode, self.tls_ports) {
            (MailTls::Tls, Some(ports)) => ports[implicit],
            _ => plain,
        };
        EmailSettings {
            address: user.into(),
            display_name: "客服 Support".into(),
            imap_host: "127.0.0.1".into(),
            imap_port: port(self.imap_tls, self.imap, 1),
            imap_tls: self.imap_tls,
            imap_user: user.into(),
            imap_password: "s3cret".into(),
            imap_mailbox: "INBOX".into(),
            smtp_host: "127.0.0.1".into(),
            smtp_port: port(self.smtp_tls, self.smtp, 0),
            smtp_tls: self.smtp_tls,
            smtp_user: None,
            smtp_password: None,
            poll_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(20),
            // With TLS, the test CA is trusted.
            tls_ca_file: self.tls_ports.map(|_| self.dir.join("tls/ca.pem")),
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = std::process::Command::new("bash")
            .arg(SCRIPT)
            .arg("stop")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends a mail as the customer (a real SMTP conversation with Postfix).
pub async fn customer_sends(mx: &MailServer, mail: OutgoingMail) {
    send(&mx.settings(CUSTOMER), &mail).await.unwrap();
}

/// Waits until `user`'s inbox holds an unseen mail (Postfix delivers in the background);
/// with `take`, fetches the oldest and marks it seen.
pub async fn wait_for_mail(mx: &MailServer, user: &str, take: bool) -> Option<Vec<u8>> {
    for _ in 0..300 {
        let mut mailbox = Mailbox::open(&mx.settings(user)).await.unwrap();
        let unseen = mailbox.unseen().await.unwrap();
        if let Some(uid) = unseen.first().copied() {
            let raw = if take {
                let raw = mailbox.fetch(uid).await.unwrap();
                mailbox.mark_seen(uid).await.unwrap();
                raw
            } else {
                None
            };
            mailbox.close().await;
            return raw.or(Some(Vec::new()));
        }
        mailbox.close().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no mail reached {user} within 30 s");
}

/// Reads the support mailbox once, as the poller does, once a mail has arrived.
pub async fn kefu_reads_mail(app: &TestApp, mx: &MailServer) -> usize {
    wait_for_mail(mx, SUPPORT, false).await;
    kefu_reads_now(app, mx).await
}

async fn kefu_reads_now(app: &TestApp, mx: &MailServer) -> usize {
    let adapter = EmailAdapter::new(mx.settings(SUPPORT));
    kefu_service::email::poller::poll_once(&app.state.core, &adapter)
        .await
        .unwrap()
}

pub fn mail(subject: &str, body: &str) -> OutgoingMail {
    OutgoingMail {
        to: SUPPORT.into(),
        to_name: None,
        subject: subject.into(),
        body: body.into(),
        message_id: format!("{}@customer.kefu.test", uuid::Uuid::new_v4().simple()),
        in_reply_to: None,
        references: vec![],
    }
}

/// The test server with the e-mail adapter installed, as `kefu serve` installs it when
/// `[email]` is on.
async fn spawn_mail_app(mx: &MailServer) -> TestApp {
    with_adapter(mx, crate::spawn_app().await)
}

/// `app` with the e-mail adapter for `mx`'s support mailbox installed.
fn with_adapter(mx: &MailServer, app: TestApp) -> TestApp {
    let adapter = EmailAdapter::new(mx.settings(SUPPORT));
    app.state
        .core
        .channels
        .install(std::sync::Arc::new(adapter));
    app
}

/// What an agent reads at `path`.
async fn staff_get(app: &TestApp, agent: &str, path: &str) -> Value {
    let r = app.get(path).bearer_auth(agent).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The customer's tickets, newest first, as an agent lists them.
async fn tickets_of(app: &TestApp, agent: &str) -> Vec<Value> {
    let page = staff_get(
        app,
        agent,
        &format!("/api/v1/tickets?customer_email={CUSTOMER}"),
    )
    .await;
    page["items"].as_array().unwrap().clone()
}

/// A ticket's messages as an agent sees them.
async fn messages_of(app: &TestApp, agent: &str, number: &str) -> Vec<Value> {
    let detail = staff_get(app, agent, &format!("/api/v1/tickets/{number}")).await;
    detail["messages"].as_array().unwrap().clone()
}

fn customer_bodies(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m["kind"] == "customer")
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_opens_a_ticket_and_a_quoted_reply_naming_its_number_threads_onto_it() {
    let Some(mx) = MailServer::start().await else {
        return;
    };
    let app = spawn_mail_app(&mx).await;
    let agent = app.login("agent1@kefu.local").await;

    let first = mail(
        "登录不了",
        "I cannot log in since yesterday.\n\n-- \nAlice\nSent from my phone",
    );
    customer_sends(&mx, first.clone()).await;
    assert_eq!(kefu_reads_mail(&app, &mx).await, 1);
    let tickets = tickets_of(&app, &agent).await;
    assert_eq!(tickets.len(), 1, "{tickets:?}");
    let ticket = &tickets[0];
    assert_eq!(ticket["channel"], "email");
    assert_eq!(ticket["subject"], "登录不了");
    let number = ticket["number"].as_str().unwrap().to_owned();
    let grouped = ticket["number_display"].as_str().unwrap().to_owned();
    assert_eq!(
        customer_bodies(&messages_of(&app, &agent, &number).await),
        ["I cannot log in since yesterday."],
        "the signature is cut"
    );

    // The customer answers from their mail client: the number in the subject, the history
    // quoted below a Chinese reply header.
    let reply = OutgoingMail {
        subject: format!("回复：[#{grouped}] Re: 登录不了"),
        body: "重启以后还是不行。\n\n在 2026年12月1日 周一 10:00，客服 <support@kefu.test> 写道：\n> I cannot log in since yesterday.".into(),
        in_reply_to: Some(first.message_id.clone()),
        references: vec![first.message_id.clone()],
        ..mail("", "")
    };
    customer_sends(&mx, reply).await;
    assert_eq!(kefu_reads_mail(&app, &mx).await, 1);
    assert_eq!(tickets_of(&app, &agent).await.len(), 1, "no second ticket");
    assert_eq!(
        customer_bodies(&messages_of(&app, &agent, &number).await),
        ["I cannot log in since yesterday.", "重启以后还是不行。"]
    );

    // Read again, nothing is new: the mails were marked seen.
    assert_eq!(kefu_reads_now(&app, &mx).await, 0);

    // The same mail delivered twice (a resent copy) and an out-of-office reply write nothing.
    customer_sends(&mx, first).await;
    assert_eq!(kefu_reads_mail(&app, &mx).await, 1);
    let auto = format!(
        "From: {CUSTOMER}\r\nTo: {SUPPORT}\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\
         Message-ID: <ooo-1@customer.kefu.test>\r\n\r\nI am away until Monday.\r\n"
    );
    kefu_service::email::smtp::send_raw(&mx.settings(CUSTOMER), SUPPORT, auto.as_bytes())
        .await
        .unwrap();
    assert_eq!(kefu_reads_mail(&app, &mx).await, 1);
    assert_eq!(tickets_of(&app, &agent).await.len(), 1);
    assert_eq!(
        customer_bodies(&messages_of(&app, &agent, &number).await).len(),
        2,
        "no duplicate, no auto-reply"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_mail_is_sanitized_and_its_files_pass_the_attachment_checks() {
    let Some(mx) = MailServer::start().await else {
        return;
    };
    let app = spawn_mail_app(&mx).await;
    let agent = app.login("agent1@kefu.local").await;
    let b64 = |bytes: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    let raw = format!(
        "From: Customer <{CUSTOMER}>\r\nTo: {SUPPORT}\r\nSubject: Screenshot\r\n\
         Message-ID: <html-1@customer.kefu.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>The app <b>crashes</b> here.</p><script>alert('pwned')</script>\
         <img src=x onerror=\"alert(1)\"><blockquote>old history</blockquote></body></html>\r\n\
         --b1\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"shot.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        b64(&crate::attachments::png()),
        b64(b"%PDF-1.4 not an accepted file"),
    );
    kefu_service::email::smtp::send_raw(&mx.settings(CUSTOMER), SUPPORT, raw.as_bytes())
        .await
        .unwrap();
    assert_eq!(kefu_reads_mail(&app, &mx).await, 1);
    let tickets = tickets_of(&app, &agent).await;
    let number = tickets[0]["number"].as_str().unwrap();
    let messages = messages_of(&app, &agent, number).await;
    let first = &messages[0];
    let body = first["body"].as_str().unwrap();
    assert!(
        body.contains("The app") && body.contains("crashes here."),
        "{body}"
    );
    for bad in ["alert", "script", "onerror", "<", "old history"] {
        assert!(!body.contains(bad), "{bad:?} in {body}");
    }
    assert!(
        body.contains("invoice.pdf"),
        "the refused file is named: {body}"
    );
    let files = first["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["content_type"], "image/png");
}

/// Delivers a customer-visible message on its ticket's channel, as the channel follower
/// does for every one (a delivery with its job), then runs the due jobs.
async fn deliver(app: &TestApp, number: &str, message: &Value) {
    use kefu_service::channels::outbound::{NewOutbound, enqueue};
    use kefu_service::channels::{OutboundKind, Visibility};
    let core = &app.state.core;
    let number = kefu_service::lookup::parse_number(number).unwrap();
    let ticket = core.store.ticket_by_number(&number).await.unwrap().unwrap();
    let out = NewOutbound {
        source: format!("message:{}", message["id"]),
        kind: OutboundKind::Reply,
        visibility: Visibility::Private,
        body: message["body"].as_str().unwrap().to_owned(),
        topics: None,
    };
    enqueue(core, &ticket, out).await.unwrap().unwrap();
    let report = kefu_service::jobs::run_due(core, jiff::Timestamp::now())
        .await
        .unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_mail_ticket_agent_reply_by_mail_and_the_answer_threads_back() {
    let Some(mx) = MailServer::start().await else {
        return;
    };
    round_trip(&mx, spawn_mail_app(&mx).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_round_trip_holds_on_postgresql_too() {
    let Some(url) = kefu_store::testing::postgres_url() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "KEFU_TEST_POSTGRES_URL is needed under CI"
        );
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set");
        return;
    };
    let Some(mx) = MailServer::start().await else {
        return;
    };
    let db = kefu_store::testing::TestDatabase::postgres(&url)
        .await
        .unwrap();
    let app = crate::limits::spawn_on(db, Default::default(), Default::default()).await;
    round_trip(&mx, with_adapter(&mx, app)).await;
}

/// Customer mail → ticket → agent reply → mail in the customer's mailbox → the customer's
/// quoted answer threads back onto the same ticket with only its new text.
async fn round_trip(mx: &MailServer, app: TestApp) {
    let app = &app;
    let agent = app.login("agent1@kefu.local").await;

    // The customer writes; kefu opens a ticket.
    let first = mail("登录不了", "I cannot log in since yesterday.");
    customer_sends(mx, first.clone()).await;
    assert_eq!(kefu_reads_mail(app, mx).await, 1);
    let number = tickets_of(app, &agent).await[0]["number"]
        .as_str()
        .unwrap()
        .to_owned();

    // An agent answers over the API; the answer goes out by SMTP.
    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(&agent)
        .json(&serde_json::json!({"body": "Please restart the app and try again."}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let reply: Value = r.json().await.unwrap();
    deliver(app, &number, &reply).await;

    // It is in the customer's mailbox (read over IMAP), threaded and numbered.
    let raw = wait_for_mail(mx, CUSTOMER, true).await.unwrap();
    let got = kefu_service::email::parse::parse(&raw).unwrap();
    assert_eq!(got.from, SUPPORT);
    assert_eq!(got.text, "Please restart the app and try again.");
    assert_eq!(got.subject, "登录不了");
    assert_eq!(
        got.ticket_number.map(|n| n.as_string()).as_deref(),
        Some(number.as_str())
    );
    assert_eq!(
        got.replies_to,
        std::slice::from_ref(&first.message_id),
        "In-Reply-To and References"
    );
    let header = String::from_utf8_lossy(&raw);
    assert!(
        header.contains(&format!("In-Reply-To: <{}>", first.message_id)),
        "{header}"
    );
    let token = app.login("supervisor@kefu.local").await;
    let staff = kefu_service::caller::authenticate(&app.state.core, &token)
        .await
        .unwrap()
        .unwrap();
    let deliveries = kefu_service::channels::outbound::list(
        &app.state.core,
        &staff.into(),
        &kefu_service::lookup::parse_number(&number).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].status, "delivered");
    assert_eq!(
        deliveries[0].remote_id.as_deref(),
        Some(got.message_id.as_str())
    );

    // The customer answers from their mail client: in the thread (In-Reply-To kefu's mail),
    // the subject without the number, the history quoted below.
    let answer = OutgoingMail {
        subject: "Re: 登录不了".into(),
        body: format!(
            "Thanks, it works now.\n\nOn Mon, 1 Dec 2026 at 10:00, 客服 Support <{SUPPORT}> wrote:\n> Please restart the app and try again.\n"
        ),
        in_reply_to: Some(got.message_id.clone()),
        references: vec![first.message_id.clone(), got.message_id.clone()],
        ..mail("", "")
    };
    customer_sends(mx, answer).await;
    assert_eq!(kefu_reads_mail(app, mx).await, 1);
    let tickets = tickets_of(app, &agent).await;
    assert_eq!(tickets.len(), 1, "the same ticket: {tickets:?}");
    assert_eq!(
        customer_bodies(&messages_of(app, &agent, &number).await),
        ["I cannot log in since yesterday.", "Thanks, it works now."]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_round_trip_holds_over_starttls_smtp_and_implicit_tls_imap() {
    let Some(mx) = MailServer::start_with_tls(MailTls::Starttls, MailTls::Tls).await else {
        return;
    };
    round_trip(&mx, spawn_mail_app(&mx).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_smtp_and_starttls_imap_carry_a_mail_too() {
    let Some(mx) = MailServer::start_with_tls(MailTls::Tls, MailTls::Starttls).await else {
        return;
    };
    customer_sends(
        &mx,
        mail("over TLS", "Sent over SMTPS, read with STARTTLS."),
    )
    .await;
    let raw = wait_for_mail(&mx, SUPPORT, true).await.unwrap();
    let got = kefu_service::email::parse::parse(&raw).unwrap();
    assert_eq!(got.text, "Sent over SMTPS, read with STARTTLS.");
    assert_eq!(got.from, CUSTOMER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_certificate_kefu_does_not_trust_ends_the_conversation() {
    use kefu_service::email::MailServerError;
    for (smtp_tls, imap_tls) in [
        (MailTls::Starttls, MailTls::Tls),
        (MailTls::Tls, MailTls::Starttls),
    ] {
        let Some(mx) = MailServer::start_with_tls(smtp_tls, imap_tls).await else {
            return;
        };
        let untrusting = EmailSettings {
            tls_ca_file: None,
            ..mx.settings(SUPPORT)
        };
        let refused = send(&untrusting, &mail("x", "x")).await.unwrap_err();
        assert!(
            matches!(&refused, MailServerError::Temporary(e) if e.contains("certificate")),
            "SMTP {smtp_tls:?}: {refused:?}"
        );
        let Err(refused) = Mailbox::open(&untrusting).await else {
            panic!("IMAP {imap_tls:?}: signed in despite an untrusted certificate");
        };
        assert!(
            matches!(&refused, MailServerError::Temporary(e) if e.contains("certificate")),
            "IMAP {imap_tls:?}: {refused:?}"
        );
        // Trusting the CA, the same server is reached (the refusal was the certificate).
        Mailbox::open(&mx.settings(SUPPORT))
            .await
            .unwrap()
            .close()
            .await;
    }
}
