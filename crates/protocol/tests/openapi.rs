//! The committed OpenAPI description must match the types; `MADOGUCHI_REGENERATE_OPENAPI=1` rewrites it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::PathBuf;

use madoguchi_domain::eligibility::Reason;
use madoguchi_domain::insurance::{BurdenRatio, DocumentKind, LimitCategory, Sex};
use madoguchi_protocol::openapi;
use serde_json::Value;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

#[test]
fn committed_openapi_matches_the_types() {
    let generated = openapi::document_text();
    let path = committed_path();
    if std::env::var_os("MADOGUCHI_REGENERATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write openapi.json");
    }
    let committed =
        std::fs::read_to_string(&path).expect("crates/protocol/openapi.json is committed");
    let committed: Value = serde_json::from_str(&committed).expect("openapi.json is JSON");
    let generated: Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(committed["openapi"], "3.1.0");
    for (name, schema) in generated["components"]["schemas"].as_object().unwrap() {
        assert_eq!(
            committed["components"]["schemas"].get(name),
            Some(schema),
            "component {name} differs from the types; run with MADOGUCHI_REGENERATE_OPENAPI=1 and review the diff"
        );
    }
    assert_eq!(
        committed, generated,
        "openapi.json differs from the types; run with MADOGUCHI_REGENERATE_OPENAPI=1 and review the diff"
    );
}

fn enum_values(doc: &Value, name: &str) -> Vec<String> {
    doc["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{name} has an enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn serde_names<T: serde::Serialize>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .map(|v| {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The stand-in schemas for domain enums list exactly what the domain types serialise to.
#[test]
fn domain_enum_schemas_match_domain_serde() {
    let doc = openapi::document();
    assert_eq!(
        enum_values(&doc, "Sex"),
        serde_names(&[Sex::Male, Sex::Female])
    );
    assert_eq!(
        enum_values(&doc, "BurdenRatio"),
        serde_names(&[BurdenRatio::One, BurdenRatio::Two, BurdenRatio::Three])
    );
    assert_eq!(
        enum_values(&doc, "LimitCategory"),
        serde_names(&LimitCategory::ALL)
    );
    assert_eq!(
        enum_values(&doc, "DocumentKind"),
        serde_names(&[
            DocumentKind::ShikakuKakuninsho,
            DocumentKind::ShikakuJohoOshirase,
            DocumentKind::Hihokenshasho,
            DocumentKind::GendogakuNinteisho,
            DocumentKind::FutanKubunShomeisho
        ])
    );
    assert_eq!(
        enum_values(&doc, "NotificationKind"),
        serde_names(&madoguchi_domain::NotificationKind::ALL)
    );
    assert_eq!(
        enum_values(&doc, "EligibilityReason"),
        serde_names(&[
            Reason::Age75,
            Reason::DisabilityCertified,
            Reason::MovedIn,
            Reason::Under75,
            Reason::DisabilityUnder65,
            Reason::WelfareExcluded,
            Reason::LostDeath,
            Reason::LostMovedOut,
            Reason::NotYetResident,
            Reason::WelfareEnded,
            Reason::LostWelfare
        ])
    );
}

/// Every error code in the schema has the same string as `ErrorCode::as_str`, and the schema lists them all.
#[test]
fn error_codes_are_stable_strings() {
    let doc = openapi::document();
    let listed = doc["components"]["schemas"]["ErrorCode"]["oneOf"]
        .as_array()
        .map(|variants| {
            variants
                .iter()
                .map(|v| v["const"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .unwrap_or_else(|| enum_values(&doc, "ErrorCode"));
    for name in &listed {
        let code: madoguchi_protocol::ErrorCode =
            serde_json::from_value(Value::String(name.clone())).unwrap();
        assert_eq!(code.as_str(), name);
        assert!((400..600).contains(&code.http_status()));
    }
    assert!(listed.len() >= 30);
}

/// Every request body and response named in a path exists among the components, and every path is /v1.
#[test]
fn paths_reference_existing_components() {
    let doc = openapi::document();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let text = serde_json::to_string(&doc["paths"]).unwrap();
    for (path, _) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with("/v1/"), "{path}");
    }
    for piece in text.split("#/components/schemas/").skip(1) {
        let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
        assert!(schemas.contains_key(&name), "missing component {name}");
    }
}
