//! The outbox against a plain in-memory model of its rules, over random operation sequences.
use super::*;
use crate::vault::tests::fresh;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Enqueue(u8),
    SendNext(u8),
    Accept(u8),
    Decide(u8),
    Reject(u8),
    Conflict(u8),
    Retry(u8),
    Withdraw(u8),
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..4).prop_map(Op::Enqueue),
        2 => (1u8..4).prop_map(Op::SendNext),
        2 => any::<u8>().prop_map(Op::Accept),
        1 => any::<u8>().prop_map(Op::Decide),
        1 => any::<u8>().prop_map(Op::Reject),
        1 => any::<u8>().prop_map(Op::Conflict),
        1 => any::<u8>().prop_map(Op::Retry),
        1 => any::<u8>().prop_map(Op::Withdraw),
        1 => Just(Op::Sweep),
    ]
}

#[derive(Debug, Clone)]
struct M {
    resident: u8,
    state: OutboxState,
    payload: bool,
}

fn is_head(m: &[M], i: usize) -> bool {
    !m[..i]
        .iter()
        .any(|x| x.payload && x.resident == m[i].resident)
}

fn sendable(m: &[M]) -> Vec<u64> {
    (0..m.len())
        .filter(|&i| m[i].payload && m[i].state == OutboxState::Queued && is_head(m, i))
        .map(|i| i as u64 + 1)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn outbox_follows_its_rules(ops in proptest::collection::vec(op(), 1..40)) {
        use OutboxState::*;
        let (_d, _k, v) = fresh();
        let ob = v.outbox();
        let mut m: Vec<M> = Vec::new();
        for op in ops {
            let pick = |n: u8| (!m.is_empty()).then(|| usize::from(n) % m.len());
            match op {
                Op::Enqueue(r) => {
                    let e = ob.enqueue(&format!("R{r}"), madoguchi_domain::NotificationKind::AcquisitionMoveIn, &[r]).unwrap();
                    m.push(M { resident: r, state: Queued, payload: true });
                    prop_assert_eq!(e.seq.0, m.len() as u64);
                }
                Op::SendNext(limit) => {
                    let got: Vec<u64> =
                        ob.next_sendable(usize::from(limit)).unwrap().iter().map(|s| s.item.seq.0).collect();
                    let want: Vec<u64> = sendable(&m).into_iter().take(usize::from(limit)).collect();
                    prop_assert_eq!(&got, &want);
                    for s in got {
                        ob.mark_sending(Sequence(s)).unwrap();
                        m[s as usize - 1].state = Sending;
                    }
                }
                Op::Sweep => {
                    let n = ob.startup_sweep().unwrap();
                    let mut expected = 0;
                    for x in m.iter_mut().filter(|x| x.state == Sending && x.payload) {
                        x.state = Queued;
                        expected += 1;
                    }
                    prop_assert_eq!(n, expected);
                }
                other => {
                    let Some(i) = pick(match other {
                        Op::Accept(n) | Op::Decide(n) | Op::Reject(n) | Op::Conflict(n)
                        | Op::Retry(n) | Op::Withdraw(n) => n,
                        _ => 0,
                    }) else { continue };
                    let seq = Sequence(i as u64 + 1);
                    let x = m[i].clone();
                    let (result, next): (Result<OutboxItem>, Option<M>) = match other {
                        Op::Accept(_) => (ob.mark_accepted(seq), (x.state == Sending)
                            .then(|| M { state: Accepted, payload: false, ..x.clone() })),
                        Op::Decide(_) => (ob.mark_decided(seq), matches!(x.state, Sending | Accepted)
                            .then(|| M { state: Decided, payload: false, ..x.clone() })),
                        Op::Reject(_) => (ob.mark_rejected(seq, "理由"), matches!(x.state, Sending | Accepted)
                            .then(|| M { state: Rejected, ..x.clone() })),
                        Op::Conflict(_) => (ob.mark_conflict(seq, "理由"), matches!(x.state, Sending | Accepted)
                            .then(|| M { state: Conflict, ..x.clone() })),
                        Op::Retry(_) => (ob.retry(seq), (x.payload && matches!(x.state, Sending | Rejected | Conflict))
                            .then(|| M { state: Queued, ..x.clone() })),
                        _ => (ob.withdraw(seq), (x.payload && matches!(x.state, Queued | Rejected | Conflict))
                            .then(|| M { state: Withdrawn, payload: false, ..x.clone() })),
                    };
                    match next {
                        Some(n) => {
                            let item = result.unwrap();
                            prop_assert_eq!(item.state, n.state);
                            prop_assert_eq!(item.has_payload, n.payload);
                            m[i] = n;
                        }
                        None => prop_assert!(result.is_err(), "{:?} on {:?} should fail", other, x),
                    }
                }
            }
            // The stored list matches the model after every step.
            let listed: Vec<(OutboxState, bool)> =
                ob.list().unwrap().iter().map(|i| (i.state, i.has_payload)).collect();
            let modelled: Vec<(OutboxState, bool)> = m.iter().map(|x| (x.state, x.payload)).collect();
            prop_assert_eq!(listed, modelled);
        }
    }
}
