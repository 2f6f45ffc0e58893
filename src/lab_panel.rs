//! A lab page's panel: its knobs, its action buttons, and the blocks its view returns
//! (metrics, tables, charts, timelines, statements), all rendered generically. The lab
//! itself (what runs, what is measured) is plain Rust in `sqlpatterns_core`.
//!
//! The page's state is "these knob values, then these action ids": both are in the
//! permalink and replay from it. A change of knobs starts the lab over with them.

use std::collections::BTreeMap;
use std::time::Duration;

use leptos::prelude::*;
use sqlpatterns_core::engine::{LogEntry, LogOutcome};
use sqlpatterns_core::lab::svg::{chart_svg, format_number, timeline_svg};
use sqlpatterns_core::lab::{
    self, ActionSpec, Block, Cell, KnobKind, KnobSpec, KnobValues, Lab, LabRun, NoteKind,
    TableBlock,
};
use sqlpatterns_core::replay::{ReplayBudget, ReplayProgress};
use sqlpatterns_core::route::format_duration;

use crate::console::PageDatabase;
use crate::replay_notice::ReplayNotice;

/// The lab's state, shared with the page (which puts it in the permalink).
#[derive(Clone, Copy)]
pub struct LabState {
    /// Knob values as the link carries them (only the ones that differ from the defaults).
    pub knobs: RwSignal<BTreeMap<String, String>>,
    /// Action ids run since the start, in order.
    pub actions: RwSignal<Vec<String>>,
    /// Bumped by the console's Reset: the lab starts again from its knobs.
    pub restart: RwSignal<u32>,
}

/// A trail this long is a runaway (or a tampered link): the page keeps the last ones.
const MAX_TRAIL: usize = 200;

