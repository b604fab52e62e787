//! A damaged store is refused, never served and never a hang (issue #13 findings 3, 9, 10): bytes flipped
//! at many offsets of the sled file, a wrong `store.key`, a ledger behind its watermark; health probes are
//! not audited and retention removes what it should.
//!
//! Each damaged copy is checked by the `madoguchi-union verify` binary in a child process that the test
//! kills after a bound, so a hang fails the test instead of stalling the suite.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;

/// Copies a directory tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What `verify` said: exit success, standard output, standard error. Killed (and the test failed)
/// after 60 s.
fn verify(data: &Path) -> (bool, String, String) {
    let mut child = bin()
        .args(["verify", "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(_status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("verify hung on {}", data.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A served union with decided notifications, stopped; `(fixture dir kept alive, data copy before the
/// last decision, data copy after it)`.
async fn served_store() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let keep = tempfile::tempdir().unwrap();
    // The damage is done to sled's own files.
    let mut fx = Fixture::start_sled(20, None).await;
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let birth = date(1949, 4, 2);
    for _ in 0..2 {
        let (s, v) = desk
            .submit(uuid::Uuid::new_v4(), &move_in(birth, today, today, false))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // Let the background flusher settle before copying a store that is still open.
    let _ = fx.store.flush();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let before = keep.path().join("before");
    copy_dir(&fx.data, &before);
    let (s, v) = desk
        .submit(uuid::Uuid::new_v4(), &move_in(birth, today, today, true))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    if let Some(server) = fx.server.take() {
        server.shutdown().await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    let after = keep.path().join("after");
    copy_dir(&fx.data, &after);
    drop(fx);
    (keep, before, after)
}

#[tokio::test]
async fn flipped_bytes_are_refused_or_harmless_never_a_hang() {
    let (keep, _, original) = served_store().await;
    let (ok, clean, err) = verify(&original);
    assert!(ok, "the undamaged store verifies: {err}");
    assert!(clean.contains("決定台帳 3 件"), "{clean}");

    let db = original.join("union.sled").join("db");
    let len = std::fs::metadata(&db).unwrap().len();
    assert!(len > 0);
    // Offsets spread over the whole file, plus a few near the start where sled keeps its headers.
    let mut offsets: Vec<u64> = (0..48).map(|i| i * len / 48).collect();
    offsets.extend([1, 7, 13, 64, 100, 333]);
    offsets.retain(|o| *o < len);
    offsets.sort_unstable();
    offsets.dedup();
    let (mut refused, mut harmless) = (0, 0);
    for offset in &offsets {
        let case = keep.path().join(format!("flip-{offset}"));
        copy_dir(&original, &case);
        let target = case.join("union.sled").join("db");
        let mut bytes = std::fs::read(&target).unwrap();
        bytes[*offset as usize] ^= 0xff;
        std::fs::write(&target, &bytes).unwrap();
        let (ok, out, err) = verify(&case);
        if ok {
            // Accepted only when nothing was lost: the same counts as the original.
            assert_eq!(out, clean, "flip at {offset} accepted with other content");
            harmless += 1;
        } else {
            assert!(
                err.contains("起動を中止") || err.contains("開けません"),
                "flip at {offset}: a refusal names the damage in Japanese: {err}"
            );
            assert!(!err.contains("試験"), "no personal data in the message");
            refused += 1;
        }
        std::fs::remove_dir_all(&case).unwrap();
    }
    assert!(refused > 0, "no flip was detected ({harmless} harmless)");
}

#[tokio::test]
async fn a_wrong_store_key_is_refused_before_anything_is_written() {
    let (keep, _, original) = served_store().await;
    let case = keep.path().join("wrong-key");
    copy_dir(&original, &case);
    let (_, clean, _) = verify(&original);
    let right_key = std::fs::read(case.join("store.key")).unwrap();
    std::fs::write(case.join("store.key"), "ab".repeat(64)).unwrap();
    let (ok, _, err) = verify(&case);
    assert!(!ok);
    assert!(err.contains("store.key"), "{err}");
    assert!(
        err.contains("wrong store.key"),
        "English for the log: {err}"
    );
    // The server itself refuses the same way (`serve` opens the store with the same check).
    let res = madoguchi_union_server::store::SledStore::open(&case);
    assert!(matches!(
        res,
        Err(madoguchi_union_server::store::StoreError::WrongKey)
    ));
    // Nothing was written under the wrong key: with the right one back, the store is as it was.
    std::fs::write(case.join("store.key"), right_key).unwrap();
    let (ok, out, err) = verify(&case);
    assert!(ok, "{err}");
    assert_eq!(out, clean);
}

#[tokio::test]
async fn a_ledger_behind_its_watermark_is_refused() {
    let (keep, before, after) = served_store().await;
    // The database as it was before the last decision, with the watermark file written after it: what
    // a database that silently dropped an acknowledged tail looks like.
    let case = keep.path().join("behind");
    copy_dir(&before, &case);
    std::fs::copy(
        after.join("ledger.watermark"),
        case.join("ledger.watermark"),
    )
    .unwrap();
    let (ok, _, err) = verify(&case);
    assert!(!ok);
    assert!(err.contains("保存済みの決定が失われています"), "{err}");
    assert!(err.contains("2 in the ledger, 3 known flushed"), "{err}");
}

#[tokio::test]
async fn probes_are_not_audited_and_retention_removes_only_what_is_old() {
    let fx = Fixture::start(5, None).await;
    let m = municipality(MITSUKE);
    let desk = sign_in(&fx, T_MITSUKE, "152111-clerk").await;
    let count = || fx.store.audit(&m, None, 1_000_000).unwrap().len();
    let audited = count();
    for _ in 0..10 {
        let (s, _) = desk.get("/v1/health").await;
        assert_eq!(s, StatusCode::OK);
    }
    assert_eq!(count(), audited, "health probes are not audited");
    let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
    let key = uuid::Uuid::new_v4();
    let (s, _) = desk
        .submit(key, &move_in(date(1949, 4, 2), today, today, false))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(fx.store.idempotency(&m, key).unwrap().is_some());

    let now = chrono::Utc::now();
    // Nothing is old yet.
    let kept = fx
        .store
        .prune(
            Some(now - chrono::Duration::days(90)),
            Some(now - chrono::Duration::days(2557)),
        )
        .unwrap();
    assert_eq!((kept.idempotency, kept.audit), (0, 0));
    assert!(fx.store.idempotency(&m, key).unwrap().is_some());
    // Everything before tomorrow is old: the idempotency record and the audit entries go, the ledger stays.
    let ledger = fx.store.ledger_len().unwrap();
    let pruned = fx
        .store
        .prune(
            Some(now + chrono::Duration::days(1)),
            Some(now + chrono::Duration::days(1)),
        )
        .unwrap();
    assert!(pruned.idempotency >= 1 && pruned.audit >= 1, "{pruned:?}");
    assert!(fx.store.idempotency(&m, key).unwrap().is_none());
    assert_eq!(count(), 0);
    assert_eq!(fx.store.ledger_len().unwrap(), ledger);
    fx.shutdown().await;
}
