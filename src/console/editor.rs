//! A code editor without a dependency: a transparent textarea over highlighted text.
//! Both sit in one grid cell so the highlighted copy sizes the textarea, and the
//! surrounding box scrolls them together with the line-number gutter.

use leptos::html::Textarea;
use leptos::prelude::*;
use sqlpatterns_core::catalogue::CodeLanguage;

use crate::code_view::highlighted;

#[component]
pub fn SqlEditor(
    script: RwSignal<String>,
    on_run: impl Fn() + Copy + Send + Sync + 'static,
    error_line: Signal<Option<u32>>,
    replace_text: RwSignal<u32>,
) -> impl IntoView {
    let textarea = NodeRef::<Textarea>::new();
    // The textarea owns its text while the user types; only "restore example" pushes a
    // new text into it (setting `value` on every keystroke would move the caret).
    Effect::new(move |previous: Option<u32>| {
        let generation = replace_text.get();
        if previous.is_some_and(|p| p != generation) {
            if let Some(el) = textarea.get() {
                el.set_value(&script.get_untracked());
            }
        }
        generation
    });
    let line_count = move || script.with(|s| s.split('\n').count());
    let gutter = move || {
        let mut numbers = String::new();
        for n in 1..=line_count() {
            numbers.push_str(&n.to_string());
            numbers.push('\n');
        }
        numbers
    };

    view! {
        <div class="editor">
            <pre class="editor-gutter" aria-hidden="true">
                {gutter}
                {move || {
                    error_line
                        .get()
                        .map(|line| {
                            view! {
                                <span
                                    class="error-marker"
                                    style=format!("top: calc({} * var(--code-line) + var(--editor-pad))", line - 1)
                                ></span>
                            }
                        })
                }}
            </pre>
            <div class="editor-body">
                <pre class="editor-highlight" aria-hidden="true">
                    {move || script.with(|s| highlighted(s, CodeLanguage::Sql))}
                    // A trailing newline is not rendered by <pre>; add one so both layers match.
                    "\n"
                </pre>
                <textarea
                    node_ref=textarea
                    data-testid="sql-editor"
                    aria-label="SQL script (Ctrl+Enter or Cmd+Enter runs it)"
                    spellcheck="false"
                    autocapitalize="off"
                    autocomplete="off"
                    wrap="off"
                    prop:value=script.get_untracked()
                    on:input=move |ev| script.set(event_target_value(&ev))
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
