//! The 届出 entry form: what the counter's notification screen sends, one variant per kind with only the
//! items that kind needs, parsed into the protocol's `Notification` with every field problem at once.

use madoguchi_domain::dates::DateKind;
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, InsuredNumber, MyNumber};
use madoguchi_domain::insurance::{LimitCategory, Sex};
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_domain::text::{PostalCode, TextKind};
use madoguchi_domain::wareki::parse_date;
use madoguchi_protocol::v1::{
    ChangeOfParticulars, Death, DisabilityApplication, DisabilityEvidence, MailingAddress,
    MailingAddressChange, MoveIn, MoveOut, MoveWithinUnion, NewResident, Notification,
    OptionalEntries, Reissue, ReissueReason, WelfareChange,
};
use serde::Deserialize;

use super::{Check, FormErrors, MailingForm};

/// A notification as the entry screens send it: only the items each kind needs, as typed.
#[derive(ts_rs::TS, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NotificationForm {
    /// 資格取得（転入）.
    AcquisitionMoveIn {
        /// 宛名番号.
        addressee_number: String,
        /// 世帯番号.
        household_number: String,
        /// 氏名.
        name: String,
        /// 氏名カナ.
        kana: String,
        /// 生年月日 (和暦).
        birth_date: String,
        /// 性別.
        sex: Option<Sex>,
        /// 住所.
        address: String,
        /// 生活保護受給中.
        #[serde(default)]
        on_welfare: bool,
        /// 個人番号 (12 digits).
        my_number: String,
        /// 転入日.
        moved_in_on: String,
        /// マイナ保険証 registered.
        #[serde(default)]
        mynumber_health_card: bool,
    },
    /// 資格取得（障害認定）: 65–74 with a disability, certified on the day received.
    AcquisitionDisability {
        /// The resident (from the search).
        resident_id: String,
        /// 個人番号 on the application.
        my_number: String,
        /// The evidence shown (手帳・年金証書).
        evidence: Option<DisabilityEvidence>,
    },
    /// 再交付.
    Reissue {
        /// The resident (from the search).
        resident_id: String,
        /// 紛失・破損・盗難.
        reason: Option<ReissueReason>,
    },
    /// 記載事項変更.
    ChangeOfParticulars {
        /// The resident.
        resident_id: String,
        /// 変更日.
        changed_on: String,
        /// New 氏名 (empty: unchanged).
        #[serde(default)]
        name: String,
        /// New カナ.
        #[serde(default)]
        kana: String,
        /// New 住所.
        #[serde(default)]
        address: String,
    },
    /// 資格喪失（転出）.
    LossMoveOut {
        /// The resident.
        resident_id: String,
        /// 転出日.
        moved_out_on: String,
    },
    /// 資格喪失（死亡）.
    LossDeath {
        /// The resident.
        resident_id: String,
        /// 死亡日.
        died_on: String,
    },
    /// 送付先変更 (`remove`: back to the 住民票 address).
    MailingAddressChange {
        /// The resident.
        resident_id: String,
        /// Remove the 送付先.
        #[serde(default)]
        remove: bool,
        /// The new 送付先.
        #[serde(default)]
        mailing: MailingForm,
    },
    /// 任意記載事項.
    OptionalEntries {
        /// The resident.
        resident_id: String,
        /// 限度区分.
        #[serde(default)]
        limit_category: Option<LimitCategory>,
        /// 長期入院該当日.
        #[serde(default)]
        long_term_hospitalization_on: String,
    },
    /// 県内転居: 転入 from another municipality of the union; the 被保険者番号 is kept.
    MoveWithinUnion {
        /// 被保険者番号 on the 資格確認書 the person brings.
        insured_number: String,
        /// 生年月日 (和暦), checked against the union's record.
        birth_date: String,
        /// 宛名番号 in this municipality.
        addressee_number: String,
        /// 世帯番号 in this municipality.
        household_number: String,
        /// 住所 (new).
        address: String,
        /// 転居日.
        moved_on: String,
    },
    /// 生活保護開始: 資格喪失 from the start date.
    WelfareStarted {
        /// The resident.
        resident_id: String,
        /// 保護開始日.
        on: String,
    },
    /// 生活保護廃止: 資格取得 from the day after.
    WelfareEnded {
        /// The resident.
        resident_id: String,
        /// 保護廃止日.
        on: String,
    },
}

