//! HTML mail made safe: [`sanitize`] keeps harmless markup only (ammonia's allow-list: no
//! script, style, event handlers, `javascript:` links or forms), and [`to_text`] turns it
//! into the plain text the conversation shows, without the quoted `<blockquote>` history.

use std::collections::HashSet;

/// The HTML with everything that could run or load code removed.
pub fn sanitize(html: &str) -> String {
    ammonia::clean(html)
}

/// The readable text of an HTML mail: sanitized first, quoted blocks dropped with their
/// content, then rendered as text.
pub fn to_text(html: &str) -> String {
    let drop: HashSet<&str> = ["script", "style", "blockquote", "head", "title"]
        .into_iter()
        .collect();
    let mut builder = ammonia::Builder::default();
    // A tag dropped with its content may have no allowed attributes either.
    let mut attributes = builder.clone_tag_attributes();
    attributes.retain(|tag, _| !drop.contains(tag));
    builder
        .rm_tags(&drop)
        .tag_attributes(attributes)
        .clean_content_tags(drop.clone());
    let clean = builder.clean(html).to_string();
    let text = mail_parser::decoders::html::html_to_text(&clean);
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = r#"<p onclick="steal()">Hi <b>there</b></p><script>alert(1)</script><a href="javascript:alert(2)">x</a><img src=x onerror=alert(3)>"#;
        let clean = sanitize(html);
        assert!(clean.contains("<b>there</b>"), "{clean}");
        for bad in ["script", "alert", "onclick", "onerror", "javascript"] {
            assert!(!clean.contains(bad), "{bad} left in {clean}");
        }
    }

    #[test]
    fn text_keeps_the_words_and_drops_script_and_quote() {
        let html = "<html><head><title>t</title><style>p{}</style></head><body><p>登录不了</p><p>error&nbsp;500 &amp; more</p><script>alert('x')</script><blockquote>old quoted mail</blockquote></body></html>";
        let text = to_text(html);
        assert!(text.contains("登录不了"), "{text}");
        assert!(text.contains("error"), "{text}");
        assert!(text.contains("& more"), "{text}");
        assert!(!text.contains("alert"), "{text}");
        assert!(!text.contains("old quoted"), "{text}");
        assert!(!text.contains('<'), "{text}");
    }
}
