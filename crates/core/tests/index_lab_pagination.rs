//! The pagination lab on the real engine: OFFSET's cost grows with depth while keyset's
//! stays flat, the COUNT is measured apart, keyset without the index really scans, and a
//! reader paging while rows arrive reads rows twice under OFFSET and never under keyset.

use sqlpatterns_core::index_lab::paging::{self, Strategy};
use sqlpatterns_core::index_lab::seed;
use sqlpatterns_core::lab::{replay, Block, CellStatus, KnobValues, LabView};
use sqlpatterns_core::patterns::pagination::LAB;
use std::collections::BTreeMap;

fn knobs(pairs: &[(&str, &str)]) -> KnobValues {
    let raw: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    KnobValues::from_raw(LAB.knobs, &raw)
}

fn view_after(pairs: &[(&str, &str)], actions: &[&str]) -> LabView {
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let (mut db, run, skipped) = replay(&LAB, &knobs(pairs), &actions).expect("starts");
    assert!(skipped.is_empty(), "{skipped:?}");
    run.view(&mut db)
}

fn metric(view: &LabView, block: &str, key: &str) -> String {
    match view.block(block) {
        Some(Block::Metrics { items, .. }) => items
            .iter()
            .find(|m| m.key == key)
            .unwrap_or_else(|| panic!("no metric {key}"))
            .value
            .clone(),
        other => panic!("no metrics block {block}: {other:?}"),
    }
}

fn number(text: &str) -> u64 {
    text.replace(',', "").parse().unwrap()
}

fn series<'a>(view: &'a LabView, chart: &str, name: &str) -> &'a [(f64, f64)] {
    match view.block(chart) {
        Some(Block::Chart(c)) => &c.series.iter().find(|s| s.name == name).unwrap().points,
        other => panic!("no chart {chart}: {other:?}"),
    }
}

#[test]
fn the_default_start_shows_the_first_page_and_the_count_apart() {
    let view = view_after(&[], &[]);
    assert!(metric(&view, "page-metrics", "page").starts_with("1 of "));
    let count_rows = number(&metric(&view, "page-metrics", "count-rows-examined"));
    assert_eq!(count_rows, 10_000, "the COUNT reads every user");
    let Some(Block::Table(t)) = view.block("page-rows") else {
        panic!("no page rows")
    };
    assert_eq!(t.rows.len(), 20);
}

#[test]
fn offset_cost_rises_with_depth_and_keyset_stays_flat() {
    let view = view_after(&[("rows", "20000")], &["profile"]);
    let offset = series(&view, "rows-vs-depth", Strategy::Offset.label());
    let keyset = series(&view, "rows-vs-depth", Strategy::Keyset.label());
    let noindex = series(&view, "rows-vs-depth", Strategy::KeysetNoIndex.label());
    assert_eq!(offset.len(), 6);
    assert!(offset.windows(2).all(|w| w[1].1 > w[0].1), "{offset:?}");
    assert!(offset[5].1 > 15_000.0, "{offset:?}");
    assert!(keyset.iter().all(|p| p.1 <= 40.0), "{keyset:?}");
    // Without the index every keyset page reads the table (and sorts what it kept).
    assert!(noindex.iter().all(|p| p.1 >= 20_000.0), "{noindex:?}");
    let Some(Block::Chart(time)) = view.block("time-vs-depth") else {
        panic!("no time chart")
    };
    assert_eq!(time.series.len(), 3);
    assert_eq!(
        number(&metric(&view, "profile-metrics", "keyset-99-rows")),
        keyset[5].1 as u64
    );
}

