//! Entries and the hash chain.

use std::fmt;

use chrono::{DateTime, Utc};
use madoguchi_domain::StaffMessage;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// Domain separation for the entry hash: a hash of this chain can never be mistaken for another.
const HASH_TAG: &[u8] = b"madoguchi-audit-v1\0";

/// A SHA-256 digest, hex in JSON.
#[derive(ts_rs::TS, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[ts(type = "string")]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The hash before the first entry of a chain.
    pub const GENESIS: Digest = Digest([0; 32]);

    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", &self.to_hex()[..12])
    }
}

impl Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(s.as_bytes(), &mut out).map_err(serde::de::Error::custom)?;
        Ok(Digest(out))
    }
}

/// What was done (操作).
#[derive(ts_rs::TS, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// サインイン.
    SignIn,
    /// サインアウト.
    SignOut,
    /// 画面ロック解除.
    Unlock,
    /// 検索.
    Search,
    /// 被保険者情報の表示.
    ViewResident,
    /// 個人番号の表示 (reveal).
    RevealMyNumber,
    /// 届出の登録.
    Submit,
    /// 印刷.
    Print,
    /// 再印刷.
    Reprint,
    /// 交付・回収の記録.
    Handover,
    /// 媒体への出力.
    Export,
    /// 承認.
    Approve,
    /// 差戻し・却下.
    Reject,
    /// 設定変更.
    Configure,
}

impl Operation {
    /// The term in the administrator's report.
    pub fn label_ja(self) -> &'static str {
        match self {
            Operation::SignIn => "サインイン",
            Operation::SignOut => "サインアウト",
            Operation::Unlock => "ロック解除",
            Operation::Search => "検索",
            Operation::ViewResident => "被保険者情報の表示",
            Operation::RevealMyNumber => "個人番号の表示",
            Operation::Submit => "届出の登録",
            Operation::Print => "印刷",
            Operation::Reprint => "再印刷",
            Operation::Handover => "交付・回収の記録",
            Operation::Export => "媒体出力",
            Operation::Approve => "承認",
            Operation::Reject => "差戻し",
            Operation::Configure => "設定変更",
        }
    }
}

/// Whether the operation was carried out or refused (a refusal is recorded too).
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
// `Outcome` is also the union's decision outcome; the UI's generated types need one name each.
#[ts(rename = "AuditOutcome")]
pub enum Outcome {
    /// Carried out.
    Done,
    /// Refused, with the stable error code.
    Refused {
        /// Stable error code (e.g. `forbidden`, `locked_out`).
        code: String,
    },
}

/// One recorded operation, before it is chained.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// 端末ID of the terminal that recorded it.
    pub terminal: String,
    /// 職員ID (personal user IDs only, never shared: N:3883–3886).
    pub user: String,
    /// What was done.
    pub operation: Operation,
    /// Whom or what it was done to: a resident reference (被保険者番号 or 市区町村コード-宛名番号), a
    /// document, a distribution id. Personal data: stored encrypted.
    pub target: Option<String>,
    /// Why (利用目的), required for a 個人番号 reveal.
    pub purpose: Option<String>,
    /// Done or refused.
    pub outcome: Outcome,
}

/// A chained entry.
#[derive(ts_rs::TS, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEntry {
    /// Position in the terminal's chain, from 1, without gaps.
    pub seq: u64,
    /// Hash of the entry before (`Digest::GENESIS` for seq 1).
    pub prev: Digest,
    /// This entry's hash over tag, seq, prev and the event.
    pub hash: Digest,
    /// The operation.
    pub event: AuditEvent,
}

impl AuditEntry {
    /// The hash this entry must carry.
    pub fn compute_hash(seq: u64, prev: &Digest, event: &AuditEvent) -> Digest {
        let mut h = Sha256::new();
        h.update(HASH_TAG);
        h.update(seq.to_be_bytes());
        h.update(prev.0);
        // serde_json writes struct fields in declaration order and escapes deterministically, so the
        // same event always hashes the same; the field order is part of the v1 format.
        match serde_json::to_vec(event) {
            Ok(bytes) => h.update(&bytes),
            // Serialising plain strings and enums cannot fail; were it ever to, the hash would still be
            // computed over a fixed marker and verification would reject the entry.
            Err(_) => h.update(b"\xffunserialisable"),
        }
        Digest(h.finalize().into())
    }
}

/// The end of a chain: what the next entry links to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// The last seq written (0 for an empty chain).
    pub seq: u64,
    /// Its hash (`Digest::GENESIS` for an empty chain).
    pub hash: Digest,
}

impl Default for ChainHead {
    fn default() -> Self {
        ChainHead {
            seq: 0,
            hash: Digest::GENESIS,
        }
    }
}

