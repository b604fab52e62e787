//! The documentation table of a layout (docs/files/<id>-v<version>.md), generated from the layout itself so
//! it cannot drift: `tests/docs.rs` fails when a committed table differs and rewrites the tables when
//! `MADOGUCHI_REGENERATE_FILE_DOCS=1`.

use std::fmt::Write as _;

use crate::layout::{FieldKind, Layout, Place};

/// File name of a layout's table.
pub fn file_name(layout: &Layout) -> String {
    format!("{}-v{}.md", layout.id, layout.version)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown table of a layout.
pub fn markdown(layout: &Layout) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {}（`{}` 版{}）\n",
        layout.title, layout.id, layout.version
    );
    let _ = writeln!(
        out,
        "Generated from `assets/files/{}-v{}.toml` by `crates/files` — do not edit; run `MADOGUCHI_REGENERATE_FILE_DOCS=1 cargo test -p madoguchi-files --test docs`.\n",
        layout.id, layout.version
    );
    let _ = writeln!(
        out,
        "Madoguchi's own layout: the official 標準システム layouts are not public (crates/files/README.md).\n"
    );
    let _ = writeln!(out, "- 方向: {}", layout.direction.label_ja());
    let _ = writeln!(out, "- 形式: {}", layout.encoding.label_ja());
    if let Some(len) = layout.record_length {
        let _ = writeln!(out, "- レコード長: {len}バイト（改行を除く）");
    }
    let _ = writeln!(out, "- 改行: {}", layout.line_ending.label());
    let _ = writeln!(out, "- 頻度: {}", layout.frequency);
    let key: Vec<&str> = layout
        .key
        .iter()
        .map(|&i| layout.fields[i].label.as_str())
        .collect();
    if !key.is_empty() {
        let _ = writeln!(out, "- 重複の判定（キー）: {}", key.join("・"));
    }
    let _ = writeln!(out, "- 説明: {}\n", layout.description);
    let fixed = layout.record_length.is_some();
    if fixed {
        let _ = writeln!(out, "| 位置 | 長さ | 項目名 | name | 型 | 必須 | 備考 |");
        let _ = writeln!(out, "|---:|---:|---|---|---|---|---|");
        let _ = writeln!(
            out,
            "| 1 | 1 | レコード区分 | record_kind | コード | ○ | D（ヘッダH・トレーラTは共通形式） |"
        );
    } else {
        let _ = writeln!(out, "| 列 | 項目名 | name | 型 | 必須 | 備考 |");
        let _ = writeln!(out, "|---:|---|---|---|---|---|");
        let _ = writeln!(
            out,
            "| 1 | レコード区分 | record_kind | コード | ○ | D（ヘッダH・トレーラTは共通形式） |"
        );
    }
    for f in &layout.fields {
        let mut note = f.note.clone();
        if let FieldKind::Code(codes) = &f.kind {
            let list: Vec<String> = codes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            if !note.is_empty() {
                note.push('。');
            }
            note.push_str(&list.join("、"));
        }
        let required = if f.required { "○" } else { "" };
        match f.place {
            Place::Fixed { position, length } => {
                let _ = writeln!(
                    out,
                    "| {position} | {length} | {} | {} | {} | {required} | {} |",
                    cell(&f.label),
                    f.name,
                    f.kind.label_ja(),
                    cell(&note)
                );
            }
            Place::Column(c) => {
                let _ = writeln!(
                    out,
                    "| {c} | {} | {} | {} | {required} | {} |",
                    cell(&f.label),
                    f.name,
                    f.kind.label_ja(),
                    cell(&note)
                );
            }
        }
    }
    out
}
