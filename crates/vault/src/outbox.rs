//! The outbox (送信待ち): notifications queued at the counter until the union acknowledges them.
//!
//! Each item gets a UUIDv7 idempotency key, a per-terminal sequence number (unique, gap-free) and a
//! 受付番号 for the printed 受付控. Every state change is a compare-and-set on the expected previous state
//! and is flushed before it returns, so a state shown to staff is always on disk (domain-anchors §2.8:
//! never "green" before the union acknowledged — Sana #88). Items of one resident go in order, one in
//! flight at a time; different residents are independent. The payload is opaque bytes to the vault.
//!
//! Placement: items with a payload (未送信, 送信中, and 差戻し/競合 before acknowledgement) live in the
//! `outbox` tree with the payload in `outbox_payload`; once the union acknowledged (受理) or staff withdrew
//! the item, the payload is erased and only a receipt without personal data stays in `receipts`
//! (BRIEF: no 個人番号 at rest except inside a queued notification until the union acknowledges it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use madoguchi_domain::NotificationKind;
use madoguchi_domain::ids::ResidentKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::backend::{Applied, Batch, Tree};
use crate::crypto::keyed_hash;
use crate::error::{Result, VaultError};
use crate::vault::{META_NEXT_SEQ, Vault, read_u64};

/// 通番: per-terminal sequence number of an outbox item, from 1, unique and without gaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Sequence(pub u64);

impl Sequence {
    pub(crate) fn key(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl std::fmt::Display for Sequence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// 冪等キー: sent with every attempt so the union applies a notification exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct IdempotencyKey(pub Uuid);

impl std::fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// 受付番号: printed on the 受付控 handed to the resident, `{terminal}-{seq:06}-{check}`; the check digit
/// (weights 3,1 from the right, as in JAN codes) catches a mistyped digit when staff look an item up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReceptionNumber(String);

impl ReceptionNumber {
    pub(crate) fn new(terminal: &str, seq: Sequence) -> Self {
        let digits = format!("{:06}", seq.0);
        ReceptionNumber(format!("{terminal}-{digits}-{}", check_digit(&digits)))
    }
    /// The number as printed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ReceptionNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10
}

/// Pseudonymous tag of a resident: keyed hash of the caller's resident key under the vault's index key.
/// Lets the queue keep per-resident order without storing who the resident is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResidentTag([u8; 32]);

impl std::fmt::Debug for ResidentTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ResidentTag({:02x}{:02x}{:02x}{:02x}…)",
            self.0[0], self.0[1], self.0[2], self.0[3]
        )
    }
}

/// State of an outbox item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OutboxState {
    /// 未送信: waiting to be sent.
    Queued,
    /// 送信中: handed to the sync engine; reset to 未送信 at startup (the union is idempotent).
    Sending,
    /// 受理: the union acknowledged receipt; payload erased.
    Accepted,
    /// 決定: the union decided.
    Decided,
    /// 差戻し: the union rejected it, with its reason.
    Rejected,
    /// 競合: the resident's record changed at the union meanwhile.
    Conflict,
    /// 取下げ: withdrawn by staff before acknowledgement; payload erased.
    Withdrawn,
    /// 訂正済み: a 差戻し / 競合 replaced by a corrected notification (a new item); payload erased. Last, so
    /// items stored before it existed read unchanged.
    Corrected,
}

impl OutboxState {
    /// The state as staff read it (未送信, 送信中…).
    pub fn label_ja(self) -> &'static str {
        match self {
            OutboxState::Queued => "未送信",
            OutboxState::Sending => "送信中",
            OutboxState::Accepted => "受理",
            OutboxState::Decided => "決定",
            OutboxState::Rejected => "差戻し",
            OutboxState::Conflict => "競合",
            OutboxState::Withdrawn => "取下げ",
            OutboxState::Corrected => "訂正済み",
        }
    }

    /// States that live as receipts (no payload, no resident tag).
    fn is_receipt(self) -> bool {
        matches!(
            self,
            OutboxState::Accepted
                | OutboxState::Decided
                | OutboxState::Withdrawn
                | OutboxState::Corrected
        )
    }
}

