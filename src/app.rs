//! The app shell: header, hash router, and the page for the current location.

use leptos::prelude::*;
use sqlpatterns_core::catalogue;
use sqlpatterns_core::route::Route;
use sqlpatterns_core::share::Location;

use crate::catalogue_view::Catalogue;
use crate::embed::ClickToRun;
use crate::pattern_page::PatternPage;
use crate::playground_page::PlaygroundPage;

fn current_location() -> Location {
    let location = window().location();
    Location::parse(
        &location.search().unwrap_or_default(),
        &location.hash().unwrap_or_default(),
    )
}

/// Theme and embed mode are attributes of `<html>`, so the stylesheet can use them.
fn apply_to_document(location: &Location) {
    let Some(root) = document().document_element() else {
        return;
    };
    match location.embed.theme {
        Some(theme) => {
            let _ = root.set_attribute("data-theme", theme.name());
        }
        None => {
            let _ = root.remove_attribute("data-theme");
        }
    }
    let _ = root
        .class_list()
        .toggle_with_force("embed", location.embed.embed);
}

#[component]
pub fn App() -> impl IntoView {
    let location = RwSignal::new(current_location());
    // Our own URL updates use replaceState, which fires no hashchange: every hashchange is
    // a navigation (a link, back/forward, an edited URL), and rebuilds the page from it.
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        location.set(current_location());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    });
    on_cleanup(move || handle.remove());

    Effect::new(move |_| {
        location.with(|loc| {
            apply_to_document(loc);
            let title = match loc.route {
                Route::Pattern(slug) => catalogue::by_slug(slug).map_or_else(
                    || "sqlpatterns".to_string(),
                    |p| format!("{} · sqlpatterns", p.title),
                ),
                Route::Playground => "SQL playground · sqlpatterns".to_string(),
                _ => "sqlpatterns: database patterns, live".to_string(),
            };
            document().set_title(&title);
        });
    });
    let embedded = move || location.with(|loc| loc.embed.embed);

    view! {
        {move || {
            (!embedded())
                .then(|| {
                    view! {
                        <header class="app-header">
                            <a class="brand" href="#/">
                                <span class="brand-mark" aria-hidden="true">"⟨/⟩"</span>
                                "sqlpatterns"
                            </a>
                            <span class="tagline">"Database patterns, running live in your browser"</span>
                            <nav class="header-nav" aria-label="Main">
                                <a href="#/">"All patterns"</a>
                                <a href="#/playground" data-testid="playground-link">"SQL playground"</a>
                            </nav>
                        </header>
                    }
                })
        }}
        <main id="main" class="app-main">
            {move || {
                let loc = location.get();
                match loc.route {
                    Route::Catalogue => view! { <Catalogue /> }.into_any(),
                    Route::Pattern(slug) if loc.embed.embed && loc.embed.run_on_click => {
                        let pattern = catalogue::by_slug(slug);
                        let (title, summary) = pattern.map_or(("", ""), |p| (p.title, p.summary));
                        let (state, embed) = (loc.state, loc.embed);
                        view! {
                            <ClickToRun slug=slug title=title summary=summary>
                                <PatternPage slug=slug link_state=state.clone() embed=embed.clone() />
                            </ClickToRun>
                        }
                        .into_any()
                    }
                    Route::Pattern(slug) => {
                        view! { <PatternPage slug=slug link_state=loc.state embed=loc.embed /> }
                            .into_any()
                    }
                    Route::Playground => {
                        view! { <PlaygroundPage link_state=loc.state embed=loc.embed /> }.into_any()
                    }
                    Route::NotFound(path) => view! { <NotFound path=path /> }.into_any(),
                }
            }}
        </main>
        {move || {
            (!embedded())
                .then(|| {
                    view! {
                        <footer class="app-footer">
                            "Every statement runs on GlueSQL, compiled to WebAssembly, in this tab. "
                            "Nothing is sent anywhere."
                        </footer>
                    }
                })
        }}
    }
}

#[component]
fn NotFound(path: String) -> impl IntoView {
    view! {
        <section class="not-found" data-testid="not-found">
            <h1>"No such pattern"</h1>
            <p>"There is no pattern called " <code>{path}</code> "."</p>
            <p>
                <a href="#/">"See all patterns"</a>
            </p>
        </section>
    }
}
