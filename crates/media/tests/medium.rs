//! A medium goes through the real `clamscan` with the project's test signature database
//! (assets/clamav/, the EICAR test signature only). Skipped only when clamscan is absent and
//! MADOGUCHI_REQUIRE_CLAMAV is unset; scripts/test.sh sets it to 1.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::{Path, PathBuf};

use madoguchi_domain::{StaffMessage, StaffUserId};
use madoguchi_media::{MediaError, Refusal, Registration, ScanConfig, register};
use sha2::{Digest, Sha256};

fn config() -> Option<ScanConfig> {
    let present = std::process::Command::new("clamscan")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !present {
        if std::env::var("MADOGUCHI_REQUIRE_CLAMAV").as_deref() == Ok("1") {
            panic!(
                "clamscan is not installed (MADOGUCHI_REQUIRE_CLAMAV=1): apt-get install clamav"
            );
        }
        eprintln!(
            "SKIPPED: clamscan is not installed; install Debian's clamav (scripts/install-deps.sh) or set MADOGUCHI_REQUIRE_CLAMAV=1 to fail"
        );
        return None;
    }
    Some(ScanConfig {
        database: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/clamav")),
        ..ScanConfig::default()
    })
}

fn who() -> Registration {
    Registration {
        staff: StaffUserId::parse("clerk01").unwrap(),
        at: "2026-04-01T09:00:00+09:00".into(),
        volume_id: Some("USB-TEST".into()),
    }
}

/// The EICAR test file, assembled at run time so this source file does not itself match.
fn eicar() -> Vec<u8> {
    let mut v = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR".to_vec();
    v.extend_from_slice(b"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");
    v
}

fn medium() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("juki.dat"), b"H juki data").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/shotoku.csv"), b"H,shotoku").unwrap();
    dir
}

#[test]
fn a_clean_medium_is_registered_with_sizes_and_hashes() {
    let Some(cfg) = config() else { return };
    let dir = medium();
    let entry = register(dir.path(), who(), &cfg).unwrap();
    let names: Vec<&Path> = entry.files.iter().map(|f| f.relative.as_path()).collect();
    assert_eq!(names, [Path::new("juki.dat"), Path::new("sub/shotoku.csv")]);
    assert_eq!(entry.files[0].size, 11);
    assert_eq!(
        entry.files[0].sha256,
        hex::encode(Sha256::digest(b"H juki data"))
    );
    let text = entry.render_ja();
    assert!(
        text.contains("登録者: clerk01") && text.contains("juki.dat\t11バイト"),
        "{text}"
    );
    let mut f = entry.open_verified(Path::new("juki.dat")).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    assert_eq!(
        s, "H juki data",
        "the verified handle starts at the beginning"
    );
}

#[test]
fn an_eicar_file_refuses_the_medium_naming_the_file() {
    let Some(cfg) = config() else { return };
    let dir = medium();
    std::fs::write(dir.path().join("sub/kiwari.dat"), eicar()).unwrap();
    let e = register(dir.path(), who(), &cfg).unwrap_err();
    assert_eq!(e.code(), "infected");
    let MediaError::Refused(list) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(list.len(), 1);
    assert!(matches!(&list[0], Refusal::Infected { file, signature }
        if file == Path::new("sub/kiwari.dat") && signature.starts_with("Madoguchi.Test.EICAR")));
    let ja = e.message_ja();
    assert!(
        ja.contains("sub/kiwari.dat: ウイルス等（Madoguchi.Test.EICAR"),
        "{ja}"
    );
    assert!(ja.contains("この媒体は取り込めません"));
}

