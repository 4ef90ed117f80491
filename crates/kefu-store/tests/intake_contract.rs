//! Concurrent intake over `Arc<dyn Store>`: many intakes at once share a batch on both
//! backends (SQLite's writer, PostgreSQL's batch writers), and every one must come back
//! complete. Run on SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::testing::TestDatabase;
use kefu_store::*;
use std::sync::Arc;

mod common;
use common::{at, new_ticket, stored};

async fn suite(store: Arc<dyn Store>) {
    concurrent_intake_gives_distinct_numbers(&store).await;
    concurrent_retries_with_one_idempotency_key_give_one_ticket(&store).await;
    concurrent_keyed_intakes_replay_their_own_tickets(&store).await;
    concurrent_bot_first_intakes_write_each_turn_with_its_ticket(&store).await;
}

/// The bot's first turn of ticket `i`: an answer, suggestions with an unanswered question,
/// or (every fourth) a hand-over.
fn first_turn(i: u32) -> BotExchange {
    let handoff = (i % 4 == 3).then(|| BotHandoff {
        reason: "customer_request".into(),
        summary: format!("摘要{i}"),
        category: None,
    });
    let unsure = i % 4 == 1;
    BotExchange {
        ticket_id: TicketId(0),
        customer_message: None,
        bot_reply: format!("答{i}"),
        suggestions: if unsure {
            vec![Suggestion {
                id: format!("kb-{i}"),
                question: format!("问题{i}？"),
            }]
        } else {
            vec![]
        },
        state: format!("{{\"turn\":{i}}}"),
        handoff,
        unanswered: unsure.then(|| UnansweredQuestion {
            query: format!("问{i}"),
            reason: "low_confidence".into(),
            top_article: Some(format!("kb-{i}")),
            top_score: Some(0.5),
        }),
        // Answers name an article: a published one counts for its version, another not.
        answered: match i % 4 {
            0 => Some("kb-batch".into()),
            2 => Some("kb-unpublished".into()),
            _ => None,
        },
        at: at(2000),
    }
}

