//! The notice a page shows when it stopped replaying a link at the replay budget
//! (`sqlpatterns_core::replay`): what it replayed, what waits, and a button to go on.

use leptos::prelude::*;
use sqlpatterns_core::replay::ReplayProgress;

/// Props:
/// - `progress`: how far the link's trail got; the notice shows only while it stopped early.
/// - `on_continue`: replays the next part of the trail (within the budget again).
#[component]
pub fn ReplayNotice(
    progress: RwSignal<Option<ReplayProgress>>,
    on_continue: Callback<()>,
) -> impl IntoView {
    move || {
        let progress = progress.get()?;
        let notice = progress.notice()?;
        let remaining = progress.remaining();
        Some(view! {
            <div class="notice notice-info replay-notice" role="status" data-testid="replay-stopped">
                <span>{notice}</span>
                " "
                <button
                    class="small"
                    data-testid="replay-continue"
                    on:click=move |_| on_continue.run(())
                >
                    {format!("Replay the next part ({remaining} left)")}
                </button>
            </div>
        })
    }
}
