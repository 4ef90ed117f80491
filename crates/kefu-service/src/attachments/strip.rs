//! Image metadata removed before anything is stored, so no EXIF (GPS position, camera
//! serial, time) or XMP/IPTC leaks to whoever downloads the file. Pixels are never decoded:
//! only metadata blocks are dropped, and anything after the image's end marker (where
//! polyglots and appended archives hide) is cut off.
//!
//! PNG and WebP go through `img-parts`. JPEG and GIF are walked here: `img-parts` keeps
//! everything after a JPEG's first scan as opaque data — appended files and the secondary
//! images of an MPF (multi-picture) JPEG, which carry their own EXIF — and has no GIF.

use img_parts::Bytes;
use img_parts::ImageEXIF as _;
use img_parts::png::Png;
use img_parts::webp::{CHUNK_XMP, WebP};

/// Why an image could not be cleaned: its structure is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid {format} image ({reason})")]
pub struct StripError {
    pub format: &'static str,
    pub reason: &'static str,
}

fn broken(format: &'static str, reason: &'static str) -> StripError {
    StripError { format, reason }
}

/// The image without its metadata, for a content type [`super::sniff`] accepted.
pub fn strip(content_type: &str, bytes: Vec<u8>) -> Result<Vec<u8>, StripError> {
    match content_type {
        "image/jpeg" => jpeg(&bytes),
        "image/png" => png(bytes),
        "image/webp" => webp(bytes),
        "image/gif" => gif(&bytes),
        _ => Ok(bytes),
    }
}

/// PNG chunks that carry text or metadata (`eXIf`, `tEXt`, `zTXt`, `iTXt`, `tIME`).
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];

fn png(bytes: Vec<u8>) -> Result<Vec<u8>, StripError> {
    // Png::from_bytes stops at IEND: trailing data is dropped.
    let mut png =
        Png::from_bytes(Bytes::from(bytes)).map_err(|_| broken("PNG", "bad chunk structure"))?;
    png.chunks_mut()
        .retain(|c| !PNG_METADATA.contains(&c.kind()));
    if png.chunks().last().map(|c| c.kind()) != Some(*b"IEND") {
        return Err(broken("PNG", "no IEND chunk"));
    }
    Ok(png.encoder().bytes().to_vec())
}

fn webp(bytes: Vec<u8>) -> Result<Vec<u8>, StripError> {
    let mut webp =
        WebP::from_bytes(Bytes::from(bytes)).map_err(|_| broken("WebP", "bad RIFF structure"))?;
    webp.remove_chunks_by_id(CHUNK_XMP);
    // Also clears the VP8X header's EXIF/XMP flags.
    webp.set_exif(None);
    Ok(webp.encoder().bytes().to_vec())
}

/// Keeps JFIF (APP0), an ICC profile (APP2 `ICC_PROFILE`) and Adobe's colour transform
/// (APP14), which decoders need; drops every other APPn segment (EXIF and XMP are APP1,
/// IPTC APP13) and comments; stops at the end-of-image marker.
fn jpeg(b: &[u8]) -> Result<Vec<u8>, StripError> {
    const F: &str = "JPEG";
    if !b.starts_with(&[0xFF, 0xD8]) {
        return Err(broken(F, "no start-of-image marker"));
    }
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    while i < b.len() {
        if b[i] != 0xFF {
            // Entropy-coded scan data.
            out.push(b[i]);
            i += 1;
            continue;
        }
        let Some(&marker) = b.get(i + 1) else {
            return Err(broken(F, "cut off after a marker byte"));
        };
        match marker {
            // Stuffed 0xFF in scan data, restart markers, fill bytes: no length follows.
            0x00 | 0xD0..=0xD7 | 0x01 => {
                out.extend_from_slice(&b[i..i + 2]);
                i += 2;
            }
            0xFF => {
                i += 1;
            }
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Ok(out);
            }
            0xD8 => return Err(broken(F, "a second start-of-image marker")),
            _ => {
                let len = b
                    .get(i + 2..i + 4)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                    .filter(|&l| l >= 2 && i + 2 + l <= b.len())
                    .ok_or_else(|| broken(F, "a segment runs past the end"))?;
                let segment = &b[i..i + 2 + len];
                let payload = &segment[4..];
                let keep = match marker {
                    0xE0 | 0xEE => true,
                    0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
                    0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
                    _ => true,
                };
                if keep {
                    out.extend_from_slice(segment);
                }
                i += 2 + len;
            }
        }
    }
    Err(broken(F, "no end-of-image marker"))
}

