//! Training mode (研修モード): an embedded union server the desktop app starts in-process, with a generated
//! PKI, synthetic residents and training staff accounts. Everything it issues is marked `sample` (見本).
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let training = madoguchi_union_server::training::start(std::path::Path::new("/tmp/madoguchi-training")).await?;
//! // Connect with training.ca_cert (pinned root), training.terminal_cert + terminal_key (client identity)
//! // to https://127.0.0.1:{training.addr.port()}; sign in with training.accounts[0].
//! training.shutdown().await;
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use madoguchi_domain::ids::MunicipalityCode;

use crate::auth::HashCost;
use crate::pki::{self, PkiPaths};
use crate::seed::{self, SeedOptions, TrainingAccount};
use crate::server::{self, RunningServer, ServeError, ServeOptions};
use crate::store::{SledStore, UnionStore};

/// Training setup.
#[derive(Debug, Clone)]
pub struct TrainingOptions {
    /// 市町村コード of the training terminal's municipality (default 見附市 152111).
    pub municipality: MunicipalityCode,
    /// Terminal id written into the training terminal's certificate.
    pub terminal_id: String,
    /// Synthetic residents to seed on first start.
    pub residents: usize,
    /// Seed of the synthetic data (same seed, same residents).
    pub seed: u64,
    /// Port 0 picks a free one.
    pub listen: SocketAddr,
    /// Union policy for the offline roster (off by default, as in production).
    pub offline_roster: bool,
    /// Union policy: reprints and corrections need a 監督者's approval (off by default).
    pub reprint_needs_supervisor: bool,
    /// Run the enrolment listener here too (tests of 端末登録); `None` = none.
    pub enrolment_listen: Option<SocketAddr>,
}

impl Default for TrainingOptions {
    #[allow(clippy::expect_used)]
    fn default() -> Self {
        TrainingOptions {
            // 見附市: a municipality of the Niigata union the seeds describe (N:947–953).
            // A constant, checked by the unit test below.
            municipality: MunicipalityCode::parse("152111")
                .expect("built-in municipality code is valid"),
            terminal_id: "KENSYU-01".into(),
            residents: 200,
            seed: 2026,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            offline_roster: false,
            reprint_needs_supervisor: false,
            enrolment_listen: None,
        }
    }
}

/// Why training mode could not start.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    /// Creating the training PKI (CA, server or terminal certificate) failed.
    #[error(transparent)]
    Pki(#[from] pki::PkiError),
    /// The embedded server could not start.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// Seeding the synthetic residents and accounts failed.
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    /// The training data store could not be opened or read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The sample released 一斉更新 (bulk renewal) could not be generated.
    #[error(transparent)]
    Distribution(#[from] crate::distribution::GenerateError),
}

/// A running training server and what a terminal needs to reach it.
pub struct TrainingServer {
    /// Address the server listens on (127.0.0.1 with the port actually bound).
    pub addr: SocketAddr,
    /// The generated training PKI directory (kept across starts).
    pub pki_dir: PathBuf,
    /// The training data directory (store and `union.toml`).
    pub data_dir: PathBuf,
    /// The union CA to pin.
    pub ca_cert: PathBuf,
    /// Client certificate and key (PEM) of the training terminal.
    pub terminal_cert: PathBuf,
    /// Private key PEM of the training terminal.
    pub terminal_key: PathBuf,
    /// 市町村コード the training terminal is scoped to.
    pub municipality: MunicipalityCode,
    /// Terminal id of the training terminal.
    pub terminal_id: String,
    /// Training staff (user ids and passwords).
    pub accounts: Vec<TrainingAccount>,
    /// The enrolment listener's address, when [`TrainingOptions::enrolment_listen`] was set.
    pub enrolment_addr: Option<SocketAddr>,
    server: RunningServer,
}

impl TrainingServer {
    /// Stops the server.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// Starts training mode in `dir` with the defaults (見附市, one terminal, 200 residents).
pub async fn start(dir: &Path) -> Result<TrainingServer, TrainingError> {
    start_with(dir, TrainingOptions::default()).await
}

/// Starts training mode; reuses the PKI and data already in `dir` from an earlier start.
pub async fn start_with(
    dir: &Path,
    options: TrainingOptions,
) -> Result<TrainingServer, TrainingError> {
    let pki_dir = dir.join("pki");
    let data_dir = dir.join("data");
    let paths = PkiPaths::new(&pki_dir);
    let union_name = "研修用広域連合";
    if !paths.ca_cert().exists() {
        pki::init(&pki_dir, union_name, 3650)?;
    }
    if !paths.server_cert().exists() {
        pki::issue_server(&pki_dir, &["localhost".into(), "127.0.0.1".into()], 825)?;
    }
    if !paths.terminal_cert(&options.terminal_id).exists() {
        pki::issue_terminal(
            &pki_dir,
            options.municipality.as_str(),
            &options.terminal_id,
            365,
        )?;
    }
    let mut config = server::load_or_create_config(&data_dir, union_name)?;
    if !config.training
        || config.offline_roster != options.offline_roster
        || config.reprint_needs_supervisor != options.reprint_needs_supervisor
    {
        config.training = true;
        config.offline_roster = options.offline_roster;
        config.reprint_needs_supervisor = options.reprint_needs_supervisor;
        let _ = std::fs::write(data_dir.join(server::CONFIG_FILE), config.to_toml());
    }
    let store = Arc::new(SledStore::open(&data_dir)?);
    // Training passwords are printed on purpose; a light hash keeps the embedded start fast.
    let cost = HashCost {
        memory_kib: 4096,
        iterations: 1,
    };
    let accounts = seed::training_accounts(&options.municipality);
    let seeded = match accounts.first() {
        Some(a) => store.staff(&a.user_id)?.is_some(),
        None => true,
    };
    if !seeded {
        let today = (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive();
        seed::seed(
            store.as_ref(),
            &config,
            &SeedOptions {
                municipalities: vec![options.municipality],
                residents: options.residents,
                seed: options.seed,
                as_of: today,
                hash_cost: cost,
            },
        )?;
        // One released 一斉更新 so the supervisor's queue has something to review.
        let union_staff: Vec<&str> = accounts
            .iter()
            .filter(|a| a.roles.contains(&madoguchi_protocol::v1::Role::UnionStaff))
            .map(|a| a.user_id.as_str())
            .collect();
        if let [requester, approver, ..] = union_staff[..] {
            crate::distribution::seed_released_renewal(
                store.as_ref(),
                &config,
                options.municipality,
                requester,
                approver,
                today,
            )?;
        }
    }
    let mut serve = ServeOptions::new(&pki_dir, &data_dir, options.listen);
    serve.enrolment_listen = options.enrolment_listen;
    let running = server::start_with(serve, config, store).await?;
    Ok(TrainingServer {
        addr: running.addr,
        enrolment_addr: running.enrolment_addr(),
        ca_cert: paths.ca_cert(),
        terminal_cert: paths.terminal_cert(&options.terminal_id),
        terminal_key: paths.terminal_key(&options.terminal_id),
        pki_dir,
        data_dir,
        municipality: options.municipality,
        terminal_id: options.terminal_id,
        accounts,
        server: running,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_municipality_is_valid() {
        let o = super::TrainingOptions::default();
        assert_eq!(o.municipality.as_str(), "152111");
    }
}
