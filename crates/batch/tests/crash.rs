//! Kill the printing process at 5 random points during a bulk job (SIGKILL, restart, repeat), then check
//! the real cups-pdf output: every record exactly once, in 通し番号 order — read back from the printed pages'
//! 照合番号 (QR code), not from our own bookkeeping — and no other output of this run exists.
//!
//! `keyctl session - env MADOGUCHI_REQUIRE_CUPS=1 cargo test -p madoguchi-batch --test crash`

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng;

// 30 chunks: five kills take 1–3 progress lines each plus up to 400 ms, about 15 chunks on average and 25 at
// worst on a fast machine; with 12 chunks the job sometimes finished before the fifth kill.
const RECORDS: u32 = 90;
const CHUNK: u32 = 3;

#[test]
fn killed_five_times_every_record_printed_exactly_once_in_order() {
    if !common::require_cups() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let vault_dir = dir.path().join("vault");
    let seed: u64 = rand::rng().random_range(1..1_000_000);
    let runner = env!("CARGO_BIN_EXE_batch-crash-runner");
    let spawn = || {
        Command::new(runner)
            .arg(&vault_dir)
            .arg(common::queue())
            .arg(RECORDS.to_string())
            .arg(CHUNK.to_string())
            .arg(seed.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start runner")
    };

    let mut rng = rand::rng();
    let mut kills = 0;
    let mut attempts = 0;
    while kills < 5 {
        attempts += 1;
        assert!(attempts < 40, "could not kill the runner mid-job 5 times");
        let mut child = spawn();
        // Kill after a random number of progress lines (chunks) and a random extra delay, so the kill lands
        // anywhere: rendering, recording the intent, piping to lp, recording the job id, releasing.
        let lines_before_kill = rng.random_range(1..=3);
        let extra = Duration::from_millis(rng.random_range(0..400));
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut seen = 0;
        let mut finished = false;
        let mut line = String::new();
        while seen < lines_before_kill {
            line.clear();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    finished = true;
                    break;
                }
                Ok(_) if line.starts_with("complete") => {
                    finished = true;
                    break;
                }
                Ok(_) => seen += 1,
            }
        }
        if finished {
            let _ = child.wait();
            break;
        }
        let t = Instant::now();
        while t.elapsed() < extra {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        kills += 1;
        eprintln!("killed the runner ({kills}) after {seen} progress lines + {extra:?}");
    }
    assert_eq!(kills, 5, "the job finished before 5 kills; make it longer");

    // Restart once more and let it finish.
    let out = Command::new(runner)
        .arg(&vault_dir)
        .arg(common::queue())
        .arg(RECORDS.to_string())
        .arg(CHUNK.to_string())
        .arg(seed.to_string())
        .output()
        .expect("final run");
    assert!(out.status.success(), "final run failed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = stdout
        .lines()
        .find_map(|l| l.strip_prefix("complete "))
        .expect("report line");
    let report: serde_json::Value = serde_json::from_str(json).expect("report json");
    assert_eq!(report["complete"], true);
    assert_eq!(report["records_spooled"], RECORDS);
    assert_eq!(report["pages_spooled"], RECORDS);
    let job_ids: Vec<String> = report["job_ids"]
        .as_array()
        .expect("job ids")
        .iter()
        .map(|v| v.as_str().expect("str").to_string())
        .collect();
    assert_eq!(job_ids.len() as u32, RECORDS / CHUNK);

    // The paper: read every page's 照合番号 back from cups-pdf's output, in job order.
    let code = &report["first_control_number"].as_str().expect("code")[..8];
    let mut printed = Vec::new();
    for id in &job_ids {
        let pdf = common::wait_for_job_output(id);
        for (page, number) in common::control_numbers_of(&pdf).into_iter().enumerate() {
            let number =
                number.unwrap_or_else(|| panic!("{id} page {}: no readable 照合番号", page + 1));
            let (c, seq) = number.split_once('-').expect("code-seq");
            assert_eq!(c, code, "page of another distribution");
            printed.push(seq.parse::<u32>().expect("seq"));
        }
        let _ = std::fs::remove_file(&pdf);
    }
    let want: Vec<u32> = (1..=RECORDS).collect();
    assert_eq!(printed, want, "printed pages, in order");

    // And nothing else of this run reached paper: cups-pdf names its files after the job title, so every
    // file with this run's title prefix must be one of the report's jobs (already read and removed above).
    // Give a job submitted by an `lp` orphaned by the last kill time to show up (it is held: it must not).
    std::thread::sleep(Duration::from_secs(3));
    let prefix = report["job_title_prefix"]
        .as_str()
        .expect("prefix")
        .to_string();
    let extra = common::outputs_containing(&prefix);
    assert!(
        extra.is_empty(),
        "pages of this run printed outside the report's jobs: {extra:?}"
    );
}
