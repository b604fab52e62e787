//! Correcting a refused notification (訂正, issue #14 finding 7): the work-list item opened with the union's
//! reason (差戻し or 競合, never shown as a 取下げ), who it is about, and the entries as they were typed —
//! prefilled into the entry form, 和暦 dates as 「S26.12.1」. The 個人番号 is not sent back to the screen:
//! left blank, the one entered with the refused notification is used again (nothing the clerk typed is
//! lost, and no 個人番号 is shown without a reveal). The corrected form is resubmitted as a new attempt
//! linked to the refused one ([`Intake::resubmit_corrected`]); the audit chain records both.

use madoguchi_audit::Operation;
use madoguchi_domain::wareki::WarekiDate;
use madoguchi_domain::{Date, NotificationKind, StaffMessage};
use madoguchi_link::sync::on_work_list;
use madoguchi_protocol::v1::{MailingAddress, Notification};
use madoguchi_vault::Sequence;
use serde::Serialize;
use serde_json::{Value, json};

use crate::cases::CaseSubject;
use crate::context::Counter;
use crate::error::CounterError;
use crate::forms::{FormErrors, NotificationForm};
use crate::intake::Intake;
use crate::intake::Submitted;

/// A refused item opened for correction. `Debug` redacts the entries.
#[derive(ts_rs::TS, Clone, Serialize)]
pub struct Correction {
    /// Position of the refused item in the outbox.
    pub seq: u64,
    /// 受付番号 of the refused item.
    pub reception_number: String,
    /// 届出の種類.
    pub kind: NotificationKind,
    /// 届出の種類, as staff read it.
    pub kind_ja: String,
    /// 差戻し or 競合.
    pub state_ja: &'static str,
    /// The union's reason.
    pub reason_ja: Option<String>,
    /// Who the notification is about.
    pub subject: Option<CaseSubject>,
    /// 受付日 of the refused notification (kept for the correction).
    pub received_on: Date,
    /// The entries as the entry form names them (`kind` and its fields), 個人番号 left blank.
    pub entries: Value,
    /// A 個人番号 was entered: left blank, the one entered before is used again.
    pub my_number_kept: bool,
}

