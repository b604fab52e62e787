//! Signed updates from the insurer, over the real mutual-TLS line (#21): the insurer hosts version N+1
//! signed offline; a training terminal at N downloads, verifies and stages it, refuses to install while a
//! clerk is signed in, installs at sign-out; a package with one flipped byte, one signed by another key and
//! an old package relabelled as newer are each refused with a Japanese message and reported to the
//! insurer, and N keeps running (the installer is never called for them).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use madoguchi_counter::{Counter, Installer, UpdateError, UpdateSettings, UpdateStatus};
use madoguchi_domain::StaffMessage;
use madoguchi_link::{LineMonitor, UnionClient};
use madoguchi_protocol::updates::UpdateOutcome;
use madoguchi_system_tests::union_host::UnionHost;
use madoguchi_system_tests::{link_config_via, open_vault};
use madoguchi_union_server::updates::UpdateShelf;
use madoguchi_update::sign::{generate_key_pair, sign_release};
use madoguchi_update::{Platform, Refusal, ReleaseClaim, TrustedKey, Version};

/// Records what it was asked to install, and the bytes, instead of running dpkg.
#[derive(Default)]
struct RecordingInstaller {
    installed: Mutex<Vec<(PathBuf, Vec<u8>)>>,
}

impl Installer for RecordingInstaller {
    fn install(&self, package: &Path) -> Result<(), String> {
        let bytes = std::fs::read(package).map_err(|e| e.to_string())?;
        self.installed
            .lock()
            .unwrap()
            .push((package.to_path_buf(), bytes));
        Ok(())
    }
}

const LINUX: Platform = Platform::LinuxX86_64Deb;

fn package_bytes(version: &str) -> Vec<u8> {
    // More than one chunk, so the download is resumed over several requests.
    let mut b = format!("synthetic Madoguchi package {version}\n").into_bytes();
    b.extend((0..2_500_000u32).map(|i| (i % 253) as u8));
    b
}

