//! Checks run while a request is read: free text ([`madoguchi_domain::text`]), 郵便番号
//! ([`PostalCode`]) and the fixed plausible range of every date a person supplies
//! ([`madoguchi_domain::dates`]). Used as `#[serde(deserialize_with = "…")]` on request fields, so a bad
//! value is refused where the JSON is parsed — the union answers `invalid_field` naming the field, and
//! nothing is stored — while the fields stay plain `String`s and dates for everyone who uses them.
//!
//! Only request fields are checked: responses and stored records (a 送付先 built from the 住民票 address
//! has no 郵便番号) are read as they are.
//!
//! Bounds that need today (a 生年月日 in the future, a 受付日 more than a year back) or the 受付日 (an
//! event five years before it) cannot be checked while parsing: see
//! [`crate::v1::NotificationRequest::check_dates_on`].

use madoguchi_domain::Date;
use madoguchi_domain::dates::DateKind;
use madoguchi_domain::text::{self, PostalCode, TextKind};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

use crate::v1::MailingAddress;

fn text<'de, D: Deserializer<'de>>(d: D, kind: TextKind) -> Result<String, D::Error> {
    let raw = String::deserialize(d)?;
    // The English message names the rule and a position, never the text.
    text::check(kind, &raw).map_err(D::Error::custom)
}

fn date<'de, D: Deserializer<'de>>(d: D, kind: DateKind) -> Result<Date, D::Error> {
    let day = Date::deserialize(d)?;
    kind.check_fixed(day).map_err(D::Error::custom)
}

fn optional_date<'de, D: Deserializer<'de>>(
    d: D,
    kind: DateKind,
) -> Result<Option<Date>, D::Error> {
    Option::<Date>::deserialize(d)?
        .map(|day| kind.check_fixed(day).map_err(D::Error::custom))
        .transpose()
}

/// 住所 and 送付先住所.
pub(crate) fn address<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text(d, TextKind::Address)
}

/// A new 住所, when given (given means not empty).
pub(crate) fn optional_address<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|raw| text::check(TextKind::Address, &raw).map_err(D::Error::custom))
        .transpose()
}

/// 送付先の宛名.
pub(crate) fn recipient<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text(d, TextKind::Recipient)
}

/// 郵便番号, normalised to seven digits.
pub(crate) fn postal_code<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw = String::deserialize(d)?;
    PostalCode::parse(&raw)
        .map(|p| p.as_str().to_owned())
        .map_err(D::Error::custom)
}

/// 職員の表示名.
pub(crate) fn display_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text(d, TextKind::DisplayName)
}

/// A reason typed by staff.
pub(crate) fn reason<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text(d, TextKind::Reason)
}

/// A note for approvers (may be empty).
pub(crate) fn note<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    text(d, TextKind::Note)
}

/// 送付先 as a request gives it: every part checked, the 郵便番号 normalised.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckedMailingAddress {
    #[serde(deserialize_with = "recipient")]
    recipient: String,
    #[serde(deserialize_with = "postal_code")]
    postal_code: String,
    #[serde(deserialize_with = "address")]
    address: String,
}

/// A new 送付先, or none.
pub(crate) fn optional_mailing_address<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<MailingAddress>, D::Error> {
    Ok(
        Option::<CheckedMailingAddress>::deserialize(d)?.map(|m| MailingAddress {
            recipient: m.recipient,
            postal_code: m.postal_code,
            address: m.address,
        }),
    )
}

/// 生年月日.
pub(crate) fn birth_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    date(d, DateKind::Birth)
}

/// 生年月日 as a search criterion.
pub(crate) fn optional_birth_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Date>, D::Error> {
    optional_date(d, DateKind::Birth)
}

/// 受付日, 交付日, 回収日.
pub(crate) fn receipt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    date(d, DateKind::Receipt)
}

/// 転入日, 死亡日, 変更日.
pub(crate) fn event_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    date(d, DateKind::Event)
}

/// 長期入院該当日, when given.
pub(crate) fn optional_event_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Date>, D::Error> {
    optional_date(d, DateKind::Event)
}

