//! The OpenAPI 3.1 description of API v1, generated from the types in [`crate::v1`].
//!
//! The committed file `crates/protocol/openapi.json` must equal [`document()`]; the test
//! `tests/openapi.rs` fails when they differ and rewrites the file when `MADOGUCHI_REGENERATE_OPENAPI=1`.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Value, json};

use crate::{ErrorBody, ErrorCode};
use crate::{distribution, reprint, reveal, updates, v1};

/// One operation of the API.
struct Operation {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: Auth,
    request: Option<&'static str>,
    response: Option<&'static str>,
    success: u16,
    idempotent_header: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Auth {
    /// Client certificate only.
    Terminal,
    /// Client certificate and a staff session.
    Staff,
    /// The separate enrolment listener: server-authenticated TLS only, a one-time code in the body.
    Enrolment,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: Auth,
    request: Option<&'static str>,
    response: Option<&'static str>,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        auth,
        request,
        response,
        success: 200,
        idempotent_header: false,
    }
}

fn operations() -> Vec<Operation> {
    let mut ops = vec![
        op(
            "get",
            "/v1/health",
            "Health; 200 only on an authenticated connection",
            Auth::Terminal,
            None,
            Some("HealthResponse"),
        ),
        op(
            "post",
            "/v1/session",
            "Staff sign-in (ユーザID + パスワード); lockout after repeated failures",
            Auth::Terminal,
            Some("SignInRequest"),
            Some("SignInResponse"),
        ),
        op(
            "get",
            "/v1/session",
            "The signed-in staff member",
            Auth::Staff,
            None,
            Some("StaffInfo"),
        ),
        op("delete", "/v1/session", "Sign out", Auth::Staff, None, None),
        op(
            "post",
            "/v1/residents/search",
            "Search residents of the terminal's municipality (被保険者番号, カナ, 生年月日)",
            Auth::Staff,
            Some("ResidentSearchRequest"),
            Some("ResidentSearchResponse"),
        ),
        op(
            "get",
            "/v1/residents/{resident_id}",
            "One resident (audited)",
            Auth::Staff,
            None,
            Some("ResidentDetail"),
        ),
        op(
            "post",
            "/v1/residents/{resident_id}/my-number",
            "個人番号 of one resident, revealed for a purpose (利用目的; needs the 個人番号 permission; audited with the purpose)",
            Auth::Staff,
            Some("RevealRequest"),
            Some("MyNumberResponse"),
        ),
        op(
            "post",
            "/v1/notifications",
            "Submit a notification (届出) and get the decision at once",
            Auth::Staff,
            Some("NotificationRequest"),
            Some("NotificationDecision"),
        ),
        op(
            "get",
            "/v1/documents/{document_id}",
            "Print data of a document",
            Auth::Staff,
            None,
            Some("DocumentData"),
        ),
        op(
            "post",
            "/v1/documents/{document_id}/issuance",
            "Record the handover (交付)",
            Auth::Staff,
            Some("IssuanceRequest"),
            Some("DocumentSummary"),
        ),
        op(
            "post",
            "/v1/documents/{document_id}/return",
            "Record the return (回収)",
            Auth::Staff,
            Some("ReturnRequest"),
            Some("DocumentSummary"),
        ),
        op(
            "get",
            "/v1/notifications/{idempotency_key}",
            "The union's current decision on a notification (障害認定: 審査中 until decided)",
            Auth::Staff,
            None,
            Some("NotificationDecision"),
        ),
        op(
            "get",
            "/v1/union/disability-reviews",
            "障害認定 applications under review, oldest first (広域連合職員)",
            Auth::Staff,
            None,
            Some("DisabilityReviewList"),
        ),
        op(
            "post",
            "/v1/union/disability-reviews/{resident_id}/decision",
            "Certify or refuse one 障害認定 application (広域連合職員)",
            Auth::Staff,
            Some("DisabilityReviewDecision"),
            Some("NotificationDecision"),
        ),
        op(
            "post",
            "/v1/updates/check",
            "The newest program package released to this terminal's municipality and platform",
            Auth::Terminal,
            Some("UpdateCheckRequest"),
            Some("UpdateCheckResponse"),
        ),
        op(
            "post",
            "/v1/updates/package",
            "One chunk of a released package (signed offline; the terminal verifies it)",
            Auth::Terminal,
            Some("PackageChunkRequest"),
            Some("PackageChunk"),
        ),
        op(
            "post",
            "/v1/updates/reports",
            "What the terminal did with an offer: staged, installed or refused with the code",
            Auth::Terminal,
            Some("UpdateReport"),
            Some("UpdateReportAck"),
        ),
        op(
            "get",
            "/v1/union/daily-runs",
            "The daily job's (日次処理) last runs with their counts by kind, newest first (広域連合職員)",
            Auth::Staff,
            None,
            Some("DailyRunList"),
        ),
        op(
            "get",
            "/v1/roster",
            "Offline roster of the terminal's municipality, when the union's policy allows it",
            Auth::Staff,
            None,
            Some("RosterResponse"),
        ),
        op(
            "get",
            "/v1/audit",
            "Audit trail, newest first (情報システム管理者 only)",
            Auth::Staff,
            None,
            Some("AuditPage"),
        ),
        op(
            "post",
            "/v1/union/distributions",
            "Create a distribution (配信) for one municipality (広域連合職員)",
            Auth::Staff,
            Some("CreateDistribution"),
            Some("DistributionSummary"),
        ),
        op(
            "get",
            "/v1/union/distributions",
            "Every distribution, newest first (広域連合職員)",
            Auth::Staff,
            None,
            Some("DistributionList"),
        ),
        op(
            "post",
            "/v1/union/distributions/{distribution_id}/approval",
            "Approve and release to the municipality; the requester cannot approve (広域連合職員)",
            Auth::Staff,
            Some("UnionApproval"),
            Some("DistributionSummary"),
        ),
        op(
            "post",
            "/v1/union/distributions/{distribution_id}/regeneration",
            "Rebuild the content from today's records; earlier approvals no longer apply (広域連合職員)",
            Auth::Staff,
            None,
            Some("DistributionSummary"),
        ),
        op(
            "get",
            "/v1/distributions",
            "Distributions released to the terminal's municipality (監督者)",
            Auth::Staff,
            None,
            Some("DistributionList"),
        ),
        op(
            "get",
            "/v1/distributions/{distribution_id}",
            "One distribution: counts, summary, content hash (監督者)",
            Auth::Staff,
            None,
            Some("DistributionSummary"),
        ),
        op(
            "get",
            "/v1/distributions/{distribution_id}/samples",
            "Records for proofs: the first, the last and random ones (監督者)",
            Auth::Staff,
            None,
            Some("SampleRecords"),
        ),
        op(
            "post",
            "/v1/distributions/{distribution_id}/decision",
            "Approve or reject this exact content, with the password again (監督者)",
            Auth::Staff,
            Some("DistributionDecisionRequest"),
            Some("LedgerEntry"),
        ),
        op(
            "get",
            "/v1/distributions/{distribution_id}/records",
            "The approved content in pages; refused before approval (監督者)",
            Auth::Staff,
            None,
            Some("DistributionRecordsPage"),
        ),
        op(
            "get",
            "/v1/distributions/{distribution_id}/ledger",
            "The insert-only decision ledger of one distribution (監督者, 情報システム管理者)",
            Auth::Staff,
            None,
            Some("Ledger"),
        ),
        op(
            "get",
            "/v1/reprint-policy",
            "The union's policy: do reprints and corrections need a supervisor's approval?",
            Auth::Staff,
            None,
            Some("ReprintPolicy"),
        ),
        op(
            "post",
            "/v1/documents/{document_id}/reprint-approval",
            "A supervisor approves one reprint of one document with their own credentials (監督者)",
            Auth::Staff,
            Some("ReprintApprovalRequest"),
            Some("ReprintApproval"),
        ),
        op(
            "post",
            "/v1/audit/chain",
            "Ship the next entries of this terminal's audit chain (terminal from the certificate); gaps, edits and reorderings are flagged",
            Auth::Terminal,
            Some("AuditChainBatch"),
            Some("AuditChainAck"),
        ),
        op(
            "post",
            "/v1/audit/search",
            "Search the collected terminal audit chains by user, resident (被保険者番号), dates, operation (情報システム管理者 only)",
            Auth::Staff,
            Some("AuditSearchRequest"),
            Some("AuditSearchResponse"),
        ),
        op(
            "post",
            "/v1/audit/export",
            "Export a report of the collected chains: CSV plus verifiable chain files (情報システム管理者 only; audited)",
            Auth::Staff,
            Some("AuditSearchRequest"),
            Some("AuditExportResponse"),
        ),
        op(
            "get",
            "/v1/audit/flags",
            "Continuity flags of the municipality's terminal chains (情報システム管理者 only)",
            Auth::Staff,
            None,
            Some("AuditFlagsResponse"),
        ),
        op(
            "post",
            crate::enrol::ENROL_PATH,
            "端末登録 on the separate enrolment listener (server-authenticated TLS, no client certificate): a one-time code and a CSR; the union names the certificate from the code",
            Auth::Enrolment,
            Some("EnrolRequest"),
            Some("EnrolResponse"),
        ),
    ];
    ops.extend(account_operations());
    for o in ops.iter_mut() {
        if o.path == "/v1/notifications" {
            o.idempotent_header = true;
        }
        if o.method == "delete" {
            o.success = 204;
        }
    }
    ops
}

