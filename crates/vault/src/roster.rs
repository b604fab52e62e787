//! Optional offline roster (オフライン用被保険者名簿): a minimal list of the municipality's insured
//! residents — 被保険者番号, カナ search key, birth date, qualification state, and who they are (the union's
//! opaque id, 氏名, カナ) so a notification can be taken for them while the line is down; no address, no
//! 個人番号 — refreshed daily. Off by default, switched on by union policy
//! ([`crate::Settings::set_roster_enabled`]).
//!
//! Store format 2 (manifest `n`, chunks `d…`) added the person; a format-1 roster (`m`, `c…`) is not read
//! and is erased by the next daily refresh (it is a copy of the union's list, never the only one).
//!
//! At rest the roster is sealed in chunks of [`CHUNK_ENTRIES`] entries; no kana or number is stored in
//! plain text, not even as an index. Search happens in memory after the chunks are opened: a sorted
//! vector and binary search for the カナ prefix (150,000 residents ≈ 10 MB; measured in
//! `benches/vault_bench.rs`). A refresh writes a new generation and switches the manifest atomically,
//! so a crash mid-refresh leaves the previous roster intact.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::kana::SeionKey;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::backend::{Applied, Batch, Tree};
use crate::error::{Result, VaultError};
use crate::vault::Vault;

/// Entries per sealed chunk.
pub const CHUNK_ENTRIES: usize = 4096;
const MANIFEST_KEY: &[u8] = b"n";
const CHUNK_PREFIX: u8 = b'd';
/// Format 1 (without the person): erased at the next refresh.
const LEGACY_MANIFEST_KEY: &[u8] = b"m";
const LEGACY_CHUNK_PREFIX: u8 = b'c';

/// 資格状態 as the roster knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Qualification {
    /// 資格あり
    Qualified,
    /// 資格喪失
    Lost,
}

impl Qualification {
    /// 資格あり / 資格喪失.
    pub fn label_ja(self) -> &'static str {
        match self {
            Qualification::Qualified => "資格あり",
            Qualification::Lost => "資格喪失",
        }
    }
}

/// One resident in the offline roster. `Debug` redacts; the kana key is zeroized on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    /// 被保険者番号 (8 digits; checked again when read back).
    insured_number: InsuredNumber,
    /// カナ search key: the 清音化 key (`madoguchi_domain::kana::SeionKey`) as text. Kept as a plain string
    /// so 150,000 entries load without re-normalising each one.
    kana_key: String,
    /// 生年月日
    pub birth_date: NaiveDate,
    /// Insured or not.
    pub qualification: Qualification,
    /// The union's opaque id of the resident (a UUID), when the union sent it.
    resident_id: Option<uuid::Uuid>,
    /// 氏名, when the union sent it.
    name: Option<String>,
    /// 氏名カナ as registered, when the union sent it.
    kana: Option<String>,
}

impl RosterEntry {
    /// An entry; the kana key is checked.
    pub fn new(
        insured_number: InsuredNumber,
        kana_key: &SeionKey,
        birth_date: NaiveDate,
        qualification: Qualification,
    ) -> Result<Self> {
        if kana_key.as_str().is_empty() || kana_key.as_str().len() > 256 {
            return Err(VaultError::InvalidInput("kana key must be 1–256 bytes"));
        }
        Ok(RosterEntry {
            insured_number,
            kana_key: kana_key.as_str().to_owned(),
            birth_date,
            qualification,
            resident_id: None,
            name: None,
            kana: None,
        })
    }

    /// The entry naming the resident: the union's opaque id, 氏名 and カナ (each 1–256 bytes).
    pub fn with_person(mut self, resident_id: uuid::Uuid, name: &str, kana: &str) -> Result<Self> {
        for v in [name, kana] {
            if v.is_empty() || v.len() > 256 {
                return Err(VaultError::InvalidInput(
                    "name and kana must be 1–256 bytes",
                ));
            }
        }
        self.resident_id = Some(resident_id);
        self.name = Some(name.to_owned());
        self.kana = Some(kana.to_owned());
        Ok(self)
    }

    /// The union's opaque id of the resident, when listed.
    pub fn resident_id(&self) -> Option<uuid::Uuid> {
        self.resident_id
    }

    /// 氏名, when listed.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// 氏名カナ, when listed.
    pub fn kana(&self) -> Option<&str> {
        self.kana.as_deref()
    }
    /// 被保険者番号
    pub fn insured_number(&self) -> &InsuredNumber {
        &self.insured_number
    }
    /// The 清音化 カナ search key, as text.
    pub fn kana_key(&self) -> &str {
        &self.kana_key
    }
}