impl Check {
    /// 宛名番号 and 世帯番号 as the municipality assigned them (転入, 県内転居), each checked in that order.
    fn registry_numbers(
        &mut self,
        addressee_number: &str,
        household_number: &str,
    ) -> (Option<AddresseeNumber>, Option<HouseholdNumber>) {
        let a = self.parsed(
            "addressee_number",
            "宛名番号",
            addressee_number,
            AddresseeNumber::parse,
        );
        let h = self.parsed(
            "household_number",
            "世帯番号",
            household_number,
            HouseholdNumber::parse,
        );
        (a, h)
    }
}

impl NotificationForm {
    /// The protocol notification, or every field problem at once.
    pub fn parse(&self) -> Result<Notification, FormErrors> {
        let mut c = Check::default();
        let n = match self {
            NotificationForm::AcquisitionMoveIn {
                addressee_number,
                household_number,
                name,
                kana,
                birth_date,
                sex,
                address,
                on_welfare,
                my_number,
                moved_in_on,
                mynumber_health_card,
            } => {
                let (addressee_number, household_number) =
                    c.registry_numbers(addressee_number, household_number);
                let name = c.parsed("name", "氏名", name, PersonName::parse);
                let kana = c.parsed("kana", "カナ氏名", kana, KanaName::parse);
                let birth_date = c.date("birth_date", "生年月日", birth_date, DateKind::Birth);
                if sex.is_none() {
                    c.fail("sex", "性別を選んでください。");
                }
                let address = c.text("address", "住所", address, TextKind::Address);
                let my_number = c.parsed("my_number", "個人番号", my_number, MyNumber::parse);
                let moved_in_on = c.date("moved_in_on", "転入日", moved_in_on, DateKind::Event);
                match (
                    addressee_number,
                    household_number,
                    name,
                    kana,
                    birth_date,
                    *sex,
                    address,
                    my_number,
                    moved_in_on,
                ) {
                    (
                        Some(addressee_number),
                        Some(household_number),
                        Some(name),
                        Some(kana),
                        Some(birth_date),
                        Some(sex),
                        Some(address),
                        Some(my_number),
                        Some(moved_in_on),
                    ) => Some(Notification::AcquisitionMoveIn(MoveIn {
                        resident: NewResident {
                            addressee_number,
                            household_number,
                            name,
                            kana,
                            birth_date,
                            sex,
                            address,
                            on_welfare: *on_welfare,
                        },
                        my_number,
                        moved_in_on,
                        mynumber_health_card: *mynumber_health_card,
                    })),
                    _ => None,
                }
            }
            NotificationForm::AcquisitionDisability {
                resident_id,
                my_number,
                evidence,
            } => {
                let rid = c.resident(resident_id);
                let my_number = c.parsed("my_number", "個人番号", my_number, MyNumber::parse);
                if evidence.is_none() {
                    c.fail("evidence", "確認した障害の証書を選んでください。");
                }
                match (rid, my_number, *evidence) {
                    (Some(resident_id), Some(my_number), Some(evidence)) => {
                        Some(Notification::AcquisitionDisability(DisabilityApplication {
                            resident_id,
                            my_number,
                            evidence,
                        }))
                    }
                    _ => None,
                }
            }
            NotificationForm::Reissue {
                resident_id,
                reason,
            } => {
                let rid = c.resident(resident_id);
                if reason.is_none() {
                    c.fail("reason", "再交付の理由を選んでください。");
                }
                match (rid, *reason) {
                    (Some(resident_id), Some(reason)) => Some(Notification::Reissue(Reissue {
                        resident_id,
                        reason,
                    })),
                    _ => None,
                }
            }
            NotificationForm::ChangeOfParticulars {
                resident_id,
                changed_on,
                name,
                kana,
                address,
            } => {
                let rid = c.resident(resident_id);
                let changed_on = c.date("changed_on", "変更日", changed_on, DateKind::Event);
                let name = c.optional("name", "新しい氏名", name, PersonName::parse);
                let kana = c.optional("kana", "新しいカナ氏名", kana, KanaName::parse);
                let given = !address.trim().is_empty();
                let address = given
                    .then(|| c.text("address", "新しい住所", address, TextKind::Address))
                    .flatten();
                if matches!((&name, &kana), (Some(None), Some(None))) && !given {
                    c.fail(
                        "name",
                        "変更後の氏名・カナ氏名・住所のいずれかを入力してください。",
                    );
                }
                match (rid, changed_on, name, kana) {
                    (Some(resident_id), Some(changed_on), Some(name), Some(kana)) => {
                        Some(Notification::ChangeOfParticulars(ChangeOfParticulars {
                            resident_id,
                            changed_on,
                            name,
                            kana,
                            address,
                        }))
                    }
                    _ => None,
                }
            }
            NotificationForm::LossMoveOut {
                resident_id,
                moved_out_on,
            } => {
                let rid = c.resident(resident_id);
                let d = c.date("moved_out_on", "転出日", moved_out_on, DateKind::MoveOut);
                rid.zip(d).map(|(resident_id, moved_out_on)| {
                    Notification::LossMoveOut(MoveOut {
                        resident_id,
                        moved_out_on,
                    })
                })
            }
            NotificationForm::LossDeath {
                resident_id,
                died_on,
            } => {
                let rid = c.resident(resident_id);
                let d = c.date("died_on", "死亡日", died_on, DateKind::Event);
                rid.zip(d).map(|(resident_id, died_on)| {
                    Notification::LossDeath(Death {
                        resident_id,
                        died_on,
                    })
                })
            }
            NotificationForm::MailingAddressChange {
                resident_id,
                remove,
                mailing,
            } => {
                let rid = c.resident(resident_id);
                let mailing_address = if *remove {
                    Some(None)
                } else {
                    let recipient =
                        c.text("recipient", "宛名", &mailing.recipient, TextKind::Recipient);
                    let postal = c.parsed(
                        "postal_code",
                        "郵便番号",
                        &mailing.postal_code,
                        PostalCode::parse,
                    );
                    let address = c.text(
                        "mailing_address",
                        "送付先住所",
                        &mailing.address,
                        TextKind::Address,
                    );
                    match (recipient, postal, address) {
                        (Some(recipient), Some(p), Some(address)) => Some(Some(MailingAddress {
                            recipient,
                            postal_code: p.as_str().to_owned(),
                            address,
                        })),
                        _ => None,
                    }
                };
                rid.zip(mailing_address)
                    .map(|(resident_id, mailing_address)| {
                        Notification::MailingAddressChange(MailingAddressChange {
                            resident_id,
                            mailing_address,
                        })
                    })
            }
            NotificationForm::OptionalEntries {
                resident_id,
                limit_category,
                long_term_hospitalization_on,
            } => {
                let rid = c.resident(resident_id);
                let long = c.optional(
                    "long_term_hospitalization_on",
                    "長期入院該当日",
                    long_term_hospitalization_on,
                    |s| parse_date(s).map(|(d, _)| d),
                );
                let long = match long {
                    Some(Some(d)) => c
                        .in_range(
                            "long_term_hospitalization_on",
                            "長期入院該当日",
                            d,
                            DateKind::Event,
                        )
                        .map(Some),
                    other => other,
                };
                if limit_category.is_none() && matches!(long, Some(None)) {
                    c.fail(
                        "limit_category",
                        "限度区分または長期入院該当日を入力してください。",
                    );
                }
                rid.zip(long)
                    .map(|(resident_id, long_term_hospitalization_on)| {
                        Notification::OptionalEntries(OptionalEntries {
                            resident_id,
                            limit_category: *limit_category,
                            long_term_hospitalization_on,
                            // 特定疾病区分 has no counter form yet: the union records it on application.
                            specific_disease: None,
                        })
                    })
            }
            NotificationForm::MoveWithinUnion {
                insured_number,
                birth_date,
                addressee_number,
                household_number,
                address,
                moved_on,
            } => {
                let insured_number = c.parsed(
                    "insured_number",
                    "被保険者番号",
                    insured_number,
                    InsuredNumber::parse,
                );
                let birth_date = c.date("birth_date", "生年月日", birth_date, DateKind::Birth);
                let (addressee_number, household_number) =
                    c.registry_numbers(addressee_number, household_number);
                let address = c.text("address", "住所", address, TextKind::Address);
                let moved_on = c.date("moved_on", "転居日", moved_on, DateKind::Event);
                match (
                    insured_number,
                    birth_date,
                    addressee_number,
                    household_number,
                    address,
                    moved_on,
                ) {
                    (
                        Some(insured_number),
                        Some(birth_date),
                        Some(addressee_number),
                        Some(household_number),
                        Some(address),
                        Some(moved_on),
                    ) => Some(Notification::MoveWithinUnion(MoveWithinUnion {
                        insured_number,
                        birth_date,
                        addressee_number,
                        household_number,
                        address,
                        moved_on,
                    })),
                    _ => None,
                }
            }
            NotificationForm::WelfareStarted { resident_id, on } => {
                let rid = c.resident(resident_id);
                let on = c.date("on", "保護開始日", on, DateKind::Event);
                rid.zip(on).map(|(resident_id, on)| {
                    Notification::WelfareStarted(WelfareChange { resident_id, on })
                })
            }
            NotificationForm::WelfareEnded { resident_id, on } => {
                let rid = c.resident(resident_id);
                let on = c.date("on", "保護廃止日", on, DateKind::Event);
                rid.zip(on).map(|(resident_id, on)| {
                    Notification::WelfareEnded(WelfareChange { resident_id, on })
                })
            }
        };
        c.finish(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(v: serde_json::Value) -> NotificationForm {
        serde_json::from_value(v).expect("form")
    }

    #[test]
    fn a_move_within_the_union_keeps_the_insured_number_and_names_each_bad_field() {
        let ok = form(serde_json::json!({
            "kind": "move_within_union",
            "insured_number": "12345679",
            "birth_date": "S26.12.20",
            "addressee_number": "123",
            "household_number": "456",
            "address": "見附市昭和町1-1",
            "moved_on": "R8.11.1",
        }));
        match ok.parse() {
            Ok(Notification::MoveWithinUnion(m)) => {
                assert_eq!(m.insured_number.as_str(), "12345679");
                assert_eq!(m.moved_on.to_string(), "2026-11-01");
            }
            other => panic!("{other:?}"),
        }
        let bad = form(serde_json::json!({
            "kind": "move_within_union",
            "insured_number": "1234",
            "birth_date": "",
            "addressee_number": "123",
            "household_number": "456",
            "address": "",
            "moved_on": "R8.2.30",
        }));
        let fields: Vec<String> = bad
            .parse()
            .unwrap_err()
            .fields
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            ["insured_number", "birth_date", "address", "moved_on"]
        );
    }

    #[test]
    fn welfare_start_and_end_need_the_resident_and_the_day() {
        let id = "6f1d2c1e-8d1a-4d7c-9c1a-1a2b3c4d5e6f";
        let started = form(
            serde_json::json!({"kind": "welfare_started", "resident_id": id, "on": "R8.10.1"}),
        );
        assert!(
            matches!(started.parse(), Ok(Notification::WelfareStarted(w)) if w.on.to_string() == "2026-10-01")
        );
        let ended = form(serde_json::json!({"kind": "welfare_ended", "resident_id": "", "on": ""}));
        let e = ended.parse().unwrap_err();
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["resident_id", "on"]);
        assert!(
            e.fields[1].message_ja.contains("保護廃止日"),
            "{:?}",
            e.fields[1]
        );
    }
}
