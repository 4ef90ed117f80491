//! A voice message's length, read from its container (no audio is decoded): MP3, M4A, OGG
//! and WAV through symphonia's format readers, AMR by walking its frames here (symphonia
//! has no AMR reader; every AMR frame is 20 ms and its size follows from its header byte).

use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;
use symphonia::core::units::TimeBase;

/// The length could not be read: the file is not a playable recording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a readable {format} recording ({reason})")]
pub struct DurationError {
    pub format: &'static str,
    pub reason: String,
}

fn bad(format: &'static str, reason: impl Into<String>) -> DurationError {
    DurationError {
        format,
        reason: reason.into(),
    }
}

/// Most packets read when the header does not say the length (a 30-minute MP3 has about
/// 70,000 frames).
const MAX_PACKETS: usize = 200_000;

/// The recording's length in milliseconds, for a content type [`super::sniff`] accepted.
pub fn duration_ms(content_type: &str, bytes: Vec<u8>) -> Result<u64, DurationError> {
    match content_type {
        "audio/amr" | "audio/amr-wb" => amr(&bytes),
        "audio/mpeg" => probe("MP3", "mp3", bytes),
        "audio/mp4" => probe("M4A", "m4a", bytes),
        "audio/ogg" => probe("OGG", "ogg", bytes),
        "audio/wav" => probe("WAV", "wav", bytes),
        _ => Err(bad("voice", "not a voice format")),
    }
}

fn ms(frames: u64, tb: TimeBase) -> Option<u64> {
    let ms = u128::from(frames) * u128::from(tb.numer) * 1000 / u128::from(tb.denom.max(1));
    u64::try_from(ms).ok()
}

