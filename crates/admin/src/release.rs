//! `madoguchi-admin release keygen|sign`: the vendor's offline release signing (更新プログラムの署名).
//! Run on the signing machine, never on the insurer server: the server hosts packages and their
//! signatures (`madoguchi-union updates publish`) but never holds the secret key.

use std::path::PathBuf;

use madoguchi_update::sign::{generate_key_pair, sign_release};
use madoguchi_update::{Platform, ReleaseClaim, Version};

use crate::Outcome;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Makes a release key pair in DIR: `release-key.pub` (provision terminals and the insurer with it)
    /// and `release-key.secret` (keep it offline; mode 0600).
    Keygen {
        /// Where to write the two files (must not hold a key already).
        dir: PathBuf,
    },
    /// Signs a package for one version and platform; writes `<package>.sig` (what `updates publish`
    /// takes). The version and platform are signed with the package, so they cannot be relabelled.
    Sign {
        /// The secret key file from `release keygen`.
        #[arg(long)]
        key: PathBuf,
        /// The package (`.deb`, NSIS setup, MSI).
        #[arg(long)]
        package: PathBuf,
        /// Its semantic version.
        #[arg(long)]
        version: String,
        /// Its platform.
        #[arg(long, default_value = "linux-x86_64-deb")]
        platform: String,
    },
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Keygen { dir } => keygen(dir),
        Command::Sign {
            key,
            package,
            version,
            platform,
        } => sign(key, package, version, platform),
    }
}

fn refused(ja: &str, en: impl std::fmt::Display) -> Outcome {
    Outcome::Refused {
        ja: ja.to_owned(),
        en: en.to_string(),
    }
}

fn keygen(dir: &std::path::Path) -> Outcome {
    let public_file = dir.join("release-key.pub");
    let secret_file = dir.join("release-key.secret");
    if public_file.exists() || secret_file.exists() {
        return refused(
            "鍵がすでにあります。上書きはしません。",
            "a release key already exists in that directory",
        );
    }
    let (public, secret) = match generate_key_pair() {
        Ok(k) => k,
        Err(e) => return refused("鍵を作成できませんでした。", e),
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return refused("保存先を作成できません。", e);
    }
    if let Err(e) = write_secret(&secret_file, secret.as_bytes()) {
        return refused("秘密鍵を保存できません。", e);
    }
    if let Err(e) = std::fs::write(&public_file, format!("{public}\n")) {
        return refused("公開鍵を保存できません。", e);
    }
    Outcome::Ok(format!(
        "作成しました: {} と {}（秘密鍵はオフラインで保管してください）",
        public_file.display(),
        secret_file.display()
    ))
}

#[cfg(unix)]
fn write_secret(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_secret(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn sign(
    key: &std::path::Path,
    package: &std::path::Path,
    version: &str,
    platform: &str,
) -> Outcome {
    let Ok(version) = Version::parse(version) else {
        return refused("版の書き方が正しくありません（例: 1.2.3）。", "bad version");
    };
    let Ok(platform) = platform.parse::<Platform>() else {
        return refused(
            "端末の種類が正しくありません（linux-x86_64-deb, windows-x86_64-nsis, windows-x86_64-msi）。",
            "bad platform",
        );
    };
    let secret = match std::fs::read_to_string(key) {
        Ok(s) => s,
        Err(e) => return refused("秘密鍵を読めません。", e),
    };
    let bytes = match std::fs::read(package) {
        Ok(b) => b,
        Err(e) => return refused("パッケージを読めません。", e),
    };
    let claim = ReleaseClaim { version, platform };
    let signature = match sign_release(&secret, &claim, &bytes) {
        Ok(s) => s,
        Err(e) => return refused("署名できませんでした（秘密鍵が正しくありません）。", e),
    };
    let mut sig_path = package.as_os_str().to_owned();
    sig_path.push(".sig");
    let sig_path = PathBuf::from(sig_path);
    if let Err(e) = std::fs::write(&sig_path, format!("{signature}\n")) {
        return refused("署名ファイルを書けません。", e);
    }
    Outcome::Ok(format!("署名しました: {}", sig_path.display()))
}
