//! The S3 attachment store against a real S3 server started here: `s3s-fs` (an S3 API over
//! a directory, `cargo install s3s-fs@0.14.1 --features binary`), found on PATH, in
//! `~/.cargo/bin` or at `KEFU_TEST_S3S_FS`. Without it the test says so and passes, except
//! under `CI=true`, where it fails. Run with `cargo test -p kefu-service --features s3 --test s3`.

#![cfg(feature = "s3")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use kefu_service::attachments::s3::{S3Settings, S3Store};
use kefu_service::attachments::{BlobStore, StorageError};
use std::path::PathBuf;
use std::time::Duration;

fn s3s_fs() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KEFU_TEST_S3S_FS") {
        return Some(PathBuf::from(p));
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo/bin"));
    }
    dirs.into_iter()
        .map(|d| d.join("s3s-fs"))
        .find(|p| p.is_file())
}

fn settings(port: u16, secret: &str) -> S3Settings {
    S3Settings {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: "kefu-test".into(),
        region: "us-east-1".into(),
        access_key_id: "KEFUTESTKEY".into(),
        secret_access_key: secret.into(),
        prefix: "attachments".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_round_trip_through_a_real_s3_server() {
    let Some(bin) = s3s_fs() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "s3s-fs is not installed (cargo install s3s-fs@0.14.1 --features binary)"
        );
        eprintln!("s3s-fs not installed; the S3 attachment store was not tested");
        return;
    };
    let root = std::env::temp_dir().join(format!("kefu-s3-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(root.join("kefu-test")).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let _server = tokio::process::Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--access-key",
            "KEFUTESTKEY",
            "--secret-key",
            "kefu-test-secret",
        ])
        .arg(&root)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // An outside process: wait until it accepts connections.
    let mut up = false;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "s3s-fs did not start on port {port}");

    let store = S3Store::new(&settings(port, "kefu-test-secret")).unwrap();
    let bytes = b"\x89PNG\r\n\x1a\n not really".to_vec();
    store.put("ab/abc.png", bytes.clone()).await.unwrap();
    assert_eq!(store.get("ab/abc.png").await.unwrap(), bytes);
    // The server really keeps it, under the prefix.
    let on_disk = std::fs::read(root.join("kefu-test/attachments/ab/abc.png")).unwrap();
    assert_eq!(on_disk, bytes);
    assert!(matches!(
        store.get("ab/none.png").await,
        Err(StorageError::NotFound)
    ));
    let wrong = S3Store::new(&settings(port, "wrong-secret")).unwrap();
    assert!(matches!(
        wrong.put("ab/x.png", vec![1]).await,
        Err(StorageError::Failed(_))
    ));
    std::fs::remove_dir_all(root).unwrap();
}
