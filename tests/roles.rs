//! Every role against every staff endpoint of the union server, in one table: allowed or refused with the
//! stable code the seeds' rights model implies (N:3959–3960 rights = user, password and functions allowed;
//! N:3886–3888 a separate right for the 個人番号; 情報システム管理者 reviews logs, N:4040–4043; 広域連合職員
//! create and approve distributions, the municipality's 監督者 decides on them, N:4425–4426).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, MyNumber};
use madoguchi_domain::insurance::Sex;
use madoguchi_domain::kana::{KanaName, PersonName};
use madoguchi_link::{LineMonitor, LinkError, Method, SessionToken, UnionClient};
use madoguchi_protocol::distribution::{
    CreateDistribution, Decision, DistributionDecisionRequest, DistributionId, DistributionKind,
    DistributionSummary, MailClass, UnionApproval,
};
use madoguchi_protocol::reprint::ReprintApprovalRequest;
use madoguchi_protocol::reveal::{RevealPurpose, RevealRequest};
use madoguchi_protocol::v1::{
    Grant, NewStaffRequest, PasswordChangeRequest, PasswordResetRequest, Right, SetGrantsRequest,
    StaffAccount,
};
use madoguchi_protocol::v1::{
    MoveIn, NewResident, Notification, NotificationDecision, NotificationRequest,
    QualificationState, Reissue, ReissueReason, ResidentDetail, ResidentSearchRequest,
    ResidentSearchResponse, SignInRequest, SignInResponse,
};
use madoguchi_system_tests::{link_config, start, today};
use serde_json::Value;
use uuid::Uuid;

/// The outcome a cell of the table expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Refused(&'static str),
}
use Expect::{Allowed, Refused};

fn outcome(r: Result<Value, LinkError>) -> Expect {
    match r {
        Ok(_) => Allowed,
        Err(e) => match e.code() {
            Some(code) => Refused(code),
            None => panic!("transport failure in a role test: {e}"),
        },
    }
}

