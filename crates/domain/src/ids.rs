//! Identifiers with their check digits.
//!
//! Each identifier is parsed once at the edge (what staff typed, what a file or the union sent) and then
//! trusted. Parsing accepts what a clerk actually types on a Japanese IME: full-width digits, spaces and
//! hyphens between digit groups.
//!
//! Identifiers that point at a person (個人番号, 被保険者番号, 宛名番号, 世帯番号) redact in `Debug` and
//! `Display`; read them with `as_str()` (or `reveal()` for the 個人番号) where showing them is intended.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::message::StaffMessage;
use crate::normalize::identifier_digits;

/// Which identifier an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// 個人番号 (My Number).
    MyNumber,
    /// 保険者番号.
    InsurerNumber,
    /// 地方公共団体コード (市区町村コード).
    MunicipalityCode,
    /// 都道府県番号.
    PrefectureCode,
    /// 被保険者番号.
    InsuredNumber,
    /// 宛名番号.
    AddresseeNumber,
    /// 世帯番号.
    HouseholdNumber,
}

impl IdKind {
    /// The term staff know.
    pub fn name_ja(self) -> &'static str {
        match self {
            IdKind::MyNumber => "個人番号",
            IdKind::InsurerNumber => "保険者番号",
            IdKind::MunicipalityCode => "市区町村コード",
            IdKind::PrefectureCode => "都道府県番号",
            IdKind::InsuredNumber => "被保険者番号",
            IdKind::AddresseeNumber => "宛名番号",
            IdKind::HouseholdNumber => "世帯番号",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            IdKind::MyNumber => "My Number",
            IdKind::InsurerNumber => "insurer number",
            IdKind::MunicipalityCode => "municipality code",
            IdKind::PrefectureCode => "prefecture code",
            IdKind::InsuredNumber => "insured number",
            IdKind::AddresseeNumber => "addressee number",
            IdKind::HouseholdNumber => "household number",
        }
    }

    /// What the check digit is called in the rule that defines it.
    fn check_digit_name_ja(self) -> &'static str {
        match self {
            IdKind::MyNumber => "検査用数字",
            IdKind::InsurerNumber => "検証番号",
            _ => "検査数字",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

/// Why an identifier was refused. Never carries the value itself: it may be personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing was entered.
    #[error("{kind} is empty")]
    Empty {
        /// Which identifier.
        kind: IdKind,
    },
    /// A character other than a digit (after removing spaces and hyphens).
    #[error("{kind} may contain digits only")]
    NotDigits {
        /// Which identifier.
        kind: IdKind,
    },
    /// Wrong number of digits.
    #[error("{kind} must have {expected} digits, found {found}")]
    WrongLength {
        /// Which identifier.
        kind: IdKind,
        /// The allowed length(s), e.g. "12" or "6 or 8".
        expected: &'static str,
        /// How many digits were entered.
        found: usize,
    },
    /// The check digit does not match the rest of the number.
    #[error("{kind} check digit does not match")]
    CheckDigit {
        /// Which identifier.
        kind: IdKind,
    },
    /// The prefecture part is not 01–47.
    #[error("{kind} has a prefecture part outside 01-47")]
    UnknownPrefecture {
        /// Which identifier.
        kind: IdKind,
    },
}

impl IdError {
    /// The identifier this error is about.
    pub fn kind(&self) -> IdKind {
        match self {
            IdError::Empty { kind }
            | IdError::NotDigits { kind }
            | IdError::WrongLength { kind, .. }
            | IdError::CheckDigit { kind }
            | IdError::UnknownPrefecture { kind } => *kind,
        }
    }
}

impl StaffMessage for IdError {
    fn message_ja(&self) -> String {
        match self {
            IdError::Empty { kind } => format!("{}を入力してください。", kind.name_ja()),
            IdError::NotDigits { kind } => {
                format!("{}には数字だけを入力してください。", kind.name_ja())
            }
            IdError::WrongLength {
                kind,
                expected,
                found,
            } => {
                let expected = expected.replace(" or ", "桁または");
                format!(
                    "{}は{}桁の数字です（入力は{}桁です）。",
                    kind.name_ja(),
                    expected,
                    found
                )
            }
            IdError::CheckDigit { kind } => format!(
                "{}の{}が一致しません。番号を確認してください。",
                kind.name_ja(),
                kind.check_digit_name_ja()
            ),
            IdError::UnknownPrefecture { kind } => format!(
                "{}の都道府県番号（先頭2桁）は01〜47です。番号を確認してください。",
                kind.name_ja()
            ),
        }
    }
}

