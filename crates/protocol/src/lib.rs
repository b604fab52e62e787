//! # madoguchi-protocol — the wire between the 窓口端末 and the union server
//!
//! Versioned request and response types (`/v1/...`) shared by the terminal (`link`, `counter`) and the union
//! server, the stable error body (`{code, message_ja, message_en}`), and the OpenAPI 3.1 description that is
//! committed in `crates/protocol/openapi.json` and checked against these types by a test
//! (`MADOGUCHI_REGENERATE_OPENAPI=1 cargo test -p madoguchi-protocol` rewrites it).
//!
//! Identifiers are the domain newtypes (`madoguchi_domain::ids`), serialised as strings and validated when
//! parsed. Requests refuse unknown fields. Resources are addressed by opaque ids ([`ResidentId`],
//! [`DocumentId`], [`NotificationId`]) so that no personal identifier ever appears in a URL, an access log or
//! an audit target.
//!
//! This crate must never do I/O, and must never put the 個人番号 in a type that is used for lists.

pub mod access;
pub mod accounts;
pub mod audit_chain;
mod checked;
pub mod distribution;
pub mod endpoint;
pub mod enrol;
pub mod error;
pub mod openapi;
pub mod reprint;
pub mod reveal;
mod schema;
pub mod updates;
pub mod v1;

pub use checked::DateFieldError;
pub use error::{ErrorBody, ErrorCode};
