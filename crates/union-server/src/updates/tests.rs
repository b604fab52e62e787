use chrono::TimeZone;
use madoguchi_protocol::updates::UpdateOutcome;
use madoguchi_update::ReleaseClaim;
use madoguchi_update::sign::{generate_key_pair, sign_release};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 1, 0, 0)
        .single()
        .expect("time")
}

struct Fixture {
    _dir: tempfile::TempDir,
    shelf: UpdateShelf,
    pkg_dir: PathBuf,
    secret: String,
    key: TrustedKey,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let shelf = UpdateShelf::open(&dir.path().join("updates")).expect("shelf");
    let pkg_dir = dir.path().join("incoming");
    fs::create_dir_all(&pkg_dir).expect("mkdir");
    let (public, secret) = generate_key_pair().expect("keys");
    Fixture {
        key: TrustedKey::parse(&public).expect("key"),
        _dir: dir,
        shelf,
        pkg_dir,
        secret,
    }
}

impl Fixture {
    /// A package file of `len` bytes and its signature for `version` on Linux.
    fn package(&self, version: &str, len: usize) -> (PathBuf, String) {
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 256) as u8).collect();
        let path = self.pkg_dir.join(format!("p-{version}.deb"));
        fs::write(&path, &bytes).expect("write");
        let claim = ReleaseClaim {
            version: Version::parse(version).expect("v"),
            platform: Platform::LinuxX86_64Deb,
        };
        (
            path,
            sign_release(&self.secret, &claim, &bytes).expect("sign"),
        )
    }
}

const LINUX: &str = "linux-x86_64-deb";

#[test]
fn the_newest_release_newer_than_the_running_version_is_offered() {
    let f = fixture();
    for v in ["0.2.0", "0.3.0"] {
        let (p, sig) = f.package(v, 3000);
        f.shelf
            .publish(&p, &sig, v, LINUX, Some(&f.key), now())
            .expect("publish");
    }
    let offer = f.shelf.offer("152111", LINUX, "0.1.0").expect("offer");
    assert_eq!(
        offer.offer.as_ref().map(|o| o.version.as_str()),
        Some("0.3.0")
    );
    assert!(!offer.held);
    assert!(
        f.shelf
            .offer("152111", LINUX, "0.3.0")
            .expect("offer")
            .offer
            .is_none()
    );
    assert!(
        f.shelf
            .offer("152111", "windows-x86_64-nsis", "0.1.0")
            .expect("offer")
            .offer
            .is_none()
    );
}

#[test]
fn a_held_municipality_gets_nothing_until_released_and_a_withdrawn_release_is_not_offered() {
    let f = fixture();
    let (p, sig) = f.package("0.2.0", 100);
    f.shelf
        .publish(&p, &sig, "0.2.0", LINUX, Some(&f.key), now())
        .expect("publish");
    f.shelf.hold("152111", true).expect("hold");
    let held = f.shelf.offer("152111", LINUX, "0.1.0").expect("offer");
    assert!(held.held && held.offer.is_none());
    assert!(
        f.shelf
            .offer("152021", LINUX, "0.1.0")
            .expect("offer")
            .offer
            .is_some()
    );
    f.shelf.hold("152111", false).expect("release");
    assert!(
        f.shelf
            .offer("152111", LINUX, "0.1.0")
            .expect("offer")
            .offer
            .is_some()
    );
    f.shelf.withdraw("0.2.0", LINUX).expect("withdraw");
    assert!(
        f.shelf
            .offer("152111", LINUX, "0.1.0")
            .expect("offer")
            .offer
            .is_none()
    );
    assert!(matches!(
        f.shelf.withdraw("0.2.0", LINUX),
        Err(ShelfError::NoSuchRelease)
    ));
}

#[test]
fn publication_refuses_a_bad_signature_a_mislabelled_version_and_a_duplicate() {
    let f = fixture();
    let (p, sig) = f.package("0.2.0", 100);
    // Signed as 0.2.0, published as 0.4.0.
    assert!(matches!(
        f.shelf
            .publish(&p, &sig, "0.4.0", LINUX, Some(&f.key), now()),
        Err(ShelfError::Refused(
            madoguchi_update::Refusal::ClaimMismatch
        ))
    ));
    let mut bytes = fs::read(&p).expect("read");
    bytes[10] ^= 1;
    fs::write(&p, &bytes).expect("write");
    assert!(matches!(
        f.shelf
            .publish(&p, &sig, "0.2.0", LINUX, Some(&f.key), now()),
        Err(ShelfError::Refused(madoguchi_update::Refusal::BadSignature))
    ));
    let (p, sig) = f.package("0.2.0", 100);
    f.shelf
        .publish(&p, &sig, "0.2.0", LINUX, Some(&f.key), now())
        .expect("publish");
    assert!(matches!(
        f.shelf
            .publish(&p, &sig, "0.2.0", LINUX, Some(&f.key), now()),
        Err(ShelfError::AlreadyPublished)
    ));
    assert!(matches!(
        f.shelf.publish(&p, &sig, "two", LINUX, None, now()),
        Err(ShelfError::Malformed)
    ));
    assert!(!ShelfError::AlreadyPublished.message_ja().is_empty());
}

#[test]
fn chunks_reassemble_the_package_exactly() {
    let f = fixture();
    let len = (MAX_PACKAGE_CHUNK as usize) * 2 + 12_345;
    let (p, sig) = f.package("0.2.0", len);
    f.shelf
        .publish(&p, &sig, "0.2.0", LINUX, Some(&f.key), now())
        .expect("publish");
    let mut got = Vec::new();
    loop {
        let c = f
            .shelf
            .chunk(&PackageChunkRequest {
                platform: LINUX.into(),
                version: "0.2.0".into(),
                offset: got.len() as u64,
                limit: u64::MAX,
            })
            .expect("chunk");
        assert_eq!(c.total, len as u64);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(c.data)
            .expect("b64");
        assert!(bytes.len() as u64 <= MAX_PACKAGE_CHUNK);
        if bytes.is_empty() {
            break;
        }
        got.extend(bytes);
    }
    assert_eq!(got, fs::read(&p).expect("read"));
    assert!(matches!(
        f.shelf.chunk(&PackageChunkRequest {
            platform: LINUX.into(),
            version: "0.2.0".into(),
            offset: len as u64 + 1,
            limit: 10,
        }),
        Err(ShelfError::Malformed)
    ));
}

#[test]
fn reports_are_kept_per_terminal_and_a_torn_line_hides_nothing_else() {
    let f = fixture();
    let report = |outcome| UpdateReport {
        platform: LINUX.into(),
        version: "0.2.0".into(),
        running: "0.1.0".into(),
        outcome,
    };
    assert_eq!(
        f.shelf
            .report("T-1", "152111", report(UpdateOutcome::Staged), now())
            .expect("report"),
        1
    );
    // A crash mid-append leaves half a line.
    let mut file = OpenOptions::new()
        .append(true)
        .open(f.shelf.dir.join(REPORTS))
        .expect("open");
    write!(file, "{{\"at\":\"2026-").expect("torn");
    writeln!(file).expect("newline");
    assert_eq!(
        f.shelf
            .report(
                "T-1",
                "152111",
                report(UpdateOutcome::Refused {
                    code: "update_bad_signature".into()
                }),
                now()
            )
            .expect("report"),
        2
    );
    f.shelf
        .report("T-2", "152111", report(UpdateOutcome::Installed), now())
        .expect("report");
    let all = f.shelf.reports().expect("reports");
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].terminal_id, "T-2");
}
