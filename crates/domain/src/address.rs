//! 住所の町域 (address area): the part of an address a list may show to tell residents apart without
//! printing where exactly they live — the 住所 cut before its first number (丁目・番地・号, in Arabic or
//! kanji numerals). Search results show it so that three residents of one name differ by more than their
//! birth date (issue #14 finding 3), while the full 住所 stays on the record view.

/// 住所の町域 of a resident, as lists show it. Personal data: `Debug` redacts; serialised as the text.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
#[ts(type = "string")]
pub struct AddressArea(String);

impl AddressArea {
    /// The 町域 of a full 住所.
    pub fn of(address: &str) -> Self {
        AddressArea(area(address).to_owned())
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AddressArea {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AddressArea(<redacted>)")
    }
}

/// Kanji numerals that start a 丁目・番地 part when followed (after more numerals) by a unit.
const KANJI_DIGITS: &str = "〇一二三四五六七八九十百千";
/// Units that end a number of the 番地 part.
const UNITS: [&str; 5] = ["丁目", "番地", "番", "号", "地割"];

/// The 町域 of `address`: everything before the first house number, trimmed (`"新潟市中央区学校町通1番町602"`
/// → `"新潟市中央区学校町通"`). An address without any number is its own area.
pub fn area(address: &str) -> &str {
    let cut = address
        .char_indices()
        .find(|&(i, c)| starts_number(&address[i..], c))
        .map_or(address.len(), |(i, _)| i);
    address[..cut].trim_end_matches(['　', ' ', '-', '－', 'ー'])
}

fn starts_number(rest: &str, c: char) -> bool {
    if c.is_ascii_digit() || ('０'..='９').contains(&c) {
        return true;
    }
    if !KANJI_DIGITS.contains(c) {
        return false;
    }
    // 「三条町」 is a place name; 「三丁目」「十二番地」 are numbers: a run of kanji numerals then a unit.
    let after = rest.trim_start_matches(|x: char| KANJI_DIGITS.contains(x));
    UNITS.iter().any(|u| after.starts_with(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_before_the_first_house_number() {
        assert_eq!(area("新潟県見附市昭和町2丁目1番1号"), "新潟県見附市昭和町");
        assert_eq!(area("見附市本町１－２－３"), "見附市本町");
        assert_eq!(area("見附市今町三丁目5-1"), "見附市今町");
        assert_eq!(area("見附市新町 12番地"), "見附市新町");
        assert_eq!(area("見附市二十番地"), "見附市");
    }

    #[test]
    fn an_area_redacts_in_debug_and_serialises_as_text() {
        let a = AddressArea::of("見附市昭和町2丁目1番1号");
        assert_eq!(a.as_str(), "見附市昭和町");
        assert!(!format!("{a:?}").contains("昭和町"));
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"見附市昭和町\"");
    }

    #[test]
    fn kanji_numerals_in_place_names_stay() {
        assert_eq!(area("三条市一ノ木戸5"), "三条市一ノ木戸");
        assert_eq!(area("十日町市"), "十日町市");
        assert_eq!(area(""), "");
    }
}
