//! The messages between an embedded page and the documentation page that hosts it
//! (`window.postMessage`), as plain data: the UI only parses and posts them. Every
//! message is an object whose `type` starts with `sqlpatterns:`; anything else a host
//! posts (other tools' messages) is ignored.
//!
//! Host to embed:
//! - `{ type: "sqlpatterns:set-theme", theme: "light" | "dark" | "auto" }`
//! - `{ type: "sqlpatterns:run" }`: starts a `run=click` embed, or runs its console script
//! - `{ type: "sqlpatterns:run-step", step: "<id>" }`: presses a demo step or lab action
//!   (the ids are in the `ready` message)
//! - `{ type: "sqlpatterns:get-state", id?: "<any string>" }`
//!
//! Embed to host:
//! - `{ type: "sqlpatterns:ready", slug, steps: ["<id>", ...] }` once the page is up
//!   (a `run=click` embed: once started)
//! - `{ type: "sqlpatterns:resize", slug, height }` whenever its content's height changes
//! - `{ type: "sqlpatterns:state", slug, id, url, state }`: the answer to `get-state`, with
//!   the permalink (`url`) and its `s=` value (`state`, empty for the default state)
//! - `{ type: "sqlpatterns:done", slug, request, step? }` after a `run` or `run-step`
//! - `{ type: "sqlpatterns:error", slug, request, message }` when a request cannot be done

use super::Theme;
use serde::{Deserialize, Serialize};

pub const READY: &str = "sqlpatterns:ready";
pub const RESIZE: &str = "sqlpatterns:resize";
pub const STATE: &str = "sqlpatterns:state";
pub const DONE: &str = "sqlpatterns:done";
pub const ERROR: &str = "sqlpatterns:error";

/// What a host asks of an embed.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type")]
pub enum HostRequest {
    #[serde(rename = "sqlpatterns:set-theme")]
    SetTheme {
        #[serde(deserialize_with = "theme_choice")]
        theme: Option<Theme>,
    },
    #[serde(rename = "sqlpatterns:run")]
    Run,
    #[serde(rename = "sqlpatterns:run-step")]
    RunStep { step: String },
    #[serde(rename = "sqlpatterns:get-state")]
    GetState {
        #[serde(default)]
        id: Option<String>,
    },
}

impl HostRequest {
    /// The request's name, as `done` and `error` messages repeat it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SetTheme { .. } => "set-theme",
            Self::Run => "run",
            Self::RunStep { .. } => "run-step",
            Self::GetState { .. } => "get-state",
        }
    }
}

fn theme_choice<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Theme>, D::Error> {
    let name = String::deserialize(d)?;
    match name.as_str() {
        "light" | "dark" | "auto" => Ok(Theme::parse(&name)),
        other => Err(serde::de::Error::custom(format!(
            "theme must be light, dark or auto, not {other:?}"
        ))),
    }
}

/// Reads what a host posted: `None` for messages that are not ours (no `type` starting
/// with `sqlpatterns:`), `Some(Err(why))` for ours that are malformed.
pub fn read_request(message: &serde_json::Value) -> Option<Result<HostRequest, String>> {
    let kind = message.get("type")?.as_str()?;
    if !kind.starts_with("sqlpatterns:") {
        return None;
    }
    Some(serde_json::from_value(message.clone()).map_err(|e| format!("{kind}: {e}")))
}

/// What an embed tells its host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum EmbedMessage {
    #[serde(rename = "sqlpatterns:ready")]
    Ready { slug: String, steps: Vec<String> },
    #[serde(rename = "sqlpatterns:resize")]
    Resize { slug: String, height: i32 },
    #[serde(rename = "sqlpatterns:state")]
    State {
        slug: String,
        id: Option<String>,
        url: String,
        state: String,
    },
    #[serde(rename = "sqlpatterns:done")]
    Done {
        slug: String,
        request: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        step: Option<String>,
    },
    #[serde(rename = "sqlpatterns:error")]
    Error {
        slug: String,
        request: String,
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn host_requests_parse_and_foreign_messages_are_ignored() {
        let read = |v: serde_json::Value| read_request(&v);
        assert_eq!(
            read(json!({"type": "sqlpatterns:set-theme", "theme": "dark"})),
            Some(Ok(HostRequest::SetTheme {
                theme: Some(Theme::Dark)
            }))
        );
        assert_eq!(
            read(json!({"type": "sqlpatterns:set-theme", "theme": "auto"})),
            Some(Ok(HostRequest::SetTheme { theme: None }))
        );
        assert!(matches!(
            read(json!({"type": "sqlpatterns:set-theme", "theme": "pink"})),
            Some(Err(e)) if e.contains("light, dark or auto")
        ));
        assert_eq!(
            read(json!({"type": "sqlpatterns:run-step", "step": "soft-delete-ben"})),
            Some(Ok(HostRequest::RunStep {
                step: "soft-delete-ben".into()
            }))
        );
        assert_eq!(
            read(json!({"type": "sqlpatterns:get-state"})),
            Some(Ok(HostRequest::GetState { id: None }))
        );
        assert!(matches!(
            read(json!({"type": "sqlpatterns:run-step"})),
            Some(Err(_))
        ));
        assert_eq!(read(json!({"type": "webpackOk"})), None);
        assert_eq!(read(json!("sqlpatterns:run")), None);
        assert_eq!(read(json!({"type": 3})), None);
    }

    #[test]
    fn embed_messages_carry_their_type() {
        let message = EmbedMessage::Done {
            slug: "soft-delete".into(),
            request: "run-step".into(),
            step: Some("a".into()),
        };
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            json!({"type": DONE, "slug": "soft-delete", "request": "run-step", "step": "a"})
        );
        let resize = EmbedMessage::Resize {
            slug: "x".into(),
            height: 5,
        };
        assert_eq!(serde_json::to_value(&resize).unwrap()["type"], RESIZE);
    }
}
