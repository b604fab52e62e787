//! 氏名 and 氏名カナ: normalisation as staff type them, and the 清音化 search key.
//!
//! Staff type kana in whatever their IME gives: half-width katakana (ｶﾞ), hiragana, full-width spaces, or
//! decomposed voiced marks. [`KanaName`] holds the one normal form the union stores: full-width katakana,
//! family and given name separated by one ideographic space (U+3000).
//!
//! The 清音化 key ([`seion_key`]) is what name search compares, as the union's 清音化 tables do: voiced and
//! semi-voiced marks removed (ガ→カ, パ→ハ, ヴ→ウ), small kana made large (ッ→ツ, ャ→ヤ, ァ→ア), and
//! spaces and 「・」 dropped so that 「ヤマダ タロウ」 and 「ヤマダタロウ」 match. The long-vowel mark 「ー」 is kept.
//!
//! Names the union could not identify (外字 not yet 同定) carry the placeholder 「●」 (domain-anchors §1.2,
//! TKC); [`PersonName::has_gaiji`] tells the screens and the printer to flag them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::message::StaffMessage;

/// The 外字 placeholder used until the character is identified (文字同定).
pub const GAIJI_PLACEHOLDER: char = '●';

/// Half-width katakana U+FF66..=U+FF9D in order, as full-width.
const HALF_WIDTH_KATAKANA: &str = "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

/// Why kana input was refused. Carries a position, never the name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KanaError {
    /// Nothing was entered.
    #[error("kana name is empty")]
    Empty,
    /// A character that is not kana (kanji, Latin letters, digits, symbols).
    #[error("character {position} is not kana")]
    NotKana {
        /// 1-based position in the input.
        position: usize,
    },
    /// A voiced or semi-voiced mark with nothing it can attach to.
    #[error("voiced mark at {position} cannot attach to the character before it")]
    DanglingMark {
        /// 1-based position in the input.
        position: usize,
    },
    /// Longer than the field allows.
    #[error("kana name longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
}

impl StaffMessage for KanaError {
    fn message_ja(&self) -> String {
        match self {
            KanaError::Empty => "カナ氏名を入力してください。".into(),
            KanaError::NotKana { position } => format!(
                "カナ氏名の{position}文字目がカナではありません。カタカナまたはひらがなで入力してください。"
            ),
            KanaError::DanglingMark { position } => format!(
                "カナ氏名の{position}文字目の濁点・半濁点を前の文字に付けられません。入力を確認してください。"
            ),
            KanaError::TooLong { max } => format!("カナ氏名は{max}文字以内で入力してください。"),
        }
    }
}

/// Longest kana name accepted (the union's field holds 50 full-width characters).
pub const KANA_NAME_MAX: usize = 50;

fn is_voicing_mark(c: char) -> Option<Mark> {
    match c {
        '\u{3099}' | '\u{309B}' | '\u{FF9E}' => Some(Mark::Voiced),
        '\u{309A}' | '\u{309C}' | '\u{FF9F}' => Some(Mark::SemiVoiced),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Mark {
    Voiced,
    SemiVoiced,
}

fn add_mark(base: char, mark: Mark) -> Option<char> {
    const VOICEABLE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
    match mark {
        Mark::Voiced if VOICEABLE.contains(base) => char::from_u32(base as u32 + 1),
        Mark::Voiced => match base {
            'ウ' => Some('ヴ'),
            'ワ' => Some('ヷ'),
            'ヲ' => Some('ヺ'),
            'ヽ' => Some('ヾ'),
            _ => None,
        },
        Mark::SemiVoiced if "ハヒフヘホ".contains(base) => char::from_u32(base as u32 + 2),
        Mark::SemiVoiced => None,
    }
}

/// One character to full-width katakana, if it is kana at all.
fn to_katakana(c: char) -> Option<char> {
    match c {
        // Hiragana ぁ..ゖ and the iteration marks ゝゞ sit 0x60 below their katakana.
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => char::from_u32(c as u32 + 0x60),
        '\u{FF66}'..='\u{FF9D}' => HALF_WIDTH_KATAKANA
            .chars()
            .nth((c as u32 - 0xFF66) as usize),
        '\u{FF65}' => Some('・'),
        '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | 'ヽ' | 'ヾ' => Some(c),
        _ => None,
    }
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t'
}

/// 氏名カナ in the normal form: full-width katakana, parts separated by one U+3000.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[ts(type = "string")]
pub struct KanaName(String);

impl KanaName {
    /// Normalises what staff typed (see the module docs) and refuses anything that is not kana.
    pub fn parse(input: &str) -> Result<Self, KanaError> {
        let mut out = String::with_capacity(input.len());
        let mut pending_space = false;
        for (i, c) in input.trim_matches(is_space).chars().enumerate() {
            let position = i + 1;
            if is_space(c) {
                pending_space = true;
                continue;
            }
            if let Some(mark) = is_voicing_mark(c) {
                let prev = if pending_space { None } else { out.pop() };
                let combined = prev
                    .and_then(|p| add_mark(p, mark))
                    .ok_or(KanaError::DanglingMark { position })?;
                out.push(combined);
                continue;
            }
            let k = to_katakana(c).ok_or(KanaError::NotKana { position })?;
            if pending_space {
                out.push('\u{3000}');
                pending_space = false;
            }
            out.push(k);
        }
        if out.is_empty() {
            return Err(KanaError::Empty);
        }
        if out.chars().count() > KANA_NAME_MAX {
            return Err(KanaError::TooLong { max: KANA_NAME_MAX });
        }
        Ok(KanaName(out))
    }

    /// The normalised name, for screens and printing.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 清音化 search key of this name.
    pub fn seion_key(&self) -> SeionKey {
        SeionKey(self.0.chars().filter_map(seion_char).collect())
    }
}

impl fmt::Debug for KanaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KanaName(<redacted>)")
    }
}

