//! A live pattern page's steps: named actions that run real statements on the page's
//! database (through the emulated ORM session or directly), the one-line explanation of
//! what just happened, side-by-side comparisons, and the live tables.
//!
//! The page's state is "the models, then these step ids": the ids are in the permalink
//! and replay deterministically on a fresh, seeded database.

use leptos::prelude::*;
use sqlpatterns_core::console::{ResultSet, StatementOutcome};
use sqlpatterns_core::demo::{self, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use sqlpatterns_core::model::ModelIr;
use sqlpatterns_core::orm::Session;
use sqlpatterns_core::replay::{ReplayBudget, ReplayProgress};

use crate::console::results::ResultTable;
use crate::console::PageDatabase;
use crate::replay_notice::ReplayNotice;

/// The tables a demo shows, read with `peek` so the statement log keeps only what ran.
fn read_tables(
    demo: &'static Demo,
    database: PageDatabase,
) -> Vec<(String, Result<ResultSet, String>)> {
    database
        .db
        .try_update_value(|db| {
            demo.tables
                .iter()
                .map(|table| {
                    let rows = match db.peek(&format!("SELECT * FROM {table}")) {
                        Ok(payload) => match StatementOutcome::from(payload) {
                            StatementOutcome::Rows(rs) => Ok(rs),
                            _ => Ok(ResultSet::default()),
                        },
                        Err(e) => Err(e.message),
                    };
                    (table.to_string(), rows)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[component]
pub fn StepsPanel(
    demo: &'static Demo,
    models: RwSignal<String>,
    database: PageDatabase,
    /// Step ids run so far, in order (part of the page's shareable state).
    steps_done: RwSignal<Vec<String>>,
) -> impl IntoView {
    let session = StoredValue::new_local(None::<(ModelIr, Session)>);
    // The database version this panel installed: when another panel (the loader) replaces
    // the database, the session no longer matches it, and the next step restarts first.
    let own_version = StoredValue::new(0u64);
    let last = RwSignal::new(None::<(&'static str, StepOutcome)>);
    let tables = RwSignal::new(Vec::<(String, Result<ResultSet, String>)>::new());
    let start_error = RwSignal::new(None::<String>);
    let comparison = RwSignal::new(None::<(&'static str, ComparisonOutcome)>);
    // How far the link's steps were replayed (see `sqlpatterns_core::replay`).
    let replay = RwSignal::new(None::<ReplayProgress>);

    let restart = move || {
        match demo::start(demo, &models.get_untracked()) {
            Ok((mut db, ir, mut sess)) => {
                let ids = steps_done.get_untracked();
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                let (outcomes, progress) = demo::replay_within(
                    demo,
                    &mut DemoContext {
                        db: &mut db,
                        ir: &ir,
                        session: &mut sess,
                    },
                    &ids,
                    &ReplayBudget::default(),
                );
                let label = ids[..progress.replayed]
                    .iter()
                    .rev()
                    .find_map(|id| demo.steps.iter().find(|s| s.id == *id))
                    .map(|s| s.label);
                last.set(label.zip(outcomes.into_iter().last()));
                replay.set(Some(progress));
                database.replace(db);
                own_version.set_value(database.version.get_untracked());
                session.set_value(Some((ir, sess)));
                start_error.set(None);
            }
            Err(e) => {
                // No stale session: the steps wait until the models let the demo start.
                session.set_value(None);
                start_error.set(Some(format!(
                    "The demo's steps were written for the page's models and cannot start on the edited ones: {e}. The Migration tab shows what this change takes on a live table."
                )));
            }
        }
        tables.set(read_tables(demo, database));
    };
    // Whatever replaced the database (the loader, a reset), the tables show what it holds.
    Effect::new(move |_| {
        database.version.track();
        tables.set(read_tables(demo, database));
    });
    // Start on the page's models, and again whenever they are rebuilt (edit, reset);
    // other panels replacing the database (the loader) do not restart the demo.
    Effect::new(move |_| {
        database.rebuilt.track();
        restart();
    });
    let run_step = move |step: &'static Step| {
        if database.version.get_untracked() != own_version.get_value() {
            restart();
        }
        let outcome = session
            .try_update_value(|slot| {
                let (ir, sess) = slot.as_mut()?;
                database.db.try_update_value(|db| {
                    (step.run)(&mut DemoContext {
                        db,
                        ir: &*ir,
                        session: sess,
                    })
                })
            })
            .flatten();
        let outcome = outcome
            .unwrap_or_else(|| StepOutcome::failed("The demo is not running.", "no session"));
        // A step after a stopped replay: the trail is what ran, then it.
        let replayed = replay.get_untracked().map(|p| p.replayed);
        replay.set(None);
        steps_done.update(|ids| {
            if let Some(replayed) = replayed {
                ids.truncate(replayed);
            }
            ids.push(step.id.to_string());
        });
        last.set(Some((step.label, outcome)));
        database.touch();
        tables.set(read_tables(demo, database));
    };
    // The rest of a link's steps that stopped at the replay budget, within it again.
    let replay_rest = Callback::new(move |()| {
        let Some(so_far) = replay.get_untracked() else {
            return;
        };
        let ids = steps_done.get_untracked();
        let rest: Vec<&str> = ids[so_far.replayed.min(ids.len())..]
            .iter()
            .map(String::as_str)
            .collect();
        let more = session
            .try_update_value(|slot| {
                let (ir, sess) = slot.as_mut()?;
                database.db.try_update_value(|db| {
                    let ctx = &mut DemoContext {
                        db,
                        ir: &*ir,
                        session: sess,
                    };
                    demo::replay_within(demo, ctx, &rest, &ReplayBudget::default())
                })
            })
            .flatten();
        if let Some((outcomes, more)) = more {
            let label = rest[..more.replayed]
                .iter()
                .rev()
                .find_map(|id| demo.steps.iter().find(|s| s.id == *id))
                .map(|s| s.label);
            if let Some(shown) = label.zip(outcomes.into_iter().last()) {
                last.set(Some(shown));
            }
            replay.set(Some(so_far.followed_by(&more)));
        }
        database.touch();
        tables.set(read_tables(demo, database));
    });
    let start_over = move |_| {
        replay.set(None);
        steps_done.set(Vec::new());
        last.set(None);
        restart();
    };

    let buttons = demo
        .steps
        .iter()
        .map(|step| {
            view! {
                <button
                    data-testid="step"
                    data-step=step.id
                    disabled=move || start_error.with(Option::is_some)
                    on:click=move |_| run_step(step)
                >
                    {step.label}
                </button>
            }
        })
        .collect_view();
    let comparisons = demo
        .comparisons
        .iter()
        .map(|c| {
            view! {
                <button
                    data-testid="comparison-button"
                    on:click=move |_| comparison.set(Some((c.title, (c.run)())))
                >
                    {c.title}
                </button>
            }
        })
        .collect_view();
    let outcome = move || {
        last.get().map(|(label, outcome)| {
            view! {
                <div class="step-outcome" data-testid="step-outcome">
                    <strong>{label}</strong>
                    " "
                    {outcome.explanation}
                    {outcome.error.map(|e| view! { <div class="error" role="alert" data-testid="step-error">{e}</div> })}
                </div>
            }
        })
    };
    let comparison_view = move || {
        comparison.get().map(|(title, c)| {
            let column = |lines: Vec<String>| lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view();
            view! {
                <div class="comparison-result" data-testid="comparison">
                    <h3>{title}</h3>
                    <div class="side-by-side">
                        <div class="with"><h4>"With the pattern"</h4><ul>{column(c.with_pattern)}</ul></div>
                        <div class="without"><h4>"Without it"</h4><ul>{column(c.without_pattern)}</ul></div>
                    </div>
                    <p class="verdict">{c.verdict}</p>
                </div>
            }
        })
    };
    let live_tables = move || {
        tables
            .get()
            .into_iter()
            .map(|(name, rows)| {
                let body = match rows {
                    Ok(rs) => view! { <ResultTable rs=rs testid="live-rows" /> }.into_any(),
                    Err(e) => view! { <p class="error">{e}</p> }.into_any(),
                };
                let heading = name.clone();
                view! {
                    <div class="live-table" data-testid="live-table" data-table=name>
                        <h3>{heading}</h3>
                        {body}
                    </div>
                }
            })
            .collect_view()
    };
    let trail = move || {
        let mut ids = steps_done.get();
        // Steps of a link not replayed yet are not "so far".
        if let Some(replayed) = replay.get().map(|p| p.replayed) {
            ids.truncate(replayed);
        }
        (!ids.is_empty()).then(|| {
            let labels: Vec<&str> = ids
                .iter()
                .filter_map(|id| demo.steps.iter().find(|s| s.id == id).map(|s| s.label))
                .collect();
            view! { <p class="trail" data-testid="step-trail">"Steps so far: " {labels.join(" → ")}</p> }
        })
    };

    view! {
        <section class="panel steps-panel" aria-labelledby="steps-heading">
            <div class="panel-head">
                <h2 id="steps-heading">"Try it"</h2>
                {demo.engine_note.map(|note| view! { <span class="engine-note" data-testid="engine-note">{note}</span> })}
            </div>
            {move || start_error.get().map(|e| view! { <div class="error" role="alert">{e}</div> })}
            <div class="step-buttons">
                {buttons}
                <button class="small" on:click=start_over title="Back to the seeded database">"Start over"</button>
            </div>
            <ReplayNotice progress=replay on_continue=replay_rest />
            {trail}
            {outcome}
            {(!demo.comparisons.is_empty()).then(|| view! { <div class="step-buttons comparisons">{comparisons}</div> })}
            {comparison_view}
            <div class="live-tables">{live_tables}</div>
        </section>
    }
}
