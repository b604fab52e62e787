//! Distributions (配信) at the terminal: the 監督者's queue (list, summary, sample records for proofs), the
//! decision (approve or reject, with the password asked again, recorded in the terminal's audit chain), and
//! the approved content fetched into the vault so a batch (printing, mailing list, export) can run and resume
//! without the line.
//!
//! The content is kept only when it is exactly what was approved: the ledger must hold together and end with
//! the municipality's approval, and [`content_hash`] over every fetched record must equal the hash that
//! approval names. Anything else is erased and refused — nothing unapproved is ever handed to a batch.
//!
//! For the batch crate: [`Distributions::approved_content`] returns the approval (a [`LedgerEntry`] whose
//! `content_hash` and `record_count` the batch prints on its reconciliation report) and every record in
//! `seq` order; [`Distributions::approved_distributions`] lists what the vault holds. Online, call
//! [`Distributions::fetch_approved`] before a batch: it also confirms the approval still stands (and erases a copy
//! the union has since voided by regenerating the content).

use chrono::{DateTime, Utc};
use madoguchi_audit::Operation;
use madoguchi_domain::StaffMessage;
use madoguchi_protocol::distribution::{
    ContentHash, Decision, DistributionDecisionRequest, DistributionId, DistributionRecord,
    DistributionSummary, Ledger, LedgerAction, LedgerEntry, SampleRecords, content_hash,
    verify_ledger,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::context::Counter;
use crate::error::CounterError;

/// Records asked for per page (the union's largest page).
pub const FETCH_PAGE: u32 = 1000;

/// Why a distribution (or an approved reprint) cannot be used at this terminal (beyond the union's own
/// refusals).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DistributionError {
    /// The ledger does not end with the municipality's approval of the current content.
    #[error("the distribution is not approved")]
    NotApproved,
    /// The decision ledger does not hold together (an entry edited, removed or reordered).
    #[error("the decision ledger is broken at entry {0}")]
    LedgerBroken(usize),
    /// What was fetched is not what was approved (hash, count or numbering); it was erased.
    #[error("the fetched content does not match the approved content")]
    ContentMismatch,
    /// The approved content is not (completely) in this terminal's vault yet.
    #[error("the approved content has not been fetched")]
    NotFetched,
    /// A reprint approval covers one reprint, and it was used.
    #[error("the reprint approval was already used")]
    ReprintApprovalUsed,
    /// A reprint approval is for a reprint now, not later: it lapses after
    /// [`crate::REPRINT_APPROVAL_VALID_FOR`] (well inside the audit chain's local retention, so that a spent
    /// approval can always be told from an unused one).
    #[error("the reprint approval has lapsed")]
    ReprintApprovalLapsed,
}

impl DistributionError {
    /// A stable code, as the union's codes are (for the audit chain and the screens).
    pub fn code(&self) -> &'static str {
        match self {
            DistributionError::NotApproved => "not_approved",
            DistributionError::LedgerBroken(_) => "ledger_broken",
            DistributionError::ContentMismatch => "content_mismatch",
            DistributionError::NotFetched => "not_fetched",
            DistributionError::ReprintApprovalUsed => "reprint_approval_used",
            DistributionError::ReprintApprovalLapsed => "reprint_approval_lapsed",
        }
    }
}

impl StaffMessage for DistributionError {
    fn message_ja(&self) -> String {
        match self {
            DistributionError::NotApproved => {
                "この配信はまだ承認されていないため、印刷・一覧出力・媒体出力はできません。".into()
            }
            DistributionError::LedgerBroken(_) => {
                "配信の承認記録に不整合があります。使用せず、情報システム管理者に連絡してください。"
                    .into()
            }
            DistributionError::ContentMismatch => {
                "受信した配信データが承認された内容と一致しないため、破棄しました。広域連合に連絡してください。"
                    .into()
            }
            DistributionError::NotFetched => {
                "承認済みの配信データがこの端末にありません。先に受信してください。".into()
            }
            DistributionError::ReprintApprovalUsed => {
                "この承認による再印刷は記録済みです。もう一度印刷するには、改めて監督者の承認を受けてください。"
                    .into()
            }
            DistributionError::ReprintApprovalLapsed => {
                "監督者の承認から時間が経ったため、この承認では再印刷できません。改めて承認を受けてください。"
                    .into()
            }
        }
    }
}

