//! Typed endpoint descriptions of API v1: method, path template, request and response type.
//!
//! The terminal's `link` sends requests only through these descriptions and the union's router mounts its
//! handlers on them, so a path or a body type cannot drift between the two sides; the OpenAPI test checks
//! that every description is documented and every documented operation is described ([`ALL`]).
//!
//! Path templates name their parameters as the OpenAPI document does (`{resident_id}`); a parameter is an
//! opaque id, never a personal identifier (see the crate doc).

use std::fmt;
use std::marker::PhantomData;

use crate::{accounts, audit_chain, distribution, enrol, reprint, reveal, updates, v1};

/// An HTTP method of API v1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`: reads, without a body.
    Get,
    /// `POST`: actions and creations, with a JSON body.
    Post,
    /// `PUT`: replaces a resource's part (an account's grants).
    Put,
    /// `DELETE`: ends a resource (the session).
    Delete,
}

impl HttpMethod {
    /// The method as it is written on the wire (`"GET"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Delete => "DELETE",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer of an operation that answers `204 No Content` (sign-out): nothing to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoContent;

/// The request of an operation without a body (every `GET`, and actions named by their path alone).
pub type NoBody = ();

/// One operation: `Req` is the JSON body sent (or [`NoBody`]), `Resp` the JSON body answered on success.
pub struct Endpoint<Req, Resp> {
    method: HttpMethod,
    template: &'static str,
    // `fn(Req) -> Resp`: the endpoint neither owns nor drops values of these types.
    types: PhantomData<fn(Req) -> Resp>,
}

// Manual impls: derives would demand `Req: Clone` etc., which the description does not need.
impl<Req, Resp> Clone for Endpoint<Req, Resp> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Req, Resp> Copy for Endpoint<Req, Resp> {}

impl<Req, Resp> fmt::Debug for Endpoint<Req, Resp> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

/// An endpoint without its types, for lists and routing tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EndpointInfo {
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path template, parameters in braces (`/v1/residents/{resident_id}`).
    pub template: &'static str,
}

/// Why a path could not be built from a template and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PathError {
    /// The template has a different number of parameters than were given.
    #[error("path template needs {expected} parameter(s), {given} given")]
    WrongCount {
        /// Parameters in the template.
        expected: usize,
        /// Parameters given.
        given: usize,
    },
    /// A parameter is empty or has a character outside the URL-safe set (`A-Z a-z 0-9 - . _ ~ @`, RFC 3986 pchars that
    /// need no escaping); the value
    /// itself is not repeated.
    #[error("path parameter {index} is empty or not URL-safe")]
    BadSegment {
        /// The parameter's position, from 0.
        index: usize,
    },
}

impl<Req, Resp> Endpoint<Req, Resp> {
    /// Describes an operation. Used for the constants of this module.
    pub const fn new(method: HttpMethod, template: &'static str) -> Self {
        Self {
            method,
            template,
            types: PhantomData,
        }
    }

    /// The HTTP method.
    pub const fn method(&self) -> HttpMethod {
        self.method
    }

    /// The path template as the router mounts it (`/v1/residents/{resident_id}`).
    pub const fn template(&self) -> &'static str {
        self.template
    }

    /// The endpoint without its types.
    pub const fn info(&self) -> EndpointInfo {
        EndpointInfo {
            method: self.method,
            template: self.template,
        }
    }

    /// The concrete path: each `{…}` of the template replaced, in order, by one parameter. Parameters must be
    /// URL-safe as they are (ids are), so nothing can escape the path segment.
    pub fn path(&self, params: &[&str]) -> Result<String, PathError> {
        let expected = self.template.matches('{').count();
        if expected != params.len() {
            return Err(PathError::WrongCount {
                expected,
                given: params.len(),
            });
        }
        let mut out = String::with_capacity(self.template.len() + 40);
        let mut rest = self.template;
        for (index, p) in params.iter().enumerate() {
            let safe = !p.is_empty()
                && p.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'@')
                })
                && *p != "."
                && *p != "..";
            if !safe {
                return Err(PathError::BadSegment { index });
            }
            // `expected` counted the braces, so both are found.
            let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
                return Err(PathError::WrongCount {
                    expected,
                    given: params.len(),
                });
            };
            out.push_str(&rest[..open]);
            out.push_str(p);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

