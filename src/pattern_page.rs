//! A pattern's page. Until a later issue makes its demo live, it shows the pattern's
//! explanation, its (corrected) reference code and a SQL console on a fresh database.

use leptos::prelude::*;
use sqlpatterns_core::catalogue;

use crate::code_view::CodeView;
use crate::console::Console;

#[component]
pub fn PatternPage(slug: &'static str) -> impl IntoView {
    let Some(pattern) = catalogue::by_slug(slug) else {
        return view! { <p class="notice">"Unknown pattern."</p> }.into_any();
    };
    let fixes = (!pattern.fixes.is_empty()).then(|| {
        view! {
            <details class="fixes" open>
                <summary>"What we fixed in the reference's code"</summary>
                <ul>{pattern.fixes.iter().map(|fix| view! { <li>{*fix}</li> }).collect_view()}</ul>
            </details>
        }
    });
    view! {
        <article class="pattern-page" data-slug=pattern.slug>
            <nav class="breadcrumb" aria-label="Breadcrumb">
                <a href="#/">"Patterns"</a>
                <span aria-hidden="true">" / "</span>
                <span>{pattern.section.title()}</span>
            </nav>
            <h1>{pattern.title}</h1>
            <p class="summary">{pattern.summary}</p>
            {(!pattern.live)
                .then(|| {
                    view! {
                        <p class="notice" role="status" data-testid="not-live">
                            <strong>"The interactive demo of this pattern is not built yet."</strong>
                            " Meanwhile you get the reference code and a SQL console on a fresh "
                            "in-browser database, preloaded with an example you can edit and run."
                        </p>
                    }
                })}
            <div class="page-grid">
                <section class="panel reference-panel" aria-labelledby="ref-heading">
                    <h2 id="ref-heading">"Reference code"</h2>
                    <CodeView code=pattern.reference_code language=pattern.code_language />
                    {fixes}
                </section>
                <section class="panel console-panel" aria-labelledby="console-heading">
                    <h2 id="console-heading">"SQL console"</h2>
                    <Console initial=pattern.starter_sql />
                </section>
            </div>
        </article>
    }
    .into_any()
}
