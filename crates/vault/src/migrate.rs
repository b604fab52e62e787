//! Store format migrations, run once when a vault of an older format is opened, in one atomic batch with
//! the new format marker: a crash before it leaves the old format (and the next open migrates again), after
//! it the new one. Nothing is dropped: a record that cannot be read stops the open with its name.
//!
//! - 1 → 2: outbox items and receipts stored the notification's kind as its Japanese label (「再交付」);
//!   from format 2 they store [`NotificationKind`] itself.

use chrono::{DateTime, Utc};
use madoguchi_domain::NotificationKind;
use serde::Deserialize;

use crate::backend::{Applied, Batch, Tree};
use crate::error::{Result, VaultError};
use crate::outbox::{
    IdempotencyKey, OutboxItem, OutboxState, ReceptionNumber, ResidentTag, Sequence,
};
use crate::vault::{Inner, META_FORMAT};

/// The format this program writes.
pub(crate) const STORE_FORMAT: u8 = 2;
/// Format 1: notification kinds as labels.
const FORMAT_KIND_LABELS: u8 = 1;

/// An outbox item as format 1 stored it (field order is the postcard encoding: keep it).
#[derive(Deserialize)]
struct OutboxItemV1 {
    seq: Sequence,
    idempotency_key: IdempotencyKey,
    reception_number: ReceptionNumber,
    kind: String,
    state: OutboxState,
    reason: Option<String>,
    attempts: u32,
    enqueued_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    resident: Option<ResidentTag>,
    has_payload: bool,
}

/// Whether a stored format marker is one this program reads (migrating it when older).
pub(crate) fn known(format: u8) -> bool {
    (FORMAT_KIND_LABELS..=STORE_FORMAT).contains(&format)
}