/// Progress of [`Distributions::fetch_approved`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FetchProgress {
    /// Records in the vault so far.
    pub fetched: u32,
    /// Records in the approved content.
    pub total: u32,
}

/// What the vault holds for one approved distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovedContentInfo {
    /// The distribution.
    pub distribution_id: DistributionId,
    /// The municipality's approval (who, when, the content hash and count approved).
    pub approval: LedgerEntry,
    /// Records in the vault.
    pub record_count: u32,
    /// When the last page arrived and the hash was checked.
    pub fetched_at: DateTime<Utc>,
}

/// The vault manifest: while fetching (`complete == false`) it says how far the fetch got, so an
/// interrupted fetch resumes from the next record.
#[derive(Serialize, Deserialize)]
struct Manifest {
    approval: LedgerEntry,
    fetched: u32,
    pages: u32,
    complete: bool,
    fetched_at: DateTime<Utc>,
}

fn vault_id(id: DistributionId) -> [u8; 16] {
    *id.0.as_bytes()
}

/// The municipality's approval of the current content, from a ledger that holds together.
pub fn current_approval(ledger: &Ledger) -> Result<LedgerEntry, DistributionError> {
    verify_ledger(&ledger.entries).map_err(|b| DistributionError::LedgerBroken(b.position))?;
    match ledger.entries.last() {
        Some(e) if e.action == LedgerAction::Approved => Ok(e.clone()),
        _ => Err(DistributionError::NotApproved),
    }
}

/// Checks fetched records against the approval: numbered 1..=n without gaps, n as approved, same hash.
pub fn check_content(
    approval: &LedgerEntry,
    records: &[DistributionRecord],
) -> Result<(), DistributionError> {
    let numbered = records
        .iter()
        .enumerate()
        .all(|(i, r)| r.seq as usize == i + 1);
    if !numbered
        || records.len() != approval.record_count as usize
        || content_hash(records) != approval.content_hash
    {
        return Err(DistributionError::ContentMismatch);
    }
    Ok(())
}

impl Counter {
    fn distribution_manifest(&self, id: DistributionId) -> Result<Option<Manifest>, CounterError> {
        match self.inner.vault.distributions().manifest(&vault_id(id))? {
            Some(bytes) => Ok(Some(
                serde_json::from_slice(&bytes).map_err(|e| CounterError::Encode(e.to_string()))?,
            )),
            None => Ok(None),
        }
    }

    fn write_manifest(&self, id: DistributionId, m: &Manifest) -> Result<(), CounterError> {
        let bytes = serde_json::to_vec(m).map_err(|e| CounterError::Encode(e.to_string()))?;
        Ok(self
            .inner
            .vault
            .distributions()
            .put_manifest(&vault_id(id), &bytes)?)
    }

