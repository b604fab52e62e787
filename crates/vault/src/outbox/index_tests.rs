use super::*;
use crate::vault::tests::fresh;

#[test]
fn index_follows_pending_items_and_damage_is_detected() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    ob.enqueue(
        "A",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"a1",
    )
    .unwrap();
    ob.enqueue(
        "A",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"a2",
    )
    .unwrap();
    ob.enqueue(
        "B",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"b1",
    )
    .unwrap();
    assert_eq!(
        v.inner.backend.scan(Tree::OutboxIndex, b"").unwrap().len(),
        3
    );
    ob.mark_sending(Sequence(1)).unwrap();
    ob.mark_accepted(Sequence(1)).unwrap();
    ob.withdraw(Sequence(3)).unwrap();
    let left = v.inner.backend.scan(Tree::OutboxIndex, b"").unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(
        parse_index_key(&left[0].0).unwrap(),
        (ob.resident_tag("A"), Sequence(2))
    );
    assert_eq!(ob.startup_sweep().unwrap(), 0);
    // An index entry lost (or an extra one) makes the outbox refuse to start.
    let mut b = Batch::new();
    b.remove(Tree::OutboxIndex, &left[0].0);
    v.inner.backend.apply(&b).unwrap();
    assert!(matches!(
        ob.startup_sweep(),
        Err(VaultError::CorruptRecord {
            tree: "outbox_index",
            ..
        })
    ));
}
