//! The model panel's Migration tab: the edit from the page's own models to the edited ones
//! as the Alembic revision autogenerate writes, its `upgrade --sql`, the lint on that SQL,
//! rename offers, and the stepper running the one-step revision or the phased plan
//! ("Make it safe") on the page's tables. Everything comes from
//! `sqlpatterns_core::migration::model_change`; this component renders it and keeps the
//! stepper (its own database, so the console's is untouched).
//!
//! Props: `original` the page's models; `models` the edited source; `state` what the
//! permalink carries (confirmed renames, the plan, the stepper's actions).

use leptos::prelude::*;
use sqlpatterns_core::catalogue::CodeLanguage;
use sqlpatterns_core::engine::Database;
use sqlpatterns_core::lab::{ActionSpec, Block, LabRun};
use sqlpatterns_core::migration::model_change::{PlanKind, Rename, DEFAULT_ROWS};
use sqlpatterns_core::migration::Stepper;
use sqlpatterns_core::model_editor::migration;

use crate::code_view::highlighted;
use crate::lab_panel::render_block;

/// The stepper actions a link replays at most (a tampered link cannot run away).
const MAX_STEPS: usize = 40;

/// What the permalink keeps of the tab.
#[derive(Clone, Copy)]
pub struct MigrationState {
    pub renames: RwSignal<Vec<Rename>>,
    pub plan: RwSignal<Option<PlanKind>>,
    pub steps: RwSignal<Vec<String>>,
}

