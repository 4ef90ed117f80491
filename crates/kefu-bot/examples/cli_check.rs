//! Temporary harness that compiles and tests `crates/kefu/src/cli/bot.rs` until the `kefu`
//! binary wires it: `cargo test -p kefu-bot --example cli_check`.

#[path = "../../kefu/src/cli/bot.rs"]
#[allow(
    dead_code,
    reason = "exercised by its own tests only until kefu wires it"
)]
mod bot;

fn main() {}