impl ChainHead {
    /// Chains an event after this head and moves the head to it.
    pub fn append(&mut self, event: AuditEvent) -> AuditEntry {
        let seq = self.seq + 1;
        let hash = AuditEntry::compute_hash(seq, &self.hash, &event);
        let entry = AuditEntry {
            seq,
            prev: self.hash,
            hash,
            event,
        };
        *self = ChainHead { seq, hash };
        entry
    }
}

/// What is wrong at the first broken link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainErrorKind {
    /// The entry's content does not match its hash: it was edited.
    Edited,
    /// The entry does not link to the one before: entries were removed, inserted or reordered.
    BrokenLink,
    /// The sequence jumps (entries removed) or goes back (reordered).
    SequenceGap {
        /// The seq that should have come.
        expected: u64,
        /// The seq found.
        found: u64,
    },
    /// Entries from another terminal inside this terminal's chain.
    WrongTerminal,
    /// The chain ends before its closing line says it should: entries were cut off.
    Truncated,
    /// A line that is not an entry at all.
    Malformed(String),
}

/// The first broken link of a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at entry {position} (seq {seq:?}): {kind:?}")]
pub struct ChainError {
    /// 1-based position of the entry in what was checked.
    pub position: usize,
    /// Its seq, when it could be read.
    pub seq: Option<u64>,
    /// What is wrong.
    pub kind: ChainErrorKind,
}

impl StaffMessage for ChainError {
    fn message_ja(&self) -> String {
        let at = match self.seq {
            Some(s) => format!("{}件目（連番{}）", self.position, s),
            None => format!("{}件目", self.position),
        };
        let what = match &self.kind {
            ChainErrorKind::Edited => "記録の内容が改変されています".to_owned(),
            ChainErrorKind::BrokenLink => {
                "直前の記録とつながっていません（削除・挿入・並べ替えの疑い）".to_owned()
            }
            ChainErrorKind::SequenceGap { expected, found } => {
                format!("連番が飛んでいます（{expected}のはずが{found}、削除または並べ替えの疑い）")
            }
            ChainErrorKind::WrongTerminal => "別の端末の記録が混ざっています".to_owned(),
            ChainErrorKind::Truncated => "記録の末尾が切り取られています".to_owned(),
            ChainErrorKind::Malformed(why) => format!("記録として読めません（{why}）"),
        };
        format!("監査ログの{at}で連鎖が切れています: {what}。")
    }
}

/// Checks that `entries` continue the chain from `from` without edits, gaps or reordering, all recorded by
/// `terminal`. Returns the new head, or the first broken link.
pub fn verify_entries(
    from: ChainHead,
    terminal: &str,
    entries: &[AuditEntry],
) -> Result<ChainHead, ChainError> {
    let mut head = from;
    for (i, e) in entries.iter().enumerate() {
        let err = |kind| ChainError {
            position: i + 1,
            seq: Some(e.seq),
            kind,
        };
        if e.seq != head.seq + 1 {
            return Err(err(ChainErrorKind::SequenceGap {
                expected: head.seq + 1,
                found: e.seq,
            }));
        }
        if e.prev != head.hash {
            return Err(err(ChainErrorKind::BrokenLink));
        }
        if AuditEntry::compute_hash(e.seq, &e.prev, &e.event) != e.hash {
            return Err(err(ChainErrorKind::Edited));
        }
        if e.event.terminal != terminal {
            return Err(err(ChainErrorKind::WrongTerminal));
        }
        head = ChainHead {
            seq: e.seq,
            hash: e.hash,
        };
    }
    Ok(head)
}

/// The union's view of each terminal's chain: entries arrive in batches and must continue exactly where
/// the last accepted batch ended. Anything else is flagged, and the stored head does not move.
#[derive(Debug, Clone, Default)]
pub struct Continuity {
    heads: std::collections::BTreeMap<String, ChainHead>,
}

impl Continuity {
    /// Starts from heads the union stored earlier.
    pub fn from_heads(heads: impl IntoIterator<Item = (String, ChainHead)>) -> Self {
        Continuity {
            heads: heads.into_iter().collect(),
        }
    }

    /// The accepted head of a terminal's chain.
    pub fn head(&self, terminal: &str) -> ChainHead {
        self.heads.get(terminal).copied().unwrap_or_default()
    }