impl std::fmt::Debug for RosterEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RosterEntry")
            .field("insured_number", &"<redacted>")
            .field("kana_key", &"<redacted>")
            .field("birth_date", &"<redacted>")
            .field("qualification", &self.qualification)
            .field("person", &self.resident_id.map(|_| "<redacted>"))
            .finish()
    }
}

impl Drop for RosterEntry {
    fn drop(&mut self) {
        self.kana_key.zeroize();
        self.name.zeroize();
        self.kana.zeroize();
    }
}

/// What is loaded, as of when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterInfo {
    /// 基準日 of the list the union sent.
    pub as_of: NaiveDate,
    /// Residents listed.
    pub count: u64,
    /// When the copy was stored.
    pub refreshed_at: DateTime<Utc>,
    generation: u32,
    chunks: u32,
}

impl RosterInfo {
    /// The roster is refreshed daily; older than `today` means stale (show it to staff).
    pub fn is_stale(&self, today: NaiveDate) -> bool {
        self.as_of < today
    }
}

/// The opened roster held in memory, sorted by kana key (then 被保険者番号).
pub(crate) struct LoadedRoster {
    generation: u32,
    entries: Vec<RosterEntry>,
    /// Positions into `entries` sorted by 被保険者番号.
    by_number: Vec<u32>,
}

impl LoadedRoster {
    fn build(generation: u32, mut entries: Vec<RosterEntry>) -> Self {
        entries.sort_by(|a, b| {
            a.kana_key
                .cmp(&b.kana_key)
                .then_with(|| a.insured_number.cmp(&b.insured_number))
        });
        let mut by_number: Vec<u32> = (0..entries.len() as u32).collect();
        by_number.sort_by(|a, b| {
            entries[*a as usize]
                .insured_number
                .cmp(&entries[*b as usize].insured_number)
        });
        LoadedRoster {
            generation,
            entries,
            by_number,
        }
    }

    fn prefix(&self, prefix: &str, limit: usize) -> Vec<RosterEntry> {
        let start = self
            .entries
            .partition_point(|e| e.kana_key.as_str() < prefix);
        self.entries[start..]
            .iter()
            .take_while(|e| e.kana_key.starts_with(prefix))
            .take(limit)
            .cloned()
            .collect()
    }

    fn number(&self, number: &InsuredNumber) -> Option<RosterEntry> {
        let i = self
            .by_number
            .binary_search_by(|p| self.entries[*p as usize].insured_number.cmp(number))
            .ok()?;
        Some(self.entries[self.by_number[i] as usize].clone())
    }
}

fn chunk_key(generation: u32, index: u32) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = CHUNK_PREFIX;
    k[1..5].copy_from_slice(&generation.to_be_bytes());
    k[5..9].copy_from_slice(&index.to_be_bytes());
    k
}

/// Handle on the offline roster of a [`Vault`].
#[derive(Clone)]
pub struct Roster {
    vault: Vault,
}

impl Vault {
    /// The offline roster of this vault.
    pub fn roster(&self) -> Roster {
        Roster {
            vault: self.clone(),
        }
    }
}

impl Roster {
    fn require_enabled(&self) -> Result<()> {
        if self.vault.settings().roster_enabled()? {
            Ok(())
        } else {
            Err(VaultError::RosterDisabled)
        }
    }

    /// What is loaded, or `None` if nothing is.
    pub fn info(&self) -> Result<Option<RosterInfo>> {
        self.vault.inner.get_value(Tree::Roster, MANIFEST_KEY)
    }

    /// Replace the whole roster with the daily list (`as_of` = its 基準日). Durable before it returns.
    pub fn replace(&self, entries: Vec<RosterEntry>, as_of: NaiveDate) -> Result<RosterInfo> {
        self.require_enabled()?;
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let old = self.info()?;
        let old_raw = inner.backend.get(Tree::Roster, MANIFEST_KEY)?;
        let generation = old
            .as_ref()
            .map_or(1, |i| i.generation.wrapping_add(1).max(1));
        // Leftovers of a refresh that crashed before switching the manifest.
        self.remove_chunks_except(old.as_ref().map(|i| i.generation))?;
        self.remove_legacy()?;

        let mut chunks = 0u32;
        for (i, chunk) in entries.chunks(CHUNK_ENTRIES).enumerate() {
            let key = chunk_key(generation, i as u32);
            let mut b = Batch::new();
            b.put(
                Tree::Roster,
                &key,
                inner.seal_value(Tree::Roster, &key, &chunk)?,
            );
            inner.backend.apply(&b)?;
            chunks += 1;
        }
        // Chunks durable first, then the switch.
        inner.flush()?;
        let info = RosterInfo {
            as_of,
            count: entries.len() as u64,
            refreshed_at: Utc::now(),
            generation,
            chunks,
        };
        let mut b = Batch::new();
        b.expect(Tree::Roster, MANIFEST_KEY, old_raw.as_deref())
            .put(
                Tree::Roster,
                MANIFEST_KEY,
                inner.seal_value(Tree::Roster, MANIFEST_KEY, &info)?,
            );
        if inner.backend.apply(&b)? != Applied::Yes {
            return Err(VaultError::Storage {
                detail: "roster replaced concurrently".into(),
            });
        }
        inner.flush()?;
        self.remove_chunks_except(Some(generation))?;
        let loaded = Arc::new(LoadedRoster::build(generation, entries));
        *inner.roster.lock().map_err(|_| poisoned())? = Some(loaded);
        Ok(info)
    }

