//! The union store on PostgreSQL (15, Debian's): for a union that serves a whole prefecture, wants
//! online backups with tools operators trust, and several server instances on one database.
//!
//! **Driver: `tokio-postgres` with a `deadpool-postgres` pool.** `sqlx` was the other candidate; it was not
//! chosen because its checked queries need a live database (or an offline cache) at build time, it brings
//! a large dependency tree into a 2-core CI build, and its migrator keeps its own table format. The store
//! needs a dozen plain statements, explicit transactions with row locks and its own migration rule
//! (refuse a newer schema), which tokio-postgres gives directly; deadpool is its maintained pool.
//!
//! **Sync trait, async driver.** [`UnionStore`] is synchronous (the sled store answers from memory or a
//! disk read, and handlers call it in place). tokio-postgres is async, and blocking on it from a handler
//! with `block_on` would panic inside the server's runtime. So the store owns a small runtime of its own
//! (two threads, `pg-store`): every call is spawned there and the calling thread waits on a channel for the
//! answer — like a sled call waiting for its disk, the caller's thread is held for one round trip, and no
//! runtime is nested. Sealing, opening and blinding happen on the calling thread; the store's runtime only
//! moves bytes.
//!
//! Guarantees, as on sled: a [`Commit`] is one transaction (the idempotency key's primary key refuses a
//! second writer: [`StoreError::IdempotencyRace`]); 被保険者番号 serials come from one database sequence
//! (never repeated, whatever the number of instances); a terminal's audit chain is appended under a row
//! lock on its head (`SELECT … FOR UPDATE`), so two shipments cannot both continue the same head; every
//! value that holds personal data is sealed with the store key and every search column is a blind value
//! ([`crate::crypt`]), so a `pg_dump` holds no plaintext name, kana, address, birth date or 個人番号.
//!
//! Versioned migrations (`pg_store/migrations/NNNN_*.sql`) run at open, under an advisory lock so two
//! instances starting together migrate once; a database whose schema is newer than this binary knows is
//! refused ([`StoreError::SchemaTooNew`]).

use std::future::Future;
use std::sync::Arc;

use madoguchi_domain::Date;
use madoguchi_domain::ids::{AddresseeNumber, InsuredNumber, MunicipalityCode};
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::{ResidentRecord, StoreError};
use crate::crypt::StoreKey;

mod chains;
mod distribution;
mod records;
mod schema;
mod trait_impl;
mod transfer;
mod verify;

pub use schema::SCHEMA_VERSION;

/// One statement parameter, owned so it can cross to the store's runtime.
pub(super) type Param = Box<dyn ToSql + Sync + Send>;

/// Index kinds of `resident_index` (see the migration).
pub(super) const KIND_ADDRESSEE: i16 = 1;
pub(super) const KIND_INSURED: i16 = 2;
pub(super) const KIND_KANA: i16 = 3;
pub(super) const KIND_BIRTH: i16 = 4;

/// Longest カナ prefix (in characters) with its own index row; longer queries filter after opening.
const KANA_PREFIX_INDEXED: usize = 24;

/// A fixed text sealed under the store key: a wrong key is found at open, before anything is written.
const KEY_CHECK_TEXT: &[u8] = b"madoguchi union store key check v1";

/// Connections one instance keeps at most.
const POOL_SIZE: usize = 16;

/// Where a PostgreSQL store lives: the connection URL (`postgres://…`, or `postgresql:///db?host=/socket`)
/// and optionally a schema of its own (several stores in one database: the tests' throwaway stores).
#[derive(Clone)]
pub struct PgLocation {
    /// The libpq-style URL. Never logged (it may carry a password).
    pub url: String,
    /// Schema the tables live in (created when absent); `None` is the user's default (`public`).
    pub schema: Option<String>,
}

impl std::fmt::Debug for PgLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgLocation(<url>, {:?})", self.schema)
    }
}

/// The PostgreSQL store.
pub struct PgStore {
    pool: deadpool_postgres::Pool,
    /// The store's own runtime (see the module doc); `Option` so that `Drop` can shut it down without
    /// blocking, wherever the last handle is dropped.
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    key: Arc<StoreKey>,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A driver error as a [`StoreError`]: the SQLSTATE and server message only (a constraint's DETAIL would
/// quote key values).
pub(super) fn pg(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => StoreError::Backend(format!("postgres {}: {}", db.code().code(), db.message())),
        None => StoreError::Backend(format!("postgres: {e}")),
    }
}

pub(super) fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value)
        .map_err(|e| StoreError::Corrupt(format!("encode: {:?}", e.classify())))
}

