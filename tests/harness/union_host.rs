//! A union server in training mode that a test can stop and start again on the same data directory and
//! port (a union restart), and whose store the test reads to count decisions.
//!
//! The PKI and the seeded data come from `training::start_with` (the desktop app's training mode); the
//! server is then run with `server::start_with` over a store the host opens itself, so the test can look
//! into it (ledger, idempotency records, audit trail) without going through the API.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use madoguchi_domain::ids::MunicipalityCode;
use madoguchi_domain::kana::seion_key;
use madoguchi_protocol::v1::AuditEntry;
use madoguchi_union_server::config::UnionConfig;
use madoguchi_union_server::crypt::StoreKey;
use madoguchi_union_server::server::{self, RunningServer, ServeOptions};
use madoguchi_union_server::store::{
    IdempotencyRecord, LedgerEntry, ResidentQuery, ResidentRecord, SledStore, UnionStore,
};
use madoguchi_union_server::training::{self, TrainingOptions};
use uuid::Uuid;

/// What a terminal needs to reach the union and to sign in.
#[derive(Debug, Clone)]
pub struct UnionAccess {
    /// The union CA to pin.
    pub ca_cert: PathBuf,
    /// Client certificate (PEM) of the training terminal.
    pub terminal_cert: PathBuf,
    /// Its key (PEM).
    pub terminal_key: PathBuf,
    /// 端末ID of the training terminal.
    pub terminal_id: String,
    /// Training clerk (窓口担当 + 個人番号): user id.
    pub clerk_user: String,
    /// Its synthetic training password.
    pub clerk_password: String,
}

/// A union server that can be restarted.
pub struct UnionHost {
    /// Where it listens (the same after a restart).
    pub addr: SocketAddr,
    /// The municipality of the training terminal.
    pub municipality: MunicipalityCode,
    /// Certificates and the clerk account.
    pub access: UnionAccess,
    pki_dir: PathBuf,
    data_dir: PathBuf,
    config: UnionConfig,
    store: Option<Arc<SledStore>>,
    server: Option<RunningServer>,
}

impl UnionHost {
    /// Sets up training mode in `dir` (PKI, 200 synthetic residents, staff) and starts the union on a
    /// free port of 127.0.0.1.
    pub async fn start(dir: &Path) -> UnionHost {
        let training = training::start_with(dir, TrainingOptions::default())
            .await
            .expect("training union sets up");
        let addr = training.addr;
        let clerk = training
            .accounts
            .iter()
            .find(|a| a.user_id.ends_with("-clerk"))
            .expect("a training clerk")
            .clone();
        let access = UnionAccess {
            ca_cert: training.ca_cert.clone(),
            terminal_cert: training.terminal_cert.clone(),
            terminal_key: training.terminal_key.clone(),
            terminal_id: training.terminal_id.clone(),
            clerk_user: clerk.user_id,
            clerk_password: clerk.password,
        };
        let municipality = training.municipality;
        let pki_dir = training.pki_dir.clone();
        let data_dir = training.data_dir.clone();
        training.shutdown().await;
        let config = server::load_or_create_config(&data_dir, "研修用広域連合")
            .expect("training union.toml");
        let mut host = UnionHost {
            addr,
            municipality,
            access,
            pki_dir,
            data_dir,
            config,
            store: None,
            server: None,
        };
        host.start_again().await;
        host
    }

    /// The union's data directory (store, `union.toml`, the update shelf).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Starts the server again (after [`UnionHost::stop`]) on the same data directory and port.
    pub async fn start_again(&mut self) {
        assert!(self.server.is_none(), "the union is already running");
        let store = Arc::new(open_store(&self.data_dir).await);
        let running = server::start_with(
            ServeOptions::new(&self.pki_dir, &self.data_dir, self.addr),
            self.config.clone(),
            store.clone(),
        )
        .await
        .expect("union starts again on its port");
        assert_eq!(running.addr, self.addr);
        self.store = Some(store);
        self.server = Some(running);
    }

    /// Stops the server (requests in flight finish) and closes its store. Sessions are lost, as in a real
    /// restart; decisions are not.
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
        self.store = None;
    }

    /// Stop, then start on the same data directory and port.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start_again().await;
    }

    /// The store of the running union.
    pub fn store(&self) -> &SledStore {
        self.store.as_deref().expect("the union is running")
    }

    /// Decisions in the union's ledger.
    pub fn ledger_len(&self) -> usize {
        self.store().ledger_len().expect("ledger")
    }

    /// The stored answer for an idempotency key of this municipality, if the union decided it.
    pub fn decided(&self, key: Uuid) -> Option<IdempotencyRecord> {
        self.store()
            .idempotency(&self.municipality, key)
            .expect("idempotency record")
    }

    /// Every resident of the training municipality (the store searches by criteria only, so this asks
    /// for every katakana initial of the 清音化 key).
    pub fn residents(&self) -> Vec<ResidentRecord> {
        let mut all = std::collections::BTreeMap::new();
        for c in '\u{30A1}'..='\u{30FA}' {
            let Ok(prefix) = seion_key(&c.to_string()) else {
                continue;
            };
            let query = ResidentQuery {
                kana_prefix: Some(prefix),
                ..ResidentQuery::default()
            };
            let (rows, more) = self
                .store()
                .search_residents(&self.municipality, &query, 100_000)
                .expect("residents");
            assert!(!more);
            all.extend(rows.into_iter().map(|r| (r.id, r)));
        }
        all.into_values().collect()
    }

    /// Residents insured today with no loss recorded, in a stable order (not those the daily job decided
    /// ahead: a 75歳到達 next month is 取得予定, not insured).
    pub fn insured_residents(&self) -> Vec<ResidentRecord> {
        let today = crate::today();
        let mut r: Vec<_> = self
            .residents()
            .into_iter()
            .filter(|r| {
                r.active_qualification(today)
                    .is_some_and(|q| q.lost_on.is_none())
            })
            .collect();
        r.sort_by_key(|r| r.id);
        r
    }

    /// The idempotency keys of every entry of the union's decision ledger, read from its data directory
    /// while the union is stopped (the store's trait only counts the ledger). Reads the sled layout of
    /// `SledStore`: tree `data`, ledger entries under the key prefix `n/`, sealed with the store key
    /// (record key as AAD).
    pub async fn ledger_keys_at_rest(&self) -> Vec<Uuid> {
        assert!(self.server.is_none(), "stop the union first");
        let path = self.data_dir.join("union.sled");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        let db = loop {
            match sled::open(&path) {
                Ok(db) => break db,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("union store: {e}"),
            }
        };
        let key = StoreKey::load_or_create(&self.data_dir).expect("union store key");
        let data = db.open_tree("data").expect("data tree");
        data.scan_prefix(b"n/")
            .map(|kv| {
                let (k, v) = kv.expect("ledger entry");
                let plain = key.open(&k, &v).expect("ledger entry opens");
                serde_json::from_slice::<LedgerEntry>(&plain)
                    .expect("ledger entry")
                    .decision
                    .idempotency_key
            })
            .collect()
    }

    /// The whole audit trail of the municipality, oldest first.
    pub fn audit(&self) -> Vec<AuditEntry> {
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .store()
                .audit(&self.municipality, before, 1000)
                .expect("audit");
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            all.extend(page);
        }
        all.reverse();
        all
    }
}

/// sled releases its file lock when the last handle of the previous run is gone; connection tasks of the
/// stopped server may hold one for a moment.
async fn open_store(dir: &Path) -> SledStore {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match SledStore::open(dir) {
            Ok(s) => return s,
            Err(e) if tokio::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("union store does not open again: {e}"),
        }
    }
}