/// Cleans the input and checks it is all digits with an allowed length; returns the digit values.
fn digits_of(
    input: &str,
    kind: IdKind,
    lengths: &[usize],
    expected: &'static str,
) -> Result<(String, Vec<u8>), IdError> {
    let cleaned = identifier_digits(input.trim());
    if cleaned.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if !cleaned.chars().all(|c| c.is_ascii_digit()) {
        return Err(IdError::NotDigits { kind });
    }
    if !lengths.contains(&cleaned.len()) {
        return Err(IdError::WrongLength {
            kind,
            expected,
            found: cleaned.chars().count(),
        });
    }
    let values = cleaned.bytes().map(|b| b - b'0').collect();
    Ok((cleaned, values))
}

/// Serde and `FromStr` for identifier newtypes: serialised as their digit string, parsed (and so validated)
/// when deserialised. The serde error names the identifier kind, never the value.
macro_rules! identifier_serde {
    ($ty:ident) => {
        impl FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.digits())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $ty::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Identifiers that point at a person: `Debug` and `Display` show only the kind.
macro_rules! redacted_fmt {
    ($ty:ident, $label:literal) => {
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!($label, "(<redacted>)"))
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------------------
// 個人番号

/// 個人番号 (My Number): 12 digits, the last a check digit (検査用数字).
///
/// Rule (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令第8条 / 総務省令):
/// with Pn the n-th digit counted from the right excluding the check digit (n = 1..11) and weights
/// Qn = n + 1 for n ≤ 6, n − 5 for n ≥ 7, remainder = Σ Pn·Qn mod 11; check = 0 when the remainder ≤ 1,
/// else 11 − remainder.
///
/// Redacts in `Debug` and `Display`; only [`MyNumber::reveal`] gives the digits, so every place that
/// shows the number is easy to find and audit. Serialises as the digits (it travels inside a notification
/// to the union), so never serialise a type containing it into a log.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash)]
#[ts(type = "string")]
pub struct MyNumber(String);

impl MyNumber {
    /// Parses 12 digits (full-width, spaces and hyphens accepted) and checks the check digit.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let kind = IdKind::MyNumber;
        let (s, d) = digits_of(input, kind, &[12], "12")?;
        if Self::check_digit(&d[..11]) != d[11] {
            return Err(IdError::CheckDigit { kind });
        }
        Ok(MyNumber(s))
    }

    /// The check digit for the first 11 digits.
    pub fn check_digit(first_eleven: &[u8]) -> u8 {
        let sum: u32 = first_eleven
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &p)| {
                let n = i as u32 + 1;
                let q = if n <= 6 { n + 1 } else { n - 5 };
                u32::from(p) * q
            })
            .sum();
        let r = sum % 11;
        if r <= 1 { 0 } else { (11 - r) as u8 }
    }

    /// Builds a valid number from 11 digits by appending the check digit (for synthetic test data).
    pub fn from_eleven_digits(first_eleven: [u8; 11]) -> Result<Self, IdError> {
        if first_eleven.iter().any(|d| *d > 9) {
            return Err(IdError::NotDigits {
                kind: IdKind::MyNumber,
            });
        }
        let check = Self::check_digit(&first_eleven);
        let s: String = first_eleven
            .iter()
            .chain(std::iter::once(&check))
            .map(|d| char::from(b'0' + d))
            .collect();
        Ok(MyNumber(s))
    }

    /// The 12 digits. Every call site is a place where the number is shown or sent: keep them few.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// The masked form for screens: 「●●●●●●●●●●●●」 (the number is shown only on an explicit reveal).
    pub fn masked() -> &'static str {
        "●●●●●●●●●●●●"
    }

    fn digits(&self) -> &str {
        &self.0
    }
}

redacted_fmt!(MyNumber, "MyNumber");
identifier_serde!(MyNumber);

// ---------------------------------------------------------------------------------------------------------
// 都道府県

/// 都道府県番号 01–47 (JIS X 0401), as used in 保険者番号 and 地方公共団体コード.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrefectureCode(u8);

const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

impl PrefectureCode {
    /// 1 (北海道) to 47 (沖縄県).
    pub fn new(code: u8) -> Result<Self, IdError> {
        if (1..=47).contains(&code) {
            Ok(PrefectureCode(code))
        } else {
            Err(IdError::UnknownPrefecture {
                kind: IdKind::PrefectureCode,
            })
        }
    }

    /// The number 1–47.
    pub fn get(self) -> u8 {
        self.0
    }

    /// 「新潟県」 etc.
    pub fn name_ja(self) -> &'static str {
        PREFECTURES[usize::from(self.0 - 1)]
    }

    fn from_digits(tens: u8, ones: u8, kind: IdKind) -> Result<Self, IdError> {
        PrefectureCode::new(tens * 10 + ones).map_err(|_| IdError::UnknownPrefecture { kind })
    }
}

impl fmt::Display for PrefectureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