#[test]
fn a_scanner_that_cannot_run_refuses_the_medium() {
    let Some(mut cfg) = config() else { return };
    cfg.database = Some(PathBuf::from("/nonexistent/clamav-db"));
    let e = register(medium().path(), who(), &cfg).unwrap_err();
    assert!(matches!(e, MediaError::Scanner(_)), "{e:?}");
    assert!(
        e.message_ja()
            .contains("ウイルス検査（ClamAV）を実行できませんでした")
    );
    cfg.clamscan = PathBuf::from("/nonexistent/clamscan");
    let e = register(medium().path(), who(), &cfg).unwrap_err();
    assert_eq!(e.code(), "scanner_unavailable");
}

#[test]
fn a_symlink_leaving_the_folder_is_refused() {
    let Some(cfg) = config() else { return };
    let dir = medium();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("sub/link.dat")).unwrap();
    let e = register(dir.path(), who(), &cfg).unwrap_err();
    assert!(matches!(&e, MediaError::SymlinkOutside { file } if file == Path::new("sub/link.dat")));
    assert!(
        e.message_ja()
            .contains("sub/link.datは媒体の外を指すリンクです")
    );

    // A link that stays inside is skipped: its target is registered as itself.
    let dir = medium();
    std::os::unix::fs::symlink(dir.path().join("juki.dat"), dir.path().join("again.dat")).unwrap();
    let entry = register(dir.path(), who(), &cfg).unwrap();
    assert_eq!(entry.files.len(), 2);
}

#[test]
fn a_file_replaced_between_scan_and_read_is_refused() {
    let Some(cfg) = config() else { return };
    let dir = medium();
    let entry = register(dir.path(), who(), &cfg).unwrap();
    // Replaced by another file of the same size (rename over it, as a copy tool would).
    let other = dir.path().join("other.tmp");
    std::fs::write(&other, b"H juki DATA").unwrap();
    std::fs::rename(&other, dir.path().join("juki.dat")).unwrap();
    let e = entry.open_verified(Path::new("juki.dat")).unwrap_err();
    assert_eq!(e.code(), "changed_after_scan");
    assert!(
        e.message_ja()
            .contains("juki.datはウイルス検査の後で変更または置き換えられました")
    );

    // Rewritten in place with the same size and time: the hash tells.
    let entry = register(dir.path(), who(), &cfg).unwrap();
    let path = dir.path().join("sub/shotoku.csv");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, b"H,shotokU").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let e = entry
        .open_verified(Path::new("sub/shotoku.csv"))
        .unwrap_err();
    assert!(matches!(e, MediaError::Changed { .. }));
}

#[test]
fn a_file_above_the_limit_is_refused_before_scanning() {
    let Some(mut cfg) = config() else { return };
    cfg.max_file_size = 10;
    let e = register(medium().path(), who(), &cfg).unwrap_err();
    assert!(
        matches!(&e, MediaError::TooLarge { file, size: 11, max: 10 } if file == Path::new("juki.dat"))
    );
    assert!(e.message_ja().contains("上限"));
}

#[test]
fn an_empty_medium_is_refused() {
    let Some(cfg) = config() else { return };
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        register(dir.path(), who(), &cfg),
        Err(MediaError::NoFiles)
    ));
}

#[test]
fn a_zip_bomb_is_unscannable_and_refused() {
    let Some(mut cfg) = config() else { return };
    // 5 MiB of zeros deflated to 5 KB; the scan limit is 1 MiB, so clamscan cannot look inside whole.
    cfg.max_file_size = 1024 * 1024;
    let dir = medium();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zeros-5mib.zip"),
        dir.path().join("sub/bomb.zip"),
    )
    .unwrap();
    let e = register(dir.path(), who(), &cfg).unwrap_err();
    assert_eq!(e.code(), "unscannable");
    let MediaError::Refused(list) = &e else {
        panic!("{e:?}")
    };
    assert!(matches!(&list[0], Refusal::Unscannable { file, why }
        if file == Path::new("sub/bomb.zip") && why.starts_with("Heuristics.Limits.Exceeded")));
    assert!(
        e.message_ja()
            .contains("sub/bomb.zip: ウイルス検査ができませんでした")
    );
}
