//! `madoguchi-admin files check --layout NAME FILE`: the terminal's file check on the command line —
//! ClamAV first, then the layout, printing the 確認リスト.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use madoguchi_files::{GaijiMap, LayoutSet, ReadOptions, check};
use madoguchi_media::{ScanConfig, Verdict};

use crate::Outcome;

#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Scans FILE with ClamAV, then checks it against a layout and prints the 確認リスト (exit 0 when no
    /// row or file error, 1 otherwise — the list is on stdout either way).
    Check(CheckArgs),
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Layout id (juki, jutogai, shotoku, kiwari, shuno, tainou, hihoken, shohakko, jutokure, hokenryo).
    #[arg(long)]
    layout: String,
    /// The file.
    file: PathBuf,
    /// A directory of the municipality's own layout files (default: the shipped layouts).
    #[arg(long)]
    layouts: Option<PathBuf>,
    /// The municipality's 外字 mapping table (TOML).
    #[arg(long)]
    gaiji: Option<PathBuf>,
    /// ClamAV signature directory (default: ClamAV's own database).
    #[arg(long)]
    clamav_db: Option<PathBuf>,
    /// The print fonts' directory (BIZ UD): text they cannot draw becomes a 文字同定 request. Default: the
    /// characters CP932 can write outside its user-defined area.
    #[arg(long)]
    fonts: Option<PathBuf>,
}

/// What the print fonts draw: a character every face has a glyph for (the print pre-flight's rule).
struct PrintFonts(madoguchi_print::FontSet);

impl madoguchi_files::Glyphs for PrintFonts {
    fn can_draw(&self, c: char) -> bool {
        if c.is_ascii() {
            return !c.is_ascii_control();
        }
        if ('\u{E000}'..='\u{F8FF}').contains(&c) {
            return false;
        }
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf);
        madoguchi_print::FontFace::ALL
            .iter()
            .all(|f| self.0.advance_em(*f, s).is_ok())
    }
}

pub(crate) fn run(cmd: &Command) -> Outcome {
    match cmd {
        Command::Check(a) => check_file(a),
    }
}

fn refused(ja: String, en: String) -> Outcome {
    Outcome::Refused { ja, en }
}

fn check_file(a: &CheckArgs) -> Outcome {
    let layouts = match &a.layouts {
        Some(dir) => LayoutSet::load_dir(dir),
        None => LayoutSet::builtin(),
    };
    let layouts = match layouts {
        Ok(l) => l,
        Err(e) => {
            return refused(
                "レイアウトファイルを読み込めません。設定を確認してください。".into(),
                e.to_string(),
            );
        }
    };
    let fonts = match &a.fonts {
        Some(dir) => match madoguchi_print::FontSet::load(dir) {
            Ok(f) => Some(PrintFonts(f)),
            Err(e) => {
                return refused(
                    "印刷用フォントを読み込めません。フォントのフォルダを確認してください。".into(),
                    e.to_string(),
                );
            }
        },
        None => None,
    };
    let cp932 = madoguchi_files::Cp932Standard;
    let glyphs: &dyn madoguchi_files::Glyphs = match &fonts {
        Some(f) => f,
        None => &cp932,
    };
    let map = match &a.gaiji {
        Some(p) => match GaijiMap::load(p, glyphs) {
            Ok(m) => m,
            Err(e) => {
                return refused(
                    "外字変換表を読み込めません。広域連合から配布された表を確認してください。"
                        .into(),
                    e.to_string(),
                );
            }
        },
        None => GaijiMap::empty(),
    };
    let path = match std::fs::canonicalize(&a.file) {
        Ok(p) => p,
        Err(e) => {
            return refused(
                format!("ファイルを開けません: {}", a.file.display()),
                format!("cannot open {}: {e}", a.file.display()),
            );
        }
    };
    // The same order as at the counter: the scanner sees the file before this tool reads a byte of it.
    let config = ScanConfig {
        database: a.clamav_db.clone(),
        ..ScanConfig::default()
    };
    match madoguchi_media::scan::scan(&config, std::slice::from_ref(&path)) {
        Ok(v) => match v.get(&path) {
            Some(Verdict::Clean) => {}
            Some(Verdict::Infected(sig)) => {
                return refused(
                    format!(
                        "{}: ウイルス等（{sig}）を検出しました。このファイルは読みません。",
                        a.file.display()
                    ),
                    format!("{}: infected ({sig})", a.file.display()),
                );
            }
            Some(Verdict::Unscannable(why)) => {
                return refused(
                    format!(
                        "{}: ウイルス検査ができませんでした。このファイルは読みません。",
                        a.file.display()
                    ),
                    format!("{}: unscannable ({why})", a.file.display()),
                );
            }
            None => {
                return refused(
                    format!("{}: ウイルス検査の結果がありません。", a.file.display()),
                    "no scan result".into(),
                );
            }
        },
        Err(e) => {
            return refused(
                "ウイルス検査（ClamAV）を実行できませんでした。検査ができないため、ファイルは読みません。".into(),
                e.to_string(),
            );
        }
    }
    let f = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            return refused(
                format!("ファイルを開けません: {}", a.file.display()),
                format!("cannot open {}: {e}", a.file.display()),
            );
        }
    };
    let opts = ReadOptions {
        gaiji: &map,
        glyphs,
    };
    let name = a.file.display().to_string();
    match check(&layouts, &a.layout, BufReader::new(f), opts, |_| {}) {
        Ok(list) if list.is_clean() => Outcome::Ok(list.render_ja(&name)),
        Ok(list) => Outcome::Findings(list.render_ja(&name)),
        Err(e) => Outcome::refused(&e),
    }
}