impl Serialize for KanaName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for KanaName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        KanaName::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// One katakana to its 清音化 form; `None` drops it (spaces, 「・」).
fn seion_char(c: char) -> Option<char> {
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
    const SEMI_VOICED: &str = "パピプペポ";
    let c = match c {
        '\u{3000}' | ' ' | '・' => return None,
        _ if VOICED.contains(c) => char::from_u32(c as u32 - 1).unwrap_or(c),
        _ if SEMI_VOICED.contains(c) => char::from_u32(c as u32 - 2).unwrap_or(c),
        'ヴ' => 'ウ',
        'ヷ' => 'ワ',
        'ヺ' => 'ヲ',
        'ヾ' => 'ヽ',
        'ァ' => 'ア',
        'ィ' => 'イ',
        'ゥ' => 'ウ',
        'ェ' => 'エ',
        'ォ' => 'オ',
        'ッ' => 'ツ',
        'ャ' => 'ヤ',
        'ュ' => 'ユ',
        'ョ' => 'ヨ',
        'ヮ' => 'ワ',
        'ヵ' => 'カ',
        'ヶ' => 'ケ',
        other => other,
    };
    Some(c)
}

/// The 清音化 search key: compare these, not names, when searching by カナ氏名.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[ts(type = "string")]
pub struct SeionKey(String);

impl SeionKey {
    /// The key text (full-width katakana without voiced marks, small kana or spaces).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when this key begins with `prefix` (search as staff type).
    pub fn starts_with(&self, prefix: &SeionKey) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

impl fmt::Debug for SeionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SeionKey(<redacted>)")
    }
}

impl Serialize for SeionKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SeionKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        seion_key(&s).map_err(serde::de::Error::custom)
    }
}

/// Normalises kana as typed and returns its 清音化 key (for a search box: 「やまだ」 → 「ヤマタ」).
pub fn seion_key(input: &str) -> Result<SeionKey, KanaError> {
    Ok(KanaName::parse(input)?.seion_key())
}

/// Why a 氏名 was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    /// Nothing was entered.
    #[error("name is empty")]
    Empty,
    /// Longer than the field allows.
    #[error("name longer than {max} characters")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Control characters (tabs, line breaks) cannot be printed on a document.
    #[error("name contains a control character at {position}")]
    ControlCharacter {
        /// 1-based position.
        position: usize,
    },
}

impl StaffMessage for PersonNameError {
    fn message_ja(&self) -> String {
        match self {
            PersonNameError::Empty => "氏名を入力してください。".into(),
            PersonNameError::TooLong { max } => format!("氏名は{max}文字以内で入力してください。"),
            PersonNameError::ControlCharacter { position } => {
                format!("氏名の{position}文字目に使えない文字（改行・タブなど）があります。")
            }
        }
    }
}

/// Longest 氏名 accepted: what the narrowest name box of a document the counter prints holds — the ID-1
/// 資格確認書 (assets/layouts/shikaku-kakuninsho-card-id1.toml, item `name`: 62.08 mm at no less than 5.7 pt)
/// prints 62.08 mm ÷ (5.7 pt × 25.4/72 mm) = 30.9 full-width characters (`crates/print/tests/name_limit.rs`
/// prints this many on every counter document). A longer name is refused with this limit in the message,
/// never cut: a 住基 name that is longer goes to the file's 確認リスト (ARCHITECTURE.md, "Field limits").
pub const PERSON_NAME_MAX: usize = 30;

/// 氏名 (the name in kanji as registered). May contain 「●」 for a 外字 not yet identified.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash)]
#[ts(type = "string")]
pub struct PersonName {
    text: String,
    gaiji: bool,
}

