//! What the counter screens send, parsed at the edge into the protocol's types. Every problem is reported
//! per field in Japanese (from the domain's `StaffMessage`s) so the clerk sees it next to what was typed;
//! the values themselves never appear in a message or a log.

use madoguchi_audit::Operation;
use madoguchi_domain::Date;
use madoguchi_domain::StaffMessage;
use madoguchi_domain::dates::DateKind;
use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::kana::KanaName;
use madoguchi_domain::text::{self, TextError, TextKind};
use madoguchi_domain::wareki::parse_date;
use madoguchi_protocol::v1::AuditSearchRequest;
use madoguchi_protocol::v1::{
    DocumentId, IdentityDocument, IssuanceRequest, IssueMethod, ResidentId, ResidentSearchRequest,
};
use serde::Deserialize;

/// A problem with one field of a form: which field (the UI's name for it) and what to do, in Japanese.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The form field, as the UI names it.
    pub field: String,
    /// 「生年月日の形式が正しくありません。」 etc.
    pub message_ja: String,
}

/// A form that did not parse: one entry per field, in the order of the form. Names fields, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the form has {} invalid field(s)", .fields.len())]
pub struct FormErrors {
    /// The problems, field by field.
    pub fields: Vec<FieldError>,
}

impl FormErrors {
    /// What the clerk reads above the form.
    pub fn message_ja(&self) -> &'static str {
        "入力内容に誤りがあります。赤く表示された項目を確認してください。"
    }
}

/// Today at the counter (Japan time), whatever the machine's zone.
pub fn today_jst() -> Date {
    madoguchi_domain::jst::date(chrono::Utc::now())
}

/// Collects field errors while a form is parsed.
#[derive(Default)]
pub(crate) struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    pub(crate) fn fail(&mut self, field: &str, message_ja: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message_ja: message_ja.into(),
        });
    }

    pub(crate) fn required<'a>(
        &mut self,
        field: &str,
        label: &str,
        value: &'a str,
    ) -> Option<&'a str> {
        let v = value.trim();
        if v.is_empty() {
            self.fail(field, format!("{label}を入力してください。"));
            None
        } else {
            Some(v)
        }
    }

    pub(crate) fn parsed<T, E: StaffMessage>(
        &mut self,
        field: &str,
        label: &str,
        value: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let v = self.required(field, label, value)?;
        match parse(v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.fail(field, format!("{label}: {}", e.message_ja()));
                None
            }
        }
    }

    /// An optional field: empty is `None`, anything else must parse.
    pub(crate) fn optional<T, E: StaffMessage>(
        &mut self,
        field: &str,
        label: &str,
        value: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        if value.trim().is_empty() {
            return Some(None);
        }
        self.parsed(field, label, value, parse).map(Some)
    }

    pub(crate) fn date(
        &mut self,
        field: &str,
        label: &str,
        value: &str,
        kind: DateKind,
    ) -> Option<Date> {
        let d = self.parsed(field, label, value, |s| parse_date(s).map(|(d, _)| d))?;
        self.in_range(field, label, d, kind)
    }

    /// A date within its plausible range as of today, the 受付日 at the counter (domain `dates`).
    fn in_range(&mut self, field: &str, label: &str, d: Date, kind: DateKind) -> Option<Date> {
        kind.check_on(d, today_jst())
            .map_err(|e| self.fail(field, format!("{label}: {}", e.message_ja())))
            .ok()
    }

    /// Free text under the rules the union applies (domain `text`), trimmed.
    pub(crate) fn text(
        &mut self,
        field: &str,
        label: &str,
        value: &str,
        kind: TextKind,
    ) -> Option<String> {
        text::check(kind, value)
            .map_err(|e| match e {
                TextError::Empty => self.fail(field, format!("{label}を入力してください。")),
                e => self.fail(field, format!("{label}: {}", e.message_ja())),
            })
            .ok()
    }

    pub(crate) fn resident(&mut self, value: &str) -> Option<ResidentId> {
        match value.parse::<ResidentId>() {
            Ok(id) => Some(id),
            Err(_) => {
                self.fail(
                    "resident_id",
                    "対象の方が選ばれていません。検索から選んでください。",
                );
                None
            }
        }
    }

    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, FormErrors> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(FormErrors {
                fields: self.errors,
            }),
        }
    }
}

/// The search form: any of 被保険者番号, カナ氏名 (prefix, 清音化 on the union), 生年月日 (和暦 「S26.12.1」
/// or 西暦).
#[derive(ts_rs::TS, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchForm {
    /// 被保険者番号.
    pub insured_number: String,
    /// カナ氏名.
    pub kana: String,
    /// 生年月日.
    pub birth_date: String,
}

