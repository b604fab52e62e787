//! `madoguchi-admin media scan DIR`: registers a medium as the terminal does — every file scanned by ClamAV,
//! then the 媒体管理簿 entry (files, sizes, SHA-256) printed.

use std::path::PathBuf;
use std::time::SystemTime;

use madoguchi_domain::StaffUserId;
use madoguchi_media::{Registration, ScanConfig, register};

use crate::Outcome;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Scans every file of DIR with ClamAV and prints the 媒体管理簿 entry; exit 1 naming each infected or
    /// unscannable file, a symlink leaving DIR, or a file above the size limit.
    Scan(ScanArgs),
}

#[derive(clap::Args)]
pub(crate) struct ScanArgs {
    /// The medium folder (a mounted USB medium).
    dir: PathBuf,
    /// ClamAV signature directory (default: ClamAV's own database).
    #[arg(long)]
    database: Option<PathBuf>,
    /// The medium's volume id or label, for the 媒体管理簿.
    #[arg(long)]
    volume_id: Option<String>,
    /// Who registers the medium (職員のユーザID).
    #[arg(long, env = "USER", default_value = "admin")]
    staff: String,
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Scan(a) => scan(a),
    }
}

fn scan(a: &ScanArgs) -> Outcome {
    let staff = match StaffUserId::parse(&a.staff) {
        Ok(s) => s,
        Err(e) => {
            return Outcome::Refused {
                ja: "職員のユーザIDが正しくありません（英数字と . _ @ - の64文字以内）。".into(),
                en: e.to_string(),
            };
        }
    };
    let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    let at = madoguchi_domain::jst::datetime(now)
        .format("%Y-%m-%dT%H:%M:%S+09:00")
        .to_string();
    let config = ScanConfig {
        database: a.database.clone(),
        ..ScanConfig::default()
    };
    let who = Registration {
        staff,
        at,
        volume_id: a.volume_id.clone(),
    };
    match register(&a.dir, who, &config) {
        Ok(entry) => Outcome::Ok(entry.render_ja()),
        Err(e) => Outcome::Refused {
            ja: madoguchi_domain::StaffMessage::message_ja(&e),
            en: format!("{} ({})", e, e.code()),
        },
    }
}
