//! The gate: a distribution's records together with the 監督者's approval of exactly that content.

use madoguchi_protocol::distribution::{
    ContentHash, DistributionId, DistributionKind, DistributionRecord, LedgerAction, LedgerEntry,
    MailClass, RecordPayload, content_hash,
};

use crate::error::BatchError;

/// Records of a distribution whose content hash, count and numbering match a 承認 ledger entry. The only
/// constructor is [`ApprovedDistribution::verify`], so holding one means the checks passed.
#[derive(Clone)]
pub struct ApprovedDistribution {
    kind: DistributionKind,
    mail_class: MailClass,
    approval: LedgerEntry,
    records: Vec<DistributionRecord>,
}

impl std::fmt::Debug for ApprovedDistribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApprovedDistribution")
            .field("distribution", &self.approval.distribution_id)
            .field("kind", &self.kind)
            .field("records", &self.records.len())
            .field("content_hash", &self.approval.content_hash)
            .finish()
    }
}

fn payload_fits(kind: DistributionKind, p: &RecordPayload) -> bool {
    matches!(
        (kind, p),
        (
            DistributionKind::MonthlyAgeArrival | DistributionKind::AnnualRenewal,
            RecordPayload::Certificate(_)
        ) | (
            // The notice, then the new 資格確認書 (or 資格情報のお知らせ) with the new ratio (union-server
            // `distribution_burden`).
            DistributionKind::BurdenRatioChange,
            RecordPayload::BurdenRatioNotice(_) | RecordPayload::Certificate(_)
        ) | (
            DistributionKind::QualificationFile,
            RecordPayload::QualificationRow(_)
        ) | (DistributionKind::PremiumFile, RecordPayload::PremiumRow(_))
    )
}

fn kind_name(kind: DistributionKind) -> &'static str {
    match kind {
        DistributionKind::MonthlyAgeArrival => "monthly_age_arrival",
        DistributionKind::AnnualRenewal => "annual_renewal",
        DistributionKind::BurdenRatioChange => "burden_ratio_change",
        DistributionKind::QualificationFile => "qualification_file",
        DistributionKind::PremiumFile => "premium_file",
    }
}

impl ApprovedDistribution {
    /// Check `records` against the `approval` (the 監督者's ledger entry) and keep them together.
    /// `kind` and `mail_class` come from the distribution's summary.
    pub fn verify(
        kind: DistributionKind,
        mail_class: MailClass,
        approval: LedgerEntry,
        records: Vec<DistributionRecord>,
    ) -> Result<Self, BatchError> {
        if approval.action != LedgerAction::Approved {
            return Err(BatchError::NotApproved);
        }
        let actual = content_hash(&records);
        if actual != approval.content_hash {
            tracing::error!(
                distribution = %approval.distribution_id,
                approved = approval.content_hash.short(),
                actual = actual.short(),
                "content differs from the approved content; refused"
            );
            return Err(BatchError::ContentChanged {
                approved: approval.content_hash.short().to_string(),
                actual: actual.short().to_string(),
            });
        }
        let count = u32::try_from(records.len()).unwrap_or(u32::MAX);
        if count != approval.record_count {
            return Err(BatchError::CountMismatch {
                approved: approval.record_count,
                actual: count,
            });
        }
        for (i, r) in records.iter().enumerate() {
            let position = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(1);
            if r.seq != position {
                return Err(BatchError::Numbering {
                    position,
                    seq: r.seq,
                });
            }
            if !payload_fits(kind, &r.payload) {
                return Err(BatchError::WrongPayload {
                    seq: r.seq,
                    kind: kind_name(kind),
                });
            }
        }
        Ok(Self {
            kind,
            mail_class,
            approval,
            records,
        })
    }

    /// The distribution.
    pub fn distribution_id(&self) -> DistributionId {
        self.approval.distribution_id
    }
    /// Its kind (一斉更新, 負担割合変更, file…).
    pub fn kind(&self) -> DistributionKind {
        self.kind
    }
    pub(crate) fn kind_name(&self) -> &'static str {
        kind_name(self.kind)
    }
    /// The mail class its envelopes go by.
    pub fn mail_class(&self) -> MailClass {
        self.mail_class
    }
    /// The 承認 entry: who approved, when, which hash.
    pub fn approval(&self) -> &LedgerEntry {
        &self.approval
    }
    /// The approved content hash.
    pub fn content_hash(&self) -> &ContentHash {
        &self.approval.content_hash
    }
    /// Ordered by 通し番号, from 1.
    pub fn records(&self) -> &[DistributionRecord] {
        &self.records
    }
    /// Records approved.
    pub fn record_count(&self) -> u32 {
        self.approval.record_count
    }
    /// Records `first..=last` (通し番号, 1-based).
    pub(crate) fn range(&self, first: u32, last: u32) -> &[DistributionRecord] {
        let a = first.saturating_sub(1) as usize;
        let b = (last as usize).min(self.records.len());
        self.records.get(a..b).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic;

    #[test]
    fn approved_content_passes_and_everything_else_is_refused() {
        let (approval, records) = synthetic::approved(DistributionKind::AnnualRenewal, 5, 1);
        let ok = ApprovedDistribution::verify(
            DistributionKind::AnnualRenewal,
            MailClass::SimpleRegisteredNoForward,
            approval.clone(),
            records.clone(),
        )
        .expect("approved");
        assert_eq!(ok.record_count(), 5);
        assert!(!format!("{ok:?}").contains("見本"));

        // Tampered: one record changed after approval.
        let mut tampered = records.clone();
        tampered[2].resident_id = records[3].resident_id;
        assert!(matches!(
            ApprovedDistribution::verify(
                DistributionKind::AnnualRenewal,
                MailClass::SimpleRegisteredNoForward,
                approval.clone(),
                tampered
            ),
            Err(BatchError::ContentChanged { .. })
        ));
        // Not an approval.
        let mut rejected = approval.clone();
        rejected.action = LedgerAction::Rejected {
            reason: "宛先誤り".into(),
        };
        assert!(matches!(
            ApprovedDistribution::verify(
                DistributionKind::AnnualRenewal,
                MailClass::SimpleRegisteredNoForward,
                rejected,
                records.clone()
            ),
            Err(BatchError::NotApproved)
        ));
        // Wrong kind for the payload.
        assert!(matches!(
            ApprovedDistribution::verify(
                DistributionKind::PremiumFile,
                MailClass::Ordinary,
                approval.clone(),
                records.clone()
            ),
            Err(BatchError::WrongPayload { seq: 1, .. })
        ));
        // Dropped record: hash differs too, and the count check stands behind it.
        let mut short = records;
        short.pop();
        let mut a2 = approval;
        a2.content_hash = content_hash(&short);
        assert!(matches!(
            ApprovedDistribution::verify(
                DistributionKind::AnnualRenewal,
                MailClass::SimpleRegisteredNoForward,
                a2,
                short
            ),
            Err(BatchError::CountMismatch {
                approved: 5,
                actual: 4
            })
        ));
    }

    #[test]
    fn gaps_in_numbering_are_refused() {
        let (mut approval, mut records) = synthetic::approved(DistributionKind::PremiumFile, 3, 2);
        records[1].seq = 7;
        approval.content_hash = content_hash(&records);
        assert!(matches!(
            ApprovedDistribution::verify(
                DistributionKind::PremiumFile,
                MailClass::Ordinary,
                approval,
                records
            ),
            Err(BatchError::Numbering {
                position: 2,
                seq: 7
            })
        ));
    }
}
