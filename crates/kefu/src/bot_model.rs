//! The FAQ bot's semantic model as kefu ships it: the file built by
//! `scripts/semantic/build_model.py` is embedded in the binary, so the best bot needs no
//! file, flag or variable. One setting chooses another: `none` turns the model off (the bot
//! is lexical) and a path loads that file instead (`[bot] model`, `KEFU_BOT_MODEL`, and
//! `--model` for `kefu bot`). The embedded copy lives in this crate, not in `kefu-bot`, so
//! the pure bot crate and its tests stay small and quick to build.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use kefu_bot::SemanticModel;
use sha2::{Digest, Sha256};

/// The shipped model file (`crates/kefu/data/kefu-bot-model.bin`).
const SHIPPED: &[u8] = include_bytes!("../data/kefu-bot-model.bin");

/// Its recorded checksum, one `sha256sum` line.
const SHIPPED_SHA256: &str = include_str!("../data/kefu-bot-model.bin.sha256");

/// The setting that turns the semantic model off.
pub const OFF: &str = "none";

/// The model a setting names: the shipped one when there is no setting, none for
/// [`OFF`], else the file at that path (read and validated; the error names the path).
///
/// A shipped model that fails its checksum or does not parse leaves the bot lexical with a
/// warning rather than stopping the server: the bot still works, only less well, and CI's
/// checksum test keeps that from reaching a release.
pub fn load(setting: Option<&Path>) -> Result<Option<Arc<SemanticModel>>> {
    match setting {
        None => Ok(built_in(SHIPPED, SHIPPED_SHA256).map(Arc::new)),
        Some(path) if path.as_os_str() == OFF => Ok(None),
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read the bot model {}", path.display()))?;
            let model = SemanticModel::from_bytes(&bytes)
                .with_context(|| format!("{} is not a usable bot model", path.display()))?;
            Ok(Some(Arc::new(model)))
        }
    }
}

/// The embedded model, or none (with a warning) when it is unusable.
fn built_in(bytes: &[u8], recorded: &str) -> Option<SemanticModel> {
    verified(bytes, recorded)
        .inspect_err(|e| {
            tracing::warn!("the built-in bot model is unusable, the bot is lexical: {e:#}");
        })
        .ok()
}

/// Parses `bytes` once their sha256 is the one `recorded` (a `sha256sum` line) names.
fn verified(bytes: &[u8], recorded: &str) -> Result<SemanticModel> {
    let expected = recorded.split_whitespace().next().unwrap_or_default();
    let actual: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if !expected.eq_ignore_ascii_case(&actual) {
        bail!("checksum {actual} is not the recorded {expected:?}");
    }
    SemanticModel::from_bytes(bytes).context("the file does not parse")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid model file of `dim` 2 with the given tokens (layout in kefu_bot::semantic).
    fn tiny_model(tokens: &[(&str, [i8; 2])]) -> Vec<u8> {
        let mut out = b"KEFUSEM1".to_vec();
        out.extend(2u32.to_le_bytes());
        out.extend(u32::try_from(tokens.len()).unwrap().to_le_bytes());
        for (t, _) in tokens {
            out.extend(u16::try_from(t.len()).unwrap().to_le_bytes());
            out.extend(t.as_bytes());
        }
        for _ in tokens {
            out.extend(0.01f32.to_le_bytes());
        }
        for (_, v) in tokens {
            out.extend(v.iter().map(|x| x.to_le_bytes()[0]));
        }
        out
    }

    fn checksum_line(bytes: &[u8]) -> String {
        let digest: String = Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{digest}  kefu-bot-model.bin\n")
    }

    /// The CI check: the committed model file is the one its checksum file records, it
    /// parses, and it is a real model (not a placeholder).
    #[test]
    fn the_shipped_model_matches_its_recorded_checksum_and_loads() {
        assert!(
            SHIPPED_SHA256.trim_end().ends_with("  kefu-bot-model.bin"),
            "{SHIPPED_SHA256}"
        );
        let model = verified(SHIPPED, SHIPPED_SHA256)
            .expect("rebuild or re-record crates/kefu/data/kefu-bot-model.bin.sha256");
        assert_eq!(model.dim(), 256);
        assert!(model.vocab_len() > 10_000, "{}", model.vocab_len());
        let a = model.encode("忘记密码怎么办");
        let b = model.encode("密码忘了");
        let c = model.encode("直播带货的规则");
        assert!(
            kefu_bot::semantic::dot(&a, &b) > kefu_bot::semantic::dot(&a, &c),
            "the shipped model should find two password questions closer than a live-commerce one"
        );
    }

    #[test]
    fn without_a_setting_the_shipped_model_is_on() {
        assert!(load(None).unwrap().is_some());
    }

    #[test]
    fn none_turns_the_model_off() {
        assert!(load(Some(Path::new(OFF))).unwrap().is_none());
    }

    #[test]
    fn a_path_loads_that_file_instead() {
        let dir = std::env::temp_dir().join(format!("kefu-bot-model-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let other = dir.join("other.bin");
        std::fs::write(
            &other,
            tiny_model(&[("w:密码", [100, 0]), ("w:直播", [0, 100])]),
        )
        .unwrap();
        let model = load(Some(&other)).unwrap().unwrap();
        assert_eq!((model.dim(), model.vocab_len()), (2, 2));
        let broken = dir.join("broken.bin");
        std::fs::write(&broken, b"KEFUSEM1 cut short").unwrap();
        let err = format!("{:#}", load(Some(&broken)).unwrap_err());
        assert!(
            err.contains("broken.bin is not a usable bot model"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_model_is_used_only_when_its_checksum_matches() {
        let bytes = tiny_model(&[("w:密码", [100, 0])]);
        let line = checksum_line(&bytes);
        assert_eq!(verified(&bytes, &line).unwrap().vocab_len(), 1);
        assert_eq!(
            verified(&bytes, &line.to_uppercase()).unwrap().vocab_len(),
            1
        );
        let mut altered = bytes.clone();
        *altered.last_mut().unwrap() = 1;
        let err = format!("{:#}", verified(&altered, &line).unwrap_err());
        assert!(err.contains("is not the recorded"), "{err}");
        assert!(verified(&bytes, "").is_err());
        // A placeholder with a right checksum is still refused: it must parse.
        let placeholder = b"not a model yet".to_vec();
        let err = format!(
            "{:#}",
            verified(&placeholder, &checksum_line(&placeholder)).unwrap_err()
        );
        assert!(err.contains("does not parse"), "{err}");
    }

    #[test]
    fn an_unusable_built_in_model_leaves_the_bot_lexical() {
        let bytes = tiny_model(&[("w:密码", [100, 0])]);
        assert!(built_in(&bytes, &checksum_line(&bytes)).is_some());
        assert!(built_in(&bytes, &checksum_line(b"other")).is_none());
        let placeholder = b"not a model yet";
        assert!(built_in(placeholder, &checksum_line(placeholder)).is_none());
    }
}
