//! The public directory API, its OpenAPI document, CORS and caching, the Atom feeds and the
//! open data exports.
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{TimeZone, Utc};
use coopnet_app::exchange::{self, ImportMode};
use coopnet_app::{coops, federation, posts};
use coopnet_core::{CoopInput, Tag, TokenScope};
use coopnet_tests::{TestInstance, eventually};
use reqwest::StatusCode;
use serde_json::Value;

use crate::cotech_fixture;

const XSS_NAME: &str = "<script>alert(1)</script> \"quoted' & co";

/// The fixture, varied so that filters have something to tell apart: one unlisted co-op,
/// three German ones, one working in German, and distinct join dates.
fn varied_fixture() -> Vec<CoopInput> {
    let mut records = cotech_fixture();
    let start = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    for (i, r) in records.iter_mut().enumerate() {
        // Out of name order, so `newest` differs from `name`.
        let days = (i as i64 * 7) % 29;
        r.created_at = Some(start + chrono::Duration::days(days));
        r.updated_at = r.created_at;
    }
    records[0].listed = false;
    for r in &mut records[1..4] {
        r.country = Some("DE".into());
    }
    records[2].languages = vec!["de".into(), "en".into()];
    records
}

async fn spawn_with_fixture() -> (TestInstance, Vec<CoopInput>) {
    let instance = TestInstance::spawn().await.unwrap();
    let records = varied_fixture();
    exchange::import(&instance.ctx, &records, ImportMode::Insert)
        .await
        .unwrap();
    let listed = records.into_iter().filter(|r| r.listed).collect();
    (instance, listed)
}

fn key(label: &str) -> String {
    Tag::parse(label).unwrap().key()
}

async fn get_json(url: &str) -> (StatusCode, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap().to_owned())
        .collect()
}

fn slug_set<'a>(records: impl IntoIterator<Item = &'a CoopInput>) -> BTreeSet<String> {
    records.into_iter().map(|r| r.slug.clone()).collect()
}

