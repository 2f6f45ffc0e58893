//! One result per statement: a paged table, a count of changed rows, a message, or the
//! error placed at its line and column.

use leptos::prelude::*;
use sqlpatterns_core::console::{
    CellKind, ConsoleError, ResultSet, ScriptRun, StatementOutcome, StatementRun,
};
use sqlpatterns_core::export::ResultFormat;
use sqlpatterns_core::route::format_duration;

/// Rows per page of a result table: long results are paged, never dumped into the DOM.
const PAGE_ROWS: usize = 50;
/// Longest cell text shown in full; the rest is in the cell's tooltip.
const MAX_CELL_CHARS: usize = 200;
/// Results shown in full before the rest of a script's collapse to one line each (their
/// statement, time and count, open on a click): a run of 1,000 statements would
/// otherwise spend far longer building 1,000 tables than the engine spent answering.
const FULL_RESULTS: usize = 20;

#[component]
pub fn ScriptResults(run: ScriptRun) -> impl IntoView {
    let script_error = run.script_error.clone().map(|message| {
        view! {
            <div class="error" data-testid="error" role="alert">
                <strong>"Not run"</strong>
                <p>{message}</p>
            </div>
        }
    });
    let skipped = (run.skipped > 0).then(|| {
        let s = if run.skipped == 1 { "" } else { "s" };
        view! {
            <p class="skipped">
                {format!("{} statement{s} after the error did not run.", run.skipped)}
            </p>
        }
    });
    view! {
        {script_error}
        {run
            .statements
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                // A failed statement is always shown in full: it is where the run stopped.
                let collapsed = i >= FULL_RESULTS && s.outcome.is_ok();
                view! { <StatementResult run=s collapsed=collapsed /> }
            })
            .collect_view()}
        {skipped}
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Props:
/// - `run`: the statement's result, as the console's core gives it.
/// - `collapsed`: show only its head line, with a button that opens the rest.
#[component]
fn StatementResult(run: StatementRun, collapsed: bool) -> impl IntoView {
    let open = RwSignal::new(!collapsed);
    let summary = match &run.outcome {
        Ok(StatementOutcome::Rows(rs)) => plural(rs.rows.len(), "row"),
        Ok(StatementOutcome::Affected { verb, count }) => {
            format!("{} {verb}", plural(*count, "row"))
        }
        Ok(StatementOutcome::Done(message)) => message.clone(),
        Err(_) => "failed".to_string(),
    };
    let failed = run.outcome.is_err();
    // Stable hooks for the benchmark (bench/anchor.mjs): engine time and rows returned.
    let engine_ms = format!("{:.3}", run.duration_ms);
    let rows_returned = match &run.outcome {
        Ok(StatementOutcome::Rows(rs)) => Some(rs.rows.len().to_string()),
        _ => None,
    };
    let first_line = run.sql.lines().next().unwrap_or("").to_string();
    let examined = if run.rows_examined > 0 || !run.accesses.is_empty() {
        format!(" · examined {}", run.rows_examined)
    } else {
        String::new()
    };
    let head = format!(
        "line {} · {} · {}{examined}",
        run.line,
        format_duration(run.duration_ms),
        summary
    );
    let access = (!run.accesses.is_empty()).then(|| {
        view! { <div class="stmt-access">{run.accesses.join("; ")}</div> }
    });
    let notice = run
        .notice
        .clone()
        .map(|n| view! { <div class="stmt-notice">"NOTICE: " {n}</div> });
    let difference = run.known_difference.clone().map(|(id, line)| {
        view! {
            <div class="stmt-difference" data-testid="known-difference" data-difference=id>
                "Differs from PostgreSQL: " {line}
            </div>
        }
    });
    let (outcome, sql, line) = (run.outcome, run.sql.clone(), run.line);
    let details = StoredValue::new(Some((access, notice, difference, outcome)));
    // Built on the first opening only (or at once when shown in full).
    let body = move || {
        if !open.get() {
            return None;
        }
        let (access, notice, difference, outcome) = details.try_update_value(Option::take)??;
        let body = match outcome {
            Ok(StatementOutcome::Rows(rs)) => view! { <ResultTable rs=rs /> }.into_any(),
            Ok(_) => ().into_any(),
            Err(error) => {
                view! { <ErrorView error=error sql=sql.clone() start_line=line /> }.into_any()
            }
        };
        Some(view! {
            {access}
            {notice}
            {difference}
            {body}
        })
    };
    let toggle = collapsed.then(|| {
        view! {
            <button
                class="small stmt-open"
                data-testid="open-result"
                on:click=move |_| open.set(true)
                hidden=move || open.get()
            >
                "Show"
            </button>
        }
    });
    view! {
        <div
            class="stmt-result"
            class:failed=failed
            class:collapsed=move || !open.get()
            data-ms=engine_ms
            data-rows=rows_returned
        >
            <div class="stmt-head">
                <span class="stmt-no">{format!("#{}", run.index)}</span>
                <code class="stmt-sql" title=run.sql.clone()>{first_line}</code>
                <span class="stmt-meta">{head}</span>
                {toggle}
            </div>
            {body}
        </div>
    }
}

