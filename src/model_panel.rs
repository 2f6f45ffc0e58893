//! The model editor: SQLAlchemy models in, live DDL, ER diagram and database out.
//! Edits rebuild (debounced) through `sqlpatterns_core::model_editor::build`; the rebuilt
//! database replaces the page's, so the console runs on the tables the models define.

use leptos::prelude::*;
use sqlpatterns_core::catalogue::{CodeLanguage, Pattern};
use sqlpatterns_core::model::Severity;
use sqlpatterns_core::model_editor::{build, no_tables_note, DdlRun, LiveTable};
use std::time::Duration;

use crate::code_view::highlighted;
use crate::console::editor::{CodeEditor, LineMark};
use crate::console::PageDatabase;
use crate::migration_tab::{MigrationState, MigrationTab};

/// What the panel shows of one build (the database itself goes to the page).
#[derive(Clone, Debug, Default, PartialEq)]
struct BuildView {
    diagnostics: Vec<(u32, u32, bool, String)>,
    ddl: String,
    ddl_runs: Vec<DdlRun>,
    svg: String,
    tables: Vec<LiveTable>,
    table_count: usize,
    errors: usize,
    used_prelude: bool,
    /// Why there is no table, when there is none.
    no_tables: Option<String>,
}

/// What the previous database held, to say what a rebuild could not keep.
fn holdings(database: PageDatabase) -> (Vec<String>, usize) {
    database.db.with_value(|db| {
        let tables = db.table_names();
        let rows = tables.iter().map(|t| db.row_count(t).unwrap_or(0)).sum();
        (tables, rows)
    })
}

/// One line after a rebuild: what was kept, what was not.
fn rebuild_note(
    before: (Vec<String>, usize),
    after: &[LiveTable],
    replays_demo: bool,
) -> Option<String> {
    let (tables_before, rows_before) = before;
    let gone: Vec<&String> = tables_before
        .iter()
        .filter(|t| !after.iter().any(|a| &a.name == *t))
        .collect();
    let mut parts = Vec::new();
    if replays_demo {
        parts.push("Database rebuilt from the models, and the demo starts again on it (its seed, then your steps); rows added from the console were not kept".to_string());
    } else if rows_before > 0 {
        parts.push(format!(
            "Database rebuilt from the models: the {rows_before} row{} it held {} not kept",
            if rows_before == 1 { "" } else { "s" },
            if rows_before == 1 { "was" } else { "were" }
        ));
    }
    if !gone.is_empty() {
        let names: Vec<&str> = gone.iter().map(|s| s.as_str()).collect();
        parts.push(format!("no longer defined: {}", names.join(", ")));
    }
    (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
}

/// Builds `source`, hands its database to the page, and returns what to show.
fn rebuild(source: &str, database: PageDatabase) -> BuildView {
    let build = build(source);
    let view = BuildView {
        diagnostics: build
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.line,
                    d.column,
                    d.severity == Severity::Error,
                    d.message.clone(),
                )
            })
            .collect(),
        ddl: build.ddl.clone(),
        ddl_runs: build.ddl_runs.clone(),
        svg: build.svg.clone(),
        tables: build.tables.clone(),
        table_count: build.ir.tables.len(),
        errors: build.error_count(),
        used_prelude: build.used_prelude,
        no_tables: no_tables_note(&build.ir),
    };
    database.replace_from_models(build.database);
    view
}

pub const VIEWS: [(&str, &str); 4] = [
    ("diagram", "Diagram"),
    ("ddl", "DDL"),
    ("tables", "Tables"),
    ("migration", "Migration"),
];

