use super::*;
use crate::vault::tests::fresh;

fn seqs(items: &[SendableItem]) -> Vec<u64> {
    items.iter().map(|s| s.item.seq.0).collect()
}

#[test]
fn enqueue_numbers_and_receipt() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    let a = ob
        .enqueue(
            "131016:0001",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"a",
        )
        .unwrap();
    let b = ob
        .enqueue(
            "131016:0002",
            madoguchi_domain::NotificationKind::Reissue,
            b"b",
        )
        .unwrap();
    assert_eq!((a.seq, b.seq), (Sequence(1), Sequence(2)));
    assert_ne!(a.idempotency_key, b.idempotency_key);
    assert_eq!(a.idempotency_key.0.get_version_num(), 7);
    assert!(a.reception_number.as_str().starts_with("T01-000001-"));
    let item = ob.get(a.seq).unwrap();
    assert_eq!(item.state, OutboxState::Queued);
    assert_eq!(item.state.label_ja(), "未送信");
    assert_eq!(
        item.kind,
        madoguchi_domain::NotificationKind::AcquisitionMoveIn
    );
    assert_eq!(
        ob.find_by_reception_number(b.reception_number.as_str())
            .unwrap()
            .unwrap()
            .seq,
        b.seq
    );
}

#[test]
fn check_digit_catches_single_digit_errors() {
    let base = ReceptionNumber::new("T", Sequence(123456));
    for wrong in [123457u64, 123446, 223456, 124456] {
        let w = ReceptionNumber::new("T", Sequence(wrong));
        assert_ne!(
            base.as_str().rsplit('-').next(),
            w.as_str().rsplit('-').next(),
            "{wrong}"
        );
    }
}

#[test]
fn rejects_bad_input() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    assert!(matches!(
        ob.enqueue(
            "",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b""
        ),
        Err(VaultError::InvalidInput(_))
    ));
}

#[test]
fn one_in_flight_per_resident_in_order() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    ob.enqueue(
        "A",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"a1",
    )
    .unwrap(); // 1
    ob.enqueue(
        "A",
        madoguchi_domain::NotificationKind::ChangeOfParticulars,
        b"a2",
    )
    .unwrap(); // 2
    ob.enqueue(
        "B",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"b1",
    )
    .unwrap(); // 3
    ob.enqueue(
        "A",
        madoguchi_domain::NotificationKind::MailingAddressChange,
        b"a3",
    )
    .unwrap(); // 4
    let first = ob.next_sendable(10).unwrap();
    assert_eq!(seqs(&first), vec![1, 3]);
    assert_eq!(&first[0].payload[..], b"a1");
    assert_eq!(seqs(&ob.next_sendable(1).unwrap()), vec![1]);

    assert!(matches!(
        ob.mark_sending(Sequence(2)),
        Err(VaultError::NotHeadOfResident { .. })
    ));
    ob.mark_sending(Sequence(1)).unwrap();
    assert_eq!(seqs(&ob.next_sendable(10).unwrap()), vec![3]);
    ob.mark_accepted(Sequence(1)).unwrap();
    assert_eq!(seqs(&ob.next_sendable(10).unwrap()), vec![2, 3]);

    // A rejection holds back the resident's later items until retried or withdrawn.
    ob.mark_sending(Sequence(2)).unwrap();
    let r = ob.mark_rejected(Sequence(2), "添付書類不足").unwrap();
    assert_eq!(r.state.label_ja(), "差戻し");
    assert_eq!(r.reason.as_deref(), Some("添付書類不足"));
    assert!(r.has_payload);
    assert_eq!(seqs(&ob.next_sendable(10).unwrap()), vec![3]);
    ob.withdraw(Sequence(2)).unwrap();
    assert_eq!(seqs(&ob.next_sendable(10).unwrap()), vec![3, 4]);
}

#[test]
fn acknowledgement_erases_the_payload_and_keeps_a_receipt() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    let e = ob
        .enqueue(
            "A",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"secret payload",
        )
        .unwrap();
    ob.mark_sending(e.seq).unwrap();
    let acc = ob.mark_accepted(e.seq).unwrap();
    assert_eq!(acc.state, OutboxState::Accepted);
    assert!(!acc.has_payload && acc.resident.is_none());
    assert!(
        v.inner
            .backend
            .get(Tree::OutboxPayload, &e.seq.key())
            .unwrap()
            .is_none()
    );
    assert!(
        v.inner
            .backend
            .get(Tree::Outbox, &e.seq.key())
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        ob.payload(e.seq),
        Err(VaultError::PayloadErased { .. })
    ));
    assert!(matches!(
        ob.retry(e.seq),
        Err(VaultError::PayloadErased { .. })
    ));
    let dec = ob.mark_decided(e.seq).unwrap();
    assert_eq!(dec.state.label_ja(), "決定");
    assert_eq!(ob.list().unwrap(), vec![dec]);
    assert!(ob.pending().unwrap().is_empty());
}

