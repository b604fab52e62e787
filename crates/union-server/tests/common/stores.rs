//! Store fixtures shared by `store_contract.rs` (one suite, both stores) and `store_postgres.rs`
//! (PostgreSQL only): instances of a store, synthetic records, the PostgreSQL client programs.

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use madoguchi_audit::{AuditEvent, Operation};
use madoguchi_domain::ids::{AddresseeNumber, HouseholdNumber, InsuredNumber, MunicipalityCode};
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, Sex};
use madoguchi_domain::kana::{KanaName, PersonName, SeionKey};
use madoguchi_protocol::v1::{DocumentId, DocumentState, ResidentId};
use madoguchi_union_server::store::{
    DocumentRecord, IdempotencyRecord, ResidentRecord, SledStore, UnionStore,
};
use uuid::Uuid;

// Re-exported for the store tests (`use common::stores::*`); other test binaries do not use them.
#[allow(unused_imports)]
pub use super::{MITSUKE, NAGAOKA};

/// Opens instances of one store: sled hands out its one instance (it allows one per directory);
/// PostgreSQL opens a new instance on the same schema each time, like another server process.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub pg: Option<String>,
    pub sled: Option<Arc<dyn UnionStore>>,
}

impl Env {
    pub fn sled() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn UnionStore> = Arc::new(SledStore::open(dir.path()).unwrap());
        Env {
            dir,
            pg: None,
            sled: Some(store),
        }
    }

    pub fn postgres() -> Option<Env> {
        let url = super::pg_url()?;
        Some(Env {
            dir: tempfile::tempdir().unwrap(),
            pg: Some(url),
            sled: None,
        })
    }

    pub fn instance(&self) -> Arc<dyn UnionStore> {
        match (&self.sled, &self.pg) {
            (Some(s), _) => s.clone(),
            (None, Some(url)) => Arc::new(super::open_pg(url, self.dir.path())),
            (None, None) => unreachable!(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

pub fn m(code: &str) -> MunicipalityCode {
    code.parse().unwrap()
}

pub fn day(y: i32, mo: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

pub fn resident(n: u128, code: &str, kana: &str, birth: chrono::NaiveDate) -> ResidentRecord {
    ResidentRecord {
        id: ResidentId(Uuid::from_u128(n)),
        municipality: m(code),
        addressee: AddresseeNumber::parse(&format!("{:010}", 1_000_000_000 + n)).unwrap(),
        household: HouseholdNumber::parse("1000000001").unwrap(),
        name: PersonName::parse("見本　花子").unwrap(),
        kana: KanaName::parse(kana).unwrap(),
        birth_date: birth,
        sex: Sex::Female,
        address: "見本県見本市一丁目1番地".into(),
        mailing_address: None,
        my_number: None,
        on_welfare: false,
        disability_certified_on: None,
        mynumber_health_card: false,
        moved_in_on: None,
        moved_out_on: None,
        died_on: None,
        burden_ratio: BurdenRatio::One,
        limit_category: None,
        long_term_hospitalization_on: None,
        insured_number: None,
        qualification: None,
        documents: Vec::new(),
        burden_assessment: None,
        history: Vec::new(),
        specific_disease: None,
        disability_review: None,
    }
}

pub fn document(n: u128, r: &ResidentRecord) -> DocumentRecord {
    DocumentRecord {
        id: DocumentId(Uuid::from_u128(n)),
        resident_id: r.id,
        municipality: r.municipality,
        kind: DocumentKind::ShikakuKakuninsho,
        insured_number: InsuredNumber::parse("12345678").unwrap(),
        insurer_number: insurer_number(),
        name: r.name.clone(),
        kana: r.kana.clone(),
        birth_date: r.birth_date,
        sex: r.sex,
        acquired_on: day(2026, 12, 1),
        valid_from: day(2026, 12, 1),
        valid_until: day(2027, 7, 31),
        issue_date: day(2026, 12, 1),
        burden_ratio: BurdenRatio::One,
        limit_category: None,
        long_term_hospitalization_on: None,
        mailing_address: None,
        specific_disease: None,
        state: DocumentState::ToIssue,
        issuance: None,
        returned: None,
    }
}

/// A valid 8-digit 保険者番号 (the 検証番号 found by trying each digit).
pub fn insurer_number() -> madoguchi_domain::ids::InsurerNumber {
    (0..10)
        .find_map(|d| madoguchi_domain::ids::InsurerNumber::parse(&format!("3915201{d}")).ok())
        .unwrap()
}

pub fn idempotency(key: Uuid, resident: ResidentId, hash: &str) -> IdempotencyRecord {
    IdempotencyRecord {
        request_hash: hash.into(),
        decision: serde_json::from_value(serde_json::json!({
            "notification_id": Uuid::from_u128(900),
            "idempotency_key": key,
            "kind": "acquisition_move_in",
            "resident_id": resident,
            "decided_at": "2026-12-01T03:00:00Z",
            "outcome": "decided",
            "documents_to_return": [],
            "message_ja": "決定しました",
        }))
        .unwrap(),
    }
}

pub fn kana(p: &str) -> SeionKey {
    KanaName::parse(p).unwrap().seion_key()
}

pub fn event(minute: u32, user: &str, target: &str) -> AuditEvent {
    AuditEvent {
        at: Utc.with_ymd_and_hms(2026, 12, 1, 3, minute, 0).unwrap(),
        terminal: "MITSUKE-01".into(),
        user: user.into(),
        operation: Operation::SignIn,
        target: Some(target.into()),
        purpose: None,
        outcome: madoguchi_audit::Outcome::Done,
    }
}

pub fn pg_env() -> Option<(Env, String)> {
    let env = Env::postgres()?;
    let url = env.pg.clone()?;
    Some((env, url))
}

/// Runs one SQL statement with `psql`; its output (unaligned, tuples only).
pub fn psql(url: &str, sql: &str) -> String {
    let out = std::process::Command::new(pg_tool("psql"))
        .args([url, "-v", "ON_ERROR_STOP=1", "-Atc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A PostgreSQL client program: the newest server's own copy (Debian's /usr/bin wrappers need a
/// configured cluster to pick a version).
pub fn pg_tool(name: &str) -> std::path::PathBuf {
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.pop()
        .map(|d| d.join("bin").join(name))
        .filter(|p| p.exists())
        .unwrap_or_else(|| Path::new(name).to_path_buf())
}
