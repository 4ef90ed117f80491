//! What an uploaded file is, judged from its first bytes only: the client's file name and
//! content type are never trusted. The allow-list is this table; anything else is refused.

use kefu_domain::AttachmentKind;

/// An accepted format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub kind: AttachmentKind,
    /// The content type kefu stores and serves.
    pub content_type: &'static str,
    /// The extension given to downloads.
    pub extension: &'static str,
}

const fn format(
    kind: AttachmentKind,
    content_type: &'static str,
    extension: &'static str,
) -> Format {
    Format {
        kind,
        content_type,
        extension,
    }
}

type Matcher = fn(&[u8]) -> bool;

/// The allow-list, checked in order. MP3 comes last: its frame-sync test is the weakest.
const ALLOWED: &[(Matcher, Format)] = &[
    (
        infer::image::is_jpeg,
        format(AttachmentKind::Image, "image/jpeg", "jpg"),
    ),
    (
        infer::image::is_png,
        format(AttachmentKind::Image, "image/png", "png"),
    ),
    (
        infer::image::is_webp,
        format(AttachmentKind::Image, "image/webp", "webp"),
    ),
    (
        infer::image::is_gif,
        format(AttachmentKind::Image, "image/gif", "gif"),
    ),
    (
        infer::audio::is_amr,
        format(AttachmentKind::Voice, "audio/amr", "amr"),
    ),
    (
        is_amr_wb,
        format(AttachmentKind::Voice, "audio/amr-wb", "awb"),
    ),
    (
        infer::audio::is_m4a,
        format(AttachmentKind::Voice, "audio/mp4", "m4a"),
    ),
    (
        infer::audio::is_ogg,
        format(AttachmentKind::Voice, "audio/ogg", "ogg"),
    ),
    (
        infer::audio::is_wav,
        format(AttachmentKind::Voice, "audio/wav", "wav"),
    ),
    (
        infer::audio::is_mp3,
        format(AttachmentKind::Voice, "audio/mpeg", "mp3"),
    ),
];

/// Wideband AMR, which `infer` does not know.
fn is_amr_wb(bytes: &[u8]) -> bool {
    bytes.starts_with(b"#!AMR-WB\n")
}

/// The accepted format the bytes start with, if any.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    ALLOWED
        .iter()
        .find(|(matches, _)| matches(bytes))
        .map(|(_, f)| *f)
}

/// The accepted content types, for error messages and documentation.
pub fn accepted() -> impl Iterator<Item = &'static str> {
    ALLOWED.iter().map(|(_, f)| f.content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_bytes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png).map(|f| f.content_type), Some("image/png"));
        let amr = b"#!AMR\n\x3c\0\0\0\0\0\0\0";
        assert_eq!(sniff(amr).map(|f| f.kind), Some(AttachmentKind::Voice));
        let wb = b"#!AMR-WB\n\x04\0\0";
        assert_eq!(sniff(wb).map(|f| f.content_type), Some("audio/amr-wb"));
        assert_eq!(sniff(b"GIF89a\x01\0").map(|f| f.extension), Some("gif"));
    }

    #[test]
    fn other_files_are_not_accepted() {
        for bytes in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'/>"[..],
            b"<html><script>alert(1)</script>",
            b"%PDF-1.7",
            b"PK\x03\x04zip",
            b"MZ\x90\0",
            b"",
        ] {
            assert_eq!(sniff(bytes), None, "{bytes:?}");
        }
    }
}
