//! Shared helpers of the integration tests: the real OS keyring (kernel keyutils on Linux) and
//! synthetic data. These tests need a session keyring: run them as
//! `keyctl session - cargo test -p madoguchi-vault` (Debian package `keyutils`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use madoguchi_vault::{KEYRING_SERVICE, KeyStore, KeyringKeyStore, SecretKey, Vault, VaultConfig};

pub const NEED_SESSION: &str = "these tests use the real OS keyring (Linux kernel keyutils), which needs a \
session keyring: run them as `keyctl session - cargo test -p madoguchi-vault` (package `keyutils`)";

/// The OS keystore, checked to really keep a key (outside a session keyring keyutils accepts the
/// store call but the key cannot be read back). Fails the test with instructions otherwise.
pub fn os_keystore() -> KeyringKeyStore {
    let ks = KeyringKeyStore::os_default().unwrap_or_else(|e| panic!("{NEED_SESSION}: {e}"));
    let probe = format!("probe-{}", uuid::Uuid::now_v7().simple());
    let key = SecretKey::generate().expect("random key");
    if let Err(e) = ks.store_new(&probe, &key) {
        panic!("{NEED_SESSION}: {e}");
    }
    match ks.load(&probe) {
        Ok(Some(k)) if k == key => {}
        other => panic!("{NEED_SESSION}: probe key not readable back: {other:?}"),
    }
    delete_key(&probe);
    ks
}

/// Remove a vault's KEK from the OS keyring (to test a lost key).
pub fn delete_key(vault_id: &str) {
    #[cfg(target_os = "linux")]
    {
        use keyring_core::api::CredentialStoreApi;
        let store = linux_keyutils_keyring_store::Store::new().expect("keyutils store");
        let entry = store.build(KEYRING_SERVICE, vault_id, None).expect("entry");
        entry.delete_credential().expect("delete key");
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = vault_id;
        panic!("delete_key is only implemented for Linux keyutils");
    }
}

pub fn config(dir: &Path) -> VaultConfig {
    VaultConfig::new(dir.join("vault"), "T01")
}

pub fn open(dir: &Path, ks: &KeyringKeyStore) -> Vault {
    Vault::open(config(dir), ks).unwrap_or_else(|e| panic!("open failed: {e}"))
}

/// Every file under `dir` with the BLAKE3 hash of its contents (to show nothing changed).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    files_under(dir)
        .into_iter()
        .map(|(p, b)| (p, blake3::hash(&b).to_hex().to_string()))
        .collect()
}

/// Every file under `dir`, recursively, with its bytes.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("read file");
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

/// Tiny deterministic generator for synthetic data (no external crate needed for this).
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SYLLABLES: [&str; 45] = [
    "ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ",
    "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ",
    "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ン",
];

/// A synthetic katakana name of 4–8 syllables.
pub fn kana_name(g: &mut Gen) -> String {
    let n = 4 + g.below(5);
    (0..n)
        .map(|_| SYLLABLES[g.below(SYLLABLES.len() as u64) as usize])
        .collect()
}

/// A syntactically valid synthetic 個人番号 (12 digits with the mod-11 check digit).
pub fn my_number(g: &mut Gen) -> String {
    let body: Vec<u32> = (0..11).map(|_| g.below(10) as u32).collect();
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let n = i as u32 + 1;
            d * if n <= 6 { n + 1 } else { n - 5 }
        })
        .sum();
    let r = sum % 11;
    let check = if r <= 1 { 0 } else { 11 - r };
    body.iter()
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .chain([char::from_digit(check, 10).unwrap_or('0')])
        .collect()
}
