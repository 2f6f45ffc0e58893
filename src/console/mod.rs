//! The SQL console: editor, Run, one result per statement, and the statement log.
//! All logic (splitting, running, converting values) is in `sqlpatterns_core::console`.

pub mod editor;
mod log_view;
pub mod results;

use leptos::prelude::*;
use sqlpatterns_core::console::{run_script, ScriptRun};
use sqlpatterns_core::engine::{Database, LogEntry};

use editor::{CodeEditor, LineMark};
use log_view::StatementLogView;
use results::ScriptResults;
use sqlpatterns_core::catalogue::CodeLanguage;

/// The page's database, shared by its panels: the model editor replaces it when the
/// models change (and bumps `version`); the console runs on whatever it holds.
#[derive(Clone, Copy)]
pub struct PageDatabase {
    pub db: StoredValue<Database, LocalStorage>,
    /// Bumped when the database is replaced (models rebuilt, reset).
    pub version: RwSignal<u64>,
    /// Bumped when something other than the console ran statements on it (a step).
    pub activity: RwSignal<u64>,
    /// Bumped when the database was rebuilt from the models (edit, reset): a live demo
    /// re-seeds and replays its steps then.
    pub rebuilt: RwSignal<u64>,
}

impl PageDatabase {
    pub fn new(database: Database) -> Self {
        Self {
            db: StoredValue::new_local(database),
            version: RwSignal::new(0),
            activity: RwSignal::new(0),
            rebuilt: RwSignal::new(0),
        }
    }

    /// Installs a database freshly built from the models.
    pub fn replace_from_models(&self, database: Database) {
        self.replace(database);
        self.rebuilt.update(|v| *v += 1);
    }

    pub fn replace(&self, database: Database) {
        self.db.set_value(database);
        self.version.update(|v| *v += 1);
    }

    /// Says that statements ran on the database in place (the log has new entries).
    pub fn touch(&self) {
        self.activity.update(|v| *v += 1);
    }
}

/// `script` is the page's console text (part of its shareable state); bumping
/// `replace_text` makes the editor take a new text from it. `reset` rebuilds the page's
/// database from scratch (empty, or from its models). `export_name` names the files the
/// exports download (`<name>.sql`, `<name>-log.sql`).
#[component]
pub fn Console(
    example: &'static str,
    script: RwSignal<String>,
    replace_text: RwSignal<u32>,
    database: PageDatabase,
    reset: Callback<()>,
    export_name: &'static str,
) -> impl IntoView {
    let db = database.db;
    let last_run = RwSignal::new(None::<ScriptRun>);
    let log = RwSignal::new(Vec::<LogEntry>::new());
    // A new database (rebuilt models, reset): show its own log, drop stale results.
    Effect::new(move |_| {
        database.version.track();
        log.set(db.with_value(|db| db.log().entries().to_vec()));
        last_run.set(None);
    });
    // Statements run by a step: the log grows, the console's last results stay.
    Effect::new(move |_| {
        database.activity.track();
        log.set(db.with_value(|db| db.log().entries().to_vec()));
    });

    let run = move || {
        let text = script.get_untracked();
        let outcome = db
            .try_update_value(|db| run_script(db, &text))
            .unwrap_or_default();
        log.set(db.with_value(|db| db.log().entries().to_vec()));
        last_run.set(Some(outcome));
    };
    let reset_database = move |_| reset.run(());
    let restore_example = move |_| {
        script.set(example.to_string());
        replace_text.update(|n| *n += 1);
    };
    let clear_log = move || {
        db.update_value(Database::clear_log);
        log.set(Vec::new());
    };
    // What the last export did, shown beside the button until the next one.
    let exported = RwSignal::new(None::<String>);
    let export_database = move |_| {
        let dump = db.with_value(Database::sql_dump);
        let file = format!("{export_name}.sql");
        let mut said = if crate::download::download_text(&file, "application/sql", &dump.sql) {
            format!(
                "Saved {file}: {} table{}, {} row{} (psql -v ON_ERROR_STOP=1 -f {file})",
                dump.tables,
                if dump.tables == 1 { "" } else { "s" },
                dump.rows,
                if dump.rows == 1 { "" } else { "s" },
            )
        } else {
            "This browser refused the download.".to_string()
        };
        for what in &dump.left_out {
            said.push_str(&format!(". Left out: {what}"));
        }
        exported.set(Some(said));
    };
    let export_log = Callback::new(move |()| {
        let sql = log.with(|entries| sqlpatterns_core::export::log_sql(entries));
        let file = format!("{export_name}-log.sql");
        let saved = crate::download::download_text(&file, "application/sql", &sql);
        exported.set(Some(if saved {
            format!("Saved {file}: the statement log as a script")
        } else {
            "This browser refused the download.".to_string()
        }));
    });
    let marks = Signal::derive(move || {
        last_run.with(|run| {
            run.iter()
                .flat_map(|run| run.statements.iter())
                .filter_map(|s| s.outcome.as_ref().err())
                .map(|e| LineMark {
                    line: e.line,
                    is_error: true,
                })
                .collect::<Vec<_>>()
        })
    });

    view! {
        <div class="console">
            <CodeEditor
                text=script
                language=CodeLanguage::Sql
                testid="sql-editor"
                label="SQL script (Ctrl+Enter or Cmd+Enter runs it)"
                on_run=run
                marks=marks
                replace_text=replace_text
            />
            <div class="console-toolbar">
                <button class="primary" data-testid="run-sql" on:click=move |_| run()>
                    "Run"
                    <kbd>"Ctrl"</kbd>
                    <kbd>"Enter"</kbd>
                </button>
                <button on:click=restore_example title="Put the example script back in the editor">
                    "Restore example"
                </button>
                <button on:click=reset_database title="Start again from the page's initial database">
                    "Reset database"
                </button>
                <button
                    data-testid="export-dump"
                    on:click=export_database
                    title="Download the page's database as SQL that PostgreSQL loads: tables, rows, constraints and indexes"
                >
                    "Export database"
                </button>
                <span class="export-status" data-testid="export-status" role="status">
                    {move || exported.get()}
                </span>
            </div>
            <div class="console-output" aria-live="polite">
                {move || last_run.get().map(|run| view! { <ScriptResults run=run /> })}
            </div>
            <StatementLogView log=log on_clear=clear_log on_export=export_log />
        </div>
    }
}