/// Staff accounts (see [`crate::accounts`]): the password change of every session and the
/// administrator's account operations, scoped to the administrator's municipality.
fn account_operations() -> Vec<Operation> {
    vec![
        op(
            "post",
            "/v1/session/password",
            "Change one's own password (allowed, with sign-out, while the password must be changed)",
            Auth::Staff,
            Some("PasswordChangeRequest"),
            Some("StaffInfo"),
        ),
        op(
            "get",
            "/v1/revocations",
            "User ids of the terminal's municipality that may not sign in (terminals cache it for offline sign-in)",
            Auth::Terminal,
            None,
            Some("RevocationList"),
        ),
        op(
            "get",
            "/v1/staff",
            "Staff accounts of the municipality, never a password hash (情報システム管理者 only)",
            Auth::Staff,
            None,
            Some("StaffList"),
        ),
        op(
            "post",
            "/v1/staff",
            "Create a staff account; the initial password must be changed at the first sign-in (情報システム管理者 only)",
            Auth::Staff,
            Some("NewStaffRequest"),
            Some("StaffAccount"),
        ),
        op(
            "put",
            "/v1/staff/{user_id}/grants",
            "Replace the account's rights and their validity periods (情報システム管理者 only)",
            Auth::Staff,
            Some("SetGrantsRequest"),
            Some("StaffAccount"),
        ),
        op(
            "post",
            "/v1/staff/{user_id}/revoke",
            "Revoke the account at once; its open sessions are closed, the id is never reused (情報システム管理者 only)",
            Auth::Staff,
            None,
            Some("StaffAccount"),
        ),
        op(
            "post",
            "/v1/staff/{user_id}/unlock",
            "Clear a lockout (情報システム管理者 only)",
            Auth::Staff,
            None,
            Some("StaffAccount"),
        ),
        op(
            "post",
            "/v1/staff/{user_id}/password",
            "Set a temporary password that must be changed at the next sign-in (情報システム管理者 only)",
            Auth::Staff,
            Some("PasswordResetRequest"),
            Some("StaffAccount"),
        ),
    ]
}

