//! Permalinks: a page's state in its URL, versioned and compressed, and the URL grammar
//! (route, state, embed options) shared by the app and its embeds.
//!
//! A link is `#/<slug>?s=<state>&embed=1&theme=dark&panels=console`. `<state>` is
//! `1.` followed by URL-safe base64 of raw-DEFLATE-compressed JSON. The leading `1` is the
//! format version: links made by a release must open in every later release (the golden
//! corpus in `tests/share_golden.rs` holds that promise), so fields are only ever added.

mod codec;
pub mod embed_api;
mod location;

pub use codec::{decode_state, encode_state, ShareError, MAX_LINK_STATE_CHARS, MAX_STATE_BYTES};
pub use location::{EmbedOptions, Location, Panel, Theme};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything about a page that a link carries. Every field is optional: a missing field
/// means "the pattern's default", so old links stay valid when pages gain state.
///
/// Field names are one letter to keep links short; they are part of the format: never
/// rename one, never reuse a removed one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageState {
    /// The SQL console's text, when it differs from the example.
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub console: Option<String>,
    /// The edited model source (model editor pages).
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub models: Option<String>,
    /// Named knobs: sizes, strategies, seed, migration phase ("n" -> "1000", ...).
    #[serde(rename = "k", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub knobs: BTreeMap<String, String>,
    /// The selected view or tab of the page.
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
}

impl PageState {
    pub fn is_default(&self) -> bool {
        *self == PageState::default()
    }
}
