//! The `survey.send` job a resolution brings: one per resolution (its dedupe key names the
//! ticket and the resolution time), none when `[survey] enabled = false`; run, it sends
//! the survey once however often it runs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use jiff::Timestamp;
use kefu_domain::{MessageKind, SurveyForm, TicketStatus};
use kefu_service::survey::{SurveySettings, send};
use kefu_service::{Core, Settings};
use kefu_store::testing::TestDatabase;
use std::sync::Arc;

#[tokio::test]
async fn a_resolution_brings_one_send_job_unless_surveys_are_off() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "jobs-1").await;
    let at = Timestamp::now();
    let job = send::job(&core, &t, SurveyForm::Score, None, at).unwrap();
    let again = send::job(&core, &t, SurveyForm::Score, None, at).unwrap();
    assert_eq!(job.dedupe_key, again.dedupe_key);
    assert!(
        job.dedupe_key
            .as_deref()
            .unwrap()
            .contains(&t.id.0.to_string())
    );

    let db = TestDatabase::sqlite().await.unwrap();
    let off = Settings {
        survey: SurveySettings {
            enabled: false,
            ..SurveySettings::default()
        },
        ..Settings::default()
    };
    let off = Arc::new(Core::new(db.store.clone(), off).await.unwrap());
    assert!(send::job(&off, &t, SurveyForm::Score, None, at).is_none());
}

#[tokio::test]
async fn the_send_job_sends_the_survey_once_however_often_it_runs() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "jobs-2").await;
    let t = common::set_status(&core, &t, TicketStatus::Resolved).await;
    let job = send::job(&core, &t, SurveyForm::Helpful, None, t.resolved_at.unwrap()).unwrap();
    for _ in 0..2 {
        let stored = kefu_store::Job {
            id: kefu_store::JobId(1),
            kind: job.kind.clone(),
            payload: job.payload.clone(),
            ordering_key: None,
            dedupe_key: None,
            run_at: job.run_at,
            attempts: 1,
            max_attempts: 5,
            leased_by: None,
            lease_until: None,
            last_error: None,
            dead_at: None,
            created_at: job.run_at,
        };
        send::run_send(core.clone(), stored).await.unwrap();
    }
    let messages = core.store.messages(t.id, false).await.unwrap();
    let surveys: Vec<_> = messages
        .iter()
        .filter(|m| m.kind == MessageKind::Survey)
        .collect();
    assert_eq!(surveys.len(), 1);
    assert_eq!(
        surveys[0].survey.as_ref().unwrap().form,
        SurveyForm::Helpful
    );
    assert!(surveys[0].body.contains("有帮助"), "{}", surveys[0].body);
}