fn facet(page: &Value, name: &str) -> BTreeMap<String, u64> {
    page["facets"][name]
        .as_array()
        .unwrap_or_else(|| panic!("facet {name} missing in {page}"))
        .iter()
        .map(|v| {
            assert!(v["label"].is_string(), "{v}");
            (
                v["key"].as_str().unwrap().to_owned(),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn search_filters_paging_sort_and_facets() {
    let (instance, listed) = spawn_with_fixture().await;
    let url = |q: &str| instance.url(&format!("/api/v1/coops{q}"));

    // Defaults: every listed co-op, by name, facets over all of them.
    let (status, all) = get_json(&url("")).await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 28);
    assert_eq!(all["limit"], 50);
    assert_eq!(all["offset"], 0);
    assert_eq!(slug_set(&listed), slugs(&all).into_iter().collect());
    let mut by_name: Vec<&CoopInput> = listed.iter().collect();
    by_name.sort_by_key(|r| r.name.to_lowercase());
    let names: Vec<String> = by_name.iter().map(|r| r.slug.clone()).collect();
    assert_eq!(slugs(&all), names);
    for name in ["network", "country", "service", "technology", "language"] {
        assert!(!facet(&all, name).is_empty(), "facet {name}");
    }
    let (_, networks) = get_json(&instance.url("/api/v1/networks")).await;
    let local_id = networks["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        facet(&all, "network"),
        BTreeMap::from([(local_id.to_string(), 28)])
    );
    let gb = listed
        .iter()
        .filter(|r| r.country.as_deref() == Some("GB"))
        .count() as u64;
    assert_eq!(facet(&all, "country")["GB"], gb);
    assert_eq!(facet(&all, "country")["DE"], 3);

    // Paging.
    let (_, page) = get_json(&url("?limit=10&offset=5")).await;
    assert_eq!(page["total"], 28);
    assert_eq!(page["limit"], 10);
    assert_eq!(page["offset"], 5);
    assert_eq!(slugs(&page), names[5..15].to_vec());
    let (_, tail) = get_json(&url("?limit=10&offset=25")).await;
    assert_eq!(slugs(&tail), names[25..].to_vec());

    // One kind of filter: alternatives, repeated or comma-separated, by key or label.
    let (_, de) = get_json(&url("?country=de")).await;
    let want_de = slug_set(listed.iter().filter(|r| r.country.as_deref() == Some("DE")));
    assert_eq!(de["total"], 3);
    assert_eq!(slugs(&de).into_iter().collect::<BTreeSet<_>>(), want_de);
    assert_eq!(facet(&de, "country"), BTreeMap::from([("DE".into(), 3)]));
    let mut want_services = BTreeMap::new();
    for r in listed.iter().filter(|r| r.country.as_deref() == Some("DE")) {
        for s in &r.services {
            *want_services.entry(key(s)).or_insert(0) += 1;
        }
    }
    assert_eq!(
        facet(&de, "service"),
        want_services,
        "facets count all matches"
    );

    let wanted = |service: &[&str]| {
        slug_set(listed.iter().filter(|r| {
            r.services
                .iter()
                .any(|s| service.contains(&key(s).as_str()))
        }))
    };
    let want = wanted(&["hosting", "web-design"]);
    assert!(want.len() > 8);
    for q in [
        "?service=hosting&service=web-design&limit=200",
        "?service=hosting,web-design&limit=200",
        "?service=Hosting&service=Web%20Design&limit=200",
    ] {
        let (status, page) = get_json(&url(q)).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(
            slugs(&page).into_iter().collect::<BTreeSet<_>>(),
            want,
            "{q}"
        );
        assert_eq!(page["total"], want.len());
    }

    // Different kinds: all apply.
    let (_, both) = get_json(&url("?country=GB&technology=wordpress&limit=200")).await;
    let want = slug_set(listed.iter().filter(|r| {
        r.country.as_deref() == Some("GB") && r.technologies.iter().any(|t| key(t) == "wordpress")
    }));
    assert!(!want.is_empty());
    assert_eq!(slugs(&both).into_iter().collect::<BTreeSet<_>>(), want);

    let (_, german) = get_json(&url("?language=de")).await;
    assert_eq!(slugs(&german), vec![listed[1].slug.clone()]);
    let (_, net) = get_json(&url(&format!("?network={local_id}&limit=1"))).await;
    assert_eq!(net["total"], 28);
    let (_, none) = get_json(&url("?network=999999")).await;
    assert_eq!(none["total"], 0);
    assert_eq!(none["items"].as_array().unwrap().len(), 0);

    // Text: the co-op named so is found, and every hit mentions the word.
    let target = &by_name[7];
    let word = target
        .name
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_lowercase();
    let (_, found) = get_json(&url(&format!("?q={word}&limit=200"))).await;
    assert!(slugs(&found).contains(&target.slug), "{word}: {found}");
    for item in found["items"].as_array().unwrap() {
        assert!(
            item.to_string().to_lowercase().contains(&word),
            "{word} not in {item}"
        );
    }

    // Order: newest members first.
    let (_, newest) = get_json(&url("?sort=newest&limit=200")).await;
    let mut by_age: Vec<&CoopInput> = listed.iter().collect();
    by_age.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    assert_eq!(
        slugs(&newest),
        by_age.iter().map(|r| r.slug.clone()).collect::<Vec<_>>()
    );

    // Bad input is a 400 JSON error.
    for q in [
        "?sort=foo",
        "?limit=0",
        "?limit=201",
        "?limit=abc",
        "?offset=-1",
        "?page=2",
        "?network=uk",
        "?country=Germany",
        "?q=a&q=b",
    ] {
        let (status, body) = get_json(&url(q)).await;
        assert_eq!(status, 400, "{q}");
        assert_eq!(body["error"], "bad_request", "{q}");
        assert!(body["message"].as_str().unwrap().len() > 5, "{q}");
    }
}

#[tokio::test]
async fn coops_by_handle_and_networks_across_federation() {
    let (a, listed) = spawn_with_fixture().await;
    let b = TestInstance::spawn_with(|s| {
        s.network.username = "othernet".into();
        s.network.name = "Other Network".into();
        s.network.country = Some("DE".into());
        s.network.languages = vec!["de".into(), "en".into()];
    })
    .await
    .unwrap();
    let input: CoopInput = serde_json::from_value(serde_json::json!({
        "slug": "beta", "name": "Beta eG", "country": "DE", "services": ["Hosting"]
    }))
    .unwrap();
    coops::create(&b.ctx, &input).await.unwrap();
    let a_domain = format!("localhost:{}", a.addr.port());
    let b_domain = format!("localhost:{}", b.addr.port());

    // Local co-ops: by handle (with or without @, encoded or not) and by slug.
    for id in [
        format!("outlandish@{a_domain}"),
        format!("outlandish%40{a_domain}"),
        format!("@outlandish@{a_domain}"),
        "outlandish".to_owned(),
    ] {
        let (status, coop) = get_json(&a.url(&format!("/api/v1/coops/{id}"))).await;
        assert_eq!(status, 200, "{id}");
        assert_eq!(coop["name"], "Outlandish");
        assert_eq!(coop["handle"], format!("@outlandish@{a_domain}"));
        assert_eq!(coop["local"], true);
    }
    let hidden = varied_fixture()[0].slug.clone();
    assert!(!listed.iter().any(|r| r.slug == hidden));
    for id in [
        format!("{hidden}@{a_domain}"),
        hidden.clone(),
        format!("nope@{a_domain}"),
        "outlandish@elsewhere.example".to_owned(),
        "nope".to_owned(),
    ] {
        let (status, body) = get_json(&a.url(&format!("/api/v1/coops/{id}"))).await;
        assert_eq!(status, 404, "{id}");
        assert_eq!(body["error"], "not_found");
    }

    // A follows B's network and so lists B's members.
    federation::follow(&a.ctx, &b.url("/network"))
        .await
        .unwrap();
    eventually(Duration::from_secs(30), "B's member on A", || async {
        let (_, page) = get_json(&a.url("/api/v1/coops?limit=200")).await;
        (page["total"] == 29).then_some(())
    })
    .await;
    let (status, beta) = get_json(&a.url(&format!("/api/v1/coops/beta@{b_domain}"))).await;
    assert_eq!(status, 200, "{beta}");
    assert_eq!(beta["local"], false);
    assert_eq!(beta["handle"], format!("@beta@{b_domain}"));
    assert_eq!(beta["network"]["name"], "Other Network");
    let (status, _) = get_json(&a.url("/api/v1/coops/beta")).await;
    assert_eq!(status, 404, "a bare slug names a local co-op");

    // Networks: local first, with member counts.
    let (status, networks) = get_json(&a.url("/api/v1/networks")).await;
    assert_eq!(status, 200);
    let items = networks["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{networks}");
    assert_eq!(items[0]["local"], true);
    assert_eq!(items[0]["name"], "Test Network");
    assert_eq!(items[0]["domain"], a_domain.as_str());
    assert_eq!(items[0]["handle"], format!("@testnet@{a_domain}"));
    assert_eq!(items[0]["country"], "GB");
    assert_eq!(items[0]["languages"], serde_json::json!(["en"]));
    assert_eq!(items[0]["members"], 28);
    assert_eq!(items[1]["local"], false);
    assert_eq!(items[1]["name"], "Other Network");
    assert_eq!(items[1]["handle"], format!("@othernet@{b_domain}"));
    // What a peer tells of itself (its country may be unknown here).
    assert!(items[1].get("country").is_some() && items[1]["languages"].is_array());
    assert_eq!(items[1]["members"], 1);
    assert_eq!(networks["license"]["name"], "CC-BY-4.0");
    // Its id is the network filter.
    let other_id = items[1]["id"].as_i64().unwrap();
    let (_, only_b) = get_json(&a.url(&format!("/api/v1/coops?network={other_id}"))).await;
    assert_eq!(slugs(&only_b), vec!["beta".to_owned()]);
    let (status, _) = get_json(&a.url("/api/v1/networks?x=1")).await;
    assert_eq!(status, 400);
}

/// The route paths of `router.rs`, read from its source.
fn router_paths() -> BTreeSet<String> {
    let source = include_str!("../../crates/web/src/router.rs");
    let mut paths = BTreeSet::new();
    for chunk in source.split(".route(").skip(1) {
        let literal = chunk
            .trim_start()
            .strip_prefix('"')
            .and_then(|rest| rest.split_once('"'))
            .map(|(path, _)| path.to_owned());
        if let Some(path) = literal {
            paths.insert(path);
        }
    }
    assert!(paths.len() > 20, "router.rs parsed: {paths:?}");
    paths
}

/// `/a/{x}/b` and `/a/{y}/b` are the same route.
fn normalise(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn openapi_document_describes_the_router() {
    let (instance, _) = spawn_with_fixture().await;
    let (status, doc) = get_json(&instance.url("/api/v1/openapi.json")).await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], instance.base_url);
    assert!(doc["components"]["schemas"]["CoopJson"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let documented: BTreeMap<String, Value> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();

    // Every documented path is routed: probed with a sample for each parameter, nothing
    // answers with the fallback.
    let http = reqwest::Client::new();
    for (path, item) in &documented {
        let sample = path
            .replace("{id}", "outlandish")
            .replace("{slug}", "outlandish");
        let response = http.get(instance.url(&sample)).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        let fallback = status == 404
            && (body.contains("no such resource") || body.contains("There is no page"));
        assert!(!fallback, "{path} is documented but not routed");
        if item.get("get").is_some() && !path.contains("/admin/") {
            assert_eq!(status, 200, "GET {sample}");
        }
        let admin = path.starts_with("/api/v1/admin/");
        for (method, op) in item.as_object().unwrap() {
            let secured = op.get("security").is_some();
            assert_eq!(secured, admin, "{method} {path}: security only on admin");
            assert!(op["responses"].is_object(), "{method} {path}");
        }
    }

    // Every public route of the router is documented.
    let documented: BTreeSet<String> = documented.keys().map(|p| normalise(p)).collect();
    let routed: BTreeSet<String> = router_paths().iter().map(|p| normalise(p)).collect();
    for path in &routed {
        let public = path.starts_with("/api/")
            || path.starts_with("/feeds/")
            || path.starts_with("/exports/");
        if public {
            assert!(
                documented.contains(path),
                "{path} is routed but not documented"
            );
        }
    }
    for path in &documented {
        assert!(
            routed.contains(path),
            "{path} is documented but not in router.rs"
        );
    }
}

#[tokio::test]
async fn cors_and_conditional_requests() {
    let (instance, _) = spawn_with_fixture().await;
    let http = reqwest::Client::new();
    for path in [
        "/api/v1/coops",
        "/api/v1/coops/outlandish",
        "/api/v1/networks",
        "/api/v1/openapi.json",
        "/feeds/news.atom",
        "/feeds/members.atom",
        "/exports/coops.json",
        "/exports/coops.csv",
        "/exports/coops.geojson",
    ] {
        let first = http
            .get(instance.url(path))
            .header("Origin", "https://elsewhere.example")
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 200, "{path}");
        let headers = first.headers().clone();
        assert_eq!(headers["access-control-allow-origin"], "*", "{path}");
        let max_age = if path.starts_with("/api/") { 60 } else { 300 };
        assert_eq!(
            headers["cache-control"],
            format!("public, max-age={max_age}").as_str(),
            "{path}"
        );
        let etag = headers["etag"].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong: {etag}"
        );
        let body = first.bytes().await.unwrap();

        // Same body, same tag; If-None-Match gives 304 with no body.
        let again = http.get(instance.url(path)).send().await.unwrap();
        assert_eq!(again.headers()["etag"], etag.as_str(), "{path}");
        assert_eq!(again.bytes().await.unwrap(), body);
        let not_modified = http
            .get(instance.url(path))
            .header("If-None-Match", format!("\"other\", {etag}"))
            .send()
            .await
            .unwrap();
        assert_eq!(not_modified.status(), 304, "{path}");
        assert_eq!(not_modified.headers()["etag"], etag.as_str());
        assert_eq!(not_modified.headers()["access-control-allow-origin"], "*");
        assert!(not_modified.bytes().await.unwrap().is_empty());
        let stale = http
            .get(instance.url(path))
            .header("If-None-Match", "\"stale\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}");

        // Preflight.
        let preflight = http
            .request(reqwest::Method::OPTIONS, instance.url(path))
            .header("Origin", "https://elsewhere.example")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "if-none-match")
            .send()
            .await
            .unwrap();
        assert!(
            preflight.status().is_success(),
            "{path}: {}",
            preflight.status()
        );
        let h = preflight.headers();
        assert_eq!(h["access-control-allow-origin"], "*");
        assert!(
            h["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("GET")
        );
        assert!(
            h["access-control-allow-headers"]
                .to_str()
                .unwrap()
                .to_lowercase()
                .contains("if-none-match")
        );
    }

    // A change changes the tag.
    let before = http
        .get(instance.url("/api/v1/coops"))
        .send()
        .await
        .unwrap();
    let before = before.headers()["etag"].clone();
    let input: CoopInput =
        serde_json::from_value(serde_json::json!({"slug": "zeta", "name": "Zeta"})).unwrap();
    coops::create(&instance.ctx, &input).await.unwrap();
    let after = http
        .get(instance.url("/api/v1/coops"))
        .send()
        .await
        .unwrap();
    assert_ne!(after.headers()["etag"], before);

    // Errors are not cached; admin endpoints get no CORS at all.
    let missing = http
        .get(instance.url("/api/v1/coops/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("etag").is_none());
    let admin = http
        .get(instance.url("/api/v1/admin/coops"))
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), 401);
    assert!(admin.headers().get("access-control-allow-origin").is_none());
    assert!(admin.headers().get("etag").is_none());
    let preflight = http
        .request(
            reqwest::Method::OPTIONS,
            instance.url("/api/v1/admin/coops"),
        )
        .header("Origin", "https://elsewhere.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let page = http.get(instance.url("/coops")).send().await.unwrap();
    assert!(page.headers().get("access-control-allow-origin").is_none());
}

/// A parsed XML element: enough of a DOM to check feeds.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn text_of(&self, name: &str) -> &str {
        self.child(name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name))
            .text
            .as_str()
    }
}