#[component]
pub fn LabPanel(lab: &'static Lab, state: LabState, database: PageDatabase) -> impl IntoView {
    // A link's knob values outside their specs are read as the lab reads them (clamped, or
    // the default), and the inputs show those values, with a line saying what changed.
    let adjusted = KnobValues::adjustments(lab.knobs, &state.knobs.get_untracked());
    if !adjusted.is_empty() {
        let values = KnobValues::from_raw(lab.knobs, &state.knobs.get_untracked());
        state.knobs.set(values.non_default(lab.knobs));
    }
    let knob_notice = (!adjusted.is_empty()).then(|| {
        format!(
            "This link's knob values were adjusted: {}.",
            adjusted.join("; ")
        )
    });
    let run = StoredValue::new_local(None::<Box<dyn LabRun>>);
    let blocks = RwSignal::new_local(Vec::<Block>::new());
    let actions = RwSignal::new(Vec::<ActionSpec>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // How far the link's trail was replayed (see `sqlpatterns_core::replay`).
    let replay = RwSignal::new(None::<ReplayProgress>);

    let refresh = move || {
        let view = run
            .try_update_value(|slot| {
                let run = slot.as_mut()?;
                actions.set(run.actions());
                database.db.try_update_value(|db| run.view(db))
            })
            .flatten();
        blocks.set(view.map(|v| v.blocks).unwrap_or_default());
    };
    // Heavy work (a 100k-row seed) runs after the browser has painted "Running…".
    let later = move |work: Box<dyn FnOnce()>| {
        busy.set(true);
        set_timeout(
            move || {
                work();
                busy.set(false);
            },
            Duration::from_millis(20),
        );
    };
    let skipped_note = |skipped: &[String]| {
        (!skipped.is_empty()).then(|| {
            format!(
                "Some actions of this link were skipped: {}",
                skipped.join("; ")
            )
        })
    };
    let restart = move || {
        later(Box::new(move || {
            let knobs = KnobValues::from_raw(lab.knobs, &state.knobs.get_untracked());
            let trail = state.actions.get_untracked();
            match lab::replay_within(lab, &knobs, &trail, &ReplayBudget::default()) {
                Ok(replayed) => {
                    database.replace(replayed.db);
                    run.set_value(Some(replayed.run));
                    error.set(skipped_note(&replayed.skipped));
                    replay.set(Some(replayed.progress));
                }
                Err(e) => {
                    run.set_value(None);
                    replay.set(None);
                    error.set(Some(format!("The lab could not start: {e}")));
                }
            }
            refresh();
        }));
    };
    // The rest of a link's trail that stopped at the replay budget, within it again.
    let replay_rest = Callback::new(move |()| {
        later(Box::new(move || {
            let Some(so_far) = replay.get_untracked() else {
                return;
            };
            let trail = state.actions.get_untracked();
            let rest = trail.get(so_far.replayed..).unwrap_or_default();
            let more = run
                .try_update_value(|slot| {
                    let run = slot.as_mut()?;
                    database.db.try_update_value(|db| {
                        lab::replay_more(run.as_mut(), db, rest, &ReplayBudget::default())
                    })
                })
                .flatten();
            if let Some((skipped, more)) = more {
                error.set(skipped_note(&skipped));
                replay.set(Some(so_far.followed_by(&more)));
            }
            database.touch();
            refresh();
        }));
    });
    // Start, and start again on Reset.
    Effect::new(move |_| {
        state.restart.track();
        restart();
    });
    let apply = move |id: String| {
        later(Box::new(move || {
            let outcome = run
                .try_update_value(|slot| {
                    let run = slot.as_mut()?;
                    database.db.try_update_value(|db| run.apply(db, &id))
                })
                .flatten()
                .unwrap_or_else(|| Err("The lab is not running.".into()));
            match outcome {
                Ok(()) => {
                    // A new action after a stopped replay: the trail is what ran, then it
                    // (the part of the link not replayed is dropped).
                    let replayed = replay.get_untracked().map(|p| p.replayed);
                    replay.set(None);
                    state.actions.update(|trail| {
                        if let Some(replayed) = replayed {
                            trail.truncate(replayed);
                        }
                        trail.push(id);
                        let excess = trail.len().saturating_sub(MAX_TRAIL);
                        trail.drain(..excess);
                    });
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            database.touch();
            refresh();
        }));
    };
    let set_knob = move |spec: &'static KnobSpec, value: String| {
        let mut values = KnobValues::from_raw(lab.knobs, &state.knobs.get_untracked());
        // A blur after an edit fires `change` again: the same value changes nothing.
        if values.get(spec.id) == value.trim() {
            return;
        }
        if !values.set(lab.knobs, spec.id, &value) {
            error.set(Some(format!(
                "{}: {value:?} is not a valid value.",
                spec.label
            )));
            return;
        }
        state.knobs.set(values.non_default(lab.knobs));
        // New knobs, new experiment: the actions of the old one may not even exist now
        // (a plan with fewer phases), so the lab starts over.
        state.actions.set(Vec::new());
        restart();
    };
    let start_over = move |_| {
        state.actions.set(Vec::new());
        restart();
    };

    let knob_inputs = lab
        .knobs
        .iter()
        .map(|spec| view! { <KnobInput spec=spec knobs=state.knobs on_set=set_knob /> })
        .collect_view();
    let buttons = move || {
        actions
            .get()
            .into_iter()
            .map(|action| {
                let id = action.id.clone();
                view! {
                    <button
                        data-testid="lab-action"
                        data-action=action.id.clone()
                        class:primary=action.primary
                        disabled=move || !action.enabled || busy.get()
                        on:click=move |_| apply(id.clone())
                    >
                        {action.label.clone()}
                    </button>
                }
            })
            .collect_view()
    };
    let note = lab.note.map(|text| {
        view! { <p class="engine-note" data-testid="engine-note">{text}</p> }
    });

    view! {
        <section class="panel lab-panel" aria-labelledby="lab-heading" data-testid="lab">
            <h2 id="lab-heading">"Live lab"</h2>
            {note}
            <div class="lab-knobs">{knob_inputs}</div>
            {knob_notice.map(|n| view! { <p class="rebuild-note" role="status" data-testid="knob-notice">{n}</p> })}
            <div class="lab-actions">
                {buttons}
                <button class="secondary" data-testid="lab-reset" on:click=start_over>
                    "Start over"
                </button>
                <span
                    class="lab-busy"
                    data-testid="lab-busy"
                    data-busy=move || if busy.get() { "1" } else { "0" }
                    aria-live="polite"
                >
                    {move || busy.get().then_some("Running…")}
                </span>
            </div>
            <ReplayNotice progress=replay on_continue=replay_rest />
            {move || {
                error
                    .get()
                    .map(|e| view! { <p class="step-error" role="alert" data-testid="lab-error">{e}</p> })
            }}
            <div class="lab-blocks" data-testid="lab-blocks">
                {move || blocks.with(|b| b.iter().map(render_block).collect_view())}
            </div>
        </section>
    }
}

/// One knob: a number with presets, a choice, or a toggle.
#[component]
fn KnobInput(
    spec: &'static KnobSpec,
    knobs: RwSignal<BTreeMap<String, String>>,
    on_set: impl Fn(&'static KnobSpec, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let value = move || {
        knobs
            .with(|k| k.get(spec.id).cloned())
            .unwrap_or_else(|| spec.default.to_string())
    };
    let input = match spec.kind {
        KnobKind::Int { min, max, presets } => {
            let list = format!("knob-{}-presets", spec.id);
            view! {
                <input
                    type="number"
                    min=min
                    max=max
                    list=list.clone()
                    prop:value=value
                    on:change=move |ev| on_set(spec, event_target_value(&ev))
                />
                <datalist id=list>
                    {presets.iter().map(|p| view! { <option value=p.to_string()></option> }).collect_view()}
                </datalist>
            }
            .into_any()
        }
        KnobKind::Choice(options) => view! {
            <select prop:value=value on:change=move |ev| on_set(spec, event_target_value(&ev))>
                {options
                    .iter()
                    .map(|(v, label)| {
                        view! { <option value=*v selected=move || value() == *v>{*label}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        KnobKind::Toggle => view! {
            <input
                type="checkbox"
                prop:checked=move || value() == "1"
                on:change=move |ev| {
                    on_set(spec, if event_target_checked(&ev) { "1" } else { "0" }.into())
                }
            />
        }
        .into_any(),
    };
    view! {
        <label class="knob" data-testid="knob" data-knob=spec.id title=spec.help>
            <span>{spec.label}</span>
            {input}
        </label>
    }
}

fn note_class(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Simulation => "lab-note note-simulation",
        NoteKind::Engine => "lab-note note-engine",
        NoteKind::Info => "lab-note note-info",
        NoteKind::Warning => "lab-note note-warning",
    }
}

pub(crate) fn render_block(block: &Block) -> AnyView {
    match block {
        Block::Outcome { id, text, error } => view! {
            <div class="step-outcome" data-block=id.clone() data-testid="lab-outcome">
                <p>{text.clone()}</p>
                {error.clone().map(|e| view! { <p class="step-error" data-testid="lab-outcome-error">{e}</p> })}
            </div>
        }
        .into_any(),
        Block::Note { id, kind, text } => view! {
            <p class=note_class(*kind) data-block=id.clone()>{text.clone()}</p>
        }
        .into_any(),
        Block::Metrics { id, title, items } => view! {
            <div class="lab-metrics" data-block=id.clone()>
                <h3>{title.clone()}</h3>
                <dl>
                    {items
                        .iter()
                        .map(|m| {
                            view! {
                                <div data-metric=m.key.clone() data-status=m.status.as_str()>
                                    <dt>{m.label.clone()}</dt>
                                    <dd>{m.value.clone()}</dd>
                                </div>
                            }
                        })
                        .collect_view()}
                </dl>
            </div>
        }
        .into_any(),
        Block::Table(table) => render_table(table),
        Block::Chart(chart) => {
            let data = chart
                .series
                .iter()
                .flat_map(|s| {
                    s.points.iter().map(move |(x, y)| {
                        view! {
                            <tr>
                                <td>{s.name.clone()}</td>
                                <td>{format_number(*x)}</td>
                                <td>{format_number(*y)}</td>
                            </tr>
                        }
                    })
                })
                .collect_view();
            view! {
                <figure class="lab-chart" data-block=chart.id.clone()>
                    <figcaption>{chart.title.clone()}</figcaption>
                    <div class="chart-svg" inner_html=chart_svg(chart)></div>
                    <details class="chart-data">
                        <summary>"The numbers"</summary>
                        <table>
                            <thead>
                                <tr>
                                    <th>"series"</th>
                                    <th>{chart.x_label.clone()}</th>
                                    <th>{chart.y_label.clone()}</th>
                                </tr>
                            </thead>
                            <tbody>{data}</tbody>
                        </table>
                    </details>
                </figure>
            }
            .into_any()
        }
        Block::Timeline(timeline) => view! {
            <figure class="lab-timeline" data-block=timeline.id.clone()>
                <figcaption>{timeline.title.clone()}</figcaption>
                <div class="timeline-svg" inner_html=timeline_svg(timeline)></div>
            </figure>
        }
        .into_any(),
        Block::Statements { id, title, entries, omitted } => view! {
            <div class="lab-statements" data-block=id.clone()>
                <h3>{format!("{title} ({})", entries.len() + omitted)}</h3>
                <ol>{entries.iter().map(render_statement).collect_view()}</ol>
                {(*omitted > 0).then(|| view! { <p class="log-more">{format!("… and {omitted} more statements")}</p> })}
            </div>
        }
        .into_any(),
        Block::Code { id, title, language, text } => view! {
            <div class="lab-code" data-block=id.clone()>
                <h3>{title.clone()}</h3>
                <pre class=format!("code language-{language}")><code>{text.clone()}</code></pre>
            </div>
        }
        .into_any(),
    }
}

fn render_statement(entry: &LogEntry) -> impl IntoView {
    let outcome = match &entry.outcome {
        LogOutcome::Rows(n) => format!("{n} rows"),
        LogOutcome::Affected(n) => format!("{n} affected"),
        LogOutcome::Done => "ok".into(),
        LogOutcome::Failed(e) => format!("error: {e}"),
    };
    let failed = matches!(entry.outcome, LogOutcome::Failed(_));
    view! {
        <li class="lab-statement" class:failed=failed data-testid="lab-statement">
            <code>{entry.sql.clone()}</code>
            <span class="log-meta">
                {format!(
                    "{} · {} · {} rows examined",
                    format_duration(entry.duration_ms),
                    outcome,
                    format_number(entry.rows_examined as f64),
                )}
            </span>
        </li>
    }
}

fn render_cell(cell: &Cell) -> impl IntoView {
    view! {
        <td data-status=cell.status.as_str() title=cell.detail.clone()>
            {cell.text.clone()}
            {cell.detail.clone().map(|d| view! { <small class="cell-detail">{d}</small> })}
        </td>
    }
}

fn render_table(table: &TableBlock) -> AnyView {
    view! {
        <div class="lab-table" data-block=table.id.clone()>
            <h3>{table.title.clone()}</h3>
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>{table.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {table
                            .rows
                            .iter()
                            .map(|row| view! { <tr>{row.iter().map(render_cell).collect_view()}</tr> })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            {(table.omitted > 0).then(|| view! { <p class="log-more">{format!("… and {} more rows", table.omitted)}</p> })}
        </div>
    }
    .into_any()
}
