//! The export file: JSON Lines — a header, the entries in order, and a closing line with the count and the
//! head hash. The closing line is what makes a cut-off tail visible: without it, or with a count that does
//! not match, the export is truncated.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::chain::{AuditEntry, ChainError, ChainErrorKind, ChainHead, verify_entries};

/// Format marker and version, the first key of the header line.
const FORMAT_KEY: &str = "madoguchi_audit_export";

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportHeader {
    /// Format version (1).
    pub madoguchi_audit_export: u32,
    /// 端末ID whose chain this is.
    pub terminal: String,
    /// The chain head the first exported entry links to (seq 0 and GENESIS for a whole chain).
    pub from: ChainHead,
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
}

/// The last line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportTrailer {
    /// Number of entries exported.
    pub count: u64,
    /// Head after the last entry.
    pub head: ChainHead,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrailerLine {
    end: ExportTrailer,
}

/// What a successful verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedExport {
    /// The header.
    pub header: ExportHeader,
    /// Entries checked.
    pub count: u64,
    /// The head after the last entry.
    pub head: ChainHead,
}

/// Writes an export of `entries`, which must continue `from`.
pub fn write_export<W: Write>(
    out: &mut W,
    terminal: &str,
    from: ChainHead,
    exported_at: DateTime<Utc>,
    entries: &[AuditEntry],
) -> std::io::Result<()> {
    let header = ExportHeader {
        madoguchi_audit_export: 1,
        terminal: terminal.to_owned(),
        from,
        exported_at,
    };
    serde_json::to_writer(&mut *out, &header)?;
    out.write_all(b"\n")?;
    let mut head = from;
    for e in entries {
        serde_json::to_writer(&mut *out, e)?;
        out.write_all(b"\n")?;
        head = ChainHead {
            seq: e.seq,
            hash: e.hash,
        };
    }
    let trailer = TrailerLine {
        end: ExportTrailer {
            count: entries.len() as u64,
            head,
        },
    };
    serde_json::to_writer(&mut *out, &trailer)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn malformed(position: usize, why: impl Into<String>) -> ChainError {
    ChainError {
        position,
        seq: None,
        kind: ChainErrorKind::Malformed(why.into()),
    }
}

/// Reads and checks an export: every entry chained to the one before, none edited, none missing, and the
/// closing line present and matching. Names the first broken link otherwise (positions count entries,
/// not lines).
pub fn verify_export<R: BufRead>(input: R) -> Result<VerifiedExport, ChainError> {
    let mut lines = input.lines();
    let header_line = lines
        .next()
        .transpose()
        .map_err(|e| malformed(0, format!("read error: {e}")))?
        .ok_or_else(|| malformed(0, "empty file"))?;
    let header: ExportHeader =
        serde_json::from_str(&header_line).map_err(|e| malformed(0, format!("header: {e}")))?;
    if header.madoguchi_audit_export != 1 {
        return Err(malformed(
            0,
            format!("unknown format version {}", header.madoguchi_audit_export),
        ));
    }

    let mut head = header.from;
    let mut count = 0u64;
    let mut trailer: Option<ExportTrailer> = None;
    for line in lines {
        let position = count as usize + 1;
        let line = line.map_err(|e| malformed(position, format!("read error: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        if trailer.is_some() {
            return Err(malformed(position, "entries after the closing line"));
        }
        let value: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| malformed(position, format!("not JSON: {e}")))?;
        if value.get("end").is_some() {
            let t: TrailerLine = serde_json::from_value(value)
                .map_err(|e| malformed(position, format!("closing line: {e}")))?;
            trailer = Some(t.end);
            continue;
        }
        if value.get(FORMAT_KEY).is_some() {
            return Err(malformed(position, "a second header"));
        }
        let entry: AuditEntry = serde_json::from_value(value)
            .map_err(|e| malformed(position, format!("entry: {e}")))?;
        head = verify_entries(head, &header.terminal, std::slice::from_ref(&entry)).map_err(
            |mut e| {
                e.position = position;
                e
            },
        )?;
        count += 1;
    }

    let cut = |seq| ChainError {
        position: count as usize + 1,
        seq,
        kind: ChainErrorKind::Truncated,
    };
    let trailer = trailer.ok_or_else(|| cut(None))?;
    if trailer.count != count || trailer.head.seq != head.seq {
        return Err(cut(Some(head.seq + 1)));
    }
    if trailer.head.hash != head.hash {
        return Err(malformed(
            count as usize + 1,
            "closing line does not match the last entry",
        ));
    }
    Ok(VerifiedExport {
        header,
        count,
        head,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::tests::chain;

    fn export(entries: &[AuditEntry]) -> Vec<String> {
        let mut buf = Vec::new();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        write_export(&mut buf, "T001", ChainHead::default(), at, entries).expect("in memory");
        String::from_utf8(buf)
            .expect("utf8")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn verify(lines: &[String]) -> Result<VerifiedExport, ChainError> {
        verify_export(lines.join("\n").as_bytes())
    }

    #[test]
    fn round_trip() {
        let lines = export(&chain(25, "T001"));
        assert_eq!(lines.len(), 27);
        let v = verify(&lines).expect("intact");
        assert_eq!((v.count, v.head.seq), (25, 25));
    }

    #[test]
    fn tampering_in_the_file_is_found() {
        let lines = export(&chain(10, "T001"));

        let mut edited = lines.clone();
        edited[3] = edited[3].replace("clerk", "admin");
        let e = verify(&edited).expect_err("edited");
        assert_eq!((e.position, e.kind), (3, ChainErrorKind::Edited));

        let mut deleted = lines.clone();
        deleted.remove(5);
        let e = verify(&deleted).expect_err("deleted");
        assert_eq!(e.position, 5);

        let mut reordered = lines.clone();
        reordered.swap(2, 3);
        assert_eq!(verify(&reordered).expect_err("reordered").position, 2);

        // Cut off the tail with the closing line: truncated.
        let truncated = lines[..8].to_vec();
        let e = verify(&truncated).expect_err("truncated");
        assert_eq!(e.kind, ChainErrorKind::Truncated);
        assert_eq!(e.position, 8);

        // Cut off the tail but keep the closing line: the count no longer matches.
        let mut cut = lines[..8].to_vec();
        cut.push(lines[11].clone());
        assert_eq!(
            verify(&cut).expect_err("cut").kind,
            ChainErrorKind::Truncated
        );

        let mut garbage = lines.clone();
        garbage[4] = "not json".into();
        assert!(matches!(
            verify(&garbage).expect_err("garbage").kind,
            ChainErrorKind::Malformed(_)
        ));
        assert!(verify(&[]).is_err());
    }
}
