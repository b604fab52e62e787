//! # madoguchi-counter — what the counter screens can do
//!
//! The use cases the desktop app calls, without any window: staff sign-in and sign-out, resident search,
//! submitting a notification (decided at once when the line is up, queued with a 受付控 number when it is
//! not), the queue with honest states, the work list of rejected and conflicting items, the "ready to
//! issue" list, and recording the handover (交付) and returned documents (回収). For the 監督者: the queue of
//! distributions (配信) with summaries and sample records, the decision with the password asked again, the
//! approved content fetched and kept sealed in the vault for batches ([`Counter::approved_content`]), and
//! approvals of single reprints under the union's policy.
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
//! One shared context, [`Counter`] (`context`: client, vault, sync engine, session, audit trail), and one
//! module per use case adding its methods to it: `session` and `accounts` (sign-in, offline sign-in,
//! password change), `staff_admin` (職員管理), `search` (resident search, record view, 個人番号, offline
//! roster), `intake` (submit, queue, work list, corrections), `issuance` (ready to issue, document, print
//! history, handover, return), `reprint` (a 監督者's approval of one reprint), `distribution` (配信),
//! `audit_review` (the union's collected trail, the terminal's own chain); `background` starts and stops
//! the tasks; `find` (the screen's resident search, online or from the offline roster) and `cases` (who
//! each queue and 交付待ち line is about). A new use case goes in the module of its screen, or a new module beside them.
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
mod updates;

pub use accounts::{OfflinePolicy, OfflineRefusal, SessionState};
pub use background::Background;
pub use cases::{CaseRecord, CaseSubject};
pub use context::{Clock, Counter, system_clock};
pub use correction::{Correction, CorrectionError};
pub use distribution::{
    ApprovedContentInfo, DistributionError, FETCH_PAGE, FetchProgress, check_content,
    current_approval,
};
pub use error::CounterError;
pub use find::{ResidentList, ResidentRow, RosterAge};
pub use intake::{QueueEntry, Receipt, Submitted, undecided_ja};
pub use issuance::{ReadyToIssue, ReturnRecorded};
pub use madoguchi_domain::{PrintOccasion, ReprintReason};
pub use reprint::REPRINT_APPROVAL_VALID_FOR;
pub use revocation::TerminalStatus;
pub use search::{RosterAnswer, RosterRefresh};
pub use shipping::{DEFAULT_RETENTION as AUDIT_RETENTION, Shipped, ShippingStatus};
pub use updates::{
    CommandInstaller, Installer, UpdateError, UpdateSettings, UpdateStatus, Updates,
};
