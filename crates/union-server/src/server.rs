//! Starting and stopping the server: TLS configuration from the PKI directory, the CRL watcher, the store
//! and configuration from the data directory, and the axum-server listener.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum_server::Handle;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

use crate::api::{AppState, Clock, router};
use crate::auth::Sessions;
use crate::config::{ConfigError, UnionConfig};
use crate::pki::{self, PkiPaths};
use crate::store::{StoreError, StoreLocation, UnionStore};
use crate::tls::{self, RevokedSerials, TerminalAcceptor, TlsError};

/// Name of the configuration file in the data directory.
pub const CONFIG_FILE: &str = "union.toml";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The server certificate, key or CRL could not be loaded into a TLS configuration.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The store could not be opened, or failed its verification at start.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `union.toml` could not be read, parsed or written.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The PKI directory's `index.json` could not be read.
    #[error(transparent)]
    Pki(#[from] pki::PkiError),
    /// The dated rate tables (料率表) are missing or invalid.
    #[error(transparent)]
    Rates(#[from] crate::rates::RatesError),
    /// The update shelf (`<data dir>/updates`) could not be opened.
    #[error(transparent)]
    Updates(#[from] crate::updates::ShelfError),
    /// The listening socket could not be bound or set up.
    #[error("cannot listen on {addr}: {message}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error text.
        message: String,
    },
}

/// What `serve` needs.
#[derive(Clone)]
pub struct ServeOptions {
    /// The PKI directory ([`crate::pki`]): server identity, union CA and CRL.
    pub pki_dir: PathBuf,
    /// The data directory: the store key, [`CONFIG_FILE`], and the sled store unless `store` says otherwise.
    pub data_dir: PathBuf,
    /// Where the store lives (`--store`); `None` is sled in `data_dir`.
    pub store: Option<crate::store::StoreLocation>,
    /// Address of the terminals' mutual-TLS listener.
    pub listen: SocketAddr,
    /// How often `crl.pem` is checked for a change.
    pub crl_poll: Duration,
    /// Upper bound for one request, body included.
    pub request_timeout: Duration,
    /// TLS handshake bound.
    pub handshake_timeout: Duration,
    /// A connection on which nothing is read for this long is closed (an idle HTTP/1.1 connection after
    /// the handshake, an h2 one after the preface). Longer than the terminals' pool idle time (60 s), so
    /// in normal use the terminal closes first.
    pub idle_timeout: Duration,
    /// The clock; `None` is the system clock. Tests pass a fixed one to decide "as of" a day.
    pub clock: Option<Clock>,
    /// Where to run the enrolment listener; overrides `[enrolment] listen` of union.toml (tests use port 0).
    pub enrolment_listen: Option<SocketAddr>,
    /// How often the server looks whether the day (on its clock) changed, to run the daily job
    /// ([`crate::daily`]) once per day, at start included.
    pub daily_poll: Duration,
}

impl ServeOptions {
    /// Options with the production timeouts, the system clock and the enrolment listener of `union.toml`.
    pub fn new(
        pki_dir: impl Into<PathBuf>,
        data_dir: impl Into<PathBuf>,
        listen: SocketAddr,
    ) -> Self {
        ServeOptions {
            pki_dir: pki_dir.into(),
            data_dir: data_dir.into(),
            store: None,
            listen,
            crl_poll: Duration::from_millis(500),
            request_timeout: Duration::from_secs(15),
            handshake_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(90),
            clock: None,
            enrolment_listen: None,
            daily_poll: Duration::from_secs(60),
        }
    }
}

/// Loads `union.toml`, or writes the default one (named after the PKI's union) when there is none.
pub fn load_or_create_config(data_dir: &Path, union_name: &str) -> Result<UnionConfig, ServeError> {
    let path = data_dir.join(CONFIG_FILE);
    if path.exists() {
        return Ok(UnionConfig::load(&path)?);
    }
    std::fs::create_dir_all(data_dir).map_err(|e| ConfigError::Read {
        path: data_dir.display().to_string(),
        message: e.to_string(),
    })?;
    let config = UnionConfig::default_for(union_name);
    std::fs::write(&path, config.to_toml()).map_err(|e| ConfigError::Read {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    Ok(config)
}

/// A running server.
pub struct RunningServer {
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    handle: Handle<SocketAddr>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    watcher: tokio::task::JoinHandle<()>,
    /// Applies the retention rules ([`crate::config::RetentionRule`]) at start and every 6 hours.
    pruner: tokio::task::JoinHandle<()>,
    /// Held by a daily job's blocking run, which an abort cannot stop: stopping waits for it.
    daily_running: Arc<tokio::sync::Mutex<()>>,
    state: Arc<AppState>,
    /// The enrolment listener, when configured.
    enrolment: Option<crate::enrol::EnrolListener>,
}

impl RunningServer {
    /// Stops accepting, lets requests in flight finish (up to 5 s), and flushes the store.
    pub async fn shutdown(self) {
        if let Some(e) = self.enrolment {
            e.shutdown().await;
        }
        self.handle.graceful_shutdown(Some(Duration::from_secs(5)));
        let _ = self.server.await;
        self.watcher.abort();
        self.pruner.abort();
        // The pruner holds the store: wait until it is gone, so the store can be opened again at once.
        let _ = self.pruner.await;
        let _ = self.daily_running.lock().await;
        let store = self.state.store.clone();
        let _ = tokio::task::spawn_blocking(move || store.flush()).await;
    }

    /// Runs until `signal` completes (then shuts down gracefully) or the listener fails.
    pub async fn run_until(
        self,
        signal: impl std::future::Future<Output = ()>,
    ) -> std::io::Result<()> {
        let RunningServer {
            handle,
            mut server,
            watcher,
            pruner,
            state,
            enrolment,
            daily_running,
            ..
        } = self;
        let result = tokio::select! {
            r = &mut server => match r {
                Ok(r) => r,
                Err(e) => Err(std::io::Error::other(e.to_string())),
            },
            _ = signal => {
                tracing::info!("shutting down");
                handle.graceful_shutdown(Some(Duration::from_secs(5)));
                let _ = server.await;
                Ok(())
            }
        };
        watcher.abort();
        pruner.abort();
        let _ = pruner.await;
        let _ = daily_running.lock().await;
        if let Some(e) = enrolment {
            e.shutdown().await;
        }
        let store = state.store.clone();
        let _ = tokio::task::spawn_blocking(move || store.flush()).await;
        result
    }

    /// Address of the enrolment listener, when one runs.
    pub fn enrolment_addr(&self) -> Option<SocketAddr> {
        self.enrolment.as_ref().map(|e| e.addr)
    }

    /// How many passwords the server has verified (for tests and monitoring of guessing).
    pub fn password_verifications(&self) -> u64 {
        self.state.password_gate.verifications()
    }

    /// The store (for tests and tools that inspect what was written).
    pub fn store(&self) -> Arc<dyn UnionStore> {
        self.state.store.clone()
    }
}

/// Starts the server on the current tokio runtime.
pub async fn start(options: ServeOptions) -> Result<RunningServer, ServeError> {
    let pki_paths = PkiPaths::new(&options.pki_dir);
    let index = pki::load_index(&pki_paths)?;
    let config = load_or_create_config(&options.data_dir, &index.union_name)?;
    let location = options
        .store
        .clone()
        .unwrap_or_else(|| StoreLocation::Sled(options.data_dir.clone()));
    tracing::info!(store = location.kind(), "opening the store");
    let data_dir = options.data_dir.clone();
    // Opening may wait on the network (PostgreSQL) or the disk: not on the runtime's own thread.
    let store = tokio::task::spawn_blocking(move || location.open(&data_dir))
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))??;
    start_with(options, config, store).await
}

/// Starts the server with a given configuration and store.
pub async fn start_with(
    options: ServeOptions,
    config: UnionConfig,
    store: Arc<dyn UnionStore>,
) -> Result<RunningServer, ServeError> {
    // Nothing is served from a damaged store: verify it whole first (a flipped byte once made a search
    // spin forever and left records silently unreadable).
    let checked = store.clone();
    let report = tokio::task::spawn_blocking(move || checked.verify())
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))??;
    tracing::info!(
        residents = report.residents,
        documents = report.documents,
        ledger = report.ledger,
        "store verified"
    );
    let rates = crate::rates::RateBook::for_config(&config, &options.data_dir)?;
    let pki_paths = PkiPaths::new(&options.pki_dir);
    let (server_config, serials) = tls::server_config(&pki_paths)?;
    let revoked = RevokedSerials::default();
    revoked.replace_all(serials);
    let rustls_config = RustlsConfig::from_config(server_config);
    let watcher = tls::spawn_crl_watcher(
        pki_paths,
        rustls_config.clone(),
        revoked.clone(),
        options.crl_poll,
    );
    let clock: Clock = options
        .clock
        .clone()
        .unwrap_or_else(|| Arc::new(chrono::Utc::now));
    let idle = Duration::from_secs(u64::from(config.auth.session_idle_minutes) * 60);
    let state = Arc::new(AppState {
        store,
        password_gate: crate::password_gate::PasswordGate::new(&config.auth),
        config,
        rates,
        sessions: Sessions::new(idle),
        write_lock: tokio::sync::Mutex::new(()),
        revoked,
        request_timeout: options.request_timeout,
        clock,
        group_flush: Default::default(),
        audit_flush: Default::default(),
        daily_runs: Default::default(),
        updates: crate::updates::UpdateShelf::open(&options.data_dir.join("updates"))?,
    });
    let app = router(state.clone());

    let listen_error = |e: std::io::Error| ServeError::Listen {
        addr: options.listen,
        message: e.to_string(),
    };
    let listener = std::net::TcpListener::bind(options.listen).map_err(listen_error)?;
    // axum-server's from_tcp hangs on a blocking std listener (tech-notes §5.4).
    listener.set_nonblocking(true).map_err(listen_error)?;
    let addr = listener.local_addr().map_err(listen_error)?;
    let acceptor = TerminalAcceptor::new(
        RustlsAcceptor::new(rustls_config).handshake_timeout(options.handshake_timeout),
        options.idle_timeout,
    );
    let handle = Handle::new();
    let mut server = axum_server::from_tcp(listener)
        .map_err(listen_error)?
        .acceptor(acceptor)
        .handle(handle.clone());
    // A client that opens a connection and then dribbles its request headers is cut off.
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(options.handshake_timeout);
    let enrolment_listen =
        options
            .enrolment_listen
            .or(state.config.enrolment.as_ref().map(|e| e.listen));
    let enrolment = match enrolment_listen {
        Some(listen) => Some(crate::enrol::spawn_listener(
            &options.pki_dir,
            listen,
            state
                .config
                .enrolment
                .as_ref()
                .and_then(|e| e.api_endpoint.clone()),
            options.handshake_timeout,
        )?),
        None => None,
    };
    let task = tokio::spawn(async move { server.serve(app.into_make_service()).await });
    // One task for both background loops: aborting it drops both (and the store they hold).
    let (retention, daily) = (state.clone(), state.clone());
    let daily_running = Arc::new(tokio::sync::Mutex::new(()));
    let gate = daily_running.clone();
    let pruner = tokio::spawn(async move {
        tokio::join!(
            retention_loop(retention),
            daily_loop(daily, options.daily_poll, gate)
        );
    });
    tracing::info!(%addr, "union server listening (TLS 1.3, client certificates required)");
    Ok(RunningServer {
        addr,
        handle,
        server: task,
        watcher,
        pruner,
        state,
        enrolment,
        daily_running,
    })
}

