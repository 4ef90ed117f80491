//! The FAQ bot over a generated 2,000-entry knowledge base (4,000 phrasings), one core, one
//! query at a time: `cargo bench -p kefu-bot --bench rank` (with `KEFU_BOT_MODEL=FILE`, the
//! bot with its semantic model).
//!
//! Criterion measures index build time and the mean time per ranked query and per turn
//! (queries/s = 1 / mean). Before it, a latency pass ranks 4,000 queries one by one (the
//! criterion harness reports means, not tails) and prints p50/p99 and queries/s, and the
//! memory pass prints how much the process's resident set grew while the index was built
//! (`/proc/self/statm`, Linux; the knowledge base, jieba's dictionary and the model file
//! were already resident).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kefu_bot::{Bot, ConversationState, FaqEntry, SemanticModel};

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
                    ..FaqEntry::default()
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

/// Queries for the latency pass: every query above with each context prefix, and the
/// questions of the knowledge base with spoken noise around them.
fn latency_queries(entries: &[FaqEntry]) -> Vec<String> {
    let mut out = Vec::new();
    for context in CONTEXTS {
        out.extend(QUERIES.iter().map(|q| format!("{context}{q}")));
    }
    for (i, e) in entries.iter().enumerate() {
        out.push(match i % 4 {
            0 => format!("你好，那个{}啊", e.question),
            1 => format!("{}，就是我昨天弄了半天都不行，怎么回事", e.question),
            2 => e.question.chars().rev().collect(),
            _ => e.question.chars().skip(2).collect(),
        });
    }
    out.extend(
        out.clone()
            .into_iter()
            .take(4_000usize.saturating_sub(out.len())),
    );
    out.truncate(4_000);
    out
}

/// The resident set size of this process in bytes (Linux), for the memory pass.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn model() -> Option<Arc<SemanticModel>> {
    let path = std::env::var_os("KEFU_BOT_MODEL")?;
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("KEFU_BOT_MODEL {}: {e}", path.to_string_lossy()));
    Some(Arc::new(
        SemanticModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("bad model: {e}")),
    ))
}

fn report(bot: &Bot, entries: &[FaqEntry], grew: Option<u64>) {
    let queries = latency_queries(entries);
    let state = ConversationState::default();
    for q in queries.iter().take(200) {
        black_box(bot.respond(q, &state));
    }
    let mut times: Vec<f64> = queries
        .iter()
        .map(|q| {
            let t = Instant::now();
            black_box(bot.rank(black_box(q), 10));
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let total: f64 = times.iter().sum();
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    eprintln!(
        "kb2000 ({}): {} queries ranked (top 10) one by one, {:.0} queries/s, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        if bot.has_model() {
            "with the semantic model"
        } else {
            "lexical"
        },
        times.len(),
        times.len() as f64 / (total / 1e3),
        at(50),
        at(99),
        times.last().copied().unwrap_or(0.0),
    );
    if let Some(bytes) = grew {
        eprintln!(
            "kb2000: the process grew by {:.1} MB while the index was built",
            bytes as f64 / 1e6
        );
    }
}

fn bench(c: &mut Criterion) {
    let entries = knowledge_base();
    let model = model();
    // Jieba's dictionary is loaded once per process, whatever the knowledge base: load it
    // first so that the memory pass counts the index alone.
    kefu_bot::segment::warm_up();
    let before = resident_bytes();
    let started = Instant::now();
    let bot = Bot::with_model(entries.clone(), model.clone())
        .unwrap_or_else(|e| panic!("generated KB is valid: {e}"));
    let built = started.elapsed();
    let grew = resident_bytes()
        .zip(before)
        .map(|(a, b)| a.saturating_sub(b));
    eprintln!("kb2000: index built once in {built:?}");
    report(&bot, &entries, grew);
    let mut group = c.benchmark_group("kb2000");
    group.bench_function("build_index", |b| {
        b.iter(|| Bot::with_model(black_box(entries.clone()), model.clone()))
    });
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
