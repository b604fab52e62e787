//! Printer back ends behind one trait: CUPS (`lp`) on Linux, the Windows spooler on Windows.
//! A back end only accepts a [`RenderedDocument`], which exists only after the pre-flight check passed.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::PrintError;
use crate::layout::PaperClass;
use crate::render::RenderedDocument;

/// The print system's id of a submitted job (CUPS: `QUEUE-123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct JobId(pub String);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A print queue name as the OS knows it. Validated so that it can never be read as a command-line option.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct QueueName(String);

impl QueueName {
    /// Checks a queue name (ASCII letters, digits, '.', '_', '-').
    pub fn parse(s: &str) -> Result<Self, PrintError> {
        let ok = !s.is_empty()
            && s.len() <= 127
            && !s.starts_with('-')
            && s.chars()
                .all(|c| !c.is_control() && c != '/' && c != '#' && (c != ' ' || cfg!(windows)));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(PrintError::Printer {
                printer: s.chars().take(40).collect(),
                reason: "not a valid print queue name".into(),
            })
        }
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for QueueName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        QueueName::parse(&s).map_err(|e| e.to_string())
    }
}

impl std::fmt::Display for QueueName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which queue takes which paper: a card printer for 資格確認書 (card / はがき stock), an A4 printer for the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterMap {
    #[serde(default)]
    /// Queue for cards (資格確認書).
    pub card: Option<QueueName>,
    #[serde(default)]
    /// Queue for A4 (notices, receipts).
    pub a4: Option<QueueName>,
}

impl PrinterMap {
    /// The queue for `paper`; an error when none is configured.
    pub fn queue_for(&self, paper: PaperClass) -> Result<&QueueName, PrintError> {
        match paper {
            PaperClass::Card => self.card.as_ref(),
            PaperClass::A4 => self.a4.as_ref(),
        }
        .ok_or(PrintError::NoPrinterConfigured(paper.as_str()))
    }
}

/// The title of a print job as the print system shows it: ASCII letters, digits and `._-`, 1–100
/// characters, so that it can name a job without personal data and be searched for exactly (bulk printing
/// gives every chunk a unique title and asks the spooler for it after a crash).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobTitle(String);

impl JobTitle {
    /// Checks a job title (ASCII letters, digits, '.', '_', '-').
    pub fn parse(s: &str) -> Result<Self, PrintError> {
        let ok = !s.is_empty()
            && s.len() <= 100
            && !s.starts_with('-')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(PrintError::Printer {
                printer: String::new(),
                reason: "a job title is 1–100 of [A-Za-z0-9._-]".into(),
            })
        }
    }
    /// The title.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for JobTitle {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        JobTitle::parse(&s).map_err(|e| e.to_string())
    }
}

impl From<JobTitle> for String {
    fn from(t: JobTitle) -> String {
        t.0
    }
}

