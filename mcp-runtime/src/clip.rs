//! Clipping a client's value before it goes into a log line or an error message: a hostile
//! client must not be able to make the server log megabytes.

use std::borrow::Cow;

/// How many bytes of a client's value are kept.
pub(crate) const CLIP_BYTES: usize = 200;

/// `text` cut to at most [`CLIP_BYTES`] bytes (on a character boundary), with `…` when cut.
pub(crate) fn clip(text: &str) -> Cow<'_, str> {
    if text.len() <= CLIP_BYTES {
        return Cow::Borrowed(text);
    }
    let mut end = CLIP_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…", &text[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(1_000);
        let clipped = clip(&long);
        assert!(clipped.len() <= CLIP_BYTES + '…'.len_utf8());
        assert!(clipped.ends_with('…'));
        assert!(clipped.starts_with("éé"));
    }
}
