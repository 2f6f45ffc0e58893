//! Share and embed: the permalink of the page's current state, copy buttons, and the
//! iframe snippet for documentation sites.

use leptos::prelude::*;
use sqlpatterns_core::share::{EmbedOptions, PageState};

use crate::page_state::absolute_url;

/// The message an embedded page posts to its parent whenever its height changes.
const RESIZE_MESSAGE_TYPE: &str = sqlpatterns_core::share::embed_api::RESIZE;

fn copy_to_clipboard(text: String, copied: RwSignal<Option<&'static str>>, what: &'static str) {
    let promise = window().navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        copied.set(Some(if ok {
            what
        } else {
            "Copy failed: select the text and copy it"
        }));
    });
}

fn iframe_snippet(url: &str, title: &str) -> String {
    format!(
        "<iframe src=\"{url}\" title=\"{title} (sqlpatterns)\" width=\"100%\" height=\"640\" \
         style=\"border:0\" sandbox=\"allow-scripts allow-popups\" loading=\"lazy\"></iframe>\n\
         <script>\n\
         // Let sqlpatterns embeds fit their content.\n\
         addEventListener('message', (e) => {{\n\
         \x20 if (e.data && e.data.type === '{RESIZE_MESSAGE_TYPE}') {{\n\
         \x20   for (const f of document.querySelectorAll('iframe')) {{\n\
         \x20     if (f.contentWindow === e.source) f.style.height = e.data.height + 'px';\n\
         \x20   }}\n\
         \x20 }}\n\
         }});\n\
         </script>"
    )
}

#[component]
pub fn ShareBar(slug: &'static str, title: &'static str, state: Memo<PageState>) -> impl IntoView {
    let permalink = Memo::new(move |_| absolute_url(slug, &state.get(), &EmbedOptions::default()));
    let embed_url = move || {
        let embed = EmbedOptions {
            embed: true,
            ..EmbedOptions::default()
        };
        absolute_url(slug, &state.get(), &embed)
    };
    let show_embed = RwSignal::new(false);
    let copied = RwSignal::new(None::<&'static str>);
    let snippet = move || iframe_snippet(&embed_url(), title);

    view! {
        <div class="share-bar">
            <a
                class="permalink"
                data-testid="permalink"
                href=move || permalink.get()
                data-url=move || permalink.get()
                title="Link to this page in its current state"
            >
                "Permalink"
            </a>
            <button on:click=move |_| copy_to_clipboard(permalink.get_untracked(), copied, "Link copied")>
                "Copy link"
            </button>
            <button
                data-testid="embed-button"
                aria-expanded=move || show_embed.get().to_string()
                on:click=move |_| show_embed.update(|s| *s = !*s)
            >
                "Embed"
            </button>
            <span class="copied" role="status">{move || copied.get()}</span>
        </div>
        {move || {
            show_embed
                .get()
                .then(|| {
                    view! {
                        <div class="embed-panel">
                            <p>
                                "Paste this into a documentation page. The frame reports its height "
                                "with a " <code>{RESIZE_MESSAGE_TYPE}</code>
                                " message; the script below applies it. Options: "
                                <code>"theme=light|dark|auto"</code> ", " <code>"panels=reference,demo,console"</code>
                                ", " <code>"run=click"</code> " (start on a click). The README's section for "
                                "documentation authors lists the messages a host can send (set the theme, run a step, read the state)."
                            </p>
                            <textarea
                                data-testid="embed-snippet"
                                readonly
                                rows="12"
                                aria-label="Embed code"
                                prop:value=snippet
                            ></textarea>
                            <button on:click=move |_| copy_to_clipboard(snippet(), copied, "Embed code copied")>
                                "Copy embed code"
                            </button>
                        </div>
                    }
                })
        }}
    }
}
