//! Attachments through the real server: the type comes from the bytes, limits hold, image
//! metadata is gone, downloads need a live signed link, and a voice message alone is a
//! message with its length.

use crate::{TestApp, expect_problem, spawn_app};
use img_parts::{Bytes, ImageEXIF as _, jpeg::Jpeg};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A `multipart/form-data` body by hand: (field, file name, bytes).
pub fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "kefu-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: audio/mpeg\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    auth: &[(&str, &str)],
    parts: &[(&str, Option<&str>, &[u8])],
) -> reqwest::Response {
    let (content_type, body) = form(parts);
    let mut r = app
        .post("/api/v1/attachments")
        .header("content-type", content_type);
    for (k, v) in auth {
        r = r.header(*k, *v);
    }
    r.body(body).send().await.unwrap()
}

async fn uploaded(app: &TestApp, auth: &[(&str, &str)], name: &str, bytes: &[u8]) -> Value {
    let r = upload(app, auth, &[("file", Some(name), bytes)]).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// A 1×1 PNG: signature, IHDR, one stored-deflate IDAT, IEND (CRCs by img-parts).
pub(crate) fn png() -> Vec<u8> {
    use img_parts::png::PngChunk;
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        PngChunk::new(*kind, Bytes::copy_from_slice(data))
            .encoder()
            .bytes()
            .to_vec()
    };
    [
        b"\x89PNG\r\n\x1a\n".to_vec(),
        chunk(b"IHDR", b"\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0"),
        chunk(
            b"IDAT",
            b"\x78\x01\x01\x04\0\xfb\xff\0\xff\0\0\x03\x01\x01\0",
        ),
        chunk(b"IEND", b""),
    ]
    .concat()
}