/// One outbox item as the queue screen shows it. Contains no personal data: `kind` and `reason` are
/// category words (e.g. 「転入」, the union's reason text), the resident only appears as a keyed hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    /// 通番.
    pub seq: Sequence,
    /// Sent with every attempt.
    pub idempotency_key: IdempotencyKey,
    /// 受付番号 on the 受付控.
    pub reception_number: ReceptionNumber,
    /// Kind of notification (届出種別): the enum, never its label (format 2, see `migrate`).
    pub kind: NotificationKind,
    /// Where it stands.
    pub state: OutboxState,
    /// The union's reason for 差戻し / 競合.
    pub reason: Option<String>,
    /// Number of times the item was handed to the sync engine.
    pub attempts: u32,
    /// When it was taken.
    pub enqueued_at: DateTime<Utc>,
    /// Last state change.
    pub updated_at: DateTime<Utc>,
    /// `None` once the item became a receipt.
    pub resident: Option<ResidentTag>,
    /// Whether the payload is still stored (false for receipts).
    pub has_payload: bool,
}

/// What [`Outbox::enqueue`] returns: everything needed for the 受付控.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enqueued {
    /// 通番.
    pub seq: Sequence,
    /// Sent with every attempt.
    pub idempotency_key: IdempotencyKey,
    /// 受付番号 on the 受付控.
    pub reception_number: ReceptionNumber,
    /// When it was taken.
    pub enqueued_at: DateTime<Utc>,
}

/// An item ready to be sent, with its payload. The payload is zeroized when dropped.
pub struct SendableItem {
    /// The item.
    pub item: OutboxItem,
    /// The payload as enqueued.
    pub payload: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SendableItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendableItem")
            .field("item", &self.item)
            .field("payload", &format_args!("<{} bytes>", self.payload.len()))
            .finish()
    }
}

const MAX_REASON_LEN: usize = 2000;

/// Handle on the outbox of a [`Vault`].
#[derive(Clone)]
pub struct Outbox {
    vault: Vault,
}

impl Vault {
    /// The outbox of this vault.
    pub fn outbox(&self) -> Outbox {
        Outbox {
            vault: self.clone(),
        }
    }
}

impl Outbox {
    /// The keyed hash of a resident key (e.g. municipality code + 宛名番号). Only this is stored.
    pub fn resident_tag(&self, resident_key: &str) -> ResidentTag {
        ResidentTag(keyed_hash(
            &self.vault.inner.index_key,
            "resident",
            &[resident_key.as_bytes()],
        ))
    }

    /// The resident key string used for a resident identified by municipality + 宛名番号.
    pub fn resident_key_of(resident: &ResidentKey) -> String {
        format!(
            "{}:{}",
            resident.municipality.as_str(),
            resident.addressee.as_str()
        )
    }

    /// [`Outbox::enqueue`] for a resident identified by municipality + 宛名番号.
    pub fn enqueue_for(
        &self,
        resident: &ResidentKey,
        kind: NotificationKind,
        payload: &[u8],
    ) -> Result<Enqueued> {
        self.enqueue(&Self::resident_key_of(resident), kind, payload)
    }

