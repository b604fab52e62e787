//! `madoguchi-admin audit verify FILE`: checks an exported audit chain.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use madoguchi_audit::verify_export;

use crate::Outcome;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Verifies an exported chain: exit 0 with its length, or exit 1 naming the first broken link.
    Verify {
        /// The export file (JSON Lines).
        file: PathBuf,
    },
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Verify { file } => verify(file),
    }
}

fn verify(path: &PathBuf) -> Outcome {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return Outcome::Refused {
                ja: format!("監査ログのファイルを開けません: {}", path.display()),
                en: format!("cannot open {}: {e}", path.display()),
            };
        }
    };
    match verify_export(BufReader::new(f)) {
        Ok(v) => Outcome::Ok(format!(
            "OK: {} entries (seq {}..={}), terminal {}, head {} — 監査ログ{}件、改ざんなし",
            v.count,
            v.header.from.seq + 1,
            v.head.seq,
            v.header.terminal,
            &v.head.hash.to_hex()[..16],
            v.count
        )),
        Err(e) => Outcome::refused(&e),
    }
}