/// Writes `bytes` and the signature `secret` makes for (`signed_as`, Linux) into `dir`.
fn signed(dir: &Path, secret: &str, signed_as: &str, bytes: &[u8]) -> (PathBuf, String) {
    let path = dir.join(format!("pkg-{signed_as}-{}.deb", bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    let claim = ReleaseClaim {
        version: Version::parse(signed_as).unwrap(),
        platform: LINUX,
    };
    (path, sign_release(secret, &claim, bytes).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_takes_only_signed_newer_updates_and_installs_them_at_sign_out() {
    let dir = tempfile::tempdir().unwrap();
    let union = UnionHost::start(&dir.path().join("union")).await;
    // The administrator's side: the shelf the server reads, and the release key made offline.
    let shelf = UpdateShelf::open(&union.data_dir().join("updates")).unwrap();
    let incoming = dir.path().join("incoming");
    std::fs::create_dir_all(&incoming).unwrap();
    let (public, secret) = generate_key_pair().unwrap();
    let key = TrustedKey::parse(&public).unwrap();
    let now = chrono::Utc::now();

    let vault = open_vault(&dir.path().join("terminal"), &union.access.terminal_id);
    let client = UnionClient::new(
        &link_config_via(&union.access, union.addr.port(), Duration::from_secs(10)),
        LineMonitor::new(),
    )
    .unwrap();
    let (counter, _background) =
        Counter::start(client, vault, Duration::from_secs(30)).expect("counter starts");
    let mut settings = UpdateSettings {
        running: Version::parse("0.1.0").unwrap(),
        platform: LINUX,
        key,
        staging_dir: dir.path().join("terminal-updates"),
    };
    let installer = Arc::new(RecordingInstaller::default());

    // Nothing published: up to date.
    assert_eq!(
        counter.updates().fetch(&settings).await.unwrap(),
        UpdateStatus::UpToDate
    );

    // N+1, signed, published with the server checking the signature too.
    let good = package_bytes("0.2.0");
    let (path, sig) = signed(&incoming, &secret, "0.2.0", &good);
    shelf
        .publish(
            &path,
            &sig,
            "0.2.0",
            LINUX.as_str(),
            Some(&settings.key),
            now,
        )
        .unwrap();

    // Held for this municipality: nothing is offered until the insurer releases it.
    shelf.hold(union.municipality.as_str(), true).unwrap();
    assert_eq!(
        counter.updates().fetch(&settings).await.unwrap(),
        UpdateStatus::Held
    );
    shelf.hold(union.municipality.as_str(), false).unwrap();

    let staged = counter.updates().fetch(&settings).await.unwrap();
    assert_eq!(
        staged,
        UpdateStatus::Staged(Version::parse("0.2.0").unwrap())
    );

    // A clerk is at the counter: the update waits.
    counter
        .session()
        .sign_in(&union.access.clerk_user, &union.access.clerk_password)
        .await
        .expect("sign in");
    let during = counter
        .updates()
        .install_staged(&settings, installer.clone())
        .await;
    assert!(matches!(during, Err(UpdateError::SignedIn)), "{during:?}");
    assert!(
        during
            .unwrap_err()
            .message_ja()
            .contains("サインアウトすると更新します")
    );
    assert!(installer.installed.lock().unwrap().is_empty());

    // Sign-out: installed, exactly the published bytes.
    counter.session().sign_out().await;
    let installed = counter
        .updates()
        .install_staged(&settings, installer.clone())
        .await
        .unwrap();
    assert_eq!(installed, Some(Version::parse("0.2.0").unwrap()));
    {
        let done = installer.installed.lock().unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].1, good);
    }
    // Nothing is staged any more.
    assert_eq!(
        counter
            .updates()
            .install_staged(&settings, installer.clone())
            .await
            .unwrap(),
        None
    );
    settings.running = Version::parse("0.2.0").unwrap();

    // A hostile or broken insurer: each bad package is refused by the terminal itself.
    let refusals: [(&str, Vec<u8>, String, Refusal); 3] = {
        // One flipped byte after signing (the shelf recomputes the hash, so only the signature catches it).
        let mut flipped = package_bytes("0.3.0");
        let (_, sig_flipped) = signed(&incoming, &secret, "0.3.0", &flipped);
        flipped[1_000_000] ^= 0x01;
        // Signed by another key.
        let (_, other_secret) = generate_key_pair().unwrap();
        let other = package_bytes("0.3.1");
        let (_, sig_other) = signed(&incoming, &other_secret, "0.3.1", &other);
        // An older package (signed as 0.1.5) relabelled as 0.4.0 to force a downgrade.
        let old = package_bytes("0.1.5");
        let (_, sig_old) = signed(&incoming, &secret, "0.1.5", &old);
        [
            ("0.3.0", flipped, sig_flipped, Refusal::BadSignature),
            ("0.3.1", other, sig_other, Refusal::BadSignature),
            ("0.4.0", old, sig_old, Refusal::ClaimMismatch),
        ]
    };
    for (version, bytes, sig, expected) in refusals {
        let path = incoming.join(format!("bad-{version}.deb"));
        std::fs::write(&path, &bytes).unwrap();
        // Published without the server's check: the terminal must not rely on the insurer.
        shelf
            .publish(&path, &sig, version, LINUX.as_str(), None, now)
            .unwrap();
        let status = counter.updates().fetch(&settings).await.unwrap();
        assert_eq!(status, UpdateStatus::Refused(expected.clone()), "{version}");
        assert!(
            expected
                .message_ja()
                .contains("更新プログラムを適用しませんでした"),
            "{version}"
        );
        assert_eq!(
            counter
                .updates()
                .install_staged(&settings, installer.clone())
                .await
                .unwrap(),
            None,
            "{version}: nothing staged"
        );
        shelf.withdraw(version, LINUX.as_str()).unwrap();
    }
    // N keeps running: only the one good package was ever installed.
    assert_eq!(installer.installed.lock().unwrap().len(), 1);

    // The insurer holds every outcome, by terminal.
    let reports = shelf.reports().unwrap();
    let ours: Vec<_> = reports
        .iter()
        .filter(|r| r.terminal_id == union.access.terminal_id)
        .map(|r| (r.report.version.as_str(), r.report.outcome.clone()))
        .collect();
    let refused = |code: &str| UpdateOutcome::Refused { code: code.into() };
    assert_eq!(
        ours,
        vec![
            ("0.2.0", UpdateOutcome::Staged),
            ("0.2.0", UpdateOutcome::Installed),
            ("0.3.0", refused("update_bad_signature")),
            ("0.3.1", refused("update_bad_signature")),
            ("0.4.0", refused("update_claim_mismatch")),
        ]
    );
}