fn move_in(n: u32) -> NotificationRequest {
    NotificationRequest {
        received_on: today(),
        notification: Notification::AcquisitionMoveIn(MoveIn {
            resident: NewResident {
                addressee_number: AddresseeNumber::parse(&format!("77{n:04}")).expect("synthetic"),
                household_number: HouseholdNumber::parse(&format!("78{n:04}")).expect("synthetic"),
                name: PersonName::parse("権限　試験").expect("synthetic"),
                kana: KanaName::parse("ケンゲン シケン").expect("synthetic"),
                birth_date: madoguchi_domain::Date::from_ymd_opt(1940, 1, 2).expect("date"),
                sex: Sex::Male,
                address: "新潟県見附市試験町1".into(),
                on_welfare: false,
            },
            my_number: MyNumber::from_eleven_digits([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, n as u8 % 10])
                .expect("synthetic"),
            moved_in_on: today(),
            mynumber_health_card: false,
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_against_every_endpoint() {
    let rig = start().await;
    let client = UnionClient::new(&link_config(&rig.union), LineMonitor::new()).expect("client");
    let account = |suffix: &str| {
        rig.union
            .accounts
            .iter()
            .find(|a| a.user_id.ends_with(suffix))
            .unwrap_or_else(|| panic!("training account {suffix}"))
            .clone()
    };
    let roles = [
        "-clerk",
        "-clerk2",
        "-supervisor",
        "-admin",
        "-union-staff1",
        "-union-staff2",
    ];
    let mut tokens = Vec::new();
    for r in roles {
        let a = account(r);
        let resp: SignInResponse = client
            .post(
                "/v1/session",
                None,
                None,
                &SignInRequest {
                    user_id: a.user_id,
                    password: a.password,
                },
            )
            .await
            .expect("sign in");
        tokens.push(Some(SessionToken::new(resp.token)));
    }
    // The second 広域連合職員 only sets distributions up (approves what the first creates and vice versa).
    let staff2 = tokens.pop().flatten().expect("union staff 2");
    tokens.push(None); // no session at all
    let staff1 = tokens[4].clone().expect("union staff 1");

    // A resident and a document to point at, made by the clerk.
    let clerk = tokens[0].clone();
    let found: ResidentSearchResponse = client
        .post(
            "/v1/residents/search",
            clerk.as_ref(),
            None,
            &ResidentSearchRequest {
                insured_number: None,
                kana: Some(KanaName::parse("ア").expect("kana")),
                birth_date: None,
                limit: Some(50),
            },
        )
        .await
        .expect("search");
    let resident = found.residents.first().expect("a resident").resident_id;
    // A document nobody touches in the table (the 再交付 row voids the move-in's), for reprint approvals.
    let mut reprintable = None;
    for r in found
        .residents
        .iter()
        .filter(|r| r.state == QualificationState::Insured)
    {
        let detail: ResidentDetail = client
            .get(&format!("/v1/residents/{}", r.resident_id), clerk.as_ref())
            .await
            .expect("resident detail");
        if let Some(d) = detail.documents.first() {
            reprintable = Some(d.document_id);
            break;
        }
    }
    let reprintable = reprintable.expect("an insured resident with a document");
    let decided: NotificationDecision = client
        .post(
            "/v1/notifications",
            clerk.as_ref(),
            Some(Uuid::new_v4()),
            &move_in(9000),
        )
        .await
        .expect("move-in");
    let document = decided.document.expect("a document").document_id;

    // Distributions to point at: one released to the municipality, one approved by its supervisor.
    let create = |kind| CreateDistribution {
        kind,
        municipality: rig.union.municipality,
        reference_date: today(),
        mail_class: MailClass::Ordinary,
        note: String::new(),
    };
    let released = |by: SessionToken, approver: SessionToken| {
        let client = client.clone();
        let req = create(DistributionKind::QualificationFile);
        async move {
            let d: DistributionSummary =
                client.create_distribution(&by, &req).await.expect("create");
            client
                .union_approve_distribution(
                    &approver,
                    d.distribution_id,
                    &UnionApproval {
                        content_hash: d.content_hash.clone(),
                    },
                )
                .await
                .expect("union approval")
        }
    };
    let supervisor = tokens[2].clone().expect("supervisor");
    let (_, supervisor_password) = {
        let a = account("-supervisor");
        (a.user_id, a.password)
    };
    let open = released(staff1.clone(), staff2.clone()).await;
    let approved = released(staff1.clone(), staff2.clone()).await;
    client
        .decide_distribution(
            &supervisor,
            approved.distribution_id,
            &DistributionDecisionRequest {
                decision: Decision::Approve,
                content_hash: approved.content_hash.clone(),
                password: supervisor_password.clone(),
            },
        )
        .await
        .expect("supervisor approves");
    let passwords: Vec<String> = roles[..5]
        .iter()
        .map(|r| account(r).password)
        .chain(std::iter::once(String::new()))
        .collect();
    let dist = |id: DistributionId, tail: &str| format!("/v1/distributions/{id}{tail}");

    // An account for the administrator's rows to act on (created by the admin).
    let admin = tokens[3].clone();
    let grants = vec![Grant {
        right: Right::Clerk,
        from: today(),
        until: None,
    }];
    let _: StaffAccount = client
        .post(
            "/v1/staff",
            admin.as_ref(),
            None,
            &NewStaffRequest {
                user_id: "roles.target".into(),
                display_name: "権限 対象".into(),
                initial_password: "handed over on paper".into(),
                grants: grants.clone(),
            },
        )
        .await
        .expect("admin creates an account");

    // columns: clerk (+個人番号), clerk2, supervisor (+個人番号), admin, union staff, no session
    let forbidden = Refused("forbidden");
    let no_my_number = Refused("my_number_permission_required");
    let unauth = Refused("unauthenticated");
    let table: Vec<(&str, [Expect; 6])> = vec![
        (
            "GET /v1/session",
            [Allowed, Allowed, Allowed, Allowed, Allowed, unauth],
        ),
        (
            "POST /v1/residents/search",
            [Allowed, Allowed, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/residents/{id}",
            [Allowed, Allowed, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "POST /v1/residents/{id}/my-number",
            [Allowed, no_my_number, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "POST /v1/notifications 転入",
            [Allowed, no_my_number, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "POST /v1/notifications 再交付",
            [Allowed, Allowed, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/documents/{id}",
            [Allowed, Allowed, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/roster",
            [Allowed, Allowed, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/audit",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "POST /v1/union/distributions",
            [forbidden, forbidden, forbidden, forbidden, Allowed, unauth],
        ),
        (
            "GET /v1/union/distributions",
            [forbidden, forbidden, forbidden, forbidden, Allowed, unauth],
        ),
        (
            "POST /v1/union/distributions/{id}/approval",
            [forbidden, forbidden, forbidden, forbidden, Allowed, unauth],
        ),
        (
            "POST /v1/union/distributions/{id}/regeneration",
            [forbidden, forbidden, forbidden, forbidden, Allowed, unauth],
        ),
        (
            "GET /v1/distributions",
            [forbidden, forbidden, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/distributions/{id}",
            [forbidden, forbidden, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/distributions/{id}/samples",
            [forbidden, forbidden, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "POST /v1/distributions/{id}/decision",
            [forbidden, forbidden, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/distributions/{id}/records",
            [forbidden, forbidden, Allowed, forbidden, forbidden, unauth],
        ),
        (
            "GET /v1/distributions/{id}/ledger",
            [forbidden, forbidden, Allowed, Allowed, Allowed, unauth],
        ),
        (
            "GET /v1/reprint-policy",
            [Allowed, Allowed, Allowed, forbidden, forbidden, unauth],
        ),
        (
            // The supervisor's credentials in the body; the supervisor cannot approve their own request.
            "POST /v1/documents/{id}/reprint-approval",
            [
                Allowed,
                Allowed,
                Refused("self_approval"),
                forbidden,
                forbidden,
                unauth,
            ],
        ),
        (
            "POST /v1/audit/search",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "POST /v1/audit/export",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "GET /v1/audit/flags",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        // The terminal ships its chain on its certificate alone, signed in or not: an empty shipment is
        // refused for its content, never for a role.
        ("POST /v1/audit/chain", [Refused("invalid_field"); 6]),
        // Staff accounts. A wrong current password gets past the role gate for every role (and counts
        // one failure, far from the lockout).
        (
            "POST /v1/session/password",
            [
                Refused("invalid_credentials"),
                Refused("invalid_credentials"),
                Refused("invalid_credentials"),
                Refused("invalid_credentials"),
                Refused("invalid_credentials"),
                unauth,
            ],
        ),
        (
            "GET /v1/revocations",
            [Allowed, Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            "GET /v1/staff",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "POST /v1/staff",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "PUT /v1/staff/{user_id}/grants",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "POST /v1/staff/{user_id}/unlock",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "POST /v1/staff/{user_id}/password",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
        (
            "POST /v1/staff/{user_id}/revoke",
            [forbidden, forbidden, forbidden, Allowed, forbidden, unauth],
        ),
    ];
    let mut failures = Vec::new();
    for (row, (op, expected)) in table.iter().enumerate() {
        for (col, token) in tokens.iter().enumerate() {
            let t = token.as_ref();
            let n = (row * 10 + col) as u32;
            let got = match *op {
                "GET /v1/session" => outcome(client.get("/v1/session", t).await),
                "POST /v1/residents/search" => outcome(
                    client
                        .post(
                            "/v1/residents/search",
                            t,
                            None,
                            &ResidentSearchRequest {
                                insured_number: None,
                                kana: Some(KanaName::parse("イ").expect("kana")),
                                birth_date: None,
                                limit: Some(5),
                            },
                        )
                        .await,
                ),
                "GET /v1/residents/{id}" => {
                    outcome(client.get(&format!("/v1/residents/{resident}"), t).await)
                }
                "POST /v1/residents/{id}/my-number" => {
                    let id = decided.resident_id;
                    let purpose = RevealRequest {
                        purpose: RevealPurpose::NumberCheck,
                        purpose_text: None,
                    };
                    outcome(
                        client
                            .post(&format!("/v1/residents/{id}/my-number"), t, None, &purpose)
                            .await,
                    )
                }
                "POST /v1/notifications 転入" => outcome(
                    client
                        .call(
                            Method::POST,
                            "/v1/notifications",
                            t,
                            Some(Uuid::new_v4()),
                            Some(&move_in(n)),
                        )
                        .await,
                ),
                "POST /v1/notifications 再交付" => {
                    let req = NotificationRequest {
                        received_on: today(),
                        notification: Notification::Reissue(Reissue {
                            resident_id: decided.resident_id,
                            reason: ReissueReason::Damaged,
                        }),
                    };
                    outcome(
                        client
                            .call(
                                Method::POST,
                                "/v1/notifications",
                                t,
                                Some(Uuid::new_v4()),
                                Some(&req),
                            )
                            .await,
                    )
                }
                "GET /v1/documents/{id}" => {
                    outcome(client.get(&format!("/v1/documents/{document}"), t).await)
                }
                "GET /v1/roster" => outcome(client.get("/v1/roster", t).await),
                "GET /v1/audit" => outcome(client.get("/v1/audit", t).await),
                "POST /v1/union/distributions" => outcome(
                    client
                        .post(
                            "/v1/union/distributions",
                            t,
                            None,
                            &create(DistributionKind::PremiumFile),
                        )
                        .await,
                ),
                "GET /v1/union/distributions" => {
                    outcome(client.get("/v1/union/distributions", t).await)
                }
                "POST /v1/union/distributions/{id}/approval" => {
                    // Created by the other 広域連合職員, so only the role decides.
                    let d = client
                        .create_distribution(&staff2, &create(DistributionKind::PremiumFile))
                        .await
                        .expect("create");
                    outcome(
                        client
                            .post(
                                &format!("/v1/union/distributions/{}/approval", d.distribution_id),
                                t,
                                None,
                                &UnionApproval {
                                    content_hash: d.content_hash,
                                },
                            )
                            .await,
                    )
                }
                "POST /v1/union/distributions/{id}/regeneration" => outcome(
                    client
                        .call::<(), _>(
                            Method::POST,
                            &format!(
                                "/v1/union/distributions/{}/regeneration",
                                open.distribution_id
                            ),
                            t,
                            None,
                            None,
                        )
                        .await,
                ),
                "GET /v1/distributions" => outcome(client.get("/v1/distributions", t).await),
                "GET /v1/distributions/{id}" => {
                    outcome(client.get(&dist(approved.distribution_id, ""), t).await)
                }
                "GET /v1/distributions/{id}/samples" => outcome(
                    client
                        .get(&dist(approved.distribution_id, "/samples"), t)
                        .await,
                ),
                "POST /v1/distributions/{id}/decision" => {
                    // A fresh released distribution per cell: a decision is made once.
                    let d = released(staff1.clone(), staff2.clone()).await;
                    outcome(
                        client
                            .post(
                                &dist(d.distribution_id, "/decision"),
                                t,
                                None,
                                &DistributionDecisionRequest {
                                    decision: Decision::Approve,
                                    content_hash: d.content_hash,
                                    password: passwords[col].clone(),
                                },
                            )
                            .await,
                    )
                }
                "GET /v1/distributions/{id}/records" => outcome(
                    client
                        .get(&dist(approved.distribution_id, "/records?limit=5"), t)
                        .await,
                ),
                "GET /v1/reprint-policy" => outcome(client.get("/v1/reprint-policy", t).await),
                "POST /v1/documents/{id}/reprint-approval" => outcome(
                    client
                        .post(
                            &format!("/v1/documents/{reprintable}/reprint-approval"),
                            t,
                            None,
                            &ReprintApprovalRequest {
                                supervisor_user_id: account("-supervisor").user_id,
                                password: supervisor_password.clone(),
                                reason: "印字不良".into(),
                            },
                        )
                        .await,
                ),
                "GET /v1/distributions/{id}/ledger" => outcome(
                    client
                        .get(&dist(approved.distribution_id, "/ledger"), t)
                        .await,
                ),
                "POST /v1/audit/search" | "POST /v1/audit/export" => {
                    let path = op.trim_start_matches("POST ");
                    let req = madoguchi_protocol::v1::AuditSearchRequest {
                        operation: Some(madoguchi_audit::Operation::ViewResident),
                        ..Default::default()
                    };
                    outcome(client.post(path, t, None, &req).await)
                }
                "GET /v1/audit/flags" => outcome(client.get("/v1/audit/flags", t).await),
                "POST /v1/audit/chain" => outcome(
                    client
                        .post(
                            "/v1/audit/chain",
                            t,
                            None,
                            &madoguchi_protocol::v1::AuditChainBatch { entries: vec![] },
                        )
                        .await,
                ),
                "POST /v1/session/password" => outcome(
                    client
                        .post(
                            "/v1/session/password",
                            t,
                            None,
                            &PasswordChangeRequest {
                                current_password: "not the current password".into(),
                                new_password: "a new passphrase for roles".into(),
                            },
                        )
                        .await,
                ),
                "GET /v1/revocations" => outcome(client.get("/v1/revocations", t).await),
                "GET /v1/staff" => outcome(client.get("/v1/staff", t).await),
                "POST /v1/staff" => outcome(
                    client
                        .post(
                            "/v1/staff",
                            t,
                            None,
                            &NewStaffRequest {
                                user_id: format!("roles.new{col}"),
                                display_name: "権限 新規".into(),
                                initial_password: "handed over on paper".into(),
                                grants: grants.clone(),
                            },
                        )
                        .await,
                ),
                "PUT /v1/staff/{user_id}/grants" => outcome(
                    client
                        .call(
                            Method::PUT,
                            "/v1/staff/roles.target/grants",
                            t,
                            None,
                            Some(&SetGrantsRequest {
                                grants: grants.clone(),
                            }),
                        )
                        .await,
                ),
                "POST /v1/staff/{user_id}/unlock" => outcome(
                    client
                        .call::<(), _>(Method::POST, "/v1/staff/roles.target/unlock", t, None, None)
                        .await,
                ),
                "POST /v1/staff/{user_id}/password" => outcome(
                    client
                        .post(
                            "/v1/staff/roles.target/password",
                            t,
                            None,
                            &PasswordResetRequest {
                                new_password: format!("temporary reset number {col}"),
                            },
                        )
                        .await,
                ),
                "POST /v1/staff/{user_id}/revoke" => outcome(
                    client
                        .call::<(), _>(Method::POST, "/v1/staff/roles.target/revoke", t, None, None)
                        .await,
                ),
                other => panic!("no call for {other}"),
            };
            if got != expected[col] {
                failures.push(format!(
                    "{op} as {}: expected {:?}, got {got:?}",
                    [
                        "clerk",
                        "clerk2",
                        "supervisor",
                        "admin",
                        "union staff",
                        "none"
                    ][col],
                    expected[col]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "role table mismatches:\n{}",
        failures.join("\n")
    );
    rig.background.abort();
    rig.union.shutdown().await;
}
