//! Issuance: the "ready to issue" list, a document's print data, the print history that makes a second
//! print a reprint with a reason (再印刷: FR-50, K:167, K:170–171 発行履歴 — kept sealed in the vault, so a
//! restart does not turn a reprint into a "first" print), the handover (交付) and returned documents (回収).
//! Reprints under a 監督者's approval are in `reprint`.
//!
//! Each 交付待ち line names its case (issue #14 finding 3). A decision with nothing to hand over (資格喪失 by
//! 転出 or 死亡, a 送付先 change) is closed by the clerk once any 回収 is recorded ([`Issuance::close_ready`]);
//! a 回収 recorded twice answers the first record (finding 6).

use madoguchi_protocol::endpoint as ep;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use madoguchi_audit::{Operation, Outcome};
use madoguchi_domain::Date;
use madoguchi_domain::{PrintOccasion, ReprintReason};
use madoguchi_link::sync::DecisionStore;
use madoguchi_protocol::v1::{
    DocumentData, DocumentId, DocumentState, DocumentSummary, IssuanceRequest,
    NotificationDecision, ReturnRequest,
};
use madoguchi_vault::Sequence;
use serde::{Deserialize, Serialize};

use crate::cases::CaseSubject;
use crate::context::Counter;
use crate::error::CounterError;

/// A decided notification whose document waits to be handed over or mailed, or whose decision waits to
/// be closed.
#[derive(ts_rs::TS, Debug, Clone, Serialize)]
pub struct ReadyToIssue {
    /// Position of the notification in the outbox.
    pub seq: u64,
    /// 受付番号 of the notification.
    pub reception_number: Option<String>,
    /// Who the case is about (氏名, カナ, 生年月日, 被保険者番号).
    pub subject: Option<CaseSubject>,
    /// A document waits to be handed over (交付); otherwise the entry is closed with
    /// [`Issuance::close_ready`].
    pub needs_handover: bool,
    /// Documents to return (回収) already recorded on this terminal.
    pub returns_recorded: Vec<DocumentId>,
    /// The union's decision (with the document to issue).
    pub decision: NotificationDecision,
}

/// What recording a 回収 did.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReturnRecorded {
    /// The document that came back.
    pub document_id: DocumentId,
    /// 回収日 as recorded (the first record, when it was recorded before).
    pub returned_on: Date,
    /// It had been recorded before: nothing was recorded again.
    pub already_recorded: bool,
}

/// Setting holding the 回収 recorded on this terminal (document id → 回収日).
const RETURNS: &str = "returns.recorded";
/// Returns remembered; the oldest 回収日 are forgotten first.
const RETURNS_MAX: usize = 5000;

/// Whether the decision still has a document to hand over.
fn needs_handover(decision: &NotificationDecision) -> bool {
    decision
        .document
        .as_ref()
        .is_some_and(|d| d.state == DocumentState::ToIssue)
}

impl Counter {
    fn returns(&self) -> Result<BTreeMap<String, Date>, CounterError> {
        Ok(self
            .inner
            .vault
            .settings()
            .get(RETURNS)?
            .unwrap_or_default())
    }
}

/// 交付 — the ready-to-issue list, a document's print data, print history and occasion (reprints with
/// their reason and a 監督者's approval, `crate::reprint`), the handover (交付) and return (回収).
///
/// Obtained from the shared context with [`Counter::issuance`]; cheap, borrow it per call.
#[derive(Clone, Copy)]
pub struct Issuance<'a> {
    pub(crate) ctx: &'a Counter,
}

impl Counter {
    /// The issuance use cases (交付待ち・印刷・再印刷承認・交付・回収).
    pub fn issuance(&self) -> Issuance<'_> {
        Issuance { ctx: self }
    }
}

