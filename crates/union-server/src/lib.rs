//! # madoguchi-union-server — the union (広域連合) server
//!
//! The server the 窓口端末 talk to: it accepts only the union's own terminals over mutual TLS (TLS 1.3, client
//! certificates from the union CA, revocation by CRL reloaded while running), signs staff in, scopes every
//! request to the municipality named in the terminal's certificate, and decides notifications at once
//! (即時に受付・審査・決定, N:163–165) with the domain rules and a dated union policy.
//!
//! It collects the terminals' audit chains (continuity checked per terminal, gaps and edits flagged) for
//! the 情報システム管理者 to search and export.
//!
//! It applies the money rules (`madoguchi-rules`) with the union's dated rate tables ([`rates`]) and the income
//! it holds: the 8/1 負担割合 判定 and the 保険料 of the 保険料ファイル ([`reassess`]).
//!
//! It also carries the PKI tool (`pki`), the synthetic seeding (`seed`) and an in-process starter for the
//! desktop app's training mode (`training`).
//!
//! It must never: accept a connection without a verified client certificate, trust a municipality sent in a
//! request body, write personal data to logs, or apply a notification twice for one idempotency key.

pub mod pki;
pub mod tls;

pub mod accounts;
mod accounts_api;
pub mod api;
pub mod auth;
pub mod chains;
pub mod config;
pub mod crypt;
pub mod daily;
pub mod decide;
pub mod distribution;
mod distribution_burden;
pub mod enrol;
pub mod password_gate;
pub mod rates;
pub mod reassess;
pub mod review;
pub mod seed;
mod seed_income;
pub mod server;
pub mod staff;
pub mod store;
pub mod training;
pub mod updates;
