//! Import and export: the CoTech fixture, round trips, all-or-nothing failures.
use coopnet_app::coops;
use coopnet_app::exchange::{self, ImportError, ImportMode};
use coopnet_core::CoopInput;

use crate::{context, cotech_fixture};

fn sorted(mut records: Vec<CoopInput>) -> Vec<CoopInput> {
    records.sort_by(|a, b| a.slug.cmp(&b.slug));
    records
}

#[tokio::test]
async fn cotech_fixture_imports_29_coops() {
    let (ctx, _db) = context().await;
    let report = exchange::import(&ctx, &cotech_fixture(), ImportMode::Insert)
        .await
        .unwrap();
    assert_eq!(report.created, 29);
    let all = coops::all(&ctx).await.unwrap();
    assert_eq!(all.len(), 29);
    let outlandish = all
        .iter()
        .find(|c| c.slug.as_str() == "outlandish")
        .unwrap();
    assert_eq!(outlandish.profile.locality.as_deref(), Some("London"));
    assert!(
        outlandish
            .profile
            .services
            .iter()
            .any(|s| s.as_str() == "Consultancy")
    );
}

#[tokio::test]
async fn json_export_import_round_trips_losslessly() {
    let (ctx, _db) = context().await;
    exchange::import(&ctx, &cotech_fixture(), ImportMode::Insert)
        .await
        .unwrap();
    let exported = exchange::to_json(&coops::all(&ctx).await.unwrap()).unwrap();

    let (other, _db2) = context().await;
    let records = exchange::parse_json(&exported).unwrap();
    exchange::import(&other, &records, ImportMode::Insert)
        .await
        .unwrap();
    let again = exchange::to_json(&coops::all(&other).await.unwrap()).unwrap();
    assert_eq!(
        sorted(exchange::parse_json(&exported).unwrap()),
        sorted(exchange::parse_json(&again).unwrap()),
        "every field, timestamps included, survives export -> import"
    );
}

#[tokio::test]
async fn csv_export_import_round_trips_losslessly() {
    let (ctx, _db) = context().await;
    let mut records = cotech_fixture();
    // Exercise every CSV column: several summary languages, links, unlisted, all numbers.
    records[0].summary.insert(
        "de".into(),
        "Eine \"Genossenschaft\", mit Komma;\nund Zeilen.".into(),
    );
    records[0].founded = Some(2009);
    records[0].region = Some("Oxfordshire".into());
    records[0].legal_form = Some("Co-operative society".into());
    records[0].email = Some("hello@example.coop".into());
    records[0].logo = Some("https://example.coop/logo.png".into());
    records[1].listed = false;
    records[1].contact_public = false;
    exchange::import(&ctx, &records, ImportMode::Insert)
        .await
        .unwrap();
    let json_before = exchange::to_json(&coops::all(&ctx).await.unwrap()).unwrap();
    let csv = exchange::to_csv(&coops::all(&ctx).await.unwrap()).unwrap();
    assert!(csv.starts_with("slug,name,website,email,locality,region,country,latitude,longitude,founded,workers,legal_form,services,technologies,languages,logo,links,listed,created_at,updated_at,contact_public,summary_de,summary_en\n"), "{}", &csv[..200]);

    let (other, _db2) = context().await;
    exchange::import(
        &other,
        &exchange::parse_csv(&csv).unwrap(),
        ImportMode::Insert,
    )
    .await
    .unwrap();
    let json_after = exchange::to_json(&coops::all(&other).await.unwrap()).unwrap();
    assert_eq!(
        sorted(exchange::parse_json(&json_before).unwrap()),
        sorted(exchange::parse_json(&json_after).unwrap())
    );
}

#[tokio::test]
async fn a_bad_row_imports_nothing_and_every_bad_row_is_reported() {
    let (ctx, _db) = context().await;
    let mut records = cotech_fixture();
    records[3].country = Some("UK".into());
    records[7].slug = "Not Valid".into();
    records[9].slug = records[8].slug.clone();
    let err = exchange::import(&ctx, &records, ImportMode::Insert)
        .await
        .unwrap_err();
    let ImportError::Rows(rows) = err else {
        panic!("expected row errors, got {err}")
    };
    let numbers: Vec<usize> = rows.iter().map(|r| r.row).collect();
    assert_eq!(numbers, vec![4, 8, 10]);
    assert!(rows[0].errors.get("country").is_some());
    assert_eq!(coops::all(&ctx).await.unwrap().len(), 0, "nothing imported");
}

#[tokio::test]
async fn existing_slugs_need_upsert() {
    let (ctx, _db) = context().await;
    let records = cotech_fixture();
    exchange::import(&ctx, &records[..3], ImportMode::Insert)
        .await
        .unwrap();
    let err = exchange::import(&ctx, &records[..5], ImportMode::Insert)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ImportError::Rows(rows) if rows.len() == 3),
        "{err}"
    );
    assert_eq!(coops::all(&ctx).await.unwrap().len(), 3);
    let mut changed = records[..5].to_vec();
    changed[0].name = "Renamed Co-op".into();
    let report = exchange::import(&ctx, &changed, ImportMode::Upsert)
        .await
        .unwrap();
    assert_eq!((report.created, report.updated), (2, 3));
    assert_eq!(
        coops::get(&ctx, &changed[0].slug)
            .await
            .unwrap()
            .profile
            .name,
        "Renamed Co-op"
    );
}

#[test]
fn csv_rows_with_bad_cells_are_reported_by_line() {
    let csv = "slug,name,latitude,listed,links\nok,Ok,1.5,true,github:https://github.com/x\nbad,Bad,north,maybe,nonsense\n";
    let err = exchange::parse_csv(csv).unwrap_err();
    let ImportError::Rows(rows) = err else {
        panic!("row errors expected")
    };
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 3);
    for field in ["latitude", "listed", "links"] {
        assert!(rows[0].errors.get(field).is_some(), "{field}");
    }
    assert!(
        matches!(exchange::parse_csv("slug,nom\nx,y\n"), Err(ImportError::Unreadable(m)) if m.contains("nom"))
    );
}
