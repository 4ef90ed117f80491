//! Starting the real binary for the tests in this directory.

use std::path::Path;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// Starts `kefu serve` on a free port with its database at `data`, `KEFU_LOG=info` and the
/// extra environment `env`; returns the process and its standard output's lines.
pub fn serve(data: &Path, env: &[(&str, &str)]) -> (Child, Lines<BufReader<ChildStdout>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kefu"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(data)
        .env("KEFU_LOG", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("kefu starts");
    let lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    (child, lines)
}
