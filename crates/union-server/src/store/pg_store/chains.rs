//! Terminal audit chains on PostgreSQL ([`crate::chains`] holds sled's layout): entries sealed per
//! (municipality, terminal, seq), one head row per terminal, blind index rows for the administrators'
//! search, and flag records kept once per (terminal, expected seq, found seq, kind).
//!
//! The continuity check is race-free across instances: an append locks the terminal's head row
//! (`SELECT … FOR UPDATE`, the row created first when absent) and stores only if the head is still the one
//! the caller verified against.

use madoguchi_audit::{AuditEntry, ChainHead};
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::v1::AuditChainFlag;

use super::{PgStore, aad, bytes_at, from_json, pg, to_json};
use crate::chains::{ChainIndex, jst_day};
use crate::store::StoreError;

const KIND_TARGET: i16 = 1;
const KIND_USER: i16 = 2;
const KIND_DAY: i16 = 3;

pub(super) fn entry_aad(m: &str, terminal: &str, seq: i64) -> Vec<u8> {
    aad(
        "chain_entries",
        &[m.as_bytes(), terminal.as_bytes(), &seq.to_be_bytes()],
    )
}

pub(super) fn flag_aad(m: &str, dedup: &[u8]) -> Vec<u8> {
    aad("chain_flags", &[m.as_bytes(), dedup])
}

/// What makes two flags the same one: municipality, terminal, expected seq, found seq and kind.
pub(super) fn flag_dedup(flag: &AuditChainFlag) -> Result<Vec<u8>, StoreError> {
    let mut dedup = flag.municipality.as_str().as_bytes().to_vec();
    dedup.push(0);
    dedup.extend_from_slice(flag.terminal_id.as_bytes());
    dedup.push(0);
    dedup.extend_from_slice(&flag.expected_seq.to_be_bytes());
    dedup.extend_from_slice(&flag.found_seq.unwrap_or(0).to_be_bytes());
    dedup.extend_from_slice(&to_json(&flag.kind)?);
    Ok(dedup)
}

fn seq_i64(seq: u64) -> Result<i64, StoreError> {
    i64::try_from(seq).map_err(|_| StoreError::Corrupt("chain seq out of range".into()))
}

fn day_token(d: madoguchi_domain::Date) -> Vec<u8> {
    d.format("%Y%m%d").to_string().into_bytes()
}

impl PgStore {
    pub(super) fn head_of(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
    ) -> Result<ChainHead, StoreError> {
        let rows = self.query(
            "SELECT head FROM chain_heads WHERE municipality = $1 AND terminal = $2",
            vec![
                Box::new(m.as_str().to_string()),
                Box::new(terminal.to_string()),
            ],
        )?;
        match rows.first() {
            Some(row) => {
                let head: Option<Vec<u8>> = row.try_get(0).map_err(pg)?;
                match head {
                    Some(h) => from_json(&h),
                    None => Ok(ChainHead::default()),
                }
            }
            None => Ok(ChainHead::default()),
        }
    }

    pub(super) fn chain_entry_at(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        seq: u64,
    ) -> Result<Option<AuditEntry>, StoreError> {
        let seq = seq_i64(seq)?;
        let rows = self.query(
            "SELECT sealed FROM chain_entries WHERE municipality = $1 AND terminal = $2 AND seq = $3",
            vec![
                Box::new(m.as_str().to_string()),
                Box::new(terminal.to_string()),
                Box::new(seq),
            ],
        )?;
        match rows.first() {
            Some(row) => Ok(Some(
                self.open_json(&entry_aad(m.as_str(), terminal, seq), &bytes_at(row, 0)?)?,
            )),
            None => Ok(None),
        }
    }

    pub(super) fn chain_entries_from(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: u64,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = self.query(
            "SELECT seq, sealed FROM chain_entries
             WHERE municipality = $1 AND terminal = $2 AND seq >= $3 ORDER BY seq LIMIT $4",
            vec![
                Box::new(m.as_str().to_string()),
                Box::new(terminal.to_string()),
                Box::new(seq_i64(from)?),
                Box::new(i64::try_from(limit).unwrap_or(i64::MAX)),
            ],
        )?;
        rows.iter()
            .map(|row| {
                let seq: i64 = row.try_get(0).map_err(pg)?;
                self.open_json(&entry_aad(m.as_str(), terminal, seq), &bytes_at(row, 1)?)
            })
            .collect()
    }

