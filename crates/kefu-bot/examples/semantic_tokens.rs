//! Prints the semantic-model tokens of each input line (one text per line on stdin; one line
//! of tab-separated tokens per text on stdout), so the model builder in
//! `scripts/semantic/build_model.py` tokenizes exactly as the bot does:
//! `cargo run -p kefu-bot --release --example semantic_tokens < texts.txt > tokens.tsv`.

use std::io::{BufRead, Write};

use kefu_bot::analyze::analyze;
use kefu_bot::semantic::tokens;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        writeln!(out, "{}", tokens(&analyze(&line)).join("\t"))?;
    }
    Ok(())
}
