//! The real binary: the SQLite data directory and files are owner-only, and SIGTERM stops
//! the server cleanly.

#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;
use tokio::process::Command;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn data_files_are_owner_only_and_sigterm_stops_cleanly() {
    let root = std::env::temp_dir().join(format!("kefu-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let data = root.join("data");
    let (mut child, mut lines) = common::serve(&data, &[("KEFU_SHUTDOWN_GRACE_SECONDS", "5")]);
    let base = loop {
        let line = lines.next_line().await.unwrap().expect("kefu exited early");
        if let Some(rest) = line.split("listen=").nth(1)
            && line.contains("kefu is serving")
        {
            break format!("http://{}", rest.split_whitespace().next().unwrap());
        }
    };
    let r = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(r.status(), 200);

    assert_eq!(mode(&data), 0o700, "data directory");
    assert_eq!(mode(&root), 0o700, "a directory kefu created for it");
    for name in ["kefu.db", "kefu.db-wal", "kefu.db-shm"] {
        assert_eq!(mode(&data.join(name)), 0o600, "{name}");
    }

    let pid = child.id().unwrap().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let mut stopped = false;
    let status = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(line)) = lines.next_line().await {
            stopped |= line.contains("kefu stopped");
        }
        child.wait().await.unwrap()
    })
    .await
    .expect("kefu must exit after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(stopped, "kefu must log that it stopped");
    std::fs::remove_dir_all(root).unwrap();
}
