//! Embed mode: report the page's height to the parent page so its iframe can fit.

use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::share_bar::RESIZE_MESSAGE_TYPE;

/// The documented message: `{ type: "sqlpatterns:resize", slug, height }`.
#[derive(Serialize)]
struct ResizeMessage<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    slug: &'a str,
    height: i32,
}

fn post_height(slug: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // The content's own height (the body, which embeds do not stretch), not the
    // document's scroll height: that is at least the frame's height, so a frame that grew
    // could never shrink again.
    let Some(body) = document.body() else {
        return;
    };
    let height = body.offset_height();
    let message = ResizeMessage {
        kind: RESIZE_MESSAGE_TYPE,
        slug,
        height,
    };
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    if let (Some(parent), Ok(value)) = (parent, serde_wasm_bindgen::to_value(&message)) {
        // "*": the embedding site's origin is unknown, and the message carries no secret.
        let _ = parent.post_message(&value, "*");
    }
}

/// Starts reporting the height whenever the document's size changes. Lives as long as
/// the page (one observer per page load; embeds show a single pattern).
pub fn report_height(slug: &'static str) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let callback = Closure::<dyn FnMut()>::new(move || post_height(slug));
    if let Ok(observer) = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()) {
        observer.observe(&root);
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            observer.observe(&body);
        }
    }
    callback.forget();
    post_height(slug);
}