impl SearchForm {
    /// The union's search request.
    pub fn parse(&self) -> Result<ResidentSearchRequest, FormErrors> {
        let mut c = Check::default();
        let insured_number = c.optional(
            "insured_number",
            "被保険者番号",
            &self.insured_number,
            InsuredNumber::parse,
        );
        let kana = c.optional("kana", "カナ氏名", &self.kana, KanaName::parse);
        let birth_date = c.optional("birth_date", "生年月日", &self.birth_date, |s| {
            parse_date(s).map(|(d, _)| d)
        });
        let birth_date = match birth_date {
            Some(Some(d)) => c
                .in_range("birth_date", "生年月日", d, DateKind::Birth)
                .map(Some),
            other => other,
        };
        let req = match (insured_number, kana, birth_date) {
            (Some(insured_number), Some(kana), Some(birth_date)) => Some(ResidentSearchRequest {
                insured_number,
                kana,
                birth_date,
                limit: Some(50),
            }),
            _ => None,
        };
        if let Some(r) = &req
            && r.insured_number.is_none()
            && r.kana.is_none()
            && r.birth_date.is_none()
        {
            c.fail(
                "insured_number",
                "被保険者番号・カナ氏名・生年月日のいずれかを入力してください。",
            );
        }
        c.finish(req)
    }
}

/// 送付先 as typed.
#[derive(ts_rs::TS, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailingForm {
    /// 宛名.
    pub recipient: String,
    /// 郵便番号.
    pub postal_code: String,
    /// 住所.
    pub address: String,
}

/// The handover (交付) as recorded on screen.
#[derive(ts_rs::TS, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuanceForm {
    /// The document handed over.
    pub document_id: DocumentId,
    /// 窓口 or 郵送.
    pub method: IssueMethod,
    /// 本人確認書類 seen (窓口).
    #[serde(default)]
    pub identity_documents: Vec<IdentityDocument>,
    /// The ready-to-issue entry this closes.
    #[serde(default)]
    pub seq: Option<u64>,
}

impl IssuanceForm {
    /// The union's request.
    pub fn parse(&self) -> Result<IssuanceRequest, FormErrors> {
        let mut c = Check::default();
        if self.method == IssueMethod::Counter && self.identity_documents.is_empty() {
            c.fail(
                "identity_documents",
                "窓口で交付するときは、確認した本人確認書類を1つ以上選んでください。",
            );
        }
        c.finish(Some(IssuanceRequest {
            issued_on: today_jst(),
            method: self.method,
            identity_documents: self.identity_documents.clone(),
        }))
    }
}

/// The search form as typed: every field optional.
#[derive(ts_rs::TS, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSearchForm {
    /// 利用者ID.
    pub user_id: String,
    /// 被保険者番号.
    pub insured_number: String,
    /// 期間（から）: 和暦 or 西暦.
    pub from: String,
    /// 期間（まで）.
    pub to: String,
    /// 操作 (the stable code, e.g. `view_resident`).
    pub operation: String,
}

/// An audit operation from its stable code (`view_resident` …).
pub fn parse_operation(code: &str) -> Result<Operation, OperationUnknown> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).map_err(|_| OperationUnknown)
}

/// An operation code the union does not know.
#[derive(Debug)]
pub struct OperationUnknown;

impl madoguchi_domain::StaffMessage for OperationUnknown {
    fn message_ja(&self) -> String {
        "一覧から選んでください。".into()
    }
}

impl AuditSearchForm {
    /// The union's request.
    pub fn parse(&self) -> Result<AuditSearchRequest, FormErrors> {
        let mut c = Check::default();
        let insured_number = c.optional(
            "insured_number",
            "被保険者番号",
            &self.insured_number,
            InsuredNumber::parse,
        );
        let from = c.optional("from", "期間（から）", &self.from, |s| {
            parse_date(s).map(|(d, _)| d)
        });
        let to = c.optional("to", "期間（まで）", &self.to, |s| {
            parse_date(s).map(|(d, _)| d)
        });
        let op = c.optional("operation", "操作", &self.operation, parse_operation);
        let user = self.user_id.trim();
        if user.chars().count() > 64 {
            c.fail("user_id", "利用者IDは64文字以内です。");
        }
        let req = match (insured_number, from, to, op) {
            (Some(insured_number), Some(from), Some(to), Some(operation)) => {
                if let (Some(f), Some(t)) = (from, to)
                    && f > t
                {
                    c.fail("to", "期間の終わりが始まりより前です。");
                }
                Some(AuditSearchRequest {
                    user_id: (!user.is_empty()).then(|| user.to_owned()),
                    insured_number,
                    from,
                    to,
                    operation,
                    terminal_id: None,
                    limit: Some(500),
                })
            }
            _ => None,
        };
        c.finish(req)
    }
}