// ---------------------------------------------------------------------------------------------------------
// 保険者番号

/// 法別番号 of the 8-digit 保険者番号. 39 is 後期高齢者医療.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LawCode(u8);

impl LawCode {
    /// 法別番号 39: 後期高齢者医療 (高齢者の医療の確保に関する法律).
    pub const KOUKI: LawCode = LawCode(39);

    /// The two-digit number.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// 保険者番号: either the 8-digit form 法別番号(2) + 都道府県番号(2) + 保険者別番号(3) + 検証番号(1)
/// (法別 39 = 後期高齢者医療), or the 6-digit form of 市町村国保 without 法別番号.
///
/// 検証番号 per the MHLW 保険者番号設定要領 (domain-anchors §1.4, A5): multiply the digits before it by
/// 2, 1, 2, … starting from the rightmost, add the digits of the products, and take 10 − (last digit of the
/// sum), or 0 when that digit is 0. Example: 39342027 (呉市) → 7.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash)]
#[ts(type = "string")]
pub struct InsurerNumber(String);

impl InsurerNumber {
    /// Parses the 8- or 6-digit form and checks the 検証番号 and the prefecture part.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let kind = IdKind::InsurerNumber;
        let (s, d) = digits_of(input, kind, &[6, 8], "6 or 8")?;
        let (body, check) = d.split_at(d.len() - 1);
        if Self::check_digit(body) != check[0] {
            return Err(IdError::CheckDigit { kind });
        }
        let pref = if d.len() == 8 { &d[2..4] } else { &d[0..2] };
        PrefectureCode::from_digits(pref[0], pref[1], kind)?;
        Ok(InsurerNumber(s))
    }

    /// The 検証番号 for the digits before it.
    pub fn check_digit(body: &[u8]) -> u8 {
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &d)| {
                let p = if i % 2 == 0 { d * 2 } else { d };
                u32::from(p / 10 + p % 10)
            })
            .sum();
        ((10 - sum % 10) % 10) as u8
    }

    /// Builds a 後期 保険者番号 (法別 39) from prefecture and 保険者別番号 (0–999).
    pub fn kouki(prefecture: PrefectureCode, insurer: u16) -> Result<Self, IdError> {
        if insurer > 999 {
            return Err(IdError::WrongLength {
                kind: IdKind::InsurerNumber,
                expected: "8",
                found: 9,
            });
        }
        let body = format!("39{:02}{:03}", prefecture.get(), insurer);
        let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
        let check = Self::check_digit(&digits);
        Ok(InsurerNumber(format!("{body}{check}")))
    }

    /// 法別番号, or `None` for the 6-digit 市町村国保 form.
    pub fn law_code(&self) -> Option<LawCode> {
        if self.0.len() == 8 {
            self.0[0..2].parse().ok().map(LawCode)
        } else {
            None
        }
    }

    /// True for 法別 39 (後期高齢者医療).
    pub fn is_kouki(&self) -> bool {
        self.law_code() == Some(LawCode::KOUKI)
    }

    /// True for the 6-digit 市町村国保 form.
    pub fn is_municipal_nhi(&self) -> bool {
        self.0.len() == 6
    }

    /// 都道府県番号.
    pub fn prefecture(&self) -> PrefectureCode {
        let start = if self.0.len() == 8 { 2 } else { 0 };
        // Validated in `parse`.
        let n: u8 = self.0[start..start + 2].parse().unwrap_or(1);
        PrefectureCode(n)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InsurerNumber({})", self.0)
    }
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

identifier_serde!(InsurerNumber);

// ---------------------------------------------------------------------------------------------------------
// 地方公共団体コード

/// 地方公共団体コード (市区町村コード): 都道府県(2) + 市区町村(3) + 検査数字(1).
///
/// 検査数字 (総務省 全国地方公共団体コード仕様): weights 6, 5, 4, 3, 2 on the five digits, remainder of the
/// sum by 11, check = 11 − remainder, taking only the last digit when that is 10 or 11.
/// Examples: 151009 新潟市, 152021 長岡市, 152111 見附市.
#[derive(ts_rs::TS, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[ts(type = "string")]
pub struct MunicipalityCode([u8; 6]);

