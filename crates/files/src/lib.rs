//! # madoguchi-files — オンラインファイル連携: municipal files in and out, checked row by row
//!
//! Most of the counter terminal's daily traffic is files, not counter notifications (elderly.md §2.2–2.5):
//! the municipal system's extracts (住基情報, 住登外登録情報, 所得・課税情報, 期割情報, 収納情報, 滞納者情報) go
//! up to the union, and the union's 被保険者情報, 被保険者証発行用情報, 住所地特例者情報 and 保険料情報 come
//! back down, with the 宛名番号 the municipal system links them by. This crate is the part that knows file
//! formats:
//!
//! - **Layouts as data** ([`layout`]): one TOML per layout and version under `assets/files/`, fields with
//!   position and length (fixed-length CP932) or column (UTF-8 CSV), type and requirement; a municipality
//!   can load its own directory of layouts. The official 標準システム layouts are **not public**
//!   (domain-anchors §1.2), so these layouts are Madoguchi's own and versioned; each has a generated table
//!   in `docs/files/` ([`docs`]).
//! - **Streaming validation** ([`reader`], [`check`]): record by record, never the whole file in memory;
//!   typed records out; a 確認リスト with row-level findings (line, field, why — Japanese for staff, an
//!   English code for logs). A bad row never costs its neighbours.
//! - **外字** ([`gaiji`]): user-defined CP932 characters and characters the print fonts cannot draw become
//!   「●」 with a 文字同定 request, resolved only by the municipality's mapping table.
//! - **Writing** ([`write`]): the down files in the municipality's layout.
//!
//! It must never log or put into an error, a panic or a `Debug` output any value of a record (names,
//! addresses, 個人番号, amounts are personal data: findings name the line and field only), never guess a 外字,
//! never drop a valid row because another row is wrong, and never read a file from a medium that has not
//! been scanned (callers hand it bytes from `madoguchi-media`'s verified files). It does no network and
//! spawns no process.

pub mod check;
pub mod docs;
pub mod error;
pub mod gaiji;
pub mod layout;
pub mod reader;
pub mod value;
pub mod write;

pub use check::{CheckList, check};
pub use error::{FileError, LooksLike, RowError, RowErrorKind};
pub use gaiji::{Cp932Standard, GaijiCode, GaijiMap, GaijiRequest, Glyphs};
pub use layout::{Direction, FileEncoding, Layout, LayoutError, LayoutSet};
pub use reader::{FileHeader, FileReader, InvalidRow, ReadOptions, Row};
pub use value::{Record, Value};
pub use write::{FileWriter, WriteError};
