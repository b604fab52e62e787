//! The exactly-once protocol against a spooler double that can fail at each step (the real CUPS runs
//! are in `tests/`).
use std::sync::atomic::AtomicU32;

use madoguchi_print::{PrintAssets, PrintError, SpooledJob};
use madoguchi_protocol::distribution::{DistributionKind, MailClass};
use madoguchi_vault::{KeyringKeyStore, VaultConfig};

use super::*;
use crate::synthetic;

#[derive(Clone, Copy, PartialEq)]
enum Fault {
    None,
    /// `lp` fails before the print system took the job.
    SubmitRefused,
    /// The job was created (held) but the caller never learnt its id (crash while piping).
    SubmitLost,
    /// Like `SubmitLost`, and someone released the held job by hand.
    SubmitLostReleased,
    /// Releasing fails (the print system is down for a moment).
    Release,
    /// The release went through but the process died before recording it; the job then finished and
    /// left the print system's list (`gone`).
    ReleaseLost {
        gone: bool,
    },
}

struct Spooler {
    jobs: Mutex<Vec<(SpooledJob, String, usize)>>,
    next: AtomicU32,
    fault: Mutex<Fault>,
}

impl Spooler {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            jobs: Mutex::new(Vec::new()),
            next: AtomicU32::new(1),
            fault: Mutex::new(Fault::None),
        })
    }
    fn set(&self, f: Fault) {
        *self.fault.lock().expect("lock") = f;
    }
    fn fault(&self) -> Fault {
        *self.fault.lock().expect("lock")
    }
    /// Pages of jobs that print (released), by title, in submission order.
    fn printing(&self) -> Vec<(String, usize)> {
        self.jobs
            .lock()
            .expect("lock")
            .iter()
            .filter(|(j, _, _)| {
                matches!(
                    j.state,
                    SpooledJobState::Completed
                        | SpooledJobState::Pending
                        | SpooledJobState::Processing
                )
            })
            .map(|(_, t, p)| (t.clone(), *p))
            .collect()
    }
    fn count(&self, state: SpooledJobState) -> usize {
        self.jobs
            .lock()
            .expect("lock")
            .iter()
            .filter(|(j, _, _)| j.state == state)
            .count()
    }
}

impl PrinterBackend for Spooler {
    fn backend_name(&self) -> &'static str {
        "test-spooler"
    }
    fn submit(
        &self,
        queue: &QueueName,
        doc: &RenderedDocument,
        options: &JobOptions,
    ) -> Result<JobId, PrintError> {
        let fault = self.fault();
        if fault == Fault::SubmitRefused {
            return Err(PrintError::Printer {
                printer: queue.to_string(),
                reason: "not accepting jobs".into(),
            });
        }
        let id = JobId(format!("Q-{}", self.next.fetch_add(1, Ordering::SeqCst)));
        let state = match (options.is_held(), fault) {
            (_, Fault::SubmitLostReleased) | (false, _) => SpooledJobState::Pending,
            _ => SpooledJobState::Held,
        };
        let title = options.title().map(|t| t.to_string()).unwrap_or_default();
        self.jobs.lock().expect("lock").push((
            SpooledJob {
                id: id.clone(),
                state,
            },
            title,
            doc.page_count(),
        ));
        if matches!(fault, Fault::SubmitLost | Fault::SubmitLostReleased) {
            return Err(PrintError::Tool {
                tool: "lp",
                reason: "killed".into(),
            });
        }
        Ok(id)
    }
    fn find_jobs(
        &self,
        _queue: &QueueName,
        title: &JobTitle,
    ) -> Result<Vec<SpooledJob>, PrintError> {
        Ok(self
            .jobs
            .lock()
            .expect("lock")
            .iter()
            .filter(|(_, t, _)| t == title.as_str())
            .map(|(j, _, _)| j.clone())
            .collect())
    }
    fn job_state(
        &self,
        _queue: &QueueName,
        job: &JobId,
    ) -> Result<Option<SpooledJobState>, PrintError> {
        Ok(self
            .jobs
            .lock()
            .expect("lock")
            .iter()
            .find(|(j, _, _)| &j.id == job)
            .map(|(j, _, _)| j.state))
    }
    fn release_job(&self, job: &JobId) -> Result<(), PrintError> {
        if self.fault() == Fault::Release {
            return Err(PrintError::Tool {
                tool: "lp",
                reason: "scheduler not responding".into(),
            });
        }
        if let Fault::ReleaseLost { gone } = self.fault() {
            let mut jobs = self.jobs.lock().expect("lock");
            for (j, t, _) in jobs.iter_mut() {
                if &j.id == job {
                    j.state = SpooledJobState::Completed;
                    if gone {
                        // Still printed, but no longer listed: keep its pages under another title.
                        j.id = JobId(format!("{}-purged", j.id.0));
                        t.push_str("-purged");
                    }
                }
            }
            return Err(PrintError::Tool {
                tool: "lp",
                reason: "killed".into(),
            });
        }
        for (j, _, _) in self.jobs.lock().expect("lock").iter_mut() {
            if &j.id == job && j.state == SpooledJobState::Held {
                j.state = SpooledJobState::Completed;
            }
        }
        Ok(())
    }
    fn cancel_job(&self, job: &JobId) -> Result<(), PrintError> {
        for (j, _, _) in self.jobs.lock().expect("lock").iter_mut() {
            if &j.id == job {
                j.state = SpooledJobState::Canceled;
            }
        }
        Ok(())
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    spooler: Arc<Spooler>,
    printer: BatchPrinter,
    dist: ApprovedDistribution,
}

