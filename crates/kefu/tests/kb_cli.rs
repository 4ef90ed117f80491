//! `kefu kb import|export` through the real binary: idempotent re-import, bad rows reported
//! by line with nothing imported, and export of what was imported.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use std::process::{Command, Output};

fn kefu(args: &[&str], db: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(args)
        .arg("--database")
        .arg(db)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn import_is_idempotent_and_all_or_nothing() {
    let dir = std::env::temp_dir().join(format!("kefu-kb-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("data");
    let good = dir.join("faq.csv");
    std::fs::write(
        &good,
        "id,question,answer,category,similar,keywords\n\
         kb-x-1,直播间怎么设置管理员,在直播间点「更多」→「管理员」添加,live_streaming,直播管理员怎么加|怎么设置房管,房管\n\
         kb-x-2,\"作品被限流了怎么办\",\"先查看「创作者中心」的违规提示，\n按提示修改后重新发布\",content_review,限流了|没流量,限流\n",
    )
    .unwrap();
    let first = kefu(&["kb", "import", good.to_str().unwrap()], &db);
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("2 rows: 2 created, 0 new versions, 0 unchanged, 2 published"),
        "{}",
        text(&first.stdout)
    );
    // The bot asked through the database answers from what was imported there.
    let asked = kefu(&["bot", "ask", "怎么设置房管"], &db);
    assert!(asked.status.success(), "{}", text(&asked.stderr));
    assert!(
        text(&asked.stdout).contains("kb-x-1"),
        "{}",
        text(&asked.stdout)
    );
    let missing = kefu(&["bot", "ask", "你好"], &dir.join("no-such-data"));
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("--database"),
        "{}",
        text(&missing.stderr)
    );
    assert!(
        !dir.join("no-such-data").exists(),
        "asking must not create a database"
    );
    let again = kefu(&["kb", "import", good.to_str().unwrap()], &db);
    assert!(
        text(&again.stdout).contains("2 rows: 0 created, 0 new versions, 2 unchanged, 0 published"),
        "{}",
        text(&again.stdout)
    );

    let bad = dir.join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"id\":\"kb-y-1\",\"question\":\"好问题\",\"answer\":\"好答案\"}\n\
         {\"id\":\"kb-y-2\",\"question\":\"\",\"answer\":\"x\"}\n\
         not json\n\
         {\"id\":\"kb-y-3\",\"question\":\"q\",\"answer\":\"a\",\"category\":\"weather\"}\n",
    )
    .unwrap();
    let refused = kefu(&["kb", "import", bad.to_str().unwrap()], &db);
    assert!(!refused.status.success());
    let err = text(&refused.stderr);
    for line in [":2: question", ":3: not a valid entry", ":4: category"] {
        assert!(err.contains(line), "{line} missing from {err}");
    }
    let export = kefu(&["kb", "export", "--format", "jsonl"], &db);
    let out = text(&export.stdout);
    assert!(out.contains("kb-x-2") && out.contains("按提示修改后重新发布"));
    assert!(
        !out.contains("kb-y-1"),
        "nothing of a refused file may be imported"
    );
    // The built-in knowledge base is there too (seeded on first use).
    assert!(out.lines().count() >= 152, "{}", out.lines().count());
    let _ = std::fs::remove_dir_all(&dir);
}
