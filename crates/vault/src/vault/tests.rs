use super::*;
use crate::keystore::KeyringKeyStore;
use crate::keystore::tests::mock_keystore;

pub(crate) fn open_in(dir: &std::path::Path, ks: &KeyringKeyStore) -> Result<Vault> {
    Vault::open(VaultConfig::new(dir.join("vault"), "T01"), ks)
}

pub(crate) fn fresh() -> (tempfile::TempDir, KeyringKeyStore, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let ks = mock_keystore();
    let v = open_in(dir.path(), &ks).unwrap();
    (dir, ks, v)
}

#[test]
fn reopen_keeps_identity_and_data() {
    let (dir, ks, v) = fresh();
    let id = v.vault_id().to_owned();
    v.settings().set("ui.font-size", &14u32).unwrap();
    drop(v);
    let v = open_in(dir.path(), &ks).unwrap();
    assert_eq!(v.vault_id(), id);
    assert_eq!(v.settings().get::<u32>("ui.font-size").unwrap(), Some(14));
}

#[test]
fn missing_key_refuses_and_changes_nothing() {
    let (dir, ks, v) = fresh();
    let e = v
        .outbox()
        .enqueue(
            "R1",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"payload",
        )
        .unwrap();
    drop(v);
    let empty = mock_keystore();
    let err = open_in(dir.path(), &empty).err().unwrap();
    assert!(matches!(err, VaultError::KeyMissing { .. }), "{err:?}");
    assert!(err.message_ja().contains("暗号鍵"));
    // The refused open created no key and the data is intact with the right key.
    assert!(empty.load(&err_vault_id(&err)).unwrap().is_none());
    let v = open_in(dir.path(), &ks).unwrap();
    assert_eq!(&v.outbox().payload(e.seq).unwrap()[..], b"payload");
}

fn err_vault_id(e: &VaultError) -> String {
    match e {
        VaultError::KeyMissing { vault_id } | VaultError::WrongKey { vault_id } => vault_id.clone(),
        _ => String::new(),
    }
}

#[test]
fn wrong_key_refuses_and_changes_nothing() {
    let (dir, ks, v) = fresh();
    let id = v.vault_id().to_owned();
    let e = v
        .outbox()
        .enqueue(
            "R1",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"payload",
        )
        .unwrap();
    drop(v);
    let other = mock_keystore();
    other
        .store_new(&id, &SecretKey::generate().unwrap())
        .unwrap();
    let err = open_in(dir.path(), &other).err().unwrap();
    assert!(matches!(err, VaultError::WrongKey { .. }), "{err:?}");
    let v = open_in(dir.path(), &ks).unwrap();
    assert_eq!(&v.outbox().payload(e.seq).unwrap()[..], b"payload");
}

#[test]
fn set_aside_keeps_the_old_vault_and_allows_a_fresh_one() {
    let (dir, ks, v) = fresh();
    let old_id = v.vault_id().to_owned();
    v.outbox()
        .enqueue(
            "R1",
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            b"payload",
        )
        .unwrap();
    drop(v);
    let err = open_in(dir.path(), &mock_keystore()).err().unwrap();
    assert!(matches!(err, VaultError::KeyMissing { .. }));
    let moved = Vault::set_aside(&dir.path().join("vault")).unwrap();
    assert!(moved.join(header::FILE).exists());
    let fresh_vault = open_in(dir.path(), &ks).unwrap();
    assert_ne!(fresh_vault.vault_id(), old_id);
    assert!(fresh_vault.outbox().list().unwrap().is_empty());
    // The moved vault still opens with its key.
    let old = Vault::open(VaultConfig::new(&moved, "T01"), &ks).unwrap();
    assert_eq!(
        &old.outbox().payload(crate::Sequence(1)).unwrap()[..],
        b"payload"
    );
}