/// Runs the daily job ([`crate::daily::run`]) once for each new day on the server's clock (at start, then
/// when the day changes; checked every `poll`), under the write lock, and logs its counts.
async fn daily_loop(state: Arc<AppState>, poll: Duration, running: Arc<tokio::sync::Mutex<()>>) {
    {
        let mut last: Option<madoguchi_domain::Date> = None;
        let mut tick = tokio::time::interval(poll);
        loop {
            tick.tick().await;
            let today = state.today();
            if last.is_some_and(|d| d >= today) {
                continue;
            }
            let inner = state.clone();
            let held = running.clone().lock_owned().await;
            // The job takes the write lock batch by batch (crate::daily::run), not for the whole run.
            let result = tokio::task::spawn_blocking(move || {
                let _held = held;
                // Declared after the guard, so dropped before it: when `shutdown` gets the lock, this run's
                // hold on the store is gone and the store can be opened again at once.
                let inner = inner;
                crate::daily::run(
                    inner.store.as_ref(),
                    &inner.config,
                    today,
                    Some(&inner.write_lock),
                )
            })
            .await;
            match result {
                Ok(Ok(report)) => {
                    last = Some(today);
                    state.daily_runs.record(today, state.now(), &report);
                    tracing::info!(
                        on = %today,
                        age_75 = report.age_75,
                        new_age_75 = report.new_age_75,
                        acquisitions_effective = report.acquisitions_effective,
                        losses_effective = report.losses_effective,
                        documents_expired = report.documents_expired,
                        "daily job done"
                    );
                }
                Ok(Err(e)) => tracing::error!(error = %e, "daily job failed"),
                Err(e) => tracing::error!(error = %e, "daily job task failed"),
            }
        }
    }
}

/// Applies the retention rules now and every 6 hours: idempotency records and the server's audit trail
/// older than configured are removed (never the decision ledger, never the terminals' chains).
async fn retention_loop(state: Arc<AppState>) {
    {
        let mut tick = tokio::time::interval(Duration::from_secs(6 * 3600));
        loop {
            tick.tick().await;
            let now = state.now();
            let rule = state.config.retention.clone();
            let store = state.store.clone();
            let result = tokio::task::spawn_blocking(move || {
                store.prune(rule.idempotency_cutoff(now), rule.audit_cutoff(now))
            })
            .await;
            match result {
                Ok(Ok(report)) => tracing::info!(
                    idempotency = report.idempotency,
                    audit = report.audit,
                    "retention applied"
                ),
                Ok(Err(e)) => tracing::error!(error = %e, "retention failed"),
                Err(e) => tracing::error!(error = %e, "retention task failed"),
            }
        }
    }
}
