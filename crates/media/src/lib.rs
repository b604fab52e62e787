//! # madoguchi-media — 電子媒体の受入れ: a medium is scanned and registered before anything reads it
//!
//! The municipal system's extracts reach the terminal on electronic media (elderly.md §2.2 2-②, §2.4 4-②,
//! §2.5 5-③). This crate is the gate between a mounted medium and the rest of Madoguchi:
//!
//! 1. list the medium folder by metadata only, refusing a symbolic link that leaves the folder, a device
//!    or pipe, and a file above the size limit;
//! 2. scan every file with ClamAV `clamscan` ([`scan`]) before any byte is read by Madoguchi, and refuse the
//!    medium naming each infected or unscannable file;
//! 3. hash every file (SHA-256) into a 媒体管理簿 entry ([`MediumEntry`]: who, when, volume id, files);
//! 4. open a file only through [`MediumEntry::open_verified`], which re-checks identity and hash, so a file
//!    replaced between scan and read is refused.
//!
//! It is a crate of its own, not a module of `madoguchi-files`, because its job and its trust boundary
//! differ: it touches untrusted file systems and spawns an external process, while `madoguchi-files` only
//! parses bytes it is given. The files crate never sees a path; this one never interprets content.
//!
//! It must never read a file's content before the scanner passed it (hashing comes after the scan), never
//! treat a file the scanner did not report on as clean, never follow a link out of the medium, and never
//! log file contents.

pub mod error;
pub mod medium;
pub mod scan;

pub use error::{MediaError, Refusal};
pub use medium::{MediumEntry, MediumFile, Registration, register};
pub use scan::{ScanConfig, ScannerError, Verdict};
