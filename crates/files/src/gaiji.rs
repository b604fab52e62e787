//! 外字: characters a municipal file holds that the standard character set or the print fonts do not.
//!
//! They are never guessed (domain-anchors §1.2, the TKC practice): each becomes 「●」 in the record and a
//! 文字同定 request ([`GaijiRequest`]: line, field, raw code) is kept with the record, listed for the
//! municipality and resolved by a mapping table ([`GaijiMap`], TOML, one per municipality, distributed by the
//! union). A record with an open request is valid but waits for 文字同定; it is sent again once resolved.
//!
//! Two sources of 外字:
//! - a CP932 byte pair in the user-defined area 0xF040–0xF9FC (`encoding_rs` decodes it to the private
//!   use area U+E000–U+E757; the raw code is recomputed from that, exactly);
//! - a character outside what the print fonts can draw ([`Glyphs`]): in UTF-8 CSV any code point, in a
//!   fixed-length file the decoded character.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;

/// The character that stands for an unidentified 外字: the domain's, so `PersonName::has_gaiji` and the
/// print pre-flight see the same mark.
pub const PLACEHOLDER: char = madoguchi_domain::kana::GAIJI_PLACEHOLDER;

/// The raw code of a 外字, as it was in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GaijiCode {
    /// A CP932 user-defined code (0xF040–0xF9FC).
    Sjis(u16),
    /// A Unicode code point the fonts cannot draw.
    Unicode(u32),
}

impl GaijiCode {
    /// The CP932 code of a user-defined character that `encoding_rs` decoded to the private use area, or
    /// `None` when `c` is not one (WHATWG Encoding, Shift_JIS decoder: pointer 8836–10715 ↦ U+E000 + p − 8836).
    pub fn from_eudc_char(c: char) -> Option<GaijiCode> {
        let cp = u32::from(c);
        if !(0xE000..=0xE757).contains(&cp) {
            return None;
        }
        let pointer = cp - 0xE000 + 8836;
        let (lead, trail) = (pointer / 188, pointer % 188);
        let lead = lead + if lead < 0x1F { 0x81 } else { 0xC1 };
        let trail = trail + if trail < 0x3F { 0x40 } else { 0x41 };
        u16::try_from((lead << 8) | trail).ok().map(GaijiCode::Sjis)
    }

    /// 「SJIS:F040」 or 「U+20BB7」: the form in the 確認リスト and in the mapping table.
    pub fn hex(&self) -> String {
        match self {
            GaijiCode::Sjis(c) => format!("SJIS:{c:04X}"),
            GaijiCode::Unicode(c) => format!("U+{c:04X}"),
        }
    }

    fn parse(s: &str) -> Option<GaijiCode> {
        if let Some(h) = s.strip_prefix("SJIS:") {
            return u16::from_str_radix(h, 16)
                .ok()
                .filter(|c| (0xF040..=0xF9FC).contains(c))
                .map(GaijiCode::Sjis);
        }
        s.strip_prefix("U+")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .filter(|c| char::from_u32(*c).is_some())
            .map(GaijiCode::Unicode)
    }
}

impl fmt::Display for GaijiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// 文字同定依頼: one unidentified character of one record. Holds the code, never the rest of the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaijiRequest {
    /// Line in the file (1-based).
    pub line: u64,
    /// English field name.
    pub field: String,
    /// 項目名.
    pub field_label: String,
    /// Position of the character in the field's value (0-based, in characters).
    pub offset: usize,
    /// The raw code.
    pub code: GaijiCode,
}

/// Which characters the print fonts can draw. The print crate's fonts can implement this; the default is
/// [`Cp932Standard`], so this crate does not load fonts.
pub trait Glyphs {
    /// Whether `c` prints as itself.
    fn can_draw(&self, c: char) -> bool;

    /// Whether every CP932 character outside the user-defined area is drawable: then a fixed-length CP932
    /// file needs no per-character check beyond the user-defined area (the fast path of large files).
    fn covers_cp932(&self) -> bool {
        false
    }
}