impl std::fmt::Display for JobTitle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a job is in the print system (IPP `job-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpooledJobState {
    /// pending: waiting for the printer.
    Pending,
    /// pending-held: held by the submitter (`lp -H hold`), never printed until released.
    Held,
    /// processing (or processing-stopped).
    Processing,
    /// completed.
    Completed,
    /// canceled.
    Canceled,
    /// aborted by the print system (a printer or filter fault).
    Aborted,
}

impl SpooledJobState {
    fn from_ipp(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "pending" => Self::Pending,
            "pending-held" => Self::Held,
            "processing" | "processing-stopped" => Self::Processing,
            "completed" => Self::Completed,
            "canceled" => Self::Canceled,
            "aborted" => Self::Aborted,
            _ => return None,
        })
    }
}

/// A job the print system knows, found by its title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpooledJob {
    /// The print system's job id.
    pub id: JobId,
    /// Held, printing, done…
    pub state: SpooledJobState,
}

/// Options of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOptions {
    /// 1–99 copies.
    copies: u8,
    /// Media name for the print system (e.g. a card printer's "CR80"); by default derived from the
    /// document's page size (`A4`, else `Custom.WxHmm`).
    media: Option<String>,
    /// Job title; by default the layout's title.
    title: Option<JobTitle>,
    /// Submit the job held (`lp -H hold`): it prints only after [`PrinterBackend::release_job`].
    hold: bool,
}

impl JobOptions {
    /// Options with `copies` copies (1–99).
    pub fn copies(copies: u8) -> Result<Self, PrintError> {
        if (1..=99).contains(&copies) {
            Ok(Self {
                copies,
                media: None,
                title: None,
                hold: false,
            })
        } else {
            Err(PrintError::Printer {
                printer: String::new(),
                reason: format!("copies must be 1–99, got {copies}"),
            })
        }
    }
    /// The number of copies.
    pub fn get_copies(&self) -> u8 {
        self.copies
    }
    /// Override the media name (letters, digits, `._-`).
    pub fn with_media(mut self, media: &str) -> Result<Self, PrintError> {
        if media.is_empty()
            || media.len() > 64
            || !media
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(PrintError::Printer {
                printer: String::new(),
                reason: "not a valid media name".into(),
            });
        }
        self.media = Some(media.to_string());
        Ok(self)
    }
    /// Give the job its own title (instead of the layout's).
    pub fn with_title(mut self, title: JobTitle) -> Self {
        self.title = Some(title);
        self
    }
    /// Submit the job held; it prints once released.
    pub fn held(mut self) -> Self {
        self.hold = true;
        self
    }
    /// The job title to find the job by, if any.
    pub fn title(&self) -> Option<&JobTitle> {
        self.title.as_ref()
    }
    /// Whether the job is submitted held (released later).
    pub fn is_held(&self) -> bool {
        self.hold
    }
    /// The media for a document: the override, else from the page size.
    pub fn media_for(&self, doc: &RenderedDocument) -> String {
        if let Some(m) = &self.media {
            return m.clone();
        }
        media_for_size(doc.page_size_mm())
    }
}

fn media_for_size((w, h): (f32, f32)) -> String {
    if (w - 210.0).abs() < 0.5 && (h - 297.0).abs() < 0.5 {
        "A4".into()
    } else {
        // Keep one decimal: 85.6 × 54 mm (ID-1) must not become 85 × 54.
        let f = |v: f32| {
            let r = (v * 10.0).round() / 10.0;
            if r.fract() == 0.0 {
                format!("{r:.0}")
            } else {
                format!("{r:.1}")
            }
        };
        format!("Custom.{}x{}mm", f(w), f(h))
    }
}

impl Default for JobOptions {
    fn default() -> Self {
        Self {
            copies: 1,
            media: None,
            title: None,
            hold: false,
        }
    }
}

/// A way to get a checked document onto paper.
pub trait PrinterBackend: Send + Sync {
    /// Short name for logs ("cups", "windows-spooler").
    fn backend_name(&self) -> &'static str;
    /// Submit the document to `queue`; returns the print system's job id.
    fn submit(
        &self,
        queue: &QueueName,
        doc: &RenderedDocument,
        options: &JobOptions,
    ) -> Result<JobId, PrintError>;

    /// The jobs of `queue` (any state, including finished ones the print system still remembers) whose
    /// title is exactly `title`. Bulk printing asks this after a crash between "about to spool" and
    /// "spooled". Back ends that cannot answer say [`PrintError::Unsupported`].
    fn find_jobs(
        &self,
        queue: &QueueName,
        title: &JobTitle,
    ) -> Result<Vec<SpooledJob>, PrintError> {
        let _ = (queue, title);
        Err(PrintError::Unsupported {
            backend: self.backend_name(),
            what: "look up jobs by title",
        })
    }

    /// The state of job `job` of `queue`, `None` when the print system no longer knows it. Unlike titles
    /// (CUPS drops a finished job's name from its history after a while), ids stay.
    fn job_state(
        &self,
        queue: &QueueName,
        job: &JobId,
    ) -> Result<Option<SpooledJobState>, PrintError> {
        let _ = (queue, job);
        Err(PrintError::Unsupported {
            backend: self.backend_name(),
            what: "look up jobs by id",
        })
    }

    /// Release a job submitted held ([`JobOptions::held`]).
    fn release_job(&self, job: &JobId) -> Result<(), PrintError> {
        let _ = job;
        Err(PrintError::Unsupported {
            backend: self.backend_name(),
            what: "release held jobs",
        })
    }

    /// Cancel a job that has not printed (e.g. a held job left by a crash).
    fn cancel_job(&self, job: &JobId) -> Result<(), PrintError> {
        let _ = job;
        Err(PrintError::Unsupported {
            backend: self.backend_name(),
            what: "cancel jobs",
        })
    }
}

/// CUPS through the `lp` command (cups-client). The PDF goes through a pipe, never a file.
#[derive(Debug, Clone)]
pub struct CupsLp {
    lp: PathBuf,
    /// `-h server[:port]`, for a CUPS server other than the default.
    server: Option<String>,
}

impl Default for CupsLp {
    fn default() -> Self {
        Self {
            lp: PathBuf::from("lp"),
            server: None,
        }
    }
}

impl CupsLp {
    /// The default CUPS server.
    pub fn new() -> Self {
        Self::default()
    }
    /// Use another `lp` binary (tests, unusual installs).
    pub fn with_program(mut self, lp: impl Into<PathBuf>) -> Self {
        self.lp = lp.into();
        self
    }
    /// A named CUPS server.
    pub fn with_server(mut self, server: impl Into<String>) -> Self {
        self.server = Some(server.into());
        self
    }
}

/// IPP Get-Jobs for every job of a queue (also finished ones CUPS keeps in its history), as CSV
/// `job-id,job-name,job-state`. `lpstat` cannot show job titles, so this goes through `ipptool`
/// (Debian package cups-ipp-utils).
const GET_JOBS_TEST: &str = r#"{
  NAME "Get-Jobs"
  OPERATION Get-Jobs
  GROUP operation-attributes-tag
  ATTR charset attributes-charset utf-8
  ATTR naturalLanguage attributes-natural-language en
  ATTR uri printer-uri $uri
  ATTR name requesting-user-name $user
  ATTR keyword which-jobs all
  ATTR boolean my-jobs false
  ATTR keyword requested-attributes job-id,job-name,job-state
  STATUS successful-ok
  DISPLAY job-id
  DISPLAY job-name
  DISPLAY job-state
}
"#;

impl CupsLp {
    /// Where `ipptool` connects: the configured server, else `CUPS_SERVER` (unless a socket path), else
    /// localhost.
    fn ipp_host(&self) -> String {
        self.server
            .clone()
            .or_else(|| {
                std::env::var("CUPS_SERVER")
                    .ok()
                    .filter(|s| !s.starts_with('/'))
            })
            .unwrap_or_else(|| "localhost".into())
    }

    fn ipp_get_jobs(&self, queue: &QueueName) -> Result<String, PrintError> {
        let tool = |reason: String| PrintError::Tool {
            tool: "ipptool",
            reason,
        };
        let uri = format!("ipp://{}/printers/{}", self.ipp_host(), queue.as_str());
        let mut child = Command::new("ipptool")
            .arg("-c")
            .arg("-T")
            .arg("20")
            .arg(&uri)
            .arg("/dev/stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                tool(format!(
                    "cannot start ipptool (install cups-ipp-utils): {e}"
                ))
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(GET_JOBS_TEST.as_bytes())
                .map_err(|e| tool(e.to_string()))?;
        }
        let out = child.wait_with_output().map_err(|e| tool(e.to_string()))?;
        if !out.status.success() {
            return Err(tool(format!(
                "Get-Jobs on {queue} failed with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn run_tool(&self, program: &'static str, args: &[&str]) -> Result<(), PrintError> {
        let mut cmd = Command::new(program);
        if let Some(server) = &self.server {
            cmd.arg("-h").arg(server);
        }
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| PrintError::Tool {
                tool: program,
                reason: e.to_string(),
            })?;
        if out.status.success() {
            Ok(())
        } else {
            Err(PrintError::Tool {
                tool: program,
                reason: format!(
                    "exited with {}: {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            })
        }
    }
}

/// `ipptool -c` output: a header line, then `id,name,state`; a name may contain commas (other
/// programs' titles), so the id is the first field and the state the last.
fn parse_get_jobs_csv(csv: &str, queue: &QueueName) -> Vec<(String, SpooledJob)> {
    csv.lines()
        .filter_map(|line| {
            let (id, rest) = line.split_once(',')?;
            let (name, state) = rest.rsplit_once(',')?;
            let id: u32 = id.trim().parse().ok()?;
            let state = SpooledJobState::from_ipp(state)?;
            let name = name.trim().trim_matches('"').to_string();
            Some((
                name,
                SpooledJob {
                    id: JobId(format!("{}-{id}", queue.as_str())),
                    state,
                },
            ))
        })
        .collect()
}

/// `lp` prints "request id is QUEUE-12 (1 file(s))".
fn parse_lp_job_id(stdout: &str) -> Option<JobId> {
    let rest = stdout.split("request id is ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    (!id.is_empty()).then(|| JobId(id.to_string()))
}

impl PrinterBackend for CupsLp {
    fn backend_name(&self) -> &'static str {
        "cups"
    }

    fn submit(
        &self,
        queue: &QueueName,
        doc: &RenderedDocument,
        options: &JobOptions,
    ) -> Result<JobId, PrintError> {
        let fail = |reason: String| PrintError::Printer {
            printer: queue.to_string(),
            reason,
        };
        let mut cmd = Command::new(&self.lp);
        if let Some(server) = &self.server {
            cmd.arg("-h").arg(server);
        }
        cmd.arg("-d")
            .arg(queue.as_str())
            .arg("-t")
            .arg(options.title().map(JobTitle::as_str).unwrap_or(doc.title()))
            .arg("-n")
            .arg(options.get_copies().to_string())
            .arg("-o")
            .arg("document-format=application/pdf")
            .arg("-o")
            .arg(format!("media={}", options.media_for(doc)))
            // Print at 100 %: a card layout must land on card stock at its real size.
            .arg("-o")
            .arg("print-scaling=none");
        if options.is_held() {
            cmd.arg("-H").arg("hold");
        }
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| PrintError::Tool {
            tool: "lp",
            reason: e.to_string(),
        })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(doc.pdf())
                .map_err(|e| fail(format!("writing to lp: {e}")))?;
        }
        let out = child.wait_with_output().map_err(|e| PrintError::Tool {
            tool: "lp",
            reason: e.to_string(),
        })?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(fail(format!(
                "lp exited with {}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let job = parse_lp_job_id(&stdout)
            .ok_or_else(|| fail(format!("unexpected lp output: {}", stdout.trim())))?;
        tracing::info!(backend = "cups", queue = %queue, job = %job, kind = %doc.kind(), pages = doc.page_count(), "submitted");
        Ok(job)
    }

    fn find_jobs(
        &self,
        queue: &QueueName,
        title: &JobTitle,
    ) -> Result<Vec<SpooledJob>, PrintError> {
        let csv = self.ipp_get_jobs(queue)?;
        Ok(parse_get_jobs_csv(&csv, queue)
            .into_iter()
            .filter(|(name, _)| name == title.as_str())
            .map(|(_, job)| job)
            .collect())
    }

    fn job_state(
        &self,
        queue: &QueueName,
        job: &JobId,
    ) -> Result<Option<SpooledJobState>, PrintError> {
        let csv = self.ipp_get_jobs(queue)?;
        Ok(parse_get_jobs_csv(&csv, queue)
            .into_iter()
            .find(|(_, j)| &j.id == job)
            .map(|(_, j)| j.state))
    }

    fn release_job(&self, job: &JobId) -> Result<(), PrintError> {
        self.run_tool("lp", &["-i", &job.0, "-H", "resume"])
    }

    fn cancel_job(&self, job: &JobId) -> Result<(), PrintError> {
        self.run_tool("cancel", &[&job.0])
    }
}

/// The Windows spooler, through `winprint`'s `WinPdfPrinter` (the OS's own Windows.Data.Pdf renderer; no
/// pdfium download). Compiled only on Windows.
#[cfg(windows)]
pub mod windows {
    use std::io::Write;

    use winprint::printer::{FilePrinter, PrintOutcome, PrinterDevice, WinPdfPrinter};
    use winprint::ticket::{Copies, PrintTicketBuilder};

    use super::{JobId, JobOptions, PrinterBackend, QueueName};
    use crate::error::PrintError;
    use crate::render::RenderedDocument;

    /// Prints through the Windows spooler.
    #[derive(Debug, Default, Clone)]
    pub struct WindowsSpooler;

    impl PrinterBackend for WindowsSpooler {
        fn backend_name(&self) -> &'static str {
            "windows-spooler"
        }

        fn submit(
            &self,
            queue: &QueueName,
            doc: &RenderedDocument,
            options: &JobOptions,
        ) -> Result<JobId, PrintError> {
            let fail = |reason: String| PrintError::Printer {
                printer: queue.to_string(),
                reason,
            };
            let device =
                PrinterDevice::by_os_name(queue.as_str()).map_err(|e| fail(e.to_string()))?;
            let mut builder = PrintTicketBuilder::new(&device).map_err(|e| fail(e.to_string()))?;
            builder
                .merge(Copies(u16::from(options.get_copies())))
                .map_err(|e| fail(e.to_string()))?;
            let ticket = builder.build().map_err(|e| fail(e.to_string()))?;
            // Windows.Data.Pdf loads from a StorageFile, so the PDF must be a file: a private temporary file
            // in the user's profile, deleted when `file` drops (right after the spooler took the job).
            let mut file = tempfile::Builder::new()
                .prefix("madoguchi-")
                .suffix(".pdf")
                .tempfile()
                .map_err(|e| fail(e.to_string()))?;
            file.write_all(doc.pdf()).map_err(|e| fail(e.to_string()))?;
            file.flush().map_err(|e| fail(e.to_string()))?;
            let outcome = WinPdfPrinter::new(device)
                .print(file.path(), ticket)
                .map_err(|e| fail(e.to_string()))?;
            match outcome {
                PrintOutcome::Completed => Ok(JobId(format!("{}:{}", queue, doc.title()))),
                PrintOutcome::Canceled => Err(fail("the job was cancelled".into())),
            }
        }
    }
}

/// The back end for this OS: CUPS on Unix, the spooler on Windows.
pub fn default_backend() -> Box<dyn PrinterBackend> {
    #[cfg(windows)]
    {
        Box::new(windows::WindowsSpooler)
    }
    #[cfg(not(windows))]
    {
        Box::new(CupsLp::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lp_output() {
        assert_eq!(
            parse_lp_job_id("request id is CUPS-PDF-17 (1 file(s))\n"),
            Some(JobId("CUPS-PDF-17".into()))
        );
        assert_eq!(parse_lp_job_id("lp: error"), None);
    }

    #[test]
    fn parses_ipptool_get_jobs_csv() {
        let q = QueueName::parse("CUPS-PDF").expect("queue");
        let csv = "job-id,job-name,job-state\n65,mdg-b-c0001,completed\n66,\"a, b\",pending-held\n67,x,weird\n68,,completed\n";
        let jobs = parse_get_jobs_csv(csv, &q);
        assert_eq!(jobs.len(), 3);
        // A finished job whose name CUPS no longer reports is still there by id.
        assert_eq!(jobs[2].0, "");
        assert_eq!(jobs[2].1.id, JobId("CUPS-PDF-68".into()));
        assert_eq!(jobs[0].0, "mdg-b-c0001");
        assert_eq!(jobs[0].1.id, JobId("CUPS-PDF-65".into()));
        assert_eq!(jobs[0].1.state, SpooledJobState::Completed);
        assert_eq!(jobs[1].0, "a, b");
        assert_eq!(jobs[1].1.state, SpooledJobState::Held);
    }

    #[test]
    fn job_titles_are_plain_ascii() {
        assert!(JobTitle::parse("mdg-3F9A1C2B-c0001").is_ok());
        assert!(JobTitle::parse("-o").is_err());
        assert!(JobTitle::parse("見本").is_err());
        assert!(JobTitle::parse(&"a".repeat(101)).is_err());
        let o = JobOptions::default()
            .with_title(JobTitle::parse("t1").expect("title"))
            .held();
        assert!(o.is_held());
        assert_eq!(o.title().map(JobTitle::as_str), Some("t1"));
    }

    #[test]
    fn queue_names_cannot_be_options() {
        assert!(QueueName::parse("CUPS-PDF").is_ok());
        assert!(QueueName::parse("-oraw").is_err());
        assert!(QueueName::parse("a/b").is_err());
        assert!(QueueName::parse("").is_err());
    }

    #[test]
    fn printer_map_picks_by_paper() {
        let map: PrinterMap = toml::from_str("card = \"CARD\"\na4 = \"OFFICE\"").expect("parses");
        assert_eq!(
            map.queue_for(PaperClass::Card).map(QueueName::as_str).ok(),
            Some("CARD")
        );
        assert_eq!(
            map.queue_for(PaperClass::A4).map(QueueName::as_str).ok(),
            Some("OFFICE")
        );
        let empty = PrinterMap::default();
        assert!(matches!(
            empty.queue_for(PaperClass::Card),
            Err(PrintError::NoPrinterConfigured("card"))
        ));
    }

    #[test]
    fn media_from_page_size() {
        assert_eq!(media_for_size((210.0, 297.0)), "A4");
        assert_eq!(media_for_size((91.0, 55.0)), "Custom.91x55mm");
        assert_eq!(media_for_size((85.6, 54.0)), "Custom.85.6x54mm");
        assert!(JobOptions::default().with_media("CR80").is_ok());
        assert!(JobOptions::default().with_media("a b").is_err());
    }

    #[test]
    fn copies_are_bounded() {
        assert!(JobOptions::copies(0).is_err());
        assert!(JobOptions::copies(100).is_err());
        assert_eq!(JobOptions::copies(2).map(|o| o.get_copies()).ok(), Some(2));
    }
}
