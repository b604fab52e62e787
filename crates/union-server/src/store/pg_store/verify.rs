//! The check of a PostgreSQL store at start ([`crate::store::verify`] says why): every sealed value opens
//! under the store key and parses, and the resident search index is exactly the one the residents imply.
//! One pass over every table, inside one read-only transaction (a consistent snapshot while other
//! instances keep serving), in portals of a few thousand rows.

use std::collections::BTreeMap;

use sha2::Digest;
use tokio_postgres::{Row, Transaction};
use uuid::Uuid;

use super::distribution::{approval_aad, chunk_aad, ledger_aad as dist_ledger_aad, meta_aad};
use super::records::{
    audit_aad, document_aad, idempotency_aad, income_aad, ledger_aad, resident_aad, staff_aad,
};
use super::{PgStore, from_json, index_rows, pg};
use crate::crypt::StoreKey;
use crate::store::verify::{Area, Damage, Damages, Report};
use crate::store::{
    DocumentRecord, IdempotencyRecord, IncomeRecord, LedgerEntry, ResidentRecord, StaffRecord,
    StoreError,
};

const PORTAL_ROWS: i32 = 2000;

/// An order-free multiset digest: count and wrapping sum of a hash per element.
#[derive(Default, PartialEq, Eq)]
struct Multiset {
    count: u64,
    sum: u128,
}

impl Multiset {
    fn add(&mut self, kind: i16, token: &[u8], resident: Uuid) {
        let mut h = sha2::Sha256::new();
        h.update(kind.to_be_bytes());
        h.update((token.len() as u64).to_be_bytes());
        h.update(token);
        h.update(resident.as_bytes());
        let d = h.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&d[..16]);
        self.count += 1;
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(first));
    }
}

/// Calls `f` with every row of `sql`, a portal page at a time.
async fn each_row(
    tx: &Transaction<'_>,
    sql: &str,
    mut f: impl FnMut(&Row) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let portal = tx.bind(sql, &[]).await.map_err(pg)?;
    loop {
        let rows = tx.query_portal(&portal, PORTAL_ROWS).await.map_err(pg)?;
        for row in &rows {
            f(row)?;
        }
        if rows.len() < PORTAL_ROWS as usize {
            return Ok(());
        }
    }
}

fn get<'a, T: tokio_postgres::types::FromSql<'a>>(row: &'a Row, i: usize) -> Result<T, StoreError> {
    row.try_get(i).map_err(pg)
}

/// Whether a sealed value opens under `aad` and parses as `T` (`T = serde_json::Value`: opens only).
fn opens<T: for<'de> serde::Deserialize<'de>>(key: &StoreKey, aad: &[u8], sealed: &[u8]) -> bool {
    key.open(aad, sealed)
        .and_then(|plain| from_json::<T>(&plain))
        .is_ok()
}