fn component_schemas() -> serde_json::Map<String, Value> {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "/components/schemas".into();
        s.meta_schema = None;
    });
    let mut generator = SchemaGenerator::new(settings);
    fn add<T: JsonSchema>(g: &mut SchemaGenerator) {
        let _ = g.subschema_for::<T>();
    }
    add::<ErrorBody>(&mut generator);
    add::<ErrorCode>(&mut generator);
    add::<v1::HealthResponse>(&mut generator);
    add::<updates::UpdateCheckRequest>(&mut generator);
    add::<updates::UpdateCheckResponse>(&mut generator);
    add::<updates::PackageChunkRequest>(&mut generator);
    add::<updates::PackageChunk>(&mut generator);
    add::<updates::UpdateReport>(&mut generator);
    add::<updates::UpdateReportAck>(&mut generator);
    add::<v1::SignInRequest>(&mut generator);
    add::<v1::SignInResponse>(&mut generator);
    add::<v1::StaffInfo>(&mut generator);
    add::<v1::ResidentSearchRequest>(&mut generator);
    add::<v1::ResidentSearchResponse>(&mut generator);
    add::<v1::ResidentDetail>(&mut generator);
    add::<v1::MyNumberResponse>(&mut generator);
    add::<reveal::RevealRequest>(&mut generator);
    add::<v1::NotificationRequest>(&mut generator);
    add::<v1::NotificationDecision>(&mut generator);
    add::<v1::DocumentData>(&mut generator);
    add::<v1::DocumentSummary>(&mut generator);
    add::<v1::IssuanceRequest>(&mut generator);
    add::<v1::ReturnRequest>(&mut generator);
    add::<v1::AuditQuery>(&mut generator);
    add::<v1::AuditPage>(&mut generator);
    add::<v1::RosterResponse>(&mut generator);
    add::<v1::DisabilityReviewList>(&mut generator);
    add::<v1::DailyRunList>(&mut generator);
    add::<v1::DisabilityReviewDecision>(&mut generator);
    add::<v1::PasswordChangeRequest>(&mut generator);
    add::<v1::RevocationList>(&mut generator);
    add::<v1::StaffList>(&mut generator);
    add::<v1::StaffAccount>(&mut generator);
    add::<v1::NewStaffRequest>(&mut generator);
    add::<v1::SetGrantsRequest>(&mut generator);
    add::<v1::PasswordResetRequest>(&mut generator);
    add::<distribution::CreateDistribution>(&mut generator);
    add::<distribution::UnionApproval>(&mut generator);
    add::<distribution::DistributionSummary>(&mut generator);
    add::<distribution::DistributionList>(&mut generator);
    add::<distribution::SampleRecords>(&mut generator);
    add::<distribution::DistributionDecisionRequest>(&mut generator);
    add::<distribution::LedgerEntry>(&mut generator);
    add::<distribution::Ledger>(&mut generator);
    add::<distribution::DistributionRecordsPage>(&mut generator);
    add::<reprint::ReprintPolicy>(&mut generator);
    add::<reprint::ReprintApprovalRequest>(&mut generator);
    add::<reprint::ReprintApproval>(&mut generator);
    add::<v1::AuditChainBatch>(&mut generator);
    add::<v1::AuditChainAck>(&mut generator);
    add::<v1::AuditSearchRequest>(&mut generator);
    add::<v1::AuditSearchResponse>(&mut generator);
    add::<v1::AuditFlagsResponse>(&mut generator);
    add::<v1::AuditExportResponse>(&mut generator);
    add::<crate::enrol::EnrolRequest>(&mut generator);
    add::<crate::enrol::EnrolResponse>(&mut generator);
    add::<crate::enrol::EnrolErrorBody>(&mut generator);
    let mut defs = generator.take_definitions(true);
    defs.sort_keys();
    defs
}

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for o in operations() {
        let mut responses = serde_json::Map::new();
        let ok = match o.response {
            Some(name) => json!({
                "description": "OK",
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}
            }),
            None => json!({"description": "No content"}),
        };
        responses.insert(o.success.to_string(), ok);
        responses.insert(
            "4XX".into(),
            json!({
                "description": "Refused; nothing was written",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
            }),
        );
        let mut operation = json!({
            "summary": o.summary,
            "responses": Value::Object(responses),
        });
        let mut parameters = Vec::new();
        for segment in o.path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                if name == "user_id" {
                    parameters.push(json!({
                        "name": name, "in": "path", "required": true,
                        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._@-]{1,64}$"}
                    }));
                    continue;
                }
                parameters.push(json!({
                    "name": name, "in": "path", "required": true,
                    "schema": {"type": "string", "format": "uuid"}
                }));
            }
        }
        if o.path == "/v1/audit" {
            for (name, desc) in [
                ("limit", "1-1000, default 100"),
                ("before", "sequence number"),
            ] {
                parameters.push(json!({
                    "name": name, "in": "query", "required": false, "description": desc,
                    "schema": {"type": "integer", "minimum": 0}
                }));
            }
        }
        if o.path == "/v1/distributions/{distribution_id}/records" {
            for (name, desc) in [
                ("offset", "records already fetched, default 0"),
                ("limit", "1-1000, default 1000"),
            ] {
                parameters.push(json!({
                    "name": name, "in": "query", "required": false, "description": desc,
                    "schema": {"type": "integer", "minimum": 0}
                }));
            }
        }
        if o.idempotent_header {
            parameters.push(json!({
                "name": v1::IDEMPOTENCY_KEY_HEADER, "in": "header", "required": true,
                "description": "UUID chosen by the terminal when the notification is entered; the same key with the same body returns the same decision",
                "schema": {"type": "string", "format": "uuid"}
            }));
        }
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if let Some(name) = o.request {
            operation["requestBody"] = json!({
                "required": true,
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}
            });
        }
        let security = match o.auth {
            Auth::Terminal => json!([{"terminalCertificate": []}]),
            Auth::Staff => json!([{"terminalCertificate": [], "staffSession": []}]),
            Auth::Enrolment => json!([]),
        };
        operation["security"] = security;
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Madoguchi union API",
            "version": "1",
            "description": "Terminal (窓口端末) <-> union (広域連合) server. Mutual TLS 1.3 with a terminal certificate from the union CA is required on every connection; the municipality in the certificate scopes every request. Errors carry {code, message_ja, message_en}."
        },
        "paths": Value::Object(paths),
        "components": {
            "securitySchemes": {
                "terminalCertificate": {"type": "mutualTLS", "description": "Client certificate issued by the union CA; URI SAN urn:madoguchi:terminal:<municipality>:<terminal-id>"},
                "staffSession": {"type": "http", "scheme": "bearer", "description": "Token from POST /v1/session, bound to the terminal certificate"}
            },
            "schemas": Value::Object(component_schemas())
        }
    })
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// The typed descriptions that `link` and the router use are exactly the documented operations.
    #[test]
    fn every_endpoint_description_is_documented_and_nothing_else() {
        let documented: BTreeSet<(String, String)> = operations()
            .iter()
            .map(|o| (o.method.to_ascii_uppercase(), o.path.to_string()))
            .collect();
        let described: BTreeSet<(String, String)> = crate::endpoint::ALL
            .iter()
            .map(|e| (e.method.as_str().to_string(), e.template.to_string()))
            .collect();
        assert_eq!(documented, described);
        assert_eq!(described.len(), crate::endpoint::ALL.len());
    }
}