    fn remove_chunks_except(&self, keep: Option<u32>) -> Result<()> {
        let inner = &self.vault.inner;
        let mut b = Batch::new();
        for (k, _) in inner.backend.scan(Tree::Roster, &[CHUNK_PREFIX])? {
            let generation = k
                .get(1..5)
                .and_then(|g| <[u8; 4]>::try_from(g).ok())
                .map(u32::from_be_bytes);
            if generation != keep {
                b.remove(Tree::Roster, &k);
            }
        }
        if !b.is_empty() {
            inner.backend.apply(&b)?;
            inner.flush()?;
        }
        Ok(())
    }

    /// Removes a format-1 roster (manifest and chunks), if any.
    fn remove_legacy(&self) -> Result<()> {
        let inner = &self.vault.inner;
        let mut b = Batch::new();
        for (k, _) in inner.backend.scan(Tree::Roster, &[LEGACY_CHUNK_PREFIX])? {
            b.remove(Tree::Roster, &k);
        }
        if inner
            .backend
            .get(Tree::Roster, LEGACY_MANIFEST_KEY)?
            .is_some()
        {
            b.remove(Tree::Roster, LEGACY_MANIFEST_KEY);
        }
        if !b.is_empty() {
            inner.backend.apply(&b)?;
            inner.flush()?;
        }
        Ok(())
    }

    /// Erase the roster (when the policy switches it off).
    pub fn erase(&self) -> Result<()> {
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let mut b = Batch::new();
        for (k, _) in inner.backend.scan(Tree::Roster, b"")? {
            b.remove(Tree::Roster, &k);
        }
        inner.backend.apply(&b)?;
        inner.flush()?;
        *inner.roster.lock().map_err(|_| poisoned())? = None;
        Ok(())
    }

    /// Open the roster into memory (done lazily by the searches; call at startup to pay the cost early).
    /// A corrupt chunk makes the roster refuse with [`VaultError::CorruptRecord`]; nothing is changed.
    pub fn load(&self) -> Result<RosterInfo> {
        self.require_enabled()?;
        let info = self.info()?.ok_or(VaultError::RosterEmpty)?;
        self.loaded(&info)?;
        Ok(info)
    }

    fn loaded(&self, info: &RosterInfo) -> Result<Arc<LoadedRoster>> {
        let inner = &self.vault.inner;
        let mut slot = inner.roster.lock().map_err(|_| poisoned())?;
        if let Some(r) = slot.as_ref()
            && r.generation == info.generation
        {
            return Ok(Arc::clone(r));
        }
        let mut entries = Vec::with_capacity(info.count as usize);
        for i in 0..info.chunks {
            let key = chunk_key(info.generation, i);
            let chunk: Vec<RosterEntry> =
                inner
                    .get_value(Tree::Roster, &key)?
                    .ok_or_else(|| VaultError::CorruptRecord {
                        tree: Tree::Roster.name(),
                        record: format!("chunk {i} missing"),
                    })?;
            entries.extend(chunk);
        }
        if entries.len() as u64 != info.count {
            return Err(VaultError::CorruptRecord {
                tree: Tree::Roster.name(),
                record: "entry count differs from manifest".into(),
            });
        }
        let r = Arc::new(LoadedRoster::build(info.generation, entries));
        *slot = Some(Arc::clone(&r));
        Ok(r)
    }

    fn current(&self) -> Result<Arc<LoadedRoster>> {
        self.require_enabled()?;
        let info = self.info()?.ok_or(VaultError::RosterEmpty)?;
        self.loaded(&info)
    }

