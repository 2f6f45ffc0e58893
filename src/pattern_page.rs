//! A pattern's page. Until a later issue makes its demo live, it shows the pattern's
//! explanation, its (corrected) reference code and a SQL console on a fresh database.
//! Its state (the console text, for now) follows the URL and is saved in this browser.

use leptos::prelude::*;
use sqlpatterns_core::catalogue::{self, Pattern};
use sqlpatterns_core::engine::Database;
use sqlpatterns_core::lab::KnobValues;
use sqlpatterns_core::model_editor::{self, has_model_editor};
use sqlpatterns_core::share::{EmbedOptions, PageState, Panel, ShareError};

use crate::code_view::CodeView;
use crate::console::{Console, PageDatabase};
use crate::embed::{announce_ready, serve_host, state_source};
use crate::lab_panel::{LabPanel, LabState};
use crate::loader_panel::{LoaderKnobs, LoaderPanel, MAX_ORDERS, MAX_USERS};
use crate::migration_tab::MigrationState;
use crate::model_panel::ModelPanel;
use crate::page_state::{absolute_url, follow_state, initial_state, StateNotice};
use crate::share_bar::ShareBar;
use crate::steps_panel::StepsPanel;
use sqlpatterns_core::loader_demo::EagerStrategy;

#[component]
pub fn PatternPage(
    slug: &'static str,
    link_state: Option<Result<PageState, ShareError>>,
    embed: EmbedOptions,
) -> impl IntoView {
    let Some(pattern) = catalogue::by_slug(slug) else {
        return view! { <p class="notice">"Unknown pattern."</p> }.into_any();
    };
    let (initial, notices) = initial_state(slug, link_state);
    let notices = RwSignal::new(notices);
    let example = pattern.starter_sql;
    let example_models = pattern.reference_code;
    const DEFAULT_VIEW: &str = "diagram";
    let script = RwSignal::new(initial.console.unwrap_or_else(|| example.to_string()));
    let models = RwSignal::new(initial.models.unwrap_or_else(|| example_models.to_string()));
    let view = RwSignal::new(initial.view.unwrap_or_else(|| DEFAULT_VIEW.to_string()));
    // Bumped whenever an editor must take a new text (typing never bumps them).
    let replace_text = RwSignal::new(0u32);
    let replace_models = RwSignal::new(0u32);
    let rebuild_models = RwSignal::new(0u32);
    let with_models = has_model_editor(pattern);
    // The loader demo needs User.orders: the one-to-many page's models.
    let with_loader = slug == "one-to-many-cascade";
    let knob = |name: &str| initial.knobs.get(name).cloned();
    let knobs = LoaderKnobs {
        users: RwSignal::new(
            knob("users")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10)
                .min(MAX_USERS),
        ),
        orders: RwSignal::new(
            knob("orders")
                .and_then(|v| v.parse().ok())
                .unwrap_or(3)
                .min(MAX_ORDERS),
        ),
        strategy: RwSignal::new(knob("strategy").and_then(|v| EagerStrategy::parse(&v))),
    };
    let demo = sqlpatterns_core::patterns::demo_for(slug);
    let lab = sqlpatterns_core::patterns::lab_for(slug);
    let steps_done: RwSignal<Vec<String>> = RwSignal::new(
        knob("steps")
            .map(|ids| {
                ids.split(',')
                    .filter(|id| !id.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
    );
    let migration_state = MigrationState::from_knobs(&initial.knobs);
    let lab_state = LabState {
        knobs: RwSignal::new(initial.knobs.clone()),
        actions: steps_done,
        restart: RwSignal::new(0),
    };
    let state = Memo::new(move |_| {
        let mut state = PageState {
            console: script.with(|text| (text != example).then(|| text.clone())),
            models: models
                .with(|text| (with_models && text != example_models).then(|| text.clone())),
            view: view.with(|v| (with_models && v != DEFAULT_VIEW).then(|| v.clone())),
            ..PageState::default()
        };
        if let Some(lab) = lab {
            let values = KnobValues::from_raw(lab.knobs, &lab_state.knobs.get());
            state.knobs = values.non_default(lab.knobs);
        }
        if demo.is_some() || lab.is_some() {
            steps_done.with(|ids: &Vec<String>| {
                if !ids.is_empty() {
                    state.knobs.insert("steps".into(), ids.join(","));
                }
            });
        }
        if with_models {
            migration_state.write_knobs(&mut state.knobs);
        }
        if with_loader {
            // Knobs at their defaults stay out of the link, keeping it short.
            if knobs.users.get() != 10 {
                state
                    .knobs
                    .insert("users".into(), knobs.users.get().to_string());
            }
            if knobs.orders.get() != 3 {
                state
                    .knobs
                    .insert("orders".into(), knobs.orders.get().to_string());
            }
            if let Some(strategy) = knobs.strategy.get() {
                state
                    .knobs
                    .insert("strategy".into(), strategy.name().into());
            }
        }
        state
    });
    let storage_failed = RwSignal::new(false);
    follow_state(slug, state, embed.clone(), storage_failed);
    // Puts a whole state in place (a saved one, or the default: the example).
    let apply_state = Callback::new(move |target: PageState| {
        script.set(target.console.unwrap_or_else(|| example.to_string()));
        replace_text.update(|n| *n += 1);
        models.set(target.models.unwrap_or_else(|| example_models.to_string()));
        replace_models.update(|n| *n += 1);
        view.set(target.view.unwrap_or_else(|| DEFAULT_VIEW.to_string()));
        let restored = MigrationState::from_knobs(&target.knobs);
        migration_state
            .renames
            .set(restored.renames.get_untracked());
        migration_state.plan.set(restored.plan.get_untracked());
        migration_state.steps.set(restored.steps.get_untracked());
    });
    // The Models panel builds the database from the models; when an embed hides that
    // panel, the page still gives the console the models' tables.
    let database = if with_models && !embed.shows(Panel::Reference) {
        PageDatabase::new(model_editor::build(&models.get_untracked()).database)
    } else if let Some(lab) = lab.filter(|_| !embed.shows(Panel::Demo)) {
        // The lab panel is hidden: the console still gets the lab's database.
        let knobs = KnobValues::from_raw(lab.knobs, &lab_state.knobs.get_untracked());
        // Within the replay budget as the panel would; with the panel hidden there is no
        // notice to show, and the console works on what was replayed.
        let db = sqlpatterns_core::lab::replay_within(
            lab,
            &knobs,
            &steps_done.get_untracked(),
            &sqlpatterns_core::replay::ReplayBudget::default(),
        )
        .map(|replayed| replayed.db)
        .unwrap_or_default();
        PageDatabase::new(db)
    } else {
        PageDatabase::new(Database::new())
    };
    let models_shown = embed.shows(Panel::Reference);
    let embed_shows_demo = embed.shows(Panel::Demo);
    let reset = Callback::new(move |()| {
        if with_models && !models_shown {
            database.replace_from_models(model_editor::build(&models.get_untracked()).database);
        } else if with_models {
            rebuild_models.update(|n| *n += 1);
        } else if lab.is_some() && embed_shows_demo {
            lab_state.restart.update(|n| *n += 1);
        } else {
            database.replace(Database::new());
        }
    });

    let panels = {
        let embed = embed.clone();
        view! {
            <div
                class="page-grid"
                class:single=!(embed.shows(Panel::Reference) && embed.shows(Panel::Console))
                class:with-models=with_models || lab.is_some()
            >
                {embed
                    .shows(Panel::Reference)
                    .then(|| {
                        if with_models {
                            view! {
                                <ModelPanel
                                    pattern=pattern
                                    models=models
                                    replace_models=replace_models
                                    view=view
                                    database=database
                                    rebuild_now=rebuild_models
                                    replays_demo=demo.is_some()
                                    migration_state=migration_state
                                />
                            }
                                .into_any()
                        } else {
                            view! { <ReferencePanel pattern=pattern /> }.into_any()
                        }
                    })}
                {demo
                    .filter(|_| embed.shows(Panel::Demo))
                    .map(|demo| {
                        view! { <StepsPanel demo=demo models=models database=database steps_done=steps_done /> }
                    })}
                {lab
                    .filter(|_| embed.shows(Panel::Demo))
                    .map(|lab| view! { <LabPanel lab=lab state=lab_state database=database /> })}
                {(with_loader && embed.shows(Panel::Reference))
                    .then(|| view! { <LoaderPanel models=models knobs=knobs database=database /> })}
                {embed
                    .shows(Panel::Console)
                    .then(|| {
                        view! {
                            <section class="panel console-panel" aria-labelledby="console-heading">
                                <h2 id="console-heading">"SQL console"</h2>
                                <Console
                                    example=example
                                    script=script
                                    replace_text=replace_text
                                    database=database
                                    reset=reset
                                    export_name=slug
                                />
                            </section>
                        }
                    })}
            </div>
        }
    };
    let not_live = (demo.is_none() && lab.is_none()).then(|| {
        view! {
            <p class="notice" role="status" data-testid="not-live">
                <strong>"The interactive demo of this pattern is not built yet."</strong>
                " Meanwhile you get the reference code and a SQL console on a fresh "
                "in-browser database, preloaded with an example you can edit and run."
            </p>
        }
    });

    if embed.embed {
        serve_host(slug, Some(state_source(slug, state)));
        announce_ready();
        let open_url = move || absolute_url(slug, &state.get(), &EmbedOptions::default());
        // A sandboxed frame without `allow-popups` refuses new tabs without a word: open it
        // from script, and when nothing opened, say so and give the link to copy.
        let popup_blocked = RwSignal::new(None::<String>);
        let open_full = move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            let url = open_url();
            match window().open_with_url_and_target(&url, "_blank") {
                Ok(Some(_)) => popup_blocked.set(None),
                _ => popup_blocked.set(Some(url)),
            }
        };
        return view! {
            <article class="pattern-page embedded" data-slug=pattern.slug>
                <div class="embed-header">
                    <span class="embed-title">{pattern.title}</span>
                    <a
                        class="open-full"
                        data-testid="open-in-playground"
                        href=open_url
                        target="_blank"
                        rel="noopener"
                        on:click=open_full
                    >
                        "Open in playground ↗"
                    </a>
                </div>
                {move || popup_blocked.get().map(|url| view! {
                    <p class="notice" role="alert" data-testid="popup-blocked">
                        "The new tab was blocked (this frame may not open tabs). Copy the link to open this state: "
                        <input class="copy-url" readonly value=url.clone() on:focus=|ev| {
                            if let Some(input) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok()) {
                                input.select();
                            }
                        } />
                    </p>
                })}
                <Notices notices=notices storage_failed=storage_failed apply_state=apply_state />
                {panels}
            </article>
        }
        .into_any();
    }

    view! {
        <article class="pattern-page" data-slug=pattern.slug>
            <nav class="breadcrumb" aria-label="Breadcrumb">
                <a href="#/">"Patterns"</a>
                <span aria-hidden="true">" / "</span>
                <span>{pattern.section.title()}</span>
            </nav>
            <div class="page-title">
                <h1>{pattern.title}</h1>
                <ShareBar slug=slug title=pattern.title state=state />
            </div>
            <p class="summary">{pattern.summary}</p>
            <Notices notices=notices storage_failed=storage_failed apply_state=apply_state />
            {not_live}
            {panels}
        </article>
    }
    .into_any()
}

