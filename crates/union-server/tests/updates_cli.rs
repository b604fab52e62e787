//! `madoguchi-union updates publish|hold|withdraw|list`: the shelf's command line, with the release public
//! key in `<data>/updates/release-key.pub` so a package that does not verify is refused at publication.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use common::*;
use madoguchi_update::sign::{generate_key_pair, sign_release};
use madoguchi_update::{Platform, ReleaseClaim, Version};

#[test]
fn publish_hold_withdraw_and_list_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("updates")).unwrap();
    let (public, secret) = generate_key_pair().unwrap();
    std::fs::write(data.join("updates/release-key.pub"), &public).unwrap();
    let package = dir.path().join("Madoguchi_0.2.0_amd64.deb");
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 199) as u8).collect();
    std::fs::write(&package, &bytes).unwrap();
    let claim = ReleaseClaim {
        version: Version::parse("0.2.0").unwrap(),
        platform: Platform::LinuxX86_64Deb,
    };
    let sig = dir.path().join("p.sig");
    std::fs::write(&sig, sign_release(&secret, &claim, &bytes).unwrap()).unwrap();

    // Published as another version than signed: refused in Japanese, exit 1, nothing listed.
    let wrong = bin()
        .args(["updates", "publish", "--data"])
        .arg(&data)
        .arg("--package")
        .arg(&package)
        .arg("--signature")
        .arg(&sig)
        .args(["--version", "0.3.0"])
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("署名の検証に失敗"),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );

    let out = ok(bin()
        .args(["updates", "publish", "--data"])
        .arg(&data)
        .arg("--package")
        .arg(&package)
        .arg("--signature")
        .arg(&sig)
        .args(["--version", "0.2.0"]));
    assert!(
        out.contains("登録しました") && out.contains("署名検証済み"),
        "{out}"
    );
    assert!(
        ok(bin()
            .args(["updates", "hold", "--data"])
            .arg(&data)
            .args(["--municipality", "152111"]))
        .contains("保留しました")
    );
    let list = ok(bin().args(["updates", "list", "--data"]).arg(&data));
    assert!(
        list.contains("release linux-x86_64-deb 0.2.0 70000 bytes"),
        "{list}"
    );
    ok(bin()
        .args(["updates", "withdraw", "--data"])
        .arg(&data)
        .args(["--version", "0.2.0"]));
    let list = ok(bin().args(["updates", "list", "--data"]).arg(&data));
    assert!(list.contains("(取り下げ)"), "{list}");
    // Bad input: a Japanese message, exit 1.
    let bad = bin()
        .args(["updates", "withdraw", "--data"])
        .arg(&data)
        .args(["--version", "9.9.9"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("その版の更新プログラムはありません"));
}
