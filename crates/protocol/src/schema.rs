//! JSON Schema stand-ins for the domain types, which do not depend on `schemars`.
//!
//! Each stand-in describes exactly the serde form of the domain type it replaces (`#[schemars(with = ..)]`);
//! the OpenAPI test serialises real domain values and checks them against these descriptions.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

macro_rules! string_schema {
    ($name:ident, $title:literal, $($body:tt)+) => {
        #[doc = $title]
        pub struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "description": $title, $($body)+ })
            }
        }
    };
}

string_schema!(MunicipalityCode, "地方公共団体コード (6 digits, the last a check digit)",
    "type": "string", "pattern": "^[0-9]{6}$");
string_schema!(InsuredNumber, "被保険者番号 (8 digits, assigned by the union)",
    "type": "string", "pattern": "^[0-9]{8}$");
string_schema!(InsurerNumber, "保険者番号 (8 digits for 後期: 39 + prefecture + insurer + check digit)",
    "type": "string", "pattern": "^([0-9]{6}|[0-9]{8})$");
string_schema!(AddresseeNumber, "宛名番号 (1-15 digits, unique within its municipality)",
    "type": "string", "pattern": "^[0-9]{1,15}$");
string_schema!(HouseholdNumber, "世帯番号 (1-15 digits, unique within its municipality)",
    "type": "string", "pattern": "^[0-9]{1,15}$");
string_schema!(MyNumber, "個人番号 (12 digits, the last a check digit). Never in a list.",
    "type": "string", "pattern": "^[0-9]{12}$");
string_schema!(KanaName, "氏名カナ: kana (hiragana, half- or full-width katakana) normalised to full-width katakana, parts separated by U+3000",
    "type": "string", "minLength": 1, "maxLength": 100);
string_schema!(SeionKey, "清音化 search key: full-width katakana without voiced marks, small kana or spaces",
    "type": "string", "maxLength": 100);
string_schema!(PersonName, "氏名 as registered; 「●」 marks a 外字 not yet identified",
    "type": "string", "minLength": 1, "maxLength": 200);
string_schema!(Sex, "性別",
    "type": "string", "enum": ["male", "female"]);
string_schema!(BurdenRatio, "一部負担金の割合 in tenths: 1割, 2割 (from 2022-10-01), 3割",
    "type": "string", "enum": ["1", "2", "3"]);
string_schema!(LimitCategory, "限度区分",
    "type": "string",
    "enum": ["geneki_nami_iii", "geneki_nami_ii", "geneki_nami_i", "ippan_ii", "ippan_i", "kubun_ii", "kubun_i"]);
string_schema!(DocumentKind, "書類の種類: 資格確認書, 資格情報のお知らせ, 被保険者証 (until 2024-12-01), 限度額適用認定証 (until 2024-12-01), 負担区分等証明書 (on 県外転出)",
    "type": "string",
    "enum": ["shikaku_kakuninsho", "shikaku_joho_oshirase", "hihokenshasho", "gendogaku_ninteisho",
             "futan_kubun_shomeisho"]);
string_schema!(NotificationKind, "届出の種類",
    "type": "string",
    "enum": ["acquisition_move_in", "acquisition_disability", "reissue", "change_of_particulars",
             "loss_move_out", "loss_death", "mailing_address_change", "optional_entries",
             "move_within_union", "welfare_started", "welfare_ended"]);
string_schema!(SpecificDisease, "特定疾病区分",
    "type": "string",
    "enum": ["chronic_renal_failure", "hemophilia", "hiv_from_blood_products"]);
string_schema!(SpecificDiseaseEntry, "特定疾病区分 and the day it applies from: [code, YYYY-MM-DD]",
"type": "array", "minItems": 2, "maxItems": 2,
"prefixItems": [
    {"type": "string", "enum": ["chronic_renal_failure", "hemophilia", "hiv_from_blood_products"]},
    {"type": "string", "format": "date"}
]);
string_schema!(EligibilityReason, "判定理由",
    "type": "string",
    "enum": ["age_75", "disability_certified", "moved_in", "under_75", "disability_under_65",
             "welfare_excluded", "lost_death", "lost_moved_out", "not_yet_resident",
             "welfare_ended", "lost_welfare"]);
string_schema!(Yen, "金額 (円), an integer number of yen",
    "type": "integer");
string_schema!(Address, "住所 (住民票 or 送付先): 1-40 characters (the 保険料決定通知書 prints 40), no control or bidirectional formatting characters",
    "type": "string", "minLength": 1, "maxLength": 40);
string_schema!(DisplayName, "職員の表示名: 1-50 characters, no control or bidirectional formatting characters",
    "type": "string", "minLength": 1, "maxLength": 50);
string_schema!(Reason, "A reason typed by staff: 1-100 characters, no control or bidirectional formatting characters",
    "type": "string", "minLength": 1, "maxLength": 100);
string_schema!(Note, "A note for approvers: up to 200 characters, no control or bidirectional formatting characters",
    "type": "string", "maxLength": 200);
