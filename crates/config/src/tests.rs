//! Tests of settings loading: defaults, file and environment precedence, validation
//! messages, and `config/default.toml` kept equal to `Settings::default()`.
use std::io::Write;

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    f.write_all(text.as_bytes()).expect("write");
    f
}

#[test]
fn no_file_means_the_demo_instance() {
    let s = load(None, env(&[])).expect("demo settings");
    assert_eq!(s.domain, "localhost:8080");
    assert!(s.dev_mode && s.demo_data);
    assert!(s.database_url.starts_with("sqlite://data/"));
    assert_eq!(s.base_url(), "http://localhost:8080");
}

#[test]
fn file_values_override_production_safe_defaults() {
    let f = file(
        "domain = \"coops.tech\"\n[network]\nusername = \"cotech\"\nname = \"CoTech\"\ncountry = \"GB\"\n",
    );
    let s = load(Some(f.path()), env(&[])).expect("settings");
    assert_eq!(s.domain, "coops.tech");
    assert!(
        !s.dev_mode && !s.demo_data,
        "a config file starts from production defaults"
    );
    assert_eq!(s.network.country.as_deref(), Some("GB"));
    assert_eq!(s.base_url(), "https://coops.tech");
}

#[test]
fn environment_overrides_file_with_types_kept() {
    let f = file("domain = \"coops.tech\"\n");
    let s = load(
        Some(f.path()),
        env(&[
            ("COOPNET_DATABASE_URL", "postgres://localhost/x"),
            ("COOPNET_DEV_MODE", "true"),
            ("COOPNET_NETWORK__NAME", "1234"),
            ("COOPNET_NETWORK__LANGUAGES", "en,cy"),
            ("COOPNET_NETWORK__COUNTRY", "gb"),
            ("COOPNET_CONFIG", "ignored"),
            ("OTHER", "ignored"),
        ]),
    )
    .expect("settings");
    assert_eq!(s.database_url, "postgres://localhost/x");
    assert!(s.dev_mode);
    assert_eq!(s.network.name, "1234", "a string setting stays a string");
    assert_eq!(s.network.languages, vec!["en", "cy"]);
}

#[test]
fn unknown_keys_and_variables_are_errors() {
    let f = file("domian = \"typo\"\n");
    let err = load(Some(f.path()), env(&[]))
        .expect_err("typo")
        .to_string();
    assert!(err.contains("domian"), "{err}");
    let err = load(None, env(&[("COOPNET_DATABSE_URL", "x")]))
        .expect_err("typo")
        .to_string();
    assert!(err.contains("COOPNET_DATABSE_URL"), "{err}");
}

#[test]
fn bad_values_are_reported_together() {
    let f = file(
        "domain = \"https://x\"\nlisten = \"nope\"\n[network]\nusername = \"Bad Name\"\ncountry = \"UK\"\n",
    );
    let err = load(Some(f.path()), env(&[]))
        .expect_err("invalid")
        .to_string();
    for needle in ["domain", "listen", "network.username", "network.country"] {
        assert!(err.contains(needle), "{needle} missing from {err}");
    }
}

#[test]
fn shipped_configs_load() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    for name in [
        "default.toml",
        "examples/cotech-uk.toml",
        "examples/de.toml",
        "examples/nl.toml",
        "examples/fr.toml",
    ] {
        let s = load(Some(&root.join(name)), env(&[])).unwrap_or_else(|e| panic!("{name}: {e}"));
        if name.starts_with("examples/") {
            assert!(!s.demo_data && !s.dev_mode, "{name} is for real operators");
            assert!(s.network.country.is_some(), "{name} names its country");
        }
    }
}

#[test]
fn default_toml_documents_every_key() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/default.toml");
    let text = std::fs::read_to_string(root).expect("config/default.toml");
    let documented: toml::Value = toml::from_str(&text).expect("toml");
    let defaults = toml::Value::try_from(Settings::default()).expect("serialise");
    assert_eq!(
        documented, defaults,
        "config/default.toml is stale: it must equal Settings::default()"
    );
}

#[test]
fn nodeinfo_urls_are_optional_and_must_be_http_urls() {
    let s = load(None, env(&[])).expect("demo settings");
    assert!(s.nodeinfo.repository.is_empty() && s.nodeinfo.homepage.is_empty());
    let s = load(
        None,
        env(&[
            (
                "COOPNET_NODEINFO__REPOSITORY",
                "https://git.example.coop/coopnet",
            ),
            ("COOPNET_NODEINFO__HOMEPAGE", "http://coopnet.example/"),
        ]),
    )
    .expect("valid URLs");
    assert_eq!(s.nodeinfo.repository, "https://git.example.coop/coopnet");
    assert_eq!(s.nodeinfo.homepage, "http://coopnet.example/");
    for bad in [
        "git@github.com:coopnet/coopnet.git",
        "ftp://x.example/",
        "/relative",
        " ",
    ] {
        let f = file(&format!("[nodeinfo]\nrepository = \"{bad}\"\n"));
        let err = load(Some(f.path()), env(&[])).expect_err(bad).to_string();
        assert!(err.contains("nodeinfo.repository"), "{bad}: {err}");
    }
    let f = file("[nodeinfo]\nhomepage = \"mailto:a@b.example\"\n");
    let err = load(Some(f.path()), env(&[]))
        .expect_err("mailto")
        .to_string();
    assert!(
        err.contains("nodeinfo.homepage") && err.contains("http(s)"),
        "{err}"
    );
}
