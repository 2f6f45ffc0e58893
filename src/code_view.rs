//! Read-only highlighted code, and the token-to-span rendering the editor shares.

use leptos::prelude::*;
use sqlpatterns_core::catalogue::CodeLanguage;
use sqlpatterns_core::highlight::tokenize;

/// Scripts longer than this are shown unhighlighted: tokenizing a huge paste on every
/// keystroke would make typing lag.
const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;

/// Highlighted spans for `code`; always rendered as text nodes, never as HTML.
pub fn highlighted(code: &str, language: CodeLanguage) -> AnyView {
    if code.len() > MAX_HIGHLIGHT_BYTES {
        return code.to_string().into_any();
    }
    tokenize(code, language)
        .into_iter()
        .map(|(kind, text)| view! { <span class=kind.class()>{text.to_string()}</span> })
        .collect_view()
        .into_any()
}

#[component]
pub fn CodeView(code: &'static str, language: CodeLanguage) -> impl IntoView {
    let label = match language {
        CodeLanguage::Python => "Python",
        CodeLanguage::Sql => "SQL",
    };
    view! {
        <pre class="code-block" data-lang=label tabindex="0" aria-label=format!("{label} code")>
            <code>{highlighted(code, language)}</code>
        </pre>
    }
}
