//! The app shell: header, hash router, and the page for the current route.

use leptos::prelude::*;
use sqlpatterns_core::catalogue;
use sqlpatterns_core::route::Route;

use crate::catalogue_view::Catalogue;
use crate::pattern_page::PatternPage;

fn current_route() -> Route {
    Route::parse(&window().location().hash().unwrap_or_default())
}

#[component]
pub fn App() -> impl IntoView {
    let route = RwSignal::new(current_route());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        route.set(current_route());
        window().scroll_to_with_x_and_y(0.0, 0.0);
    });
    on_cleanup(move || handle.remove());

    Effect::new(move |_| {
        let title = match route.get() {
            Route::Pattern(slug) => catalogue::by_slug(slug).map_or_else(
                || "sqlpatterns".to_string(),
                |p| format!("{} · sqlpatterns", p.title),
            ),
            _ => "sqlpatterns: database patterns, live".to_string(),
        };
        document().set_title(&title);
    });

    view! {
        <header class="app-header">
            <a class="brand" href="#/">
                <span class="brand-mark" aria-hidden="true">"⟨/⟩"</span>
                "sqlpatterns"
            </a>
            <span class="tagline">"Database patterns, running live in your browser"</span>
            <nav class="header-nav" aria-label="Main">
                <a href="#/">"All patterns"</a>
            </nav>
        </header>
        <main id="main" class="app-main">
            {move || match route.get() {
                Route::Catalogue => view! { <Catalogue /> }.into_any(),
                Route::Pattern(slug) => view! { <PatternPage slug=slug /> }.into_any(),
                Route::NotFound(path) => view! { <NotFound path=path /> }.into_any(),
            }}
        </main>
        <footer class="app-footer">
            "Every statement runs on GlueSQL, compiled to WebAssembly, in this tab. Nothing is sent anywhere."
        </footer>
    }
}

#[component]
fn NotFound(path: String) -> impl IntoView {
    view! {
        <section class="not-found" data-testid="not-found">
            <h1>"No such pattern"</h1>
            <p>"There is no pattern called " <code>{path}</code> "."</p>
            <p><a href="#/">"See all patterns"</a></p>
        </section>
    }
}
