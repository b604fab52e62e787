//! The narrow store trait the vault is written against, and its sled implementation.
//!
//! Everything above this module sees only: read one key, scan a tree, apply a batch atomically after
//! checking expected values (compare-and-set over several keys and trees), and flush. That is all the
//! outbox, cache and rotation need, and it maps one-to-one onto redb or SQLite transactions should sled
//! (beta, unmaintained since 2021 — tech-notes §4.1) have to be replaced.

use std::panic::AssertUnwindSafe;
use std::path::Path;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::error::{Result, VaultError};

/// The trees of the vault. Tree names are fixed words and leak nothing about residents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tree {
    /// Key material (wrapped), counters, format version, rotation marker.
    Meta,
    /// Outbox item records (state, numbers), keyed by sequence number.
    Outbox,
    /// Outbox payloads (the notification itself), keyed by sequence number; erased on acknowledgement.
    OutboxPayload,
    /// Receipts of acknowledged or withdrawn items, without personal data, keyed by sequence number.
    Receipts,
    /// Cache of recently used residents and reference data, keyed by keyed hash.
    Cache,
    /// Terminal settings, keyed by setting name.
    Settings,
    /// Offline roster chunks.
    Roster,
    /// Audit records (the chain itself is built by the security layer).
    Audit,
    /// Per-resident order of pending outbox items: key = resident tag (keyed hash) || sequence number,
    /// empty value. Lets the sync engine find each resident's oldest item without opening every record.
    OutboxIndex,
    /// Approved distribution content (配信), fetched pages and a manifest, keyed by the opaque
    /// distribution id ([`crate::Distributions`]).
    Distribution,
    /// State of bulk print jobs (一括印刷), keyed by job name.
    PrintJobs,
}

impl Tree {
    /// In declaration order (`index()` relies on it).
    pub const ALL: [Tree; 11] = [
        Tree::Meta,
        Tree::Outbox,
        Tree::OutboxPayload,
        Tree::Receipts,
        Tree::Cache,
        Tree::Settings,
        Tree::Roster,
        Tree::Audit,
        Tree::OutboxIndex,
        Tree::Distribution,
        Tree::PrintJobs,
    ];

    /// Trees whose values are sealed with the data key (everything but the meta tree).
    pub const SEALED: [Tree; 9] = [
        Tree::Outbox,
        Tree::OutboxPayload,
        Tree::Receipts,
        Tree::Cache,
        Tree::Settings,
        Tree::Roster,
        Tree::Audit,
        Tree::Distribution,
        Tree::PrintJobs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tree::Meta => "meta",
            Tree::Outbox => "outbox",
            Tree::OutboxPayload => "outbox_payload",
            Tree::Receipts => "receipts",
            Tree::Cache => "cache",
            Tree::Settings => "settings",
            Tree::Roster => "roster",
            Tree::Audit => "audit",
            Tree::OutboxIndex => "outbox_index",
            Tree::Distribution => "distribution",
            Tree::PrintJobs => "print_jobs",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A set of expected values and writes applied atomically: either every check holds and every write
/// lands, or nothing changes.
#[derive(Default)]
pub struct Batch {
    checks: Vec<(Tree, Vec<u8>, Option<Vec<u8>>)>,
    writes: Vec<(Tree, Vec<u8>, Option<Vec<u8>>)>,
}

impl Batch {
    pub fn new() -> Self {
        Self::default()
    }
    /// Require `tree[key]` to equal `expected` (`None` = absent) when the batch is applied.
    pub fn expect(&mut self, tree: Tree, key: &[u8], expected: Option<&[u8]>) -> &mut Self {
        self.checks
            .push((tree, key.to_vec(), expected.map(<[u8]>::to_vec)));
        self
    }
    pub fn put(&mut self, tree: Tree, key: &[u8], value: Vec<u8>) -> &mut Self {
        self.writes.push((tree, key.to_vec(), Some(value)));
        self
    }
    pub fn remove(&mut self, tree: Tree, key: &[u8]) -> &mut Self {
        self.writes.push((tree, key.to_vec(), None));
        self
    }
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }
    fn trees(&self) -> Vec<Tree> {
        let mut t: Vec<Tree> = self
            .checks
            .iter()
            .chain(self.writes.iter())
            .map(|(t, _, _)| *t)
            .collect();
        t.sort();
        t.dedup();
        t
    }
}

/// Outcome of [`Backend::apply`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Yes,
    /// A check failed; nothing was written.
    CheckFailed,
}

pub type KvPair = (Vec<u8>, Vec<u8>);

/// The narrow key-value interface the vault needs.
pub trait Backend: Send + Sync {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// All pairs of a tree in key order (optionally only keys with `prefix`).
    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Vec<KvPair>>;
    /// Up to `limit` pairs with key ≥ `start`, in key order.
    fn scan_from(&self, tree: Tree, start: &[u8], limit: usize) -> Result<Vec<KvPair>>;
    fn is_empty(&self, tree: Tree) -> Result<bool>;
    /// Check every expectation and apply every write atomically.
    /// Check every expectation and apply every write atomically; each applied batch with writes also
    /// increments the commit counter.
    fn apply(&self, batch: &Batch) -> Result<Applied>;
    /// Number of batches with writes applied over the life of the store (kept in the same atomic
    /// writes, so it falls back if the engine loses writes — see [`crate::vault`] watermark).
    fn commit_counter(&self) -> Result<u64>;
    /// Make everything applied so far durable. Nothing may be reported to a user before this returns.
    fn flush(&self) -> Result<()>;
}