    /// Queue a notification. Durable (flushed) before it returns, so the 受付控 may be printed at once.
    pub fn enqueue(
        &self,
        resident_key: &str,
        kind: NotificationKind,
        payload: &[u8],
    ) -> Result<Enqueued> {
        if resident_key.is_empty() {
            return Err(VaultError::InvalidInput("resident key is empty"));
        }
        let inner = &self.vault.inner;
        let tag = self.resident_tag(resident_key);
        let idempotency_key = IdempotencyKey(Uuid::now_v7());
        let now = Utc::now();
        let _w = inner.writing()?;
        loop {
            let (next, raw) =
                read_u64(inner.backend.as_ref(), META_NEXT_SEQ)?.ok_or_else(|| {
                    VaultError::CorruptMeta {
                        detail: "sequence counter missing".into(),
                    }
                })?;
            let seq = Sequence(next);
            let item = OutboxItem {
                seq,
                idempotency_key,
                reception_number: ReceptionNumber::new(&inner.config.terminal_code, seq),
                kind,
                state: OutboxState::Queued,
                reason: None,
                attempts: 0,
                enqueued_at: now,
                updated_at: now,
                resident: Some(tag),
                has_payload: true,
            };
            let key = seq.key();
            let next_raw = next
                .checked_add(1)
                .ok_or_else(|| VaultError::CorruptMeta {
                    detail: "sequence exhausted".into(),
                })?
                .to_be_bytes();
            let mut b = Batch::new();
            b.expect(Tree::Meta, META_NEXT_SEQ, Some(&raw))
                .expect(Tree::Outbox, &key, None)
                .expect(Tree::Receipts, &key, None)
                .put(Tree::Meta, META_NEXT_SEQ, next_raw.to_vec())
                .put(
                    Tree::Outbox,
                    &key,
                    inner.seal_value(Tree::Outbox, &key, &item)?,
                )
                .put(
                    Tree::OutboxPayload,
                    &key,
                    inner.seal(Tree::OutboxPayload, &key, payload)?,
                )
                .put(Tree::OutboxIndex, &index_key(tag, seq), Vec::new());
            match inner.backend.apply(&b)? {
                Applied::Yes => {
                    inner.flush()?;
                    return Ok(Enqueued {
                        seq,
                        idempotency_key,
                        reception_number: item.reception_number,
                        enqueued_at: now,
                    });
                }
                Applied::CheckFailed => {
                    // Another enqueue took this number: retry with the next. If the counter did not move,
                    // the slot is taken although the counter says free — refuse rather than overwrite.
                    let still = read_u64(inner.backend.as_ref(), META_NEXT_SEQ)?.map(|(n, _)| n);
                    if still == Some(next) {
                        return Err(VaultError::CorruptMeta {
                            detail: format!("sequence {seq} already in use"),
                        });
                    }
                }
            }
        }
    }

    /// One item by sequence number (pending or receipt).
    pub fn get(&self, seq: Sequence) -> Result<OutboxItem> {
        self.locate(seq).map(|(_, _, item)| item)
    }

    /// The item whose 受付番号 is `number` (as typed by staff).
    pub fn find_by_reception_number(&self, number: &str) -> Result<Option<OutboxItem>> {
        Ok(self
            .list()?
            .into_iter()
            .find(|i| i.reception_number.as_str() == number))
    }

    /// Every item, pending and receipts, in sequence order — for the queue screen.
    pub fn list(&self) -> Result<Vec<OutboxItem>> {
        let mut all = self.load_tree(Tree::Outbox)?;
        all.extend(self.load_tree(Tree::Receipts)?);
        all.sort_by_key(|i| i.seq);
        Ok(all)
    }

    /// Items not yet acknowledged (未送信, 送信中, 差戻し, 競合 before acknowledgement), in sequence order.
    pub fn pending(&self) -> Result<Vec<OutboxItem>> {
        self.load_tree(Tree::Outbox)
    }

    /// Pending items of one resident, in order.
    pub fn pending_for_resident(&self, resident_key: &str) -> Result<Vec<OutboxItem>> {
        let tag = self.resident_tag(resident_key);
        self.resident_queue(tag)?
            .into_iter()
            .map(|s| self.get(s))
            .collect()
    }

