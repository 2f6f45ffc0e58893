//! The state codec: JSON -> raw DEFLATE -> URL-safe base64, with a version prefix.
//! Decoding never panics and never allocates without bound, whatever the input.

use super::PageState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;

/// The format this release writes. Decoders accept every version up to it.
const FORMAT_VERSION: &str = "1";
/// Longest encoded state accepted from a URL (a typical edited model is well under 2,000).
pub const MAX_LINK_STATE_CHARS: usize = 64 * 1024;
/// Most bytes a state may expand to: bounds a tampered link's decompression.
pub const MAX_STATE_BYTES: usize = 512 * 1024;

/// Why a link's state could not be opened; the message is shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    TooLong(usize),
    UnknownVersion(String),
    NotBase64,
    NotCompressed,
    TooLarge,
    NotState(String),
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::TooLong(n) => write!(
                f,
                "the link's state is {n} characters long, more than the {MAX_LINK_STATE_CHARS} accepted"
            ),
            ShareError::UnknownVersion(v) => write!(
                f,
                "the link was made by a newer or unknown version of sqlpatterns (format \"{v}\")"
            ),
            ShareError::NotBase64 => f.write_str("the link is damaged (its state is not valid base64)"),
            ShareError::NotCompressed => {
                f.write_str("the link is damaged or truncated (its state does not decompress)")
            }
            ShareError::TooLarge => write!(
                f,
                "the link's state expands to more than {} KB",
                MAX_STATE_BYTES / 1024
            ),
            ShareError::NotState(why) => write!(f, "the link's state is not valid: {why}"),
        }
    }
}

impl std::error::Error for ShareError {}

pub fn encode_state(state: &PageState) -> String {
    let json = serde_json::to_vec(state).expect("PageState always serialises");
    let compressed = compress_to_vec(&json, 9);
    format!("{FORMAT_VERSION}.{}", URL_SAFE_NO_PAD.encode(compressed))
}

pub fn decode_state(text: &str) -> Result<PageState, ShareError> {
    if text.len() > MAX_LINK_STATE_CHARS {
        return Err(ShareError::TooLong(text.len()));
    }
    let (version, payload) = text
        .split_once('.')
        .ok_or_else(|| ShareError::UnknownVersion(text.chars().take(8).collect()))?;
    if version != FORMAT_VERSION {
        return Err(ShareError::UnknownVersion(
            version.chars().take(8).collect(),
        ));
    }
    // Some chat apps append '=' padding or percent-encode; be lenient where it is safe.
    let payload = payload.trim_end_matches('=');
    let compressed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| ShareError::NotBase64)?;
    let json = decompress_to_vec_with_limit(&compressed, MAX_STATE_BYTES).map_err(|e| {
        if matches!(e.status, miniz_oxide::inflate::TINFLStatus::HasMoreOutput) {
            ShareError::TooLarge
        } else {
            ShareError::NotCompressed
        }
    })?;
    let state: PageState = serde_json::from_slice(&json).map_err(|e| {
        let mut why = e.to_string();
        why.truncate(120);
        ShareError::NotState(why)
    })?;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PageState {
        let mut state = PageState {
            console: Some("SELECT * FROM users WHERE email = 'a@b.c';\n-- é ✓".into()),
            models: Some("class User(Base):\n    __tablename__ = 'users'\n".into()),
            view: Some("diagram".into()),
            ..PageState::default()
        };
        state.knobs.insert("n".into(), "1000".into());
        state
    }

    #[test]
    fn round_trips() {
        let state = sample();
        let link = encode_state(&state);
        assert!(link.starts_with("1."));
        assert!(link[2..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(decode_state(&link), Ok(state));
        assert_eq!(
            decode_state(&encode_state(&PageState::default())),
            Ok(PageState::default())
        );
    }

    #[test]
    fn rejects_bad_links_with_a_reason() {
        let link = encode_state(&sample());
        assert!(matches!(decode_state("2.abc"), Err(ShareError::UnknownVersion(v)) if v == "2"));
        assert!(matches!(
            decode_state("garbage"),
            Err(ShareError::UnknownVersion(_))
        ));
        assert_eq!(decode_state("1.%%%"), Err(ShareError::NotBase64));
        for cut in 3..link.len() {
            assert!(
                matches!(
                    decode_state(&link[..cut]),
                    Err(ShareError::NotBase64
                        | ShareError::NotCompressed
                        | ShareError::NotState(_))
                ),
                "truncated at {cut}"
            );
        }
        // A truncation at a whole base64 quantum reaches the inflater, which notices.
        let cut = 2 + (link.len() - 2) / 2 / 4 * 4;
        assert_eq!(decode_state(&link[..cut]), Err(ShareError::NotCompressed));
        let too_long = format!("1.{}", "A".repeat(MAX_LINK_STATE_CHARS));
        assert!(matches!(
            decode_state(&too_long),
            Err(ShareError::TooLong(_))
        ));
        let not_json = format!("1.{}", URL_SAFE_NO_PAD.encode(compress_to_vec(b"[1,2]", 9)));
        assert!(matches!(
            decode_state(&not_json),
            Err(ShareError::NotState(_))
        ));
    }

    #[test]
    fn a_compression_bomb_is_refused() {
        let bomb = vec![b' '; MAX_STATE_BYTES * 4];
        let link = format!("1.{}", URL_SAFE_NO_PAD.encode(compress_to_vec(&bomb, 9)));
        assert!(link.len() < 10_000, "the bomb is small: {}", link.len());
        assert_eq!(decode_state(&link), Err(ShareError::TooLarge));
    }

    #[test]
    fn unknown_fields_from_later_releases_are_ignored() {
        let json = br#"{"c":"SELECT 1","zz":{"future":true}}"#;
        let link = format!("1.{}", URL_SAFE_NO_PAD.encode(compress_to_vec(json, 9)));
        assert_eq!(
            decode_state(&link).unwrap().console.as_deref(),
            Some("SELECT 1")
        );
    }

    #[test]
    fn padding_added_by_chat_apps_is_tolerated() {
        let link = encode_state(&sample());
        assert_eq!(decode_state(&format!("{link}==")), Ok(sample()));
    }

    #[test]
    fn a_typical_edited_model_link_fits_in_a_chat_message() {
        // The reference's base model and one-to-many models, edited: what people share.
        let code = |slug| crate::catalogue::by_slug(slug).unwrap().reference_code;
        let models = format!(
            "{}\n{}\n    nickname: Mapped[str | None] = mapped_column(String(50))\n",
            code("base-model"),
            code("one-to-many-cascade")
        );
        let state = PageState {
            models: Some(models),
            ..PageState::default()
        };
        let link = encode_state(&state);
        assert!(link.len() < 2000, "{} chars", link.len());
    }
}