#[component]
fn ErrorView(error: ConsoleError, sql: String, start_line: u32) -> impl IntoView {
    let place = if error.exact {
        format!("Error at line {}, column {}", error.line, error.column)
    } else {
        format!("Error in the statement at line {}", error.line)
    };
    // Show the offending line of the statement with a caret under the column.
    let excerpt = error.exact.then(|| {
        let line_in_stmt = (error.line - start_line) as usize;
        let text = sql.lines().nth(line_in_stmt).unwrap_or("").to_string();
        let column_in_text = if line_in_stmt == 0 {
            // The statement's first line starts at its own column in the script.
            let first_col = error.column as usize;
            first_col.saturating_sub(1).min(text.chars().count())
        } else {
            (error.column as usize).saturating_sub(1)
        };
        let caret = format!("{}^", " ".repeat(column_in_text));
        view! { <pre class="error-excerpt">{text}"\n"{caret}</pre> }
    });
    // As psql prints it: ERROR, then DETAIL and HINT lines; the SQLSTATE beside the place.
    let detail = error
        .detail
        .map(|d| view! { <p class="error-detail">"DETAIL:  "{d}</p> });
    let hint = error
        .hint
        .map(|h| view! { <p class="error-hint">"HINT:  "{h}</p> });
    let refused = error.code == "0A000";
    view! {
        <div class="error" data-testid="error" role="alert" data-line=error.line
            data-sqlstate=error.code.clone()>
            <strong>{place}</strong>
            " "
            <span class="sqlstate" title="SQLSTATE (PostgreSQL's error code)">
                {format!("SQLSTATE {}", error.code)}
            </span>
            <p>"ERROR:  "{error.message}</p>
            {detail}
            {hint}
            {refused.then(|| view! {
                <p class="error-refused">
                    "The playground refuses this rather than answer differently from PostgreSQL."
                </p>
            })}
            {excerpt}
        </div>
    }
}

fn cell_class(kind: CellKind) -> &'static str {
    match kind {
        CellKind::Null => "cell-null",
        CellKind::Number => "cell-num",
        CellKind::Bool => "cell-bool",
        CellKind::Uuid => "cell-uuid",
        CellKind::Temporal => "cell-time",
        CellKind::Json => "cell-json",
        CellKind::Text | CellKind::Other => "cell-text",
    }
}

/// A paged table of rows. `testid` tells the console's results (`result-table`, a stable
/// hook) from other tables built with it.
#[component]
pub fn ResultTable(
    rs: ResultSet,
    #[prop(default = "result-table")] testid: &'static str,
) -> impl IntoView {
    let total = rs.rows.len();
    let pages = total.div_ceil(PAGE_ROWS).max(1);
    let page = RwSignal::new(0usize);
    let columns = rs.columns.clone();
    let rows = StoredValue::new(rs.rows);
    let export_columns = columns.clone();
    let export_failed = RwSignal::new(false);
    let export = move |format: ResultFormat| {
        let result = ResultSet {
            columns: export_columns.clone(),
            rows: rows.get_value(),
        };
        let file = format!("result.{}", format.extension());
        let saved = crate::download::download_text(&file, format.mime(), &format.render(&result));
        export_failed.set(!saved);
    };
    let body = move || {
        let start = page.get() * PAGE_ROWS;
        rows.with_value(|rows| {
            rows.iter()
                .skip(start)
                .take(PAGE_ROWS)
                .map(|row| {
                    view! {
                        <tr>
                            {row
                                .iter()
                                .map(|cell| {
                                    let long = cell.text.chars().count() > MAX_CELL_CHARS;
                                    let shown: String = if long {
                                        cell.text.chars().take(MAX_CELL_CHARS).chain(['…']).collect()
                                    } else {
                                        cell.text.clone()
                                    };
                                    view! {
                                        <td class=cell_class(cell.kind) title=long.then(|| cell.text.clone())>
                                            {shown}
                                        </td>
                                    }
                                })
                                .collect_view()}
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let pager = (total > PAGE_ROWS).then(|| {
        view! {
            <div class="pager">
                <button
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1))
                    disabled=move || page.get() == 0
                >
                    "‹ Prev"
                </button>
                <span>
                    {move || {
                        let start = page.get() * PAGE_ROWS;
                        format!("rows {}–{} of {total}", start + 1, (start + PAGE_ROWS).min(total))
                    }}
                </span>
                <button
                    on:click=move |_| page.update(|p| *p = (*p + 1).min(pages - 1))
                    disabled=move || { page.get() + 1 >= pages }
                >
                    "Next ›"
                </button>
            </div>
        }
    });
    view! {
        <div class="table-wrap" tabindex="0">
            <table data-testid=testid>
                <thead>
                    <tr>{columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            {(total == 0).then(|| view! { <p class="no-rows">"No rows."</p> })}
        </div>
        {pager}
        <div class="result-export" role="group" aria-label="Download this result">
            <span>"Download"</span>
            {ResultFormat::ALL
                .into_iter()
                .map(|format| {
                    let export = export.clone();
                    view! {
                        <button
                            class="small"
                            data-testid=format!("export-{}", format.extension())
                            title=format!("Download all {total} rows as {}", format.label())
                            on:click=move |_| export(format)
                        >
                            {format.label()}
                        </button>
                    }
                })
                .collect_view()}
            {move || export_failed.get().then(|| view! {
                <span class="export-failed" role="alert">"This browser refused the download."</span>
            })}
        </div>
    }
}
