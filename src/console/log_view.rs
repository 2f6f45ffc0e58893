//! The statement log: every statement that ran on this page's database, newest last,
//! with its duration and rows. It reads `StatementLog` entries only.

use leptos::prelude::*;
use sqlpatterns_core::engine::memory::{format_bytes, live_bytes};
use sqlpatterns_core::engine::{Budget, LogEntry, LogOutcome};
use sqlpatterns_core::route::format_duration;

/// The log keeps everything; the view shows the most recent entries only (each is a
/// few elements with its plan: 500 of them took longer to build than a 1,000-statement
/// run took to answer).
const MAX_SHOWN: usize = 100;

fn outcome_text(outcome: &LogOutcome) -> String {
    match outcome {
        LogOutcome::Rows(n) => format!("{n} row{} returned", if *n == 1 { "" } else { "s" }),
        LogOutcome::Affected(n) => format!("{n} row{} affected", if *n == 1 { "" } else { "s" }),
        LogOutcome::Done => "ok".into(),
        LogOutcome::Failed(_) => "error".into(),
    }
}

/// The memory budget in words, from the engine's own defaults.
fn memory_title() -> String {
    let budget = Budget::default();
    format!(
        "Memory the page's engine holds now. A statement may hold {} more at once, the page {} in all.",
        format_bytes(budget.max_statement_memory),
        format_bytes(budget.max_total_memory)
    )
}

#[component]
pub fn StatementLogView(
    log: RwSignal<Vec<LogEntry>>,
    on_clear: impl Fn() + Copy + Send + Sync + 'static,
    /// Downloads the log as a SQL script.
    on_export: Callback<()>,
) -> impl IntoView {
    let totals = move || {
        log.with(|entries| {
            // A fold from +0.0: an empty f64 `sum()` is -0.0, shown as "-0.00 ms".
            let ms: f64 = entries.iter().fold(0.0, |total, e| total + e.duration_ms);
            format!(
                "{} statement{} · {}",
                entries.len(),
                if entries.len() == 1 { "" } else { "s" },
                format_duration(ms)
            )
        })
    };
    // What the page's engine holds now (tables, indexes, snapshots, results shown), read
    // again whenever the log changes; the memory budget counts the same bytes.
    let memory = move || {
        log.track();
        format!("memory {}", format_bytes(live_bytes()))
    };
    let rows = move || {
        log.with(|entries| {
            let hidden = entries.len().saturating_sub(MAX_SHOWN);
            let note = (hidden > 0).then(|| {
                view! { <li class="log-more">{format!("{hidden} earlier statements not shown")}</li> }
            });
            let items = entries[hidden..]
                .iter()
                .map(|entry| {
                    let failed = matches!(entry.outcome, LogOutcome::Failed(_));
                    let title = match &entry.outcome {
                        LogOutcome::Failed(message) => message.clone(),
                        _ => entry.sql.clone(),
                    };
                    let examined = (entry.rows_examined > 0 || !entry.accesses.is_empty())
                        .then(|| format!("examined {}", entry.rows_examined));
                    let accesses: Vec<String> = entry
                        .accesses
                        .iter()
                        .map(|a| format!("{}: {} · {} rows", a.table, a.method.describe(), a.rows_examined))
                        .collect();
                    // Only what is worth a look: a statement that held a megabyte or more.
                    let held = (entry.memory_peak_bytes >= 1 << 20).then(|| {
                        format!("held {}", format_bytes(entry.memory_peak_bytes))
                    });
                    let mut access_line = accesses.join("; ");
                    for action in &entry.constraint_actions {
                        access_line.push_str("; ");
                        access_line.push_str(&action.describe());
                    }
                    view! {
                        <li data-testid="statement" class="log-entry" class:failed=failed>
                            <details>
                                <summary title=title>
                                    <span class="log-seq">{entry.seq}</span>
                                    <span class=format!(
                                        "kind kind-{}",
                                        entry.kind.label().to_lowercase(),
                                    )>{entry.kind.label()}</span>
                                    <code class="log-sql">{entry.sql.clone()}</code>
                                    <span class="log-dur">{format_duration(entry.duration_ms)}</span>
                                    <span class="log-rows">{outcome_text(&entry.outcome)}</span>
                                    <span class="log-access" data-testid="access">
                                        {examined.map(|e| format!("{e} · {access_line}"))}
                                    </span>
                                    {held.map(|h| view! { <span class="log-mem" data-testid="memory">{h}</span> })}
                                </summary>
                                <div class="log-detail">
                                    <pre class="log-full-sql">{entry.sql.clone()}</pre>
                                    {match &entry.outcome {
                                        LogOutcome::Failed(message) => {
                                            Some(view! { <p class="log-error">{message.clone()}</p> }.into_any())
                                        }
                                        _ => None,
                                    }}
                                    {entry.notice.clone().map(|n| view! { <p class="log-notice">"NOTICE: " {n}</p> })}
                                    {entry
                                        .constraint_actions
                                        .iter()
                                        .map(|a| view! { <p class="log-action" data-testid="constraint-action">{a.describe()}</p> })
                                        .collect_view()}
                                    {entry
                                        .plan
                                        .clone()
                                        .map(|plan| view! { <pre class="log-plan" data-testid="plan">{plan}</pre> })}
                                </div>
                            </details>
                        </li>
                    }
                })
                .collect_view();
            view! {
                {note}
                {items}
            }
        })
    };
    view! {
        <section class="statement-log" data-testid="statement-log" aria-label="Statement log">
            <header>
                <h3>"Statement log"</h3>
                <span class="log-totals">{totals}</span>
                <span
                    class="log-memory"
                    data-testid="engine-memory"
                    title=memory_title()
                >
                    {memory}
                </span>
                <button
                    class="small"
                    data-testid="export-log"
                    title="Download the log as a SQL script (failed statements commented out)"
                    disabled=move || log.with(Vec::is_empty)
                    on:click=move |_| on_export.run(())
                >
                    "Export SQL"
                </button>
                <button class="small" on:click=move |_| on_clear()>"Clear"</button>
            </header>
            <ol>{rows}</ol>
            {move || log.with(Vec::is_empty).then(|| view! { <p class="log-empty">"The log is empty: what you run here, and a lab's actions, are listed as they run (a lab's seed is not)."</p> })}
        </section>
    }
}
