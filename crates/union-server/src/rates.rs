//! The union's 後期 料率表 (rate tables), one per 年度, loaded once at start.
//!
//! Every amount, rate and threshold of the 負担割合 判定 and the 保険料 comes from these tables
//! (`madoguchi_rules::RateTable`, schema in `crates/rules/README.md`); the server holds no yen figure.
//! Where they come from (`union.toml`, [`crate::config::UnionConfig::rates_dir`]):
//! - `rates_dir` set: every `*.toml` / `*.json` file of that directory (relative to the data directory) is
//!   parsed; tables of 国保 are skipped (the union levies 後期 only), two 後期 tables for one 年度 are refused;
//! - unset on a training server: the shipped training tables `assets/rates/kouki-training-*.toml`, built into
//!   the binary so the desktop app's training mode finds them wherever it runs. For training only, a 年度
//!   without a table uses the latest earlier one (training data moves with the calendar; real tables never
//!   carry forward);
//! - unset otherwise: none — the 負担割合変更 and 保険料ファイル distributions are refused with a message.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use madoguchi_rules::{FiscalYear, RateTable, RulesError, Scheme};

use crate::config::UnionConfig;

/// The shipped training tables (研修用), by file name.
const TRAINING_TABLES: [(&str, &str); 2] = [
    (
        "kouki-training-2025.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/rates/kouki-training-2025.toml"
        )),
    ),
    (
        "kouki-training-2026.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../assets/rates/kouki-training-2026.toml"
        )),
    ),
];

/// Why the rate tables could not be loaded. Names files, never contents.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum RatesError {
    /// The rate directory, or a file in it, could not be read.
    #[error("cannot read the rate tables at {path}")]
    Read {
        /// The directory or file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A table does not parse or breaks the `RateTable` schema.
    #[error("rate table {name} is invalid")]
    Invalid {
        /// File name of the table.
        name: String,
        /// What the rules crate refused.
        #[source]
        source: RulesError,
    },
    /// Two 後期 tables claim one 年度; the server refuses to guess which one applies.
    #[error("two 後期 rate tables for fiscal year {fiscal_year}: {first} and {second}")]
    Duplicate {
        /// The 年度 (fiscal year, April–March) both tables claim.
        fiscal_year: i32,
        /// File name of the table read first.
        first: String,
        /// File name of the other table.
        second: String,
    },
}

impl RatesError {
    /// What the union's operator reads when the server refuses to start.
    pub fn message_ja(&self) -> String {
        match self {
            RatesError::Read { path, .. } => format!(
                "料率表のディレクトリ（{}）を読めませんでした。union.toml の rates_dir を確認してください。",
                path.display()
            ),
            RatesError::Invalid { name, source } => format!(
                "料率表 {name} に誤りがあります: {}",
                madoguchi_domain::StaffMessage::message_ja(source)
            ),
            RatesError::Duplicate {
                fiscal_year,
                first,
                second,
            } => format!(
                "{}の後期高齢者医療の料率表が2つあります（{first} と {second}）。1つにしてください。",
                FiscalYear::new(*fiscal_year)
            ),
        }
    }
}

/// `RateBook` — 料率表一式: the union's 後期 tables by 年度.
#[derive(Debug, Clone, Default)]
pub struct RateBook {
    kouki: BTreeMap<FiscalYear, (String, RateTable)>,
    /// Training tables: a missing 年度 falls back to the latest earlier one.
    carry_forward: bool,
}

impl RateBook {
    /// No tables (a server without `rates_dir` that is not a training server).
    pub fn empty() -> Self {
        RateBook::default()
    }

    /// The shipped training tables.
    pub fn training() -> Result<Self, RatesError> {
        let mut book = RateBook {
            carry_forward: true,
            ..RateBook::default()
        };
        for (name, text) in TRAINING_TABLES {
            book.add(name, text)?;
        }
        Ok(book)
    }

