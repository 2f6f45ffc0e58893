//! The golden corpus: links made by released versions of sqlpatterns. Every later release
//! must open each of them to the same state. Add new links here; never change or remove one.

use sqlpatterns_core::route::Route;
use sqlpatterns_core::share::{EmbedOptions, Location, PageState, Panel, Theme};

fn state_of(hash: &str) -> (Location, PageState) {
    let location = Location::parse("", hash);
    let state = match &location.state {
        Some(Ok(state)) => state.clone(),
        None => PageState::default(),
        Some(Err(e)) => panic!("golden link no longer opens: {hash}: {e}"),
    };
    (location, state)
}

#[test]
fn v1_console_text() {
    let (loc, state) = state_of("#/soft-delete?s=1.AT0Awv97ImMiOiJTRUxFQ1QgaWQsIGVtYWlsIEZST00gdXNlcnMgV0hFUkUgZGVsZXRlZF9hdCBJUyBOVUxMOyJ9");
    assert_eq!(loc.route, Route::Pattern("soft-delete"));
    assert_eq!(
        state,
        PageState {
            console: Some("SELECT id, email FROM users WHERE deleted_at IS NULL;".into()),
            ..PageState::default()
        }
    );
    assert_eq!(loc.embed, EmbedOptions::default());
}

#[test]
fn v1_edited_models() {
    let (loc, state) = state_of("#/base-model?s=1.JYqxCsIwEEB_5cjSBJyELoEu7p3UyUo420MCybXmcpP474b2bY_3viYbb-aEInAXKvaCQuO6UHJ-YmiEUPGViDFTCDBAp22T7oiUMSYPI24bLQ-p5dmOvFuY16SZ7bWWyG977nt3AuX4URpuRclNbH5_");
    assert_eq!(loc.route, Route::Pattern("base-model"));
    assert_eq!(
        state.models.as_deref(),
        Some("class User(BaseModel):\n    __tablename__ = 'users'\n    email: Mapped[str] = mapped_column(String(255), unique=True)\n")
    );
    assert_eq!(state.console, None);
}

#[test]
fn v1_knobs_and_view() {
    let (loc, state) = state_of("#/eager-loading?s=1.FcdBCoAgEEDRu_y1iylaeRuxoaJwoUMQ4t0bd-91bmKnEFlEhEBT3X3bOm01mR6fv-mj2a7CCLz-fKZqjB8");
    assert_eq!(loc.route, Route::Pattern("eager-loading"));
    assert_eq!(state.view.as_deref(), Some("chart"));
    let knobs: Vec<_> = state
        .knobs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        knobs,
        [("n", "1000"), ("seed", "42"), ("strategy", "selectin")]
    );
}

#[test]
fn v1_unicode_payload_and_embed_options() {
    let (loc, state) = state_of("#/pagination?s=1.AU8AsP97ImMiOiItLSDDvG7Dr2PDuGTDqSDinJMgJ3F1b3RlcycgXCJkcVwiIDxzY3JpcHQ-YWxlcnQoMSk8L3NjcmlwdD5cblNFTEVDVCAxOyJ9&embed=1&theme=dark&panels=console");
    assert_eq!(
        state.console.as_deref(),
        Some("-- ünïcødé ✓ 'quotes' \"dq\" <script>alert(1)</script>\nSELECT 1;")
    );
    assert_eq!(
        loc.embed,
        EmbedOptions {
            embed: true,
            theme: Some(Theme::Dark),
            panels: Some(vec![Panel::Console]),
            run_on_click: false,
        }
    );
}

#[test]
fn v1_embed_without_state() {
    let (loc, state) = state_of("#/savepoints?embed=1");
    assert_eq!(loc.route, Route::Pattern("savepoints"));
    assert!(loc.embed.embed);
    assert!(state.is_default());
}

#[test]
fn v1_migration_tab_with_a_rename_and_the_safe_plan() {
    let (loc, state) = state_of("#/one-to-many-cascade?s=1.VY6xCsIwEIZfJdxiC9VB6FLQwb2TOFkJZ3OWYJKGXCpC6bubRhdvOLj__-C7GSw00BtkFhemUJyQqR0VmbLpnEgjZcS7IYeWpBQHsZkSxptvSRa1kahUIOZGtOg9qSvHcEukzZfsRzNZV5xj0G4o9nVdlp2DCp7QzGD1sPUGXXqC8UEpXpOQdZzCLNtlzfFP9iM5kl85R-9YrQuWCl4pSGXAqEcHywc");
    assert_eq!(loc.route, Route::Pattern("one-to-many-cascade"));
    assert_eq!(state.view.as_deref(), Some("migration"));
    let knobs: Vec<_> = state
        .knobs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        knobs,
        [
            ("mig-plan", "safe"),
            ("mig-renames", "users.email>email_address"),
            ("mig-steps", "next,next")
        ]
    );
    assert!(state.models.unwrap().contains("email_address"));
}
