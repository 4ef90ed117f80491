//! The satisfaction follow-up over `Arc<dyn Store>`: one survey per resolution and only
//! while it stands, one answer per survey (the review a low score opens written with it),
//! one reminder, reviews assigned and closed once, scores read back with what they were
//! about. Run on SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::*;
use std::sync::Arc;

mod common;
use common::{at, new_ticket};

/// A ticket resolved at `at(10)`.
async fn resolved(store: &Arc<dyn Store>, who: &str) -> Ticket {
    let t = store
        .open_ticket(new_ticket(who, None))
        .await
        .unwrap()
        .ticket;
    store
        .change_status(StatusChange {
            ticket_id: t.id,
            to: TicketStatus::Resolved,
            actor: Actor::System,
            reason: None,
            at: at(10),
        })
        .await
        .unwrap()
}

fn survey(id: &str, t: &Ticket, form: SurveyForm) -> NewSurvey {
    NewSurvey {
        id: id.into(),
        ticket: t.id,
        resolved_at: t.resolved_at.unwrap(),
        form,
        agent: Some(AgentId(7)),
        team: None,
        category: t.category.clone(),
        channel: t.channel,
        body: "请为本次服务打分".into(),
        expires_at: at(1_000_000),
        at: at(20),
    }
}

fn answer(id: &str, score: Option<u8>, review: bool) -> SurveyAnswer {
    SurveyAnswer {
        survey: id.into(),
        score,
        helpful: None,
        comment: Some("慢".into()),
        open_review: review,
        actor: Actor::Customer,
        at: at(30),
    }
}

fn audit_row(action: &str) -> AuditEntry {
    AuditEntry {
        actor: AuditActor::System,
        action: action.into(),
        subject: None,
        detail: serde_json::json!({}),
        at: at(30),
    }
}

async fn a_survey_is_sent_once_per_resolution_and_only_while_it_stands(store: &Arc<dyn Store>) {
    let t = resolved(store, "sv-send").await;
    let job = NewJob::new(
        "survey.remind",
        serde_json::json!({"survey": "s1"}),
        at(100),
    );
    let sent = store
        .send_survey(survey("s1", &t, SurveyForm::Score), vec![job])
        .await
        .unwrap();
    let SurveySent::Sent(s) = sent else {
        panic!("{sent:?}")
    };
    assert_eq!(
        (s.form, s.agent, s.channel),
        (SurveyForm::Score, Some(AgentId(7)), Channel::InApp)
    );
    let again = store
        .send_survey(survey("s2", &t, SurveyForm::Score), vec![])
        .await
        .unwrap();
    assert!(
        matches!(again, SurveySent::AlreadySent(ref s) if s.id == "s1"),
        "{again:?}"
    );
    let messages = store.messages(t.id, false).await.unwrap();
    let surveys: Vec<&Message> = messages
        .iter()
        .filter(|m| m.kind == MessageKind::Survey)
        .collect();
    assert_eq!(surveys.len(), 1);
    let invite = surveys[0].survey.as_ref().unwrap();
    assert_eq!(
        (invite.id.as_str(), invite.form, invite.token.as_deref()),
        ("s1", SurveyForm::Score, None)
    );
    assert_eq!(
        store.latest_survey(t.id).await.unwrap().unwrap().message,
        Some(surveys[0].id)
    );
    let counts = store.job_counts(at(200)).await.unwrap();
    assert_eq!(counts.pending, 1, "the reminder job came with the survey");

    // Another resolution time (the ticket was reopened and resolved since): nothing.
    let mut stale = survey("s3", &t, SurveyForm::Score);
    stale.resolved_at = at(11);
    assert_eq!(
        store.send_survey(stale, vec![]).await.unwrap(),
        SurveySent::NotResolved
    );
    assert!(store.survey("s3").await.unwrap().is_none());
}