#[component]
pub fn ModelPanel(
    pattern: &'static Pattern,
    models: RwSignal<String>,
    replace_models: RwSignal<u32>,
    view: RwSignal<String>,
    database: PageDatabase,
    /// Bumped by the console's "Reset database": rebuild from the models now.
    rebuild_now: RwSignal<u32>,
    /// The page has a live demo, which re-seeds and replays its steps after a rebuild.
    replays_demo: bool,
    /// The Migration tab's state (in the permalink).
    migration_state: MigrationState,
) -> impl IntoView {
    let note = RwSignal::new(None::<String>);
    let current = RwSignal::new(rebuild(&models.get_untracked(), database));
    // "Keeps the last good diagram": while the source has errors, the diagram of the last
    // version without errors stays up, marked as such.
    let last_good_svg =
        RwSignal::new(current.with_untracked(|b| (b.errors == 0).then(|| b.svg.clone())));
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    let apply = move || {
        let before = holdings(database);
        let built = rebuild(&models.get_untracked(), database);
        note.set(rebuild_note(before, &built.tables, replays_demo));
        if built.errors == 0 {
            last_good_svg.set(Some(built.svg.clone()));
        }
        current.set(built);
    };
    // Rebuild as the user types, debounced so a burst of keys is one rebuild.
    Effect::new(move |first: Option<()>| {
        models.track();
        if first.is_some() {
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            pending.set_value(set_timeout_with_handle(apply, Duration::from_millis(300)).ok());
        }
    });
    Effect::new(move |first: Option<()>| {
        rebuild_now.track();
        if first.is_some() {
            apply();
        }
    });

    let marks = Signal::derive(move || {
        current.with(|b| {
            b.diagnostics
                .iter()
                .map(|(line, _, is_error, _)| LineMark {
                    line: *line,
                    is_error: *is_error,
                })
                .collect::<Vec<_>>()
        })
    });
    let status = move || {
        current.with(|b| {
            let tables = format!(
                "{} table{}",
                b.table_count,
                if b.table_count == 1 { "" } else { "s" }
            );
            let errors = match b.errors {
                0 => "no errors".to_string(),
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            };
            let failed = b.ddl_runs.iter().filter(|r| r.error.is_some()).count();
            let ddl = if failed == 0 {
                String::new()
            } else {
                format!(
                    " · {failed} DDL statement{} could not run",
                    if failed == 1 { "" } else { "s" }
                )
            };
            format!("{tables} · {errors}{ddl}")
        })
    };
    let diagnostics = move || {
        current.with(|b| {
            b.diagnostics
                .iter()
                .map(|(line, column, is_error, message)| {
                    view! {
                        <li class:diag-error=*is_error class:diag-warn=!*is_error>
                            <span class="diag-pos">{format!("line {line}, column {column}")}</span>
                            {message.clone()}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let tab = move |(id, label): (&'static str, &'static str)| {
        view! {
            <button
                role="tab"
                class="tab"
                data-view=id
                aria-selected=move || (view.get() == id).to_string()
                on:click=move |_| view.set(id.to_string())
            >
                {label}
            </button>
        }
    };
    let output = move || {
        match view.get().as_str() {
        "migration" => view! {
            <MigrationTab original=pattern.reference_code models=models state=migration_state />
        }
        .into_any(),
        "ddl" => current
            .with(|b| {
                let failures = b
                    .ddl_runs
                    .iter()
                    .filter_map(|r| r.error.as_ref().map(|e| (r.sql.lines().next().unwrap_or("").to_string(), e.clone())))
                    .map(|(sql, error)| view! { <li><code>{sql}</code> " — " {error}</li> })
                    .collect_view();
                view! {
                    <pre class="code-block ddl" data-testid="ddl">{highlighted(&b.ddl, CodeLanguage::Sql)}</pre>
                    <ul class="ddl-failures">{failures}</ul>
                }
            })
            .into_any(),
        "tables" => current
            .with(|b| {
                let rows = b
                    .tables
                    .iter()
                    .map(|t| view! { <tr><td>{t.name.clone()}</td><td class="cell-num">{t.rows}</td></tr> })
                    .collect_view();
                view! {
                    <table data-testid="live-tables">
                        <thead><tr><th>"table"</th><th>"rows"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <p class="hint">"The console below runs on these tables."</p>
                }
            })
            .into_any(),
        _ => {
            let errors = current.with(|b| b.errors);
            let (svg, stale) = match (errors, last_good_svg.get()) {
                (0, _) | (_, None) => (current.with(|b| b.svg.clone()), false),
                (_, Some(good)) => (good, true),
            };
            view! {
                {stale.then(|| view! {
                    <p class="stale" data-testid="stale-diagram">
                        "The models have errors: this is the diagram of the last version without errors."
                    </p>
                })}
                {current.with(|b| b.no_tables.clone()).map(|note| view! {
                    <p class="hint" data-testid="no-tables">{note}</p>
                })}
                // The SVG is generated by the core, with every name XML-escaped (tested there).
                <div class="diagram" data-testid="diagram" inner_html=svg></div>
            }
            .into_any()
        }
    }
    };

    view! {
        <section class="panel model-panel" aria-labelledby="models-heading">
            <div class="panel-head">
                <h2 id="models-heading">"Models"</h2>
                <span class="model-status" data-testid="model-status">{status}</span>
            </div>
            {move || note.get().map(|n| view! { <p class="rebuild-note" data-testid="rebuild-note">{n}</p> })}
            <p class="hint">
                "Edit the SQLAlchemy models: the DDL, the diagram and the database follow as you type."
                {move || current.with(|b| b.used_prelude).then_some(
                    " Base, UUIDMixin, TimestampMixin and BaseModel come from the Base Model pattern.",
                )}
            </p>
            <div class="model-grid">
                <div class="model-source">
                    <CodeEditor
                        text=models
                        language=CodeLanguage::Python
                        testid="model-editor"
                        label="SQLAlchemy models (Ctrl+Enter rebuilds now)"
                        on_run=apply
                        marks=marks
                        replace_text=replace_models
                    />
                    <ul class="diagnostics" data-testid="diagnostics">{diagnostics}</ul>
                    {(!pattern.fixes.is_empty()).then(|| view! {
                        <details class="fixes">
                            <summary>"What we fixed in the reference's code"</summary>
                            <ul>{pattern.fixes.iter().map(|fix| view! { <li>{*fix}</li> }).collect_view()}</ul>
                        </details>
                    })}
                </div>
                <div class="model-output">
                    <div class="tabs" role="tablist" aria-label="Model output">{VIEWS.map(tab).collect_view()}</div>
                    <div class="tab-body">{output}</div>
                </div>
            </div>
        </section>
    }
}
