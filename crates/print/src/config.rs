//! Print configuration (TOML): where the assets are, which layout each document kind uses (a union
//! chooses card or はがき for the 資格確認書), and which printer queue takes which paper.
//!
//! ```toml
//! fonts_dir = "/opt/madoguchi/assets/fonts"      # optional, default <repo>/assets/fonts
//! layouts_dir = "/opt/madoguchi/assets/layouts"  # optional
//! seal_dir = "/etc/madoguchi/seal"               # optional; the real 印影 is installed per union
//! [layouts]
//! shikaku-kakuninsho = "shikaku-kakuninsho-hagaki"
//! [printers]
//! card = "CARD-PRINTER"
//! a4 = "OFFICE-A4"
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::PrintError;
use crate::kind::PrintKind;
use crate::printer::PrinterMap;
use crate::render::PrintAssets;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fonts_dir: Option<PathBuf>,
    layouts_dir: Option<PathBuf>,
    seal_dir: Option<PathBuf>,
    #[serde(default)]
    layouts: HashMap<PrintKind, String>,
    #[serde(default)]
    printers: PrinterMap,
}

/// The validated print configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintConfig {
    /// Fonts, layouts and the seal image.
    pub assets: PrintAssets,
    layouts: HashMap<PrintKind, String>,
    /// Which queue takes which paper.
    pub printers: PrinterMap,
}

impl Default for PrintConfig {
    fn default() -> Self {
        Self {
            assets: PrintAssets::repo_default(),
            layouts: HashMap::new(),
            printers: PrinterMap::default(),
        }
    }
}

impl PrintConfig {
    /// Parse TOML; relative directories are taken relative to `base` (the config file's directory).
    pub fn parse(text: &str, base: &Path) -> Result<Self, PrintError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| PrintError::Config(e.message().to_string()))?;
        let mut assets = PrintAssets::repo_default();
        let resolve = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        if let Some(d) = raw.fonts_dir {
            assets.fonts_dir = resolve(d);
        }
        if let Some(d) = raw.layouts_dir {
            assets.layouts_dir = resolve(d);
        }
        if let Some(d) = raw.seal_dir {
            assets.seal_dir = resolve(d);
        }
        Ok(Self {
            assets,
            layouts: raw.layouts,
            printers: raw.printers,
        })
    }

    /// Reads a configuration file (TOML).
    pub fn load(path: &Path) -> Result<Self, PrintError> {
        let text = std::fs::read_to_string(path).map_err(|source| PrintError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path.parent().unwrap_or(Path::new(".")))
    }

    /// The layout name for a kind: configured, else the default of the repository's layouts.
    pub fn layout_for(&self, kind: PrintKind) -> &str {
        if let Some(name) = self.layouts.get(&kind) {
            return name;
        }
        match kind {
            PrintKind::QualificationCertificate => "shikaku-kakuninsho-card",
            PrintKind::QualificationNotice => "shikaku-joho-oshirase",
            PrintKind::ReceptionReceipt => "uketsuke-hikae",
            PrintKind::HandoverReceipt => "kofu-kaishu",
            PrintKind::PremiumNotice => "hokenryo-kettei",
            PrintKind::BurdenRatioNotice => "futan-wariai-henko",
            PrintKind::ReconciliationReport => "ikkatsu-totsugo",
            PrintKind::MailingList => "atena-ichiran",
            PrintKind::BurdenCategoryCertificate => "futan-kubun-shomeisho",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::PaperClass;

    #[test]
    fn parses_layout_choice_and_printers() {
        let cfg = PrintConfig::parse(
            "fonts_dir = \"fonts\"\n[layouts]\nshikaku-kakuninsho = \"shikaku-kakuninsho-hagaki\"\n[printers]\ncard = \"CARD\"\n",
            Path::new("/etc/madoguchi"),
        )
        .expect("valid");
        assert_eq!(cfg.assets.fonts_dir, PathBuf::from("/etc/madoguchi/fonts"));
        assert_eq!(
            cfg.layout_for(PrintKind::QualificationCertificate),
            "shikaku-kakuninsho-hagaki"
        );
        assert_eq!(cfg.layout_for(PrintKind::PremiumNotice), "hokenryo-kettei");
        assert!(cfg.printers.queue_for(PaperClass::Card).is_ok());
        assert!(cfg.printers.queue_for(PaperClass::A4).is_err());
    }

    #[test]
    fn rejects_unknown_keys_and_kinds() {
        assert!(PrintConfig::parse("colour = 1", Path::new("/")).is_err());
        assert!(PrintConfig::parse("[layouts]\nhihokenshasho = \"x\"", Path::new("/")).is_err());
        assert!(PrintConfig::parse("[printers]\ncard = \"-oraw\"", Path::new("/")).is_err());
    }
}