#[component]
fn ReferencePanel(pattern: &'static Pattern) -> impl IntoView {
    let fixes = (!pattern.fixes.is_empty()).then(|| {
        view! {
            <details class="fixes" open>
                <summary>"What we fixed in the reference's code"</summary>
                <ul>{pattern.fixes.iter().map(|fix| view! { <li>{*fix}</li> }).collect_view()}</ul>
            </details>
        }
    });
    view! {
        <section class="panel reference-panel" aria-labelledby="ref-heading">
            <h2 id="ref-heading">"Reference code"</h2>
            <CodeView code=pattern.reference_code language=pattern.code_language />
            {fixes}
        </section>
    }
}

/// Where the page's state came from, and what the user can do about it.
#[component]
pub(crate) fn Notices(
    notices: RwSignal<Vec<StateNotice>>,
    storage_failed: RwSignal<bool>,
    apply_state: Callback<PageState>,
) -> impl IntoView {
    let dismiss = move |pred: fn(&StateNotice) -> bool| notices.update(|n| n.retain(|x| !pred(x)));
    move || {
        let mut items: Vec<AnyView> = Vec::new();
        for notice in notices.get() {
            items.push(match notice {
                StateNotice::BadLink(reason) => view! {
                    <p class="notice notice-error" role="alert" data-testid="link-notice">
                        <strong>"This link could not be opened: "</strong>
                        {reason}
                        ". Showing the pattern's example instead."
                    </p>
                }
                .into_any(),
                StateNotice::RestoredEdits => view! {
                    <p class="notice notice-info" data-testid="restored-notice">
                        "Restored your edits from this browser. "
                        <button
                            class="small"
                            on:click=move |_| {
                                apply_state.run(PageState::default());
                                dismiss(|n| matches!(n, StateNotice::RestoredEdits));
                            }
                        >
                            "Reset to example"
                        </button>
                    </p>
                }
                .into_any(),
                StateNotice::LinkOverSavedEdits(saved) => {
                    view! {
                        <p class="notice notice-info" data-testid="saved-edits-notice">
                            "You opened a shared link. Your own saved edits of this pattern are still in this browser. "
                            <button
                                class="small"
                                on:click=move |_| {
                                    apply_state.run(saved.clone());
                                    dismiss(|n| matches!(n, StateNotice::LinkOverSavedEdits(_)));
                                }
                            >
                                "Open my edits"
                            </button>
                        </p>
                    }
                    .into_any()
                }
                StateNotice::StorageUnavailable => ().into_any(),
            });
        }
        let no_storage =
            notices.with(|n| n.contains(&StateNotice::StorageUnavailable)) || storage_failed.get();
        if no_storage {
            items.push(
                view! {
                    <p class="notice notice-quiet" data-testid="storage-notice">
                        "This browser does not let the page save edits (private mode, full storage or a "
                        "sandboxed frame). Everything still works; copy the permalink to keep your edits."
                    </p>
                }
                .into_any(),
            );
        }
        items
    }
}
