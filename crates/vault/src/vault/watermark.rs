use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use super::io_error;
use crate::error::{Result, VaultError};

pub(crate) const FILE: &str = "vault-watermark";
const SLOT: usize = 40;

pub(crate) struct Watermark {
    state: Mutex<(File, u64)>,
}

fn tag(counter: u64) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"madoguchi-vault watermark v1");
    h.update(&counter.to_be_bytes());
    *h.finalize().as_bytes()
}

fn decode(slot: &[u8]) -> Option<u64> {
    let c = u64::from_be_bytes(slot.get(..8)?.try_into().ok()?);
    (slot.get(8..SLOT)? == tag(c)).then_some(c)
}

impl Watermark {
    /// Open (or create) the file; the value is `None` for a new, empty file.
    pub(crate) fn open(dir: &Path) -> Result<(Watermark, Option<u64>)> {
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(FILE))
            .map_err(io_error)?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf).map_err(io_error)?;
        let value = if buf.is_empty() {
            None
        } else {
            let best = buf.chunks(SLOT).filter_map(decode).max();
            Some(best.ok_or_else(|| VaultError::CorruptMeta {
                detail: format!("{FILE} is damaged (no valid slot)"),
            })?)
        };
        Ok((
            Watermark {
                state: Mutex::new((f, value.unwrap_or(0))),
            },
            value,
        ))
    }

    /// Record that everything up to `counter` is durable. Never goes backwards.
    pub(crate) fn advance(&self, counter: u64) -> Result<()> {
        let mut g = self.state.lock().map_err(|_| super::poisoned())?;
        let (f, last) = &mut *g;
        if counter <= *last && counter != 0 {
            return Ok(());
        }
        let mut slot = [0u8; SLOT];
        slot[..8].copy_from_slice(&counter.to_be_bytes());
        slot[8..].copy_from_slice(&tag(counter));
        f.seek(SeekFrom::Start((counter % 2) * SLOT as u64))
            .map_err(io_error)?;
        f.write_all(&slot).map_err(io_error)?;
        f.sync_data().map_err(io_error)?;
        *last = counter;
        Ok(())
    }
}