/// Meta key of the commit counter.
pub(crate) const META_COMMIT: &[u8] = b"commit";

fn decode_counter(v: Option<&[u8]>) -> Option<u64> {
    match v {
        None => Some(0),
        Some(b) => <[u8; 8]>::try_from(b).ok().map(u64::from_be_bytes),
    }
}

/// sled 0.34 behind [`Backend`].
pub struct SledBackend {
    // Kept so the database (and its file lock) lives as long as the trees.
    db: sled::Db,
    trees: Vec<sled::Tree>,
}

/// How long an open waits for sled's file lock, and how often it looks again.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);
const LOCK_RETRY: std::time::Duration = std::time::Duration::from_millis(50);

impl SledBackend {
    /// Open (or create) the database at `path`. sled panics on some corrupt inputs instead of returning
    /// `Error::Corruption` (sled#1166, #1358); such a panic is turned into [`VaultError::StorageCorrupt`] so the
    /// caller can refuse to start instead of crashing.
    pub fn open(path: &Path) -> Result<Self> {
        // A handle of this same process that was just dropped can hold sled's file lock a little longer
        // (its background flusher lets go asynchronously), so a lock conflict is tried again for a short
        // while before it counts as another program using the vault.
        let mut waited = std::time::Duration::ZERO;
        loop {
            match Self::open_once(path) {
                Err(VaultError::InUse) if waited < LOCK_WAIT => {
                    std::thread::sleep(LOCK_RETRY);
                    waited += LOCK_RETRY;
                }
                other => return other,
            }
        }
    }

    fn open_once(path: &Path) -> Result<Self> {
        let path = path.to_path_buf();
        let opened = std::panic::catch_unwind(AssertUnwindSafe(move || -> Result<Self> {
            let db = sled::Config::new()
                .path(&path)
                // Explicit flushes decide durability; the background flush only helps the log stay short.
                .flush_every_ms(Some(1000))
                .open()?;
            let mut trees = Vec::with_capacity(Tree::ALL.len());
            for t in Tree::ALL {
                trees.push(db.open_tree(t.name())?);
            }
            Ok(SledBackend { db, trees })
        }));
        match opened {
            Ok(r) => r,
            Err(p) => Err(VaultError::StorageCorrupt {
                detail: panic_text(&p),
            }),
        }
    }

    fn tree(&self, t: Tree) -> &sled::Tree {
        &self.trees[t.index()]
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        format!("panic while opening: {s}")
    } else if let Some(s) = p.downcast_ref::<String>() {
        format!("panic while opening: {s}")
    } else {
        "panic while opening".into()
    }
}

impl Backend for SledBackend {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.tree(tree).get(key)?.map(|v| v.to_vec()))
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Vec<KvPair>> {
        self.tree(tree)
            .scan_prefix(prefix)
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(VaultError::from)
            })
            .collect()
    }

    fn scan_from(&self, tree: Tree, start: &[u8], limit: usize) -> Result<Vec<KvPair>> {
        self.tree(tree)
            .range(start..)
            .take(limit)
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(VaultError::from)
            })
            .collect()
    }

    fn is_empty(&self, tree: Tree) -> Result<bool> {
        Ok(self.tree(tree).is_empty())
    }

    fn apply(&self, batch: &Batch) -> Result<Applied> {
        if batch.writes.is_empty() && batch.checks.is_empty() {
            return Ok(Applied::Yes);
        }
        let mut involved = batch.trees();
        let counts = !batch.writes.is_empty();
        if counts && !involved.contains(&Tree::Meta) {
            involved.push(Tree::Meta);
            involved.sort();
        }
        let slot = |t: Tree| involved.iter().position(|x| *x == t).unwrap_or(0);
        let handles: Vec<&sled::Tree> = involved.iter().map(|t| self.tree(*t)).collect();
        let res: std::result::Result<(), TransactionError<()>> =
            handles.as_slice().transaction(|view| {
                for (t, k, expected) in &batch.checks {
                    let current = view[slot(*t)].get(k)?;
                    if current.as_deref() != expected.as_deref() {
                        return Err(ConflictableTransactionError::Abort(()));
                    }
                }
                if counts {
                    let m = &view[slot(Tree::Meta)];
                    let Some(c) = decode_counter(m.get(META_COMMIT)?.as_deref()) else {
                        return Err(ConflictableTransactionError::Abort(()));
                    };
                    m.insert(META_COMMIT, &c.wrapping_add(1).to_be_bytes()[..])?;
                }
                for (t, k, v) in &batch.writes {
                    match v {
                        Some(v) => {
                            view[slot(*t)].insert(k.as_slice(), v.as_slice())?;
                        }
                        None => {
                            view[slot(*t)].remove(k.as_slice())?;
                        }
                    }
                }
                Ok(())
            });
        match res {
            Ok(()) => Ok(Applied::Yes),
            Err(TransactionError::Abort(())) => Ok(Applied::CheckFailed),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    fn commit_counter(&self) -> Result<u64> {
        decode_counter(self.tree(Tree::Meta).get(META_COMMIT)?.as_deref()).ok_or_else(|| {
            VaultError::CorruptMeta {
                detail: "commit counter malformed".into(),
            }
        })
    }

    fn flush(&self) -> Result<()> {
        // All trees share one log; flushing the db flushes them all (sled-0.34.7 src/tree.rs `flush`).
        self.db.flush()?;
        Ok(())
    }
}
