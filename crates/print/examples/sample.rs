//! Render a synthetic sample: `cargo run -p madoguchi-print --example sample -- KIND OUT.pdf [--training]`.
//! Fonts come from `MADOGUCHI_FONTS_DIR` if set, else `<repo>/assets/fonts`.

use madoguchi_print::{PrintAssets, Renderer, SampleKind, render_sample_with};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(kind), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: sample KIND OUT.pdf [--training]");
        std::process::exit(2);
    };
    let kind: SampleKind = kind.parse()?;
    let mut assets = PrintAssets::repo_default();
    if let Ok(dir) = std::env::var("MADOGUCHI_FONTS_DIR") {
        assets.fonts_dir = dir.into();
    }
    let renderer = Renderer::new(assets)?;
    let doc = render_sample_with(&renderer, kind, args.iter().any(|a| a == "--training"))?;
    std::fs::write(out, doc.pdf())?;
    println!(
        "{kind}: {} page(s), {} bytes, gaiji {:?}",
        doc.page_count(),
        doc.pdf().len(),
        doc.gaiji()
    );
    Ok(())
}