impl PersonName {
    /// Trims, collapses runs of spaces to one U+3000, and flags 外字 placeholders.
    pub fn parse(input: &str) -> Result<Self, PersonNameError> {
        let mut text = String::with_capacity(input.len());
        let mut pending_space = false;
        for (i, c) in input.trim_matches(is_space).chars().enumerate() {
            if is_space(c) {
                pending_space = true;
                continue;
            }
            if c.is_control() {
                return Err(PersonNameError::ControlCharacter { position: i + 1 });
            }
            if pending_space {
                text.push('\u{3000}');
                pending_space = false;
            }
            text.push(c);
        }
        if text.is_empty() {
            return Err(PersonNameError::Empty);
        }
        if text.chars().count() > PERSON_NAME_MAX {
            return Err(PersonNameError::TooLong {
                max: PERSON_NAME_MAX,
            });
        }
        let gaiji = text.contains(GAIJI_PLACEHOLDER);
        Ok(PersonName { text, gaiji })
    }

    /// The name, for screens and printing.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the name holds a 外字 placeholder 「●」 (文字同定 pending).
    pub fn has_gaiji(&self) -> bool {
        self.gaiji
    }

    /// How many 外字 placeholders the name holds.
    pub fn gaiji_count(&self) -> usize {
        self.text
            .chars()
            .filter(|c| *c == GAIJI_PLACEHOLDER)
            .count()
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersonName(<redacted>, gaiji: {})", self.gaiji)
    }
}

impl Serialize for PersonName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for PersonName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        PersonName::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        KanaName::parse(s).expect(s).as_str().to_owned()
    }

    #[test]
    fn normalises_what_staff_type() {
        assert_eq!(norm("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ\u{3000}タロウ");
        assert_eq!(norm("やまだ　たろう"), "ヤマダ\u{3000}タロウ");
        assert_eq!(norm("  ヤマダ    タロウ "), "ヤマダ\u{3000}タロウ");
        assert_eq!(norm("ﾊﾟｸ ｼﾞｮﾝﾋｮﾝ"), "パク\u{3000}ジョンヒョン");
        assert_eq!(norm("ｳﾞｨｸﾄﾙ"), "ヴィクトル");
        assert_eq!(norm("ｻﾄｰ"), "サトー");
        // Decomposed voiced marks (NFD) and stand-alone ゛.
        assert_eq!(norm("カ\u{3099}ク"), "ガク");
        assert_eq!(norm("ハ゜ン"), "パン");
        assert_eq!(norm("すずき　いちろう"), "スズキ\u{3000}イチロウ");
    }

    #[test]
    fn refuses_what_is_not_kana() {
        assert_eq!(
            KanaName::parse("山田"),
            Err(KanaError::NotKana { position: 1 })
        );
        assert_eq!(
            KanaName::parse("ヤマダ1"),
            Err(KanaError::NotKana { position: 4 })
        );
        assert_eq!(
            KanaName::parse("ﾞｱ"),
            Err(KanaError::DanglingMark { position: 1 })
        );
        assert_eq!(
            KanaName::parse("ア\u{309A}"),
            Err(KanaError::DanglingMark { position: 2 })
        );
        assert_eq!(KanaName::parse("   "), Err(KanaError::Empty));
        let long: String = "ア".repeat(KANA_NAME_MAX + 1);
        assert_eq!(
            KanaName::parse(&long),
            Err(KanaError::TooLong { max: KANA_NAME_MAX })
        );
        assert_eq!(
            KanaName::parse("山田").expect_err("kanji").message_ja(),
            "カナ氏名の1文字目がカナではありません。カタカナまたはひらがなで入力してください。"
        );
    }

    #[test]
    fn seion_key_removes_marks_and_small_kana() {
        let key = |s: &str| seion_key(s).expect(s).as_str().to_owned();
        assert_eq!(key("ヤマダ タロウ"), "ヤマタタロウ");
        assert_eq!(key("ﾊﾟｸ ｼﾞｮﾝﾋｮﾝ"), "ハクシヨンヒヨン");
        assert_eq!(key("ヴィクトル・ガルシア"), "ウイクトルカルシア");
        assert_eq!(key("キッカワ"), "キツカワ");
        assert_eq!(key("ヶ"), "ケ");
        assert_eq!(key("サトー"), "サトー");
        // The same person typed two ways finds the same key.
        assert_eq!(key("すずき"), key("ｽｽﾞｷ"));
        let full = seion_key("ヤマダ タロウ").expect("kana");
        let prefix = seion_key("やまた").expect("kana");
        assert!(full.starts_with(&prefix));
    }

    #[test]
    fn person_names_flag_gaiji_and_redact() {
        let n = PersonName::parse("髙橋　●子").expect("name");
        assert!(n.has_gaiji());
        assert_eq!(n.gaiji_count(), 1);
        assert_eq!(format!("{n:?}"), "PersonName(<redacted>, gaiji: true)");
        let plain = PersonName::parse(" 山田  太郎 ").expect("name");
        assert_eq!(plain.as_str(), "山田\u{3000}太郎");
        assert!(!plain.has_gaiji());
        assert_eq!(PersonName::parse(""), Err(PersonNameError::Empty));
        assert_eq!(
            PersonName::parse("山田\n太郎"),
            Err(PersonNameError::ControlCharacter { position: 3 })
        );
        assert_eq!(
            format!("{:?}", KanaName::parse("ヤマダ").expect("kana")),
            "KanaName(<redacted>)"
        );
    }
}
