//! 広域連合事務 (the union's own office work) at a terminal, for a signed-in 広域連合職員: distributions
//! (配信) asked for and approved by a second staff member, the 障害認定 applications 審査中 and their
//! decision, and the daily job's (日次処理) last runs.
//!
//! The union is the authority for all of it: the four-eyes rule of a distribution (the staff member who
//! asked for it cannot approve it) and the role are checked there, and its refusal reaches the screen in its
//! own words. Approvals and decisions are recorded in the terminal's audit chain, refused or not.

use madoguchi_audit::Operation;
use madoguchi_domain::Date;
use madoguchi_domain::dates::DateKind;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::text::TextKind;
use madoguchi_protocol::distribution::{
    ContentHash, CreateDistribution, DistributionId, DistributionKind, DistributionSummary,
    MailClass, UnionApproval,
};
use madoguchi_protocol::v1::{
    DailyRun, DisabilityReview, DisabilityReviewDecision, NotificationDecision, ResidentId,
};
use serde::Deserialize;

use crate::context::Counter;
use crate::error::CounterError;
use crate::forms::{Check, FormErrors};

/// The 広域連合事務 use cases, borrowed from the [`Counter`] ([`Counter::union_office`]).
pub struct UnionOffice<'a> {
    ctx: &'a Counter,
}

impl Counter {
    /// 広域連合事務: distributions, 障害認定の審査, 日次処理の結果 (広域連合職員).
    pub fn union_office(&self) -> UnionOffice<'_> {
        UnionOffice { ctx: self }
    }
}

/// 配信の作成 as the screen sends it.
#[derive(ts_rs::TS, Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistributionRequestForm {
    /// 配信の種類.
    pub kind: DistributionKind,
    /// 配信先の市区町村コード (6 digits).
    pub municipality: String,
    /// 基準日 (for 75歳到達 any day of the month), 和暦 or 西暦.
    pub reference_date: String,
    /// 送付方法.
    pub mail_class: MailClass,
    /// 承認者へのメモ (no personal data); may be empty.
    pub note: String,
}

impl DistributionRequestForm {
    /// The request, or every field's problem.
    pub fn parse(&self) -> Result<CreateDistribution, FormErrors> {
        let mut c = Check::default();
        let municipality = c.parsed(
            "municipality",
            "配信先の市区町村コード",
            &self.municipality,
            MunicipalityCode::parse,
        );
        let reference_date = c.date(
            "reference_date",
            "基準日",
            &self.reference_date,
            DateKind::Administrative,
        );
        let note = c.text("note", "メモ", &self.note, TextKind::Note);
        let req = match (municipality, reference_date, note) {
            (Some(municipality), Some(reference_date), Some(note)) => Some(CreateDistribution {
                kind: self.kind,
                municipality,
                reference_date,
                mail_class: self.mail_class,
                note,
            }),
            _ => None,
        };
        c.finish(req)
    }
}

/// 障害認定の審査結果 as the screen sends it.
#[derive(ts_rs::TS, Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisabilityReviewForm {
    /// The application's resident (opaque id from the list).
    pub resident_id: String,
    /// 認定 (true) or 却下 (false).
    pub certified: bool,
    /// 認定日 (和暦 or 西暦); empty: the day of the decision. Ignored for 却下.
    pub certified_on: String,
    /// 理由: required for 却下, optional for 認定.
    pub reason: String,
}

impl DisabilityReviewForm {
    /// The applicant and the decision, or every field's problem.
    pub fn parse(&self) -> Result<(ResidentId, DisabilityReviewDecision), FormErrors> {
        let mut c = Check::default();
        let resident = c.resident(&self.resident_id);
        let certified_on: Option<Option<Date>> = if self.certified {
            if self.certified_on.trim().is_empty() {
                Some(None)
            } else {
                c.date(
                    "certified_on",
                    "認定日",
                    &self.certified_on,
                    DateKind::Event,
                )
                .map(Some)
            }
        } else {
            Some(None)
        };
        let reason = if self.certified {
            c.text("reason", "理由", &self.reason, TextKind::Note)
        } else {
            c.text("reason", "却下の理由", &self.reason, TextKind::Reason)
        };
        let value = match (resident, certified_on, reason) {
            (Some(r), Some(certified_on), Some(reason)) => Some((
                r,
                DisabilityReviewDecision {
                    certified: self.certified,
                    certified_on,
                    reason,
                },
            )),
            _ => None,
        };
        c.finish(value)
    }
}

