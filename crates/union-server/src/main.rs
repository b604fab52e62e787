//! `madoguchi-union`: the union server and its tools. The command-line interface is stable; scripts rely on
//! it (issue 3):
//!
//! ```text
//! madoguchi-union pki init     --dir D --union NAME [--days N]
//! madoguchi-union pki server   --dir D --host NAME_OR_IP... [--days N]
//! madoguchi-union pki terminal --dir D --municipality CODE --terminal ID [--days N]
//! madoguchi-union pki revoke   --dir D --terminal ID
//! madoguchi-union pki enrolment-code --dir D --municipality CODE --terminal ID [--hours 24] [--days 365]
//! madoguchi-union pki enrolment-codes --dir D
//! madoguchi-union serve        --pki D --data DIR --listen ADDR:PORT [--log-format text|json]
//! madoguchi-union seed         --data DIR --municipality CODE... --residents N [--seed S] [--as-of DATE]
//!                              [--union NAME] [--light-hashes]
//! madoguchi-union staff add    --data DIR --user ID --name NAME --municipality CODE --role ROLE... [--my-number]
//!                              (password: env MADOGUCHI_STAFF_PASSWORD or the first line of stdin)
//! madoguchi-union staff unlock|disable --data DIR --user ID
//! madoguchi-union staff list   --data DIR
//! madoguchi-union migrate      --data DIR --store postgres://…
//! madoguchi-union check        --data DIR [--store postgres://…]
//! madoguchi-union migrate-store --from sled:DIR --to postgres://…
//! ```
//!
//! Every command that opens the store takes `--store` (or `MADOGUCHI_UNION_STORE`): `sled` (the default, in
//! `--data`), `sled:DIR`, or a `postgres://` URL. The store key stays in `--data` either way.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use madoguchi_domain::Date;
use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_protocol::v1::Role;
use madoguchi_union_server::auth::HashCost;
use madoguchi_union_server::seed::{self, SeedOptions};
use madoguchi_union_server::server::{self, ServeOptions};
use madoguchi_union_server::staff;
use madoguchi_union_server::store::{
    PgStore, SCHEMA_VERSION, StoreError, StoreLocation, UnionStore,
};
use madoguchi_union_server::{pki, server::CONFIG_FILE};

mod updates_cli;

