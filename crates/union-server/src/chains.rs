//! Storage of the terminals' audit chains on the union: every entry a terminal shipped (sealed, keyed by
//! municipality, terminal and seq, so a retry can never store an entry twice), the accepted head of each
//! terminal's chain, and the flag records of shipments that did not continue it.
//!
//! The sled tree is written only by [`crate::store::SledStore`]; the functions here hold the key layout.

use madoguchi_audit::{AuditEntry, ChainHead};
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::v1::AuditChainFlag;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::crypt::StoreKey;
use crate::store::StoreError;

const P_ENTRY: &[u8] = b"e/";
const P_HEAD: &[u8] = b"h/";
const P_FLAG: &[u8] = b"f/";
const P_FLAG_DEDUP: &[u8] = b"fd/";
/// Index by target reference (blinded): `it/ blind(m, token) terminal 0 seq`.
const P_IDX_TARGET: &[u8] = b"it/";
/// Index by staff user (blinded): `iu/ blind(m, user) terminal 0 seq`.
const P_IDX_USER: &[u8] = b"iu/";
/// Index by day in Japan: `id/ m 0 YYYYMMDD terminal 0 seq`.
const P_IDX_DAY: &[u8] = b"id/";

/// How a search narrows the entries it has to open (every candidate is still checked in full).
#[derive(Debug, Clone)]
pub enum ChainIndex {
    /// Entries whose target names one of these references (`resident:<id>`, `document:<id>`).
    Targets(Vec<String>),
    /// Entries recorded by this staff user.
    User(String),
    /// Entries of these days (Japan time), inclusive.
    Days(madoguchi_domain::Date, madoguchi_domain::Date),
}

pub(crate) fn jst_day(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(9))
        .format("%Y%m%d")
        .to_string()
}

fn tail(terminal: &str, seq: u64) -> Vec<u8> {
    let mut k = terminal.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The index keys of one entry.
fn index_keys(
    key: &StoreKey,
    m: &MunicipalityCode,
    terminal: &str,
    e: &AuditEntry,
) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let blinded = |p: &[u8], value: &str| {
        let mut k = p.to_vec();
        k.extend_from_slice(&key.blind(&[m.as_str().as_bytes(), value.as_bytes()]));
        k.extend_from_slice(&tail(terminal, e.seq));
        k
    };
    if let Some(target) = &e.event.target {
        for token in target.split_whitespace() {
            out.push(blinded(P_IDX_TARGET, token));
        }
    }
    out.push(blinded(P_IDX_USER, &e.event.user));
    let mut d = prefix(P_IDX_DAY, m, None);
    d.extend_from_slice(jst_day(e.event.at).as_bytes());
    d.extend_from_slice(&tail(terminal, e.seq));
    out.push(d);
    out
}

/// (terminal, seq) from the end of an index key whose fixed part is `fixed` bytes long.
fn candidate(k: &[u8], fixed: usize) -> Option<(String, u64)> {
    let body = k.get(fixed..)?;
    let split = body.len().checked_sub(9)?;
    let (terminal, rest) = body.split_at(split);
    let seq = u64::from_be_bytes(rest.get(1..9)?.try_into().ok()?);
    Some((String::from_utf8_lossy(terminal).into_owned(), seq))
}