    /// Every `*.toml` / `*.json` table of a directory (後期 ones kept), in file-name order.
    pub fn load_dir(dir: &Path) -> Result<Self, RatesError> {
        let read = |source| RatesError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(read)? {
            let path = entry.map_err(read)?.path();
            let is_table = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e == "toml" || e == "json");
            if is_table && path.is_file() {
                files.push(path);
            }
        }
        files.sort();
        let mut book = RateBook::default();
        for path in files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|source| RatesError::Read {
                path: path.clone(),
                source,
            })?;
            book.add(&name, &text)?;
        }
        Ok(book)
    }

    /// The tables `union.toml` asks for (see the module doc); `data_dir` anchors a relative `rates_dir`.
    pub fn for_config(config: &UnionConfig, data_dir: &Path) -> Result<Self, RatesError> {
        match &config.rates_dir {
            Some(dir) if dir.is_absolute() => RateBook::load_dir(dir),
            Some(dir) => RateBook::load_dir(&data_dir.join(dir)),
            None if config.training => RateBook::training(),
            None => Ok(RateBook::empty()),
        }
    }

    fn add(&mut self, name: &str, text: &str) -> Result<(), RatesError> {
        let table = RateTable::parse(name, text).map_err(|source| RatesError::Invalid {
            name: name.to_owned(),
            source,
        })?;
        if table.scheme != Scheme::Kouki {
            return Ok(());
        }
        let year = table.fiscal_year;
        if let Some((first, _)) = self.kouki.get(&year) {
            return Err(RatesError::Duplicate {
                fiscal_year: year.start_year(),
                first: first.clone(),
                second: name.to_owned(),
            });
        }
        self.kouki.insert(year, (name.to_owned(), table));
        Ok(())
    }

    /// The 後期 table of a 年度 (training: the latest earlier one, re-dated to the 年度 asked for, so that
    /// 月割 and the income looked up follow the 年度).
    pub fn kouki(&self, fiscal_year: i32) -> Option<Cow<'_, RateTable>> {
        let year = FiscalYear::new(fiscal_year);
        if let Some((_, t)) = self.kouki.get(&year) {
            return Some(Cow::Borrowed(t));
        }
        if !self.carry_forward {
            return None;
        }
        let (_, (_, earlier)) = self.kouki.range(..year).next_back()?;
        let mut t = earlier.clone();
        t.fiscal_year = year;
        Some(Cow::Owned(t))
    }

    /// The 年度 that have a table of their own.
    pub fn years(&self) -> Vec<i32> {
        self.kouki.keys().map(|y| y.start_year()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_tables_are_built_in_and_carry_forward() {
        let book = RateBook::training().unwrap();
        assert_eq!(book.years(), vec![2025, 2026]);
        assert_eq!(book.kouki(2026).unwrap().fiscal_year, FiscalYear::new(2026));
        // Carried forward, re-dated.
        let carried = book.kouki(2028).unwrap();
        assert_eq!(carried.fiscal_year, FiscalYear::new(2028));
        assert_eq!(carried.parts, book.kouki(2026).unwrap().parts);
        assert!(book.kouki(2024).is_none());
    }

    #[test]
    fn a_directory_keeps_kouki_tables_and_refuses_duplicates() {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/rates");
        let book = RateBook::load_dir(&shipped).unwrap();
        assert_eq!(book.years(), vec![2025, 2026], "国保 tables are skipped");
        assert!(
            book.kouki(2027).is_none(),
            "real tables never carry forward"
        );

        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(shipped.join("kouki-training-2026.toml")).unwrap();
        std::fs::write(dir.path().join("a.toml"), &text).unwrap();
        std::fs::write(dir.path().join("b.toml"), &text).unwrap();
        std::fs::write(dir.path().join("README.md"), "not a table").unwrap();
        let e = RateBook::load_dir(dir.path()).unwrap_err();
        assert!(matches!(
            e,
            RatesError::Duplicate {
                fiscal_year: 2026,
                ..
            }
        ));
        assert!(e.message_ja().contains("令和8年度"));

        std::fs::remove_file(dir.path().join("b.toml")).unwrap();
        std::fs::write(dir.path().join("c.toml"), "schema = 1").unwrap();
        let e = RateBook::load_dir(dir.path()).unwrap_err();
        assert!(matches!(e, RatesError::Invalid { .. }));
        assert!(e.message_ja().contains("c.toml"));
    }

    #[test]
    fn config_picks_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = UnionConfig::default_for("x");
        assert!(
            RateBook::for_config(&c, dir.path())
                .unwrap()
                .years()
                .is_empty()
        );
        c.training = true;
        assert_eq!(
            RateBook::for_config(&c, dir.path()).unwrap().years(),
            vec![2025, 2026]
        );
        c.rates_dir = Some("rates".into());
        assert!(matches!(
            RateBook::for_config(&c, dir.path()),
            Err(RatesError::Read { .. })
        ));
    }
}
