//! Synthetic calibration of the decision thresholds (see `decide.rs`), from a knowledge base
//! alone — no real queries and no gold labels:
//! `cargo run -p kefu-bot --release --example calibrate -- FAQ.jsonl [MODEL.bin]` (with a
//! semantic model file, the mixed score is calibrated: the `SEMANTIC` thresholds of `bot.rs`).
//!
//! Each entry's question (and similar phrasings) is perturbed several times: characters
//! dropped (spans of one to three), characters swapped for homophones, fillers and context
//! words added, halves swapped, a fragment of two to four characters of the most similar other entry mixed in
//! (the confusion real paraphrases run into); three to six of these per probe, so that a probe
//! keeps only part of its question, as real paraphrases do. In-scope probes query the full
//! knowledge base; out-of-scope probes are the same perturbations queried with their entry left out
//! (five folds), one per five in-scope probes. The program prints Recall@1/3 and, for each
//! threshold, the precision and coverage of answering and the share of out-of-scope probes
//! answered and left below it.

use kefu_bot::rank::confidence;
use kefu_bot::{Bot, FaqEntry, SemanticModel};
use pinyin::ToPinyin;

/// Common characters, a pool for homophone substitutions.
const COMMON: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞钱账密码登录户充值退款";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n.max(1)
    }
}

fn homophone(c: char, rng: &mut Rng) -> char {
    let Some(p) = c.to_pinyin() else { return c };
    let same: Vec<char> = COMMON
        .chars()
        .filter(|o| *o != c && o.to_pinyin().is_some_and(|q| q.plain() == p.plain()))
        .collect();
    if same.is_empty() {
        c
    } else {
        same[rng.below(same.len())]
    }
}

fn perturb(text: &str, other: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let rounds = 3 + rng.below(4);
    for _ in 0..rounds {
        let n = chars.len();
        if n < 3 {
            break;
        }
        match rng.below(7) {
            0 => {
                let len = (1 + rng.below(3)).min(n - 2);
                let at = rng.below(n - len + 1);
                chars.drain(at..at + len);
            }
            1 | 2 => {
                let i = rng.below(n);
                chars[i] = homophone(chars[i], rng);
            }
            3 => {
                let pre = [
                    "那个",
                    "你好，请问",
                    "我想问一下",
                    "就是",
                    "我的",
                    "帮我看看",
                    "嗯，",
                ];
                let p: Vec<char> = pre[rng.below(pre.len())].chars().collect();
                chars.splice(0..0, p);
            }
            4 => {
                let post = ["怎么办", "怎么回事啊", "可以吗", "谢谢", "呢", "了啊"];
                chars.extend(post[rng.below(post.len())].chars());
            }
            5 => {
                let cut = 1 + rng.below(n - 1);
                chars.rotate_left(cut);
            }
            _ => {
                let o: Vec<char> = other.chars().collect();
                if o.len() >= 2 {
                    let len = (2 + rng.below(3)).min(o.len());
                    let start = rng.below(o.len() - len + 1);
                    let at = rng.below(n);
                    chars.splice(at..at, o[start..start + len].iter().copied());
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// One probe's outcome: raw top score, raw second score, whether top-1 is right.
struct Point {
    top: f64,
    second: f64,
    right: bool,
}

fn point(bot: &Bot, query: &str, gold: Option<&str>) -> Point {
    let ranked = bot.similarities(query, 2);
    Point {
        top: ranked.first().map_or(0.0, |r| r.score),
        second: ranked.get(1).map_or(0.0, |r| r.score),
        right: gold.is_some() && ranked.first().map(|r| r.id.as_str()) == gold,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: calibrate FAQ.jsonl [MODEL.bin]")?;
    let model = match std::env::args().nth(2) {
        Some(file) => Some(std::sync::Arc::new(SemanticModel::from_bytes(
            &std::fs::read(file)?,
        )?)),
        None => None,
    };
    let entries: Vec<FaqEntry> = std::fs::read_to_string(&path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let bot = Bot::with_model(entries.clone(), model.clone())?;
    let mut rng = Rng(20_240_601);
    let mut probes: Vec<(usize, String)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        // Fragments come from the entry most similar to this one, the realistic confusion.
        let neighbour = bot
            .similarities(&e.question, 2)
            .into_iter()
            .find(|r| r.id != e.id)
            .and_then(|r| bot.entry(&r.id).map(|n| n.question.clone()))
            .unwrap_or_default();
        for phrasing in e.phrasings() {
            for _ in 0..8 {
                probes.push((i, perturb(phrasing, &neighbour, &mut rng)));
            }
        }
    }
    let mut points: Vec<Point> = probes
        .iter()
        .map(|(gold, q)| point(&bot, q, Some(&entries[*gold].id)))
        .collect();
    let n = points.len();
    let folds = 5;
    for fold in 0..folds {
        let kept: Vec<FaqEntry> = entries
            .iter()
            .enumerate()
            .filter(|(i, _)| i % folds != fold)
            .map(|(_, e)| e.clone())
            .collect();
        let held_out = Bot::with_model(kept, model.clone())?;
        for (k, (gold, q)) in probes.iter().enumerate() {
            if gold % folds == fold && k % 5 == 0 {
                points.push(point(&held_out, q, None));
            }
        }
    }
    let oos = points.len() - n;
    let r1 = points[..n].iter().filter(|p| p.right).count();
    println!(
        "{n} in-scope probes, {oos} out-of-scope probes, Recall@1 {:.1}",
        pct(r1, n)
    );
    println!("margin_scale  threshold  precision  coverage  oos-answered");
    let mut best: Option<(usize, f64, f64)> = None;
    for scale in [0.0, 0.05, 0.1, 0.15, 0.2, 0.3] {
        let conf: Vec<f64> = points
            .iter()
            .map(|p| confidence(p.top, p.second, scale))
            .collect();
        for t in 20..=95 {
            let t = f64::from(t) / 100.0;
            let answered = conf.iter().filter(|c| **c >= t).count();
            let right = (0..n).filter(|i| conf[*i] >= t && points[*i].right).count();
            let oos_answered = conf[n..].iter().filter(|c| **c >= t).count();
            let ok = pct(right, answered) >= 90.0 && pct(oos_answered, oos) <= 5.0;
            if ok && best.is_none_or(|(r, _, _)| right > r) {
                best = Some((right, scale, t));
            }
            if ok || t * 100.0 % 10.0 < 1e-9 {
                println!(
                    "{scale:12.2}  {t:9.2}  {:9.1}  {:8.1}  {:12.1}{}",
                    pct(right, answered),
                    pct(right, n),
                    pct(oos_answered, oos),
                    if ok { "  ok" } else { "" }
                );
            }
            if ok {
                break;
            }
        }
    }
    if let Some((_, scale, t)) = best {
        println!("best: margin_scale {scale:.2}, answer threshold {t:.2}");
        let mut tops: Vec<f64> = points[n..]
            .iter()
            .map(|p| confidence(p.top, p.second, scale))
            .collect();
        tops.sort_by(f64::total_cmp);
        println!(
            "median out-of-scope confidence: {:.2}",
            tops[tops.len() / 2]
        );
        let mut raw: Vec<f64> = points[n..].iter().map(|p| p.top).collect();
        raw.sort_by(f64::total_cmp);
        println!(
            "median out-of-scope similarity (suggest threshold): {:.2}",
            raw[raw.len() / 2]
        );
    }
    Ok(())
}

fn pct(a: usize, b: usize) -> f64 {
    100.0 * a as f64 / b.max(1) as f64
}
