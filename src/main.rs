//! sqlpatterns: the Leptos UI, a thin layer over `sqlpatterns_core`.

mod app;
mod catalogue_view;
mod code_view;
mod console;
mod download;
mod embed;
mod lab_panel;
mod loader_panel;
mod migration_tab;
mod model_panel;
mod page_state;
mod pattern_page;
mod playground_page;
mod replay_notice;
mod share_bar;
mod steps_panel;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