async fn concurrent_bot_first_intakes_write_each_turn_with_its_ticket(store: &Arc<dyn Store>) {
    // Bot-first intakes share batches with plain ones (SQLite writes a batch's bot turns
    // together; hand-overs take the single path): each ticket gets exactly its own turn.
    store
        .save_articles(SaveArticles {
            drafts: vec![ArticleDraft {
                slug: "kb-batch".into(),
                category: Some("account".into()),
                content: ArticleContent::new("登录不了怎么办？", "先检查网络。", vec![], vec![]),
            }],
            publish: true,
            author: None,
            at: at(1000),
        })
        .await
        .unwrap();
    let mut tasks = vec![];
    for i in 0..120u32 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut new = new_ticket(&format!("bot-{i}"), None);
            new.body = format!("机器人第{i}问");
            new.at = at(2000);
            if i % 5 != 4 {
                new.status = TicketStatus::New;
                new.bot = Some(first_turn(i));
            }
            if i % 2 == 0 {
                new.jobs = vec![
                    NewJob::new("bot.confirm", serde_json::json!({"n": i}), at(3000))
                        .deduped_by("confirm:{ticket}"),
                ];
            }
            (i, store.open_ticket(new).await.unwrap())
        }));
    }
    let mut opened = std::collections::HashMap::new();
    for t in tasks {
        let (i, o) = t.await.unwrap();
        opened.insert(o.ticket.id, i);
        let ticket = store.ticket(o.ticket.id).await.unwrap();
        let messages = store.messages(o.ticket.id, true).await.unwrap();
        let events = store.events(o.ticket.id).await.unwrap();
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (1..=i64::try_from(seqs.len()).unwrap()).collect::<Vec<_>>(),
            "{i}"
        );
        assert_eq!(messages[0].body, format!("机器人第{i}问"));
        if i % 5 == 4 {
            assert_eq!(messages.len(), 1, "{i}: no bot turn");
            assert_eq!(store.bot_state(o.ticket.id).await.unwrap(), None);
            continue;
        }
        let turn = first_turn(i);
        let bot = &messages[1];
        assert_eq!(bot.kind, MessageKind::Bot, "{i}");
        assert_eq!(bot.body, turn.bot_reply);
        assert_eq!(bot.suggestions, turn.suggestions);
        assert!(bot.id > messages[0].id);
        assert_eq!(
            events[2].kind,
            EventKind::MessageAdded {
                message_id: bot.id.0,
                message_kind: "bot".into()
            },
            "{i}"
        );
        assert_eq!(events[2].actor, Actor::Bot);
        assert_eq!(
            store.bot_state(o.ticket.id).await.unwrap(),
            Some(turn.state.clone())
        );
        if i % 4 == 3 {
            assert_eq!(ticket.status, TicketStatus::Queued, "{i}: handed over");
            assert!(messages.iter().any(|m| m.kind == MessageKind::InternalNote));
        } else {
            assert_eq!(ticket.status, TicketStatus::New, "{i}");
            assert_eq!(o.ticket.status, TicketStatus::New);
            assert_eq!(messages.len(), 2, "{i}");
            assert_eq!(events.len(), 3, "{i}");
        }
    }
    let unanswered = store.unanswered(1000).await.unwrap();
    let mut asked: Vec<String> = unanswered
        .iter()
        .filter(|u| opened.contains_key(&u.ticket_id))
        .map(|u| {
            let i = opened[&u.ticket_id];
            assert_eq!(u.question.query, format!("问{i}"));
            assert_eq!(u.question.top_article, Some(format!("kb-{i}")));
            assert_eq!(u.question.top_score, Some(0.5));
            u.question.query.clone()
        })
        .collect();
    asked.sort();
    let mut expected: Vec<String> = (0..120u32)
        .filter(|i| i % 4 == 1 && i % 5 != 4)
        .map(|i| format!("问{i}"))
        .collect();
    expected.sort();
    assert_eq!(asked, expected);
    let jobs = store
        .claim_jobs(
            "t",
            Some(&["bot.confirm"]),
            at(4000),
            std::time::Duration::from_secs(60),
            1000,
        )
        .await
        .unwrap();
    let mut confirmed: Vec<(u32, i64)> = jobs
        .iter()
        .map(|j| {
            let ticket = TicketId(j.payload["ticket"].as_i64().unwrap());
            assert_eq!(j.dedupe_key, Some(format!("confirm:{}", ticket.0)));
            assert_eq!(j.run_at, at(3000));
            (opened[&ticket], j.payload["n"].as_i64().unwrap())
        })
        .collect();
    confirmed.sort();
    let expected: Vec<(u32, i64)> = (0..120u32)
        .filter(|i| i % 2 == 0)
        .map(|i| (i, i64::from(i)))
        .collect();
    assert_eq!(confirmed, expected, "one job per ticket, with its id");
    let by_version: Vec<(String, u32, i64)> = store
        .answers_by_version()
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.slug, v.version, v.answers))
        .collect();
    let answered = (0..120u32).filter(|i| i % 4 == 0 && i % 5 != 4).count();
    assert_eq!(
        by_version,
        [("kb-batch".to_owned(), 1, i64::try_from(answered).unwrap())],
        "answers of the published article only"
    );
}

