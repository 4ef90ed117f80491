//! The server's side of the channels: the HTTP client that posts deliveries to webhook
//! platforms ([`HttpTransport`]), and installing the configured adapters on the core.

use kefu_service::Core;
use kefu_service::channels::webhook::{Transport, WebhookAdapter};
use std::sync::Arc;
use std::time::Duration;

/// Posts deliveries with reqwest (rustls, the system's root certificates).
pub struct HttpTransport {
    client: reqwest::Client,
}

impl HttpTransport {
    /// A client whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self { client })
    }
}

#[async_trait::async_trait]
impl Transport for HttpTransport {
    async fn post(
        &self,
        url: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), String> {
        let mut req = self.client.post(url).body(body);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let resp = req.send().await.map_err(|e| {
            // Without the URL: it may carry a token.
            format!("posting the delivery failed: {}", e.without_url())
        })?;
        let status = resp.status().as_u16();
        // A platform's answer is small; a larger one is cut (only its `id` is read).
        let bytes = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        Ok((status, bytes.into_iter().take(64 * 1024).collect()))
    }
}

/// Installs an adapter for every configured webhook channel.
pub fn install(core: &Core) -> Result<(), String> {
    let settings = &core.settings.channels;
    if settings.webhooks.is_empty() {
        return Ok(());
    }
    let transport: Arc<dyn Transport> = Arc::new(HttpTransport::new(settings.delivery_timeout)?);
    for hook in &settings.webhooks {
        core.channels.install(Arc::new(WebhookAdapter::new(
            hook.clone(),
            transport.clone(),
        )));
        tracing::info!(channel = %hook.name, kind = %hook.channel, outbound = hook.outbound_url.is_some(), "webhook channel installed");
    }
    Ok(())
}
