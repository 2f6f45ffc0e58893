//! `#/playground`: the SQL console on an empty database, as in DB Fiddle: for trying
//! anything of your own (or what SQLAlchemy printed) outside a pattern's tables. Its text
//! is in the permalink and saved in this browser, like a pattern page's console.

use leptos::prelude::*;
use sqlpatterns_core::engine::Database;
use sqlpatterns_core::route::PLAYGROUND;
use sqlpatterns_core::share::{EmbedOptions, PageState, ShareError};

use crate::console::{Console, PageDatabase};
use crate::embed::{announce_ready, serve_host, state_source};
use crate::page_state::{follow_state, initial_state};
use crate::pattern_page::Notices;
use crate::share_bar::ShareBar;

const EXAMPLE: &str = "-- An empty PostgreSQL-flavoured database, all yours.\n\
CREATE TABLE notes (id SERIAL PRIMARY KEY, body VARCHAR(200) NOT NULL, created_at TIMESTAMPTZ DEFAULT now());\n\
INSERT INTO notes (body) VALUES ('hello'), ('world');\n\
SELECT * FROM notes ORDER BY id;\n";

#[component]
pub fn PlaygroundPage(
    link_state: Option<Result<PageState, ShareError>>,
    embed: EmbedOptions,
) -> impl IntoView {
    let (initial, notices) = initial_state(PLAYGROUND, link_state);
    let notices = RwSignal::new(notices);
    let script = RwSignal::new(initial.console.unwrap_or_else(|| EXAMPLE.to_string()));
    let replace_text = RwSignal::new(0u32);
    let state = Memo::new(move |_| PageState {
        console: script.with(|text| (text != EXAMPLE).then(|| text.clone())),
        ..PageState::default()
    });
    let storage_failed = RwSignal::new(false);
    follow_state(PLAYGROUND, state, embed.clone(), storage_failed);
    let apply_state = Callback::new(move |target: PageState| {
        script.set(target.console.unwrap_or_else(|| EXAMPLE.to_string()));
        replace_text.update(|n| *n += 1);
    });
    let database = PageDatabase::new(Database::new());
    let reset = Callback::new(move |()| database.replace(Database::new()));
    if embed.embed {
        serve_host(PLAYGROUND, Some(state_source(PLAYGROUND, state)));
        announce_ready();
    }
    view! {
        <article class="pattern-page playground-page" data-slug=PLAYGROUND>
            <div class="page-title">
                <h1>"SQL playground"</h1>
                <ShareBar slug=PLAYGROUND title="SQL playground" state=state />
            </div>
            <p class="summary">
                "A fresh database with nothing in it: PostgreSQL types, constraints, indexes, "
                "transactions and savepoints, on the same engine as the pattern pages."
            </p>
            <Notices notices=notices storage_failed=storage_failed apply_state=apply_state />
            <section class="panel console-panel" aria-labelledby="console-heading">
                <h2 id="console-heading">"SQL console"</h2>
                <Console
                    example=EXAMPLE
                    script=script
                    replace_text=replace_text
                    database=database
                    reset=reset
                    export_name="playground"
                />
            </section>
        </article>
    }
}