async fn concurrent_intake_gives_distinct_numbers(store: &Arc<dyn Store>) {
    // Concurrent intakes share batches (SQLite writes a batch's tickets together): every one
    // must come back complete, readable and with its own rows.
    let mut tasks = vec![];
    for i in 0..200 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut new = new_ticket(&format!("c-{}", i % 150), None);
            new.body = format!("第{i}个问题");
            // Customers c-0…c-49 come twice, once with an email and once with a phone, often
            // in one batch: both must stay on the profile.
            if i < 50 {
                new.customer.email = Some(format!("c{i}@example.com"));
            } else if i >= 150 {
                new.customer.phone = Some(format!("+86 138 0000 {:04}", i - 150));
            }
            new.sla = Some(SlaSchedule {
                state: format!("{{\"clock\":{i}}}"),
                timers: vec![
                    (
                        "first_response".into(),
                        Some(NewTimer {
                            kind: SlaTimerKind::Warning,
                            due_at: at(1000 + i),
                        }),
                    ),
                    ("next_response".into(), None),
                ],
            });
            (i, store.open_ticket(new).await)
        }));
    }
    let mut numbers = std::collections::HashSet::new();
    let mut customer_ids = std::collections::HashMap::new();
    for t in tasks {
        let (i, opened) = t.await.unwrap();
        let opened = opened.unwrap();
        assert!(!opened.replayed);
        numbers.insert(opened.ticket.number);
        let found = stored(store, &opened).await;
        let customer = store.customer(found.customer_id).await.unwrap();
        assert_eq!(customer.identity.external_id, format!("c-{}", i % 150));
        customer_ids.insert(i % 150, customer.id);
        let messages = store.messages(found.id, false).await.unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].body, format!("第{i}个问题"));
        assert_eq!(Some(&messages[0]), opened.first_message.as_ref());
        let kinds: Vec<_> = store
            .events(found.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(matches!(kinds[0], EventKind::Opened { .. }), "{kinds:?}");
        assert!(
            matches!(kinds[1], EventKind::MessageAdded { .. }),
            "{kinds:?}"
        );
        assert_eq!(kinds.len(), 2);
        let timers = store.pending_timers(found.id).await.unwrap();
        assert_eq!(timers.len(), 1);
        assert_eq!(timers[0].target, "first_response");
        assert_eq!(timers[0].due_at, at(1000 + i));
    }
    assert_eq!(numbers.len(), 200);
    for i in 0..50 {
        let customer = store.customer(customer_ids[&i]).await.unwrap();
        assert_eq!(customer.email, Some(format!("c{i}@example.com")));
        assert_eq!(customer.phone, Some(format!("+86 138 0000 {i:04}")));
    }
}

async fn concurrent_retries_with_one_idempotency_key_give_one_ticket(store: &Arc<dyn Store>) {
    // Retries racing each other (and plain intakes around them) land in one batch: the key
    // must still give one ticket, replayed to every retry with the same body.
    let mut tasks = vec![];
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let idem = if i % 4 == 0 {
                Some(("race", "same"))
            } else {
                None
            };
            (
                i,
                store.open_ticket(new_ticket(&format!("r-{i}"), idem)).await,
            )
        }));
    }
    let mut keyed = vec![];
    for t in tasks {
        let (i, opened) = t.await.unwrap();
        let opened = opened.unwrap();
        if i % 4 == 0 {
            keyed.push(opened);
        } else {
            assert!(!opened.replayed);
        }
    }
    assert_eq!(keyed.iter().filter(|o| !o.replayed).count(), 1);
    assert!(keyed.iter().all(|o| o.ticket.id == keyed[0].ticket.id));
    let other = store
        .open_ticket(new_ticket("r-0", Some(("race", "other"))))
        .await;
    assert!(matches!(
        other,
        Err(StoreError::Conflict(Conflict::IdempotencyKeyReused))
    ));
}

async fn concurrent_keyed_intakes_replay_their_own_tickets(store: &Arc<dyn Store>) {
    // Each intake with its own key, many at once (batched together), then every request
    // again at once: each retry gets back exactly the ticket its first request opened.
    async fn round(store: &Arc<dyn Store>) -> Vec<OpenedTicket> {
        let tasks: Vec<_> = (0..60)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let key = format!("k-{i}");
                    let new = new_ticket(&format!("k-{}", i % 7), Some((&key, "body-1")));
                    store.open_ticket(new).await.unwrap()
                })
            })
            .collect();
        let mut out = vec![];
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }
    let first = round(store).await;
    assert!(first.iter().all(|o| !o.replayed));
    let ids: std::collections::HashSet<_> = first.iter().map(|o| o.ticket.id).collect();
    assert_eq!(ids.len(), 60);
    let again = round(store).await;
    for (a, b) in first.iter().zip(&again) {
        assert!(b.replayed);
        assert_eq!(a.ticket.id, b.ticket.id);
        assert_eq!(a.ticket.number, b.ticket.number);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn intake_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("intake contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}
