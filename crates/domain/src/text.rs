//! 自由記述: the text a person types into a field — 住所, 送付先 (宛名・郵便番号・住所), a staff member's
//! 表示名, a reason (再印刷・差戻し・利用目的) — and the rules every such field follows, on the terminal
//! (so the clerk sees the problem before sending) and on the union (so nothing else gets stored).
//!
//! - No control characters (C0 such as NUL, tab, CR, LF, ESC; DEL; C1; the Unicode line and paragraph
//!   separators): the text is printed on one line of a document and written into CSV and audit files.
//! - No bidirectional formatting characters (U+202A–U+202E embeddings and overrides, U+2066–U+2069
//!   isolates, U+200E/U+200F/U+061C marks): they make a printed or listed value read differently from what
//!   was stored (Trojan Source, CVE-2021-42574).
//! - Not empty where the field is required (spaces alone count as empty), and no longer than the document
//!   that prints it can hold ([`TextKind::max_chars`] says where each limit comes from).
//!
//! 郵便番号 has its own type, [`PostalCode`].

use std::fmt;

use crate::kana::PERSON_NAME_MAX;
use crate::message::StaffMessage;
use crate::normalize::to_half_width_ascii;

/// Which free-text field: decides the length limit and whether it may be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextKind {
    /// 住所 (住民票) and 送付先住所.
    Address,
    /// 送付先の宛名 (recipient).
    Recipient,
    /// 職員の表示名 (display name of a staff account).
    DisplayName,
    /// A reason typed by staff: 再印刷の理由, 差戻し理由, 利用目的（その他）.
    Reason,
    /// A note for approvers (配信のメモ); may be empty.
    Note,
}

/// Longest 住所: the 保険料決定通知書 prints it on one line in a 100 mm box at no less than 7 pt
/// (assets/layouts/hokenryo-kettei.toml, item `address`): 100 mm ÷ (7 pt × 25.4/72 mm) = 40.5 full-width
/// characters. The 宛名一覧 line has room for it too (see [`RECIPIENT_MAX`]).
pub const ADDRESS_MAX: usize = 40;

/// Longest 宛名 of a 送付先: the 宛名一覧 prints 「通し番号　〒郵便番号　住所　宛名　様　被保険者番号」 on one
/// line of a 180 mm box at no less than 5.5 pt (assets/layouts/atena-ichiran.toml): 92 full-width
/// characters, of which the fixed columns take 18 and a 40-character address 40, leaving 34; 30 keeps a
/// margin for the font's wider half-width digits. The batch tests render a list at these limits.
pub const RECIPIENT_MAX: usize = 30;

/// Longest 表示名: a staff member's name is a 氏名, so the limit of a 氏名 ([`PERSON_NAME_MAX`]); it is shown in
/// the title bar and in audit reports, and printed on no document.
pub const DISPLAY_NAME_MAX: usize = PERSON_NAME_MAX;

/// Longest reason: one line on screen and in the audit report (the 利用目的（その他） of a 個人番号 reveal
/// already had this limit); reasons are printed on no resident's document.
pub const REASON_MAX: usize = 100;

/// Longest note for approvers: shown in the union's and the supervisor's distribution queue only.
pub const NOTE_MAX: usize = 200;

impl TextKind {
    /// The most characters (Unicode scalar values) accepted, after trimming.
    pub fn max_chars(self) -> usize {
        match self {
            TextKind::Address => ADDRESS_MAX,
            TextKind::Recipient => RECIPIENT_MAX,
            TextKind::DisplayName => DISPLAY_NAME_MAX,
            TextKind::Reason => REASON_MAX,
            TextKind::Note => NOTE_MAX,
        }
    }

    /// Whether an empty value is refused.
    pub fn required(self) -> bool {
        !matches!(self, TextKind::Note)
    }
}

/// Why a free text was refused. Names the position, never the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// Nothing (or only spaces) where a value is required.
    #[error("the text is empty")]
    Empty,
    /// Longer than the document prints.
    #[error("the text is longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A control character (line break, tab, NUL, ESC …).
    #[error("the text contains a control character at {position}")]
    ControlCharacter {
        /// 1-based position in the text as given.
        position: usize,
    },
    /// A bidirectional formatting character (override, embedding, isolate, mark).
    #[error("the text contains a bidirectional formatting character at {position}")]
    BidiControl {
        /// 1-based position in the text as given.
        position: usize,
    },
}

impl StaffMessage for TextError {
    fn message_ja(&self) -> String {
        match self {
            TextError::Empty => "入力してください。".into(),
            TextError::TooLong { max } => format!("{max}文字以内で入力してください。"),
            TextError::ControlCharacter { position } => {
                format!("{position}文字目に使えない文字（改行・タブなどの制御文字）があります。")
            }
            TextError::BidiControl { position } => format!(
                "{position}文字目に使えない文字（文字の向きを変える見えない制御文字）があります。"
            ),
        }
    }
}

/// Line breaks and controls that are not in Unicode's `Cc` category but break a line all the same.
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Bidirectional formatting characters (Unicode `Bidi_Control`).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Spaces trimmed from both ends (ASCII space and the ideographic space U+3000 staff type on a Japanese
/// IME). Other whitespace is a control character and refused, not trimmed.
fn is_edge_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}'
}