async fn a_survey_is_answered_once_and_a_low_score_opens_a_review(store: &Arc<dyn Store>) {
    let t = resolved(store, "sv-answer").await;
    store
        .send_survey(survey("a1", &t, SurveyForm::Score), vec![])
        .await
        .unwrap();
    let audit: AuditOf<AnsweredSurvey> = Box::new(|a: &AnsweredSurvey| {
        a.review
            .iter()
            .map(|_| audit_row("review.opened"))
            .collect()
    });
    let done = store
        .answer_survey(answer("a1", Some(2), true), audit)
        .await
        .unwrap();
    assert_eq!(
        (done.survey.score, done.survey.comment.as_deref()),
        (Some(2), Some("慢"))
    );
    assert_eq!(done.survey.answered_at, Some(at(30)));
    let review = done.review.unwrap();
    assert_eq!(
        (review.ticket, review.score, review.status),
        (t.id, 2, ReviewStatus::Open)
    );
    let kinds: Vec<&str> = store
        .events(t.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert!(
        kinds.contains(&"survey_answered") && kinds.contains(&"review_opened"),
        "{kinds:?}"
    );
    let rows = store
        .audit_log(&AuditFilter {
            action: Some("review.opened".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);

    let twice = store
        .answer_survey(answer("a1", Some(5), false), no_audit())
        .await;
    assert!(
        matches!(twice, Err(StoreError::Conflict(Conflict::SurveyAnswered))),
        "{twice:?}"
    );
    let unknown = store
        .answer_survey(answer("nope", Some(5), false), no_audit())
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
    assert_eq!(
        store.survey("a1").await.unwrap().unwrap().score,
        Some(2),
        "unchanged"
    );

    let all = ScoreFilter {
        limit: 10,
        ..ScoreFilter::default()
    };
    let scores = store.satisfaction_scores(&all).await.unwrap();
    assert_eq!(scores.len(), 1);
    assert_eq!(
        (
            scores[0].score,
            scores[0].agent,
            scores[0].category.as_str()
        ),
        (Some(2), Some(AgentId(7)), "account")
    );
    let other_agent = ScoreFilter {
        agent: Some(AgentId(8)),
        ..all.clone()
    };
    assert!(
        store
            .satisfaction_scores(&other_agent)
            .await
            .unwrap()
            .is_empty()
    );
    let by_channel = ScoreFilter {
        channel: Some(Channel::InApp),
        from: Some(at(30)),
        ..all
    };
    assert_eq!(
        store.satisfaction_scores(&by_channel).await.unwrap().len(),
        1
    );
}

async fn an_unanswered_survey_is_reminded_once(store: &Arc<dyn Store>) {
    let t = resolved(store, "sv-remind").await;
    store
        .send_survey(survey("r1", &t, SurveyForm::Helpful), vec![])
        .await
        .unwrap();
    let remind = |id: &str| SurveyReminder {
        survey: id.into(),
        body: "提醒".into(),
        at: at(40),
    };
    assert!(store.remind_survey(remind("r1")).await.unwrap());
    assert!(!store.remind_survey(remind("r1")).await.unwrap(), "once");
    assert!(!store.remind_survey(remind("unknown")).await.unwrap());
    assert_eq!(
        store.survey("r1").await.unwrap().unwrap().reminded_at,
        Some(at(40))
    );
    let count = store
        .messages(t.id, false)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.kind == MessageKind::Survey)
        .count();
    assert_eq!(count, 2);

    let answered = resolved(store, "sv-remind-2").await;
    store
        .send_survey(survey("r2", &answered, SurveyForm::Score), vec![])
        .await
        .unwrap();
    store
        .answer_survey(answer("r2", Some(4), false), no_audit())
        .await
        .unwrap();
    assert!(
        !store.remind_survey(remind("r2")).await.unwrap(),
        "not after an answer"
    );
}

async fn a_review_is_assigned_and_closed_once(store: &Arc<dyn Store>) {
    let t = resolved(store, "sv-review").await;
    store
        .send_survey(survey("v1", &t, SurveyForm::Score), vec![])
        .await
        .unwrap();
    let id = store
        .answer_survey(answer("v1", Some(1), true), no_audit())
        .await
        .unwrap()
        .review
        .unwrap()
        .id;
    let lead = store
        .create_agent(NewAgent {
            email: "lead@kefu.local".into(),
            display_name: "组长".into(),
            role: AgentRole::Supervisor,
            team_id: None,
            password_hash: None,
            skills: vec![],
            chat_capacity: 3,
            at: at(0),
        })
        .await
        .unwrap();
    let change = |step: ReviewStep| ReviewChange {
        review: id,
        step,
        actor: Actor::Agent { id: lead.id },
        at: at(50),
    };
    let nobody = store
        .change_review(change(ReviewStep::Assign(AgentId(999_999))), no_audit())
        .await;
    assert!(matches!(nobody, Err(StoreError::NotFound)), "{nobody:?}");
    let audit: AuditOf<Review> = Box::new(|_| vec![audit_row("review.assigned")]);
    let assigned = store
        .change_review(change(ReviewStep::Assign(lead.id)), audit)
        .await
        .unwrap();
    assert_eq!(
        (assigned.assignee, assigned.status),
        (Some(lead.id), ReviewStatus::Open)
    );
    let open = ReviewFilter {
        status: Some(ReviewStatus::Open),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(store.reviews(&open).await.unwrap().len(), 1);
    let closed = store
        .change_review(change(ReviewStep::Close("已改进".into())), no_audit())
        .await
        .unwrap();
    assert_eq!(
        (closed.status, closed.outcome.as_deref(), closed.closed_at),
        (ReviewStatus::Closed, Some("已改进"), Some(at(50)))
    );
    let again = store
        .change_review(change(ReviewStep::Close("again".into())), no_audit())
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(Conflict::ReviewClosed))),
        "{again:?}"
    );
    assert!(store.reviews(&open).await.unwrap().is_empty());
    assert_eq!(store.review(id).await.unwrap().unwrap(), closed);
    let kinds: Vec<String> = store
        .events(t.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name().to_owned())
        .collect();
    assert!(
        kinds.contains(&"review_assigned".into()) && kinds.contains(&"review_closed".into()),
        "{kinds:?}"
    );
    let rows = store
        .audit_log(&AuditFilter {
            action: Some("review.assigned".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
}

contract_steps!(
    a_survey_is_sent_once_per_resolution_and_only_while_it_stands,
    a_survey_is_answered_once_and_a_low_score_opens_a_review,
    an_unanswered_survey_is_reminded_once,
    a_review_is_assigned_and_closed_once,
);
