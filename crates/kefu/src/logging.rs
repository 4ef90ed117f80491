//! The process's log output: plain text (coloured on a terminal) or one JSON object per
//! line, filtered by `[log] filter`, with phone numbers and e-mail addresses masked in every
//! line (`kefu_domain::mask`), whoever logged it.

use crate::config::{LogConfig, LogFormat};
use std::io::Write;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber.
pub fn init(config: &LogConfig) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(&config.filter))
        .with_writer(MaskedStdout);
    match config.format {
        LogFormat::Text => {
            // Colours only on a terminal: logs piped to files or programs stay plain text.
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
            builder.with_ansi(ansi).init();
        }
        // Spans' fields (request id, route, ticket number) go on each line.
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .init(),
    }
}

/// Hands out one [`Masked`] buffer per log line.
struct MaskedStdout;

impl<'a> MakeWriter<'a> for MaskedStdout {
    type Writer = Masked<std::io::Stdout>;

    fn make_writer(&'a self) -> Self::Writer {
        Masked::new(std::io::stdout())
    }
}

/// Collects one formatted event and writes it, masked, to `out` when dropped (masking
/// needs the whole line: an address can straddle two of the formatter's writes).
struct Masked<W: Write> {
    buf: Vec<u8>,
    out: W,
}

impl<W: Write> Masked<W> {
    fn new(out: W) -> Self {
        Self {
            buf: Vec::with_capacity(256),
            out,
        }
    }
}

impl<W: Write> Write for Masked<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for Masked<W> {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buf);
        let masked = kefu_domain::mask::mask_personal(&text);
        // A log line that cannot be written has nowhere else to go.
        let _ = self.out.write_all(masked.as_bytes());
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_written_masked_even_when_split_across_writes() {
        let mut out = Vec::new();
        {
            let mut w = Masked::new(&mut out);
            w.write_all(b"customer wrote 138123").unwrap();
            w.write_all("45678 and wang@exam".as_bytes()).unwrap();
            w.write_all(b"ple.com\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "customer wrote 138****5678 and w***@example.com\n"
        );
    }
}
