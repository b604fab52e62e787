//! Versioned migrations of the PostgreSQL store, run at open.
//!
//! Each migration is a SQL file applied once, in order, inside one transaction that also records its
//! version in `madoguchi_schema`; an advisory lock serialises instances that start together. A database
//! that records a version this binary does not know was migrated by a newer release: it is refused rather
//! than written with an older idea of the tables.

use super::{PgStore, pg};
use crate::store::StoreError;

/// The migrations, in order: (version, SQL).
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("migrations/0001_initial.sql"))];

/// The schema version this binary writes and reads.
pub const SCHEMA_VERSION: i32 = 1;

/// Advisory lock key held while migrating ("madoguchi" in a number).
const MIGRATION_LOCK: i64 = 0x6d61_646f_6775_6368;

impl PgStore {
    /// Applies the migrations the database lacks (or, when `apply` is false, refuses a database that
    /// lacks some); returns (version found, version now).
    pub(super) fn migrate(&self, apply: bool) -> Result<(i32, i32), StoreError> {
        self.run(move |mut c| async move {
            let tx = c.transaction().await.map_err(pg)?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .await
                .map_err(pg)?;
            // Looked up first: `CREATE TABLE IF NOT EXISTS` would log a NOTICE at every start.
            let exists: bool = tx
                .query_one("SELECT to_regclass('madoguchi_schema') IS NOT NULL", &[])
                .await
                .map_err(pg)?
                .try_get(0)
                .map_err(pg)?;
            if !exists {
                tx.batch_execute(
                    "CREATE TABLE madoguchi_schema (
                         version integer PRIMARY KEY,
                         applied_at timestamptz NOT NULL DEFAULT now())",
                )
                .await
                .map_err(pg)?;
            }
            let found: i32 = tx
                .query_one(
                    "SELECT coalesce(max(version), 0) FROM madoguchi_schema",
                    &[],
                )
                .await
                .map_err(pg)?
                .try_get(0)
                .map_err(pg)?;
            if found > SCHEMA_VERSION {
                return Err(StoreError::SchemaTooNew {
                    found,
                    known: SCHEMA_VERSION,
                });
            }
            if !apply && found < SCHEMA_VERSION {
                return Err(StoreError::SchemaBehind {
                    found,
                    known: SCHEMA_VERSION,
                });
            }
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > found) {
                tx.batch_execute(sql).await.map_err(pg)?;
                tx.execute(
                    "INSERT INTO madoguchi_schema (version) VALUES ($1)",
                    &[version],
                )
                .await
                .map_err(pg)?;
            }
            tx.commit().await.map_err(pg)?;
            Ok((found, SCHEMA_VERSION))
        })
    }

    /// The schema version the database records.
    pub fn schema_version(&self) -> Result<i32, StoreError> {
        let rows = self.query(
            "SELECT coalesce(max(version), 0) FROM madoguchi_schema",
            vec![],
        )?;
        rows.first()
            .ok_or_else(|| StoreError::Corrupt("schema version".into()))?
            .try_get(0)
            .map_err(pg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_are_numbered_from_one_without_gaps_up_to_the_schema_version() {
        for (i, (v, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*v as usize, i + 1);
        }
        assert_eq!(MIGRATIONS.last().map(|(v, _)| *v), Some(SCHEMA_VERSION));
    }
}
