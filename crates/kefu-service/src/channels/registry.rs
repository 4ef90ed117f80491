//! The adapters this node knows, by name and by the kind of channel they serve.

use super::ChannelAdapter;
use kefu_domain::Channel;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The installed adapters (see [`super`]). Installed once at start; read on every
/// inbound payload and delivery.
#[derive(Default)]
pub struct Registry {
    adapters: RwLock<BTreeMap<String, Arc<dyn ChannelAdapter>>>,
}

impl Registry {
    /// Adds (or replaces) the adapter under its name.
    pub fn install(&self, adapter: Arc<dyn ChannelAdapter>) {
        if let Ok(mut map) = self.adapters.write() {
            map.insert(adapter.name().to_owned(), adapter);
        }
    }

    /// The adapter named `name`.
    pub fn get(&self, name: &str) -> Option<Arc<dyn ChannelAdapter>> {
        self.adapters.read().ok()?.get(name).cloned()
    }

    /// The adapter that delivers to customers of `channel` when a ticket does not name one
    /// (the first by name).
    pub fn for_channel(&self, channel: Channel) -> Option<Arc<dyn ChannelAdapter>> {
        self.adapters
            .read()
            .ok()?
            .values()
            .find(|a| a.channel() == channel)
            .cloned()
    }

    /// The installed names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.adapters
            .read()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("adapters", &self.names())
            .finish()
    }
}
