//! The URL grammar: `#/<slug>?s=<state>&embed=1&theme=dark&panels=reference,console&run=click`.
//! Everything lives in the fragment, so any static host serves every link (no rewrites);
//! embed options may also come from the real query string (`page.html?embed=1#/slug`).

use super::{decode_state, encode_state, PageState, ShareError};
use crate::route::Route;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// `light`, `dark`, or `auto` (and anything else): `None`, which follows the system's
    /// `prefers-color-scheme`; a host page with its own toggle sends `set-theme`.
    pub fn parse(name: &str) -> Option<Theme> {
        match name {
            "dark" => Some(Theme::Dark),
            "light" => Some(Theme::Light),
            _ => None,
        }
    }
}

/// The panels of a pattern page that an embed can choose to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// The reference code, or the Models panel on model pages.
    Reference,
    /// The live steps of a pattern's demo.
    Demo,
    Console,
}

impl Panel {
    pub const ALL: [Panel; 3] = [Panel::Reference, Panel::Demo, Panel::Console];

    pub fn name(self) -> &'static str {
        match self {
            Panel::Reference => "reference",
            Panel::Demo => "demo",
            Panel::Console => "console",
        }
    }

    fn parse(name: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// How the page is shown: full app, or embedded in another site's iframe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    pub embed: bool,
    /// Forced theme; `None` follows the system setting.
    pub theme: Option<Theme>,
    /// Panels to show; `None` shows all. Unknown names are ignored.
    pub panels: Option<Vec<Panel>>,
    /// `run=click`: an embed shows the pattern's title and a Run button, and starts the
    /// page (its engine, seed and demo) only when clicked, so a documentation page with
    /// many embeds stays light.
    pub run_on_click: bool,
}

impl EmbedOptions {
    pub fn shows(&self, panel: Panel) -> bool {
        self.panels
            .as_ref()
            .is_none_or(|panels| panels.contains(&panel))
    }
}

/// A parsed URL: where to go, the state the link carries, and how to show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    pub route: Route,
    /// `None` when the link carries no state; `Some(Err)` when it carries a bad one.
    pub state: Option<Result<PageState, ShareError>>,
    pub embed: EmbedOptions,
}

/// Splits `a=1&b=2` into decoded pairs; tolerant of junk (a pair without `=` is a flag).
fn pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k), percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Location {
    /// Parses `location.search` (may be empty) and `location.hash`.
    pub fn parse(search: &str, hash: &str) -> Location {
        let route = Route::parse(hash);
        let hash_query = hash.split_once('?').map_or("", |(_, q)| q);
        let search_query = search.trim_start_matches('?');
        let mut location = Location {
            route,
            state: None,
            embed: EmbedOptions::default(),
        };
        // The fragment's parameters win over the query string's.
        for (key, value) in pairs(search_query).chain(pairs(hash_query)) {
            match key.as_str() {
                "s" => location.state = Some(decode_state(&value)),
                "embed" => location.embed.embed = !matches!(value.as_str(), "0" | "false"),
                "theme" => location.embed.theme = Theme::parse(&value),
                "run" => location.embed.run_on_click = value == "click",
                "panels" => {
                    let panels: Vec<Panel> = value.split(',').filter_map(Panel::parse).collect();
                    location.embed.panels = (!panels.is_empty()).then_some(panels);
                }
                _ => {} // unknown parameters from other tools are ignored
            }
        }
        location
    }

    /// The fragment for a pattern page in a given state (no `s` when it is the default).
    pub fn pattern_hash(slug: &str, state: &PageState, embed: &EmbedOptions) -> String {
        let mut params = Vec::new();
        if !state.is_default() {
            params.push(format!("s={}", encode_state(state)));
        }
        if embed.embed {
            params.push("embed=1".to_string());
        }
        if let Some(theme) = embed.theme {
            params.push(format!("theme={}", theme.name()));
        }
        if let Some(panels) = &embed.panels {
            let names: Vec<_> = panels.iter().map(|p| p.name()).collect();
            params.push(format!("panels={}", names.join(",")));
        }
        if embed.run_on_click {
            params.push("run=click".to_string());
        }
        if params.is_empty() {
            format!("#/{slug}")
        } else {
            format!("#/{slug}?{}", params.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> PageState {
        PageState {
            console: Some("SELECT 1 & 2 = 3? #yes".into()),
            ..PageState::default()
        }
    }

    #[test]
    fn a_plain_route_has_no_state_and_no_embed() {
        let loc = Location::parse("", "#/soft-delete");
        assert_eq!(loc.route, Route::Pattern("soft-delete"));
        assert_eq!(loc.state, None);
        assert_eq!(loc.embed, EmbedOptions::default());
    }

    #[test]
    fn round_trips_state_and_embed_options() {
        let embed = EmbedOptions {
            embed: true,
            theme: Some(Theme::Dark),
            panels: Some(vec![Panel::Console]),
            run_on_click: true,
        };
        let hash = Location::pattern_hash("pagination", &state(), &embed);
        assert!(hash.ends_with("&run=click"), "{hash}");
        let loc = Location::parse("", &hash);
        assert_eq!(loc.route, Route::Pattern("pagination"));
        assert_eq!(loc.state, Some(Ok(state())));
        assert_eq!(loc.embed, embed);
        assert!(loc.embed.shows(Panel::Console) && !loc.embed.shows(Panel::Reference));
    }

    #[test]
    fn default_state_makes_a_short_link() {
        let hash = Location::pattern_hash(
            "savepoints",
            &PageState::default(),
            &EmbedOptions::default(),
        );
        assert_eq!(hash, "#/savepoints");
    }

    #[test]
    fn query_string_options_apply_and_the_fragment_wins() {
        let loc = Location::parse("?embed=1&theme=light", "#/enum-field?theme=dark");
        assert!(loc.embed.embed);
        assert_eq!(loc.embed.theme, Some(Theme::Dark));
        // `auto` (the default, said explicitly) follows the system, even over the query.
        let loc = Location::parse("?theme=dark", "#/enum-field?embed=1&theme=auto&run=click");
        assert_eq!(loc.embed.theme, None);
        assert!(loc.embed.run_on_click);
        assert!(
            !Location::parse("", "#/enum-field?run=now")
                .embed
                .run_on_click
        );
    }

    #[test]
    fn bad_state_is_reported_not_dropped() {
        let loc = Location::parse("", "#/enum-field?s=1.AAAA");
        assert!(matches!(loc.state, Some(Err(_))));
        assert_eq!(loc.route, Route::Pattern("enum-field"));
    }

    #[test]
    fn junk_parameters_are_ignored() {
        let loc = Location::parse("?%zz=%&&=&embed", "#/base-model?panels=nope,,console&x");
        assert!(loc.embed.embed);
        assert_eq!(loc.embed.panels, Some(vec![Panel::Console]));
        assert_eq!(percent_decode("a%20b%2"), "a b%2");
        assert_eq!(percent_decode("%"), "%");
    }
}