impl UnionOffice<'_> {
    /// Every distribution of the union, newest first.
    pub async fn distributions(&self) -> Result<Vec<DistributionSummary>, CounterError> {
        let token = self.ctx.token()?;
        Ok(self
            .ctx
            .inner
            .client
            .union_distributions(&token)
            .await?
            .distributions)
    }

    /// 配信の作成: the union builds the content now; it waits for a second staff member's approval.
    pub async fn create_distribution(
        &self,
        req: &CreateDistribution,
    ) -> Result<DistributionSummary, CounterError> {
        let token = self.ctx.token()?;
        Ok(self
            .ctx
            .inner
            .client
            .create_distribution(&token, req)
            .await?)
    }

    /// 広域連合承認 of the content with hash `content_hash` (what the approver saw): releases it to the
    /// municipality. The union refuses the staff member who asked for it (`self_approval`). Audited.
    pub async fn approve_distribution(
        &self,
        id: DistributionId,
        content_hash: &ContentHash,
    ) -> Result<DistributionSummary, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .union_approve_distribution(
                &token,
                id,
                &UnionApproval {
                    content_hash: content_hash.clone(),
                },
            )
            .await
            .map_err(CounterError::from);
        self.ctx
            .audited(
                None,
                Operation::Approve,
                Some(format!(
                    "distribution:{id} union hash:{}",
                    content_hash.short()
                )),
                result,
            )
            .await
    }

    /// 障害認定の申請 審査中, oldest first (age and evidence; no name or address).
    pub async fn disability_reviews(&self) -> Result<Vec<DisabilityReview>, CounterError> {
        let token = self.ctx.token()?;
        Ok(self
            .ctx
            .inner
            .client
            .disability_reviews(&token)
            .await?
            .reviews)
    }

    /// 認定 or 却下 of one application; the decision goes back to the counter that received it (its
    /// 交付待ち). Audited as 承認 / 差戻し with the resident's opaque id.
    pub async fn decide_disability_review(
        &self,
        resident: ResidentId,
        decision: &DisabilityReviewDecision,
    ) -> Result<NotificationDecision, CounterError> {
        let token = self.ctx.token()?;
        let operation = if decision.certified {
            Operation::Approve
        } else {
            Operation::Reject
        };
        let result = self
            .ctx
            .inner
            .client
            .decide_disability_review(&token, resident, decision)
            .await
            .map_err(CounterError::from);
        self.ctx
            .audited(
                None,
                operation,
                Some(format!("resident:{resident} disability-review")),
                result,
            )
            .await
    }

    /// The daily job's last runs on the union server, newest first.
    pub async fn daily_runs(&self) -> Result<Vec<DailyRun>, CounterError> {
        let token = self.ctx.token()?;
        Ok(self.ctx.inner.client.daily_runs(&token).await?.runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(m: &str, day: &str, note: &str) -> DistributionRequestForm {
        DistributionRequestForm {
            kind: DistributionKind::MonthlyAgeArrival,
            municipality: m.into(),
            reference_date: day.into(),
            mail_class: MailClass::SimpleRegisteredNoForward,
            note: note.into(),
        }
    }

    #[test]
    fn a_distribution_request_parses_wareki_and_names_each_bad_field() {
        let ok = request("152111", "令和8年12月1日", "12月分")
            .parse()
            .unwrap();
        assert_eq!(ok.municipality.as_str(), "152111");
        assert_eq!(ok.reference_date, Date::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(ok.note, "12月分");

        let bad = request("152112", "令和8年13月1日", "").parse().unwrap_err();
        let fields: Vec<_> = bad.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["municipality", "reference_date"]);
        assert!(
            bad.fields[0]
                .message_ja
                .starts_with("配信先の市区町村コード")
        );
    }

    fn review(certified: bool, on: &str, reason: &str) -> DisabilityReviewForm {
        DisabilityReviewForm {
            resident_id: uuid::Uuid::new_v4().to_string(),
            certified,
            certified_on: on.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn a_refusal_needs_a_reason_and_a_certification_takes_an_optional_day() {
        let err = review(false, "", " ").parse().unwrap_err();
        assert_eq!(err.fields[0].field, "reason");
        assert!(err.fields[0].message_ja.contains("却下の理由"));

        let (_, d) = review(false, "", "診断書の等級が対象外").parse().unwrap();
        assert!(!d.certified && d.certified_on.is_none());
        assert_eq!(d.reason, "診断書の等級が対象外");

        let (_, d) = review(true, "", "").parse().unwrap();
        assert!(d.certified && d.certified_on.is_none());
        let (_, d) = review(true, "2026-12-01", "").parse().unwrap();
        assert_eq!(d.certified_on, Date::from_ymd_opt(2026, 12, 1));

        let mut no_one = review(true, "", "");
        no_one.resident_id = String::new();
        assert_eq!(no_one.parse().unwrap_err().fields[0].field, "resident_id");
    }
}