#[test]
fn paging_by_offset_and_by_keyset_reads_the_same_rows() {
    for strategy in ["offset", "keyset", "keyset-noindex"] {
        let view = view_after(
            &[("rows", "1000"), ("strategy", strategy)],
            &["next", "next", "prev"],
        );
        assert!(metric(&view, "page-metrics", "page").starts_with("2 of "));
        let Some(Block::Table(t)) = view.block("page-rows") else {
            panic!()
        };
        let ids: Vec<&str> = t.rows.iter().map(|r| r[0].text.as_str()).collect();
        let expected = view_after(&[("rows", "1000"), ("strategy", "offset")], &["next"]);
        let Some(Block::Table(e)) = expected.block("page-rows") else {
            panic!()
        };
        let expected: Vec<&str> = e.rows.iter().map(|r| r[0].text.as_str()).collect();
        assert_eq!(ids, expected, "{strategy}");
    }
}

#[test]
fn a_keyset_page_seeks_the_index_and_without_it_scans() {
    let keyset = view_after(&[("strategy", "keyset")], &["jump-99"]);
    let access = metric(&keyset, "page-metrics", "access");
    assert!(
        access.contains("index range on ix_users_created_id"),
        "{access} {:?}",
        keyset.block("statements")
    );
    assert!(number(&metric(&keyset, "page-metrics", "rows-examined")) <= 40);
    let noindex = view_after(&[("strategy", "keyset-noindex")], &["jump-99"]);
    assert_eq!(
        number(&metric(&noindex, "page-metrics", "rows-examined")),
        10_000
    );
    let offset = view_after(&[("strategy", "offset")], &["jump-99"]);
    assert!(number(&metric(&offset, "page-metrics", "rows-examined")) > 8_000);
    // The three read the same page.
    let ids = |v: &LabView| match v.block("page-rows") {
        Some(Block::Table(t)) => t.rows.iter().map(|r| r[0].text.clone()).collect::<Vec<_>>(),
        _ => panic!(),
    };
    assert_eq!(ids(&keyset), ids(&offset));
    assert_eq!(ids(&noindex), ids(&offset));
}

#[test]
fn inserts_while_paging_duplicate_rows_under_offset_only() {
    let view = view_after(&[], &["concurrent"]);
    let offset_dups = number(&metric(&view, "concurrent-metrics", "offset-duplicates"));
    assert_eq!(offset_dups, 5 * 4, "5 new users before each of pages 2..5");
    assert_eq!(
        metric(&view, "concurrent-metrics", "keyset-duplicates"),
        "0"
    );
    assert_eq!(metric(&view, "concurrent-metrics", "keyset-skipped"), "0");
    let Some(Block::Table(t)) = view.block("duplicates") else {
        panic!("no duplicates table")
    };
    let offset_rows: Vec<_> = t
        .rows
        .iter()
        .filter(|r| r[0].text == Strategy::Offset.label())
        .collect();
    assert_eq!(offset_rows.len(), 20);
    assert!(offset_rows
        .iter()
        .all(|r| r[3].status == CellStatus::Bad && r[3].text == "seen twice"));
    let keyset_rows: Vec<_> = t
        .rows
        .iter()
        .filter(|r| r[0].text == Strategy::Keyset.label())
        .collect();
    assert_eq!(keyset_rows.len(), 1);
    assert_eq!(keyset_rows[0][3].status, CellStatus::Ok);
}

#[test]
fn the_concurrent_run_leaves_the_table_as_it_was() {
    let (mut db, mut run, _) = replay(&LAB, &knobs(&[("rows", "1000")]), &[]).unwrap();
    let before = db.row_count("users");
    run.apply(&mut db, "concurrent").unwrap();
    assert_eq!(db.row_count("users"), before);
    assert!(db
        .index_names("users")
        .contains(&paging::INDEX_NAME.to_string()));
}

#[test]
fn unknown_and_disabled_actions_are_errors() {
    let (mut db, mut run, _) = replay(&LAB, &knobs(&[("rows", "1000")]), &[]).unwrap();
    assert!(run.apply(&mut db, "steps").is_err());
    assert!(
        run.apply(&mut db, "prev").is_err(),
        "no page before the first"
    );
}