async fn check(tx: &Transaction<'_>, key: &StoreKey) -> Result<(Report, Vec<Damage>), StoreError> {
    let mut report = Report::default();
    let mut unreadable: BTreeMap<u8, (Area, u64)> = BTreeMap::new();
    let mut bad = |area: Area| unreadable.entry(area as u8).or_insert((area, 0)).1 += 1;
    let mut expected = Multiset::default();
    let mut actual = Multiset::default();

    each_row(tx, "SELECT id, sealed FROM residents", |row| {
        let id: Uuid = get(row, 0)?;
        let sealed: Vec<u8> = get(row, 1)?;
        match key
            .open(&resident_aad(id), &sealed)
            .and_then(|p| from_json::<ResidentRecord>(&p))
        {
            Ok(r) if r.id.0 == id => {
                report.residents += 1;
                for (kind, token) in index_rows(key, &r) {
                    expected.add(kind, &token, id);
                }
            }
            _ => bad(Area::Residents),
        }
        Ok(())
    })
    .await?;
    each_row(
        tx,
        "SELECT kind, token, resident FROM resident_index",
        |row| {
            report.index_entries += 1;
            let kind: i16 = get(row, 0)?;
            let token: Vec<u8> = get(row, 1)?;
            actual.add(kind, &token, get(row, 2)?);
            Ok(())
        },
    )
    .await?;
    each_row(tx, "SELECT id, sealed FROM documents", |row| {
        let id: Uuid = get(row, 0)?;
        let sealed: Vec<u8> = get(row, 1)?;
        if opens::<DocumentRecord>(key, &document_aad(id), &sealed) {
            report.documents += 1;
        } else {
            bad(Area::Documents);
        }
        Ok(())
    })
    .await?;
    each_row(tx, "SELECT notification_id, sealed FROM ledger", |row| {
        let id: Uuid = get(row, 0)?;
        let sealed: Vec<u8> = get(row, 1)?;
        report.ledger += 1;
        if !opens::<LedgerEntry>(key, &ledger_aad(id), &sealed) {
            bad(Area::Ledger);
        }
        Ok(())
    })
    .await?;
    each_row(
        tx,
        "SELECT municipality, key, sealed FROM idempotency",
        |row| {
            let m: String = get(row, 0)?;
            let k: Uuid = get(row, 1)?;
            let sealed: Vec<u8> = get(row, 2)?;
            if !opens::<IdempotencyRecord>(key, &idempotency_aad(&m, k), &sealed) {
                bad(Area::Idempotency);
            }
            Ok(())
        },
    )
    .await?;
    each_row(
        tx,
        "SELECT resident, fiscal_year, sealed FROM incomes",
        |row| {
            let r: Uuid = get(row, 0)?;
            let y: i32 = get(row, 1)?;
            let sealed: Vec<u8> = get(row, 2)?;
            if opens::<IncomeRecord>(key, &income_aad(r, y), &sealed) {
                report.incomes += 1;
            } else {
                bad(Area::Incomes);
            }
            Ok(())
        },
    )
    .await?;
    each_row(tx, "SELECT user_id, sealed FROM staff", |row| {
        let u: String = get(row, 0)?;
        let sealed: Vec<u8> = get(row, 1)?;
        if !opens::<StaffRecord>(key, &staff_aad(&u), &sealed) {
            bad(Area::Staff);
        }
        Ok(())
    })
    .await?;
    each_row(tx, "SELECT municipality, sealed FROM audit", |row| {
        let m: String = get(row, 0)?;
        let sealed: Vec<u8> = get(row, 1)?;
        report.audit += 1;
        if !opens::<madoguchi_protocol::v1::AuditEntry>(key, &audit_aad(&m), &sealed) {
            bad(Area::Audit);
        }
        Ok(())
    })
    .await?;
    each_row(tx, "SELECT id, sealed FROM distributions", |row| {
        let id: Uuid = get(row, 0)?;
        let sealed: Vec<u8> = get(row, 1)?;
        if !opens::<serde_json::Value>(key, &meta_aad(id), &sealed) {
            bad(Area::Distributions);
        }
        Ok(())
    })
    .await?;
    each_row(
        tx,
        "SELECT id, generation, chunk, sealed FROM distribution_chunks",
        |row| {
            let id: Uuid = get(row, 0)?;
            let sealed: Vec<u8> = get(row, 3)?;
            if !opens::<serde_json::Value>(key, &chunk_aad(id, get(row, 1)?, get(row, 2)?), &sealed)
            {
                bad(Area::Distributions);
            }
            Ok(())
        },
    )
    .await?;
    each_row(
        tx,
        "SELECT id, seq, sealed FROM distribution_ledger",
        |row| {
            let id: Uuid = get(row, 0)?;
            let sealed: Vec<u8> = get(row, 2)?;
            if !opens::<serde_json::Value>(key, &dist_ledger_aad(id, get(row, 1)?), &sealed) {
                bad(Area::Distributions);
            }
            Ok(())
        },
    )
    .await?;
    each_row(
        tx,
        "SELECT document, approval, sealed FROM reprint_approvals",
        |row| {
            let sealed: Vec<u8> = get(row, 2)?;
            if !opens::<serde_json::Value>(key, &approval_aad(get(row, 0)?, get(row, 1)?), &sealed)
            {
                bad(Area::Distributions);
            }
            Ok(())
        },
    )
    .await?;
    each_row(
        tx,
        "SELECT municipality, terminal, seq, sealed FROM chain_entries",
        |row| {
            let m: String = get(row, 0)?;
            let t: String = get(row, 1)?;
            let seq: i64 = get(row, 2)?;
            let sealed: Vec<u8> = get(row, 3)?;
            if !opens::<madoguchi_audit::AuditEntry>(
                key,
                &super::chains::entry_aad(&m, &t, seq),
                &sealed,
            ) {
                bad(Area::Chains);
            }
            Ok(())
        },
    )
    .await?;

    let mut damages: Vec<Damage> = unreadable
        .into_values()
        .map(|(area, count)| Damage::Unreadable { area, count })
        .collect();
    if expected != actual {
        damages.push(Damage::IndexMismatch {
            expected: expected.count,
            found: actual.count,
        });
    }
    Ok((report, damages))
}

impl PgStore {
    /// Checks the whole store; [`StoreError::Damaged`] names every damage found.
    pub(super) fn check_all(&self) -> Result<Report, StoreError> {
        let key = self.shared_key();
        let (report, damages) = self.run(move |mut c| async move {
            let tx = c
                .build_transaction()
                .read_only(true)
                .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
                .start()
                .await
                .map_err(pg)?;
            let out = check(&tx, &key).await?;
            tx.commit().await.map_err(pg)?;
            Ok(out)
        })?;
        if damages.is_empty() {
            Ok(report)
        } else {
            Err(StoreError::Damaged(Damages(damages)))
        }
    }
}