impl MunicipalityCode {
    /// Parses 6 digits and checks the 検査数字 and the prefecture part.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let kind = IdKind::MunicipalityCode;
        let (_, d) = digits_of(input, kind, &[6], "6")?;
        if Self::check_digit(&d[..5]) != d[5] {
            return Err(IdError::CheckDigit { kind });
        }
        PrefectureCode::from_digits(d[0], d[1], kind)?;
        let mut a = [0u8; 6];
        for (slot, v) in a.iter_mut().zip(d) {
            *slot = b'0' + v;
        }
        Ok(MunicipalityCode(a))
    }

    /// Completes a 5-digit code (as some lists print it) with its 検査数字.
    pub fn from_five_digits(input: &str) -> Result<Self, IdError> {
        let kind = IdKind::MunicipalityCode;
        let (s, d) = digits_of(input, kind, &[5], "5")?;
        let check = Self::check_digit(&d);
        Self::parse(&format!("{s}{check}"))
    }

    /// The 検査数字 for the first five digits.
    pub fn check_digit(first_five: &[u8]) -> u8 {
        let sum: u32 = first_five
            .iter()
            .zip([6u32, 5, 4, 3, 2])
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        ((11 - sum % 11) % 10) as u8
    }

    /// 都道府県.
    pub fn prefecture(&self) -> PrefectureCode {
        PrefectureCode((self.0[0] - b'0') * 10 + (self.0[1] - b'0'))
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("000000")
    }

    fn digits(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MunicipalityCode({})", self.as_str())
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

identifier_serde!(MunicipalityCode);

// ---------------------------------------------------------------------------------------------------------
// 被保険者番号, 宛名番号, 世帯番号

/// 被保険者番号: 8 digits, assigned per person by the union.
///
/// No check digit is enforced: that the 8th digit is one is unverified (domain-anchors §1.4).
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[ts(type = "string")]
pub struct InsuredNumber(String);

impl InsuredNumber {
    /// Parses exactly 8 digits.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let (s, _) = digits_of(input, IdKind::InsuredNumber, &[8], "8")?;
        Ok(InsuredNumber(s))
    }

    /// Builds the number from an integer below 10^8 (the union assigns them in sequence).
    pub fn from_serial(n: u32) -> Result<Self, IdError> {
        if n > 99_999_999 {
            return Err(IdError::WrongLength {
                kind: IdKind::InsuredNumber,
                expected: "8",
                found: 9,
            });
        }
        Ok(InsuredNumber(format!("{n:08}")))
    }

    /// The digits, for screens and printing.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digits(&self) -> &str {
        &self.0
    }
}

redacted_fmt!(InsuredNumber, "InsuredNumber");
identifier_serde!(InsuredNumber);

/// The longest 宛名番号 / 世帯番号 we accept. Municipal systems use 10 to 15 digits.
const LOCAL_NUMBER_MAX: usize = 15;
const LOCAL_LENGTHS: [usize; LOCAL_NUMBER_MAX] =
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// 宛名番号: assigned by each municipality; unique only together with its [`MunicipalityCode`]
/// (see [`ResidentKey`]). 1–15 digits, leading zeros kept.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[ts(type = "string")]
pub struct AddresseeNumber(String);

impl AddresseeNumber {
    /// Parses 1–15 digits.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let (s, _) = digits_of(input, IdKind::AddresseeNumber, &LOCAL_LENGTHS, "1-15")?;
        Ok(AddresseeNumber(s))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digits(&self) -> &str {
        &self.0
    }
}

redacted_fmt!(AddresseeNumber, "AddresseeNumber");
identifier_serde!(AddresseeNumber);

/// 世帯番号: assigned by each municipality; unique only together with its [`MunicipalityCode`].
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[ts(type = "string")]
pub struct HouseholdNumber(String);

impl HouseholdNumber {
    /// Parses 1–15 digits.
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let (s, _) = digits_of(input, IdKind::HouseholdNumber, &LOCAL_LENGTHS, "1-15")?;
        Ok(HouseholdNumber(s))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn digits(&self) -> &str {
        &self.0
    }
}

redacted_fmt!(HouseholdNumber, "HouseholdNumber");
identifier_serde!(HouseholdNumber);

/// A resident as the municipality knows them: 宛名番号 within its municipality. Two municipalities may use
/// the same 宛名番号 for different people, so the pair is the key.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResidentKey {
    /// 市区町村コード.
    pub municipality: MunicipalityCode,
    /// 宛名番号 within that municipality.
    pub addressee: AddresseeNumber,
}

impl ResidentKey {
    /// Joins the two parts.
    pub fn new(municipality: MunicipalityCode, addressee: AddresseeNumber) -> Self {
        ResidentKey {
            municipality,
            addressee,
        }
    }
}

impl fmt::Debug for ResidentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentKey({}, <redacted>)", self.municipality)
    }
}

/// 世帯: a household within its municipality.
#[derive(ts_rs::TS, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HouseholdKey {
    /// 市区町村コード.
    pub municipality: MunicipalityCode,
    /// 世帯番号 within that municipality.
    pub household: HouseholdNumber,
}

impl fmt::Debug for HouseholdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HouseholdKey({}, <redacted>)", self.municipality)
    }
}

#[cfg(test)]
mod tests;