/// A real 16×16 JPEG with an EXIF block holding a GPS IFD (latitude 39°54′N, a marker
/// string to look for).
fn jpeg_with_gps() -> Vec<u8> {
    let mut pixels = Vec::new();
    for i in 0..=255u8 {
        pixels.extend([i, 255 - i, 128]);
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels, 16, 16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    // TIFF header, IFD0 with one entry (GPSInfo → offset 26), GPS IFD with GPSLatitudeRef
    // "N" and GPSAreaInformation pointing at the marker.
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend(b"\x01\0\x25\x88\x04\0\x01\0\0\0\x1a\0\0\0\0\0\0\0");
    tiff.extend(b"\x02\0\x01\0\x02\0\x02\0\0\0N\0\0\0\x1c\0\x07\0\x10\0\0\0\x38\0\0\0\0\0\0\0");
    tiff.extend(b"KEFU-GPS-39.9042");
    let mut jpeg = Jpeg::from_bytes(Bytes::from(out)).unwrap();
    jpeg.set_exif(Some(Bytes::from(tiff)));
    let bytes = jpeg.encoder().bytes().to_vec();
    assert!(contains(&bytes, b"KEFU-GPS"));
    bytes
}

/// A WAV file of `ms` milliseconds of silence, 8 kHz mono 16-bit.
fn wav(ms: u32) -> Vec<u8> {
    let data = ms * 16;
    let mut b = b"RIFF".to_vec();
    b.extend((36 + data).to_le_bytes());
    b.extend(b"WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data");
    b.extend(data.to_le_bytes());
    b.resize(b.len() + usize::try_from(data).unwrap(), 0);
    b
}

/// AMR-NB of `frames` 12.2 kbit/s frames (20 ms each).
fn amr(frames: usize) -> Vec<u8> {
    let mut b = b"#!AMR\n".to_vec();
    for _ in 0..frames {
        b.push(0x3c);
        b.extend([0u8; 31]);
    }
    b
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    app.get(url).send().await.unwrap()
}

#[tokio::test]
async fn a_png_named_mp3_is_a_png_and_is_refused_for_a_voice_slot() {
    let app = spawn_app().await;
    let key = bearer(app.channel_key());
    let auth = [(key.0, key.1.as_str())];
    let png = png();
    let a = uploaded(&app, &auth, "voice.mp3", &png).await;
    assert_eq!(a["content_type"], "image/png");
    assert_eq!(a["kind"], "image");
    assert_eq!(a["name"], "voice.png");
    assert!(a["duration_ms"].is_null());

    let r = upload(
        &app,
        &auth,
        &[("kind", None, b"voice"), ("file", Some("voice.mp3"), &png)],
    )
    .await;
    let p = expect_problem(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_file_type",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "file");

    // Text that only claims to be something else is refused by its bytes.
    for (name, bytes) in [
        ("x.png", &b"<html><script>alert(1)</script></html>"[..]),
        (
            "x.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
        ),
        ("x.jpg", b"PK\x03\x04 a zip archive"),
    ] {
        let r = upload(&app, &auth, &[("file", Some(name), bytes)]).await;
        let p = expect_problem(
            r,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_file_type",
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "file", "{name}");
    }
}

#[tokio::test]
async fn oversized_and_empty_uploads_are_refused_naming_the_file() {
    let app = spawn_app().await;
    let key = bearer(app.channel_key());
    let auth = [(key.0, key.1.as_str())];
    let limit = usize::try_from(app.state.settings.attachments.image_max_bytes).unwrap();
    let mut big = png();
    big.resize(limit + 1, 0);
    let r = upload(&app, &auth, &[("file", Some("big.png"), &big)]).await;
    let p = expect_problem(r, StatusCode::PAYLOAD_TOO_LARGE, "file_too_large").await;
    assert_eq!(p["errors"][0]["field"], "file");

    let r = upload(&app, &auth, &[("file", Some("e.png"), b"")]).await;
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let r = upload(&app, &auth, &[("kind", None, b"image")]).await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "file");
    let r = app
        .post("/api/v1/attachments")
        .header("authorization", &key.1)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
}

#[tokio::test]
async fn a_polyglot_keeps_only_its_image() {
    let app = spawn_app().await;
    let key = bearer(app.channel_key());
    let auth = [(key.0, key.1.as_str())];
    // A PNG with an HTML page and a zip archive after its end.
    let mut polyglot = png();
    polyglot.extend(b"<html><script>alert(document.cookie)</script></html>PK\x03\x04");
    let a = uploaded(&app, &auth, "cat.html", &polyglot).await;
    assert_eq!(a["content_type"], "image/png");
    let r = fetch(&app, a["url"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("cat.png"), "{disposition}");
    let cache = r.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(cache.starts_with("private"), "{cache}");
    let body = r.bytes().await.unwrap();
    assert_eq!(&body[..], &png()[..]);

    // A GIF header in front of a script is not a GIF.
    let r = upload(
        &app,
        &auth,
        &[(
            "file",
            Some("x.gif"),
            b"GIF89a/*\x01\0\x01\0\0\0\0*/=alert(1);",
        )],
    )
    .await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "file");
}

#[tokio::test]
async fn gps_exif_is_stripped_from_a_jpeg() {
    let app = spawn_app().await;
    let token = app.login("agent1@kefu.local").await;
    let auth = bearer(&token);
    let original = jpeg_with_gps();
    let a = uploaded(
        &app,
        &[(auth.0, auth.1.as_str())],
        "IMG_0001.JPG",
        &original,
    )
    .await;
    assert_eq!(a["content_type"], "image/jpeg");
    assert!(a["size_bytes"].as_u64().unwrap() < u64::try_from(original.len()).unwrap());
    let body = fetch(&app, a["url"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!contains(&body, b"KEFU-GPS"));
    assert!(!contains(&body, b"Exif\0\0"));
    let jpeg = Jpeg::from_bytes(body).unwrap();
    assert!(jpeg.exif().is_none());
    assert_eq!(jpeg.dimensions(), Some((16, 16)));
}

#[tokio::test]
async fn downloads_need_a_live_signed_link() {
    let app = spawn_app().await;
    let key = bearer(app.channel_key());
    let a = uploaded(&app, &[(key.0, key.1.as_str())], "a.png", &png()).await;
    let (id, url) = (a["id"].as_str().unwrap(), a["url"].as_str().unwrap());
    assert_eq!(fetch(&app, url).await.status(), StatusCode::OK);

    let tampered = format!("{}0", &url[..url.len() - 1]);
    let tampered = if tampered == url {
        format!("{}1", &url[..url.len() - 1])
    } else {
        tampered
    };
    let link_key = &app.state.core.attachment_link_key;
    let past = jiff::Timestamp::now().as_second() - 1;
    let expired = format!(
        "/api/v1/attachments/{id}?expires={past}&sig={}",
        kefu_service::attachments::link::sign(link_key, id, past)
    );
    let other = uploaded(&app, &[(key.0, key.1.as_str())], "b.png", &png()).await;
    let other_sig = other["url"].as_str().unwrap().split("?").nth(1).unwrap();
    for bad in [
        tampered,
        expired,
        format!("/api/v1/attachments/{id}"),
        format!("/api/v1/attachments/{id}?{other_sig}"),
    ] {
        let r = fetch(&app, &bad).await;
        expect_problem(r, StatusCode::FORBIDDEN, "link_invalid").await;
    }

    // Uploading needs a caller: no token, a wrong token, a lookup code without a ticket.
    let r = upload(&app, &[], &[("file", Some("a.png"), &png())]).await;
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = upload(
        &app,
        &[("authorization", "Bearer nope")],
        &[("file", Some("a.png"), &png())],
    )
    .await;
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = upload(
        &app,
        &[("x-lookup-code", "ABCD-EFGH")],
        &[("file", Some("a.png"), &png())],
    )
    .await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "ticket");
}

#[tokio::test]
async fn a_voice_message_alone_opens_a_ticket_with_its_length() {
    let app = spawn_app().await;
    let key = bearer(app.channel_key());
    let auth = [(key.0, key.1.as_str())];
    let a = uploaded(&app, &auth, "rec.wav", &wav(1500)).await;
    assert_eq!(a["kind"], "voice");
    assert_eq!(a["content_type"], "audio/wav");
    assert_eq!(a["duration_ms"], 1500);
    assert!(a["transcript"].is_null());

    let r = app
        .post("/api/v1/tickets")
        .header("authorization", &key.1)
        .header("idempotency-key", "voice-1-intake")
        .json(&json!({"customer": {"external_id": "voice-1"}, "attachments": [{"id": a["id"]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let opened: Value = r.json().await.unwrap();
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    assert_eq!(opened["ticket"]["subject"], "[语音]");

    let staff = app.login("agent1@kefu.local").await;
    let detail: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let file = &detail["messages"][0]["attachments"][0];
    assert_eq!(detail["messages"][0]["body"], "");
    assert_eq!(file["id"], a["id"]);
    assert_eq!(file["kind"], "voice");
    assert_eq!(file["duration_ms"], 1500);
    let r = fetch(&app, file["url"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "audio/wav");

    // A retry of that intake (same Idempotency-Key, same body) answers the same ticket,
    // although the file is bound by now.
    let again = app
        .post("/api/v1/tickets")
        .header("authorization", &key.1)
        .header("idempotency-key", "voice-1-intake")
        .json(&json!({"customer": {"external_id": "voice-1"}, "attachments": [{"id": a["id"]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["ticket"]["number"], number.as_str());
    assert_eq!(again["replayed"], true);

    // Bound to that ticket now: not usable on another one, even by its uploader.
    let r = app
        .post("/api/v1/tickets")
        .header("authorization", &key.1)
        .json(&json!({"customer": {"external_id": "voice-2"}, "attachments": [{"id": a["id"]}]}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "attachments[0].id");
    // The link form still works, and an id comes alone.
    let r = app
        .post("/api/v1/tickets")
        .header("authorization", &key.1)
        .json(&json!({"customer": {"external_id": "voice-3"}, "body": "看图",
            "attachments": [{"name": "a.png", "content_type": "image/png", "size_bytes": 10, "url": "https://cdn.example.com/a.png"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .post("/api/v1/tickets")
        .header("authorization", &key.1)
        .json(&json!({"customer": {"external_id": "voice-4"},
            "attachments": [{"id": a["id"], "url": "https://cdn.example.com/a.png"}]}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "attachments[0].url");
    // Without text or a file, a message is still refused.
    let r = app
        .post("/api/v1/tickets")
        .header("authorization", &key.1)
        .json(&json!({"customer": {"external_id": "voice-5"}}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "body");
}

#[tokio::test]
async fn a_customer_sends_a_voice_message_into_their_own_ticket_only() {
    let app = spawn_app().await;
    let mine = app.open("cust-a", "我的账号登录不了").await;
    let theirs = app.open("cust-b", "账号被封了").await;
    let (number, code) = (
        mine["ticket"]["number"].as_str().unwrap(),
        mine["lookup_code"].as_str().unwrap(),
    );
    let auth = [("x-lookup-code", code)];
    let r = upload(
        &app,
        &auth,
        &[
            ("ticket", None, number.as_bytes()),
            ("file", Some("v.amr"), &amr(50)),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let a: Value = r.json().await.unwrap();
    assert_eq!(a["content_type"], "audio/amr");
    assert_eq!(a["duration_ms"], 1000);

    // The lookup code of one ticket does not upload into another.
    let r = upload(
        &app,
        &auth,
        &[
            (
                "ticket",
                None,
                theirs["ticket"]["number"].as_str().unwrap().as_bytes(),
            ),
            ("file", Some("v.amr"), &amr(5)),
        ],
    )
    .await;
    expect_problem(r, StatusCode::NOT_FOUND, "ticket_not_found").await;

    // Nor does the other customer attach this file to their ticket.
    let r = app
        .post(&format!(
            "/api/v1/customer/tickets/{}/messages",
            theirs["ticket"]["number"].as_str().unwrap()
        ))
        .header("x-lookup-code", theirs["lookup_code"].as_str().unwrap())
        .json(&json!({"attachments": [{"id": a["id"]}]}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "attachments[0].id");

    let r = app
        .post(&format!("/api/v1/customer/tickets/{number}/messages"))
        .header("x-lookup-code", code)
        .json(&json!({"attachments": [{"id": a["id"]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let view: Value = r.json().await.unwrap();
    let last = view["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["from"], "customer");
    assert_eq!(last["attachments"][0]["duration_ms"], 1000);
    let r = fetch(&app, last["attachments"][0]["url"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "audio/amr");
    assert_eq!(r.bytes().await.unwrap().len(), amr(50).len());

    // An agent may not attach a file someone else uploaded and never used.
    let key = bearer(app.channel_key());
    let loose = uploaded(&app, &[(key.0, key.1.as_str())], "x.png", &png()).await;
    let staff = app.login("agent1@kefu.local").await;
    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(&staff)
        .json(&json!({"attachments": [{"id": loose["id"]}]}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "attachments[0].id");
    // Their own upload goes out as an image reply without text.
    let own = uploaded(
        &app,
        &[("authorization", &format!("Bearer {staff}"))],
        "fix.png",
        &png(),
    )
    .await;
    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(&staff)
        .json(&json!({"attachments": [{"id": own["id"]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["attachments"][0]["kind"], "image");
    assert!(
        m["attachments"][0]["url"]
            .as_str()
            .unwrap()
            .contains("sig=")
    );
}
