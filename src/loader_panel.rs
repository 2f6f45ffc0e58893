//! The loader panel: seed users with orders through the (emulated) SQLAlchemy session,
//! then load them with a chosen strategy and count the statements. Everything really runs
//! on the page's database; the console and statement log show the same data.

use leptos::prelude::*;
use sqlpatterns_core::loader_demo::{load, seed, EagerStrategy, LoadRun};
use sqlpatterns_core::model_editor::build;
use sqlpatterns_core::route::format_duration;

use crate::console::PageDatabase;

/// Most statements listed under a run (a lazy load of 500 users emits 501).
const MAX_LISTED: usize = 60;
pub const MAX_USERS: usize = 500;
pub const MAX_ORDERS: usize = 20;

/// The panel's knobs, part of the page's shareable state.
#[derive(Clone, Copy)]
pub struct LoaderKnobs {
    pub users: RwSignal<usize>,
    pub orders: RwSignal<usize>,
    /// The strategy last run (re-run when a link carries it).
    pub strategy: RwSignal<Option<EagerStrategy>>,
}

/// Builds the models into a fresh database, seeds it, and runs `strategies` on it.
fn run_strategies(
    models: &str,
    knobs: LoaderKnobs,
    strategies: &[EagerStrategy],
    database: PageDatabase,
) -> Result<Vec<LoadRun>, String> {
    let built = build(models);
    let mut db = built.database;
    seed(
        &mut db,
        &built.ir,
        knobs.users.get_untracked(),
        knobs.orders.get_untracked(),
    )?;
    let runs = strategies
        .iter()
        .map(|&s| load(&mut db, &built.ir, s))
        .collect();
    database.replace(db);
    Ok(runs)
}

fn number_input(label: &'static str, value: RwSignal<usize>, max: usize) -> impl IntoView {
    view! {
        <label class="knob">
            {label}
            <input
                type="number"
                min="0"
                max=max.to_string()
                prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    let n = event_target_value(&ev).trim().parse::<usize>().unwrap_or(0).min(max);
                    value.set(n);
                }
            />
        </label>
    }
}

#[component]
pub fn LoaderPanel(
    models: RwSignal<String>,
    knobs: LoaderKnobs,
    database: PageDatabase,
) -> impl IntoView {
    let last = RwSignal::new(None::<LoadRun>);
    let comparison = RwSignal::new(Vec::<LoadRun>::new());
    let error = RwSignal::new(None::<String>);
    let run_one = move |strategy: EagerStrategy| {
        knobs.strategy.set(Some(strategy));
        match run_strategies(&models.get_untracked(), knobs, &[strategy], database) {
            Ok(mut runs) => {
                error.set(None);
                last.set(runs.pop());
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let compare = move |_| match run_strategies(
        &models.get_untracked(),
        knobs,
        &EagerStrategy::ALL,
        database,
    ) {
        Ok(runs) => {
            error.set(None);
            comparison.set(runs);
        }
        Err(e) => error.set(Some(e)),
    };
    // A link that carries a strategy shows its run again.
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            if let Some(strategy) = knobs.strategy.get_untracked() {
                run_one(strategy);
            }
        }
    });

    let buttons = EagerStrategy::ALL
        .into_iter()
        .map(|s| {
            view! {
                <button
                    data-testid="load-strategy"
                    data-strategy=s.name()
                    class:primary=move || knobs.strategy.get() == Some(s)
                    on:click=move |_| run_one(s)
                >
                    {s.option()}
                </button>
            }
        })
        .collect_view();
    let result = move || {
        last.get().map(|run| {
            let count = run.statements.len();
            let summary = format!(
                "{}: {} statement{} · {} users · {} orders · {}",
                run.strategy.option(),
                count,
                if count == 1 { "" } else { "s" },
                run.users,
                run.orders,
                format_duration(run.duration_ms)
            );
            let hint = (run.strategy == EagerStrategy::Lazy && run.users > 1).then(|| {
                view! {
                    <p class="notice notice-info" data-testid="n-plus-one">
                        {format!(
                            "N+1 detected: User.orders was loaded lazily for each of {} users. Add \
                             .options(selectinload(User.orders)) to the query (or lazy='selectin' on \
                             the relationship).",
                            run.users
                        )}
                    </p>
                }
            });
            let more = count.saturating_sub(MAX_LISTED);
            view! {
                <p class="load-summary" data-testid="load-summary" data-count=count>{summary}</p>
                {run.error.clone().map(|e| view! { <div class="error" role="alert" data-testid="load-error">{e}</div> })}
                {hint}
                <ol class="orm-statements" data-testid="orm-statements">
                    {run
                        .statements
                        .iter()
                        .take(MAX_LISTED)
                        .map(|s| {
                            view! {
                                <li data-testid="orm-statement">
                                    <pre>{s.sql.clone()}</pre>
                                    <code class="params">{s.params.clone()}</code>
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
                {(more > 0).then(|| view! { <p class="hint">{format!("… and {more} more statements (all in the statement log below).")}</p> })}
            }
        })
    };
    let comparison_table = move || {
        let runs = comparison.get();
        (!runs.is_empty()).then(|| {
            view! {
                <table class="comparison" data-testid="strategy-comparison">
                    <thead>
                        <tr><th>"strategy"</th><th>"statements"</th><th>"orders loaded"</th><th>"time"</th></tr>
                    </thead>
                    <tbody>
                        {runs
                            .into_iter()
                            .map(|r| {
                                let statements = if r.error.is_some() { "raises".to_string() } else { r.statements.len().to_string() };
                                view! {
                                    <tr data-strategy=r.strategy.name()>
                                        <td><code>{r.strategy.option()}</code></td>
                                        <td class="cell-num">{statements}</td>
                                        <td class="cell-num">{r.orders}</td>
                                        <td class="cell-num">{format_duration(r.duration_ms)}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            }
        })
    };

    view! {
        <section class="panel loader-panel" aria-labelledby="loader-heading">
            <div class="panel-head">
                <h2 id="loader-heading">"Load users with their orders"</h2>
                <span class="model-status">"SQLAlchemy's Session, emulated; every statement really runs"</span>
            </div>
            <p class="hint">
                "Seeds the models' database through the session, then runs "
                <code>"session.execute(select(User).options(...))"</code>
                " in a fresh session and reads every user's orders, as a template would."
            </p>
            <div class="knobs">
                {number_input("Users", knobs.users, MAX_USERS)}
                {number_input("Orders per user", knobs.orders, MAX_ORDERS)}
            </div>
            <div class="strategy-buttons">{buttons}</div>
            <button data-testid="compare-strategies" on:click=compare>"Compare all strategies"</button>
            {move || error.get().map(|e| view! { <div class="error" role="alert">{e}</div> })}
            {comparison_table}
            {result}
        </section>
    }
}