impl Issuance<'_> {
    /// Records a print in the audit chain. Printing itself runs in the app's print service; it reports here
    /// what went to the printer (`target`: an opaque document id or a 受付番号) and, when the job failed,
    /// the stable error code.
    pub async fn record_print(
        &self,
        target: String,
        failure: Option<&str>,
    ) -> Result<(), CounterError> {
        let user = self.ctx.staff().map(|s| s.user_id).unwrap_or_default();
        let outcome = match failure {
            None => Outcome::Done,
            Some(code) => Outcome::Refused {
                code: code.to_owned(),
            },
        };
        self.ctx
            .inner
            .audit
            .record(&user, Operation::Print, Some(target), outcome)
            .await
    }

    /// Decisions waiting to be handed over, mailed or closed ("ready to issue"), oldest first, each naming
    /// its case.
    pub fn ready_to_issue(&self) -> Result<Vec<ReadyToIssue>, CounterError> {
        let returns = self.ctx.returns()?;
        DecisionStore::new(self.ctx.inner.vault.clone())
            .ready()?
            .into_iter()
            .map(|(seq, decision)| {
                let mut subject = self.ctx.case(seq.0)?.and_then(|c| c.subject);
                if let Some(s) = subject.as_mut() {
                    // Decided after a queue drain: the union's answer completes what the clerk entered.
                    s.resident_id.get_or_insert(decision.resident_id);
                    if let Some(q) = &decision.qualification {
                        s.insured_number = Some(q.insured_number.as_str().to_owned());
                    }
                }
                Ok(ReadyToIssue {
                    seq: seq.0,
                    reception_number: self.ctx.reception_number(seq.0),
                    subject,
                    needs_handover: needs_handover(&decision),
                    returns_recorded: decision
                        .documents_to_return
                        .iter()
                        .map(|d| d.document_id)
                        .filter(|id| returns.contains_key(&id.to_string()))
                        .collect(),
                    decision,
                })
            })
            .collect()
    }

    /// Closes a 交付待ち entry with nothing to hand over (資格喪失 by 転出 or 死亡, a decision without a
    /// document): it leaves the list, and the closing is recorded in the audit chain. An entry whose
    /// document still waits is refused ([`CounterError::HandoverPending`]); closing twice is harmless.
    pub async fn close_ready(&self, seq: u64) -> Result<(), CounterError> {
        let store = self.ctx.inner.sender.decisions();
        let result = match store.get(Sequence(seq)) {
            Ok(Some(d)) if needs_handover(&d) => Err(CounterError::HandoverPending),
            Ok(_) => store.done(Sequence(seq)).map_err(CounterError::from),
            Err(e) => Err(e.into()),
        };
        self.ctx
            .audited(
                None,
                Operation::Handover,
                Some(format!("queue:{seq} closed")),
                result,
            )
            .await
    }

    /// Asks the union again for decisions still 審査中 (a 障害認定 the union examines); those decided since
    /// replace theirs in the ready list. The sync engine does this by itself every minute while one waits;
    /// the 交付待ち screen calls it to look at once. Returns how many were decided.
    pub async fn refresh_under_review(&self) -> Result<usize, CounterError> {
        let token = self.ctx.token()?;
        Ok(self.ctx.inner.sender.refresh_under_review(&token).await?)
    }

    /// The print data of a document.
    pub async fn document(&self, id: DocumentId) -> Result<DocumentData, CounterError> {
        let token = self.ctx.token()?;
        Ok(self
            .ctx
            .inner
            .client
            .send(&ep::DOCUMENT, &[&id.to_string()], Some(&token), None, None)
            .await?)
    }

    /// Records the handover (交付: 窓口 or 郵送, with the 本人確認書類 seen). Closes the ready-to-issue
    /// entry `seq` when given.
    pub async fn record_issuance(
        &self,
        document: DocumentId,
        req: &IssuanceRequest,
        seq: Option<u64>,
    ) -> Result<DocumentSummary, CounterError> {
        let token = self.ctx.token()?;
        let result = self
            .ctx
            .inner
            .client
            .send(
                &ep::RECORD_ISSUANCE,
                &[&document.to_string()],
                Some(&token),
                None,
                Some(req),
            )
            .await
            .map_err(CounterError::from);
        let answer = self
            .ctx
            .audited(
                None,
                Operation::Handover,
                Some(format!("document:{document} issued")),
                result,
            )
            .await?;
        if let Some(s) = seq {
            self.ctx.inner.sender.decisions().done(Sequence(s))?;
        }
        Ok(answer)
    }

    /// Records that an old document came back (回収). Recorded once: a second record of the same document
    /// answers the first (here without asking the union again; the union answers a repeat the same way).
    pub async fn record_return(
        &self,
        document: DocumentId,
        req: &ReturnRequest,
    ) -> Result<ReturnRecorded, CounterError> {
        let mut returns = self.ctx.returns()?;
        if let Some(first) = returns.get(&document.to_string()) {
            return Ok(ReturnRecorded {
                document_id: document,
                returned_on: *first,
                already_recorded: true,
            });
        }
        let token = self.ctx.token()?;
        let result: Result<DocumentSummary, CounterError> = self
            .ctx
            .inner
            .client
            .send(
                &ep::RECORD_RETURN,
                &[&document.to_string()],
                Some(&token),
                None,
                Some(req),
            )
            .await
            .map_err(CounterError::from);
        let summary = self
            .ctx
            .audited(
                None,
                Operation::Handover,
                Some(format!("document:{document} returned")),
                result,
            )
            .await?;
        let returned_on = summary
            .returned
            .as_ref()
            .map_or(req.returned_on, |r| r.returned_on);
        returns.insert(document.to_string(), returned_on);
        while returns.len() > RETURNS_MAX {
            let oldest = returns
                .iter()
                .min_by_key(|(_, d)| **d)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => returns.remove(&k),
                None => break,
            };
        }
        self.ctx.inner.vault.settings().set(RETURNS, &returns)?;
        Ok(ReturnRecorded {
            document_id: document,
            returned_on,
            already_recorded: returned_on != req.returned_on,
        })
    }
}

