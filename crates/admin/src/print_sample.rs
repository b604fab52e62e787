//! `madoguchi-admin print-sample --kind KIND --out FILE.pdf`: renders synthetic data with a layout, so
//! anyone can look at it before a union changes size, colour or wording.

use std::path::PathBuf;

use madoguchi_print::{PrintAssets, Renderer, SampleKind, render_sample_with};

use crate::Outcome;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// shikaku-kakuninsho, shikaku-kakuninsho-hagaki, shikaku-joho-oshirase, uketsuke-hikae, kofu-kaishu,
    /// hokenryo-kettei.
    #[arg(long)]
    kind: SampleKind,
    /// Where to write the PDF.
    #[arg(long)]
    out: PathBuf,
    /// Add the 見本 watermark as in 研修モード.
    #[arg(long)]
    training: bool,
    /// The assets directory (fonts/, layouts/, seal/). Default: $MADOGUCHI_ASSETS_DIR, else the
    /// repository's assets/.
    #[arg(long, env = "MADOGUCHI_ASSETS_DIR")]
    assets: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Outcome {
    let assets = match &args.assets {
        Some(dir) => PrintAssets::under(dir),
        None => PrintAssets::repo_default(),
    };
    let doc = match Renderer::new(assets)
        .and_then(|r| render_sample_with(&r, args.kind, args.training))
    {
        Ok(d) => d,
        Err(e) => return Outcome::refused(&e),
    };
    if let Err(e) = std::fs::write(&args.out, doc.pdf()) {
        return Outcome::Refused {
            ja: format!("PDFを書き込めません: {}", args.out.display()),
            en: format!("cannot write {}: {e}", args.out.display()),
        };
    }
    let mut line = format!(
        "{}: {} — {} page(s), {} KB",
        args.out.display(),
        doc.title(),
        doc.page_count(),
        doc.pdf().len().div_ceil(1024)
    );
    if !doc.gaiji().is_empty() {
        line.push_str(&format!(
            " — 外字「●」 {} 箇所（文字同定待ち）",
            doc.gaiji().len()
        ));
    }
    Outcome::Ok(line)
}