/// Candidates of `m` for `index`, each (terminal, seq) once, in key order.
pub(crate) fn candidates(
    tree: &sled::Tree,
    key: &StoreKey,
    m: &MunicipalityCode,
    index: &ChainIndex,
) -> Result<Vec<(String, u64)>, StoreError> {
    let mut out = std::collections::BTreeSet::new();
    let mut scan = |p: Vec<u8>, end: Option<Vec<u8>>, fixed: usize| -> Result<(), StoreError> {
        let iter = match end {
            Some(end) => tree.range(p.clone()..end),
            None => tree.scan_prefix(p.clone()),
        };
        for item in iter {
            let (k, _) = item?;
            if let Some(c) = candidate(&k, fixed) {
                out.insert(c);
            }
        }
        Ok(())
    };
    match index {
        ChainIndex::Targets(tokens) => {
            for t in tokens {
                let mut p = P_IDX_TARGET.to_vec();
                p.extend_from_slice(&key.blind(&[m.as_str().as_bytes(), t.as_bytes()]));
                let fixed = p.len();
                scan(p, None, fixed)?;
            }
        }
        ChainIndex::User(user) => {
            let mut p = P_IDX_USER.to_vec();
            p.extend_from_slice(&key.blind(&[m.as_str().as_bytes(), user.as_bytes()]));
            let fixed = p.len();
            scan(p, None, fixed)?;
        }
        ChainIndex::Days(from, to) => {
            let base = prefix(P_IDX_DAY, m, None);
            let fixed = base.len() + 8;
            let mut start = base.clone();
            start.extend_from_slice(from.format("%Y%m%d").to_string().as_bytes());
            let mut end = base;
            end.extend_from_slice(
                (*to + chrono::Duration::days(1))
                    .format("%Y%m%d")
                    .to_string()
                    .as_bytes(),
            );
            scan(start, Some(end), fixed)?;
        }
    }
    Ok(out.into_iter().collect())
}

fn prefix(p: &[u8], m: &MunicipalityCode, terminal: Option<&str>) -> Vec<u8> {
    let mut k = p.to_vec();
    k.extend_from_slice(m.as_str().as_bytes());
    k.push(0);
    if let Some(t) = terminal {
        k.extend_from_slice(t.as_bytes());
        k.push(0);
    }
    k
}

fn entry_key(m: &MunicipalityCode, terminal: &str, seq: u64) -> Vec<u8> {
    let mut k = prefix(P_ENTRY, m, Some(terminal));
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

fn head_key(m: &MunicipalityCode, terminal: &str) -> Vec<u8> {
    prefix(P_HEAD, m, Some(terminal))
}

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Corrupt(format!("encode: {:?}", e.classify())))
}

fn parse<T: serde::de::DeserializeOwned>(b: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(b)
        .map_err(|e| StoreError::Corrupt(format!("chain record: {:?}", e.classify())))
}

/// Terminals with a chain held for `m`.
pub(crate) fn terminals(
    tree: &sled::Tree,
    m: &MunicipalityCode,
) -> Result<Vec<String>, StoreError> {
    let p = prefix(P_HEAD, m, None);
    let mut out = Vec::new();
    for item in tree.scan_prefix(&p) {
        let (k, _) = item?;
        let rest = &k[p.len()..];
        let name = rest.strip_suffix(&[0]).unwrap_or(rest);
        out.push(String::from_utf8_lossy(name).into_owned());
    }
    Ok(out)
}

pub(crate) fn head(
    tree: &sled::Tree,
    m: &MunicipalityCode,
    terminal: &str,
) -> Result<ChainHead, StoreError> {
    match tree.get(head_key(m, terminal))? {
        Some(v) => parse(&v),
        None => Ok(ChainHead::default()),
    }
}

pub(crate) fn entry(
    tree: &sled::Tree,
    key: &StoreKey,
    m: &MunicipalityCode,
    terminal: &str,
    seq: u64,
) -> Result<Option<AuditEntry>, StoreError> {
    let k = entry_key(m, terminal, seq);
    match tree.get(&k)? {
        Some(v) => Ok(Some(parse(&key.open(&k, &v)?)?)),
        None => Ok(None),
    }
}

/// Entries with seq ≥ `from`, at most `limit`, in chain order.
pub(crate) fn entries(
    tree: &sled::Tree,
    key: &StoreKey,
    m: &MunicipalityCode,
    terminal: &str,
    from: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let p = prefix(P_ENTRY, m, Some(terminal));
    let mut out = Vec::new();
    for item in tree.range(entry_key(m, terminal, from)..) {
        let (k, v) = item?;
        if !k.starts_with(&p) || out.len() == limit {
            break;
        }
        out.push(parse(&key.open(&k, &v)?)?);
    }
    Ok(out)
}

