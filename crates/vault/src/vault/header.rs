use std::io::Write;
use std::path::Path;

use super::io_error;
use crate::error::{Result, VaultError};

pub(crate) const FILE: &str = "vault-header";
const MAGIC: &str = "madoguchi-vault-header 1";

pub(crate) struct Header {
    pub(crate) vault_id: String,
    pub(crate) kek_check: Vec<u8>,
}

fn corrupt(what: &str) -> VaultError {
    VaultError::CorruptMeta {
        detail: format!("header file: {what}"),
    }
}

pub(crate) fn read(dir: &Path) -> Result<Option<Header>> {
    let text = match std::fs::read_to_string(dir.join(FILE)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
            return Err(corrupt("not text"));
        }
        Err(e) => return Err(io_error(e)),
    };
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) {
        return Err(corrupt("unknown format"));
    }
    let mut vault_id = None;
    let mut kek_check = None;
    for line in lines {
        match line.split_once(' ') {
            Some(("vault_id", v))
                if !v.is_empty()
                    && v.len() <= 64
                    && v.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                vault_id = Some(v.to_owned())
            }
            Some(("kek_check", v)) => {
                kek_check = Some(hex::decode(v).map_err(|_| corrupt("bad key check"))?)
            }
            _ => return Err(corrupt("unexpected line")),
        }
    }
    match (vault_id, kek_check) {
        (Some(vault_id), Some(kek_check)) => Ok(Some(Header {
            vault_id,
            kek_check,
        })),
        _ => Err(corrupt("incomplete")),
    }
}

/// Write atomically: temporary file, fsync, rename, fsync of the directory.
pub(crate) fn write(dir: &Path, h: &Header) -> Result<()> {
    let tmp = dir.join(format!("{FILE}.tmp"));
    let body = format!(
        "{MAGIC}\nvault_id {}\nkek_check {}\n",
        h.vault_id,
        hex::encode(&h.kek_check)
    );
    let mut f = std::fs::File::create(&tmp).map_err(io_error)?;
    f.write_all(body.as_bytes()).map_err(io_error)?;
    f.sync_all().map_err(io_error)?;
    drop(f);
    std::fs::rename(&tmp, dir.join(FILE)).map_err(io_error)?;
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error)?;
    Ok(())
}