/// Setting holding the print history.
const PRINT_HISTORY: &str = "print.history";
/// Documents remembered; the oldest are forgotten first (a document is reprinted within days, not years).
const PRINT_HISTORY_MAX: usize = 5000;

/// What the print history knows of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Printed {
    count: u32,
    last: DateTime<Utc>,
}

impl Counter {
    fn print_history(&self) -> Result<BTreeMap<String, Printed>, CounterError> {
        Ok(self
            .inner
            .vault
            .settings()
            .get(PRINT_HISTORY)?
            .unwrap_or_default())
    }
}

impl Issuance<'_> {
    /// How many times `document` (an opaque document id or a 受付番号) was printed on this terminal.
    pub fn times_printed(&self, document: &str) -> Result<u32, CounterError> {
        Ok(self
            .ctx
            .print_history()?
            .get(document)
            .map(|p| p.count)
            .unwrap_or(0))
    }

    /// Decides whether printing `document` now is the first print or a reprint: a reprint without a reason
    /// is refused (and the refusal recorded in the audit chain).
    pub async fn print_occasion(
        &self,
        document: &str,
        reason: Option<ReprintReason>,
    ) -> Result<PrintOccasion, CounterError> {
        let Some(before) = std::num::NonZeroU32::new(self.times_printed(document)?) else {
            return Ok(PrintOccasion::First);
        };
        let checked = match reason {
            Some(r) => r
                .validate()
                .map(|()| r)
                .map_err(|_| CounterError::ReprintReasonRequired),
            None => Err(CounterError::ReprintReasonRequired),
        };
        match checked {
            Ok(reason) => Ok(PrintOccasion::Reprint {
                count: before,
                reason,
            }),
            Err(e) => {
                let user = self.ctx.staff().map(|s| s.user_id).unwrap_or_default();
                self.ctx
                    .inner
                    .audit
                    .record_with_purpose(
                        &user,
                        Operation::Reprint,
                        Some(document.to_owned()),
                        None,
                        Outcome::Refused {
                            code: "reprint_reason_required".into(),
                        },
                    )
                    .await?;
                Err(e)
            }
        }
    }

    /// Records a print job of `document` in the audit chain (印刷, or 再印刷 with its reason as purpose)
    /// and, when it went to the printer, in the print history.
    pub async fn record_print_job(
        &self,
        document: &str,
        occasion: &PrintOccasion,
        failure: Option<&str>,
    ) -> Result<(), CounterError> {
        let user = self.ctx.staff().map(|s| s.user_id).unwrap_or_default();
        let (operation, purpose) = match occasion {
            PrintOccasion::First => (Operation::Print, None),
            PrintOccasion::Reprint { reason, .. } => (Operation::Reprint, Some(reason.label_ja())),
        };
        let outcome = match failure {
            None => Outcome::Done,
            Some(code) => Outcome::Refused {
                code: code.to_owned(),
            },
        };
        self.ctx
            .inner
            .audit
            .record_with_purpose(
                &user,
                operation,
                Some(document.to_owned()),
                purpose,
                outcome,
            )
            .await?;
        if failure.is_none() {
            let mut history = self.ctx.print_history()?;
            let entry = history.entry(document.to_owned()).or_insert(Printed {
                count: 0,
                last: Utc::now(),
            });
            entry.count += 1;
            entry.last = Utc::now();
            while history.len() > PRINT_HISTORY_MAX {
                let oldest = history
                    .iter()
                    .min_by_key(|(_, p)| p.last)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => history.remove(&k),
                    None => break,
                };
            }
            self.ctx
                .inner
                .vault
                .settings()
                .set(PRINT_HISTORY, &history)?;
        }
        Ok(())
    }
}