/// Parses well-formed XML (quick-xml checks nesting and references) into [`Element`]s.
fn parse_xml(xml: &str) -> Element {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut stack = vec![Element::default()];
    let element = |e: &quick_xml::events::BytesStart<'_>| Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attributes: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().expect("attribute value").into_owned(),
                )
            })
            .collect(),
        ..Element::default()
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().expect("balanced").children.push(done);
            }
            Event::Text(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().expect("character reference") {
                    Some(c) => c,
                    None => match r.decode().unwrap().as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("undefined entity &{other};"),
                    },
                };
                stack.last_mut().unwrap().text.push(c);
            }
            Event::CData(c) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&c.decode().unwrap()),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

fn is_rfc3339(text: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

/// The elements RFC 4287 requires of a feed and its entries.
fn check_atom(feed: &Element, self_url: &str) {
    assert_eq!(feed.name, "feed");
    assert_eq!(feed.attributes["xmlns"], "http://www.w3.org/2005/Atom");
    assert!(!feed.text_of("id").is_empty());
    assert!(!feed.text_of("title").is_empty());
    assert!(is_rfc3339(feed.text_of("updated")));
    let links: Vec<&Element> = feed.all("link").collect();
    assert!(
        links
            .iter()
            .any(|l| l.attributes["rel"] == "self" && l.attributes["href"] == self_url),
        "{links:?}"
    );
    assert!(
        feed.child("author")
            .is_some_and(|a| a.child("name").is_some())
    );
    for entry in feed.all("entry") {
        assert!(url::Url::parse(entry.text_of("id")).is_ok());
        assert!(!entry.text_of("title").is_empty());
        assert!(is_rfc3339(entry.text_of("updated")));
        assert!(entry.all("link").any(|l| {
            l.attributes
                .get("href")
                .is_some_and(|h| h.starts_with("http"))
        }));
        assert!(entry.child("content").is_some() || entry.child("summary").is_some());
    }
}

#[tokio::test]
async fn atom_feeds_are_well_formed_and_escaped() {
    let (instance, _) = spawn_with_fixture().await;
    let input: CoopInput = serde_json::from_value(serde_json::json!({
        "slug": "xss", "name": XSS_NAME, "summary": {"en": "<img src=x onerror=alert(1)>"}
    }))
    .unwrap();
    coops::create(&instance.ctx, &input).await.unwrap();
    posts::create(
        &instance.ctx,
        &TokenScope::Admin,
        &posts::PostAuthor::Coop("xss".into()),
        "Hello <script>alert(2)</script> & **bold** \u{1} news",
    )
    .await
    .unwrap();
    posts::create(
        &instance.ctx,
        &TokenScope::Admin,
        &posts::PostAuthor::Network,
        "Network news",
    )
    .await
    .unwrap();

    for (path, entries_at_least) in [("/feeds/news.atom", 3), ("/feeds/members.atom", 1)] {
        let response = reqwest::get(instance.url(path)).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "application/atom+xml; charset=utf-8"
        );
        let xml = response.text().await.unwrap();
        assert!(xml.starts_with("<?xml"), "{path}");
        assert!(
            !xml.to_lowercase().contains("<script"),
            "{path}: raw script tag"
        );
        assert!(!xml.contains("<img"), "{path}");
        let feed = parse_xml(&xml);
        check_atom(&feed, &instance.url(path));
        let entries: Vec<&Element> = feed.all("entry").collect();
        assert!(
            entries.len() >= entries_at_least,
            "{path}: {}",
            entries.len()
        );
        assert!(entries.len() <= 50);
        // The co-op's name survives as text, through escaping.
        assert!(
            entries
                .iter()
                .any(|e| e.text_of("title").contains(XSS_NAME)),
            "{path}: {:?}",
            entries
                .iter()
                .map(|e| e.text_of("title"))
                .collect::<Vec<_>>()
        );
    }

    // News: newest first, posts as escaped HTML content, at most 50 entries.
    let news = parse_xml(
        &reqwest::get(instance.url("/feeds/news.atom"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let entries: Vec<&Element> = news.all("entry").collect();
    assert_eq!(entries[0].text_of("title"), "Network news");
    let post = entries[1];
    assert_eq!(post.child("author").unwrap().text_of("name"), XSS_NAME);
    let content = post.child("content").unwrap();
    assert_eq!(content.attributes["type"], "html");
    assert!(
        content.text.contains("<strong>bold</strong>"),
        "{}",
        content.text
    );
    assert!(
        !content.text.contains("<script"),
        "sanitised: {}",
        content.text
    );
    let times: Vec<&str> = entries.iter().map(|e| e.text_of("updated")).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    // Members: joins with the licence stated.
    let members_response = reqwest::get(instance.url("/feeds/members.atom"))
        .await
        .unwrap();
    assert!(
        members_response.headers()["link"]
            .to_str()
            .unwrap()
            .contains("rel=\"license\"")
    );
    let members = parse_xml(&members_response.text().await.unwrap());
    assert!(members.text_of("rights").contains("CC-BY-4.0"));
    let xss = members
        .all("entry")
        .find(|e| e.text_of("title").contains(XSS_NAME))
        .unwrap();
    assert!(xss.text_of("title").contains("joined Test Network"));
    let link = &xss.child("link").unwrap().attributes["href"];
    assert_eq!(link, &instance.url("/coops/xss"));
}

#[tokio::test]
async fn open_data_exports() {
    let (instance, listed) = spawn_with_fixture().await;
    let licence_link = "<https://creativecommons.org/licenses/by/4.0/>; rel=\"license\"";

    // JSON: every listed co-op, as the API shows it.
    let response = reqwest::get(instance.url("/exports/coops.json"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["link"], licence_link);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let all: Vec<Value> = response.json().await.unwrap();
    assert_eq!(all.len(), listed.len());
    assert_eq!(
        all.iter()
            .map(|c| c["slug"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<_>>(),
        slug_set(&listed)
    );
    let (_, one) = get_json(&instance.url("/api/v1/coops/outlandish")).await;
    assert!(all.contains(&one), "the export holds the API's objects");

    // CSV: coopnet's export columns plus network and url; one row per co-op.
    let response = reqwest::get(instance.url("/exports/coops.csv"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["link"], licence_link);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    for column in exchange::CSV_COLUMNS.iter().chain(&["network", "url"]) {
        assert!(
            header.iter().any(|h| h == column),
            "{column} missing: {header:?}"
        );
    }
    assert!(header.iter().any(|h| h == "summary_en"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), listed.len());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let outlandish = rows
        .iter()
        .find(|r| &r[col("slug")] == "outlandish")
        .unwrap();
    assert_eq!(&outlandish[col("name")], "Outlandish");
    assert_eq!(&outlandish[col("network")], "Test Network");
    assert_eq!(&outlandish[col("url")], instance.url("/coops/outlandish"));
    // The import format reads it back (extra columns aside).
    let fixed: Vec<&str> = exchange::CSV_COLUMNS.to_vec();
    assert_eq!(&header[..fixed.len()], fixed.as_slice());

    // GeoJSON: a FeatureCollection of the co-ops with coordinates, [lon, lat].
    let response = reqwest::get(instance.url("/exports/coops.geojson"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    assert_eq!(response.headers()["link"], licence_link);
    let geo: Value = response.json().await.unwrap();
    assert_eq!(geo["type"], "FeatureCollection");
    assert_eq!(geo["license"]["name"], "CC-BY-4.0");
    let features = geo["features"].as_array().unwrap();
    let located: Vec<&CoopInput> = listed
        .iter()
        .filter(|r| r.latitude.is_some() && r.longitude.is_some())
        .collect();
    assert!(
        located.len() < listed.len(),
        "the fixture has co-ops without coordinates"
    );
    assert_eq!(features.len(), located.len());
    for f in features {
        assert_eq!(f["type"], "Feature");
        assert_eq!(f["geometry"]["type"], "Point");
        let coords = f["geometry"]["coordinates"].as_array().unwrap();
        assert_eq!(coords.len(), 2);
        let (lon, lat) = (coords[0].as_f64().unwrap(), coords[1].as_f64().unwrap());
        assert!((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat));
        let p = &f["properties"];
        let handle = p["handle"].as_str().unwrap();
        let slug = handle.trim_start_matches('@').split('@').next().unwrap();
        let record = located.iter().find(|r| r.slug == slug).unwrap();
        assert_eq!(lon, record.longitude.unwrap(), "longitude first");
        assert_eq!(lat, record.latitude.unwrap());
        assert_eq!(p["name"], record.name.as_str());
        assert_eq!(p["network"], "Test Network");
        assert!(p["url"].as_str().unwrap().starts_with("http"));
        assert!(p["services"].is_array() && p["technologies"].is_array());
        assert!(p.get("country").is_some());
    }
}
