//! [`SledStore::verify`]: one ordered pass over every tree (see [`crate::store::verify`] for why).

use std::collections::BTreeMap;

use sha2::Digest;

use super::{
    K_INSURED_SEQ, K_KEY_CHECK, K_LEDGER_MARK, LedgerMark, P_ADDRESSEE, P_BIRTH, P_DOCUMENT,
    P_IDEMPOTENCY, P_INSURED, P_KANA, P_LEDGER, P_RESIDENT, P_STAFF, SledStore, bounded_order_only,
    from_json,
};
use crate::store::verify::{Area, Damage, Damages, Report};
use crate::store::{
    DocumentRecord, IdempotencyRecord, IncomeRecord, LedgerEntry, ResidentRecord, StaffRecord,
    StoreError,
};

/// An order-free multiset digest: count and wrapping sum of a hash per element.
#[derive(Default, PartialEq, Eq)]
struct Multiset {
    count: u64,
    sum: u128,
}

impl Multiset {
    fn add(&mut self, k: &[u8], v: &[u8]) {
        let mut h = sha2::Sha256::new();
        h.update((k.len() as u64).to_be_bytes());
        h.update(k);
        h.update(v);
        let d = h.finalize();
        let mut first = [0u8; 16];
        first.copy_from_slice(&d[..16]);
        self.count += 1;
        self.sum = self.sum.wrapping_add(u128::from_be_bytes(first));
    }
}

/// Counts per area of what did not read.
#[derive(Default)]
struct Findings {
    unreadable: BTreeMap<u8, (Area, u64)>,
    out_of_order: Vec<Area>,
    unknown: u64,
}

impl Findings {
    fn unreadable(&mut self, area: Area) {
        self.unreadable.entry(area as u8).or_insert((area, 0)).1 += 1;
    }
}

fn prefix_of(k: &[u8]) -> &[u8] {
    match k.iter().position(|b| *b == 0) {
        Some(i) => &k[..i],
        None => k,
    }
}

impl SledStore {
    /// Checks the whole store: every record opens and parses, the indexes are exactly those the residents
    /// imply, the ledger matches its mark and is not behind the watermark file. Returns what it counted,
    /// or [`StoreError::Damaged`] naming every damage found.
    pub(super) fn verify(&self) -> Result<Report, StoreError> {
        let mut report = Report::default();
        let mut found = Findings::default();
        let mut expected_index = Multiset::default();
        let mut actual_index = Multiset::default();
        let mut ledger = LedgerMark::default();
        let mut stored_mark = None;

        for item in bounded_order_only(self.data.iter(), "data") {
            let (k, v) = match item {
                Ok(kv) => kv,
                Err(StoreError::Corrupt(_)) => {
                    found.out_of_order.push(Area::Residents);
                    break;
                }
                Err(e) => return Err(e),
            };
            let p = prefix_of(&k);
            if p == P_RESIDENT {
                match self
                    .key
                    .open(&k, &v)
                    .and_then(|pt| from_json::<ResidentRecord>(&pt))
                {
                    Ok(r) => {
                        report.residents += 1;
                        let id = r.id.0.as_bytes().to_vec();
                        for ik in self.index_keys(&r) {
                            let unique = ik.starts_with(P_ADDRESSEE) || ik.starts_with(P_INSURED);
                            expected_index.add(&ik, if unique { &id } else { &[] });
                        }
                    }
                    Err(_) => found.unreadable(Area::Residents),
                }
            } else if p == P_ADDRESSEE || p == P_INSURED || p == P_KANA || p == P_BIRTH {
                report.index_entries += 1;
                actual_index.add(&k, &v);
            } else if p == P_DOCUMENT {
                match self
                    .key
                    .open(&k, &v)
                    .and_then(|pt| from_json::<DocumentRecord>(&pt))
                {
                    Ok(_) => report.documents += 1,
                    Err(_) => found.unreadable(Area::Documents),
                }
            } else if p == P_LEDGER {
                ledger = ledger.with(&k, &v);
                if self
                    .key
                    .open(&k, &v)
                    .and_then(|pt| from_json::<LedgerEntry>(&pt))
                    .is_err()
                {
                    found.unreadable(Area::Ledger);
                }
            } else if p == P_IDEMPOTENCY {
                if self
                    .key
                    .open(&k, &v)
                    .and_then(|pt| from_json::<IdempotencyRecord>(&pt))
                    .is_err()
                {
                    found.unreadable(Area::Idempotency);
                }
            } else if p == P_STAFF {
                if from_json::<StaffRecord>(&v).is_err() {
                    found.unreadable(Area::Staff);
                }
            } else if p == super::income::P_INCOME {
                match self
                    .key
                    .open(&k, &v)
                    .and_then(|pt| from_json::<IncomeRecord>(&pt))
                {
                    Ok(_) => report.incomes += 1,
                    Err(_) => found.unreadable(Area::Incomes),
                }
            } else if matches!(p, b"g/" | b"gr/" | b"gl/" | b"gp/") {
                if self.key.open(&k, &v).is_err() {
                    found.unreadable(Area::Distributions);
                }
            } else if k.as_ref() == K_INSURED_SEQ {
                if v.len() != 4 {
                    found.unreadable(Area::Meta);
                }
            } else if k.as_ref() == K_KEY_CHECK {
                if self.key.open(K_KEY_CHECK, &v).is_err() {
                    found.unreadable(Area::Meta);
                }
            } else if k.as_ref() == K_LEDGER_MARK {
                match LedgerMark::from_sealed(&self.key, &v) {
                    Ok(m) => stored_mark = Some(m),
                    Err(_) => found.unreadable(Area::Meta),
                }
            } else {
                found.unknown += 1;
            }
        }
        report.ledger = ledger.count;

        for item in bounded_order_only(self.audit.iter(), "audit") {
            match item {
                Ok((_, v)) => {
                    report.audit += 1;
                    if from_json::<madoguchi_protocol::v1::AuditEntry>(&v).is_err() {
                        found.unreadable(Area::Audit);
                    }
                }
                Err(StoreError::Corrupt(_)) => {
                    found.out_of_order.push(Area::Audit);
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        for item in bounded_order_only(self.chains.iter(), "chains") {
            match item {
                Ok(_) => {}
                Err(StoreError::Corrupt(_)) => {
                    found.out_of_order.push(Area::Chains);
                    break;
                }
                Err(e) => return Err(e),
            }
        }

        let mut damages: Vec<Damage> = found
            .out_of_order
            .iter()
            .map(|a| Damage::OutOfOrder { area: *a })
            .collect();
        damages.extend(
            found
                .unreadable
                .values()
                .map(|(area, count)| Damage::Unreadable {
                    area: *area,
                    count: *count,
                }),
        );
        if expected_index != actual_index {
            damages.push(Damage::IndexMismatch {
                expected: expected_index.count,
                found: actual_index.count,
            });
        }
        let marked = stored_mark.unwrap_or_default();
        if marked != ledger {
            damages.push(Damage::LedgerAltered {
                found: ledger.count,
                marked: marked.count,
            });
        }
        match self.read_mark_file() {
            Ok(Some(durable)) if durable > ledger.count => damages.push(Damage::LedgerBehind {
                found: ledger.count,
                durable,
            }),
            Ok(_) => {}
            Err(_) => damages.push(Damage::Unreadable {
                area: Area::Meta,
                count: 1,
            }),
        }
        if found.unknown > 0 {
            damages.push(Damage::UnknownKeys {
                count: found.unknown,
            });
        }
        if damages.is_empty() {
            Ok(report)
        } else {
            Err(StoreError::Damaged(Damages(damages)))
        }
    }
}