    async fn fetch_approved_unaudited(
        &self,
        id: DistributionId,
        progress: &mut (impl FnMut(FetchProgress) + Send),
    ) -> Result<ApprovedContentInfo, CounterError> {
        let token = self.token()?;
        let ledger = self.inner.client.distribution_ledger(&token, id).await?;
        let store = self.inner.vault.distributions();
        let key = vault_id(id);
        let approval = match current_approval(&ledger) {
            Ok(a) => a,
            Err(DistributionError::NotApproved) => {
                // Never approved, or the union rebuilt it since: a copy held from an earlier approval is no
                // longer the approved content, so it leaves the vault.
                store.remove(&key)?;
                return Err(DistributionError::NotApproved.into());
            }
            Err(e) => return Err(e.into()),
        };
        let total = approval.record_count;
        let mut manifest = match self.distribution_manifest(id)? {
            Some(m) if m.approval == approval => m,
            other => {
                if other.is_some() {
                    // An earlier approval's content (since regenerated and approved again): never mixed.
                    store.remove(&key)?;
                }
                Manifest {
                    approval: approval.clone(),
                    fetched: 0,
                    pages: 0,
                    complete: false,
                    fetched_at: Utc::now(),
                }
            }
        };
        if !manifest.complete {
            progress(FetchProgress {
                fetched: manifest.fetched,
                total,
            });
            while manifest.fetched < total {
                let page = self
                    .inner
                    .client
                    .distribution_records(&token, id, manifest.fetched, FETCH_PAGE)
                    .await?;
                if page.content_hash != approval.content_hash
                    || page.record_count != total
                    || page.records.is_empty()
                {
                    store.remove(&key)?;
                    return Err(DistributionError::ContentMismatch.into());
                }
                let bytes = Zeroizing::new(
                    serde_json::to_vec(&page.records)
                        .map_err(|e| CounterError::Encode(e.to_string()))?,
                );
                store.put_page(&key, manifest.pages, &bytes)?;
                manifest.pages += 1;
                manifest.fetched += page.records.len() as u32;
                self.write_manifest(id, &manifest)?;
                progress(FetchProgress {
                    fetched: manifest.fetched.min(total),
                    total,
                });
            }
            let records = self.read_pages(id, &manifest)?;
            if let Err(e) = check_content(&approval, &records) {
                store.remove(&key)?;
                return Err(e.into());
            }
            manifest.complete = true;
            manifest.fetched_at = Utc::now();
            self.write_manifest(id, &manifest)?;
        }
        Ok(ApprovedContentInfo {
            distribution_id: id,
            approval,
            record_count: manifest.fetched,
            fetched_at: manifest.fetched_at,
        })
    }

    fn read_pages(
        &self,
        id: DistributionId,
        manifest: &Manifest,
    ) -> Result<Vec<DistributionRecord>, CounterError> {
        let pages = self.inner.vault.distributions().pages(&vault_id(id))?;
        if pages.len() != manifest.pages as usize {
            return Err(DistributionError::ContentMismatch.into());
        }
        let mut records = Vec::with_capacity(manifest.fetched as usize);
        for (_, bytes) in pages {
            let part: Vec<DistributionRecord> =
                serde_json::from_slice(&bytes).map_err(|e| CounterError::Encode(e.to_string()))?;
            records.extend(part);
        }
        Ok(records)
    }
}

/// 配信 — a 監督者's review and decision of the union's distributions, and the approved content kept
/// sealed in the vault for batches.
///
/// Obtained from the shared context with [`Counter::distributions`]; cheap, borrow it per call.
#[derive(Clone, Copy)]
pub struct Distributions<'a> {
    pub(crate) ctx: &'a Counter,
}

impl Counter {
    /// The distribution use cases (配信の確認・承認・承認済み内容).
    pub fn distributions(&self) -> Distributions<'_> {
        Distributions { ctx: self }
    }
}