/// 転出日.
pub(crate) fn move_out_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    date(d, DateKind::MoveOut)
}

/// A distribution's reference day.
pub(crate) fn administrative_date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
    date(d, DateKind::Administrative)
}

/// A date of a request outside its range on the day it is checked: which field (the JSON path the union
/// names in `invalid_field`) and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateFieldError {
    /// JSON path of the field, e.g. `notification.details.died_on`.
    pub field: &'static str,
    /// The range it left.
    pub error: madoguchi_domain::dates::DateRangeError,
}

impl DateFieldError {
    /// The error answer: `invalid_field` on the field, the bound in Japanese and English. The Japanese
    /// message names the field (「転入日: …」): a refusal read later on the work list, away from the form,
    /// still says which date to correct (issue 14 #9).
    pub fn body(&self) -> crate::ErrorBody {
        use madoguchi_domain::StaffMessage;
        let message = self.error.message_ja();
        crate::ErrorBody {
            code: crate::ErrorCode::InvalidField,
            message_ja: match date_label_ja(self.field) {
                Some(label) => format!("{label}: {message}"),
                None => message,
            },
            message_en: self.error.to_string(),
            field: Some(self.field.to_owned()),
        }
    }
}

/// The date fields' names as staff read them on the counter's forms, by their JSON path's last segment.
fn date_label_ja(field: &str) -> Option<&'static str> {
    Some(match field.rsplit('.').next().unwrap_or(field) {
        "received_on" => "受付日",
        "birth_date" => "生年月日",
        "moved_in_on" => "転入日",
        "changed_on" => "変更日",
        "moved_out_on" => "転出日",
        "died_on" => "死亡日",
        "long_term_hospitalization_on" => "長期入院該当日",
        "moved_on" => "転居日",
        "on" => "保護開始日・廃止日",
        _ => return None,
    })
}

impl crate::v1::NotificationRequest {
    /// The bounds that need the day ([`madoguchi_domain::dates`]): the 受付日 within a year up to
    /// `today`, a 生年月日 not after `today`, each event within five years before the 受付日 and not after
    /// it (a 転出日 up to 31 days after). The fixed bounds were checked when the request was read.
    pub fn check_dates_on(&self, today: Date) -> Result<(), DateFieldError> {
        use crate::v1::Notification as N;
        let at = |field: &'static str, kind: DateKind, day: Date, reference: Date| {
            kind.check_on(day, reference)
                .map(|_| ())
                .map_err(|error| DateFieldError { field, error })
        };
        let received = self.received_on;
        at("received_on", DateKind::Receipt, received, today)?;
        match &self.notification {
            N::AcquisitionMoveIn(m) => {
                at(
                    "notification.details.resident.birth_date",
                    DateKind::Birth,
                    m.resident.birth_date,
                    today,
                )?;
                at(
                    "notification.details.moved_in_on",
                    DateKind::Event,
                    m.moved_in_on,
                    received,
                )
            }
            N::ChangeOfParticulars(c) => at(
                "notification.details.changed_on",
                DateKind::Event,
                c.changed_on,
                received,
            ),
            N::LossMoveOut(x) => at(
                "notification.details.moved_out_on",
                DateKind::MoveOut,
                x.moved_out_on,
                received,
            ),
            N::LossDeath(x) => at(
                "notification.details.died_on",
                DateKind::Event,
                x.died_on,
                received,
            ),
            N::OptionalEntries(o) => match o.long_term_hospitalization_on {
                Some(day) => at(
                    "notification.details.long_term_hospitalization_on",
                    DateKind::Event,
                    day,
                    received,
                ),
                None => Ok(()),
            },
            N::MoveWithinUnion(m) => at(
                "notification.details.moved_on",
                DateKind::Event,
                m.moved_on,
                received,
            ),
            N::WelfareStarted(w) | N::WelfareEnded(w) => {
                at("notification.details.on", DateKind::Event, w.on, received)
            }
            N::AcquisitionDisability(_) | N::Reissue(_) | N::MailingAddressChange(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
