//! Which store a union uses, chosen by configuration: `--store` / `MADOGUCHI_UNION_STORE`.
//!
//! - absent, `sled` — the embedded store in the data directory (the default; 研修モード always uses it);
//! - `sled:DIR` — the embedded store in another directory;
//! - `postgres://…` / `postgresql://…` — PostgreSQL ([`PgStore`]); the store key is still read from the
//!   data directory (or `MADOGUCHI_UNION_STORE_KEY_FILE`), never from the database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{PgLocation, PgStore, SledStore, StoreError, UnionStore};

/// Environment variable naming the store (the same as `--store`).
pub const STORE_ENV: &str = "MADOGUCHI_UNION_STORE";

/// Where the union's store lives.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// The embedded sled store in this directory.
    Sled(PathBuf),
    /// A PostgreSQL database.
    Postgres(PgLocation),
}

impl StoreLocation {
    /// From a `--store` value (`None`: sled in `data_dir`).
    pub fn parse(spec: Option<&str>, data_dir: &Path) -> Result<Self, StoreError> {
        let spec = spec.map(str::trim).filter(|s| !s.is_empty());
        match spec {
            None | Some("sled") => Ok(StoreLocation::Sled(data_dir.to_path_buf())),
            Some(s) if s.starts_with("sled:") => Ok(StoreLocation::Sled(PathBuf::from(&s[5..]))),
            Some(s) if s.starts_with("postgres://") || s.starts_with("postgresql://") => {
                Ok(StoreLocation::Postgres(PgLocation {
                    url: s.to_string(),
                    schema: None,
                }))
            }
            Some(_) => Err(StoreError::Backend(
                "--store must be sled, sled:DIR, or a postgres:// URL".into(),
            )),
        }
    }

    /// Opens the store (PostgreSQL: migrating it first), with the store key of `data_dir`.
    pub fn open(&self, data_dir: &Path) -> Result<Arc<dyn UnionStore>, StoreError> {
        Ok(match self {
            StoreLocation::Sled(dir) => Arc::new(SledStore::open(dir)?),
            StoreLocation::Postgres(location) => Arc::new(PgStore::open(
                location,
                crate::crypt::StoreKey::load_or_create(data_dir)?,
            )?),
        })
    }

    /// A name for logs and messages (never the URL: it may hold a password).
    pub fn kind(&self) -> &'static str {
        match self {
            StoreLocation::Sled(_) => "sled",
            StoreLocation::Postgres(_) => "postgresql",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_is_sled_in_the_data_directory_unless_configured() {
        let data = Path::new("/d");
        assert!(
            matches!(StoreLocation::parse(None, data), Ok(StoreLocation::Sled(p)) if p == data)
        );
        assert!(
            matches!(StoreLocation::parse(Some("sled:/x"), data), Ok(StoreLocation::Sled(p)) if p == Path::new("/x"))
        );
        assert!(matches!(
            StoreLocation::parse(Some("postgres://u@h/db"), data),
            Ok(StoreLocation::Postgres(_))
        ));
        assert!(StoreLocation::parse(Some("mysql://h/db"), data).is_err());
    }
}
