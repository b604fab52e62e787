//! Terminal settings, sealed like everything else. Setting names are fixed ASCII words (they are
//! stored as plain keys), values are any serde type.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::{Batch, Tree};
use crate::error::{Result, VaultError};
use crate::vault::Vault;

/// Name of the setting that switches the offline roster on (union policy; off by default).
pub const ROSTER_ENABLED: &str = "roster.enabled";

/// Handle on the settings of a [`Vault`].
#[derive(Clone)]
pub struct Settings {
    vault: Vault,
}

impl Vault {
    /// The settings of this vault.
    pub fn settings(&self) -> Settings {
        Settings {
            vault: self.clone(),
        }
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        return Err(VaultError::InvalidInput(
            "setting names are 1–64 of [a-z0-9._-]",
        ));
    }
    Ok(())
}

impl Settings {
    /// Reads setting `name`.
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        check_name(name)?;
        self.vault.inner.get_value(Tree::Settings, name.as_bytes())
    }

    /// Store a setting; flushed before returning.
    pub fn set<T: Serialize>(&self, name: &str, value: &T) -> Result<()> {
        check_name(name)?;
        let inner = &self.vault.inner;
        let _w = inner.writing()?;
        let mut b = Batch::new();
        b.put(
            Tree::Settings,
            name.as_bytes(),
            inner.seal_value(Tree::Settings, name.as_bytes(), value)?,
        );
        inner.backend.apply(&b)?;
        inner.flush()
    }

    /// Removes setting `name`.
    pub fn remove(&self, name: &str) -> Result<()> {
        check_name(name)?;
        let inner = &self.vault.inner;
        let mut b = Batch::new();
        b.remove(Tree::Settings, name.as_bytes());
        inner.backend.apply(&b)?;
        inner.flush()
    }

    /// Whether the offline roster is switched on (default: off).
    pub fn roster_enabled(&self) -> Result<bool> {
        Ok(self.get::<bool>(ROSTER_ENABLED)?.unwrap_or(false))
    }

    /// Switch the offline roster on or off (union policy). Switching off erases the roster at once.
    pub fn set_roster_enabled(&self, on: bool) -> Result<()> {
        self.set(ROSTER_ENABLED, &on)?;
        if !on {
            self.vault.roster().erase()?;
        }
        Ok(())
    }
}
