//! Ranking throughput and index build time over a generated 2,000-entry knowledge base
//! (one core, one query at a time): `cargo bench -p kefu-bot --bench rank`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kefu_bot::{Bot, ConversationState, FaqEntry};

const SUBJECTS: &[&str] = &[
    "账号",
    "密码",
    "直播",
    "带货",
    "橱窗",
    "DOU+",
    "广告",
    "创作者激励",
    "提现",
    "实名认证",
    "手机号",
    "验证码",
    "粉丝",
    "作品",
    "评论",
    "私信",
    "视频",
    "音乐",
    "封面",
    "话题",
];
const TEMPLATES: &[&str] = &[
    "{}怎么设置",
    "{}为什么用不了",
    "{}被限流了怎么办",
    "如何修改{}",
    "{}收费标准是什么",
    "{}审核要多久",
    "{}申请条件",
    "{}出现异常怎么处理",
    "{}在哪里查看",
    "怎么关闭{}",
];
const CONTEXTS: &[&str] = &[
    "",
    "安卓",
    "苹果手机",
    "电脑版",
    "新用户",
    "企业号",
    "海外",
    "未成年",
    "直播间",
    "小程序",
];

/// 2,000 distinct entries: subject × template × context, each with one similar phrasing.
fn knowledge_base() -> Vec<FaqEntry> {
    let mut entries = Vec::with_capacity(2_000);
    for (s, subject) in SUBJECTS.iter().enumerate() {
        for (t, template) in TEMPLATES.iter().enumerate() {
            for (c, context) in CONTEXTS.iter().enumerate() {
                let question = format!("{context}{}", template.replace("{}", subject));
                entries.push(FaqEntry {
                    id: format!("faq-{s}-{t}-{c}"),
                    similar: vec![format!("请问{question}呢")],
                    question,
                    answer: "标准答案".to_owned(),
                    category: None,
                    keywords: Vec::new(),
                });
            }
        }
    }
    entries
}

const QUERIES: &[&str] = &[
    "你好，那个我的安卓手机上直播被限流了怎么办啊",
    "dou+投放了怎么退钱",
    "创作者激励的收益啥时候能提现",
    "实名认证审核要多长时间",
    "企业号怎么修改手机号",
    "嗯嗯那个那个评论区怎么关闭",
    "今天天气怎么样",
    "转人工",
];

fn bench(c: &mut Criterion) {
    let entries = knowledge_base();
    let mut group = c.benchmark_group("kb2000");
    group.bench_function("build_index", |b| {
        b.iter(|| Bot::new(black_box(entries.clone())))
    });
    let bot = Bot::new(entries).unwrap_or_else(|e| panic!("generated KB is valid: {e}"));
    group.throughput(Throughput::Elements(1));
    group.bench_function("rank_top10", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % QUERIES.len();
            bot.rank(black_box(QUERIES[i]), 10)
        });
    });
    group.bench_function("respond", |b| {
        let state = ConversationState::default();
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % QUERIES.len();
            bot.respond(black_box(QUERIES[i]), &state)
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
