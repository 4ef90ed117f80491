//! Speech to text: with a backend set, a voice upload carries its text, and a voice message
//! alone reaches the bot as that text (a request for a person is heard); a failing backend
//! leaves the file without text instead of failing the upload.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use async_trait::async_trait;
use kefu_domain::MessageKind;
use kefu_service::attachments::{
    self, AttachmentSettings, NewUpload, TranscribeError, Transcriber,
};
use kefu_service::inputs::{AttachmentInput, CustomerInput, NewTicketInput};
use kefu_service::{Caller, ChannelKey, Core, Settings};
use kefu_store::testing::TestDatabase;
use std::sync::Arc;

#[derive(Debug)]
struct Fixed(Option<&'static str>);

#[async_trait]
impl Transcriber for Fixed {
    async fn transcribe(
        &self,
        content_type: &str,
        _: &[u8],
    ) -> Result<Option<String>, TranscribeError> {
        assert_eq!(content_type, "audio/amr");
        match self.0 {
            Some(text) => Ok(Some(text.to_owned())),
            None => Err(TranscribeError("backend down".into())),
        }
    }
}

fn amr(frames: usize) -> Vec<u8> {
    let mut b = b"#!AMR\n".to_vec();
    for _ in 0..frames {
        b.push(0x3c);
        b.extend([0u8; 31]);
    }
    b
}

async fn core_with(transcriber: Fixed) -> (TestDatabase, Arc<Core>, Caller) {
    let db = TestDatabase::sqlite().await.unwrap();
    kefu_service::seed::seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap();
    let settings = Settings {
        attachments: AttachmentSettings {
            transcriber: Some(Arc::new(transcriber)),
            ..AttachmentSettings::default()
        },
        ..Settings::default()
    };
    let core = Arc::new(Core::new(db.store.clone(), settings).await.unwrap());
    let (key, _) =
        kefu_service::admin::create_api_key(&core, &Caller::System, "app", Some("in_app"), None)
            .await
            .unwrap();
    let caller = Caller::Channel(ChannelKey {
        key_id: key.id,
        channel: key.channel,
    });
    (db, core, caller)
}

fn upload(bytes: Vec<u8>) -> NewUpload {
    NewUpload {
        name: Some("语音.amr".into()),
        bytes,
        ..NewUpload::default()
    }
}

#[tokio::test]
async fn a_transcribed_voice_message_alone_is_read_by_the_bot() {
    let (_db, core, caller) = core_with(Fixed(Some("转人工"))).await;
    let up = attachments::upload(&core, &caller, upload(amr(100)))
        .await
        .unwrap();
    assert_eq!(up.record.transcript.as_deref(), Some("转人工"));
    assert_eq!(up.record.duration_ms, Some(2000));

    let intake = kefu_service::intake::open_ticket(
        &core,
        &caller,
        NewTicketInput {
            customer: CustomerInput {
                external_id: "voice-user".into(),
                ..CustomerInput::default()
            },
            attachments: vec![AttachmentInput {
                id: Some(up.record.id.clone()),
                ..AttachmentInput::default()
            }],
            ..NewTicketInput::default()
        },
        b"{}",
        None,
    )
    .await
    .unwrap();
    assert_eq!(intake.ticket.subject, "转人工");
    // The in-app bot heard the transcript: a request for a person, which it starts handing
    // over (asking for what the agent will need); an empty body would have gone to a
    // person without a bot turn.
    let messages = core.store.messages(intake.ticket.id, true).await.unwrap();
    assert_eq!(messages[1].kind, MessageKind::Bot);
    assert!(messages[1].body.contains("人工"), "{}", messages[1].body);
    let first = &messages[0];
    assert_eq!(first.body, "");
    assert_eq!(first.attachments[0].transcript.as_deref(), Some("转人工"));
    assert_eq!(
        core.store
            .attachment(&up.record.id)
            .await
            .unwrap()
            .unwrap()
            .ticket,
        Some(intake.ticket.id)
    );
}

#[tokio::test]
async fn a_failing_backend_leaves_the_file_without_text() {
    let (_db, core, caller) = core_with(Fixed(None)).await;
    let up = attachments::upload(&core, &caller, upload(amr(10)))
        .await
        .unwrap();
    assert_eq!(up.record.transcript, None);
    assert_eq!(up.record.duration_ms, Some(200));
}
