//! The vault against the real OS keyring (Linux kernel keyutils). Run under `keyctl session -`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use madoguchi_vault::{KeyStore, SecretKey, Vault, VaultError};

#[test]
fn vault_key_lives_in_the_os_keyring_across_opens() {
    let ks = os_keystore();
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), &ks);
    let id = v.vault_id().to_owned();
    let e = v
        .outbox()
        .enqueue(
            "131016:0000001",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"payload",
        )
        .unwrap();
    drop(v);
    assert!(ks.load(&id).unwrap().is_some(), "KEK stored in the keyring");
    // A second KeyringKeyStore (as after a restart) finds the same key.
    let v = open(dir.path(), &os_keystore());
    assert_eq!(&v.outbox().payload(e.seq).unwrap()[..], b"payload");
    drop(v);
    delete_key(&id);
}

#[test]
fn missing_keyring_entry_refuses_and_loses_nothing() {
    let ks = os_keystore();
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), &ks);
    let id = v.vault_id().to_owned();
    let e = v
        .outbox()
        .enqueue(
            "131016:0000002",
            madoguchi_domain::NotificationKind::Reissue,
            b"keep me",
        )
        .unwrap();
    drop(v);
    let saved = ks.load(&id).unwrap().unwrap();
    let before = snapshot(dir.path());

    delete_key(&id);
    let err = Vault::open(config(dir.path()), &ks)
        .err()
        .expect("must refuse");
    assert!(matches!(err, VaultError::KeyMissing { .. }), "{err:?}");
    assert!(err.message_ja().contains("見つかりません"));
    assert!(ks.load(&id).unwrap().is_none(), "no new key was created");
    assert_eq!(snapshot(dir.path()), before, "nothing on disk changed");

    // Put the key back (e.g. restored by the administrator): everything is there.
    ks.store_new(&id, &saved).unwrap();
    let v = open(dir.path(), &ks);
    assert_eq!(&v.outbox().payload(e.seq).unwrap()[..], b"keep me");
    drop(v);
    delete_key(&id);
}

#[test]
fn wrong_key_refuses_and_loses_nothing() {
    let ks = os_keystore();
    let dir = tempfile::tempdir().unwrap();
    let v = open(dir.path(), &ks);
    let id = v.vault_id().to_owned();
    let e = v
        .outbox()
        .enqueue(
            "131016:0000003",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"keep me too",
        )
        .unwrap();
    drop(v);
    let saved = ks.load(&id).unwrap().unwrap();
    let before = snapshot(dir.path());

    delete_key(&id);
    ks.store_new(&id, &SecretKey::generate().unwrap()).unwrap();
    let err = Vault::open(config(dir.path()), &ks)
        .err()
        .expect("must refuse");
    assert!(matches!(err, VaultError::WrongKey { .. }), "{err:?}");
    assert!(err.message_ja().contains("一致しません"));
    assert_eq!(snapshot(dir.path()), before, "nothing on disk changed");

    delete_key(&id);
    ks.store_new(&id, &saved).unwrap();
    let v = open(dir.path(), &ks);
    assert_eq!(&v.outbox().payload(e.seq).unwrap()[..], b"keep me too");
    drop(v);
    delete_key(&id);
}
