//! The catalogue: the 25 patterns under the reference's 7 sections, with a filter.

use leptos::prelude::*;
use sqlpatterns_core::catalogue::{self, Pattern, Section};

fn matches(pattern: &Pattern, query: &str) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty()
        || [
            pattern.title,
            pattern.slug,
            pattern.summary,
            pattern.section.title(),
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(&query))
}

/// The first sentence of a summary, for the card.
fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |end| &text[..=end])
}

#[component]
pub fn Catalogue() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let visible = move |p: &Pattern| query.with(|q| matches(p, q));
    let nothing_matches = move || !catalogue::all().iter().any(|p| visible(p));

    let sections = Section::ALL
        .iter()
        .map(|&section| {
            let cards = catalogue::in_section(section)
                .map(|p| {
                    view! {
                        <li class:hidden=move || !visible(p)>
                            <a
                                class="pattern-card"
                                href=format!("#/{}", p.slug)
                                data-testid="pattern-link"
                                data-slug=p.slug
                            >
                                <span class="card-title">{p.title}</span>
                                <span class="card-summary">{first_sentence(p.summary)}</span>
                                <span class=if p.live { "badge badge-live" } else { "badge" }>
                                    {if p.live { "live demo" } else { "reference + console" }}
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section
                    class="catalogue-section"
                    class:hidden=move || !catalogue::in_section(section).any(visible)
                >
                    <h2>{section.title()}</h2>
                    <ul class="pattern-grid">{cards}</ul>
                </section>
            }
        })
        .collect_view();

    view! {
        <div class="catalogue">
            <div class="catalogue-intro">
                <h1>"Database patterns, live"</h1>
                <p>
                    "The 25 patterns of the database-patterns reference: models, relationships, "
                    "migrations, query optimisation, indexes, pooling and transactions. Each runs "
                    "on a real SQL engine in this tab."
                </p>
                <input
                    class="filter"
                    type="search"
                    placeholder="Filter patterns…"
                    aria-label="Filter patterns"
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </div>
            {sections}
            <p class="empty-filter" class:hidden=move || !nothing_matches()>
                "No pattern matches this filter."
            </p>
        </div>
    }
}