    pub(super) fn append_chain_entries(
        &self,
        m: &MunicipalityCode,
        terminal: &str,
        from: ChainHead,
        new_entries: &[AuditEntry],
    ) -> Result<ChainHead, StoreError> {
        let Some(last) = new_entries.last() else {
            return Ok(from);
        };
        let new_head = ChainHead {
            seq: last.seq,
            hash: last.hash,
        };
        let ms = m.as_str().to_string();
        let mut seqs = Vec::with_capacity(new_entries.len());
        let mut sealed = Vec::with_capacity(new_entries.len());
        let (mut ik, mut it, mut iseq) = (Vec::new(), Vec::new(), Vec::new());
        for e in new_entries {
            let seq = seq_i64(e.seq)?;
            seqs.push(seq);
            sealed.push(self.key().seal(
                &entry_aad(&ms, terminal, seq),
                &zeroize::Zeroizing::new(to_json(e)?),
            )?);
            if let Some(target) = &e.event.target {
                for token in target.split_whitespace() {
                    ik.push(KIND_TARGET);
                    it.push(
                        self.key()
                            .blind(&[ms.as_bytes(), token.as_bytes()])
                            .to_vec(),
                    );
                    iseq.push(seq);
                }
            }
            ik.push(KIND_USER);
            it.push(
                self.key()
                    .blind(&[ms.as_bytes(), e.event.user.as_bytes()])
                    .to_vec(),
            );
            iseq.push(seq);
            ik.push(KIND_DAY);
            it.push(jst_day(e.event.at).into_bytes());
            iseq.push(seq);
        }
        let new_json = to_json(&new_head)?;
        let terminal = terminal.to_string();
        self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(pg)?;
            tx.execute(
                "INSERT INTO chain_heads (municipality, terminal, head) VALUES ($1, $2, NULL)
                 ON CONFLICT (municipality, terminal) DO NOTHING",
                &[&ms, &terminal],
            )
            .await
            .map_err(pg)?;
            let row = tx
                .query_one(
                    "SELECT head FROM chain_heads WHERE municipality = $1 AND terminal = $2 FOR UPDATE",
                    &[&ms, &terminal],
                )
                .await
                .map_err(pg)?;
            let stored: Option<Vec<u8>> = row.try_get(0).map_err(pg)?;
            let current = match stored {
                Some(h) => from_json::<ChainHead>(&h)?,
                None => ChainHead::default(),
            };
            if current != from {
                return Err(StoreError::Backend(
                    "audit chain head moved concurrently".into(),
                ));
            }
            tx.execute(
                "INSERT INTO chain_entries (municipality, terminal, seq, sealed)
                 SELECT $1, $2, s, v FROM unnest($3::bigint[], $4::bytea[]) AS u(s, v)
                 ON CONFLICT (municipality, terminal, seq) DO UPDATE SET sealed = EXCLUDED.sealed",
                &[&ms, &terminal, &seqs, &sealed],
            )
            .await
            .map_err(pg)?;
            tx.execute(
                "INSERT INTO chain_index (kind, municipality, token, terminal, seq)
                 SELECT k, $1, t, $2, s FROM unnest($3::smallint[], $4::bytea[], $5::bigint[]) AS u(k, t, s)
                 ON CONFLICT DO NOTHING",
                &[&ms, &terminal, &ik, &it, &iseq],
            )
            .await
            .map_err(pg)?;
            tx.execute(
                "UPDATE chain_heads SET head = $3 WHERE municipality = $1 AND terminal = $2",
                &[&ms, &terminal, &new_json],
            )
            .await
            .map_err(pg)?;
            tx.commit().await.map_err(pg)?;
            Ok(new_head)
        })
    }

    pub(super) fn terminals_of(&self, m: &MunicipalityCode) -> Result<Vec<String>, StoreError> {
        let rows = self.query(
            "SELECT terminal FROM chain_heads WHERE municipality = $1 AND head IS NOT NULL",
            vec![Box::new(m.as_str().to_string())],
        )?;
        let mut out = rows
            .iter()
            .map(|row| row.try_get(0).map_err(pg))
            .collect::<Result<Vec<String>, StoreError>>()?;
        out.sort();
        Ok(out)
    }

    pub(super) fn keep_flag(&self, mut flag: AuditChainFlag) -> Result<AuditChainFlag, StoreError> {
        let ms = flag.municipality.as_str().to_string();
        let dedup = flag_dedup(&flag)?;
        let existing = self.query(
            "SELECT sealed FROM chain_flags WHERE dedup = $1",
            vec![Box::new(dedup.clone())],
        )?;
        if let Some(row) = existing.first() {
            return self.open_json(&flag_aad(&ms, &dedup), &bytes_at(row, 0)?);
        }
        let rows = self.query("SELECT nextval('chain_flags_id_seq')", vec![])?;
        let id: i64 = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("flag id".into()))?
            .try_get(0)
            .map_err(pg)?;
        flag.id = u64::try_from(id).map_err(|_| StoreError::Corrupt("flag id".into()))?;
        let sealed = self.seal_json(&flag_aad(&ms, &dedup), &flag)?;
        let inserted = self.execute(
            "INSERT INTO chain_flags (id, municipality, dedup, sealed) VALUES ($1, $2, $3, $4)
             ON CONFLICT (dedup) DO NOTHING",
            vec![
                Box::new(id),
                Box::new(ms.clone()),
                Box::new(dedup.clone()),
                Box::new(sealed),
            ],
        )?;
        if inserted == 0 {
            // Another instance kept the same flag first: answer with that one.
            let rows = self.query(
                "SELECT sealed FROM chain_flags WHERE dedup = $1",
                vec![Box::new(dedup.clone())],
            )?;
            let row = rows
                .first()
                .ok_or_else(|| StoreError::Corrupt("flag vanished".into()))?;
            return self.open_json(&flag_aad(&ms, &dedup), &bytes_at(row, 0)?);
        }
        Ok(flag)
    }

    pub(super) fn flags_of(&self, m: &MunicipalityCode) -> Result<Vec<AuditChainFlag>, StoreError> {
        let ms = m.as_str().to_string();
        let rows = self.query(
            "SELECT dedup, sealed FROM chain_flags WHERE municipality = $1 ORDER BY id DESC",
            vec![Box::new(ms.clone())],
        )?;
        rows.iter()
            .map(|row| self.open_json(&flag_aad(&ms, &bytes_at(row, 0)?), &bytes_at(row, 1)?))
            .collect()
    }

    pub(super) fn candidates_for(
        &self,
        m: &MunicipalityCode,
        index: &ChainIndex,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let ms = m.as_str().to_string();
        let rows = match index {
            ChainIndex::Targets(tokens) => {
                let blinded: Vec<Vec<u8>> = tokens
                    .iter()
                    .map(|t| self.key().blind(&[ms.as_bytes(), t.as_bytes()]).to_vec())
                    .collect();
                self.query(
                    "SELECT DISTINCT terminal, seq FROM chain_index
                     WHERE kind = $1 AND municipality = $2 AND token = ANY($3)",
                    vec![Box::new(KIND_TARGET), Box::new(ms), Box::new(blinded)],
                )?
            }
            ChainIndex::User(user) => {
                let token = self.key().blind(&[ms.as_bytes(), user.as_bytes()]).to_vec();
                self.query(
                    "SELECT DISTINCT terminal, seq FROM chain_index
                     WHERE kind = $1 AND municipality = $2 AND token = $3",
                    vec![Box::new(KIND_USER), Box::new(ms), Box::new(token)],
                )?
            }
            ChainIndex::Days(from, to) => {
                let end = *to + chrono::Duration::days(1);
                self.query(
                    "SELECT DISTINCT terminal, seq FROM chain_index
                     WHERE kind = $1 AND municipality = $2 AND token >= $3 AND token < $4
                    ",
                    vec![
                        Box::new(KIND_DAY),
                        Box::new(ms),
                        Box::new(day_token(*from)),
                        Box::new(day_token(end)),
                    ],
                )?
            }
        };
        // Ordered as sled's keys are (terminal bytes, then seq), whatever the database's collation.
        let mut out = std::collections::BTreeSet::new();
        for row in &rows {
            let terminal: String = row.try_get(0).map_err(pg)?;
            let seq: i64 = row.try_get(1).map_err(pg)?;
            out.insert((
                terminal,
                u64::try_from(seq).map_err(|_| StoreError::Corrupt("chain seq".into()))?,
            ));
        }
        Ok(out.into_iter().collect())
    }
}
