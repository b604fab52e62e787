//! Input clean-up shared by the parsers: staff type on Japanese IMEs, so full-width digits, full-width
//! spaces and hyphen look-alikes are ordinary input, not errors.

/// Full-width ASCII (U+FF01–U+FF5E) to half-width, and the ideographic space to a plain space.
pub(crate) fn to_half_width_ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Characters staff put between digit groups of a number (「1234 5678 9012」, 「39-34-202-7」).
pub(crate) fn is_digit_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '‐' | '‑' | '–' | '−' | 'ー' | '－')
}

/// Normalises an identifier as typed: half-width, separators removed. The result may still contain
/// non-digits; the caller decides what to accept.
pub(crate) fn identifier_digits(s: &str) -> String {
    to_half_width_ascii(s)
        .chars()
        .filter(|c| !is_digit_separator(*c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_spaces_become_ascii() {
        assert_eq!(to_half_width_ascii("１２３　ＡＢ"), "123 AB");
        assert_eq!(
            identifier_digits("１２３４　５６７８-９０１２"),
            "123456789012"
        );
    }
}