#[cfg(test)]
mod input_tests;
mod notification;

pub use notification::NotificationForm;

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_domain::ids::MyNumber;
    use madoguchi_protocol::v1::Notification;

    fn move_in(birth: &str, my_number: &str) -> NotificationForm {
        serde_json::from_value(serde_json::json!({
            "kind": "acquisition_move_in",
            "addressee_number": "880001",
            "household_number": "9880001",
            "name": "研修　花子",
            "kana": "ケンシュウ ハナコ",
            "birth_date": birth,
            "sex": "female",
            "address": "新潟県見附市研修町1-2-3",
            "my_number": my_number,
            "moved_in_on": "R8.4.1",
        }))
        .expect("form")
    }

    /// A valid synthetic 個人番号 (check digit computed by the domain).
    fn my_number() -> String {
        MyNumber::from_eleven_digits([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 9])
            .expect("synthetic")
            .reveal()
            .to_owned()
    }

    #[test]
    fn move_in_accepts_wareki_dates() {
        let n = move_in("S19.4.4", &my_number()).parse().expect("valid");
        let Notification::AcquisitionMoveIn(m) = n else {
            panic!("wrong kind")
        };
        assert_eq!(
            m.resident.birth_date,
            Date::from_ymd_opt(1944, 4, 4).expect("d")
        );
        assert_eq!(m.moved_in_on, Date::from_ymd_opt(2026, 4, 1).expect("d"));
    }

    #[test]
    fn move_in_reports_every_bad_field_in_japanese_without_the_value() {
        let e = move_in("S99.13.1", "123456789012")
            .parse()
            .expect_err("invalid");
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["birth_date", "my_number"]);
        for f in &e.fields {
            assert!(f.message_ja.starts_with("生年月日") || f.message_ja.starts_with("個人番号"));
            assert!(!f.message_ja.contains("123456789012"));
        }
    }

    #[test]
    fn search_needs_one_criterion_and_parses_wareki() {
        let e = SearchForm::default().parse().expect_err("empty");
        assert_eq!(e.fields[0].field, "insured_number");
        let r = SearchForm {
            birth_date: "S26.12.1".into(),
            ..SearchForm::default()
        }
        .parse()
        .expect("valid");
        assert_eq!(r.birth_date, Date::from_ymd_opt(1951, 12, 1));
        let e = SearchForm {
            kana: "abc".into(),
            ..SearchForm::default()
        }
        .parse()
        .expect_err("not kana");
        assert_eq!(e.fields[0].field, "kana");
    }

    #[test]
    fn reissue_needs_a_resident_and_a_reason() {
        let f: NotificationForm =
            serde_json::from_value(serde_json::json!({"kind": "reissue", "resident_id": ""}))
                .expect("form");
        let e = f.parse().expect_err("invalid");
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["resident_id", "reason"]);
    }

    #[test]
    fn disability_application_needs_evidence_and_a_valid_my_number() {
        let f: NotificationForm = serde_json::from_value(serde_json::json!({
            "kind": "acquisition_disability",
            "resident_id": "00000000-0000-4000-8000-000000000001",
            "my_number": "123",
        }))
        .expect("form");
        let e = f.parse().expect_err("invalid");
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["my_number", "evidence"]);
        let f: NotificationForm = serde_json::from_value(serde_json::json!({
            "kind": "acquisition_disability",
            "resident_id": "00000000-0000-4000-8000-000000000001",
            "my_number": my_number(),
            "evidence": "physical_disability_certificate",
        }))
        .expect("form");
        assert!(matches!(
            f.parse().expect("valid"),
            Notification::AcquisitionDisability(_)
        ));
    }

    #[test]
    fn counter_handover_needs_an_identity_document() {
        let f: IssuanceForm = serde_json::from_value(serde_json::json!({
            "document_id": "00000000-0000-4000-8000-000000000001",
            "method": "counter",
        }))
        .expect("form");
        assert_eq!(
            f.parse().expect_err("no id document").fields[0].field,
            "identity_documents"
        );
        let f: IssuanceForm = serde_json::from_value(serde_json::json!({
            "document_id": "00000000-0000-4000-8000-000000000001",
            "method": "mail",
        }))
        .expect("form");
        assert!(f.parse().is_ok());
    }
}
