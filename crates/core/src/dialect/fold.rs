//! PostgreSQL folds unquoted identifiers to lower case (`SELECT ID FROM Users` reads table
//! `users`, column `id`); GlueSQL matches names exactly. The engine folds the statement's
//! text before parsing: ASCII letters outside string literals, quoted identifiers,
//! dollar-quoted strings and comments, which is what PostgreSQL's `downcase_identifier`
//! does for UTF-8 (keywords fold too, which changes nothing; SET and SHOW statements are
//! left alone). Byte positions are kept, so an error's line and column still point into
//! the text as written, and a syntax error quotes the token as written.

use std::borrow::Cow;

pub fn fold_identifiers(sql: &str) -> Cow<'_, str> {
    // SET and SHOW name settings, not tables, and sqlparser reads `SET TRANSACTION READ
    // ONLY` in upper case only.
    let first = sql.split_whitespace().next().unwrap_or_default();
    if !sql.bytes().any(|b| b.is_ascii_uppercase())
        || first.eq_ignore_ascii_case("set")
        || first.eq_ignore_ascii_case("show")
    {
        return Cow::Borrowed(sql);
    }
    let bytes = sql.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\'' => {
                // An E'...' string takes backslash escapes; a plain one only ''.
                let escapes = i > 0
                    && matches!(bytes[i - 1], b'e' | b'E')
                    && (i < 2 || !bytes[i - 2].is_ascii_alphanumeric());
                let end = quoted_end(bytes, i, b'\'', escapes);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            b'"' => {
                let end = quoted_end(bytes, i, b'"', false);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                let end = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                out.extend_from_slice(&bytes[i..end]);
                i = end;
            }
            b'$' => match dollar_tag(&sql[i..]) {
                Some(tag) => {
                    let body = i + tag.len();
                    let end = sql[body..]
                        .find(tag)
                        .map_or(bytes.len(), |n| body + n + tag.len());
                    out.extend_from_slice(&bytes[i..end]);
                    i = end;
                }
                None => {
                    out.push(b);
                    i += 1;
                }
            },
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let end = bytes[i..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$'))
                    .map_or(bytes.len(), |n| i + n);
                let word = &sql[i..end];
                out.extend(word.bytes().map(|c| c.to_ascii_lowercase()));
                i = end;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Only ASCII bytes were changed, so the text is still UTF-8.
    Cow::Owned(String::from_utf8(out).expect("ASCII-only changes keep UTF-8"))
}

/// Where a quoted run starting at `start` ends (after its closing quote; a doubled quote
/// is part of the run).
fn quoted_end(bytes: &[u8], start: usize, quote: u8, backslash: bool) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if backslash && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// `$$` or `$tag$` at the start of `text` (a `$1` parameter is not one).
fn dollar_tag(text: &str) -> Option<&str> {
    let rest = &text[1..];
    let close = rest.find('$')?;
    let tag = &rest[..close];
    let valid = tag
        .chars()
        .enumerate()
        .all(|(n, c)| c == '_' || c.is_ascii_alphabetic() || (n > 0 && c.is_ascii_digit()));
    valid.then(|| &text[..close + 2])
}

#[cfg(test)]
mod tests {
    use super::fold_identifiers;

    #[test]
    fn folds_names_and_keeps_literals_quotes_and_comments() {
        assert_eq!(
            fold_identifiers("SELECT ID, \"Name\" FROM Users WHERE Email = 'A@X' -- Note\n"),
            "select id, \"Name\" from users where email = 'A@X' -- Note\n"
        );
        assert_eq!(
            fold_identifiers("SELECT $$It's$$, $T$ABC$T$, $1, E'It\\'S', 'a''B' /* C */"),
            "select $$It's$$, $T$ABC$T$, $1, e'It\\'S', 'a''B' /* C */"
        );
        assert_eq!(fold_identifiers("select 1"), "select 1");
        assert_eq!(
            fold_identifiers("SET TRANSACTION READ ONLY"),
            "SET TRANSACTION READ ONLY"
        );
    }
}
