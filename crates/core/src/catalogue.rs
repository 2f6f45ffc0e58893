//! The pattern catalogue: the reference's 7 sections and the shape of a pattern page.

use serde::Serialize;

/// The seven sections of the reference, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Section {
    ModelPatterns,
    RelationshipPatterns,
    MigrationPatterns,
    QueryOptimization,
    IndexStrategies,
    ConnectionPooling,
    TransactionPatterns,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::ModelPatterns,
        Section::RelationshipPatterns,
        Section::MigrationPatterns,
        Section::QueryOptimization,
        Section::IndexStrategies,
        Section::ConnectionPooling,
        Section::TransactionPatterns,
    ];

    /// The heading the reference gives the section.
    pub fn title(self) -> &'static str {
        match self {
            Section::ModelPatterns => "Database Model Patterns",
            Section::RelationshipPatterns => "Relationship Patterns",
            Section::MigrationPatterns => "Migration Patterns",
            Section::QueryOptimization => "Query Optimization",
            Section::IndexStrategies => "Index Strategies",
            Section::ConnectionPooling => "Connection Pooling",
            Section::TransactionPatterns => "Transaction Patterns",
        }
    }
}

/// The language of a pattern's reference code, for highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CodeLanguage {
    Python,
    Sql,
}

/// One pattern of the reference: what the page shows before (and around) its live demo.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Pattern {
    /// Stable route segment; never change one (permalinks and embeds use it).
    pub slug: &'static str,
    pub title: &'static str,
    pub section: Section,
    /// Two sentences: the problem the pattern solves and how.
    pub summary: &'static str,
    /// The reference's code, corrected where it was incomplete or wrong.
    pub reference_code: &'static str,
    pub code_language: CodeLanguage,
    /// One short note per correction made to the reference's code.
    pub fixes: &'static [&'static str],
    /// The console's example script on the page's fresh database; runs without error.
    pub starter_sql: &'static str,
    /// True once a later issue has made the interactive demo live.
    pub live: bool,
}

/// Every pattern, in the reference's order.
pub fn all() -> &'static [&'static Pattern] {
    &crate::patterns::REGISTRY
}

pub fn by_slug(slug: &str) -> Option<&'static Pattern> {
    all().iter().copied().find(|p| p.slug == slug)
}

/// The patterns of one section, in order.
pub fn in_section(section: Section) -> impl Iterator<Item = &'static Pattern> {
    all().iter().copied().filter(move |p| p.section == section)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLUGS: [&str; 25] = [
        "base-model",
        "soft-delete",
        "audit-trail",
        "enum-field",
        "one-to-many-cascade",
        "many-to-many",
        "association-object",
        "self-referential",
        "safe-column-addition",
        "safe-column-removal",
        "safe-column-rename",
        "concurrent-index",
        "data-migration",
        "eager-loading",
        "select-columns",
        "batch-operations",
        "query-caching",
        "pagination",
        "composite-index",
        "partial-index",
        "expression-index",
        "pool-configuration",
        "session-context",
        "savepoints",
        "read-only-transactions",
    ];

    #[test]
    fn catalogue_has_exactly_the_25_slugs_in_reference_order() {
        let slugs: Vec<_> = all().iter().map(|p| p.slug).collect();
        assert_eq!(slugs, SLUGS);
    }

    #[test]
    fn every_section_has_patterns_and_sections_are_contiguous() {
        for section in Section::ALL {
            assert!(in_section(section).count() > 0, "{section:?} is empty");
        }
        let order: Vec<_> = all().iter().map(|p| p.section).collect();
        let mut seen = Vec::new();
        for s in order {
            if seen.last() != Some(&s) {
                assert!(!seen.contains(&s), "{s:?} split in two");
                seen.push(s);
            }
        }
        assert_eq!(seen, Section::ALL);
    }

    #[test]
    fn every_pattern_has_content() {
        for p in all() {
            assert!(!p.title.is_empty(), "{}", p.slug);
            assert!(p.summary.len() > 40, "{} summary too short", p.slug);
            assert!(p.reference_code.len() > 40, "{} has no code", p.slug);
            assert!(
                !p.starter_sql.trim().is_empty(),
                "{} has no starter SQL",
                p.slug
            );
        }
    }

    #[test]
    fn by_slug_finds_and_rejects() {
        assert_eq!(
            by_slug("pagination").map(|p| p.title),
            Some("Pagination with Total Count")
        );
        assert!(by_slug("nope").is_none());
    }
}
