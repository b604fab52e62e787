//! `madoguchi-admin release keygen|sign`: the offline release signing a terminal then verifies.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::{Command, Output};

use madoguchi_update::{Offer, Platform, Refusal, TrustedKey, Version, verify_package};
use sha2::{Digest, Sha256};

fn admin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_madoguchi-admin"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn a_package_signed_offline_verifies_on_the_terminal_for_its_version_only() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let out = admin(&["release", "keygen", keys.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keys.join("release-key.secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the secret key is private");
    }
    // A second keygen never overwrites the key.
    let again = admin(&["release", "keygen", keys.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("上書きはしません"));

    let package = dir.path().join("Madoguchi_0.2.0_amd64.deb");
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(&package, &bytes).unwrap();
    let secret = keys.join("release-key.secret");
    let out = admin(&[
        "release",
        "sign",
        "--key",
        secret.to_str().unwrap(),
        "--package",
        package.to_str().unwrap(),
        "--version",
        "0.2.0",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signature =
        std::fs::read_to_string(dir.path().join("Madoguchi_0.2.0_amd64.deb.sig")).unwrap();
    let key =
        TrustedKey::parse(&std::fs::read_to_string(keys.join("release-key.pub")).unwrap()).unwrap();
    let offer = |version: &str| Offer {
        version: Version::parse(version).unwrap(),
        platform: Platform::LinuxX86_64Deb,
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        signature: signature.clone(),
    };
    let running = Version::parse("0.1.0").unwrap();
    assert!(
        verify_package(
            &key,
            &running,
            Platform::LinuxX86_64Deb,
            &offer("0.2.0"),
            &bytes
        )
        .is_ok()
    );
    assert_eq!(
        verify_package(
            &key,
            &running,
            Platform::LinuxX86_64Deb,
            &offer("0.9.0"),
            &bytes
        ),
        Err(Refusal::ClaimMismatch)
    );

    // Bad input: a Japanese refusal, exit 1, nothing written.
    let bad = admin(&[
        "release",
        "sign",
        "--key",
        secret.to_str().unwrap(),
        "--package",
        package.to_str().unwrap(),
        "--version",
        "二",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("版の書き方"));
    let wrong_key = admin(&[
        "release",
        "sign",
        "--key",
        keys.join("release-key.pub").to_str().unwrap(),
        "--package",
        package.to_str().unwrap(),
        "--version",
        "0.2.0",
    ]);
    assert_eq!(wrong_key.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&wrong_key.stderr).contains("秘密鍵"));
}