fn fixture(n: u32, chunk: u32) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = keyring_core::mock::Store::new().expect("mock store");
    let keys = KeyringKeyStore::with_store(store, "test.madoguchi.batch");
    let vault = Vault::open(VaultConfig::new(dir.path().join("v"), "T01"), &keys).expect("vault");
    let spooler = Spooler::new();
    let q = QueueName::parse("TEST").expect("queue");
    let printer = BatchPrinter::new(
        vault,
        Arc::new(Renderer::new(PrintAssets::repo_default()).expect("fonts")),
        spooler.clone(),
        PrinterMap {
            card: Some(q.clone()),
            a4: Some(q),
        },
        BatchLayouts::default(),
        false,
    );
    let (a, r) = synthetic::approved(DistributionKind::BurdenRatioChange, n, 5);
    let dist = ApprovedDistribution::verify(
        DistributionKind::BurdenRatioChange,
        MailClass::RecordedDelivery,
        a,
        r,
    )
    .expect("approved");
    let staff = StaffId::parse("kensyu-kantoku").expect("staff");
    printer
        .start(&dist, &staff, BatchSettings { chunk_size: chunk })
        .expect("start");
    Fixture {
        _dir: dir,
        spooler,
        printer,
        dist,
    }
}

fn run(f: &Fixture) -> Result<RunOutcome, BatchError> {
    f.printer.run(&f.dist, &BatchControl::new(), &mut |_| {})
}

/// Every record printed once: the printing jobs' pages add up to the records, one job per chunk title.
fn assert_exactly_once(f: &Fixture, n: u32, chunks: usize) {
    let printing = f.spooler.printing();
    let pages: usize = printing.iter().map(|(_, p)| p).sum();
    assert_eq!(pages, n as usize, "pages that print: {printing:?}");
    let mut titles: Vec<&String> = printing.iter().map(|(t, _)| t).collect();
    titles.dedup();
    assert_eq!(titles.len(), chunks, "one printing job per chunk");
    let report = f.printer.report(&f.dist).expect("report");
    assert!(report.complete, "{report:?}");
    assert_eq!(report.pages_spooled, n);
}

#[test]
fn clean_run_spools_each_chunk_once_in_order() {
    let f = fixture(7, 3);
    assert!(matches!(run(&f), Ok(RunOutcome::Completed(_))));
    assert_exactly_once(&f, 7, 3);
    let units = f.printer.units(&f.dist).expect("units");
    let ranges: Vec<(u32, u32)> = units.iter().map(|u| (u.first_seq, u.last_seq)).collect();
    assert_eq!(ranges, vec![(1, 3), (4, 6), (7, 7)]);
    // Running a finished job again spools nothing more.
    assert!(matches!(run(&f), Ok(RunOutcome::Completed(_))));
    assert_exactly_once(&f, 7, 3);
    // The printed report: rendered with the report layout and sent as a plain (not held) job.
    let report = f.printer.report(&f.dist).expect("report");
    let doc = report.render(&f.printer.renderer).expect("report renders");
    let text = madoguchi_print::pdf_text(doc.pdf()).expect("pdftotext");
    assert!(
        text.contains("突合表") && text.contains("印刷件数"),
        "{text}"
    );
    assert!(text.contains(&report.content_code));
    f.printer.print_report(&f.dist).expect("report printed");
    assert_eq!(f.spooler.printing().len(), 4);
}

#[test]
fn printer_refusing_a_chunk_resumes_from_that_chunk() {
    let f = fixture(7, 3);
    f.spooler.set(Fault::SubmitRefused);
    assert!(matches!(run(&f), Err(BatchError::Printer(_))));
    assert_eq!(
        f.printer.units(&f.dist).expect("units")[0].phase,
        JobPhase::Intended
    );
    f.spooler.set(Fault::None);
    assert!(matches!(run(&f), Ok(RunOutcome::Completed(_))));
    assert_exactly_once(&f, 7, 3);
}

#[test]
fn job_created_but_id_lost_is_cancelled_and_spooled_again() {
    let f = fixture(7, 3);
    f.spooler.set(Fault::SubmitLost);
    assert!(run(&f).is_err());
    assert_eq!(f.spooler.count(SpooledJobState::Held), 1);
    f.spooler.set(Fault::None);
    assert!(matches!(run(&f), Ok(RunOutcome::Completed(_))));
    assert_eq!(f.spooler.count(SpooledJobState::Canceled), 1);
    assert_eq!(f.spooler.count(SpooledJobState::Held), 0);
    assert_exactly_once(&f, 7, 3);
}