    /// Startup sweep: open and check every outbox record (a corrupt one makes the outbox refuse to
    /// start, with nothing changed), then reset 送信中 → 未送信; resending is safe because the union
    /// is idempotent on the idempotency key. Returns the number of items reset.
    pub fn startup_sweep(&self) -> Result<usize> {
        let pending = self.pending()?;
        self.load_tree(Tree::Receipts)?;
        for item in &pending {
            if item.has_payload {
                self.payload(item.seq)?;
            }
        }
        // Every pending item is in the per-resident index and nothing else is (they are written in the
        // same atomic batches; a difference means damage, and an unindexed item would never be sent).
        let mut indexed: Vec<(ResidentTag, Sequence)> = self
            .vault
            .inner
            .backend
            .scan(Tree::OutboxIndex, b"")?
            .iter()
            .map(|(k, _)| parse_index_key(k))
            .collect::<Result<_>>()?;
        indexed.sort_by_key(|(_, s)| *s);
        let expected: Vec<(ResidentTag, Sequence)> = pending
            .iter()
            .filter_map(|i| i.resident.map(|t| (t, i.seq)))
            .collect();
        if indexed != expected || expected.len() != pending.len() {
            return Err(VaultError::CorruptRecord {
                tree: Tree::OutboxIndex.name(),
                record: "index differs from the pending items".into(),
            });
        }
        let mut reset = 0;
        for item in pending
            .into_iter()
            .filter(|i| i.state == OutboxState::Sending)
        {
            self.transition(item.seq, &[OutboxState::Sending], |i| {
                i.state = OutboxState::Queued;
                Ok(())
            })?;
            reset += 1;
        }
        Ok(reset)
    }

    /// Items that may be sent now, at most `limit`, in sequence order: for each resident only the
    /// oldest pending item, and only if it is 未送信 (an item 送信中, 差戻し or 競合 holds back the
    /// resident's later items). Does not change any state; call [`Outbox::mark_sending`] next.
    /// How many items are pending (未送信, 送信中, 差戻し, 競合), counted on the index without opening any
    /// record: cheap enough to call after every batch of a drain.
    pub fn pending_count(&self) -> Result<usize> {
        Ok(self.vault.inner.backend.scan(Tree::OutboxIndex, b"")?.len())
    }

    /// Up to `limit` items to send now (the oldest of each resident that has none in flight).
    pub fn next_sendable(&self, limit: usize) -> Result<Vec<SendableItem>> {
        // Oldest pending sequence number per resident, from the index (no record is opened for this).
        let mut heads: BTreeMap<ResidentTag, Sequence> = BTreeMap::new();
        for (k, _) in self.vault.inner.backend.scan(Tree::OutboxIndex, b"")? {
            let (tag, seq) = parse_index_key(&k)?;
            heads.entry(tag).or_insert(seq);
        }
        let mut candidates: Vec<Sequence> = heads.into_values().collect();
        candidates.sort();
        let mut out = Vec::new();
        for seq in candidates {
            if out.len() >= limit {
                break;
            }
            let item = self.get(seq)?;
            if item.state == OutboxState::Queued {
                out.push(SendableItem {
                    payload: self.payload(seq)?,
                    item,
                });
            }
        }
        Ok(out)
    }

    /// Pending sequence numbers of one resident, oldest first.
    fn resident_queue(&self, tag: ResidentTag) -> Result<Vec<Sequence>> {
        self.vault
            .inner
            .backend
            .scan(Tree::OutboxIndex, &tag.0)?
            .into_iter()
            .map(|(k, _)| parse_index_key(&k).map(|(_, s)| s))
            .collect()
    }

    /// The payload of a pending item.
    pub fn payload(&self, seq: Sequence) -> Result<Zeroizing<Vec<u8>>> {
        let key = seq.key();
        match self.vault.inner.backend.get(Tree::OutboxPayload, &key)? {
            Some(sealed) => self.vault.inner.open(Tree::OutboxPayload, &key, &sealed),
            None => match self.locate(seq)? {
                (_, _, item) if !item.has_payload => Err(VaultError::PayloadErased { seq }),
                _ => Err(VaultError::CorruptRecord {
                    tree: Tree::OutboxPayload.name(),
                    record: seq.to_string(),
                }),
            },
        }
    }

