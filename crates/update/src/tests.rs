use madoguchi_domain::StaffMessage;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use crate::sign::{generate_key_pair, sign_release};
use crate::*;

fn v(s: &str) -> Version {
    Version::parse(s).expect("version")
}

const HERE: Platform = Platform::LinuxX86_64Deb;

/// A package of `version` for `platform`, signed by `secret`, offered as signed.
fn offer(secret: &str, version: &str, platform: Platform, bytes: &[u8]) -> Offer {
    let claim = ReleaseClaim {
        version: v(version),
        platform,
    };
    Offer {
        version: v(version),
        platform,
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
        signature: sign_release(secret, &claim, bytes).expect("sign"),
    }
}

fn package() -> Vec<u8> {
    (0..50_000u32).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_newer_signed_package_for_this_platform_is_accepted() {
    let (public, secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let o = offer(&secret, "0.2.0", HERE, &bytes);
    let ok = verify_package(&key, &v("0.1.0"), HERE, &o, &bytes).expect("accepted");
    assert_eq!(ok.version, v("0.2.0"));
    assert_eq!(ok.sha256, o.sha256);
}

#[test]
fn one_flipped_byte_is_refused_even_when_the_offer_is_rewritten_to_match() {
    let (public, secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let o = offer(&secret, "0.2.0", HERE, &bytes);
    let mut flipped = bytes.clone();
    flipped[12_345] ^= 0x01;
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &o, &flipped),
        Err(Refusal::HashMismatch)
    );
    // A hostile insurer recomputes the hash: the signature still does not verify.
    let rewritten = Offer {
        sha256: hex::encode(Sha256::digest(&flipped)),
        ..o
    };
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &rewritten, &flipped),
        Err(Refusal::BadSignature)
    );
}

#[test]
fn a_package_signed_by_another_key_is_refused() {
    let (public, _) = generate_key_pair().expect("keys");
    let (_, other_secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let o = offer(&other_secret, "0.2.0", HERE, &bytes);
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &o, &bytes),
        Err(Refusal::BadSignature)
    );
}

#[test]
fn older_and_same_versions_are_refused() {
    let (public, secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    for (running, offered) in [
        ("0.2.0", "0.1.9"),
        ("0.2.0", "0.2.0"),
        ("1.0.0", "1.0.0-rc.1"),
    ] {
        let o = offer(&secret, offered, HERE, &bytes);
        assert_eq!(
            verify_package(&key, &v(running), HERE, &o, &bytes),
            Err(Refusal::NotNewer),
            "{running} ← {offered}"
        );
    }
}

#[test]
fn an_old_signed_package_relabelled_as_new_is_refused() {
    let (public, secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let old = offer(&secret, "0.1.0", HERE, &bytes);
    let relabelled = Offer {
        version: v("9.9.9"),
        ..old
    };
    assert_eq!(
        verify_package(&key, &v("0.2.0"), HERE, &relabelled, &bytes),
        Err(Refusal::ClaimMismatch)
    );
}

#[test]
fn another_platform_is_refused_whether_offered_or_only_signed_so() {
    let (public, secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let windows = offer(&secret, "0.2.0", Platform::WindowsX86_64Nsis, &bytes);
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &windows, &bytes),
        Err(Refusal::WrongPlatform)
    );
    let relabelled = Offer {
        platform: HERE,
        ..windows
    };
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &relabelled, &bytes),
        Err(Refusal::ClaimMismatch)
    );
}

#[test]
fn a_truncated_download_is_refused() {
    let (public, secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let o = offer(&secret, "0.2.0", HERE, &bytes);
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &o, &bytes[..bytes.len() - 1]),
        Err(Refusal::SizeMismatch)
    );
}

#[test]
fn garbage_signatures_and_keys_are_malformed_not_panics() {
    let (public, secret) = generate_key_pair().expect("keys");
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let o = Offer {
        signature: "not base64 at all!".into(),
        ..offer(&secret, "0.2.0", HERE, &bytes)
    };
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &o, &bytes),
        Err(Refusal::Malformed("signature encoding"))
    );
    assert!(TrustedKey::parse("").is_err());
    assert!(TrustedKey::parse("AAAA").is_err());
}

#[test]
fn a_signature_without_a_release_claim_is_refused() {
    // What `tauri signer sign` writes: a valid signature whose trusted comment names no version.
    let pair = minisign::KeyPair::generate_unencrypted_keypair().expect("keys");
    let public = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        pair.pk.to_box().expect("box").to_string(),
    );
    let key = TrustedKey::parse(&public).expect("key");
    let bytes = package();
    let sig = minisign::sign(
        None,
        &pair.sk,
        std::io::Cursor::new(&bytes),
        Some("timestamp:1765000000\tfile:Madoguchi_0.2.0_amd64.deb"),
        None,
    )
    .expect("sign");
    let o = Offer {
        version: v("0.2.0"),
        platform: HERE,
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(&bytes)),
        signature: base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            sig.to_string(),
        ),
    };
    assert_eq!(
        verify_package(&key, &v("0.1.0"), HERE, &o, &bytes),
        Err(Refusal::ClaimMismatch)
    );
}

#[test]
fn keys_are_read_in_every_format_minisign_and_tauri_print() {
    let pair = minisign::KeyPair::generate_unencrypted_keypair().expect("keys");
    let boxed = pair.pk.to_box().expect("box").to_string();
    let tauri = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &boxed);
    let bare = pair.pk.to_base64();
    for text in [&tauri, &boxed, &bare] {
        assert!(TrustedKey::parse(text).is_ok(), "{text}");
    }
}

#[test]
fn every_refusal_has_its_own_code_and_a_japanese_message() {
    let all = [
        Refusal::NotNewer,
        Refusal::WrongPlatform,
        Refusal::SizeMismatch,
        Refusal::HashMismatch,
        Refusal::BadSignature,
        Refusal::ClaimMismatch,
        Refusal::Malformed("x"),
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(Refusal::code).collect();
    assert_eq!(codes.len(), all.len());
    for r in &all {
        let m = r.message_ja();
        assert!(m.contains("更新プログラムを適用しませんでした"), "{m}");
        assert!(m.contains("今の版のまま"), "{m}");
    }
}

#[test]
fn claims_round_trip_and_platform_names_parse() {
    for p in Platform::ALL {
        let claim = ReleaseClaim {
            version: v("1.2.3-rc.1"),
            platform: p,
        };
        assert_eq!(
            ReleaseClaim::parse(&claim.to_trusted_comment()),
            Some(claim)
        );
        assert_eq!(p.as_str().parse::<Platform>(), Ok(p));
    }
    assert_eq!(
        ReleaseClaim::parse("madoguchi-release version=1.0.0 platform=linux-x86_64-deb extra"),
        None
    );
}

proptest! {
    #[test]
    fn claim_parsing_never_panics(s in "\\PC{0,80}") {
        let _ = ReleaseClaim::parse(&s);
    }
}