/// Stores entries that continue the chain from the stored head (the caller verified them) and moves the
/// head, atomically. Fails if the head moved meanwhile.
pub(crate) fn append(
    tree: &sled::Tree,
    key: &StoreKey,
    m: &MunicipalityCode,
    terminal: &str,
    from: ChainHead,
    new_entries: &[AuditEntry],
) -> Result<ChainHead, StoreError> {
    let Some(last) = new_entries.last() else {
        return Ok(from);
    };
    let new_head = ChainHead {
        seq: last.seq,
        hash: last.hash,
    };
    let mut sealed = Vec::with_capacity(new_entries.len());
    let mut indexes = Vec::new();
    for e in new_entries {
        let k = entry_key(m, terminal, e.seq);
        let v = key.seal(&k, &zeroize::Zeroizing::new(json(e)?))?;
        sealed.push((k, v));
        indexes.extend(index_keys(key, m, terminal, e));
    }
    let hk = head_key(m, terminal);
    let old = json(&from)?;
    let fresh = from == ChainHead::default();
    let new = json(&new_head)?;
    let result = tree.transaction(|tx| {
        let current = tx.get(&hk)?;
        let unchanged = match &current {
            Some(v) => v.as_ref() == old.as_slice(),
            None => fresh,
        };
        if !unchanged {
            return Err(ConflictableTransactionError::Abort(StoreError::Backend(
                "audit chain head moved concurrently".into(),
            )));
        }
        for (k, v) in &sealed {
            tx.insert(k.as_slice(), v.as_slice())?;
        }
        for k in &indexes {
            tx.insert(k.as_slice(), &[][..])?;
        }
        tx.insert(hk.as_slice(), new.as_slice())?;
        Ok(())
    });
    match result {
        Ok(()) => Ok(new_head),
        Err(TransactionError::Abort(e)) => Err(e),
        Err(TransactionError::Storage(e)) => Err(e.into()),
    }
}

/// Keeps a flag unless the same one (terminal, expected seq, found seq, kind) is already kept; returns the
/// kept one, so a terminal retrying a broken shipment does not flood the administrators' list.
pub(crate) fn add_flag(
    db: &sled::Db,
    tree: &sled::Tree,
    mut flag: AuditChainFlag,
) -> Result<AuditChainFlag, StoreError> {
    let mut dedup = prefix(P_FLAG_DEDUP, &flag.municipality, Some(&flag.terminal_id));
    dedup.extend_from_slice(&flag.expected_seq.to_be_bytes());
    dedup.extend_from_slice(&flag.found_seq.unwrap_or(0).to_be_bytes());
    dedup.extend_from_slice(json(&flag.kind)?.as_slice());
    if let Some(id) = tree.get(&dedup)? {
        let mut k = prefix(P_FLAG, &flag.municipality, None);
        k.extend_from_slice(&id);
        if let Some(v) = tree.get(&k)? {
            return parse(&v);
        }
    }
    flag.id = db.generate_id()?;
    let mut k = prefix(P_FLAG, &flag.municipality, None);
    k.extend_from_slice(&flag.id.to_be_bytes());
    let v = json(&flag)?;
    let id = flag.id.to_be_bytes();
    tree.transaction(|tx| {
        tx.insert(k.as_slice(), v.as_slice())?;
        tx.insert(dedup.as_slice(), &id[..])?;
        Ok::<(), ConflictableTransactionError<StoreError>>(())
    })
    .map_err(|e| match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => e.into(),
    })?;
    Ok(flag)
}

/// Flags of `m`, newest first.
pub(crate) fn flags(
    tree: &sled::Tree,
    m: &MunicipalityCode,
) -> Result<Vec<AuditChainFlag>, StoreError> {
    let p = prefix(P_FLAG, m, None);
    let mut out = Vec::new();
    for item in tree.scan_prefix(&p).rev() {
        let (_, v) = item?;
        out.push(parse(&v)?);
    }
    Ok(out)
}