/// Keeps the image data, graphic control and looping extensions; drops comments and other
/// application extensions (XMP lives there); stops at the trailer.
fn gif(b: &[u8]) -> Result<Vec<u8>, StripError> {
    const F: &str = "GIF";
    let cut = || broken(F, "cut off");
    if b.len() < 13 || !(b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")) {
        return Err(broken(F, "no GIF header"));
    }
    let table = |packed: u8| {
        if packed & 0x80 != 0 {
            3 * (1usize << ((packed & 0x07) + 1))
        } else {
            0
        }
    };
    let mut i = 13 + table(b[10]);
    let mut out = b.get(..i).ok_or_else(cut)?.to_vec();
    // Sub-blocks from `at` to their zero terminator; the index after it.
    let blocks_end = |mut at: usize| -> Result<usize, StripError> {
        loop {
            let n = usize::from(*b.get(at).ok_or_else(cut)?);
            at += 1 + n;
            if n == 0 {
                return if at <= b.len() { Ok(at) } else { Err(cut()) };
            }
        }
    };
    loop {
        match *b.get(i).ok_or_else(cut)? {
            0x3B => {
                out.push(0x3B);
                return Ok(out);
            }
            0x2C => {
                let packed = *b.get(i + 9).ok_or_else(cut)?;
                // Descriptor, local colour table, LZW code size, then the data blocks.
                let end = blocks_end(i + 10 + table(packed) + 1)?;
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            0x21 => {
                let label = *b.get(i + 1).ok_or_else(cut)?;
                let end = blocks_end(i + 2)?;
                let app = b.get(i + 3..i + 14).unwrap_or_default();
                let keep = match label {
                    0xF9 | 0x01 => true,
                    0xFF => app == b"NETSCAPE2.0" || app == b"ANIMEXTS1.0",
                    _ => false,
                };
                if keep {
                    out.extend_from_slice(&b[i..end]);
                }
                i = end;
            }
            _ => return Err(broken(F, "an unknown block")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use img_parts::png::PngChunk;

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let len = u16::try_from(payload.len() + 2).unwrap().to_be_bytes();
        [&[0xFF, marker][..], &len, payload].concat()
    }

    #[test]
    fn jpeg_loses_exif_xmp_and_comments_and_whatever_follows_its_end() {
        let jpeg = [
            &[0xFF, 0xD8][..],
            &segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"),
            &segment(0xE1, b"Exif\0\0II*\0GPS-SECRET"),
            &segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"),
            &segment(0xFE, b"COMMENT-SECRET"),
            &segment(0xE2, b"ICC_PROFILE\0\x01\x01keep"),
            &segment(0xDA, b"\x01\x01\0\0\x3F\0"),
            &[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56],
            &[0xFF, 0xD9],
            b"PK\x03\x04APPENDED-SECRET",
        ]
        .concat();
        let out = strip("image/jpeg", jpeg).unwrap();
        for secret in [
            &b"GPS-SECRET"[..],
            b"xmpmeta",
            b"COMMENT-SECRET",
            b"APPENDED",
        ] {
            assert!(
                !contains(&out, secret),
                "{}",
                String::from_utf8_lossy(secret)
            );
        }
        assert!(contains(&out, b"JFIF") && contains(&out, b"ICC_PROFILE"));
        assert!(out.ends_with(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9]));
    }

    #[test]
    fn broken_jpegs_are_refused_not_passed_through() {
        let runs_past = [&[0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00][..], b"short"].concat();
        assert!(strip("image/jpeg", runs_past).is_err());
        assert!(strip("image/jpeg", vec![0xFF, 0xD8, 0x01, 0x02]).is_err());
    }

    fn png_bytes(extra: &[([u8; 4], &[u8])]) -> Vec<u8> {
        let chunk = |kind: [u8; 4], data: &[u8]| {
            PngChunk::new(kind, Bytes::copy_from_slice(data))
                .encoder()
                .bytes()
                .to_vec()
        };
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(chunk(*b"IHDR", b"\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0"));
        for (kind, data) in extra {
            out.extend(chunk(*kind, data));
        }
        out.extend(chunk(
            *b"IDAT",
            b"\x78\x01\x01\x04\0\xfb\xff\0\xff\0\0\x03\x01\x01\0",
        ));
        out.extend(chunk(*b"IEND", b""));
        out
    }

    #[test]
    fn png_loses_text_and_exif_chunks_and_trailing_data() {
        let mut png = png_bytes(&[
            (*b"tEXt", b"Comment\0TEXT-SECRET"),
            (*b"eXIf", b"II*\0GPS-SECRET"),
        ]);
        png.extend_from_slice(b"<script>APPENDED</script>");
        let out = strip("image/png", png).unwrap();
        assert_eq!(out, png_bytes(&[]));
    }

    #[test]
    fn webp_loses_exif_and_xmp_chunks_and_their_header_flags() {
        use img_parts::riff::{RiffChunk, RiffContent};
        let data = |id: &[u8; 4], b: &[u8]| {
            RiffChunk::new(*id, RiffContent::Data(Bytes::copy_from_slice(b)))
        };
        let riff = RiffChunk::new(
            *b"RIFF",
            RiffContent::List {
                kind: Some(*b"WEBP"),
                subchunks: vec![
                    // Extended header: EXIF (0x08) and XMP (0x04) present, a 1×1 canvas.
                    data(b"VP8X", &[0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                    data(b"VP8L", b"\x2f\0\0\0\0\0\0\0"),
                    data(b"EXIF", b"II*\0GPS-SECRET"),
                    data(b"XMP ", b"<x:xmpmeta>XMP-SECRET</x:xmpmeta>"),
                ],
            },
        );
        let webp = riff.encoder().bytes().to_vec();
        assert!(contains(&webp, b"GPS-SECRET"));
        let out = strip("image/webp", webp).unwrap();
        assert!(!contains(&out, b"GPS-SECRET") && !contains(&out, b"XMP-SECRET"));
        let back = WebP::from_bytes(Bytes::from(out)).unwrap();
        assert!(back.exif().is_none());
        let flags = back
            .chunk_by_id(*b"VP8X")
            .and_then(|c| c.content().data().map(|d| d[0]));
        assert!(flags.is_none_or(|f| f & 0x0C == 0), "{flags:?}");
    }

    #[test]
    fn gif_loses_comments_and_xmp_and_trailing_data() {
        let mut gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff".to_vec();
        gif.extend(b"\x21\xfe\x0eCOMMENT-SECRET\0");
        gif.extend(b"\x21\xff\x0bXMP DataXMP\x05XMPXX\0");
        gif.extend(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\0\0\0");
        gif.extend(b"\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3b");
        gif.extend(b"/*APPENDED*/");
        let out = strip("image/gif", gif).unwrap();
        assert!(!contains(&out, b"COMMENT-SECRET") && !contains(&out, b"XMP"));
        assert!(!contains(&out, b"APPENDED") && contains(&out, b"NETSCAPE2.0"));
        assert!(out.ends_with(b"\x44\x01\0\x3b"));
        assert!(strip("image/gif", b"GIF89a\x01\0\x01\0\0\0\0\x2c\0".to_vec()).is_err());
    }
}