#[test]
fn transitions_are_compare_and_set() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    let e = ob
        .enqueue(
            "A",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"x",
        )
        .unwrap();
    match ob.mark_accepted(e.seq) {
        Err(VaultError::StateConflict { actual, .. }) => {
            assert_eq!(actual, OutboxState::Queued)
        }
        other => panic!("{other:?}"),
    }
    ob.mark_sending(e.seq).unwrap();
    assert!(matches!(
        ob.mark_sending(e.seq),
        Err(VaultError::StateConflict { .. })
    ));
    assert!(matches!(
        ob.withdraw(e.seq),
        Err(VaultError::StateConflict { .. })
    ));
    let c = ob.mark_conflict(e.seq, "他の届出で住所が変更済み").unwrap();
    assert_eq!(c.state.label_ja(), "競合");
    let q = ob.retry(e.seq).unwrap();
    assert_eq!(q.state, OutboxState::Queued);
    assert_eq!(q.attempts, 1);
    assert!(matches!(
        ob.get(Sequence(99)),
        Err(VaultError::NotFound { .. })
    ));
}

#[test]
fn startup_sweep_resets_in_flight_items() {
    let (dir, ks, v) = fresh();
    let ob = v.outbox();
    ob.enqueue(
        "A",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"a",
    )
    .unwrap();
    ob.enqueue(
        "B",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"b",
    )
    .unwrap();
    ob.mark_sending(Sequence(1)).unwrap();
    ob.mark_sending(Sequence(2)).unwrap();
    ob.mark_accepted(Sequence(2)).unwrap();
    drop((ob, v));
    let v = crate::vault::tests::open_in(dir.path(), &ks).unwrap();
    assert_eq!(v.outbox().startup_sweep().unwrap(), 1);
    assert_eq!(
        v.outbox().get(Sequence(1)).unwrap().state,
        OutboxState::Queued
    );
    assert_eq!(
        v.outbox().get(Sequence(2)).unwrap().state,
        OutboxState::Accepted
    );
}

#[test]
fn concurrent_enqueues_get_unique_gap_free_numbers() {
    let (_d, _k, v) = fresh();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let ob = v.outbox();
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| {
                        ob.enqueue(
                            &format!("R{t}"),
                            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
                            &[i],
                        )
                        .unwrap()
                        .seq
                        .0
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<u64> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    assert_eq!(all, (1..=100).collect::<Vec<_>>());
}

#[test]
fn receipts_retention() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    for r in ["A", "B"] {
        let e = ob
            .enqueue(
                r,
                madoguchi_domain::NotificationKind::AcquisitionMoveIn,
                b"x",
            )
            .unwrap();
        ob.mark_sending(e.seq).unwrap();
        ob.mark_accepted(e.seq).unwrap();
    }
    ob.mark_decided(Sequence(1)).unwrap();
    let future = Utc::now() + chrono::Duration::days(1);
    assert_eq!(ob.purge_receipts_before(future).unwrap(), 1);
    assert_eq!(
        ob.list()
            .unwrap()
            .iter()
            .map(|i| i.seq.0)
            .collect::<Vec<_>>(),
        vec![2]
    );
}

#[test]
fn resident_key_is_only_stored_hashed() {
    let (_d, _k, v) = fresh();
    let ob = v.outbox();
    ob.enqueue(
        "131016:0000123",
        madoguchi_domain::NotificationKind::AcquisitionMoveIn,
        b"x",
    )
    .unwrap();
    let item = ob.get(Sequence(1)).unwrap();
    assert_eq!(item.resident, Some(ob.resident_tag("131016:0000123")));
    assert_ne!(
        ob.resident_tag("131016:0000123"),
        ob.resident_tag("131016:0000124")
    );
    assert_eq!(ob.pending_for_resident("131016:0000123").unwrap().len(), 1);
    assert!(!format!("{item:?}").contains("0000123"));
}
