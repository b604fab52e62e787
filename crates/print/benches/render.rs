//! Rendering benchmark that prints its figures (`cargo bench -p madoguchi-print --bench render`).
//!
//! - one 資格確認書 (card) rendered to PDF bytes: target < 10 ms
//! - 10,000 資格確認書 into one PDF: target < 20 s and < 200 KB per card on average
//! - the same card through a conventional HTML-to-PDF route (WeasyPrint, from PyPI) in the same run, and
//!   the ratio. WeasyPrint is timed warm inside one Python process (import and font loading excluded) and
//!   cold as a CLI call, so the comparison does not flatter us.
//!
//! Fonts: `MADOGUCHI_FONTS_DIR`, else `<repo>/assets/fonts`, else the Debian packages' files.
//! Set `BENCH_CARDS` to change the bulk size (default 10000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use madoguchi_domain::ids::InsuredNumber;
use madoguchi_domain::kana::PersonName;
use madoguchi_print::documents::QualificationCertificate;
use madoguchi_print::sample::sample_certificate;
use madoguchi_print::{DocumentRecord, ItemKey, ItemValue, PrintAssets, RenderMode, Renderer};

fn fonts_dir(tmp: &Path) -> PathBuf {
    if let Ok(d) = std::env::var("MADOGUCHI_FONTS_DIR") {
        return d.into();
    }
    let repo = PrintAssets::repo_default().fonts_dir;
    if repo.join("BIZUDGothic-Regular.ttf").exists() {
        return repo;
    }
    for f in [
        "/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf",
        "/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Bold.ttf",
        "/usr/share/fonts/truetype/bizud-mincho/BIZUDMincho-Regular.ttf",
    ] {
        let p = Path::new(f);
        if let Some(name) = p.file_name() {
            let _ = std::fs::copy(p, tmp.join(name));
        }
    }
    tmp.to_path_buf()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Synthetic people: varied names and numbers so the bulk run uses a realistic glyph set.
fn people(n: usize) -> Vec<QualificationCertificate> {
    let family = [
        "見本",
        "試験",
        "山川",
        "森田",
        "高橋",
        "佐々木",
        "長谷川",
        "渡邊",
        "齋藤",
        "小野寺",
    ];
    let given = [
        "花子",
        "一郎",
        "次郎",
        "美智子",
        "和夫",
        "幸子",
        "正雄",
        "ハル",
        "トメ",
        "清",
    ];
    (0..n)
        .map(|i| {
            let mut c = sample_certificate();
            let name = format!(
                "{}　{}",
                family[i % family.len()],
                given[(i / family.len()) % given.len()]
            );
            if let Ok(p) = PersonName::parse(&name) {
                c.name = p;
            }
            if let Ok(num) = InsuredNumber::from_serial(10_000_000 + i as u32) {
                c.insured_number = num;
            }
            c
        })
        .collect()
}

fn value(c: &QualificationCertificate, k: ItemKey) -> String {
    match c.item(k) {
        Some(ItemValue::Line(s)) => s,
        Some(ItemValue::Lines(v)) => v.join(" "),
        None => String::new(),
    }
}

/// The same card as HTML/CSS, for WeasyPrint.
fn card_html(c: &QualificationCertificate, fonts: &Path, seal: &Path) -> String {
    let v = |k| value(c, k);
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><style>
@font-face {{ font-family: "BIZ UDGothic"; src: url("file://{g}"); }}
@font-face {{ font-family: "BIZ UDGothic"; font-weight: bold; src: url("file://{gb}"); }}
@page {{ size: 91mm 55mm; margin: 0; }}
body {{ margin: 0; font-family: "BIZ UDGothic"; font-size: 7pt; }}
.band {{ background: #F6C48F; height: 8mm; padding: 0 3.5mm; display: flex; align-items: center; justify-content: space-between; }}
.title {{ font-weight: bold; font-size: 9.5pt; }}
.frame {{ position: absolute; top: 9.5mm; left: 2mm; width: 87mm; height: 43.5mm; border: 0.4pt solid #5A4A3A; }}
table {{ border-collapse: collapse; margin: 1.5mm 2mm; }} td {{ padding: 0.3mm 1mm; white-space: nowrap; }}
.l {{ font-size: 5.5pt; }} .name {{ font-size: 12pt; }} .num {{ font-size: 10pt; font-weight: bold; }}
.seal {{ position: absolute; left: 74mm; top: 38mm; width: 13mm; }}
</style></head><body>
<div class="band"><span class="title">後期高齢者医療資格確認書</span><span><span class="l">有効期限</span> <b>{expiry}</b></span></div>
<div class="frame"><table>
<tr><td class="l">被保険者番号</td><td class="num" colspan="3">{ins}</td></tr>
<tr><td class="l">氏名</td><td class="name" colspan="3">{name}</td></tr>
<tr><td class="l">生年月日</td><td>{birth}</td><td class="l">性別</td><td>{sex}</td></tr>
<tr><td class="l">資格取得年月日</td><td>{acq}</td><td class="l">発効期日</td><td>{eff}</td></tr>
<tr><td class="l">交付年月日</td><td>{issue}</td><td class="l">一部負担金の割合</td><td class="num">{ratio}</td></tr>
<tr><td class="l">限度区分</td><td>{limit} {limit_d}</td><td class="l">長期入院該当日</td><td>{long}</td></tr>
<tr><td class="l">保険者番号</td><td colspan="3">{insurer}</td></tr>
<tr><td class="l">保険者の名称</td><td colspan="3">{insurer_name}</td></tr>
</table></div>
<img class="seal" src="file://{seal}">
</body></html>"#,
        g = fonts.join("BIZUDGothic-Regular.ttf").display(),
        gb = fonts.join("BIZUDGothic-Bold.ttf").display(),
        seal = seal.display(),
        expiry = v(ItemKey::ExpiryDate),
        ins = v(ItemKey::InsuredNumber),
        name = v(ItemKey::Name),
        birth = v(ItemKey::BirthDate),
        sex = v(ItemKey::Sex),
        acq = v(ItemKey::AcquisitionDate),
        eff = v(ItemKey::EffectiveDate),
        issue = v(ItemKey::IssueDate),
        ratio = v(ItemKey::BurdenRatio),
        limit = v(ItemKey::LimitCategory),
        limit_d = v(ItemKey::LimitCategoryEffectiveDate),
        long = v(ItemKey::LongStayDate),
        insurer = v(ItemKey::InsurerNumber),
        insurer_name = v(ItemKey::InsurerName),
    )
}

const WEASY_SCRIPT: &str = r#"
import sys, time
t0 = time.perf_counter()
from weasyprint import HTML
import weasyprint
html = sys.stdin.read()
t1 = time.perf_counter()
pdf = HTML(string=html).write_pdf()           # warm-up: fonts parsed, caches filled
t2 = time.perf_counter()
n = int(sys.argv[1])
start = time.perf_counter()
for _ in range(n):
    pdf = HTML(string=html).write_pdf()
per = (time.perf_counter() - start) / n
print(f"{weasyprint.__version__} {(t1-t0)*1000:.1f} {(t2-t1)*1000:.1f} {per*1000:.3f} {len(pdf)}")
"#;

fn weasyprint(html: &str, runs: usize) -> Result<(String, f64, f64, f64, usize), String> {
    let mut child = Command::new("python3")
        .args(["-c", WEASY_SCRIPT, &runs.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("stdin")?
        .write_all(html.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("failed").to_string());
    }
    let s = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = s.split_whitespace().collect();
    let num = |i: usize| {
        f.get(i)
            .and_then(|x| x.parse::<f64>().ok())
            .ok_or_else(|| format!("unexpected output {s:?}"))
    };
    Ok((
        f.first().unwrap_or(&"?").to_string(),
        num(1)?,
        num(2)?,
        num(3)?,
        num(4)? as usize,
    ))
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut assets = PrintAssets::repo_default();
    assets.fonts_dir = fonts_dir(tmp.path());

    let t = Instant::now();
    let renderer = Renderer::new(assets.clone()).expect("renderer");
    let load = t.elapsed();
    let layout = renderer.layout("shikaku-kakuninsho-card").expect("layout");
    println!(
        "madoguchi-print render benchmark (printpdf =0.12.8, text_layout subsetting, BIZ UD Gothic)"
    );
    println!(
        "  font loading (once per process):      {:8.2} ms",
        ms(load)
    );

    // One card, repeated; median and mean.
    let card = sample_certificate();
    let _ = renderer
        .render(&layout, std::slice::from_ref(&card), RenderMode::Production)
        .expect("warm-up");
    let runs = 50;
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let doc = renderer
            .render(&layout, std::slice::from_ref(&card), RenderMode::Production)
            .expect("render");
        times.push(t.elapsed());
        size = doc.pdf().len();
    }
    times.sort();
    let median = times[runs / 2];
    let mean = times.iter().sum::<Duration>() / runs as u32;
    println!(
        "  one 資格確認書 (card), {runs} runs:       median {:7.2} ms, mean {:7.2} ms, {} bytes   (target < 10 ms: {})",
        ms(median),
        ms(mean),
        size,
        if median < Duration::from_millis(10) {
            "met"
        } else {
            "NOT met"
        }
    );

    // Bulk: 10,000 cards in one PDF.
    let n: usize = std::env::var("BENCH_CARDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let records = people(n);
    let t = Instant::now();
    let doc = renderer
        .render(&layout, &records, RenderMode::Production)
        .expect("bulk render");
    let bulk = t.elapsed();
    assert_eq!(doc.page_count(), n);
    let per_card_kb = doc.pdf().len() as f64 / n as f64 / 1024.0;
    println!(
        "  {n} 資格確認書 into one PDF:          {:8.2} s, {:.1} MB total, {:.2} KB/card   (target < 20 s: {}, < 200 KB/card: {})",
        bulk.as_secs_f64(),
        doc.pdf().len() as f64 / 1024.0 / 1024.0,
        per_card_kb,
        if bulk < Duration::from_secs(20) {
            "met"
        } else {
            "NOT met"
        },
        if per_card_kb < 200.0 {
            "met"
        } else {
            "NOT met"
        },
    );

    // The conventional route: HTML + CSS through WeasyPrint.
    let seal = assets.seal_dir.join("kouiki.png");
    let html = card_html(&card, &assets.fonts_dir, &seal);
    match weasyprint(&html, 20) {
        Ok((version, import_ms, first_ms, per_ms, bytes)) => {
            println!(
                "  WeasyPrint {version} (warm, same card, 20 runs): {per_ms:7.2} ms/card, {bytes} bytes; import {import_ms:.0} ms, first render {first_ms:.0} ms"
            );
            println!(
                "  ratio WeasyPrint / printpdf (warm, per card): {:.1}×",
                per_ms / ms(median)
            );
            // Cold CLI, as a naive integration would call it per document.
            let html_path = tmp.path().join("card.html");
            let pdf_path = tmp.path().join("card.pdf");
            if std::fs::write(&html_path, &html).is_ok() {
                let t = Instant::now();
                let ok = Command::new("weasyprint")
                    .arg(&html_path)
                    .arg(&pdf_path)
                    .status()
                    .map(|s| s.success())
                    .unwrap_or(false);
                let cold = t.elapsed();
                if ok {
                    println!(
                        "  WeasyPrint CLI (cold process, one card): {:8.1} ms  → ratio {:.0}×",
                        ms(cold),
                        ms(cold) / ms(median)
                    );
                }
            }
            println!(
                "  (WeasyPrint for {n} cards would take about {:.0} s at the warm rate)",
                per_ms * n as f64 / 1000.0
            );
        }
        Err(e) => println!(
            "  WeasyPrint not available ({e}); install with `pip install weasyprint` (needs libpango-1.0-0, libpangoft2-1.0-0)"
        ),
    }
}