    /// 未送信 → 送信中. Refused unless the item is the oldest pending item of its resident.
    pub fn mark_sending(&self, seq: Sequence) -> Result<OutboxItem> {
        let item = self.get(seq)?;
        if let Some(tag) = item.resident
            && self
                .resident_queue(tag)?
                .first()
                .is_some_and(|first| *first < seq)
        {
            return Err(VaultError::NotHeadOfResident { seq });
        }
        self.transition(seq, &[OutboxState::Queued], |i| {
            i.state = OutboxState::Sending;
            i.attempts = i.attempts.saturating_add(1);
            Ok(())
        })
    }

    /// 送信中 → 受理: the union acknowledged. The payload is erased at once; a receipt stays.
    pub fn mark_accepted(&self, seq: Sequence) -> Result<OutboxItem> {
        self.transition(seq, &[OutboxState::Sending], |i| {
            i.state = OutboxState::Accepted;
            Ok(())
        })
    }

    /// 送信中 / 受理 → 決定: the union decided (online, the union accepts and decides at once).
    pub fn mark_decided(&self, seq: Sequence) -> Result<OutboxItem> {
        self.transition(seq, &[OutboxState::Sending, OutboxState::Accepted], |i| {
            i.state = OutboxState::Decided;
            i.reason = None;
            Ok(())
        })
    }

    /// 送信中 / 受理 → 差戻し with the union's reason. Before acknowledgement the payload is kept so
    /// staff can correct and retry or withdraw.
    pub fn mark_rejected(&self, seq: Sequence, reason: &str) -> Result<OutboxItem> {
        let reason = checked_reason(reason)?;
        self.transition(
            seq,
            &[OutboxState::Sending, OutboxState::Accepted],
            move |i| {
                i.state = OutboxState::Rejected;
                i.reason = Some(reason.clone());
                Ok(())
            },
        )
    }

    /// 送信中 / 受理 → 競合: the resident's record changed at the union meanwhile.
    pub fn mark_conflict(&self, seq: Sequence, reason: &str) -> Result<OutboxItem> {
        let reason = checked_reason(reason)?;
        self.transition(
            seq,
            &[OutboxState::Sending, OutboxState::Accepted],
            move |i| {
                i.state = OutboxState::Conflict;
                i.reason = Some(reason.clone());
                Ok(())
            },
        )
    }

    /// Back to 未送信: after a transient send failure (送信中), or when staff retry a 差戻し / 競合 item
    /// that still has its payload.
    pub fn retry(&self, seq: Sequence) -> Result<OutboxItem> {
        let item = self.get(seq)?;
        if !item.has_payload {
            return Err(VaultError::PayloadErased { seq });
        }
        self.transition(
            seq,
            &[
                OutboxState::Sending,
                OutboxState::Rejected,
                OutboxState::Conflict,
            ],
            |i| {
                i.state = OutboxState::Queued;
                Ok(())
            },
        )
    }

    /// 取下げ: staff withdraw an item that was not acknowledged (未送信, 差戻し, 競合). The payload is
    /// erased; a receipt stays. Releases the resident's later items.
    pub fn withdraw(&self, seq: Sequence) -> Result<OutboxItem> {
        self.transition(
            seq,
            &[
                OutboxState::Queued,
                OutboxState::Rejected,
                OutboxState::Conflict,
            ],
            |i| {
                if !i.has_payload {
                    return Err(VaultError::PayloadErased { seq });
                }
                i.state = OutboxState::Withdrawn;
                Ok(())
            },
        )
    }

    /// Retention: remove receipts in a final state (決定, 取下げ, and 差戻し/競合 after acknowledgement)
    /// last changed before `cutoff`. Receipts still 受理 (awaiting a decision) stay.
    pub fn purge_receipts_before(&self, cutoff: DateTime<Utc>) -> Result<usize> {
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let mut removed = 0;
        for (k, v) in inner.backend.scan(Tree::Receipts, b"")? {
            let item: OutboxItem = inner.open_value(Tree::Receipts, &k, &v)?;
            if item.state != OutboxState::Accepted && item.updated_at < cutoff {
                let mut b = Batch::new();
                b.expect(Tree::Receipts, &k, Some(&v))
                    .remove(Tree::Receipts, &k);
                if inner.backend.apply(&b)? == Applied::Yes {
                    removed += 1;
                }
            }
        }
        inner.flush()?;
        Ok(removed)
    }