#[test]
fn header_of_another_vault_is_refused() {
    let (dir_a, ks, a) = fresh();
    drop(a);
    let dir_b = tempfile::tempdir().unwrap();
    drop(open_in(dir_b.path(), &ks).unwrap());
    std::fs::copy(
        dir_a.path().join("vault").join(header::FILE),
        dir_b.path().join("vault").join(header::FILE),
    )
    .unwrap();
    let err = open_in(dir_b.path(), &ks).err().unwrap();
    assert!(matches!(err, VaultError::CorruptMeta { .. }), "{err:?}");
}

#[test]
fn crash_after_header_before_database_reuses_the_identity() {
    let (dir, ks, v) = fresh();
    let id = v.vault_id().to_owned();
    drop(v);
    let vdir = dir.path().join("vault");
    std::fs::remove_dir_all(vdir.join(STORE_DIR)).unwrap();
    std::fs::remove_file(vdir.join(watermark::FILE)).unwrap();
    let v = open_in(dir.path(), &ks).unwrap();
    assert_eq!(v.vault_id(), id);
}

#[test]
fn damaged_watermark_is_refused() {
    let (dir, ks, v) = fresh();
    drop(v);
    std::fs::write(dir.path().join("vault").join(watermark::FILE), [7u8; 80]).unwrap();
    let err = open_in(dir.path(), &ks).err().unwrap();
    assert!(matches!(err, VaultError::CorruptMeta { .. }), "{err:?}");
}

#[test]
fn second_open_of_the_same_directory_is_refused() {
    let (dir, ks, _v) = fresh();
    let err = open_in(dir.path(), &ks).err().unwrap();
    assert!(matches!(err, VaultError::InUse), "{err:?}");
}

#[test]
fn data_without_metadata_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let backend = SledBackend::open(&dir.path().join("v")).unwrap();
    let mut b = Batch::new();
    b.put(Tree::Outbox, &[0; 8], vec![1, 2, 3]);
    backend.apply(&b).unwrap();
    let err = Vault::open_on(
        Box::new(backend),
        VaultConfig::new(dir.path(), "T01"),
        &mock_keystore(),
        None,
        None,
    )
    .err()
    .unwrap();
    assert!(matches!(err, VaultError::CorruptMeta { .. }), "{err:?}");
}

#[test]
fn terminal_code_is_validated() {
    let dir = tempfile::tempdir().unwrap();
    let err = Vault::open(VaultConfig::new(dir.path(), "山田"), &mock_keystore())
        .err()
        .unwrap();
    assert!(matches!(err, VaultError::InvalidInput(_)));
}

fn all_key_ids(v: &Vault) -> Vec<u32> {
    let mut ids = Vec::new();
    for t in Tree::SEALED {
        for (_, val) in v.inner.backend.scan(t, b"").unwrap() {
            ids.push(key_id_of(&val).unwrap());
        }
    }
    ids
}

fn populate(v: &Vault) {
    let ob = v.outbox();
    for i in 0..20 {
        ob.enqueue(
            &format!("R{}", i % 3),
            madoguchi_domain::NotificationKind::AcquisitionMoveIn,
            format!("payload {i}").as_bytes(),
        )
        .unwrap();
    }
    ob.mark_sending(crate::Sequence(1)).unwrap();
    ob.mark_accepted(crate::Sequence(1)).unwrap();
    v.cache()
        .put(
            "resident",
            "12345678",
            b"cached",
            crate::Expiry::EndOfBusinessDay,
        )
        .unwrap();
    v.settings().set("ui.mode", &"normal").unwrap();
    v.audit_log().append(b"audit 1").unwrap();
}

#[test]
fn rotation_reseals_everything_and_drops_the_old_key() {
    let (dir, ks, v) = fresh();
    populate(&v);
    assert!(all_key_ids(&v).iter().all(|i| *i == 1));
    let r = v.rotate_data_key().unwrap();
    assert_eq!(r.new_key_id, 2);
    assert_eq!(r.resealed as usize, all_key_ids(&v).len());
    assert!(all_key_ids(&v).iter().all(|i| *i == 2));
    assert!(
        v.inner
            .backend
            .get(Tree::Meta, &dek_name(1))
            .unwrap()
            .is_none()
    );
    assert_eq!(
        v.key_status().unwrap(),
        KeyStatus {
            active_data_key: 2,
            rotation_pending: false
        }
    );
    drop(v);
    let v = open_in(dir.path(), &ks).unwrap();
    assert_eq!(v.outbox().list().unwrap().len(), 20);
    assert_eq!(
        &v.outbox().payload(crate::Sequence(20)).unwrap()[..],
        b"payload 19"
    );
    assert_eq!(
        &v.cache().get("resident", "12345678").unwrap().unwrap()[..],
        b"cached"
    );
    assert_eq!(v.key_status().unwrap().active_data_key, 2);
}

