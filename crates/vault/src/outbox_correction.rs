//! Correction of a refused item (訂正): a 差戻し or 競合 is replaced by a corrected notification, entered as a
//! new item; the refused one becomes a receipt 訂正済み (payload erased), so the queue shows what happened
//! instead of a 取下げ nobody made (issue #14 finding 7). Kept apart from `outbox` (one job per file).

use crate::error::{Result, VaultError};
use crate::outbox::{Outbox, OutboxItem, OutboxState, Sequence};

impl Outbox {
    /// 差戻し / 競合 → 訂正済み: the item was corrected and entered again. The payload is erased; a receipt
    /// stays. Releases the resident's later items.
    pub fn mark_corrected(&self, seq: Sequence) -> Result<OutboxItem> {
        self.transition(seq, &[OutboxState::Rejected, OutboxState::Conflict], |i| {
            if !i.has_payload {
                return Err(VaultError::PayloadErased { seq });
            }
            i.state = OutboxState::Corrected;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::outbox::{OutboxState, Sequence};
    use crate::vault::tests::fresh;
    use madoguchi_domain::NotificationKind;

    #[test]
    fn only_a_refused_item_can_be_corrected_and_its_payload_goes() {
        let (_d, _k, v) = fresh();
        let o = v.outbox();
        let e = o
            .enqueue("rid:1", NotificationKind::Reissue, b"payload")
            .unwrap();
        // 未送信 is not refused: withdraw it instead.
        assert!(o.mark_corrected(e.seq).is_err());
        o.mark_sending(e.seq).unwrap();
        o.mark_rejected(e.seq, "差戻しの理由").unwrap();
        let item = o.mark_corrected(e.seq).unwrap();
        assert_eq!(item.state, OutboxState::Corrected);
        assert_eq!(item.state.label_ja(), "訂正済み");
        assert!(!item.has_payload);
        assert!(o.payload(e.seq).is_err());
        assert!(o.pending().unwrap().is_empty());
        // Twice is refused (nothing left to correct), and the receipt is listed.
        assert!(o.mark_corrected(e.seq).is_err());
        assert_eq!(o.list().unwrap()[0].seq, Sequence(e.seq.0));
    }
}