    /// Accepts a batch that continues the terminal's chain; a batch that repeats entries already accepted
    /// (a retry after a lost acknowledgement) is accepted for its new part only.
    pub fn accept(
        &mut self,
        terminal: &str,
        batch: &[AuditEntry],
    ) -> Result<ChainHead, ChainError> {
        let head = self.head(terminal);
        let skip = batch.iter().take_while(|e| e.seq <= head.seq).count();
        if let Some(last_old) = skip.checked_sub(1).and_then(|i| batch.get(i))
            && last_old.seq == head.seq
            && last_old.hash != head.hash
        {
            return Err(ChainError {
                position: skip,
                seq: Some(last_old.seq),
                kind: ChainErrorKind::Edited,
            });
        }
        let new = verify_entries(head, terminal, &batch[skip..]).map_err(|mut e| {
            e.position += skip;
            e
        })?;
        self.heads.insert(terminal.to_owned(), new);
        Ok(new)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn event(n: u32, terminal: &str) -> AuditEvent {
        AuditEvent {
            at: DateTime::from_timestamp(1_790_000_000 + i64::from(n) * 60, 0).unwrap_or_default(),
            terminal: terminal.into(),
            user: format!("clerk{:02}", n % 3),
            operation: if n.is_multiple_of(2) {
                Operation::Search
            } else {
                Operation::ViewResident
            },
            target: Some(format!("{:08}", 10_000_000 + n)),
            purpose: None,
            outcome: Outcome::Done,
        }
    }

    pub(crate) fn chain(n: u32, terminal: &str) -> Vec<AuditEntry> {
        let mut head = ChainHead::default();
        (1..=n).map(|i| head.append(event(i, terminal))).collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(10, "T001");
        let head = verify_entries(ChainHead::default(), "T001", &c).expect("intact");
        assert_eq!(head.seq, 10);
        assert_eq!(head.hash, c[9].hash);
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let c = chain(10, "T001");
        let verify = |c: &[AuditEntry]| verify_entries(ChainHead::default(), "T001", c);

        let mut edited = c.clone();
        edited[4].event.user = "someone-else".into();
        let e = verify(&edited).expect_err("edit");
        assert_eq!((e.position, e.kind), (5, ChainErrorKind::Edited));

        let mut deleted = c.clone();
        deleted.remove(3);
        let e = verify(&deleted).expect_err("delete");
        assert_eq!(e.position, 4);
        assert_eq!(
            e.kind,
            ChainErrorKind::SequenceGap {
                expected: 4,
                found: 5
            }
        );

        let mut reordered = c.clone();
        reordered.swap(6, 7);
        let e = verify(&reordered).expect_err("reorder");
        assert_eq!(e.position, 7);

        // Renumbering after a deletion still breaks the link.
        let mut renumbered = c.clone();
        renumbered.remove(3);
        for (i, e) in renumbered.iter_mut().enumerate().skip(3) {
            e.seq = i as u64 + 1;
        }
        let e = verify(&renumbered).expect_err("renumbered");
        assert_eq!((e.position, e.kind), (4, ChainErrorKind::BrokenLink));

        let foreign = chain(3, "T999");
        let e = verify(&foreign).expect_err("other terminal");
        assert_eq!(e.kind, ChainErrorKind::WrongTerminal);
    }

    #[test]
    fn staff_message_names_the_place() {
        let e = ChainError {
            position: 5,
            seq: Some(5),
            kind: ChainErrorKind::Edited,
        };
        assert_eq!(
            e.message_ja(),
            "監査ログの5件目（連番5）で連鎖が切れています: 記録の内容が改変されています。"
        );
    }

    #[test]
    fn union_continuity_accepts_retries_and_flags_gaps() {
        let c = chain(10, "T001");
        let mut u = Continuity::default();
        assert_eq!(u.accept("T001", &c[..4]).expect("first batch").seq, 4);
        // A retry that repeats entries 3–4 and continues.
        assert_eq!(u.accept("T001", &c[2..7]).expect("overlap").seq, 7);
        // A batch that skips entry 8.
        let e = u.accept("T001", &c[8..]).expect_err("gap");
        assert_eq!(
            e.kind,
            ChainErrorKind::SequenceGap {
                expected: 8,
                found: 9
            }
        );
        assert_eq!(
            u.head("T001").seq,
            7,
            "a refused batch does not move the head"
        );
        // A repeated entry whose content changed since it was accepted.
        let mut changed = c[6..8].to_vec();
        changed[0].event.target = Some("99999999".into());
        changed[0].hash = AuditEntry::compute_hash(7, &changed[0].prev, &changed[0].event);
        let e = u
            .accept("T001", &changed)
            .expect_err("edited after shipping");
        assert_eq!(e.kind, ChainErrorKind::Edited);
        // Terminals have separate chains.
        assert_eq!(u.accept("T002", &chain(2, "T002")).expect("other").seq, 2);
    }
}