#[test]
fn interrupted_rotation_resumes_on_open() {
    let (dir, ks, v) = fresh();
    populate(&v);
    // Crash right after the new key became active, before any record was re-sealed.
    v.inner.start_rotation().unwrap();
    // Half the records re-sealed.
    let records: Vec<_> = v.inner.backend.scan(Tree::Outbox, b"").unwrap();
    for (k, val) in records.iter().take(records.len() / 2) {
        let pt = v.inner.open(Tree::Outbox, k, val).unwrap();
        let mut b = Batch::new();
        b.put(Tree::Outbox, k, v.inner.seal(Tree::Outbox, k, &pt).unwrap());
        v.inner.backend.apply(&b).unwrap();
    }
    v.flush().unwrap();
    assert!(v.key_status().unwrap().rotation_pending);
    assert!(all_key_ids(&v).contains(&1) && all_key_ids(&v).contains(&2));
    drop(v);
    let v = open_in(dir.path(), &ks).unwrap();
    assert_eq!(
        v.key_status().unwrap(),
        KeyStatus {
            active_data_key: 2,
            rotation_pending: false
        }
    );
    assert!(all_key_ids(&v).iter().all(|i| *i == 2));
    assert_eq!(v.outbox().list().unwrap().len(), 20);
}

#[test]
fn corrupt_record_is_named_and_kept() {
    let (_dir, _ks, v) = fresh();
    populate(&v);
    let key = crate::Sequence(5).key();
    let good = v.inner.backend.get(Tree::Outbox, &key).unwrap().unwrap();
    let mut bad = good.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x80;
    let mut b = Batch::new();
    b.put(Tree::Outbox, &key, bad.clone());
    v.inner.backend.apply(&b).unwrap();

    let err = v.outbox().startup_sweep().unwrap_err();
    match &err {
        VaultError::CorruptRecord { tree, record } => {
            assert_eq!(*tree, "outbox");
            assert_eq!(record, "#5");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.message_ja().contains("送信待ちの届出"));
    assert!(v.outbox().list().is_err());
    assert!(matches!(
        v.outbox().get(crate::Sequence(5)),
        Err(VaultError::CorruptRecord { .. })
    ));
    // Nothing was deleted or overwritten, and other functions still work.
    assert_eq!(
        v.inner.backend.get(Tree::Outbox, &key).unwrap().unwrap(),
        bad
    );
    assert_eq!(
        &v.cache().get("resident", "12345678").unwrap().unwrap()[..],
        b"cached"
    );
    // A rotation refuses too, leaving the record as it is.
    assert!(matches!(
        v.rotate_data_key(),
        Err(VaultError::CorruptRecord { .. })
    ));
    assert_eq!(
        v.inner.backend.get(Tree::Outbox, &key).unwrap().unwrap(),
        bad
    );
}

#[test]
fn swapped_records_do_not_open() {
    let (_dir, _ks, v) = fresh();
    populate(&v);
    let k2 = crate::Sequence(2).key();
    let k3 = crate::Sequence(3).key();
    let v2 = v
        .inner
        .backend
        .get(Tree::OutboxPayload, &k2)
        .unwrap()
        .unwrap();
    let mut b = Batch::new();
    b.put(Tree::OutboxPayload, &k3, v2);
    v.inner.backend.apply(&b).unwrap();
    assert!(matches!(
        v.outbox().payload(crate::Sequence(3)),
        Err(VaultError::CorruptRecord {
            tree: "outbox_payload",
            ..
        })
    ));
}
