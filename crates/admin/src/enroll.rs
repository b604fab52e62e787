//! `madoguchi-admin enroll`: enrols this machine as a 窓口端末 with the union (端末登録).
//!
//! The terminal's key is created here and never leaves the machine; it is kept sealed under a key held by
//! the OS keyring. The union CA certificate must come out of band (from the union's 情報システム管理者,
//! checked by its fingerprint), so that the enrolment itself cannot be intercepted.

use std::path::PathBuf;
use std::time::Duration;

use madoguchi_link::enrolment::{self, EnrolError, EnrolOptions};
use madoguchi_vault::KeyringKeyStore;
use zeroize::Zeroizing;

use crate::Outcome;

#[derive(clap::Args)]
#[command(after_help = "\
例 / example:
  madoguchi-admin enroll --union https://union.example.lg.jp:8444 --ca union-ca.pem \\
      --code ABCDE-FGHJK-MNPQR-STVWX --terminal-dir /var/lib/madoguchi/terminal-id

Then add to the app's madoguchi.toml:  terminal_dir = \"/var/lib/madoguchi/terminal-id\"
On Linux the OS keyring is the kernel keyutils session keyring (run inside a login session, or under
`keyctl session -` for a headless run).")]
pub(crate) struct Args {
    /// The union's enrolment listener, https://host:port (登録窓口).
    #[arg(long = "union")]
    union_url: String,
    /// The union CA certificate (PEM), obtained out of band.
    #[arg(long)]
    ca: PathBuf,
    /// The one-time enrolment code (登録コード); or env MADOGUCHI_ENROLMENT_CODE, to keep it out of the
    /// process list.
    #[arg(long, env = "MADOGUCHI_ENROLMENT_CODE", hide_env_values = true)]
    code: String,
    /// Directory for this terminal's certificate, CA, CRL and sealed key (created; must not hold an
    /// enrolment yet).
    #[arg(long)]
    terminal_dir: PathBuf,
    /// The union's mutual-TLS API endpoint, when the union's answer does not name it.
    #[arg(long)]
    endpoint: Option<String>,
    /// Seconds to wait for the union.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

pub(crate) fn run(args: Args) -> Outcome {
    let ca = match std::fs::read(&args.ca) {
        Ok(b) => b,
        Err(e) => {
            return Outcome::Refused {
                ja: "CA証明書ファイルを読めません。パスを確認してください。".into(),
                en: format!("cannot read {}: {e}", args.ca.display()),
            };
        }
    };
    let keys = match KeyringKeyStore::os_default() {
        Ok(k) => k,
        Err(e) => return Outcome::refused(&EnrolError::Keyring(e.to_string())),
    };
    let opts = EnrolOptions {
        enrol_url: args.union_url,
        union_ca_pem: ca,
        code: Zeroizing::new(args.code),
        terminal_dir: args.terminal_dir,
        api_endpoint: args.endpoint,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return Outcome::Refused {
                ja: "処理を開始できませんでした。".into(),
                en: format!("runtime: {e}"),
            };
        }
    };
    match runtime.block_on(enrolment::enrol(&opts, &keys)) {
        Ok(t) => {
            let d = &t.description;
            Outcome::Ok(format!(
                "enrolled {} {}\n\
                 端末登録が完了しました（端末ID {}、市区町村 {}、{}）。\n\
                 endpoint:      {}\n\
                 certificate:   {} (serial {}, valid until {})\n\
                 key:           {} (sealed; key-encryption key in the OS keyring: {} / {})\n\
                 madoguchi.toml: terminal_dir = \"{}\"",
                d.terminal_id,
                d.municipality,
                d.terminal_id,
                d.municipality,
                d.union_name,
                d.endpoint,
                t.dir.join(&d.certificate).display(),
                d.serial,
                d.not_after,
                t.key_path().display(),
                d.keyring_service,
                d.keyring_entry,
                t.dir.display(),
            ))
        }
        Err(e) => Outcome::refused(&e),
    }
}
