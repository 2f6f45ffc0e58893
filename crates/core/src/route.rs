//! Routes live in the URL fragment (`#/soft-delete`), so the app works on any static host
//! without server rewrites, and a pattern's URL never changes.

use crate::catalogue;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Catalogue,
    Pattern(&'static str),
    /// `#/playground`: a SQL console on an empty database, for anything of your own.
    Playground,
    /// An unknown route: the text is shown (as text) in the not-found page.
    NotFound(String),
}

/// The playground's path: not a pattern slug (none is named so), and stable in links.
pub const PLAYGROUND: &str = "playground";

impl Route {
    /// Parses `location.hash` (with or without the leading `#`).
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        // Anything after `?` is page state, read by the page, not by the router.
        let path = path
            .split(['?', '&'])
            .next()
            .unwrap_or("")
            .trim_end_matches('/');
        if path.is_empty() {
            return Route::Catalogue;
        }
        if path == PLAYGROUND {
            return Route::Playground;
        }
        match catalogue::by_slug(path) {
            Some(p) => Route::Pattern(p.slug),
            None => Route::NotFound(path.chars().take(100).collect()),
        }
    }

    pub fn to_hash(&self) -> String {
        match self {
            Route::Catalogue | Route::NotFound(_) => "#/".into(),
            Route::Pattern(slug) => format!("#/{slug}"),
            Route::Playground => format!("#/{PLAYGROUND}"),
        }
    }
}

/// "0.42 ms", "12.3 ms", "1.24 s": precise for fast statements, short for slow ones.
pub fn format_duration(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_catalogue_pattern_and_unknown() {
        assert_eq!(Route::parse(""), Route::Catalogue);
        assert_eq!(Route::parse("#/"), Route::Catalogue);
        assert_eq!(Route::parse("#/soft-delete"), Route::Pattern("soft-delete"));
        assert_eq!(
            Route::parse("#/soft-delete/?s=abc"),
            Route::Pattern("soft-delete")
        );
        assert_eq!(Route::parse("#/nope"), Route::NotFound("nope".into()));
        assert_eq!(Route::parse("#/playground?s=1.x"), Route::Playground);
        assert_eq!(Route::Playground.to_hash(), "#/playground");
        assert!(crate::catalogue::by_slug(PLAYGROUND).is_none());
    }

    #[test]
    fn round_trips_every_slug() {
        for p in catalogue::all() {
            assert_eq!(
                Route::parse(&Route::Pattern(p.slug).to_hash()),
                Route::Pattern(p.slug)
            );
        }
    }

    #[test]
    fn unknown_route_text_is_bounded() {
        let long = format!("#/{}", "x".repeat(10_000));
        assert!(matches!(Route::parse(&long), Route::NotFound(s) if s.len() == 100));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(format_duration(0.4213), "0.42 ms");
        assert_eq!(format_duration(12.34), "12.3 ms");
        assert_eq!(format_duration(1234.0), "1.23 s");
    }
}