#[test]
fn seeding_is_batched() {
    let mut db = sqlpatterns_core::engine::Database::new();
    seed::seed_users(&mut db, 1200, 1).unwrap();
    let inserts = db
        .log()
        .entries()
        .iter()
        .filter(|e| e.sql.starts_with("INSERT"))
        .count();
    assert_eq!(inserts, 3);
    assert_eq!(db.row_count("users"), Some(1200));
}

#[test]
fn count_over_gives_the_count_in_the_page_query_and_reads_every_kept_row() {
    let view = view_after(&[("rows", "2000")], &["jump-50", "count-over"]);
    let window_total = number(&metric(&view, "count-over-metrics", "window-total"));
    let total = number(&metric(&view, "count-over-metrics", "separate-total"));
    assert_eq!(window_total, total);
    assert_eq!(
        number(&metric(&view, "page-metrics", "total")),
        total,
        "the page's own COUNT agrees"
    );
    // The window needs every row the WHERE keeps; the page alone stops near its offset.
    let window_rows = number(&metric(&view, "count-over-metrics", "window-rows"));
    let separate = metric(&view, "count-over-metrics", "separate-rows");
    let (page_rows, count_rows) = separate.split_once(" + ").unwrap();
    assert!(window_rows >= 2000, "{window_rows}");
    assert!(
        number(page_rows) < window_rows,
        "{separate} vs {window_rows}"
    );
    assert_eq!(number(count_rows), 2000);
    // The same page as the OFFSET query, with the total as a fourth column.
    let Some(Block::Statements { entries, .. }) = view.block("statements") else {
        panic!("no statements");
    };
    assert!(
        entries[0].sql.contains("count(*) OVER () AS total"),
        "{}",
        entries[0].sql
    );
}

/// A short link can carry a lot of work: 30 "Profile by depth" actions fit in 57
/// characters. A page replays such a trail within a budget, and the rest waits.
#[test]
fn a_link_of_thirty_profiles_replays_within_its_budget_and_the_rest_waits() {
    use sqlpatterns_core::lab::{replay_more, replay_within};
    use sqlpatterns_core::replay::{ReplayBudget, ReplayStop};
    use sqlpatterns_core::share::{encode_state, PageState};
    use std::time::Duration;

    let trail: Vec<String> = vec!["profile".to_string(); 30];
    let mut state = PageState::default();
    state.knobs.insert("steps".into(), trail.join(","));
    let link = encode_state(&state);
    assert!(link.len() <= 60, "{} characters: {link}", link.len());

    // No time at all: the first action still runs (a one-action link is ordinary), then
    // the replay stops and says so.
    let no_time = ReplayBudget {
        max_actions: 50,
        max_duration: Duration::ZERO,
    };
    let mut replayed = replay_within(&LAB, &knobs(&[]), &trail, &no_time).expect("starts");
    assert_eq!(replayed.progress.replayed, 1);
    assert_eq!(
        replayed.progress.stopped,
        Some(ReplayStop::Time { limit_ms: 0 })
    );
    let notice = replayed.progress.notice().expect("a notice");
    assert!(
        notice.starts_with("Replayed 1 of 30 actions from this link"),
        "{notice}"
    );
    assert!(
        notice.contains("29 actions are not replayed yet"),
        "{notice}"
    );
    let view = replayed.run.view(&mut replayed.db);
    assert!(
        view.block("time-vs-depth").is_some(),
        "the one profile shows"
    );

    // Going on replays the next part of the trail within the budget again.
    let two_at_most = ReplayBudget {
        max_actions: 2,
        max_duration: Duration::MAX,
    };
    let (skipped, more) = replay_more(
        replayed.run.as_mut(),
        &mut replayed.db,
        &trail[replayed.progress.replayed..],
        &two_at_most,
    );
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!((more.replayed, more.total), (2, 29));
    assert_eq!(more.stopped, Some(ReplayStop::Actions { limit: 2 }));
}
