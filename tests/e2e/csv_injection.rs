//! CSV formula injection: every CSV coopnet writes neutralises cells a spreadsheet would run
//! (`=`, `+`, `-`, `@`, tab, CR first) with a leading `'`, including the `network` column that
//! peer networks fill in, and the CSV import undoes exactly that escape.
use std::time::Duration;

use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{coops, federation};
use coopnet_core::CoopInput;
use coopnet_tests::{TestInstance, eventually};

use crate::context;

const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";

/// A co-op whose text fields are formulas (and one longitude, which is a number).
fn hostile(slug: &str) -> CoopInput {
    serde_json::from_value(serde_json::json!({
        "slug": slug,
        "name": FORMULA,
        "locality": "@SUM(1)",
        "region": "'=already quoted",
        "legal_form": "+44 society",
        "latitude": 51.5072,
        "longitude": -0.1276,
        "services": ["-rm", "Hosting"],
        "summary": {"en": "=1+1 is two"},
    }))
    .unwrap()
}

/// The cells of `text` (a CSV document), header first.
fn cells(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// No cell a spreadsheet would run as a formula.
fn assert_inert(rows: &[Vec<String>]) {
    for cell in rows.iter().flatten() {
        let plain_number = cell.parse::<f64>().is_ok() && !cell.contains(['e', 'E', 'i', 'n']);
        assert!(
            plain_number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{cell:?} would run as a formula"
        );
    }
}

fn column<'a>(rows: &'a [Vec<String>], slug: &str, name: &str) -> &'a str {
    let at = rows[0].iter().position(|h| h == name).unwrap();
    let row = rows.iter().find(|r| r[0] == slug).unwrap();
    &row[at]
}

#[tokio::test]
async fn the_cli_csv_export_is_inert_and_imports_back_exactly() {
    let (ctx, _db) = context().await;
    exchange::import(&ctx, &[hostile("formula")], ImportMode::Insert)
        .await
        .unwrap();
    let all = coops::all(&ctx).await.unwrap();
    let text = exchange::to_csv(&all).unwrap();
    let rows = cells(&text);
    assert_inert(&rows);
    assert_eq!(column(&rows, "formula", "name"), format!("'{FORMULA}"));
    assert_eq!(column(&rows, "formula", "locality"), "'@SUM(1)");
    assert_eq!(column(&rows, "formula", "region"), "''=already quoted");
    assert_eq!(column(&rows, "formula", "legal_form"), "'+44 society");
    assert_eq!(column(&rows, "formula", "services"), "'-rm; Hosting");
    assert_eq!(column(&rows, "formula", "summary_en"), "'=1+1 is two");
    assert_eq!(column(&rows, "formula", "longitude"), "-0.1276");

    let (other, _db2) = context().await;
    exchange::import(
        &other,
        &exchange::parse_csv(&text).unwrap(),
        ImportMode::Insert,
    )
    .await
    .unwrap();
    assert_eq!(
        exchange::to_json(&coops::all(&other).await.unwrap()).unwrap(),
        exchange::to_json(&all).unwrap(),
        "export -> import changed the co-op"
    );
    let back = coops::get(&other, "formula").await.unwrap().profile;
    assert_eq!(back.name, FORMULA);
    assert_eq!(back.region.as_deref(), Some("'=already quoted"));
}

#[tokio::test]
async fn the_open_data_csv_is_inert_with_a_peer_network_named_like_a_formula() {
    let a = TestInstance::spawn().await.unwrap();
    let peer = TestInstance::spawn_with(|s| {
        s.network.username = "othernet".into();
        s.network.name = "@SUM(1)".into();
    })
    .await
    .unwrap();
    coops::create(&peer.ctx, &hostile("remote-formula"))
        .await
        .unwrap();
    coops::create(&a.ctx, &hostile("local-formula"))
        .await
        .unwrap();
    federation::follow(&a.ctx, &peer.url("/network"))
        .await
        .unwrap();
    let domain = format!("localhost:{}", peer.addr.port());
    eventually(Duration::from_secs(20), "the peer's co-op", || async {
        coops::get_remote(&a.ctx, &domain, "remote-formula")
            .await
            .ok()
    })
    .await;

    let text = crate::get_text(&a.url("/exports/coops.csv")).await;
    let rows = cells(&text);
    assert_inert(&rows);
    let fixed = exchange::CSV_COLUMNS.len();
    assert_eq!(
        rows[0][fixed], "network",
        "extra columns follow the fixed ones"
    );
    assert_eq!(rows[0][fixed + 1], "url");
    assert_eq!(column(&rows, "remote-formula", "network"), "'@SUM(1)");
    assert_eq!(
        column(&rows, "remote-formula", "name"),
        format!("'{FORMULA}")
    );
    assert_eq!(column(&rows, "local-formula", "network"), "Test Network");
    assert_eq!(column(&rows, "local-formula", "locality"), "'@SUM(1)");
    assert_eq!(column(&rows, "local-formula", "longitude"), "-0.1276");
}