    /// Residents whose カナ key starts with `prefix` (the 清音化 key of what staff typed), at most
    /// `limit`, in kana order.
    pub fn search_kana_prefix(&self, prefix: &SeionKey, limit: usize) -> Result<Vec<RosterEntry>> {
        if prefix.as_str().is_empty() {
            return Err(VaultError::InvalidInput("kana prefix is empty"));
        }
        Ok(self.current()?.prefix(prefix.as_str(), limit))
    }

    /// Residents born on `birth_date`, at most `limit`, in kana order (a walk of the loaded roster).
    pub fn find_birth_date(&self, birth_date: NaiveDate, limit: usize) -> Result<Vec<RosterEntry>> {
        Ok(self
            .current()?
            .entries
            .iter()
            .filter(|e| e.birth_date == birth_date)
            .take(limit)
            .cloned()
            .collect())
    }

    /// The resident with this 被保険者番号, if listed.
    pub fn find_insured_number(
        &self,
        insured_number: &InsuredNumber,
    ) -> Result<Option<RosterEntry>> {
        Ok(self.current()?.number(insured_number))
    }
}

fn poisoned() -> VaultError {
    VaultError::Storage {
        detail: "internal lock poisoned by an earlier panic".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::tests::{fresh, open_in};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn entry(n: &str, kana: &str, birth: NaiveDate, q: Qualification) -> RosterEntry {
        RosterEntry::new(InsuredNumber::parse(n).unwrap(), &key(kana), birth, q).unwrap()
    }

    fn key(kana: &str) -> SeionKey {
        madoguchi_domain::kana::seion_key(kana).unwrap()
    }

    fn num(n: &str) -> InsuredNumber {
        InsuredNumber::parse(n).unwrap()
    }

    fn sample() -> Vec<RosterEntry> {
        vec![
            entry(
                "10000001",
                "ヤマダ タロウ",
                d(1948, 1, 2),
                Qualification::Qualified,
            ),
            entry(
                "10000002",
                "やまだ はなこ",
                d(1949, 3, 4),
                Qualification::Qualified,
            ),
            entry(
                "10000003",
                "ヤマモト イチロウ",
                d(1940, 5, 6),
                Qualification::Lost,
            ),
            entry(
                "10000004",
                "スズキ ジロウ",
                d(1945, 7, 8),
                Qualification::Qualified,
            ),
        ]
    }

    #[test]
    fn off_by_default() {
        let (_d, _k, v) = fresh();
        assert!(!v.settings().roster_enabled().unwrap());
        assert!(matches!(
            v.roster().replace(sample(), d(2026, 11, 20)),
            Err(VaultError::RosterDisabled)
        ));
        assert!(matches!(
            v.roster().search_kana_prefix(&key("ヤ"), 10),
            Err(VaultError::RosterDisabled)
        ));
    }

    #[test]
    fn search_by_prefix_and_number_survives_reopen() {
        let (dir, ks, v) = fresh();
        v.settings().set_roster_enabled(true).unwrap();
        assert!(matches!(
            v.roster().search_kana_prefix(&key("ヤ"), 10),
            Err(VaultError::RosterEmpty)
        ));
        let info = v.roster().replace(sample(), d(2026, 11, 20)).unwrap();
        assert_eq!(info.count, 4);
        assert!(info.is_stale(d(2026, 11, 21)) && !info.is_stale(d(2026, 11, 20)));
        drop(v);
        let v = open_in(dir.path(), &ks).unwrap();
        let r = v.roster();
        // 清音化: ヤマダ, やまだ and ヤマタ are one key.
        let hits: Vec<String> = r
            .search_kana_prefix(&key("ヤマタ"), 10)
            .unwrap()
            .iter()
            .map(|e| e.insured_number().as_str().to_owned())
            .collect();
        assert_eq!(hits, vec!["10000001", "10000002"]);
        assert_eq!(r.search_kana_prefix(&key("ヤマ"), 10).unwrap().len(), 3);
        assert_eq!(r.search_kana_prefix(&key("ヤマ"), 1).unwrap().len(), 1);
        assert!(r.search_kana_prefix(&key("タ"), 10).unwrap().is_empty());
        let lost = r.find_insured_number(&num("10000003")).unwrap().unwrap();
        assert_eq!(lost.qualification.label_ja(), "資格喪失");
        assert!(r.find_insured_number(&num("99999999")).unwrap().is_none());
        assert!(!format!("{lost:?}").contains("ヤマモト"));
    }

    #[test]
    fn refresh_replaces_and_switching_off_erases() {
        let (_d, _k, v) = fresh();
        v.settings().set_roster_enabled(true).unwrap();
        let many: Vec<RosterEntry> = (0..(CHUNK_ENTRIES * 2 + 5))
            .map(|i| {
                let kana: String = format!("{i:06}")
                    .bytes()
                    .map(|c| {
                        ["カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ"]
                            [usize::from(c - b'0')]
                    })
                    .collect();
                entry(
                    &format!("{i:08}"),
                    &kana,
                    d(1950, 1, 1),
                    Qualification::Qualified,
                )
            })
            .collect();
        let i1 = v.roster().replace(many, d(2026, 11, 19)).unwrap();
        assert_eq!(i1.chunks, 3);
        let i2 = v.roster().replace(sample(), d(2026, 11, 20)).unwrap();
        assert_eq!(i2.count, 4);
        // Only the new generation's chunks and the manifest are left.
        assert_eq!(v.inner.backend.scan(Tree::Roster, b"").unwrap().len(), 2);
        assert!(
            v.roster()
                .search_kana_prefix(&key("カ"), 10)
                .unwrap()
                .is_empty()
        );
        v.settings().set_roster_enabled(false).unwrap();
        assert!(v.inner.backend.is_empty(Tree::Roster).unwrap());
        assert!(v.roster().info().unwrap().is_none());
    }

    #[test]
    fn the_person_is_kept_sealed_and_redacted() {
        let (dir, ks, v) = fresh();
        v.settings().set_roster_enabled(true).unwrap();
        let id = uuid::Uuid::now_v7();
        let e = entry(
            "10000009",
            "ミツケ ハナコ",
            d(1948, 2, 3),
            Qualification::Qualified,
        )
        .with_person(id, "見附 花子", "ミツケ ハナコ")
        .unwrap();
        assert!(!format!("{e:?}").contains("花子"));
        v.roster().replace(vec![e], d(2026, 11, 20)).unwrap();
        drop(v);
        let v = open_in(dir.path(), &ks).unwrap();
        let got = v
            .roster()
            .find_insured_number(&num("10000009"))
            .unwrap()
            .unwrap();
        assert_eq!(got.resident_id(), Some(id));
        assert_eq!(got.name(), Some("見附 花子"));
        assert_eq!(got.kana(), Some("ミツケ ハナコ"));
        assert!(
            entry("10000009", "ミ", d(1948, 2, 3), Qualification::Qualified)
                .with_person(id, "", "ミ")
                .is_err()
        );
    }

    #[test]
    fn a_format_1_roster_is_erased_by_the_next_refresh() {
        let (_d, _k, v) = fresh();
        v.settings().set_roster_enabled(true).unwrap();
        let mut b = Batch::new();
        b.put(Tree::Roster, LEGACY_MANIFEST_KEY, vec![1, 2, 3]).put(
            Tree::Roster,
            &[LEGACY_CHUNK_PREFIX, 0, 0, 0, 1, 0, 0, 0, 0],
            vec![4],
        );
        v.inner.backend.apply(&b).unwrap();
        assert!(v.roster().info().unwrap().is_none());
        v.roster().replace(sample(), d(2026, 11, 20)).unwrap();
        assert_eq!(v.inner.backend.scan(Tree::Roster, b"").unwrap().len(), 2);
        assert!(
            v.inner
                .backend
                .get(Tree::Roster, LEGACY_MANIFEST_KEY)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn validates_entries() {
        let empty = madoguchi_domain::kana::seion_key("ー").ok();
        if let Some(k) = empty.filter(|k| k.as_str().is_empty()) {
            assert!(
                RosterEntry::new(num("12345678"), &k, d(1950, 1, 1), Qualification::Qualified)
                    .is_err()
            );
        }
        assert!(
            RosterEntry::new(
                num("12345678"),
                &key("カ"),
                d(1950, 1, 1),
                Qualification::Qualified
            )
            .is_ok()
        );
    }

    #[test]
    fn corrupt_chunk_refuses_and_keeps_data() {
        let (_d, _k, v) = fresh();
        v.settings().set_roster_enabled(true).unwrap();
        let info = v.roster().replace(sample(), d(2026, 11, 20)).unwrap();
        let key = chunk_key(info.generation, 0);
        let mut raw = v.inner.backend.get(Tree::Roster, &key).unwrap().unwrap();
        raw[40] ^= 1;
        let mut b = Batch::new();
        b.put(Tree::Roster, &key, raw.clone());
        v.inner.backend.apply(&b).unwrap();
        *v.inner.roster.lock().unwrap() = None;
        assert!(matches!(
            v.roster().load(),
            Err(VaultError::CorruptRecord { tree: "roster", .. })
        ));
        assert_eq!(
            v.inner.backend.get(Tree::Roster, &key).unwrap().unwrap(),
            raw
        );
    }
}