pub(super) fn from_json<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| {
        StoreError::Corrupt(format!(
            "{:?} at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// The AAD a sealed value is bound to: its table and row key, so values cannot be swapped between rows.
pub(super) fn aad(table: &str, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = table.as_bytes().to_vec();
    for p in parts {
        out.push(0);
        out.extend_from_slice(&(p.len() as u32).to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

fn valid_schema_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

impl PgStore {
    /// Connects, creates the schema when asked for one, runs the migrations this binary knows (refusing a
    /// newer schema), and checks that `key` is this store's key (writing the check on first use).
    pub fn open(location: &PgLocation, key: StoreKey) -> Result<Self, StoreError> {
        Self::open_with(location, key, true).map(|(store, _)| store)
    }

    /// Like [`PgStore::open`]; with `migrate` false a database whose schema is behind this binary is
    /// refused ([`StoreError::SchemaBehind`]) instead of migrated (`madoguchi-union check`). Also returns the
    /// schema version found before any migration.
    pub fn open_with(
        location: &PgLocation,
        key: StoreKey,
        migrate: bool,
    ) -> Result<(Self, i32), StoreError> {
        let mut config: tokio_postgres::Config = location
            .url
            .parse()
            .map_err(|_| StoreError::Backend("the PostgreSQL URL does not parse".into()))?;
        if let Some(schema) = &location.schema {
            if !valid_schema_name(schema) {
                return Err(StoreError::Backend(
                    "schema names are lower-case letters, digits and _".into(),
                ));
            }
            config.options(format!("-c search_path={schema}"));
        }
        config.application_name("madoguchi-union");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pg-store")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let manager = deadpool_postgres::Manager::from_config(
            config,
            tokio_postgres::NoTls,
            deadpool_postgres::ManagerConfig {
                recycling_method: deadpool_postgres::RecyclingMethod::Fast,
            },
        );
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(30)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Backend(format!("postgres pool: {e}")))?;
        let store = PgStore {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            pool,
            key: Arc::new(key),
        };
        if let Some(schema) = location.schema.clone() {
            store.run(move |c| async move {
                c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                    .await
                    .map_err(pg)
            })?;
        }
        let (found, _) = store.migrate(migrate)?;
        store.check_key()?;
        Ok((store, found))
    }

    /// Runs `f` with a pooled connection on the store's runtime and waits for its answer.
    pub(super) fn run<T, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(deadpool_postgres::Object) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let result = match pool.get().await {
                Ok(client) => f(client).await,
                Err(e) => Err(StoreError::Backend(format!("postgres pool: {e}"))),
            };
            let _ = tx.send(result);
        });
        rx.recv()
            .map_err(|_| StoreError::Backend("the PostgreSQL worker stopped".into()))?
    }

    /// One statement's rows.
    pub(super) fn query(
        &self,
        sql: &'static str,
        params: Vec<Param>,
    ) -> Result<Vec<Row>, StoreError> {
        self.run(move |c| async move {
            let stmt = c.prepare_cached(sql).await.map_err(pg)?;
            let refs: Vec<&(dyn ToSql + Sync)> = params
                .iter()
                .map(|p| p.as_ref() as &(dyn ToSql + Sync))
                .collect();
            c.query(&stmt, &refs).await.map_err(pg)
        })
    }

    /// One statement's affected row count.
    pub(super) fn execute(&self, sql: &'static str, params: Vec<Param>) -> Result<u64, StoreError> {
        self.run(move |c| async move {
            let stmt = c.prepare_cached(sql).await.map_err(pg)?;
            let refs: Vec<&(dyn ToSql + Sync)> = params
                .iter()
                .map(|p| p.as_ref() as &(dyn ToSql + Sync))
                .collect();
            c.execute(&stmt, &refs).await.map_err(pg)
        })
    }

    pub(super) fn key(&self) -> &StoreKey {
        &self.key
    }

    pub(super) fn shared_key(&self) -> Arc<StoreKey> {
        self.key.clone()
    }

    pub(super) fn seal_json<T: Serialize>(
        &self,
        aad: &[u8],
        value: &T,
    ) -> Result<Vec<u8>, StoreError> {
        let plain = zeroize::Zeroizing::new(to_json(value)?);
        self.key.seal(aad, &plain)
    }

    pub(super) fn open_json<T: for<'de> Deserialize<'de>>(
        &self,
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<T, StoreError> {
        from_json(&self.key.open(aad, sealed)?)
    }

    fn check_key(&self) -> Result<(), StoreError> {
        let check_aad = aad("meta", &[b"key_check"]);
        let sealed = self.key.seal(&check_aad, KEY_CHECK_TEXT)?;
        // First writer wins; everyone then checks the one stored.
        self.execute(
            "INSERT INTO meta (name, value) VALUES ('key_check', $1) ON CONFLICT (name) DO NOTHING",
            vec![Box::new(sealed)],
        )?;
        let rows = self.query("SELECT value FROM meta WHERE name = 'key_check'", vec![])?;
        let stored: Vec<u8> = rows
            .first()
            .ok_or_else(|| StoreError::Corrupt("key check missing".into()))?
            .try_get(0)
            .map_err(pg)?;
        match self.key.open(&check_aad, &stored) {
            Ok(plain) if plain.as_slice() == KEY_CHECK_TEXT => Ok(()),
            _ => Err(StoreError::WrongKey),
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Blind tokens (the same inputs as the sled store's index keys).

    pub(super) fn addressee_token(&self, m: &MunicipalityCode, a: &AddresseeNumber) -> Vec<u8> {
        self.key
            .blind(&[m.as_str().as_bytes(), a.as_str().as_bytes()])
            .to_vec()
    }

    pub(super) fn insured_token(&self, n: &InsuredNumber) -> Vec<u8> {
        self.key.blind(&[n.as_str().as_bytes()]).to_vec()
    }

    pub(super) fn kana_token(&self, m: &MunicipalityCode, prefix: &str) -> Vec<u8> {
        self.key
            .blind(&[m.as_str().as_bytes(), prefix.as_bytes()])
            .to_vec()
    }

    pub(super) fn birth_token(&self, m: &MunicipalityCode, d: Date) -> Vec<u8> {
        self.key
            .blind(&[
                m.as_str().as_bytes(),
                d.format("%Y%m%d").to_string().as_bytes(),
            ])
            .to_vec()
    }

    /// Every index row of a resident: (kind, token).
    pub(super) fn index_rows(&self, r: &ResidentRecord) -> Vec<(i16, Vec<u8>)> {
        index_rows(&self.key, r)
    }

    /// The indexed part of a カナ query.
    pub(super) fn indexed_kana(prefix: &str) -> String {
        prefix.chars().take(KANA_PREFIX_INDEXED).collect()
    }
}

/// Every index row of a resident: (kind, token), the same blind inputs as sled's index keys.
pub(super) fn index_rows(key: &StoreKey, r: &ResidentRecord) -> Vec<(i16, Vec<u8>)> {
    let m = r.municipality.as_str().as_bytes();
    let mut rows = vec![
        (
            KIND_ADDRESSEE,
            key.blind(&[m, r.addressee.as_str().as_bytes()]).to_vec(),
        ),
        (
            KIND_BIRTH,
            key.blind(&[m, r.birth_date.format("%Y%m%d").to_string().as_bytes()])
                .to_vec(),
        ),
    ];
    // One row per カナ prefix length, so a prefix search is an exact lookup of a blind value.
    let seion = r.kana.seion_key();
    let mut prefix = String::new();
    for c in seion.as_str().chars().take(KANA_PREFIX_INDEXED) {
        prefix.push(c);
        rows.push((KIND_KANA, key.blind(&[m, prefix.as_bytes()]).to_vec()));
    }
    if let Some(n) = &r.insured_number {
        rows.push((KIND_INSURED, key.blind(&[n.as_str().as_bytes()]).to_vec()));
    }
    rows
}

/// A uuid column.
pub(super) fn uuid_at(row: &Row, i: usize) -> Result<Uuid, StoreError> {
    row.try_get(i).map_err(pg)
}

/// A bytea column.
pub(super) fn bytes_at(row: &Row, i: usize) -> Result<Vec<u8>, StoreError> {
    row.try_get(i).map_err(pg)
}