#[derive(Parser)]
#[command(
    name = "madoguchi-union",
    version,
    about = "Madoguchi union (広域連合) server and tools"
)]
struct Cli {
    /// Where the store lives: `sled` (default, in --data), `sled:DIR`, or a `postgres://` URL.
    #[arg(
        long,
        global = true,
        env = "MADOGUCHI_UNION_STORE",
        hide_env_values = true
    )]
    store: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Terminal PKI: CA, server certificate, terminal certificates, revocation.
    Pki {
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Run the server: TLS 1.3, client certificates from the union CA required.
    Serve {
        /// PKI directory (from `pki init`).
        #[arg(long)]
        pki: PathBuf,
        /// Data directory (store and union.toml).
        #[arg(long)]
        data: PathBuf,
        /// Address and port to listen on.
        #[arg(long)]
        listen: SocketAddr,
        #[arg(long, value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
    },
    /// Staff accounts (run while the server is stopped).
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Check a store offline (after a restore, or before `serve`): every record opens under the key, the
    /// indexes match the residents, the decision ledger matches its marks. Exit 1 names the damage.
    Verify {
        #[arg(long)]
        data: PathBuf,
    },
    /// PostgreSQL: apply the schema migrations this binary knows (also done by `serve` at start); refuses
    /// a database migrated by a newer release.
    Migrate {
        #[arg(long)]
        data: PathBuf,
    },
    /// Check a store without changing it: PostgreSQL's schema version must be this binary's (else run
    /// `migrate`), then the same check as `verify`.
    Check {
        #[arg(long)]
        data: PathBuf,
    },
    /// Copy a union's data from a sled store into an empty PostgreSQL store (the server stopped), then read
    /// both whole and compare counts per kind and a content hash. The store key stays the sled directory's
    /// `store.key` (or MADOGUCHI_UNION_STORE_KEY_FILE): serve with `--data` holding it.
    MigrateStore {
        /// The source: `sled:DIR`.
        #[arg(long)]
        from: String,
        /// The target: a `postgres://` URL.
        #[arg(long)]
        to: String,
    },
    /// The union's daily job for one day (run while the server is stopped; the server runs it by itself):
    /// 75歳到達, dated 取得/喪失 taking effect, expired documents. Prints counts by kind; a second run of the
    /// same day changes nothing.
    Daily {
        #[arg(long)]
        data: PathBuf,
        /// The day (YYYY-MM-DD); default today (JST).
        #[arg(long)]
        on: Option<Date>,
    },
    /// 更新プログラム: terminal packages signed offline with the release key (the server never holds it).
    Updates {
        #[command(subcommand)]
        command: updates_cli::UpdatesCommand,
    },
    /// Generate synthetic residents and training staff accounts.
    Seed {
        #[arg(long)]
        data: PathBuf,
        /// 地方公共団体コード (6 digits), one or more.
        #[arg(long, num_args = 1.., required = true)]
        municipality: Vec<MunicipalityCode>,
        /// Residents per municipality.
        #[arg(long)]
        residents: usize,
        /// Random seed: the same seed and --as-of give the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the data describes (YYYY-MM-DD); default today (JST).
        #[arg(long)]
        as_of: Option<Date>,
        /// The union's name, when the data directory has no union.toml yet.
        #[arg(long, default_value = "後期高齢者医療広域連合（研修）")]
        union: String,
        /// Cheaper password hashes (training and tests only).
        #[arg(long)]
        light_hashes: bool,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add a staff account (password from MADOGUCHI_STAFF_PASSWORD or the first line of stdin).
    Add {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        municipality: MunicipalityCode,
        #[arg(long, value_enum, num_args = 1.., required = true)]
        role: Vec<RoleArg>,
        /// Grant the 個人番号 permission.
        #[arg(long)]
        my_number: bool,
        /// An account of the union's own office (its administrators; implied by `--role union-staff`).
        #[arg(long)]
        union: bool,
    },
    /// Clear a lockout.
    Unlock {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        user: String,
    },
    /// Revoke an account (失効); it is kept for the audit trail and never reused.
    Disable {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        user: String,
    },
    /// List accounts (user id, municipality, name, roles, state).
    List {
        #[arg(long)]
        data: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Clerk,
    Supervisor,
    Admin,
    /// 広域連合職員 (`union-staff`): distributions on the union side.
    UnionStaff,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Clerk => Role::Clerk,
            RoleArg::Supervisor => Role::Supervisor,
            RoleArg::Admin => Role::Admin,
            RoleArg::UnionStaff => Role::UnionStaff,
        }
    }
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Create the union CA and an empty CRL.
    Init {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        union: String,
        #[arg(long, default_value_t = 3650)]
        days: u32,
    },
    /// Issue the server certificate.
    Server {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, num_args = 1.., required = true)]
        host: Vec<String>,
        #[arg(long, default_value_t = 825)]
        days: u32,
    },
    /// Issue a terminal certificate and key (terminals/terminal-<ID>.pem, terminals/terminal-<ID>-key.pem).
    Terminal {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        municipality: MunicipalityCode,
        #[arg(long)]
        terminal: String,
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// Revoke a terminal's certificates and write a new CRL (a running server picks it up within seconds).
    Revoke {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        terminal: String,
    },
    /// Create a one-time enrolment code (登録コード) for a terminal; it is shown once. Works while `serve`
    /// runs: the enrolment listener reads the codes from the PKI directory on every request.
    EnrolmentCode {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        municipality: MunicipalityCode,
        #[arg(long)]
        terminal: String,
        /// How long the code can be used.
        #[arg(long, default_value_t = 24)]
        hours: u32,
        /// Validity of the certificate issued with it.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
    /// List the enrolment codes (terminal, municipality, expiry, use; never the codes themselves).
    EnrolmentCodes {
        #[arg(long)]
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Writes a file only its owner can read (0600): it holds passwords, even if only training ones.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // An older file keeps its mode on open: narrow it first.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Ctrl-C or SIGTERM, whichever comes first.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("madoguchi-union: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The operator's message for a store that cannot be used: Japanese first, then the English cause.
fn refused(e: StoreError) -> String {
    format!("{}\n{e}", e.message_ja())
}

/// Opens the store `--store` names (sled in `data` by default).
fn open_store(spec: Option<&str>, data: &std::path::Path) -> Result<Arc<dyn UnionStore>, String> {
    StoreLocation::parse(spec, data)
        .and_then(|l| l.open(data))
        .map_err(refused)
}

fn print_report(report: &madoguchi_union_server::store::VerifyReport) {
    println!(
        "検査完了（破損なし）: 住民 {} 件、索引 {} 件、証書 {} 件、決定台帳 {} 件、操作記録 {} 件、所得情報 {} 件",
        report.residents,
        report.index_entries,
        report.documents,
        report.ledger,
        report.audit,
        report.incomes
    );
}

fn run(cli: Cli) -> Result<(), String> {
    let spec = cli.store.as_deref();
    match cli.command {
        Command::Pki { command } => run_pki(command),
        Command::Staff { command } => run_staff(command, spec),
        Command::Migrate { data } => {
            let Ok(StoreLocation::Postgres(location)) = StoreLocation::parse(spec, &data) else {
                return Err(
                    "migrate: --store must be a postgres:// URL (sled needs no migration)".into(),
                );
            };
            let key =
                madoguchi_union_server::crypt::StoreKey::load_or_create(&data).map_err(refused)?;
            let (_, found) = PgStore::open_with(&location, key, true).map_err(refused)?;
            if found == SCHEMA_VERSION {
                println!("スキーマは最新です（版{SCHEMA_VERSION}）");
            } else {
                println!("スキーマを更新しました（版{found} → 版{SCHEMA_VERSION}）");
            }
            Ok(())
        }
        Command::MigrateStore { from, to } => {
            let Some(dir) = from.strip_prefix("sled:").map(PathBuf::from) else {
                return Err("migrate-store: --from must be sled:DIR".into());
            };
            let Ok(StoreLocation::Postgres(location)) = StoreLocation::parse(Some(&to), &dir)
            else {
                return Err("migrate-store: --to must be a postgres:// URL".into());
            };
            let sled = madoguchi_union_server::store::SledStore::open(&dir).map_err(refused)?;
            // Only a sound store is copied (the copy would carry the damage along).
            sled.verify().map_err(refused)?;
            let key =
                madoguchi_union_server::crypt::StoreKey::load_or_create(&dir).map_err(refused)?;
            let pg = PgStore::open(&location, key).map_err(refused)?;
            let report = madoguchi_union_server::store::copy::sled_to_postgres(&sled, &pg)
                .map_err(refused)?;
            let mut out = std::io::stdout().lock();
            for (kind, n) in &report.tally.counts {
                let _ = writeln!(out, "{kind}\t{n}");
            }
            let _ = writeln!(
                out,
                "移行完了: 件数と内容ハッシュ {} が移行元と移行先で一致しました",
                report.tally.hash()
            );
            Ok(())
        }
        Command::Check { data } => {
            let location = StoreLocation::parse(spec, &data).map_err(refused)?;
            let store: Arc<dyn UnionStore> = match &location {
                StoreLocation::Postgres(pg) => {
                    let key = madoguchi_union_server::crypt::StoreKey::load_or_create(&data)
                        .map_err(refused)?;
                    let (store, found) = PgStore::open_with(pg, key, false).map_err(refused)?;
                    println!("スキーマ: 版{found}（このプログラム: 版{SCHEMA_VERSION}）");
                    Arc::new(store)
                }
                StoreLocation::Sled(_) => location.open(&data).map_err(refused)?,
            };
            print_report(&store.verify().map_err(refused)?);
            Ok(())
        }
        Command::Updates { command } => updates_cli::run(command),
        Command::Serve {
            pki,
            data,
            listen,
            log_format,
        } => {
            init_logging(log_format);
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let mut options = ServeOptions::new(pki, &data, listen);
            options.store = Some(StoreLocation::parse(spec, &data).map_err(refused)?);
            runtime.block_on(async move {
                let running = match server::start(options).await {
                    Ok(r) => r,
                    Err(server::ServeError::Store(e)) => {
                        return Err(format!("{}\n{e}", e.message_ja()));
                    }
                    Err(server::ServeError::Rates(e)) => {
                        return Err(format!("{}\n{e}", e.message_ja()));
                    }
                    Err(e) => return Err(e.to_string()),
                };
                println!("listening on {}", running.addr);
                if let Some(addr) = running.enrolment_addr() {
                    println!("enrolment listening on {addr}");
                }
                // SIGTERM (systemd stop) drains and flushes like Ctrl-C.
                running
                    .run_until(stop_signal())
                    .await
                    .map_err(|e| e.to_string())
            })
        }
        Command::Verify { data } => {
            let store = open_store(spec, &data)?;
            print_report(&store.verify().map_err(refused)?);
            Ok(())
        }
        Command::Daily { data, on } => {
            let config = madoguchi_union_server::config::UnionConfig::load(&data.join(CONFIG_FILE))
                .map_err(|e| e.to_string())?;
            let store = open_store(spec, &data)?;
            let on = on.unwrap_or_else(|| madoguchi_domain::jst::date(chrono::Utc::now()));
            let report = madoguchi_union_server::daily::run(store.as_ref(), &config, on, None)
                .map_err(refused)?;
            println!("daily {on}");
            println!("{report}");
            Ok(())
        }
        Command::Seed {
            data,
            municipality,
            residents,
            seed,
            as_of,
            union,
            light_hashes,
        } => {
            let mut config =
                server::load_or_create_config(&data, &union).map_err(|e| e.to_string())?;
            // Seed data is synthetic: a seeded union is a training union, and everything it prints
            // carries 見本, whatever union.toml said before.
            if !config.training {
                config.training = true;
                std::fs::write(data.join(server::CONFIG_FILE), config.to_toml())
                    .map_err(|e| e.to_string())?;
            }
            let store = open_store(spec, &data)?;
            let as_of = as_of
                .unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive());
            let hash_cost = if light_hashes {
                HashCost {
                    memory_kib: 4096,
                    iterations: 1,
                }
            } else {
                HashCost::default()
            };
            let report = seed::seed(
                store.as_ref(),
                &config,
                &SeedOptions {
                    municipalities: municipality,
                    residents,
                    seed,
                    as_of,
                    hash_cost,
                },
            )
            .map_err(|e| e.to_string())?;
            let note = seed::training_note(&report);
            let path = data.join("TRAINING-STAFF.md");
            write_private(&path, note.as_bytes()).map_err(|e| e.to_string())?;
            // Written with write! so a closed pipe (`| head`) is not a panic.
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{note}");
            let _ = writeln!(
                out,
                "\nwritten: {} and {}",
                path.display(),
                data.join(CONFIG_FILE).display()
            );
            Ok(())
        }
    }
}

fn run_staff(command: StaffCommand, spec: Option<&str>) -> Result<(), String> {
    let open = |data: &PathBuf| open_store(spec, data);
    match command {
        StaffCommand::Add {
            data,
            user,
            name,
            municipality,
            role,
            my_number,
            union,
        } => {
            let password = match std::env::var("MADOGUCHI_STAFF_PASSWORD") {
                Ok(p) => zeroize::Zeroizing::new(p),
                Err(_) => {
                    let mut line = zeroize::Zeroizing::new(String::new());
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| e.to_string())?;
                    zeroize::Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string())
                }
            };
            let store = open(&data)?;
            staff::add(
                store.as_ref(),
                staff::NewStaff {
                    user_id: &user,
                    display_name: &name,
                    municipality,
                    roles: role.into_iter().map(Role::from).collect(),
                    my_number_permission: my_number,
                    union,
                    password: &password,
                },
                HashCost::default(),
            )
            .map_err(|e| e.to_string())?;
            println!("added {user}");
        }
        StaffCommand::Unlock { data, user } => {
            staff::unlock(open(&data)?.as_ref(), &user).map_err(|e| e.to_string())?;
            println!("unlocked {user}");
        }
        StaffCommand::Disable { data, user } => {
            staff::disable(open(&data)?.as_ref(), &user).map_err(|e| e.to_string())?;
            println!("disabled {user}");
        }
        StaffCommand::List { data } => {
            let mut out = std::io::stdout().lock();
            for line in staff::list(open(&data)?.as_ref()).map_err(|e| e.to_string())? {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    Ok(())
}

fn run_pki(command: PkiCommand) -> Result<(), String> {
    match command {
        PkiCommand::Init { dir, union, days } => {
            pki::init(&dir, &union, days).map_err(|e| e.to_string())?;
            println!("union CA created in {}", dir.display());
        }
        PkiCommand::Server { dir, host, days } => {
            let path = pki::issue_server(&dir, &host, days).map_err(|e| e.to_string())?;
            println!("server certificate: {}", path.display());
        }
        PkiCommand::Terminal {
            dir,
            municipality,
            terminal,
            days,
        } => {
            let files = pki::issue_terminal(&dir, municipality.as_str(), &terminal, days)
                .map_err(|e| e.to_string())?;
            println!("terminal certificate: {}", files.cert.display());
            println!("terminal key:         {}", files.key.display());
            println!("serial:               {}", files.serial);
        }
        PkiCommand::EnrolmentCode {
            dir,
            municipality,
            terminal,
            hours,
            days,
        } => {
            let issued = madoguchi_union_server::enrol::create_code(
                &dir,
                municipality.as_str(),
                &terminal,
                time::Duration::hours(i64::from(hours)),
                days,
            )
            .map_err(|e| e.to_string())?;
            let expires = issued
                .expires_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default();
            println!("{}", issued.code);
            println!("terminal:     {terminal} ({municipality})");
            println!("expires at:   {expires}");
            println!(
                "single use; give it to the terminal's administrator for `madoguchi-admin enroll`"
            );
        }
        PkiCommand::EnrolmentCodes { dir } => {
            let mut out = std::io::stdout().lock();
            for c in madoguchi_union_server::enrol::list_codes(&dir).map_err(|e| e.to_string())? {
                let state = match (&c.used_at, &c.serial) {
                    (Some(at), Some(serial)) => format!("used {at} serial {serial}"),
                    (Some(at), None) => format!("used {at}"),
                    (None, _) => "unused".into(),
                };
                let _ = writeln!(
                    out,
                    "{}\t{}\texpires {}\t{state}",
                    c.terminal_id, c.municipality, c.expires_at
                );
            }
        }
        PkiCommand::Revoke { dir, terminal } => {
            let serials = pki::revoke_terminal(&dir, &terminal).map_err(|e| e.to_string())?;
            println!(
                "revoked {} certificate(s) of terminal {terminal}; CRL written to {}",
                serials.len(),
                dir.join("crl.pem").display()
            );
        }
    }
    Ok(())
}
