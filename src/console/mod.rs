//! The SQL console: editor, Run, one result per statement, and the statement log.
//! All logic (splitting, running, converting values) is in `sqlpatterns_core::console`.

mod editor;
mod log_view;
mod results;

use leptos::prelude::*;
use sqlpatterns_core::console::{run_script, ScriptRun};
use sqlpatterns_core::engine::{Database, LogEntry};

use editor::SqlEditor;
use log_view::StatementLogView;
use results::ScriptResults;

/// `script` is the page's console text (part of its shareable state); bumping
/// `replace_text` makes the editor take a new text from it.
#[component]
pub fn Console(
    example: &'static str,
    script: RwSignal<String>,
    replace_text: RwSignal<u32>,
) -> impl IntoView {
    let db = StoredValue::new_local(Database::new());
    let last_run = RwSignal::new(None::<ScriptRun>);
    let log = RwSignal::new(Vec::<LogEntry>::new());

    let run = move || {
        let text = script.get_untracked();
        let outcome = db
            .try_update_value(|db| run_script(db, &text))
            .unwrap_or_default();
        log.set(db.with_value(|db| db.log().entries().to_vec()));
        last_run.set(Some(outcome));
    };
    let reset_database = move |_| {
        db.set_value(Database::new());
        last_run.set(None);
        log.set(Vec::new());
    };
    let restore_example = move |_| {
        script.set(example.to_string());
        replace_text.update(|n| *n += 1);
    };
    let clear_log = move || {
        db.update_value(Database::clear_log);
        log.set(Vec::new());
    };
    let error_line = Signal::derive(move || {
        last_run.with(|run| {
            run.as_ref()?
                .statements
                .iter()
                .find_map(|s| s.outcome.as_ref().err().map(|e| e.line))
        })
    });

    view! {
        <div class="console">
            <SqlEditor script=script on_run=run error_line=error_line replace_text=replace_text />
            <div class="console-toolbar">
                <button class="primary" data-testid="run-sql" on:click=move |_| run()>
                    "Run"
                    <kbd>"Ctrl"</kbd>
                    <kbd>"Enter"</kbd>
                </button>
                <button on:click=restore_example title="Put the example script back in the editor">
                    "Restore example"
                </button>
                <button on:click=reset_database title="Drop everything and start from an empty database">
                    "Reset database"
                </button>
            </div>
            <div class="console-output" aria-live="polite">
                {move || last_run.get().map(|run| view! { <ScriptResults run=run /> })}
            </div>
            <StatementLogView log=log on_clear=clear_log />
        </div>
    }
}