impl MigrationState {
    /// From a link's knobs (`mig-renames`, `mig-plan`, `mig-steps`).
    pub fn from_knobs(knobs: &std::collections::BTreeMap<String, String>) -> MigrationState {
        MigrationState {
            renames: RwSignal::new(
                knobs
                    .get("mig-renames")
                    .map(|t| Rename::decode_list(t))
                    .unwrap_or_default(),
            ),
            plan: RwSignal::new(knobs.get("mig-plan").and_then(|p| PlanKind::parse(p))),
            steps: RwSignal::new(
                knobs
                    .get("mig-steps")
                    .map(|s| {
                        s.split(',')
                            .filter(|a| matches!(*a, "next" | "back" | "reset"))
                            .take(MAX_STEPS)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
        }
    }

    /// Into a link's knobs (nothing at the defaults).
    pub fn write_knobs(&self, knobs: &mut std::collections::BTreeMap<String, String>) {
        self.renames.with(|r| {
            if !r.is_empty() {
                knobs.insert("mig-renames".into(), Rename::encode_list(r));
            }
        });
        if let Some(plan) = self.plan.get() {
            knobs.insert("mig-plan".into(), plan.id().into());
            self.steps.with(|s| {
                if !s.is_empty() {
                    knobs.insert("mig-steps".into(), s.join(","));
                }
            });
        }
    }
}

#[component]
pub fn MigrationTab(
    original: &'static str,
    models: RwSignal<String>,
    state: MigrationState,
) -> impl IntoView {
    let tab = Memo::new(move |_| {
        let edited = models.get();
        state
            .renames
            .with(|renames| migration(original, &edited, renames).tab_view())
    });
    let running = StoredValue::new_local(None::<(Stepper, Database)>);
    let blocks = RwSignal::new_local(Vec::<Block>::new());
    let actions = RwSignal::new(Vec::<ActionSpec>::new());
    let error = RwSignal::new(None::<String>);
    let refresh = move || {
        let view = running
            .try_update_value(|slot| {
                let (stepper, db) = slot.as_mut()?;
                actions.set(stepper.actions());
                Some(stepper.view(db))
            })
            .flatten();
        if view.is_none() {
            actions.set(Vec::new());
        }
        blocks.set(view.map(|v| v.blocks).unwrap_or_default());
    };
    // Starts `kind` on a fresh database and replays `steps` (a link's).
    let start = move |kind: PlanKind, steps: Vec<String>| {
        let change = state
            .renames
            .with_untracked(|r| migration(original, &models.get_untracked(), r));
        let started = change.plan(kind).and_then(|lab| {
            let mut db = Database::new();
            let stepper = lab.start(&mut db, DEFAULT_ROWS)?;
            Ok((stepper, db))
        });
        match started {
            Ok((mut stepper, mut db)) => {
                let mut done = Vec::new();
                for id in steps.into_iter().take(MAX_STEPS) {
                    if stepper.apply(&mut db, &id).is_ok() {
                        done.push(id);
                    }
                }
                running.set_value(Some((stepper, db)));
                state.steps.set(done);
                error.set(None);
            }
            Err(e) => {
                running.set_value(None);
                state.plan.set(None);
                state.steps.set(Vec::new());
                error.set(Some(format!("The plan could not start: {e}")));
            }
        }
        refresh();
    };
    if let Some(kind) = state.plan.get_untracked() {
        start(kind, state.steps.get_untracked());
    }
    // An edit (or a rename confirmed or undone) makes a running plan stale.
    Effect::new(move |first: Option<()>| {
        models.track();
        state.renames.track();
        if first.is_some() && running.with_value(|r| r.is_some()) {
            running.set_value(None);
            state.plan.set(None);
            state.steps.set(Vec::new());
            refresh();
        }
    });
    let choose = move |kind: PlanKind| {
        state.plan.set(Some(kind));
        start(kind, Vec::new());
    };
    let apply = move |id: String| {
        let outcome = running
            .try_update_value(|slot| {
                let (stepper, db) = slot.as_mut()?;
                Some(stepper.apply(db, &id))
            })
            .flatten();
        match outcome {
            Some(Ok(())) => {
                state.steps.update(|s| {
                    s.push(id);
                    let excess = s.len().saturating_sub(MAX_STEPS);
                    s.drain(..excess);
                });
                error.set(None);
            }
            Some(Err(e)) => error.set(Some(e)),
            None => {}
        }
        refresh();
    };
    let close = move |_| {
        running.set_value(None);
        state.plan.set(None);
        state.steps.set(Vec::new());
        refresh();
    };

    let notes = move || {
        tab.with(|t| {
            t.notes
                .iter()
                .map(|n| view! { <li>{n.clone()}</li> })
                .collect_view()
        })
    };
    let renames = move || {
        tab.with(|t| {
            let offers = t.rename_offers.iter().cloned().map(|offer| {
                let label = format!(
                    "Treat as a rename: {}.{} → {}",
                    offer.table, offer.from, offer.to
                );
                view! {
                    <button
                        class="secondary"
                        data-testid="rename-offer"
                        on:click=move |_| state.renames.update(|r| r.push(offer.clone()))
                    >
                        {label}
                    </button>
                }
                .into_any()
            });
            let undo = t.renames.iter().cloned().map(|done| {
                let label = format!("Undo rename {}.{} → {}", done.table, done.from, done.to);
                view! {
                    <button
                        class="secondary"
                        data-testid="undo-rename"
                        on:click=move |_| state.renames.update(|r| r.retain(|x| *x != done))
                    >
                        {label}
                    </button>
                }
                .into_any()
            });
            offers.chain(undo).collect_view()
        })
    };
    let findings = move || {
        tab.with(|t| {
            if t.findings.is_empty() {
                return view! { <p class="hint" data-testid="migration-lint-ok">"The lint finds nothing unsafe in this SQL."</p> }.into_any();
            }
            view! {
                <ul class="migration-lint" data-testid="migration-lint">
                    {t.findings
                        .iter()
                        .map(|f| {
                            view! {
                                <li data-rule=f.rule>
                                    <strong>{f.rule}</strong>
                                    " "
                                    {f.message.clone()}
                                    <br />
                                    <span class="hint">{f.help}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        })
    };
    let safe_reason = move || tab.with(|t| t.safe_plan.clone());
    let buttons = move || {
        actions
            .get()
            .into_iter()
            .map(|action| {
                let id = action.id.clone();
                view! {
                    <button
                        data-testid="stepper-action"
                        data-action=action.id.clone()
                        class:primary=action.primary
                        disabled=!action.enabled
                        on:click=move |_| apply(id.clone())
                    >
                        {action.label.clone()}
                    </button>
                }
            })
            .collect_view()
    };
    let plan_title = move || {
        state.plan.get().map(|kind| match kind {
            PlanKind::Safe => "The phased plan, on the page's tables",
            PlanKind::OneStep => "The revision in one step, while v1 runs",
        })
    };

    view! {
        <div class="migration-tab" data-testid="migration-tab">
            <p class="hint">
                "What this edit takes as a migration: the revision "
                <code>"alembic revision --autogenerate"</code>
                " writes against a database holding the page's original models, and the SQL of "
                <code>"alembic upgrade --sql"</code>
                "."
            </p>
            <ul class="migration-notes" data-testid="migration-notes">{notes}</ul>
            <div class="migration-renames">{renames}</div>
            <h3>"Revision"</h3>
            <pre class="code-block" data-testid="migration-revision">
                {move || tab.with(|t| highlighted(&t.revision_file, CodeLanguage::Python))}
            </pre>
            <h3>"SQL (alembic upgrade --sql)"</h3>
            <pre class="code-block" data-testid="migration-sql">
                {move || tab.with(|t| highlighted(&t.upgrade_sql, CodeLanguage::Sql))}
            </pre>
            <details>
                <summary>"Downgrade SQL"</summary>
                <pre class="code-block" data-testid="migration-downgrade-sql">
                    {move || tab.with(|t| highlighted(&t.downgrade_sql, CodeLanguage::Sql))}
                </pre>
            </details>
            <h3>"Lint"</h3>
            {findings}
            <div class="migration-plans">
                <button
                    class="primary"
                    data-testid="make-it-safe"
                    disabled=move || safe_reason().is_err()
                    on:click=move |_| choose(PlanKind::Safe)
                >
                    "Make it safe"
                </button>
                <button
                    class="secondary"
                    data-testid="one-step"
                    disabled=move || tab.with(|t| t.empty)
                    on:click=move |_| choose(PlanKind::OneStep)
                >
                    "Step through it in one step"
                </button>
                <span class="hint" data-testid="safe-plan-summary">
                    {move || match safe_reason() {
                        Ok(summary) => format!("Make it safe: {summary}."),
                        Err(why) => format!("No phased plan: {why}."),
                    }}
                </span>
            </div>
            {move || error.get().map(|e| view! { <p class="step-error" role="alert" data-testid="migration-error">{e}</p> })}
            {move || plan_title().map(|title| view! {
                <div class="migration-stepper" data-testid="migration-stepper" data-plan=move || state.plan.get().map(|p| p.id())>
                    <div class="panel-head">
                        <h3>{title}</h3>
                        <button class="secondary" data-testid="stepper-close" on:click=close>"Close"</button>
                    </div>
                    <p class="engine-note">
                        "v1 and v2 are generated from the original and edited models: each request inserts a row with the columns the model requires and reads it back with every mapped column, as an ORM does. "
                        {format!("The table is seeded with {DEFAULT_ROWS} rows.")}
                    </p>
                    <div class="lab-actions">{buttons}</div>
                    <div class="lab-blocks" data-testid="migration-blocks">
                        {move || blocks.with(|b| b.iter().map(render_block).collect_view())}
                    </div>
                </div>
            })}
        </div>
    }
}
