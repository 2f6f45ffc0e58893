//! A code editor without a dependency: a transparent textarea over highlighted text.
//! Both sit in one grid cell so the highlighted copy sizes the textarea, and the
//! surrounding box scrolls them together with the line-number gutter.

use leptos::html::Textarea;
use leptos::prelude::*;
use sqlpatterns_core::catalogue::CodeLanguage;

use crate::code_view::highlighted;

/// A marked line in the gutter: an error, or a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineMark {
    pub line: u32,
    pub is_error: bool,
}

#[component]
pub fn CodeEditor(
    text: RwSignal<String>,
    language: CodeLanguage,
    /// `data-testid` of the textarea (stable hook for tests and embedding pages).
    testid: &'static str,
    label: &'static str,
    /// Ctrl/Cmd+Enter.
    on_run: impl Fn() + Copy + Send + Sync + 'static,
    #[prop(into)] marks: Signal<Vec<LineMark>>,
    /// Bumped when the editor must take a new text from `text` (typing never bumps it).
    replace_text: RwSignal<u32>,
) -> impl IntoView {
    let textarea = NodeRef::<Textarea>::new();
    // The textarea owns its text while the user types; setting `value` on every
    // keystroke would move the caret.
    Effect::new(move |previous: Option<u32>| {
        let generation = replace_text.get();
        if previous.is_some_and(|p| p != generation) {
            if let Some(el) = textarea.get() {
                el.set_value(&text.get_untracked());
            }
        }
        generation
    });
    let gutter = move || {
        let lines = text.with(|s| s.split('\n').count());
        let mut numbers = String::with_capacity(lines * 4);
        for n in 1..=lines {
            numbers.push_str(&n.to_string());
            numbers.push('\n');
        }
        numbers
    };
    let markers = move || {
        marks
            .get()
            .into_iter()
            .map(|mark| {
                view! {
                    <span
                        class=if mark.is_error { "line-marker error-marker" } else { "line-marker warn-marker" }
                        style=format!(
                            "top: calc({} * var(--code-line) + var(--editor-pad))",
                            mark.line.saturating_sub(1),
                        )
                    ></span>
                }
            })
            .collect_view()
    };

    view! {
        <div class="editor">
            <pre class="editor-gutter" aria-hidden="true">
                {gutter}
                {markers}
            </pre>
            <div class="editor-body">
                <pre class="editor-highlight" aria-hidden="true">
                    {move || text.with(|s| highlighted(s, language))}
                    // A trailing newline is not rendered by <pre>; add one so both layers match.
                    "\n"
                </pre>
                <textarea
                    node_ref=textarea
                    data-testid=testid
                    aria-label=label
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    wrap="off"
                    prop:value=text.get_untracked()
                    on:input=move |ev| text.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                            ev.prevent_default();
                            on_run();
                        }
                    }
                ></textarea>
            </div>
        </div>
    }
}
