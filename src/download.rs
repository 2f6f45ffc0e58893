//! Saving text the page made (an export) as a file: a Blob behind an object URL, clicked
//! through a temporary `<a download>`. Nothing leaves the browser.

use wasm_bindgen::{closure::Closure, JsCast};

/// Offers `text` as the file `file_name` of type `mime`; false if the browser refused
/// (the caller says so where the user clicked).
pub fn download_text(file_name: &str, mime: &str, text: &str) -> bool {
    let save = || -> Result<(), wasm_bindgen::JsValue> {
        let parts = js_sys_array_of(text);
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(&format!("{mime};charset=utf-8"));
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let document = leptos::prelude::document();
        let anchor: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
        // The download reads the URL after this task; free it a little later.
        let revoke = Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
        leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(
            revoke.unchecked_ref(),
            60_000,
        )?;
        Ok(())
    };
    save().is_ok()
}

/// `[text]` as the JS array `Blob` takes.
fn js_sys_array_of(text: &str) -> wasm_bindgen::JsValue {
    let array = web_sys::js_sys::Array::new();
    array.push(&wasm_bindgen::JsValue::from_str(text));
    array.into()
}
