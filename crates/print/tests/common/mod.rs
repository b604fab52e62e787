//! Shared helpers for the integration tests: assets with the real BIZ UD fonts, image comparison.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use madoguchi_print::{PrintAssets, Renderer};

/// Assets for tests: the repository's layouts and seals; fonts from `MADOGUCHI_FONTS_DIR`, else
/// `<repo>/assets/fonts` when the font files are there, else a temporary directory linking the Debian
/// packages' files (fonts-morisawa-bizud-gothic / -mincho).
pub struct TestAssets {
    pub assets: PrintAssets,
    _tmp: Option<tempfile::TempDir>,
}

const SYSTEM_FONTS: [&str; 3] = [
    "/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf",
    "/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Bold.ttf",
    "/usr/share/fonts/truetype/bizud-mincho/BIZUDMincho-Regular.ttf",
];

pub fn test_assets() -> TestAssets {
    let mut assets = PrintAssets::repo_default();
    if let Ok(dir) = std::env::var("MADOGUCHI_FONTS_DIR") {
        assets.fonts_dir = dir.into();
        return TestAssets { assets, _tmp: None };
    }
    if assets.fonts_dir.join("BIZUDGothic-Regular.ttf").exists() {
        return TestAssets { assets, _tmp: None };
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    for f in SYSTEM_FONTS {
        let src = Path::new(f);
        assert!(
            src.exists(),
            "{f} missing: install fonts-morisawa-bizud-gothic and fonts-morisawa-bizud-mincho"
        );
        let name = src.file_name().expect("file name");
        std::fs::copy(src, tmp.path().join(name)).expect("copy font");
    }
    assets.fonts_dir = tmp.path().to_path_buf();
    TestAssets {
        assets,
        _tmp: Some(tmp),
    }
}

pub fn renderer(t: &TestAssets) -> Renderer {
    Renderer::new(t.assets.clone()).expect("renderer with test fonts")
}

pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A decoded RGB image.
pub struct Rgb {
    pub w: usize,
    pub h: usize,
    pub px: Vec<[u8; 3]>,
}

pub fn decode_png(bytes: &[u8]) -> Rgb {
    let mut dec = png::Decoder::new(std::io::Cursor::new(bytes));
    dec.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = dec.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    buf.truncate(info.buffer_size());
    let px: Vec<[u8; 3]> = match info.color_type {
        png::ColorType::Rgb => buf.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Rgba => buf.chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect(),
        png::ColorType::Grayscale => buf.iter().map(|&g| [g, g, g]).collect(),
        png::ColorType::GrayscaleAlpha => buf.chunks_exact(2).map(|p| [p[0], p[0], p[0]]).collect(),
        png::ColorType::Indexed => panic!("indexed png not expanded"),
    };
    Rgb {
        w: info.width as usize,
        h: info.height as usize,
        px,
    }
}

/// Share of pixels whose largest channel difference exceeds 40 (same renderer: expect ~0).
pub fn pixel_diff_ratio(a: &Rgb, b: &Rgb) -> f64 {
    assert_eq!((a.w, a.h), (b.w, b.h), "image sizes differ");
    let differing =
        a.px.iter()
            .zip(&b.px)
            .filter(|(p, q)| (0..3).any(|c| p[c].abs_diff(q[c]) > 40))
            .count();
    differing as f64 / a.px.len() as f64
}

/// Share of 6×6-pixel blocks (about 1.5 mm at 100 dpi) whose mean colour differs by more than 48 in any
/// channel, after mapping `actual` onto `golden`'s size (sizes may differ by a pixel or two when a print
/// system rounds the page size). Tolerates anti-aliasing and sub-pixel shifts from re-distilling (cups-pdf
/// runs the page through Ghostscript); a missing seal, name or line still moves many blocks.
pub fn block_diff_ratio(golden: &Rgb, actual: &Rgb) -> f64 {
    let (gw, gh) = (golden.w, golden.h);
    assert!(
        (actual.w as f64 / gw as f64 - 1.0).abs() < 0.03
            && (actual.h as f64 / gh as f64 - 1.0).abs() < 0.03,
        "page sizes differ: golden {gw}×{gh}, actual {}×{}",
        actual.w,
        actual.h
    );
    const B: usize = 6;
    let mean = |img: &Rgb, x0: f64, y0: f64, x1: f64, y1: f64| -> [f64; 3] {
        let (xa, ya) = (x0.floor() as usize, y0.floor() as usize);
        let (xb, yb) = (
            (x1.ceil() as usize).min(img.w).max(xa + 1),
            (y1.ceil() as usize).min(img.h).max(ya + 1),
        );
        let mut s = [0f64; 3];
        let mut n = 0f64;
        for y in ya..yb {
            for x in xa..xb {
                let p = img.px[y * img.w + x];
                for c in 0..3 {
                    s[c] += f64::from(p[c]);
                }
                n += 1.0;
            }
        }
        [s[0] / n, s[1] / n, s[2] / n]
    };
    let (sx, sy) = (actual.w as f64 / gw as f64, actual.h as f64 / gh as f64);
    let (mut total, mut differing) = (0usize, 0usize);
    for by in (0..gh - B + 1).step_by(B) {
        for bx in (0..gw - B + 1).step_by(B) {
            let g = mean(
                golden,
                bx as f64,
                by as f64,
                (bx + B) as f64,
                (by + B) as f64,
            );
            let a = mean(
                actual,
                bx as f64 * sx,
                by as f64 * sy,
                (bx + B) as f64 * sx,
                (by + B) as f64 * sy,
            );
            total += 1;
            if (0..3).any(|c| (g[c] - a[c]).abs() > 48.0) {
                differing += 1;
            }
        }
    }
    differing as f64 / total as f64
}

/// Compare `png` with `tests/golden/<name>.png` (per-pixel, `tolerance` share of pixels). With
/// `UPDATE_GOLDEN=1` the golden file is (re)written instead.
pub fn assert_matches_golden(name: &str, png_bytes: &[u8], tolerance: f64) {
    let path = golden_dir().join(format!("{name}.png"));
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, png_bytes).expect("write golden");
        eprintln!("updated {}", path.display());
        return;
    }
    let golden = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    let (g, a) = (decode_png(&golden), decode_png(png_bytes));
    assert_eq!(
        (a.w, a.h),
        (g.w, g.h),
        "{name}: image size differs from golden"
    );
    let ratio = pixel_diff_ratio(&g, &a);
    if ratio > tolerance {
        let out = std::env::temp_dir().join(format!("madoguchi-print-{name}-actual.png"));
        let _ = std::fs::write(&out, png_bytes);
        panic!(
            "{name}: {:.3}% of pixels differ from the golden image (tolerance {:.3}%); actual written to {}",
            ratio * 100.0,
            tolerance * 100.0,
            out.display()
        );
    }
}
