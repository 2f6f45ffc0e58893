//! A pattern page's shareable state: where it starts from (link, saved edits, or the
//! example), saving edits in this browser, and keeping the URL in step with the state.

use leptos::prelude::*;
use sqlpatterns_core::share::{
    decode_state, encode_state, EmbedOptions, Location, PageState, ShareError,
};
use std::time::Duration;

/// What the page tells the user about where its state came from.
#[derive(Clone, Debug, PartialEq)]
pub enum StateNotice {
    /// The link's state could not be opened; the example is shown instead.
    BadLink(String),
    /// Edits saved in this browser were restored (no link state was given).
    RestoredEdits,
    /// A link was opened while this browser holds other saved edits of the pattern.
    LinkOverSavedEdits(PageState),
    /// This browser refuses storage: edits live only in the URL.
    StorageUnavailable,
}

fn storage_key(slug: &str) -> String {
    format!("sqlpatterns:v1:state:{slug}")
}

/// `localStorage`, or `None` where the browser refuses it (sandboxed iframe, some private
/// modes): reading `window.localStorage` itself throws there.
fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn load_saved(slug: &str) -> Option<PageState> {
    let text = local_storage()?.get_item(&storage_key(slug)).ok()??;
    decode_state(&text).ok()
}

/// Saves (or forgets, for the default state) this page's edits. Returns false when the
/// browser refused (no storage, quota exceeded).
fn save(slug: &str, state: &PageState) -> bool {
    let Some(storage) = local_storage() else {
        return false;
    };
    let key = storage_key(slug);
    if state.is_default() {
        storage.remove_item(&key).is_ok()
    } else {
        storage.set_item(&key, &encode_state(state)).is_ok()
    }
}

/// Picks the page's starting state: a valid link wins, then saved edits, then the example.
pub fn initial_state(
    slug: &str,
    from_link: Option<Result<PageState, ShareError>>,
) -> (PageState, Vec<StateNotice>) {
    let mut notices = Vec::new();
    if local_storage().is_none() {
        notices.push(StateNotice::StorageUnavailable);
    }
    let saved = load_saved(slug);
    let state = match from_link {
        Some(Ok(state)) => {
            if let Some(saved) = saved.filter(|saved| *saved != state) {
                notices.push(StateNotice::LinkOverSavedEdits(saved));
            }
            state
        }
        Some(Err(error)) => {
            notices.push(StateNotice::BadLink(error.to_string()));
            PageState::default()
        }
        None => match saved {
            Some(saved) => {
                notices.push(StateNotice::RestoredEdits);
                saved
            }
            None => PageState::default(),
        },
    };
    (state, notices)
}

/// Keeps the URL and the saved edits following `state`, debounced so typing does not
/// rewrite them on every key. `replaceState` changes the URL without adding history
/// entries (and without a `hashchange`, so the page is not rebuilt).
pub fn follow_state(
    slug: &'static str,
    state: Memo<PageState>,
    embed: EmbedOptions,
    storage_failed: RwSignal<bool>,
) {
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |first_run: Option<()>| {
        let state = state.get();
        // The starting state is already in the URL or storage; saving it again could
        // overwrite edits saved from another tab with a link's state.
        if first_run.is_none() {
            return;
        }
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let embed = embed.clone();
        let handle = set_timeout_with_handle(
            move || {
                let hash = Location::pattern_hash(slug, &state, &embed);
                if let Ok(history) = window().history() {
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&hash),
                    );
                }
                if !embed.embed && !save(slug, &state) {
                    storage_failed.set(true);
                }
            },
            Duration::from_millis(400),
        )
        .ok();
        pending.set_value(handle);
    });
}

/// The full URL of this page in `state` (for copying and "open in playground").
pub fn absolute_url(slug: &str, state: &PageState, embed: &EmbedOptions) -> String {
    let location = window().location();
    let base = format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    );
    format!("{base}{}", Location::pattern_hash(slug, state, embed))
}