macro_rules! endpoints {
    ($( $(#[$doc:meta])* $name:ident: $method:ident $path:literal, $req:ty => $resp:ty; )*) => {
        $(
            $(#[$doc])*
            pub const $name: Endpoint<$req, $resp> = Endpoint::new(HttpMethod::$method, $path);
        )*
        /// Every operation of API v1 (the OpenAPI test checks this list against the document).
        pub const ALL: &[EndpointInfo] = &[$( $name.info(), )*];
    };
}

endpoints! {
    /// Health; 200 only on an authenticated connection.
    HEALTH: Get "/v1/health", NoBody => v1::HealthResponse;
    /// Staff sign-in (ユーザID + パスワード).
    SIGN_IN: Post "/v1/session", v1::SignInRequest => v1::SignInResponse;
    /// The signed-in staff member.
    SESSION: Get "/v1/session", NoBody => v1::StaffInfo;
    /// Sign-out.
    SIGN_OUT: Delete "/v1/session", NoBody => NoContent;
    /// 本人のパスワード変更.
    CHANGE_PASSWORD: Post "/v1/session/password", accounts::PasswordChangeRequest => v1::StaffInfo;
    /// Residents of the terminal's municipality (被保険者番号, カナ, 生年月日).
    SEARCH_RESIDENTS: Post "/v1/residents/search", v1::ResidentSearchRequest => v1::ResidentSearchResponse;
    /// One resident (an audited read).
    RESIDENT: Get "/v1/residents/{resident_id}", NoBody => v1::ResidentDetail;
    /// 個人番号 of one resident, revealed for a purpose.
    REVEAL_MY_NUMBER: Post "/v1/residents/{resident_id}/my-number", reveal::RevealRequest => v1::MyNumberResponse;
    /// A notification (届出), decided at once.
    SUBMIT_NOTIFICATION: Post "/v1/notifications", v1::NotificationRequest => v1::NotificationDecision;
    /// The union's current decision on a notification sent with this idempotency key (a 障害認定 審査中
    /// until a 広域連合職員 decides).
    NOTIFICATION: Get "/v1/notifications/{idempotency_key}", NoBody => v1::NotificationDecision;
    /// 障害認定 applications 審査中 (広域連合職員).
    DISABILITY_REVIEWS: Get "/v1/union/disability-reviews", NoBody => v1::DisabilityReviewList;
    /// A 広域連合職員 certifies or refuses one 障害認定 application.
    DECIDE_DISABILITY_REVIEW: Post "/v1/union/disability-reviews/{resident_id}/decision", v1::DisabilityReviewDecision => v1::NotificationDecision;
    /// The daily job's last runs, newest first (広域連合職員).
    DAILY_RUNS: Get "/v1/union/daily-runs", NoBody => v1::DailyRunList;
    /// Print data of a document.
    DOCUMENT: Get "/v1/documents/{document_id}", NoBody => v1::DocumentData;
    /// 交付: the document was handed over.
    RECORD_ISSUANCE: Post "/v1/documents/{document_id}/issuance", v1::IssuanceRequest => v1::DocumentSummary;
    /// 回収: the old document came back.
    RECORD_RETURN: Post "/v1/documents/{document_id}/return", v1::ReturnRequest => v1::DocumentSummary;
    /// A 監督者 approves one reprint with their own credentials.
    APPROVE_REPRINT: Post "/v1/documents/{document_id}/reprint-approval", reprint::ReprintApprovalRequest => reprint::ReprintApproval;
    /// The offline roster of the municipality.
    ROSTER: Get "/v1/roster", NoBody => v1::RosterResponse;
    /// The union's audit trail (paged).
    AUDIT_TRAIL: Get "/v1/audit", NoBody => v1::AuditPage;
    /// The terminal ships its audit chain.
    SHIP_AUDIT_CHAIN: Post "/v1/audit/chain", audit_chain::AuditChainBatch => audit_chain::AuditChainAck;
    /// 監査ログ search.
    SEARCH_AUDIT: Post "/v1/audit/search", audit_chain::AuditSearchRequest => audit_chain::AuditSearchResponse;
    /// 監査ログ export.
    EXPORT_AUDIT: Post "/v1/audit/export", audit_chain::AuditSearchRequest => audit_chain::AuditExportResponse;
    /// Chains the union flagged as broken.
    AUDIT_FLAGS: Get "/v1/audit/flags", NoBody => audit_chain::AuditFlagsResponse;
    /// A 広域連合職員 asks for a distribution.
    CREATE_DISTRIBUTION: Post "/v1/union/distributions", distribution::CreateDistribution => distribution::DistributionSummary;
    /// Every distribution, newest first (広域連合職員).
    UNION_DISTRIBUTIONS: Get "/v1/union/distributions", NoBody => distribution::DistributionList;
    /// A second 広域連合職員 approves and releases the content.
    UNION_APPROVE_DISTRIBUTION: Post "/v1/union/distributions/{distribution_id}/approval", distribution::UnionApproval => distribution::DistributionSummary;
    /// Rebuild the content from today's records; approvals are void.
    REGENERATE_DISTRIBUTION: Post "/v1/union/distributions/{distribution_id}/regeneration", NoBody => distribution::DistributionSummary;
    /// Distributions released to this terminal's municipality (監督者).
    DISTRIBUTIONS: Get "/v1/distributions", NoBody => distribution::DistributionList;
    /// Counts, per-kind summary and content hash of one distribution.
    DISTRIBUTION: Get "/v1/distributions/{distribution_id}", NoBody => distribution::DistributionSummary;
    /// The first, the last and random records, for proofs.
    DISTRIBUTION_SAMPLES: Get "/v1/distributions/{distribution_id}/samples", NoBody => distribution::SampleRecords;
    /// Approve or reject this exact content, with the password again.
    DECIDE_DISTRIBUTION: Post "/v1/distributions/{distribution_id}/decision", distribution::DistributionDecisionRequest => distribution::LedgerEntry;
    /// One page of the approved content (`?offset=&limit=`).
    DISTRIBUTION_RECORDS: Get "/v1/distributions/{distribution_id}/records", NoBody => distribution::DistributionRecordsPage;
    /// The insert-only decision ledger.
    DISTRIBUTION_LEDGER: Get "/v1/distributions/{distribution_id}/ledger", NoBody => distribution::Ledger;
    /// Whether reprints need a 監督者's approval.
    REPRINT_POLICY: Get "/v1/reprint-policy", NoBody => reprint::ReprintPolicy;
    /// The newest program package released to this terminal (certificate only: checked while nobody is
    /// signed in).
    UPDATE_CHECK: Post "/v1/updates/check", updates::UpdateCheckRequest => updates::UpdateCheckResponse;
    /// One chunk of a released package.
    UPDATE_PACKAGE: Post "/v1/updates/package", updates::PackageChunkRequest => updates::PackageChunk;
    /// What the terminal did with an offer (staged, installed, refused with its code).
    UPDATE_REPORT: Post "/v1/updates/reports", updates::UpdateReport => updates::UpdateReportAck;
    /// Revoked staff accounts and terminals (for the offline window).
    REVOCATIONS: Get "/v1/revocations", NoBody => accounts::RevocationList;
    /// Staff accounts in the administrator's scope.
    STAFF_LIST: Get "/v1/staff", NoBody => accounts::StaffList;
    /// A new staff account.
    CREATE_STAFF: Post "/v1/staff", accounts::NewStaffRequest => accounts::StaffAccount;
    /// Replace an account's grants.
    SET_GRANTS: Put "/v1/staff/{user_id}/grants", accounts::SetGrantsRequest => accounts::StaffAccount;
    /// Revoke an account.
    REVOKE_STAFF: Post "/v1/staff/{user_id}/revoke", NoBody => accounts::StaffAccount;
    /// Lift a lockout.
    UNLOCK_STAFF: Post "/v1/staff/{user_id}/unlock", NoBody => accounts::StaffAccount;
    /// Set a one-time password.
    RESET_PASSWORD: Post "/v1/staff/{user_id}/password", accounts::PasswordResetRequest => accounts::StaffAccount;
    /// 端末登録 on the separate enrolment listener.
    ENROL: Post "/v1/enrolment", enrol::EnrolRequest => enrol::EnrolResponse;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fill_parameters_in_order_and_refuse_unsafe_ones() {
        assert_eq!(
            RESIDENT.path(&["abc-123"]).unwrap(),
            "/v1/residents/abc-123"
        );
        assert_eq!(
            REVEAL_MY_NUMBER.path(&["r1"]).unwrap(),
            "/v1/residents/r1/my-number"
        );
        assert_eq!(HEALTH.path(&[]).unwrap(), "/v1/health");
        assert_eq!(
            RESIDENT.path(&[]),
            Err(PathError::WrongCount {
                expected: 1,
                given: 0
            })
        );
        assert_eq!(
            SET_GRANTS.path(&["m.hanako@city"]).unwrap(),
            "/v1/staff/m.hanako@city/grants"
        );
        for bad in ["", ".", "..", "a/b", "a?b", "a#b", "山田", "a b", "%2e"] {
            assert_eq!(
                RESIDENT.path(&[bad]),
                Err(PathError::BadSegment { index: 0 }),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_operation_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for e in ALL {
            assert!(seen.insert(*e), "{e:?} twice");
            assert!(e.template.starts_with("/v1/"));
        }
    }
}
