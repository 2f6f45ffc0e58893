//! All five migration pages: live, replayed deterministically from knobs and actions,
//! unknown actions refused, block ids unique.

mod migration_support;
use migration_support::*;
use sqlpatterns_core::lab::Block;
use sqlpatterns_core::patterns::{lab_for, REGISTRY};
use std::collections::BTreeSet;

const SLUGS: [&str; 5] = [
    "safe-column-addition",
    "safe-column-removal",
    "safe-column-rename",
    "concurrent-index",
    "data-migration",
];

#[test]
fn all_five_pages_are_live_labs() {
    for slug in SLUGS {
        assert!(lab_for(slug).is_some(), "{slug}");
        assert!(REGISTRY.iter().any(|p| p.slug == slug && p.live), "{slug}");
    }
}

#[test]
fn a_replay_rebuilds_the_same_matrix_and_lint() {
    for slug in SLUGS {
        for actions in [vec![], vec!["next"], vec!["next", "back", "next"]] {
            let a = replay(slug, &[("plan", "unsafe")], &actions).view();
            let b = replay(slug, &[("plan", "unsafe")], &actions).view();
            assert_eq!(
                table(&a, "matrix"),
                table(&b, "matrix"),
                "{slug} {actions:?}"
            );
            assert_eq!(table(&a, "lint"), table(&b, "lint"), "{slug}");
            assert_eq!(table(&a, "schema-diff"), table(&b, "schema-diff"), "{slug}");
        }
    }
}

#[test]
fn unknown_or_impossible_actions_are_refused_without_panicking() {
    for slug in SLUGS {
        let mut page = replay(slug, &[], &[]);
        assert!(page.run.apply(&mut page.db, "steps").is_err());
        assert!(
            page.run.apply(&mut page.db, "back").is_err(),
            "{slug}: back at phase 0"
        );
        while page
            .run
            .actions()
            .iter()
            .any(|a| a.id == "next" && a.enabled)
        {
            page.apply("next");
        }
        assert!(
            page.run.apply(&mut page.db, "next").is_err(),
            "{slug}: next at the end"
        );
    }
}

#[test]
fn block_ids_are_unique_and_the_main_ones_are_there() {
    for slug in SLUGS {
        let view = replay(slug, &[], &["next"]).view();
        let ids: Vec<&str> = view.blocks.iter().map(Block::id).collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{slug}: {ids:?}");
        for id in [
            "outcome",
            "progress",
            "matrix",
            "lint",
            "schema-diff",
            "upgrade",
            "downgrade",
            "data-before",
            "data-after",
            "statements",
        ] {
            assert!(unique.contains(id), "{slug}: no {id}");
        }
    }
}