/// Drawable = encodable in CP932 outside the user-defined area. The BIZ UD fonts Madoguchi prints with
/// cover JIS X 0208 and the Microsoft (NEC/IBM) extensions that CP932 adds, so a character CP932 cannot
/// write is one they cannot be trusted to draw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cp932Standard;

impl Glyphs for Cp932Standard {
    fn can_draw(&self, c: char) -> bool {
        if c.is_ascii() {
            return !c.is_ascii_control();
        }
        // The private use area is the user-defined area in disguise (the encoder maps it back to 0xF040…).
        if ('\u{E000}'..='\u{F8FF}').contains(&c) {
            return false;
        }
        let mut buf = [0u8; 4];
        let (_, _, unmappable) = encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf));
        !unmappable
    }

    fn covers_cp932(&self) -> bool {
        true
    }
}

/// Why a mapping table was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GaijiMapError {
    /// Unreadable.
    #[error("cannot read the 外字 mapping table {path}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Not the expected TOML.
    #[error("the 外字 mapping table is not valid TOML")]
    Toml(#[source] toml::de::Error),
    /// An entry is wrong (code malformed, target not one drawable character, code twice).
    #[error("外字 mapping entry {index}: {why}")]
    Entry {
        /// 0-based entry.
        index: usize,
        /// What is wrong.
        why: &'static str,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    municipality: String,
    version: u32,
    #[serde(default, rename = "char")]
    chars: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    code: String,
    to: String,
    /// Free text for the operator (who identified the character); accepted, never used.
    #[serde(default, rename = "note")]
    _note: String,
}

/// 外字変換表: identified 外字 of one municipality (「SJIS:F040」 → 「髙」), as the union distributes it.
#[derive(Debug, Clone, Default)]
pub struct GaijiMap {
    municipality: String,
    version: u32,
    map: HashMap<GaijiCode, char>,
}

impl GaijiMap {
    /// An empty table: every 外字 stays a request.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses a table; each target must be one character the fonts can draw, each code listed once.
    pub fn from_toml(text: &str, glyphs: &dyn Glyphs) -> Result<GaijiMap, GaijiMapError> {
        let raw: RawMap = toml::from_str(text).map_err(GaijiMapError::Toml)?;
        let mut map = HashMap::new();
        for (index, e) in raw.chars.iter().enumerate() {
            let code = GaijiCode::parse(&e.code).ok_or(GaijiMapError::Entry {
                index,
                why: "code must be SJIS:F040-F9FC or U+ and a hex code point",
            })?;
            let mut chars = e.to.chars();
            let to = match (chars.next(), chars.next()) {
                (Some(c), None) if glyphs.can_draw(c) => c,
                _ => {
                    return Err(GaijiMapError::Entry {
                        index,
                        why: "to must be one character the print fonts can draw",
                    });
                }
            };
            if map.insert(code, to).is_some() {
                return Err(GaijiMapError::Entry {
                    index,
                    why: "code is listed twice",
                });
            }
        }
        Ok(GaijiMap {
            municipality: raw.municipality,
            version: raw.version,
            map,
        })
    }

    /// Reads a table file.
    pub fn load(path: &Path, glyphs: &dyn Glyphs) -> Result<GaijiMap, GaijiMapError> {
        let text = std::fs::read_to_string(path).map_err(|source| GaijiMapError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, glyphs)
    }

    /// The identified character, if the union has identified this code.
    pub fn resolve(&self, code: GaijiCode) -> Option<char> {
        self.map.get(&code).copied()
    }

    /// 市区町村コード the table is for.
    pub fn municipality(&self) -> &str {
        &self.municipality
    }

    /// Table version.
    pub fn version(&self) -> u32 {
        self.version
    }
}

/// Replaces each 外字 of `text` by its identified character or by 「●」 with a request. Returns the text
/// unchanged (no allocation) when it has none.
/// `cp932_source`: the text was decoded from CP932, so only user-defined characters can be 外字 when the
/// fonts cover CP932.
pub(crate) fn replace_gaiji(
    text: &str,
    glyphs: &dyn Glyphs,
    cp932_source: bool,
    map: &GaijiMap,
    mut request: impl FnMut(usize, GaijiCode),
) -> Option<String> {
    let fast = cp932_source && glyphs.covers_cp932();
    let is_gaiji = |c: char| {
        if fast {
            GaijiCode::from_eudc_char(c).is_some()
        } else {
            !c.is_ascii() && !glyphs.can_draw(c)
        }
    };
    if !text.chars().any(is_gaiji) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if !is_gaiji(c) {
            out.push(c);
            continue;
        }
        let code = GaijiCode::from_eudc_char(c).unwrap_or(GaijiCode::Unicode(u32::from(c)));
        match map.resolve(code) {
            Some(known) => out.push(known),
            None => {
                out.push(PLACEHOLDER);
                request(i, code);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eudc_code_is_recovered_exactly_from_the_decoded_character() {
        for (bytes, code) in [
            ([0xF0, 0x40], 0xF040),
            ([0xF9, 0xFC], 0xF9FC),
            ([0xF4, 0x80], 0xF480),
        ] {
            let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
            assert!(!bad);
            let c = text.chars().next().unwrap();
            assert_eq!(GaijiCode::from_eudc_char(c), Some(GaijiCode::Sjis(code)));
        }
        assert_eq!(GaijiCode::from_eudc_char('髙'), None);
    }

    #[test]
    fn cp932_standard_draws_jis_and_ibm_extensions_but_not_outside() {
        let g = Cp932Standard;
        for c in ['あ', '漢', '髙', '﨑', 'ｱ', '①'] {
            assert!(g.can_draw(c), "{c}");
        }
        for c in ['𠮷', '\u{E000}', '\u{1F600}'] {
            assert!(!g.can_draw(c), "{c:?}");
        }
    }

    #[test]
    fn mapping_resolves_only_listed_codes_and_refuses_bad_entries() {
        let map = GaijiMap::from_toml(
            "municipality = \"152021\"\nversion = 3\n[[char]]\ncode = \"SJIS:F040\"\nto = \"髙\"\n",
            &Cp932Standard,
        )
        .unwrap();
        assert_eq!(map.resolve(GaijiCode::Sjis(0xF040)), Some('髙'));
        assert_eq!(map.resolve(GaijiCode::Sjis(0xF041)), None);
        let bad = GaijiMap::from_toml(
            "municipality = \"152021\"\nversion = 1\n[[char]]\ncode = \"SJIS:F040\"\nto = \"𠮷\"\n",
            &Cp932Standard,
        );
        assert!(matches!(bad, Err(GaijiMapError::Entry { index: 0, .. })));
        let bad = GaijiMap::from_toml(
            "municipality = \"152021\"\nversion = 1\n[[char]]\ncode = \"SJIS:8140\"\nto = \"a\"\n",
            &Cp932Standard,
        );
        assert!(matches!(bad, Err(GaijiMapError::Entry { index: 0, .. })));
    }

    #[test]
    fn replacement_keeps_position_and_code_never_guesses() {
        let mut reqs = Vec::new();
        let out = replace_gaiji(
            "山\u{E000}太𠮷",
            &Cp932Standard,
            false,
            &GaijiMap::empty(),
            |i, c| reqs.push((i, c)),
        );
        assert_eq!(out.as_deref(), Some("山●太●"));
        assert_eq!(
            reqs,
            vec![
                (1, GaijiCode::Sjis(0xF040)),
                (3, GaijiCode::Unicode(0x20BB7))
            ]
        );
        assert_eq!(
            replace_gaiji("山田", &Cp932Standard, false, &GaijiMap::empty(), |_, _| {}),
            None
        );
    }
}