impl Inner {
    /// Brings a vault of `format` to [`STORE_FORMAT`].
    pub(crate) fn migrate(&self, format: u8) -> Result<()> {
        if format == STORE_FORMAT {
            return Ok(());
        }
        let mut b = Batch::new();
        let mut items = 0usize;
        for tree in [Tree::Outbox, Tree::Receipts] {
            for (key, raw) in self.backend.scan(tree, b"")? {
                let old: OutboxItemV1 = self.open_value(tree, &key, &raw)?;
                let Some(kind) = NotificationKind::from_label_ja(&old.kind) else {
                    return Err(VaultError::CorruptRecord {
                        tree: tree.name(),
                        record: old.seq.to_string(),
                    });
                };
                let item = OutboxItem {
                    seq: old.seq,
                    idempotency_key: old.idempotency_key,
                    reception_number: old.reception_number,
                    kind,
                    state: old.state,
                    reason: old.reason,
                    attempts: old.attempts,
                    enqueued_at: old.enqueued_at,
                    updated_at: old.updated_at,
                    resident: old.resident,
                    has_payload: old.has_payload,
                };
                b.expect(tree, &key, Some(&raw)).put(
                    tree,
                    &key,
                    self.seal_value(tree, &key, &item)?,
                );
                items += 1;
            }
        }
        b.expect(Tree::Meta, META_FORMAT, Some(&[format])).put(
            Tree::Meta,
            META_FORMAT,
            vec![STORE_FORMAT],
        );
        match self.backend.apply(&b)? {
            Applied::Yes => {}
            Applied::CheckFailed => {
                return Err(VaultError::CorruptMeta {
                    detail: "the store changed during its format migration".into(),
                });
            }
        }
        self.flush()?;
        tracing::info!(
            from = format,
            to = STORE_FORMAT,
            items,
            "vault store format migrated"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;
    use crate::vault::tests::{fresh, open_in};

    #[derive(Serialize)]
    struct WriteV1<'a> {
        seq: Sequence,
        idempotency_key: IdempotencyKey,
        reception_number: &'a ReceptionNumber,
        kind: &'a str,
        state: OutboxState,
        reason: &'a Option<String>,
        attempts: u32,
        enqueued_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        resident: Option<ResidentTag>,
        has_payload: bool,
    }

    /// Rewrites every outbox item and receipt as format 1 wrote it, and marks the store format 1.
    fn downgrade(v: &crate::Vault) {
        let inner = &v.inner;
        let mut b = Batch::new();
        for tree in [Tree::Outbox, Tree::Receipts] {
            for (key, raw) in inner.backend.scan(tree, b"").unwrap() {
                let i: OutboxItem = inner.open_value(tree, &key, &raw).unwrap();
                let old = WriteV1 {
                    seq: i.seq,
                    idempotency_key: i.idempotency_key,
                    reception_number: &i.reception_number,
                    kind: i.kind.label_ja(),
                    state: i.state,
                    reason: &i.reason,
                    attempts: i.attempts,
                    enqueued_at: i.enqueued_at,
                    updated_at: i.updated_at,
                    resident: i.resident,
                    has_payload: i.has_payload,
                };
                b.put(tree, &key, inner.seal_value(tree, &key, &old).unwrap());
            }
        }
        b.put(Tree::Meta, META_FORMAT, vec![FORMAT_KIND_LABELS]);
        assert!(matches!(inner.backend.apply(&b).unwrap(), Applied::Yes));
        inner.flush().unwrap();
    }

    #[test]
    fn format_1_outbox_reads_back_as_kinds() {
        let (dir, ks, v) = fresh();
        let outbox = v.outbox();
        let queued = outbox
            .enqueue("R1", NotificationKind::Reissue, b"payload")
            .unwrap();
        let done = outbox
            .enqueue("R2", NotificationKind::AcquisitionMoveIn, b"p2")
            .unwrap();
        outbox.withdraw(done.seq).unwrap();
        downgrade(&v);
        drop((outbox, v));

        let v = open_in(dir.path(), &ks).unwrap();
        let items = v.outbox().list().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].kind, NotificationKind::Reissue);
        assert_eq!(items[0].state, OutboxState::Queued);
        assert_eq!(items[1].kind, NotificationKind::AcquisitionMoveIn);
        assert_eq!(items[1].state, OutboxState::Withdrawn);
        assert_eq!(&v.outbox().payload(queued.seq).unwrap()[..], b"payload");
        assert_eq!(
            v.inner
                .backend
                .get(Tree::Meta, META_FORMAT)
                .unwrap()
                .as_deref(),
            Some(&[STORE_FORMAT][..])
        );
        // Still usable: the next item continues the sequence.
        let next = v
            .outbox()
            .enqueue("R3", NotificationKind::LossDeath, b"p3")
            .unwrap();
        assert_eq!(next.seq, Sequence(3));
    }

    #[test]
    fn an_unknown_label_stops_the_open_and_keeps_the_data() {
        let (dir, ks, v) = fresh();
        v.outbox()
            .enqueue("R1", NotificationKind::Reissue, b"payload")
            .unwrap();
        downgrade(&v);
        // Format 1 accepted any text; one this program cannot map is reported, not guessed.
        let inner = &v.inner;
        let (key, raw) = inner.backend.scan(Tree::Outbox, b"").unwrap().remove(0);
        let mut old: OutboxItemV1 = inner.open_value(Tree::Outbox, &key, &raw).unwrap();
        old.kind = "転入".into();
        let rewritten = WriteV1 {
            seq: old.seq,
            idempotency_key: old.idempotency_key,
            reception_number: &old.reception_number,
            kind: &old.kind,
            state: old.state,
            reason: &old.reason,
            attempts: old.attempts,
            enqueued_at: old.enqueued_at,
            updated_at: old.updated_at,
            resident: old.resident,
            has_payload: old.has_payload,
        };
        let mut b = Batch::new();
        b.put(
            Tree::Outbox,
            &key,
            inner.seal_value(Tree::Outbox, &key, &rewritten).unwrap(),
        );
        inner.backend.apply(&b).unwrap();
        inner.flush().unwrap();
        drop(v);
        let err = open_in(dir.path(), &ks).err().unwrap();
        assert!(matches!(err, VaultError::CorruptRecord { .. }), "{err:?}");
    }
}