    fn load_tree(&self, tree: Tree) -> Result<Vec<OutboxItem>> {
        let inner = &self.vault.inner;
        inner
            .backend
            .scan(tree, b"")?
            .into_iter()
            .map(|(k, v)| inner.open_value::<OutboxItem>(tree, &k, &v))
            .collect()
    }

    fn locate(&self, seq: Sequence) -> Result<(Tree, Vec<u8>, OutboxItem)> {
        let inner = &self.vault.inner;
        let key = seq.key();
        for tree in [Tree::Outbox, Tree::Receipts] {
            if let Some(raw) = inner.backend.get(tree, &key)? {
                let item: OutboxItem = inner.open_value(tree, &key, &raw)?;
                if item.seq != seq {
                    return Err(VaultError::CorruptRecord {
                        tree: tree.name(),
                        record: seq.to_string(),
                    });
                }
                return Ok((tree, raw, item));
            }
        }
        Err(VaultError::NotFound { seq })
    }

    /// Compare-and-set from one of `from` to whatever `change` makes of the item, moving it to the
    /// receipts (and erasing the payload) when the new state is a receipt state; flushed before returning.
    pub(crate) fn transition(
        &self,
        seq: Sequence,
        from: &[OutboxState],
        change: impl Fn(&mut OutboxItem) -> Result<()>,
    ) -> Result<OutboxItem> {
        let inner = &self.vault.inner;
        let key = seq.key();
        let _w = inner.writing()?;
        loop {
            let (tree, raw, mut item) = self.locate(seq)?;
            if !from.contains(&item.state) {
                return Err(VaultError::StateConflict {
                    seq,
                    expected: from.to_vec(),
                    actual: item.state,
                });
            }
            change(&mut item)?;
            item.updated_at = Utc::now();
            let mut b = Batch::new();
            b.expect(tree, &key, Some(&raw));
            if tree == Tree::Outbox && item.state.is_receipt() {
                if let Some(tag) = item.resident {
                    b.remove(Tree::OutboxIndex, &index_key(tag, seq));
                }
                item.resident = None;
                item.has_payload = false;
                b.remove(Tree::Outbox, &key)
                    .remove(Tree::OutboxPayload, &key)
                    .put(
                        Tree::Receipts,
                        &key,
                        inner.seal_value(Tree::Receipts, &key, &item)?,
                    );
            } else {
                if tree == Tree::Receipts {
                    item.resident = None;
                    item.has_payload = false;
                }
                b.put(tree, &key, inner.seal_value(tree, &key, &item)?);
            }
            match inner.backend.apply(&b)? {
                Applied::Yes => {
                    inner.flush()?;
                    return Ok(item);
                }
                // Changed underneath us: re-read and re-check the expected state.
                Applied::CheckFailed => continue,
            }
        }
    }
}

fn index_key(tag: ResidentTag, seq: Sequence) -> [u8; 40] {
    let mut k = [0u8; 40];
    k[..32].copy_from_slice(&tag.0);
    k[32..].copy_from_slice(&seq.key());
    k
}

fn parse_index_key(k: &[u8]) -> Result<(ResidentTag, Sequence)> {
    let bad = || VaultError::CorruptRecord {
        tree: Tree::OutboxIndex.name(),
        record: "malformed key".into(),
    };
    let tag: [u8; 32] = k
        .get(..32)
        .and_then(|t| t.try_into().ok())
        .ok_or_else(bad)?;
    let seq: [u8; 8] = k
        .get(32..)
        .and_then(|t| t.try_into().ok())
        .ok_or_else(bad)?;
    Ok((ResidentTag(tag), Sequence(u64::from_be_bytes(seq))))
}

fn checked_reason(reason: &str) -> Result<String> {
    if reason.len() > MAX_REASON_LEN {
        return Err(VaultError::InvalidInput("reason longer than 2000 bytes"));
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod index_tests;

#[cfg(test)]
mod model_tests;
