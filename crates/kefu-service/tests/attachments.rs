//! Unused uploads are swept after their time; files a message used stay.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use jiff::{SignedDuration, Timestamp};
use kefu_domain::AgentId;
use kefu_service::attachments::{self, NewUpload, StorageError};
use kefu_service::{Caller, Staff};

fn png() -> Vec<u8> {
    b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90\x77\x53\xde\0\0\0\0IEND\xae\x42\x60\x82".to_vec()
}

#[tokio::test]
async fn unused_uploads_are_swept_after_their_time_and_used_ones_stay() {
    let (_db, core) = common::sqlite_node().await;
    let agent = Caller::Staff(Staff {
        agent_id: AgentId(1),
        role: kefu_domain::AgentRole::Agent,
        team: None,
        credential: kefu_domain::ApiKeyId(1),
    });
    let upload = || NewUpload {
        name: Some("a.png".into()),
        bytes: png(),
        ..NewUpload::default()
    };
    let unused = attachments::upload(&core, &agent, upload())
        .await
        .unwrap()
        .record;
    let used = attachments::upload(&core, &agent, upload())
        .await
        .unwrap()
        .record;
    let ticket = common::open(&core, "sweep-1").await;
    let mut files = vec![kefu_domain::Attachment {
        name: String::new(),
        content_type: String::new(),
        size_bytes: 0,
        url: String::new(),
        id: Some(used.id.clone()),
        kind: None,
        duration_ms: None,
        transcript: None,
    }];
    let target = attachments::Target::Ticket(ticket.id);
    attachments::resolve(&core, &agent, target, "attachments", &mut files)
        .await
        .unwrap();
    attachments::bind(&core, &agent, ticket.id, &files)
        .await
        .unwrap();

    let storage = &core.settings.attachments.storage;
    let now = Timestamp::now();
    assert_eq!(attachments::sweep::sweep(&core, now).await.unwrap(), 0);
    let later = now + SignedDuration::from_hours(25);
    assert_eq!(attachments::sweep::sweep(&core, later).await.unwrap(), 1);
    assert!(core.store.attachment(&unused.id).await.unwrap().is_none());
    assert!(matches!(
        storage.get(&unused.storage_key).await,
        Err(StorageError::NotFound)
    ));
    assert!(core.store.attachment(&used.id).await.unwrap().is_some());
    assert_eq!(storage.get(&used.storage_key).await.unwrap(), png());
    assert_eq!(attachments::sweep::sweep(&core, later).await.unwrap(), 0);
}
