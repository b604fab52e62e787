//! The committed tables in docs/files/ must match the layouts; `MADOGUCHI_REGENERATE_FILE_DOCS=1` rewrites them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::PathBuf;

use madoguchi_files::{LayoutSet, docs};

fn docs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/files")
}

#[test]
fn committed_layout_tables_match_the_layouts() {
    let set = LayoutSet::builtin().unwrap();
    let regenerate = std::env::var_os("MADOGUCHI_REGENERATE_FILE_DOCS").is_some();
    let mut expected_names = Vec::new();
    for layout in set.iter() {
        let name = docs::file_name(layout);
        let path = docs_dir().join(&name);
        let generated = docs::markdown(layout);
        if regenerate {
            std::fs::create_dir_all(docs_dir()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("docs/files/{name} is committed"));
        assert_eq!(
            committed, generated,
            "docs/files/{name} differs from its layout; run with MADOGUCHI_REGENERATE_FILE_DOCS=1 and review the diff"
        );
        expected_names.push(name);
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(docs_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "README.md")
        .collect();
    on_disk.sort();
    expected_names.sort();
    assert_eq!(
        on_disk, expected_names,
        "a table without a layout in docs/files"
    );
}