#[test]
fn job_released_by_hand_after_a_crash_is_not_spooled_again() {
    let f = fixture(7, 3);
    f.spooler.set(Fault::SubmitLostReleased);
    assert!(run(&f).is_err());
    f.spooler.set(Fault::None);
    assert!(matches!(run(&f), Ok(RunOutcome::Completed(_))));
    assert_exactly_once(&f, 7, 3);
}

#[test]
fn release_failure_resumes_by_releasing_the_recorded_job() {
    let f = fixture(7, 3);
    f.spooler.set(Fault::Release);
    assert!(run(&f).is_err());
    assert!(matches!(
        f.printer.units(&f.dist).expect("units")[0].phase,
        JobPhase::Held { .. }
    ));
    f.spooler.set(Fault::None);
    assert!(matches!(run(&f), Ok(RunOutcome::Completed(_))));
    assert_exactly_once(&f, 7, 3);
}

#[test]
fn release_done_but_not_recorded_is_not_spooled_again() {
    for gone in [false, true] {
        let f = fixture(7, 3);
        f.spooler.set(Fault::ReleaseLost { gone });
        assert!(run(&f).is_err());
        f.spooler.set(Fault::None);
        assert!(matches!(run(&f), Ok(RunOutcome::Completed(_))));
        let pages: usize = f.spooler.printing().iter().map(|(_, p)| p).sum();
        assert_eq!(pages, 7, "gone = {gone}: no page twice");
        assert!(f.printer.report(&f.dist).expect("report").complete);
    }
}

#[test]
fn mixed_page_kinds_split_chunks_and_go_to_their_printers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = keyring_core::mock::Store::new().expect("mock store");
    let keys = KeyringKeyStore::with_store(store, "test.madoguchi.batch");
    let vault = Vault::open(VaultConfig::new(dir.path().join("v"), "T01"), &keys).expect("vault");
    let spooler = Spooler::new();
    let printer = BatchPrinter::new(
        vault,
        Arc::new(Renderer::new(PrintAssets::repo_default()).expect("fonts")),
        spooler.clone(),
        PrinterMap {
            card: Some(QueueName::parse("CARD").expect("q")),
            a4: Some(QueueName::parse("A4").expect("q")),
        },
        BatchLayouts::default(),
        false,
    );
    let records = synthetic::with_notices(
        synthetic::records(DistributionKind::AnnualRenewal, 10, 8),
        4,
    );
    let dist = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::SimpleRegisteredNoForward,
        synthetic::approval_of(8, &records),
        records,
    )
    .expect("approved");
    let staff = StaffId::parse("s").expect("staff");
    printer
        .start(&dist, &staff, BatchSettings { chunk_size: 3 })
        .expect("start");
    assert!(matches!(
        printer.run(&dist, &BatchControl::new(), &mut |_| {}),
        Ok(RunOutcome::Completed(_))
    ));
    let units = printer.units(&dist).expect("units");
    let got: Vec<(u32, u32, &str)> = units
        .iter()
        .map(|u| (u.first_seq, u.last_seq, u.queue.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 3, "CARD"),
            (4, 4, "A4"),
            (5, 7, "CARD"),
            (8, 8, "A4"),
            (9, 10, "CARD")
        ]
    );
    assert!(printer.report(&dist).expect("report").complete);
}

#[test]
fn back_end_without_job_lookup_is_refused_before_anything_is_recorded() {
    struct Plain;
    impl PrinterBackend for Plain {
        fn backend_name(&self) -> &'static str {
            "plain"
        }
        fn submit(
            &self,
            _: &QueueName,
            _: &RenderedDocument,
            _: &JobOptions,
        ) -> Result<JobId, PrintError> {
            Ok(JobId("x".into()))
        }
    }
    let f = fixture(2, 3);
    let q = QueueName::parse("TEST").expect("queue");
    let other = BatchPrinter::new(
        f.printer.vault.clone(),
        f.printer.renderer.clone(),
        Arc::new(Plain),
        PrinterMap {
            card: Some(q.clone()),
            a4: Some(q),
        },
        BatchLayouts::default(),
        false,
    );
    let (a, r) = synthetic::approved(DistributionKind::AnnualRenewal, 2, 6);
    let d = ApprovedDistribution::verify(
        DistributionKind::AnnualRenewal,
        MailClass::RecordedDelivery,
        a,
        r,
    )
    .expect("approved");
    let staff = StaffId::parse("s").expect("staff");
    assert!(matches!(
        other.start(&d, &staff, BatchSettings::default()),
        Err(BatchError::Printer(PrintError::Unsupported { .. }))
    ));
    assert!(other.progress(&d).expect("progress").is_none());
    assert!(matches!(
        other.start(&d, &staff, BatchSettings { chunk_size: 0 }),
        Err(BatchError::Settings(_))
    ));
}
