//! Conversation turns: English, follow-ups, action pairs, small talk.

use super::*;
use crate::bot::tests::{entry, fixture};
use crate::kb::FaqEntry;
use crate::smalltalk::SmallTalk;

pub(crate) fn respond(text: &str) -> BotTurn {
    fixture().respond(text, &ConversationState::default())
}

/// Sends each message in turn, starting a fresh conversation.
pub(crate) fn converse(messages: &[&str]) -> Vec<BotTurn> {
    converse_with(&fixture(), ConversationState::default(), messages)
}

/// Sends each message in turn to `bot`, starting from `state`.
pub(crate) fn converse_with(
    bot: &Bot,
    mut state: ConversationState,
    messages: &[&str],
) -> Vec<BotTurn> {
    messages
        .iter()
        .map(|m| {
            let turn = bot.respond(m, &state);
            state = turn.state.clone();
            turn
        })
        .collect()
}

fn english_entry(id: &str, zh: &str, en: &str, similar_en: &[&str]) -> FaqEntry {
    FaqEntry {
        question_en: Some(en.to_owned()),
        answer_en: Some(format!("answer of {id}")),
        similar_en: similar_en.iter().map(|s| (*s).to_owned()).collect(),
        ..entry(id, zh, &[], Some("account"))
    }
}

/// A small bilingual knowledge base.
fn bilingual() -> Bot {
    Bot::new(vec![
        english_entry(
            "password",
            "怎么修改登录密码",
            "How do I change my password?",
            &["change my password", "update login password"],
        ),
        english_entry(
            "live",
            "怎么开通直播权限",
            "How do I get live streaming permission?",
            &["apply to go live"],
        ),
        english_entry(
            "refund",
            "DOU+投放后怎么退款",
            "How do I get a refund for a DOU+ campaign?",
            &["refund my ad money"],
        ),
    ])
    .unwrap()
}

#[test]
fn an_english_question_is_answered_in_english() {
    let turns = converse_with(
        &bilingual(),
        ConversationState::default(),
        &["How can I change my password?"],
    );
    assert!(
        matches!(turns[0].decision, Decision::Answer { ref id, .. } if id == "password"),
        "{:?}",
        turns[0]
    );
    assert_eq!(turns[0].reply, "answer of password");
    assert_eq!(turns[0].language, Lang::En);
    assert_eq!(turns[0].state.language, Some(Lang::En));
}

#[test]
fn every_bot_text_of_an_english_conversation_is_english() {
    let bot = bilingual();
    let english = ConversationState::default().with_language(Lang::En);
    for message in [
        "hello",
        "thanks",
        "I need a human",
        "quantum teleport tickets",
        "password",
    ] {
        let turn = bot.respond(message, &english);
        assert!(
            !turn.reply.chars().any(crate::normalize::is_han),
            "{message}: {}",
            turn.reply
        );
    }
    let turns = converse_with(&bot, english, &["quantum teleport tickets", "wang_2024"]);
    assert_eq!(turns[1].decision.kind(), "handoff");
    assert!(turns[1].reply.is_ascii(), "{}", turns[1].reply);
    let summary = turns[1].summary.as_ref().unwrap();
    assert_eq!(summary.account.as_deref(), Some("wang_2024"));
    assert!(!summary.to_text_in(Lang::En).contains("账号"));
}

#[test]
fn an_english_menu_shows_english_questions() {
    let bot = bilingual();
    let turn = bot.respond(
        "refund or live permission",
        &ConversationState::default().with_language(Lang::En),
    );
    if let Decision::Suggest { .. } = turn.decision {
        assert!(turn.reply.starts_with("Did you mean"), "{}", turn.reply);
        assert!(turn.suggestions.iter().all(|s| s.question.is_ascii()));
    }
    let chinese = bot.respond("直播 退款", &ConversationState::default());
    if let Decision::Suggest { .. } = chinese.decision {
        assert!(chinese.reply.starts_with("您是不是想问"));
        assert!(!chinese.suggestions[0].question.is_ascii());
    }
}