/// Checks one free-text field and returns it trimmed of surrounding spaces.
pub fn check(kind: TextKind, input: &str) -> Result<String, TextError> {
    for (i, c) in input.chars().enumerate() {
        if c.is_control() || is_line_separator(c) {
            return Err(TextError::ControlCharacter { position: i + 1 });
        }
        if is_bidi_control(c) {
            return Err(TextError::BidiControl { position: i + 1 });
        }
    }
    let text = input.trim_matches(is_edge_space);
    if text.is_empty() && kind.required() {
        return Err(TextError::Empty);
    }
    if text.chars().count() > kind.max_chars() {
        return Err(TextError::TooLong {
            max: kind.max_chars(),
        });
    }
    Ok(text.to_owned())
}

/// 郵便番号: seven digits, three and four (「954-0000」). Stored without the hyphen.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PostalCode(String);

/// A 郵便番号 that is not 3+4 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a postal code is seven digits, optionally 3-4 with a hyphen")]
pub struct PostalCodeError;

impl StaffMessage for PostalCodeError {
    fn message_ja(&self) -> String {
        "7桁の数字（例: 954-0000）で入力してください。".into()
    }
}

impl PostalCode {
    /// Accepts 「9540000」 and 「954-0000」, in half- or full-width digits with a half- or full-width
    /// hyphen (「９５４－００００」), with surrounding spaces; refuses anything else.
    pub fn parse(input: &str) -> Result<Self, PostalCodeError> {
        let half = to_half_width_ascii(input);
        let s = half.trim_matches(' ');
        let digits: String = match s.len() {
            7 => s.to_owned(),
            8 if s.as_bytes()[3] == b'-' => format!("{}{}", &s[..3], &s[4..]),
            _ => return Err(PostalCodeError),
        };
        if digits.len() == 7 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(PostalCode(digits))
        } else {
            Err(PostalCodeError)
        }
    }

    /// The seven digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 「954-0000」.
    pub fn hyphenated(&self) -> String {
        format!("{}-{}", &self.0[..3], &self.0[3..])
    }
}

impl fmt::Debug for PostalCode {
    // Part of an address: personal data, kept out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PostalCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_characters_are_refused_with_their_position() {
        for (text, position) in [
            ("見附市\u{0}", 4),
            ("見附市\r本町", 4),
            ("見附市\n本町", 4),
            ("\u{1b}[31m", 1),
            ("見附\t市", 3),
            ("見附\u{7f}", 3),
            ("見附\u{85}", 3),
            ("見附\u{2028}", 3),
        ] {
            assert_eq!(
                check(TextKind::Address, text),
                Err(TextError::ControlCharacter { position }),
                "{text:?}"
            );
        }
        for c in ['\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200F}'] {
            let text = format!("見附{c}市");
            assert_eq!(
                check(TextKind::Recipient, &text),
                Err(TextError::BidiControl { position: 3 })
            );
        }
        let e = check(TextKind::Address, "見附市\n")
            .expect_err("a trailing LF is refused, not trimmed");
        assert!(e.message_ja().contains("4文字目"));
    }

    #[test]
    fn empty_and_long_values_are_refused_and_spaces_trimmed() {
        assert_eq!(check(TextKind::Address, ""), Err(TextError::Empty));
        assert_eq!(check(TextKind::Address, " 　 "), Err(TextError::Empty));
        assert_eq!(check(TextKind::Note, ""), Ok(String::new()));
        assert_eq!(
            check(TextKind::Address, "　新潟県見附市昭和町一丁目1番1号 ").as_deref(),
            Ok("新潟県見附市昭和町一丁目1番1号")
        );
        let at_limit = "町".repeat(ADDRESS_MAX);
        assert_eq!(check(TextKind::Address, &at_limit), Ok(at_limit.clone()));
        assert_eq!(
            check(TextKind::Address, &format!("{at_limit}町")),
            Err(TextError::TooLong { max: ADDRESS_MAX })
        );
        assert_eq!(
            check(TextKind::Address, &"a".repeat(20_000)),
            Err(TextError::TooLong { max: 40 })
        );
        assert_eq!(TextKind::Recipient.max_chars(), RECIPIENT_MAX);
        assert_eq!(TextKind::DisplayName.max_chars(), 30);
        assert!(
            TextError::TooLong { max: 40 }
                .message_ja()
                .contains("40文字以内")
        );
    }

    #[test]
    fn postal_codes_are_three_and_four_digits() {
        for ok in [
            "9540000",
            "954-0000",
            "９５４－００００",
            "９５４００００",
            " 954-0000 ",
        ] {
            let p = PostalCode::parse(ok).unwrap_or_else(|_| panic!("{ok}"));
            assert_eq!(p.as_str(), "9540000");
            assert_eq!(p.hyphenated(), "954-0000");
        }
        for bad in [
            "",
            "954000",
            "95400000",
            "9540-000",
            "954 0000",
            "954ー0000",
            "ABCDEFGHIJ-not-a-postcode",
            "〒954-0000",
            "954-000a",
            "９５４-０００",
        ] {
            assert_eq!(PostalCode::parse(bad), Err(PostalCodeError), "{bad}");
        }
        assert!(!format!("{:?}", PostalCode::parse("9540000")).contains("954"));
        assert!(PostalCodeError.message_ja().contains("7桁"));
    }
}
