//! # madoguchi-counter — what the counter screens can do
//!
//! The use cases the desktop app calls, without any window: staff sign-in and sign-out, resident search,
//! submitting a notification (decided at once when the line is up, queued with a 受付控 number when it is
//! not), the queue with honest states, the work list of rejected and conflicting items, the "ready to
//! issue" list, and recording the handover (交付) and returned documents (回収). For the 監督者: the queue of
//! distributions (配信) with summaries and sample records, the decision with the password asked again, the
//! approved content fetched and kept sealed in the vault for batches ([`Distributions::approved_content`]), and
//! approvals of single reprints under the union's policy. For a 広域連合職員, the union's office work through
//! the [`UnionOffice`] handle ([`Counter::union_office`]): distributions asked for and approved by a second
//! person, 障害認定 applications examined and decided, the daily job's results.
//!
//! A submission is always written to the vault's outbox first, durably, and only then sent: whatever
//! happens to the line or the process afterwards, the notification is not lost, and the idempotency key it
//! was given makes a resend harmless. Nothing is ever shown as sent before the union acknowledged it.
//!
//! The screens' forms are parsed here too ([`forms`]), at the edge, into the protocol's types, with a
//! Japanese message per field.
//!
//! Every access is appended to the terminal's hash-chained audit trail (sealed in the vault), which a
//! background task ships to the union until acknowledged; a second print of a document is a reprint that
//! needs a reason; administrators search and export what the union collected.
//!
//! # Where things are
//! One shared context, [`Counter`] (`context`: client, vault, sync engine, session, audit trail, line and
//! terminal status), and one service handle per use case group, borrowed from it:
//!
//! | accessor | service | screen | modules |
//! |---|---|---|---|
//! | [`Counter::session`] | [`Session`] | サインイン・パスワード変更 | `session`, `accounts` (offline sign-in, password change, policy) |
//! | [`Counter::staff_admin`] | [`StaffAdmin`] | 職員管理 | `staff_admin` |
//! | [`Counter::search`] | [`Search`] | 住民検索 | `search` (record view, 個人番号, offline roster), `find` (the screen's list), `cases` (who a case is about) |
//! | [`Counter::intake`] | [`Intake`] | 届出受付・受付一覧 | `intake` (submit, queue, work list), `correction` |
//! | [`Counter::issuance`] | [`Issuance`] | 交付 | `issuance` (ready to issue, document, print history, handover, return), `reprint` (a 監督者's approval) |
//! | [`Counter::distributions`] | [`Distributions`] | 配信 | `distribution` |
//! | [`Counter::audit_review`] | [`AuditReview`] | 監査ログ | `audit_review` |
//!
//! `background` starts and stops the tasks (drain, shipping, revocation checks); `audit` and `shipping`
//! are the chain and its shipper. Screens call `counter.intake().submit(…)`; `Counter` itself keeps only
//! start-up, the shared context (`pub(crate)` helpers such as `token`, `audited`) and the accessors.
//!
//! A new use case goes in the module of its service (`impl Intake<'_> { pub async fn … }`, reaching the
//! context through `self.ctx`). A new group of use cases gets its own module with
//! `pub struct Name<'a> { pub(crate) ctx: &'a Counter }` (doc comment with the screen's Japanese name),
//! `impl Counter { pub fn name(&self) -> Name<'_> }` beside it, and a `pub use` and a row above.
//!
//! This crate must never talk to the network except through `madoguchi-link`, never write to disk except
//! through `madoguchi-vault`, and never log personal data.

mod accounts;
mod audit;
mod audit_review;
mod background;
mod cases;
mod context;
mod correction;
mod distribution;
mod error;
mod find;
pub mod forms;
mod intake;
mod issuance;
mod reprint;
mod revocation;
mod search;
mod session;
mod shipping;
mod staff_admin;
mod union_office;
mod updates;

pub use accounts::{OfflinePolicy, OfflineRefusal, SessionState};
pub use audit_review::AuditReview;
pub use background::Background;
pub use cases::{CaseRecord, CaseSubject};
pub use context::{Clock, Counter, system_clock};
pub use correction::{Correction, CorrectionError};
pub use distribution::{
    ApprovedContentInfo, DistributionError, Distributions, FETCH_PAGE, FetchProgress,
    check_content, current_approval,
};
pub use error::CounterError;
pub use find::{ResidentList, ResidentRow, RosterAge};
pub use intake::{Intake, QueueEntry, Receipt, Submitted, undecided_ja};
pub use issuance::{Issuance, ReadyToIssue, ReturnRecorded};
pub use madoguchi_domain::{PrintOccasion, ReprintReason};
pub use reprint::REPRINT_APPROVAL_VALID_FOR;
pub use revocation::TerminalStatus;
pub use search::{RosterAnswer, RosterRefresh, Search};
pub use session::Session;
pub use shipping::{DEFAULT_RETENTION as AUDIT_RETENTION, Shipped, ShippingStatus};
pub use staff_admin::StaffAdmin;
pub use union_office::{DisabilityReviewForm, DistributionRequestForm, UnionOffice};
pub use updates::{
    CommandInstaller, Installer, UpdateError, UpdateSettings, UpdateStatus, Updates,
};
