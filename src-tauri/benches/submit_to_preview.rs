//! Benchmark (prints its figures): the software's share of immediate issuance, from pressing submit to the
//! preview shown, online against the embedded training union (mutual TLS on 127.0.0.1): parse the form,
//! submit (durable outbox write, union decision), fetch the print data, render the 資格確認書 with its
//! pre-flight check and rasterise the PNG preview — exactly what the `submit` and `preview_document`
//! commands do. Also: terminal start (fresh training union, PKI and 200 residents seeded) to ready, and this
//! process's VmRSS after the run. The in-window figure (IPC and image decode included) is printed by the
//! E2E run (tests/e2e/run_e2e.py, `FIGURES`).
//!
//! Run under a session keyring: `keyctl session - cargo bench -p madoguchi --bench submit_to_preview`
//! (`MADOGUCHI_BENCH_SUBMITS`, default 100).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::time::{Duration, Instant};

use madoguchi_app::terminal;
use madoguchi_application::config::TerminalConfig;
use madoguchi_counter::Submitted;
use madoguchi_counter::forms::{NotificationForm, today_jst};
use madoguchi_domain::ids::MyNumber;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn vm_rss_kib() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn form(i: usize) -> Result<NotificationForm, String> {
    let addressee = format!("{:06}", 500_000 + i);
    let eleven: Vec<u8> = format!("98765{addressee}")
        .bytes()
        .map(|b| b - b'0')
        .collect();
    let eleven: [u8; 11] = eleven.try_into().map_err(|_| "11 digits".to_string())?;
    let my_number = MyNumber::from_eleven_digits(eleven).map_err(|e| e.to_string())?;
    serde_json::from_value(serde_json::json!({
        "kind": "acquisition_move_in",
        "addressee_number": addressee,
        "household_number": format!("9{addressee}"),
        "name": "研修　花子",
        "kana": "ケンシュウ ハナコ",
        "birth_date": "S19.4.4",
        "sex": "female",
        "address": "新潟県見附市研修町1-2-3",
        "my_number": my_number.reveal(),
        "moved_in_on": "R8.4.1",
    }))
    .map_err(|e| e.to_string())
}

async fn run() -> Result<(), String> {
    let n: usize = std::env::var("MADOGUCHI_BENCH_SUBMITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let t = terminal::start(dir.path(), &TerminalConfig::default())
        .await
        .map_err(|e| {
            format!(
                "{}: {} (run under `keyctl session -`)",
                e.code, e.message_ja
            )
        })?;
    let start_ms = ms(started.elapsed());
    t.counter
        .session()
        .sign_in("152111-clerk", "kensyu-152111-clerk")
        .await
        .map_err(|e| e.to_string())?;

    let mut samples = Vec::with_capacity(n);
    // Per stage: submit (outbox + union decision), print data, render + pre-flight, PNG preview.
    let mut stages: [Vec<Duration>; 4] = Default::default();
    for i in 0..n + 5 {
        let f = form(i)?;
        let pressed = Instant::now();
        let notification = f.parse().map_err(|e| e.to_string())?;
        let submitted = t
            .counter
            .intake()
            .submit(notification, today_jst())
            .await
            .map_err(|e| e.to_string())?;
        let t_submit = pressed.elapsed();
        let Submitted::Decided { decision, .. } = submitted else {
            return Err(format!("expected an immediate decision, got {submitted:?}"));
        };
        let document = decision.document.ok_or("no document to issue")?;
        let data = t
            .counter
            .issuance()
            .document(document.document_id)
            .await
            .map_err(|e| e.to_string())?;
        let t_data = pressed.elapsed();
        let doc = t
            .printing
            .render_document(&data)
            .map_err(|e| e.message_ja)?;
        let t_render = pressed.elapsed();
        let url = t.printing.preview(&doc).map_err(|e| e.message_ja)?.data_url;
        let elapsed = pressed.elapsed();
        if url.len() < 100 {
            return Err("empty preview".into());
        }
        // The first few warm up connections and caches.
        if i >= 5 {
            samples.push(elapsed);
            stages[0].push(t_submit);
            stages[1].push(t_data - t_submit);
            stages[2].push(t_render - t_data);
            stages[3].push(elapsed - t_render);
        }
    }
    samples.sort();
    println!("submit_to_preview (online, embedded union, {n} submissions):");
    println!(
        "  p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms  (target p95 < 300 ms)",
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.95)),
        ms(percentile(&samples, 0.99)),
        ms(percentile(&samples, 1.0)),
    );
    for (name, mut v) in ["submit", "print data", "render", "preview png"]
        .into_iter()
        .zip(stages)
    {
        v.sort();
        println!(
            "  {name:<12} p50 {:.1} ms  p95 {:.1} ms",
            ms(percentile(&v, 0.50)),
            ms(percentile(&v, 0.95))
        );
    }
    println!("terminal start (fresh training union + vault) to ready: {start_ms:.0} ms");
    if let Some(kib) = vm_rss_kib() {
        println!(
            "VmRSS of this process (terminal + embedded union, no webview): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    t.shutdown().await;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tokio runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("submit_to_preview failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