impl Distributions<'_> {
    /// The 監督者's queue: distributions released to this municipality (waiting, approved, rejected).
    pub async fn distribution_queue(&self) -> Result<Vec<DistributionSummary>, CounterError> {
        let token = self.ctx.token()?;
        Ok(self
            .ctx
            .inner
            .client
            .distributions(&token)
            .await?
            .distributions)
    }

    /// One distribution: counts, per-kind summary, content hash, state and decision.
    pub async fn distribution_summary(
        &self,
        id: DistributionId,
    ) -> Result<DistributionSummary, CounterError> {
        let token = self.ctx.token()?;
        Ok(self.ctx.inner.client.distribution(&token, id).await?)
    }

    /// Sample records for proofs (the first, the last and random ones), before approval. They carry
    /// residents' data, so the view is recorded in the audit chain.
    pub async fn distribution_samples(
        &self,
        id: DistributionId,
    ) -> Result<SampleRecords, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .distribution_samples(&token, id)
            .await
            .map_err(CounterError::from);
        let target = match &result {
            Ok(s) => format!("distribution:{id} samples:{}", s.records.len()),
            Err(_) => format!("distribution:{id} samples"),
        };
        self.ctx
            .audited(None, Operation::ViewResident, Some(target), result)
            .await
    }

    /// Approves or rejects the content with hash `content_hash`, with the signed-in 監督者's password asked
    /// again. Recorded in the audit chain as 承認 / 差戻し with the distribution as target, refused or not.
    pub async fn decide_distribution(
        &self,
        id: DistributionId,
        decision: Decision,
        content_hash: &ContentHash,
        password: &str,
    ) -> Result<LedgerEntry, CounterError> {
        let token = self.ctx.token()?;
        let operation = match decision {
            Decision::Approve => Operation::Approve,
            Decision::Reject { .. } => Operation::Reject,
        };
        let req = DistributionDecisionRequest {
            decision,
            content_hash: content_hash.clone(),
            password: password.to_owned(),
        };
        let result = self
            .ctx
            .inner
            .client
            .decide_distribution(&token, id, &req)
            .await
            .map_err(CounterError::from);
        drop(Zeroizing::new(req.password));
        self.ctx
            .audited(
                None,
                operation,
                Some(format!("distribution:{id} hash:{}", content_hash.short())),
                result,
            )
            .await
    }

    /// The decision ledger, checked: a ledger that does not hold together is refused.
    pub async fn distribution_ledger(&self, id: DistributionId) -> Result<Ledger, CounterError> {
        let token = self.ctx.token()?;
        let ledger = self
            .ctx
            .inner
            .client
            .distribution_ledger(&token, id)
            .await?;
        verify_ledger(&ledger.entries)
            .map_err(|b| CounterError::Distribution(DistributionError::LedgerBroken(b.position)))?;
        Ok(ledger)
    }

    /// Call it before a batch whenever the line is up: besides fetching, it confirms the approval still
    /// stands, and erases a copy whose approval the union has voided since (a regeneration).
    ///
    /// Fetches the approved content into the vault, page by page (each page durable as it arrives, so an
    /// interrupted fetch resumes from the next record), reporting progress through `progress`. Once every
    /// record is there, refuses (and erases) content whose hash, count or numbering is not what the
    /// municipality's approval in the ledger names. Fetching again what is already complete does nothing.
    pub async fn fetch_approved(
        &self,
        id: DistributionId,
        mut progress: impl FnMut(FetchProgress) + Send,
    ) -> Result<ApprovedContentInfo, CounterError> {
        let result = self.ctx.fetch_approved_unaudited(id, &mut progress).await;
        let target = match &result {
            Ok(info) => format!("distribution:{id} records:{}", info.record_count),
            Err(_) => format!("distribution:{id} records"),
        };
        self.ctx
            .audited(None, Operation::ViewResident, Some(target), result)
            .await
    }

    /// The approved content for a batch, from the vault only (works offline): the municipality's approval
    /// and every record in `seq` order, checked against the approved hash again.
    pub fn approved_content(
        &self,
        id: DistributionId,
    ) -> Result<(LedgerEntry, Vec<DistributionRecord>), CounterError> {
        let manifest = match self.ctx.distribution_manifest(id)? {
            Some(m) if m.complete => m,
            _ => return Err(DistributionError::NotFetched.into()),
        };
        let records = self.ctx.read_pages(id, &manifest)?;
        check_content(&manifest.approval, &records)?;
        Ok((manifest.approval, records))
    }

    /// The approved distributions whose content is complete in the vault.
    pub fn approved_distributions(&self) -> Result<Vec<ApprovedContentInfo>, CounterError> {
        let mut out = Vec::new();
        for key in self.ctx.inner.vault.distributions().list()? {
            let id = DistributionId(uuid::Uuid::from_bytes(key));
            if let Some(m) = self.ctx.distribution_manifest(id)?
                && m.complete
            {
                out.push(ApprovedContentInfo {
                    distribution_id: id,
                    approval: m.approval,
                    record_count: m.fetched,
                    fetched_at: m.fetched_at,
                });
            }
        }
        Ok(out)
    }

    /// Erases a distribution's content from the vault (after the batch is done, or to fetch again).
    pub fn erase_approved(&self, id: DistributionId) -> Result<(), CounterError> {
        self.ctx.inner.vault.distributions().remove(&vault_id(id))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madoguchi_protocol::distribution::{
        LEDGER_GENESIS, PremiumRow, RecordPayload, ledger_entry_hash,
    };
    use madoguchi_protocol::v1::ResidentId;

    fn record(seq: u32) -> DistributionRecord {
        DistributionRecord {
            seq,
            resident_id: ResidentId(uuid::Uuid::from_u128(u128::from(seq))),
            mail_to: None,
            payload: RecordPayload::PremiumRow(PremiumRow {
                insured_number: "10000018".parse().unwrap_or_else(|_| unreachable!()),
                fiscal_year: 2026,
                annual_premium: madoguchi_domain::money::Yen::new(47_000),
            }),
        }
    }

    fn entry(
        seq: u32,
        prev: &str,
        action: LedgerAction,
        records: &[DistributionRecord],
    ) -> LedgerEntry {
        let mut e = LedgerEntry {
            seq,
            distribution_id: DistributionId(uuid::Uuid::from_u128(9)),
            action,
            by: "x".into(),
            terminal_id: "T".into(),
            at: Utc::now(),
            record_count: records.len() as u32,
            content_hash: content_hash(records),
            prev_hash: prev.into(),
            entry_hash: String::new(),
        };
        e.entry_hash = ledger_entry_hash(&e);
        e
    }

    #[test]
    fn only_a_chained_ledger_ending_in_approval_approves() {
        let records = vec![record(1), record(2)];
        let a = entry(1, LEDGER_GENESIS, LedgerAction::Created, &records);
        let b = entry(2, &a.entry_hash, LedgerAction::UnionApproved, &records);
        let c = entry(3, &b.entry_hash, LedgerAction::Approved, &records);
        let released = Ledger {
            entries: vec![a.clone(), b.clone()],
        };
        assert_eq!(
            current_approval(&released),
            Err(DistributionError::NotApproved)
        );
        let approved = Ledger {
            entries: vec![a.clone(), b.clone(), c.clone()],
        };
        assert_eq!(current_approval(&approved), Ok(c.clone()));
        let d = entry(4, &c.entry_hash, LedgerAction::Regenerated, &records);
        let regenerated = Ledger {
            entries: vec![a.clone(), b.clone(), c.clone(), d],
        };
        assert_eq!(
            current_approval(&regenerated),
            Err(DistributionError::NotApproved)
        );
        let mut forged = approved.clone();
        forged.entries.remove(1);
        assert_eq!(
            current_approval(&forged),
            Err(DistributionError::LedgerBroken(2))
        );
    }

    #[test]
    fn content_must_be_exactly_what_was_approved() {
        let records = vec![record(1), record(2), record(3)];
        let approval = entry(1, LEDGER_GENESIS, LedgerAction::Approved, &records);
        assert_eq!(check_content(&approval, &records), Ok(()));
        assert_eq!(
            check_content(&approval, &records[..2]),
            Err(DistributionError::ContentMismatch)
        );
        let mut swapped = records.clone();
        swapped.swap(0, 1);
        assert_eq!(
            check_content(&approval, &swapped),
            Err(DistributionError::ContentMismatch)
        );
        let mut changed = records.clone();
        changed[2].mail_to = Some(madoguchi_protocol::v1::MailingAddress {
            recipient: "別人".into(),
            postal_code: String::new(),
            address: "別住所".into(),
        });
        assert_eq!(
            check_content(&approval, &changed),
            Err(DistributionError::ContentMismatch)
        );
    }
}