#[test]
fn a_follow_up_is_ranked_with_the_previous_question() {
    let bot = Bot::new(vec![
        entry("change", "怎么修改登录密码", &[], Some("account")),
        entry("forgot", "忘记旧密码怎么重置密码", &[], Some("account")),
        entry("live", "怎么开通直播权限", &[], Some("live_streaming")),
        entry(
            "card",
            "怎么更换提现银行卡",
            &[],
            Some("creator_incentives"),
        ),
    ])
    .unwrap();
    let turns = converse_with(
        &bot,
        ConversationState::default(),
        &["怎么修改登录密码", "那如果忘了旧的呢"],
    );
    assert!(matches!(turns[0].decision, Decision::Answer { ref id, .. } if id == "change"));
    let alone = bot.respond("那如果忘了旧的呢", &ConversationState::default());
    assert_ne!(alone.decision.kind(), "answer", "{:?}", alone.decision);
    let top = match &turns[1].decision {
        Decision::Answer { id, .. } => id.clone(),
        Decision::Suggest { candidates } => candidates[0].id.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(top, "forgot", "{:?}", turns[1].decision);
}

#[test]
fn an_opposite_action_is_never_answered_outright() {
    for (query, opposite) in [
        ("创作者激励计划怎么加入", "怎么退出创作者激励计划"),
        ("怎么开通直播权限", "怎么关闭直播权限"),
        ("怎么绑定银行卡", "怎么解绑银行卡"),
        ("怎么申请直播带货", "怎么取消直播带货"),
        ("怎么开启私信", "怎么关闭私信"),
        ("怎么注册账号", "怎么注销账号"),
        ("怎么关注主播", "怎么取关主播"),
        ("怎么取消关注主播", "怎么关注主播"),
        (
            "how do I join the creator program",
            "how do I leave the creator program",
        ),
        ("how do I enable comments", "how do I disable comments"),
        ("how do I bind a bank card", "how do I unbind a bank card"),
        ("how do I apply for live", "how do I cancel live"),
        ("how do I subscribe", "how do I unsubscribe"),
    ] {
        let bot = Bot::new(vec![
            entry("opposite", opposite, &[], None),
            entry("other", "视频审核要多久", &[], None),
        ])
        .unwrap();
        let turn = bot.respond(query, &ConversationState::default());
        assert!(
            !matches!(turn.decision, Decision::Answer { .. }),
            "{query}: {:?}",
            turn.decision
        );
        let both = Bot::new(vec![
            entry("opposite", opposite, &[], None),
            entry("same", query, &[], None),
        ])
        .unwrap();
        let ranked = both.rank(query, 2);
        assert_eq!(ranked[0].id, "same", "{query}: {ranked:?}");
    }
}

#[test]
fn a_cue_the_answered_entry_names_is_its_topic_not_anger() {
    let bot = Bot::new(vec![
        FaqEntry {
            keywords: vec!["广告投诉".to_owned()],
            ..entry("landing", "广告落地页被投诉了怎么办", &[], None)
        },
        entry("live", "怎么开通直播权限", &[], None),
        entry("payout", "创作者激励收益什么时候到账", &[], None),
    ])
    .unwrap();
    let fresh = ConversationState::default();
    let turn = bot.respond("广告落地页被投诉了", &fresh);
    assert!(
        matches!(turn.decision, Decision::Answer { ref id, .. } if id == "landing"),
        "{:?}",
        turn.decision
    );
    // A cue the entry does not name, anger at the service, or a request for a person
    // still hand over.
    for message in [
        "广告落地页被投诉了，太差了",
        "广告落地页被投诉了，我要投诉你们",
        "广告落地页被投诉了，转人工",
    ] {
        let turn = bot.respond(message, &fresh);
        assert_eq!(
            turn.decision.kind(),
            "handoff",
            "{message}: {:?}",
            turn.decision
        );
    }
}

#[test]
fn a_paraphrase_is_answered_with_the_standard_answer() {
    let turn = respond("你好，请问那个登陆密码忘了怎么办啊");
    assert!(
        matches!(turn.decision, Decision::Answer { ref id, .. } if id == "password"),
        "{turn:?}"
    );
    assert_eq!(turn.reply, "password的答案");
    assert_eq!(turn.state.turns.len(), 1);
}

#[test]
fn an_ambiguous_question_gets_suggestions() {
    let turn = respond("手机号");
    let Decision::Suggest { candidates } = &turn.decision else {
        panic!("expected a suggestion, got {:?}", turn.decision);
    };
    assert!(candidates.len() >= 2 && candidates.len() <= 3);
    assert!(turn.reply.contains("您是不是想问"));
}

#[test]
fn small_talk_gets_a_canned_reply_not_a_handoff() {
    let turn = respond("你好");
    assert_eq!(
        turn.decision,
        Decision::SmallTalk {
            kind: SmallTalk::Greeting
        }
    );
    assert!(!turn.reply.is_empty());
    assert_eq!(
        respond("你是机器人吗").decision,
        Decision::SmallTalk {
            kind: SmallTalk::AreYouABot
        }
    );
    assert_eq!(
        respond("谢谢").decision,
        Decision::SmallTalk {
            kind: SmallTalk::Thanks
        }
    );
}

#[test]
fn an_empty_knowledge_base_hands_everything_over() {
    let bot = Bot::new(Vec::new()).unwrap();
    let turn = bot.respond("忘记密码", &ConversationState::default());
    assert!(matches!(
        turn.decision,
        Decision::Collect {
            reason: HandoffReason::NoMatch,
            ..
        }
    ));
    let _ = entry;
}
