//! CSV for every export (宛名一覧, 資格・保険料ファイル, 監査ログ): one writer, so that no export can forget
//! to quote a field or to defuse a formula.
//!
//! A field a spreadsheet would run as a formula — one starting with `=`, `+`, `-`, `@`, a tab or a carriage
//! return — gets a leading `'` and quotes, as the OWASP "CSV Injection" guidance recommends. Exports go to
//! staff who open them in a spreadsheet, and an address or a name is typed by a person: 「=HYPERLINK(…)」
//! must stay text. Quoting follows RFC 4180: a field with a comma, a quote or a line break is quoted and
//! its quotes doubled; other fields are written as they are, so ordinary exports stay byte for byte what
//! the municipalities' systems already read.
//!
//! It lives in the domain crate because every exporter (batch, the union server, the app) already depends
//! on it and a string formatter needs no I/O; `madoguchi-audit` is only one of its users. A dependency on a
//! CSV library is not worth it for writing: quoting is the whole of RFC 4180 on the writing side, and the
//! tests read the output back with the `csv` crate.

/// The characters that make a spreadsheet treat a cell as a formula (OWASP: `=`, `+`, `-`, `@`, tab, CR).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `s` gets the defusing `'`: it starts with a formula character, or it is a `'` followed by text
/// that would itself get one. The second case keeps the encoding reversible ([`undefuse`]): a value that
/// really starts with 「'=」 is written 「''=」, never confused with a defused 「=」.
fn needs_prefix(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if FORMULA_START.contains(&c) => true,
        Some('\'') => needs_prefix(chars.as_str()),
        _ => false,
    }
}

/// One field, defused and quoted when needed: `=1+1` becomes `"'=1+1"`, `a,"b"` becomes `"a,""b"""`,
/// `見附市` stays `見附市`.
pub fn field(value: &str) -> String {
    let defuse = needs_prefix(value);
    if !defuse && !value.contains([',', '"', '\n', '\r']) {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len() + 3);
    out.push('"');
    if defuse {
        out.push('\'');
    }
    for c in value.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// One record: the fields, comma-separated, ended by CRLF (RFC 4180).
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    if let [only] = fields
        && only.as_ref().is_empty()
    {
        // An empty line would be read as no record at all.
        return "\"\"\r\n".to_owned();
    }
    let mut line = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&field(f.as_ref()));
    }
    line.push_str("\r\n");
    line
}

/// The value a reader sees once the defusing `'` is taken off again (for programs that read our exports
/// back; a spreadsheet shows the `'`). The inverse of the prefix [`field`] adds.
pub fn undefuse(read: &str) -> &str {
    match read.strip_prefix('\'') {
        Some(rest) if needs_prefix(rest) => rest,
        _ => read,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read_back(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| {
                r.expect("valid CSV")
                    .iter()
                    .map(|f| undefuse(f).to_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn formulas_are_defused_and_quoted() {
        assert_eq!(field("=cmd()"), "\"'=cmd()\"");
        assert_eq!(field("+81"), "\"'+81\"");
        assert_eq!(field("-1"), "\"'-1\"");
        assert_eq!(field("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(field("\tx"), "\"'\tx\"");
        assert_eq!(field("\rx"), "\"'\rx\"");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("新潟県見附市1-2"), "新潟県見附市1-2");
        assert_eq!(field(""), "");
        // A real leading quote stays as it is unless what follows would be defused.
        assert_eq!(field("'abc"), "'abc");
        assert_eq!(field("'=x"), "\"''=x\"");
    }

    #[test]
    fn a_record_reads_back_as_its_fields() {
        let text = record(&["=1+1", "a\r\nb", "\"q\"", "'-x"]);
        assert!(text.ends_with("\r\n"));
        assert_eq!(
            read_back(&text),
            vec![vec!["=1+1", "a\r\nb", "\"q\"", "'-x"]]
        );
    }

    proptest! {
        // Any fields, however hostile, come back unchanged through a standard reader once the defusing
        // prefix is removed, and no cell a spreadsheet reads starts a formula.
        #[test]
        fn any_field_round_trips_through_a_csv_reader(
            fields in proptest::collection::vec(any::<String>(), 1..6),
            prefix in proptest::sample::select(vec!["", "=", "+", "-", "@", "\t", "\r", "'", "''=", "\""]),
        ) {
            let mut fields = fields;
            fields[0] = format!("{prefix}{}", fields[0]);
            let text = record(&fields);
            let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes())
                .records()
                .collect::<Result<_, _>>()
                .expect("valid CSV");
            prop_assert_eq!(rows.len(), 1);
            for cell in rows[0].iter() {
                prop_assert!(!cell.starts_with(FORMULA_START), "{:?}", cell);
            }
            let back: Vec<String> = rows[0].iter().map(|f| undefuse(f).to_owned()).collect();
            prop_assert_eq!(back, fields);
        }
    }
}