fn probe(format: &'static str, extension: &str, bytes: Vec<u8>) -> Result<u64, DurationError> {
    let mut hint = Hint::new();
    hint.with_extension(extension);
    let source = MediaSourceStream::new(
        Box::new(std::io::Cursor::new(bytes)),
        MediaSourceStreamOptions::default(),
    );
    let mut reader = symphonia::default::get_probe()
        .format(
            &hint,
            source,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| bad(format, e.to_string()))?
        .format;
    let track = reader
        .default_track()
        .ok_or_else(|| bad(format, "no audio track"))?;
    let (id, params) = (track.id, track.codec_params.clone());
    let tb = params
        .time_base
        .or_else(|| params.sample_rate.map(|r| TimeBase::new(1, r)))
        .ok_or_else(|| bad(format, "no time base"))?;
    if let Some(frames) = params.n_frames.filter(|&n| n > 0) {
        return ms(frames, tb).ok_or_else(|| bad(format, "length out of range"));
    }
    // No length in the header (an MP3 without a Xing/VBRI frame): read the packets' times.
    let mut end = 0u64;
    for _ in 0..MAX_PACKETS {
        match reader.next_packet() {
            Ok(p) if p.track_id() == id => end = end.max(p.ts().saturating_add(p.dur())),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    match ms(end, tb) {
        Some(ms) if ms > 0 => Ok(ms),
        _ => Err(bad(format, "no audio frames")),
    }
}

/// Payload bytes after the one-byte frame header, by frame type (15 = no data; the others
/// are reserved).
const AMR_NB: [Option<usize>; 16] = [
    Some(12),
    Some(13),
    Some(15),
    Some(17),
    Some(19),
    Some(20),
    Some(26),
    Some(31),
    Some(5),
    None,
    None,
    None,
    None,
    None,
    None,
    Some(0),
];
const AMR_WB: [Option<usize>; 16] = [
    Some(17),
    Some(23),
    Some(32),
    Some(36),
    Some(40),
    Some(46),
    Some(50),
    Some(58),
    Some(60),
    Some(5),
    None,
    None,
    None,
    None,
    Some(0),
    Some(0),
];

/// AMR (RFC 4867 storage format): a magic line, then frames of 20 ms each.
fn amr(b: &[u8]) -> Result<u64, DurationError> {
    let (sizes, mut i) = if b.starts_with(b"#!AMR-WB\n") {
        (&AMR_WB, 9)
    } else if b.starts_with(b"#!AMR\n") {
        (&AMR_NB, 6)
    } else {
        return Err(bad(
            "AMR",
            "no AMR header (multi-channel AMR is not accepted)",
        ));
    };
    let mut frames = 0u64;
    while i < b.len() {
        let kind = usize::from((b[i] >> 3) & 0x0F);
        let size = sizes[kind].ok_or_else(|| bad("AMR", format!("reserved frame type {kind}")))?;
        i += 1 + size;
        if i > b.len() {
            return Err(bad("AMR", "the last frame is cut off"));
        }
        frames += 1;
    }
    if frames == 0 {
        return Err(bad("AMR", "no audio frames"));
    }
    Ok(frames * 20)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WAV file of `ms` milliseconds of silence, 8 kHz mono 16-bit.
    pub fn wav(ms: u32) -> Vec<u8> {
        let data = ms * 16;
        let mut b = b"RIFF".to_vec();
        b.extend((36 + data).to_le_bytes());
        b.extend(b"WAVEfmt ");
        b.extend(16u32.to_le_bytes());
        b.extend(1u16.to_le_bytes());
        b.extend(1u16.to_le_bytes());
        b.extend(8000u32.to_le_bytes());
        b.extend(16000u32.to_le_bytes());
        b.extend(2u16.to_le_bytes());
        b.extend(16u16.to_le_bytes());
        b.extend(b"data");
        b.extend(data.to_le_bytes());
        b.resize(b.len() + usize::try_from(data).unwrap(), 0);
        b
    }

    #[test]
    fn wav_length_comes_from_its_header() {
        assert_eq!(duration_ms("audio/wav", wav(1500)), Ok(1500));
    }

    #[test]
    fn amr_length_is_twenty_milliseconds_a_frame() {
        let mut b = b"#!AMR\n".to_vec();
        for _ in 0..50 {
            b.push(7 << 3 | 0x04);
            b.extend([0u8; 31]);
        }
        assert_eq!(duration_ms("audio/amr", b.clone()), Ok(1000));
        b.pop();
        assert!(duration_ms("audio/amr", b).is_err());
        assert!(duration_ms("audio/amr", b"#!AMR\n".to_vec()).is_err());
        assert!(duration_ms("audio/amr", b"#!AMR\n\x50".to_vec()).is_err());
    }

    /// `frames` MPEG-1 Layer III frames, 128 kbit/s at 44.1 kHz (417 bytes, 1152 samples
    /// each), without a Xing header: the length must come from the frames.
    fn mp3(frames: usize) -> Vec<u8> {
        let mut b = Vec::new();
        for _ in 0..frames {
            b.extend([0xFF, 0xFB, 0x90, 0x00]);
            b.resize(b.len() + 413, 0);
        }
        b
    }

    #[test]
    fn mp3_length_without_a_header_comes_from_its_frames() {
        // 100 × 1152 / 44100 s = 2612.2 ms.
        let ms = duration_ms("audio/mpeg", mp3(100)).unwrap();
        assert!((2590..=2640).contains(&ms), "{ms}");
    }

    /// One Ogg page holding one packet (RFC 3533), its CRC computed.
    fn ogg_page(flags: u8, granule: u64, seq: u32, packet: &[u8]) -> Vec<u8> {
        let mut p = b"OggS\0".to_vec();
        p.push(flags);
        p.extend(granule.to_le_bytes());
        p.extend(0x4b_45_46_55u32.to_le_bytes());
        p.extend(seq.to_le_bytes());
        p.extend([0; 4]);
        p.push(1);
        p.push(u8::try_from(packet.len()).unwrap());
        p.extend(packet);
        let mut crc = 0u32;
        for &b in &p {
            crc ^= u32::from(b) << 24;
            for _ in 0..8 {
                crc = if crc & 0x8000_0000 != 0 {
                    (crc << 1) ^ 0x04c1_1db7
                } else {
                    crc << 1
                };
            }
        }
        p[22..26].copy_from_slice(&crc.to_le_bytes());
        p
    }

    /// Ogg Opus: the two header packets, then `packets` 20 ms packets (960 samples at 48 kHz).
    fn ogg_opus(packets: u32) -> Vec<u8> {
        let head = [
            &b"OpusHead\x01\x01"[..],
            &[0, 0],
            &48_000u32.to_le_bytes(),
            &[0, 0, 0],
        ]
        .concat();
        let tags = [
            &b"OpusTags"[..],
            &4u32.to_le_bytes(),
            b"kefu",
            &0u32.to_le_bytes(),
        ]
        .concat();
        let mut b = ogg_page(0x02, 0, 0, &head);
        b.extend(ogg_page(0, 0, 1, &tags));
        for i in 1..=packets {
            let last = if i == packets { 0x04 } else { 0 };
            b.extend(ogg_page(
                last,
                u64::from(i) * 960,
                i + 1,
                &[0xF8, 0xFF, 0xFE],
            ));
        }
        b
    }

    #[test]
    fn ogg_opus_length_comes_from_its_last_granule() {
        assert_eq!(duration_ms("audio/ogg", ogg_opus(50)), Ok(1000));
    }

    /// 1.5 s of a tone in AAC in an M4A container, made by Debian's ffmpeg (no encoder here
    /// at test time): `ffmpeg -f lavfi -i "sine=frequency=440:duration=1.5:sample_rate=8000"
    /// -ac 1 -c:a aac -b:a 16k -map_metadata -1 -fflags +bitexact voice-1500ms.m4a`.
    const M4A: &[u8] = include_bytes!("testdata/voice-1500ms.m4a");

    #[test]
    fn an_m4a_recording_is_sniffed_as_voice_and_keeps_its_length() {
        let format = super::super::sniff::sniff(M4A).expect("an M4A is recognised");
        assert_eq!(format.content_type, "audio/mp4");
        let ms = duration_ms("audio/mp4", M4A.to_vec()).unwrap();
        // The container counts the encoder's priming samples too (1,024 at 8 kHz: 128 ms).
        assert!((1500..=1650).contains(&ms), "{ms}");
        assert!(duration_ms("audio/mp4", M4A[..200].to_vec()).is_err());
    }

    #[test]
    fn garbage_behind_a_magic_number_is_refused() {
        assert!(duration_ms("audio/wav", b"RIFF\0\0\0\0WAVEjunk".to_vec()).is_err());
        assert!(duration_ms("audio/ogg", b"OggS\0garbage".to_vec()).is_err());
        assert!(duration_ms("audio/mpeg", b"\xff\xfb\x90\x00".to_vec()).is_err());
    }
}
