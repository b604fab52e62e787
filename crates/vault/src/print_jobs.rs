//! State of bulk print jobs (一括印刷): which chunk is about to be spooled, which ones the print system
//! accepted under which job id. Sealed like everything else (the state names no resident, but it belongs
//! to a distribution of personal data and stays with the terminal's other records). Every write is flushed
//! before it returns: the exactly-once protocol of `madoguchi-batch` relies on "recorded" meaning "on disk".
//! The vault only keeps the bytes; what a job state means is the batch crate's business.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::{Batch, Tree};
use crate::error::{Result, VaultError};
use crate::vault::Vault;

/// Handle on the bulk print job states of a [`Vault`].
#[derive(Clone)]
pub struct PrintJobs {
    vault: Vault,
}

impl Vault {
    /// The bulk print jobs of this vault.
    pub fn print_jobs(&self) -> PrintJobs {
        PrintJobs {
            vault: self.clone(),
        }
    }
}

/// Job names are stored as plain keys: fixed words and opaque ids only.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 80
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(VaultError::InvalidInput(
            "print job names are 1–80 of [a-z0-9._-]",
        ));
    }
    Ok(())
}

impl PrintJobs {
    /// The state of job `name`, if any.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        check_name(name)?;
        self.vault.inner.get_value(Tree::PrintJobs, name.as_bytes())
    }

    /// Store the state of job `name`; durable (flushed) before it returns.
    pub fn put<T: Serialize>(&self, name: &str, state: &T) -> Result<()> {
        check_name(name)?;
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let mut b = Batch::new();
        b.put(
            Tree::PrintJobs,
            name.as_bytes(),
            inner.seal_value(Tree::PrintJobs, name.as_bytes(), state)?,
        );
        inner.backend.apply(&b)?;
        inner.flush()
    }

    /// Names of every stored job, in key order.
    pub fn names(&self) -> Result<Vec<String>> {
        self.vault
            .inner
            .backend
            .scan(Tree::PrintJobs, b"")?
            .into_iter()
            .map(|(k, _)| {
                String::from_utf8(k).map_err(|_| VaultError::CorruptRecord {
                    tree: Tree::PrintJobs.name(),
                    record: "malformed key".into(),
                })
            })
            .collect()
    }

    /// Forget job `name` (flushed).
    pub fn remove(&self, name: &str) -> Result<()> {
        check_name(name)?;
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let mut b = Batch::new();
        b.remove(Tree::PrintJobs, name.as_bytes());
        inner.backend.apply(&b)?;
        inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use crate::vault::tests::{fresh, open_in};

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct State {
        next: u32,
        titles: Vec<String>,
    }

    #[test]
    fn job_state_survives_reopen_and_is_sealed() {
        let (dir, ks, v) = fresh();
        let jobs = v.print_jobs();
        let s = State {
            next: 101,
            titles: vec!["mdg-secret-title-c0001".into()],
        };
        jobs.put("job-1", &s).unwrap();
        assert!(jobs.put("Job 1", &s).is_err());
        assert_eq!(jobs.names().unwrap(), vec!["job-1".to_string()]);
        drop((jobs, v));
        // Nothing of the value is on disk in the clear.
        let mut found = false;
        for entry in walk(dir.path()) {
            let bytes = std::fs::read(&entry).unwrap_or_default();
            if memchr::memmem::find(&bytes, b"mdg-secret-title").is_some() {
                found = true;
            }
        }
        assert!(!found, "job state written in plaintext");
        let v = open_in(dir.path(), &ks).unwrap();
        assert_eq!(v.print_jobs().get::<State>("job-1").unwrap(), Some(s));
        v.print_jobs().remove("job-1").unwrap();
        assert_eq!(v.print_jobs().get::<State>("job-1").unwrap(), None);
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
