//! `madoguchi-union updates …`: the administrator's commands for the update shelf
//! ([`madoguchi_union_server::updates`]).

use std::path::PathBuf;

use clap::Subcommand;
use madoguchi_domain::ids::MunicipalityCode;

#[derive(Subcommand)]
pub(crate) enum UpdatesCommand {
    /// Publish a package with its offline signature (`madoguchi-admin release sign`). With
    /// `<data>/updates/release-key.pub` present, a package that does not verify is refused.
    Publish {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        package: PathBuf,
        /// The signature file (base64, as `madoguchi-admin release sign` writes it).
        #[arg(long)]
        signature: PathBuf,
        /// Semantic version, as signed.
        #[arg(long)]
        version: String,
        /// Platform, as signed.
        #[arg(long, default_value = "linux-x86_64-deb")]
        platform: String,
    },
    /// 保留: hold a municipality's updates (or release them with --release).
    Hold {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        municipality: MunicipalityCode,
        #[arg(long)]
        release: bool,
    },
    /// 取り下げ: stop offering a release.
    Withdraw {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        version: String,
        #[arg(long, default_value = "linux-x86_64-deb")]
        platform: String,
    },
    /// Releases, and what the terminals reported.
    List {
        #[arg(long)]
        data: PathBuf,
    },
}

pub(crate) fn run(command: UpdatesCommand) -> Result<(), String> {
    use madoguchi_union_server::updates::UpdateShelf;
    let shelf_of = |data: &std::path::Path| {
        UpdateShelf::open(&data.join("updates")).map_err(|e| format!("{}\n{e}", e.message_ja()))
    };
    let refused =
        |e: madoguchi_union_server::updates::ShelfError| format!("{}\n{e}", e.message_ja());
    match command {
        UpdatesCommand::Publish {
            data,
            package,
            signature,
            version,
            platform,
        } => {
            let shelf = shelf_of(&data)?;
            let key_file = data.join("updates").join("release-key.pub");
            let key = match std::fs::read_to_string(&key_file) {
                Ok(text) => Some(madoguchi_update::TrustedKey::parse(&text).map_err(|e| {
                    format!("署名検証用の公開鍵（release-key.pub）を読めません。\n{e}")
                })?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(format!("release-key.pub: {e}")),
            };
            let signature = std::fs::read_to_string(&signature)
                .map_err(|e| format!("署名ファイルを読めません。\n{e}"))?;
            let r = shelf
                .publish(
                    &package,
                    &signature,
                    &version,
                    &platform,
                    key.as_ref(),
                    chrono::Utc::now(),
                )
                .map_err(refused)?;
            println!(
                "登録しました: {} {} ({} bytes, sha256 {}){}",
                r.platform,
                r.version,
                r.size,
                r.sha256,
                if key.is_some() {
                    "、署名検証済み"
                } else {
                    ""
                }
            );
            Ok(())
        }
        UpdatesCommand::Hold {
            data,
            municipality,
            release,
        } => {
            shelf_of(&data)?
                .hold(municipality.as_str(), !release)
                .map_err(refused)?;
            println!(
                "{} の更新を{}",
                municipality.as_str(),
                if release {
                    "再開しました"
                } else {
                    "保留しました"
                }
            );
            Ok(())
        }
        UpdatesCommand::Withdraw {
            data,
            version,
            platform,
        } => {
            shelf_of(&data)?
                .withdraw(&version, &platform)
                .map_err(refused)?;
            println!("取り下げました: {platform} {version}");
            Ok(())
        }
        UpdatesCommand::List { data } => {
            let shelf = shelf_of(&data)?;
            for r in shelf.releases().map_err(refused)? {
                println!(
                    "release {} {} {} bytes{}",
                    r.platform,
                    r.version,
                    r.size,
                    if r.withdrawn { " (取り下げ)" } else { "" }
                );
            }
            for r in shelf.reports().map_err(refused)? {
                println!(
                    "report {} {} {} {} → {} {:?}",
                    r.at.to_rfc3339(),
                    r.municipality,
                    r.terminal_id,
                    r.report.running,
                    r.report.version,
                    r.report.outcome
                );
            }
            Ok(())
        }
    }
}