impl std::fmt::Debug for Correction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Correction")
            .field("seq", &self.seq)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Why a correction was not submitted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CorrectionError {
    /// The corrected form has field errors (shown beside the fields).
    #[error(transparent)]
    Form(#[from] FormErrors),
    /// The use case failed.
    #[error(transparent)]
    Counter(#[from] CounterError),
}

fn short(d: Date) -> String {
    WarekiDate::from_date(d).map_or_else(|_| d.to_string(), |w| w.short())
}

fn code<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The entry form's fields for `n`, as typed (dates in 和暦), without the 個人番号.
fn entries(n: &Notification) -> Value {
    let kind = serde_json::to_value(n)
        .ok()
        .and_then(|v| v.get("kind").cloned())
        .unwrap_or(Value::Null);
    let mut fields = match n {
        Notification::AcquisitionMoveIn(m) => json!({
            "addressee_number": m.resident.addressee_number.as_str(),
            "household_number": m.resident.household_number.as_str(),
            "name": m.resident.name.as_str(),
            "kana": m.resident.kana.as_str(),
            "birth_date": short(m.resident.birth_date),
            "sex": code(&m.resident.sex),
            "address": m.resident.address,
            "on_welfare": m.resident.on_welfare,
            "my_number": "",
            "moved_in_on": short(m.moved_in_on),
            "mynumber_health_card": m.mynumber_health_card,
        }),
        Notification::AcquisitionDisability(x) => json!({
            "resident_id": x.resident_id.to_string(),
            "my_number": "",
            "evidence": code(&x.evidence),
        }),
        Notification::Reissue(x) => json!({
            "resident_id": x.resident_id.to_string(),
            "reason": code(&x.reason),
        }),
        Notification::ChangeOfParticulars(x) => json!({
            "resident_id": x.resident_id.to_string(),
            "changed_on": short(x.changed_on),
            "name": x.name.as_ref().map_or("", |v| v.as_str()),
            "kana": x.kana.as_ref().map_or("", |v| v.as_str()),
            "address": x.address.clone().unwrap_or_default(),
        }),
        Notification::LossMoveOut(x) => json!({
            "resident_id": x.resident_id.to_string(),
            "moved_out_on": short(x.moved_out_on),
        }),
        Notification::LossDeath(x) => json!({
            "resident_id": x.resident_id.to_string(),
            "died_on": short(x.died_on),
        }),
        Notification::MailingAddressChange(x) => {
            let m = x.mailing_address.as_ref();
            json!({
                "resident_id": x.resident_id.to_string(),
                "remove": m.is_none(),
                "mailing": {
                    "recipient": m.map_or("", |m: &MailingAddress| m.recipient.as_str()),
                    "postal_code": m.map_or("", |m| m.postal_code.as_str()),
                    "address": m.map_or("", |m| m.address.as_str()),
                },
            })
        }
        Notification::OptionalEntries(x) => json!({
            "resident_id": x.resident_id.to_string(),
            "limit_category": code(&x.limit_category),
            "long_term_hospitalization_on": x.long_term_hospitalization_on.map(short).unwrap_or_default(),
        }),
        Notification::MoveWithinUnion(x) => json!({
            "insured_number": x.insured_number.as_str(),
            "birth_date": short(x.birth_date),
            "addressee_number": x.addressee_number.as_str(),
            "household_number": x.household_number.as_str(),
            "address": x.address,
            "moved_on": short(x.moved_on),
        }),
        Notification::WelfareStarted(x) | Notification::WelfareEnded(x) => json!({
            "resident_id": x.resident_id.to_string(),
            "on": short(x.on),
        }),
    };
    if let Some(o) = fields.as_object_mut() {
        o.insert("kind".into(), kind);
    }
    fields
}

/// The 個人番号 of a notification, when it carries one.
fn my_number_of(n: &Notification) -> Option<&madoguchi_domain::ids::MyNumber> {
    match n {
        Notification::AcquisitionMoveIn(m) => Some(&m.my_number),
        Notification::AcquisitionDisability(x) => Some(&x.my_number),
        _ => None,
    }
}

/// `form` with its 個人番号 filled from `kept` when the clerk left it blank.
fn with_kept_my_number(form: NotificationForm, kept: Option<&str>) -> NotificationForm {
    let Some(kept) = kept else { return form };
    match form {
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
        } => NotificationForm::AcquisitionMoveIn {
            addressee_number,
            household_number,
            name,
            kana,
            birth_date,
            sex,
            address,
            on_welfare,
            my_number: blank_or(my_number, kept),
            moved_in_on,
            mynumber_health_card,
        },
        NotificationForm::AcquisitionDisability {
            resident_id,
            my_number,
            evidence,
        } => NotificationForm::AcquisitionDisability {
            resident_id,
            my_number: blank_or(my_number, kept),
            evidence,
        },
        other => other,
    }
}

fn blank_or(typed: String, kept: &str) -> String {
    if typed.trim().is_empty() {
        kept.to_owned()
    } else {
        typed
    }
}

impl Counter {
    fn correction_unaudited(&self, seq: u64) -> Result<Correction, CounterError> {
        let item = self.inner.vault.outbox().get(Sequence(seq))?;
        if !on_work_list(&item) || !item.has_payload {
            return Err(CounterError::NotRefused);
        }
        let request = self.intake().queued_notification(seq)?;
        let n = &request.notification;
        Ok(Correction {
            seq,
            reception_number: item.reception_number.as_str().to_owned(),
            kind: item.kind,
            kind_ja: item.kind.label_ja().to_owned(),
            state_ja: item.state.label_ja(),
            reason_ja: item.reason.clone(),
            subject: self.case(seq)?.and_then(|c| c.subject),
            received_on: request.received_on,
            entries: entries(n),
            my_number_kept: my_number_of(n).is_some(),
        })
    }
}

impl Intake<'_> {
    /// Opens a refused work-list item (差戻し / 競合) for correction: the union's reason, who it is about and
    /// the entries as typed. Reading the entries back is recorded in the audit chain.
    pub async fn correction(&self, seq: u64) -> Result<Correction, CounterError> {
        let result = self.ctx.correction_unaudited(seq);
        self.ctx
            .audited(
                None,
                Operation::ViewResident,
                Some(format!("queue:{seq} correction")),
                result,
            )
            .await
    }

    /// Submits the corrected form of refused item `seq` as a new attempt linked to it (the refused item
    /// becomes 訂正済み). A 個人番号 left blank is the one entered before. The 受付日 stays the refused
    /// notification's: the resident notified on that day.
    pub async fn correct(
        &self,
        seq: u64,
        form: NotificationForm,
    ) -> Result<Submitted, CorrectionError> {
        let item = self
            .ctx
            .inner
            .vault
            .outbox()
            .get(Sequence(seq))
            .map_err(CounterError::from)?;
        if !on_work_list(&item) || !item.has_payload {
            return Err(CounterError::NotRefused.into());
        }
        let request = self.queued_notification(seq)?;
        let kept = my_number_of(&request.notification).map(|m| m.reveal().to_owned());
        let form = with_kept_my_number(form, kept.as_deref());
        drop(kept);
        let notification = form.parse()?;
        Ok(self
            .resubmit_corrected(seq, notification, request.received_on)
            .await?)
    }
}

impl StaffMessage for CorrectionError {
    fn message_ja(&self) -> String {
        match self {
            CorrectionError::Form(e) => e.message_ja().to_owned(),
            CorrectionError::Counter(e) => e.message_ja(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_protocol::v1::ResidentId;

    #[test]
    fn entries_use_the_form_names_and_wareki_and_leave_the_my_number_out() {
        let id = ResidentId::new_random();
        let n = Notification::LossDeath(madoguchi_protocol::v1::Death {
            resident_id: id,
            died_on: Date::from_ymd_opt(2026, 11, 20).unwrap(),
        });
        let e = entries(&n);
        assert_eq!(e["kind"], "loss_death");
        assert_eq!(e["resident_id"], id.to_string());
        assert_eq!(e["died_on"], "R8.11.20");
        // What the screen gets back parses as the form it came from.
        let form: NotificationForm = serde_json::from_value(e).unwrap();
        assert!(form.parse().is_ok());
    }

    #[test]
    fn a_blank_my_number_is_the_one_entered_before() {
        let form = NotificationForm::AcquisitionDisability {
            resident_id: "x".into(),
            my_number: " ".into(),
            evidence: None,
        };
        match with_kept_my_number(form, Some("123456789018")) {
            NotificationForm::AcquisitionDisability { my_number, .. } => {
                assert_eq!(my_number, "123456789018");
            }
            _ => panic!("same kind"),
        }
        let typed = NotificationForm::AcquisitionDisability {
            resident_id: "x".into(),
            my_number: "999".into(),
            evidence: None,
        };
        match with_kept_my_number(typed, Some("123456789018")) {
            NotificationForm::AcquisitionDisability { my_number, .. } => {
                assert_eq!(my_number, "999")
            }
            _ => panic!("same kind"),
        }
    }
}
