//! Directory search on the backend under test: the CoTech fixture plus hand-made local and
//! remote co-ops, a fixed set of queries, filters and sorts. Expected results are computed
//! here from the co-ops themselves (word-prefix or stem matching, facet counting) and must
//! come out the same on SQLite and PostgreSQL. Stems of single words come from
//! `coopnet_db::repo::stemming` (its unit tests hold them to the languages' examples);
//! which languages apply to which text is decided here.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, TimeZone, Utc};
use coopnet_app::AppContext;
use coopnet_app::coops::{self, Visibility};
use coopnet_app::directory::{self, FacetValue, Facets};
use coopnet_core::{Coop, CoopInput, Network, TokenScope};
use coopnet_core::{SearchQuery, Sort};
use coopnet_db::repo::coops::{RemoteCoop, RemoteUpsert};
use coopnet_db::repo::networks::RemoteNetwork;
use coopnet_db::repo::stemming::{self, Language};
use coopnet_tests::TestDb;
use serde_json::json;

use crate::{context, cotech_fixture};

const PEER_ACTOR: &str = "https://peer.example/network";

fn input(value: serde_json::Value) -> CoopInput {
    serde_json::from_value(value).unwrap()
}

/// Local co-ops next to the fixture: diacritics, several languages, another country, and
/// an unlisted one that matches every query and must never be found.
fn local_extras() -> Vec<CoopInput> {
    vec![
        input(json!({
            "slug": "cafe-zurich", "name": "Zürich Café Kollektiv", "country": "CH",
            "locality": "Zürich", "languages": ["de-CH", "en", "de"],
            "services": ["Web Design", "Catering"], "technologies": ["Rust", "WordPress"],
            "summary": {"de": "Wir sind eine Genossenschaft für Webentwicklung.",
                        "en": "A co-operative for web things."}
        })),
        input(json!({
            "slug": "rustaceans", "name": "rustaceans Co-op", "country": "DE",
            "locality": "Berlin", "languages": ["de"],
            "services": ["Development"], "technologies": ["Rust", "PostgreSQL"],
            "summary": {"en": "Cooperative building Rust software in London and Berlin."}
        })),
        input(json!({
            "slug": "hidden-drupal", "name": "Hidden Drupal Co-op", "country": "GB",
            "locality": "London", "listed": false, "languages": ["en", "de"],
            "services": ["Design", "Web Design"], "technologies": ["Drupal", "Rust", "WordPress"],
            "summary": {"en": "WordPress design Drupal London Rust cooperative zurich numerique"}
        })),
    ]
}

/// Members of a peer network (label case differs from the fixture's on purpose).
fn remote_extras() -> Vec<(CoopInput, DateTime<Utc>)> {
    vec![
        (
            input(json!({
                "slug": "eclat", "name": "Éclat Numérique", "country": "FR", "locality": "Lyon",
                "languages": ["fr"], "services": ["Design", "web design"],
                "technologies": ["Drupal"],
                "summary": {"fr": "Coopérative de design à Lyon."}
            })),
            Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        ),
        (
            input(json!({
                "slug": "pww", "name": "Peer WordPress Works", "country": "GB",
                "locality": "London", "languages": ["en-GB", "en"],
                "services": ["Hosting"], "technologies": ["wordpress"],
                "summary": {"en": "Managed WordPress hosting, a workers' co-operative."}
            })),
            Utc.with_ymd_and_hms(2021, 6, 1, 0, 0, 0).unwrap(),
        ),
    ]
}

fn actor_of(slug: &str) -> url::Url {
    url::Url::parse(&format!("https://peer.example/coops/{slug}")).unwrap()
}

async fn peer_network(ctx: &AppContext) -> Network {
    let actor = url::Url::parse(PEER_ACTOR).unwrap();
    coopnet_db::repo::networks::upsert_remote(
        &ctx.db,
        RemoteNetwork {
            actor_id: &actor,
            username: "network",
            domain: "peer.example",
            name: "Peer Network",
            country: Some("FR"),
            languages: &["fr".to_owned()],
            summary: "",
            members_url: None,
        },
    )
    .await
    .unwrap()
}

async fn store_remote(ctx: &AppContext, network: &Network, coop: &CoopInput, at: DateTime<Utc>) {
    let (slug, profile) = coop.validate().unwrap();
    let outcome = coopnet_db::repo::coops::upsert_remote(
        &ctx.db,
        RemoteCoop {
            network_id: network.id,
            actor_id: &actor_of(slug.as_str()),
            slug: &slug,
            profile: &profile,
            created_at: at,
            updated_at: at,
        },
    )
    .await
    .unwrap();
    assert_eq!(outcome, RemoteUpsert::Inserted);
}

/// The directory: fixture, hand-made local co-ops, a peer network's co-ops.
async fn directory() -> (AppContext, TestDb, Network) {
    let (ctx, db) = context().await;
    coopnet_app::exchange::import(
        &ctx,
        &cotech_fixture(),
        coopnet_app::exchange::ImportMode::Insert,
    )
    .await
    .unwrap();
    for coop in local_extras() {
        coops::create(&ctx, &coop).await.unwrap();
    }
    let peer = peer_network(&ctx).await;
    for (coop, at) in remote_extras() {
        store_remote(&ctx, &peer, &coop, at).await;
    }
    (ctx, db, peer)
}

/// Every live co-op that opted in to listing, read through the plain co-op list (not the
/// index).
async fn listed(ctx: &AppContext) -> Vec<Coop> {
    let mut all = Vec::new();
    loop {
        let page = coops::list(ctx, Visibility::Public, 200, all.len() as u64)
            .await
            .unwrap();
        let done = page.items.len() < 200;
        all.extend(page.items);
        if done {
            return all;
        }
    }
}

// --- The expected behaviour, written independently of the implementation. ---

fn fold_char(c: char) -> char {
    const FROM: &str = "àáâäãåçèéêëìíîïñòóôöõùúûüýÿ";
    const TO: &str = "aaaaaaceeeeiiiinooooouuuuyy";
    FROM.chars()
        .position(|f| f == c)
        .and_then(|i| TO.chars().nth(i))
        .unwrap_or(c)
}

fn fold(text: &str) -> String {
    text.to_lowercase().chars().map(fold_char).collect()
}

fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !(c.is_alphabetic() || c.is_ascii_digit()))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn haystack(c: &Coop) -> Vec<String> {
    let p = &c.profile;
    let mut hay = words(&p.name);
    for text in p.summary.values() {
        hay.extend(words(text));
    }
    for tag in p.services.iter().chain(&p.technologies) {
        hay.extend(words(tag.as_str()));
    }
    if let Some(l) = &p.locality {
        hay.extend(words(l));
    }
    hay
}

/// The stems of a co-op: a summary in its own language when that is English, German, Dutch
/// or French (none otherwise), everything else in all four.
fn stem_hay(c: &Coop) -> BTreeSet<String> {
    let p = &c.profile;
    let mut out = BTreeSet::new();
    let mut add = |text: &str, languages: &[Language]| {
        for raw in stemming::raw_words(text) {
            stemming::add_stems(&raw, languages, &mut out);
        }
    };
    add(&p.name, &Language::ALL);
    for tag in p.services.iter().chain(&p.technologies) {
        add(tag.as_str(), &Language::ALL);
    }
    if let Some(l) = &p.locality {
        add(l, &Language::ALL);
    }
    for (tag, text) in &p.summary {
        let language = match tag.primary() {
            "en" => Language::English,
            "de" => Language::German,
            "nl" => Language::Dutch,
            "fr" => Language::French,
            _ => continue,
        };
        add(text, &[language]);
    }
    out
}

/// A query's words, each with its stems in all four languages.
fn query_words(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for raw in stemming::raw_words(text) {
        let stems = stemming::stems(&raw);
        out.extend(words(&raw).into_iter().map(|w| (w, stems.clone())));
    }
    out
}

/// The listed co-ops with their words, stems and the network names: what expectations read.
struct World {
    all: Vec<Coop>,
    hay: HashMap<i64, Vec<String>>,
    stems: HashMap<i64, BTreeSet<String>>,
    networks: BTreeMap<i64, String>,
}

async fn world(ctx: &AppContext) -> World {
    let all = listed(ctx).await;
    let hay = all.iter().map(|c| (c.id, haystack(c))).collect();
    let stems = all.iter().map(|c| (c.id, stem_hay(c))).collect();
    World {
        all,
        hay,
        stems,
        networks: network_names(ctx).await,
    }
}

/// Every query word begins a word of the co-op or shares a stem with it.
fn text_matches(world: &World, c: &Coop, query: &[(String, Vec<String>)]) -> bool {
    let hay = &world.hay[&c.id];
    let stems = &world.stems[&c.id];
    query.iter().all(|(q, q_stems)| {
        hay.iter().any(|w| w.starts_with(q.as_str())) || q_stems.iter().any(|s| stems.contains(s))
    })
}

fn facets_match(c: &Coop, q: &SearchQuery) -> bool {
    let p = &c.profile;
    let any = |wanted: &[String], have: Vec<String>| {
        wanted.is_empty() || have.iter().any(|h| wanted.contains(h))
    };
    (q.networks.is_empty() || q.networks.contains(&c.network_id))
        && any(
            &q.countries,
            p.country.iter().map(|c| c.to_string()).collect(),
        )
        && any(&q.services, p.services.iter().map(|t| t.key()).collect())
        && any(
            &q.technologies,
            p.technologies.iter().map(|t| t.key()).collect(),
        )
        && any(
            &q.languages,
            p.languages.iter().map(|l| l.primary().to_owned()).collect(),
        )
}

fn name_order(a: &Coop, b: &Coop) -> std::cmp::Ordering {
    fold(&a.profile.name)
        .cmp(&fold(&b.profile.name))
        .then(a.id.cmp(&b.id))
}

struct Expected {
    ids: Vec<i64>,
    facets: Facets,
}

fn expected(world: &World, q: &SearchQuery) -> Expected {
    let query = query_words(&q.text);
    let networks = &world.networks;
    let mut hits: Vec<&Coop> = world
        .all
        .iter()
        .filter(|c| text_matches(world, c, &query) && facets_match(c, q))
        .collect();
    match q.sort {
        Sort::Newest => hits.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id))),
        _ => hits.sort_by(|a, b| name_order(a, b)),
    }
    // key -> (smallest label in byte order, count), each co-op counted once per key.
    type Counts = BTreeMap<String, (String, u64)>;
    fn add(into: &mut Counts, seen: &mut HashSet<String>, key: String, label: String) {
        if seen.insert(key.clone()) {
            let entry = into.entry(key).or_insert((label.clone(), 0));
            entry.0 = entry.0.clone().min(label);
            entry.1 += 1;
        }
    }
    let (mut net, mut country, mut service, mut tech, mut lang) = Default::default();
    for c in &hits {
        let p = &c.profile;
        add(
            &mut net,
            &mut HashSet::new(),
            c.network_id.to_string(),
            networks[&c.network_id].clone(),
        );
        if let Some(cc) = p.country {
            add(
                &mut country,
                &mut HashSet::new(),
                cc.to_string(),
                cc.to_string(),
            );
        }
        let mut seen = HashSet::new();
        for t in &p.services {
            add(&mut service, &mut seen, t.key(), t.to_string());
        }
        let mut seen = HashSet::new();
        for t in &p.technologies {
            add(&mut tech, &mut seen, t.key(), t.to_string());
        }
        let mut seen = HashSet::new();
        for l in &p.languages {
            add(
                &mut lang,
                &mut seen,
                l.primary().to_owned(),
                l.primary().to_owned(),
            );
        }
    }
    let sorted = |m: Counts| {
        let mut v: Vec<FacetValue> = m
            .into_iter()
            .map(|(key, (label, count))| FacetValue { key, label, count })
            .collect();
        v.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.label.to_lowercase().cmp(&b.label.to_lowercase()))
                .then(a.key.cmp(&b.key))
        });
        v
    };
    Expected {
        ids: hits.iter().map(|c| c.id).collect(),
        facets: Facets {
            network: sorted(net),
            country: sorted(country),
            service: sorted(service),
            technology: sorted(tech),
            language: sorted(lang),
        },
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| (*s).to_owned()).collect()
}

/// The fixed query set: texts crossed with filters, each in every order.
fn queries(peer: i64, local: i64) -> Vec<SearchQuery> {
    let texts = [
        "",
        "wordpress",
        "design",
        "drupal london",
        "rust",
        "cooperat",
        "ZÜRICH café",
        "numerique",
        "web-design",
        // Stems: found by an inflection the co-ops do not write.
        "cooperatives",
        "coopératives",
        "Genossenschaften",
        "developers",
        "designs",
        "hostings",
        "\"a OR b\" -x *",
        "NEAR(rust wordpress)",
        "rust:* & !x | y",
        "'; DROP TABLE coop; --",
        "* \" ( ) :",
        "xyznotfound",
    ];
    let filters = [
        SearchQuery::default(),
        SearchQuery {
            countries: strings(&["GB"]),
            ..Default::default()
        },
        SearchQuery {
            countries: strings(&["GB", "FR"]),
            ..Default::default()
        },
        SearchQuery {
            services: strings(&["web-design"]),
            ..Default::default()
        },
        SearchQuery {
            services: strings(&["design", "hosting"]),
            ..Default::default()
        },
        SearchQuery {
            technologies: strings(&["wordpress"]),
            ..Default::default()
        },
        SearchQuery {
            languages: strings(&["de"]),
            ..Default::default()
        },
        SearchQuery {
            networks: vec![peer],
            ..Default::default()
        },
        SearchQuery {
            networks: vec![local],
            countries: strings(&["GB"]),
            technologies: strings(&["wordpress", "drupal"]),
            ..Default::default()
        },
    ];
    let mut out = Vec::new();
    for text in texts {
        for filter in &filters {
            for sort in [Sort::Relevance, Sort::Name, Sort::Newest] {
                out.push(SearchQuery {
                    text: text.to_owned(),
                    sort,
                    limit: 200,
                    ..filter.clone()
                });
            }
        }
    }
    out
}

async fn network_names(ctx: &AppContext) -> BTreeMap<i64, String> {
    coopnet_app::networks::all(ctx)
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect()
}

async fn check(ctx: &AppContext, q: &SearchQuery) -> Vec<i64> {
    check_in(ctx, &world(ctx).await, q).await
}

/// Checks `q` against the expectation through both paths, the in-memory index
/// (`directory::search`) and the SQL one (`directory::search_database`); returns the
/// index's ids.
async fn check_in(ctx: &AppContext, world: &World, q: &SearchQuery) -> Vec<i64> {
    let want = expected(world, q);
    let index = directory::search(ctx, q).await.unwrap();
    let database = directory::search_database(ctx, q).await.unwrap();
    let mut out = Vec::new();
    for (path, got) in [("index", index), ("database", database)] {
        let got_ids: Vec<i64> = got.items.iter().map(|c| c.id).collect();
        assert_eq!(got.total, want.ids.len() as u64, "{path}: total for {q:?}");
        if q.sort == Sort::Relevance && !words(&q.text).is_empty() {
            // bm25 and ts_rank score differently: the same co-ops, in each backend's order.
            let mut sorted = got_ids.clone();
            sorted.sort_unstable();
            let mut want_sorted = want.ids.clone();
            want_sorted.sort_unstable();
            assert_eq!(sorted, want_sorted, "{path}: results for {q:?}");
        } else {
            assert_eq!(got_ids, want.ids, "{path}: results in order for {q:?}");
        }
        assert_eq!(got.facets, want.facets, "{path}: facets for {q:?}");
        if out.is_empty() {
            out = got_ids;
        }
    }
    out
}

fn slugs_of(all: &[Coop], ids: &[i64]) -> Vec<String> {
    ids.iter()
        .filter_map(|id| all.iter().find(|c| c.id == *id))
        .map(|c| c.slug.to_string())
        .collect()
}

#[tokio::test]
async fn queries_filters_and_sorts_give_the_expected_results() {
    let (ctx, _db, peer) = directory().await;
    let world = world(&ctx).await;
    let all = &world.all;
    assert_eq!(
        all.len(),
        29 + 2 + 2,
        "fixture, two listed local extras, two remote"
    );

    for q in queries(peer.id, ctx.network.id) {
        let ids = check_in(&ctx, &world, &q).await;
        assert!(
            !slugs_of(all, &ids).contains(&"hidden-drupal".to_owned()),
            "an unlisted co-op was found by {q:?}"
        );
    }

    // Spot checks that the expectations are not vacuous.
    let find = |text: &str| SearchQuery {
        text: text.into(),
        sort: Sort::Name,
        limit: 200,
        ..Default::default()
    };
    let slugs = |r: &directory::SearchResult| {
        r.items
            .iter()
            .map(|c| c.slug.to_string())
            .collect::<Vec<_>>()
    };
    let r = directory::search(&ctx, &find("zurich")).await.unwrap();
    assert_eq!(slugs(&r), ["cafe-zurich"], "diacritics are ignored");
    let r = directory::search(&ctx, &find("NUMÉRIQUE")).await.unwrap();
    assert_eq!(slugs(&r), ["eclat"]);
    let r = directory::search(&ctx, &find("wordpress")).await.unwrap();
    assert!(r.total >= 10 && slugs(&r).contains(&"pww".to_owned()));
    let r = directory::search(&ctx, &find("rust")).await.unwrap();
    assert!(
        slugs(&r).contains(&"rustaceans".to_owned())
            && slugs(&r).contains(&"cafe-zurich".to_owned())
    );
    let r = directory::search(&ctx, &find("")).await.unwrap();
    assert_eq!(r.total, 33);
    let langs: Vec<(String, u64)> = r
        .facets
        .language
        .iter()
        .map(|f| (f.key.clone(), f.count))
        .collect();
    assert!(
        langs.contains(&("en".into(), 31)) && langs.contains(&("de".into(), 2)),
        "{langs:?}"
    );

    // Pages are slices of the whole order.
    let whole = check(
        &ctx,
        &SearchQuery {
            sort: Sort::Name,
            limit: 200,
            ..Default::default()
        },
    )
    .await;
    for (offset, limit) in [(0, 5), (5, 5), (30, 10), (33, 5), (100, 1)] {
        let page = directory::search(
            &ctx,
            &SearchQuery {
                sort: Sort::Name,
                limit,
                offset,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
        let end = (offset + limit).min(whole.len() as u64) as usize;
        let start = (offset as usize).min(end);
        assert_eq!(ids, whole[start..end], "page {offset}+{limit}");
        assert_eq!(page.total, 33);
    }
}

#[tokio::test]
async fn changes_show_at_once() {
    let (ctx, _db, peer) = directory().await;
    let rust = SearchQuery {
        text: "rust".into(),
        sort: Sort::Name,
        limit: 200,
        ..Default::default()
    };
    let before = check(&ctx, &rust).await;

    // An edit: "rustaceans" stops saying Rust, starts saying Haskell.
    let patch = json!({
        "name": "Lambda Workers", "technologies": ["Haskell"],
        "summary": {"en": "Functional programming in Berlin."}
    });
    let edited = coops::update(
        &ctx,
        &TokenScope::Admin,
        "rustaceans",
        &serde_json::from_value(patch.clone()).unwrap(),
    )
    .await
    .unwrap();
    let after = check(&ctx, &rust).await;
    assert_eq!(after.len() + 1, before.len());
    assert!(!after.contains(&edited.id));
    let haskell = check(
        &ctx,
        &SearchQuery {
            text: "haskell lambda".into(),
            limit: 200,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(haskell, [edited.id]);
    check(
        &ctx,
        &SearchQuery {
            technologies: strings(&["haskell"]),
            limit: 200,
            ..Default::default()
        },
    )
    .await;

    // Unlisting hides it from search, relisting brings it back.
    let unlist = json!({"listed": false});
    coops::update(
        &ctx,
        &TokenScope::Admin,
        "rustaceans",
        &serde_json::from_value(unlist.clone()).unwrap(),
    )
    .await
    .unwrap();
    assert!(
        check(
            &ctx,
            &SearchQuery {
                text: "haskell".into(),
                limit: 200,
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );
    let relist = json!({"listed": true});
    coops::update(
        &ctx,
        &TokenScope::Admin,
        "rustaceans",
        &serde_json::from_value(relist.clone()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        check(
            &ctx,
            &SearchQuery {
                text: "haskell".into(),
                limit: 200,
                ..Default::default()
            }
        )
        .await,
        [edited.id]
    );

    // A removed local co-op and a forgotten remote one disappear.
    let removed = coops::remove(&ctx, "cafe-zurich").await.unwrap();
    assert!(!check(&ctx, &rust).await.contains(&removed.id));
    assert!(
        check(
            &ctx,
            &SearchQuery {
                text: "zurich".into(),
                limit: 200,
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );
    assert!(
        coopnet_db::repo::coops::delete_remote(&ctx.db, &actor_of("eclat"))
            .await
            .unwrap()
    );
    assert!(
        check(
            &ctx,
            &SearchQuery {
                text: "numerique".into(),
                limit: 200,
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );
    check(
        &ctx,
        &SearchQuery {
            networks: vec![peer.id],
            limit: 200,
            ..Default::default()
        },
    )
    .await;
    check(
        &ctx,
        &SearchQuery {
            limit: 200,
            ..Default::default()
        },
    )
    .await;
}

#[tokio::test]
async fn membership_events_record_joins_and_departures() {
    let (ctx, _db, peer) = directory().await;
    let events = directory::membership_events(&ctx, 200).await.unwrap();
    let joined: HashSet<String> = events
        .iter()
        .filter(|e| e.joined)
        .map(|e| e.slug.clone())
        .collect();
    let mut want: HashSet<String> = cotech_fixture().into_iter().map(|c| c.slug).collect();
    want.extend(strings(&["cafe-zurich", "rustaceans", "eclat", "pww"]));
    assert_eq!(
        joined, want,
        "every listed co-op joined; the unlisted one is not announced"
    );
    assert!(events.iter().all(|e| e.joined));
    let pww = events.iter().find(|e| e.slug == "pww").unwrap();
    assert_eq!(
        (pww.network_id, pww.url.as_str()),
        (peer.id, actor_of("pww").as_str())
    );
    assert_eq!(
        pww.at,
        remote_extras()[1].1,
        "a remote co-op joined when its network says"
    );
    let local = events.iter().find(|e| e.slug == "rustaceans").unwrap();
    assert_eq!(local.url, ctx.fed().urls.coop("rustaceans").to_string());
    assert_eq!(local.network_id, ctx.network.id);

    // Departures: a local removal, a remote Remove, a resync that no longer lists one.
    coops::remove(&ctx, "rustaceans").await.unwrap();
    coops::remove(&ctx, "hidden-drupal").await.unwrap();
    coopnet_db::repo::coops::delete_remote(&ctx.db, &actor_of("eclat"))
        .await
        .unwrap();
    let keep: HashSet<String> = HashSet::new();
    let removed = coopnet_db::repo::coops::delete_remote_except(&ctx.db, peer.id, &keep)
        .await
        .unwrap();
    assert_eq!(removed, 1);

    let events = directory::membership_events(&ctx, 200).await.unwrap();
    let left: Vec<&str> = events
        .iter()
        .filter(|e| !e.joined)
        .map(|e| e.slug.as_str())
        .collect();
    assert_eq!(
        left,
        ["pww", "eclat", "rustaceans"],
        "newest first, no unlisted co-op"
    );
    assert!(
        events.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
    assert_eq!(events[0].url, actor_of("pww").as_str());
    let gone = events
        .iter()
        .find(|e| !e.joined && e.slug == "rustaceans")
        .unwrap();
    assert_eq!(gone.name, "rustaceans Co-op");
    assert_eq!(
        directory::membership_events(&ctx, 2).await.unwrap().len(),
        2
    );
}

#[tokio::test]
async fn a_database_without_index_entries_is_indexed_at_start() {
    let (ctx, db, _peer) = directory().await;
    let query = SearchQuery {
        text: "wordpress".into(),
        sort: Sort::Name,
        limit: 200,
        ..Default::default()
    };
    let before = check(&ctx, &query).await;
    use sea_orm::{ConnectionTrait, Statement};
    for sql in ["DELETE FROM coop_facet", "DELETE FROM coop_search"] {
        ctx.db
            .execute_raw(Statement::from_string(ctx.db.get_database_backend(), sql))
            .await
            .unwrap();
    }
    // The SQL index lost its rows; the in-memory one is derived from the co-op rows.
    assert_eq!(
        directory::search_database(&ctx, &query)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        directory::search(&ctx, &query).await.unwrap().total,
        before.len() as u64
    );
    let restarted = AppContext::start_with_keys(
        coopnet_tests::test_settings(&db.url, 1),
        coopnet_tests::fixture_keys(),
    )
    .await
    .unwrap();
    assert_eq!(check(&restarted, &query).await, before);
}

/// The SQL path's answer (which fills the count cache), checked against the index's.
async fn both(ctx: &AppContext, q: &SearchQuery) -> directory::SearchResult {
    let database = directory::search_database(ctx, q).await.unwrap();
    let index = directory::search(ctx, q).await.unwrap();
    assert_eq!(index.total, database.total, "totals for {q:?}");
    assert_eq!(index.facets, database.facets, "facets for {q:?}");
    let ids = |r: &directory::SearchResult| r.items.iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(&index), ids(&database), "page for {q:?}");
    database
}

/// Counts are cached per process (`coopnet_db::repo::count_cache`) and the index is kept
/// per process (`coopnet_db::index`); a write through
/// another process on the same database (several app servers on one PostgreSQL, or the
/// CLI next to `serve`) must still show in the next search.
#[tokio::test]
async fn cached_counts_follow_writes_from_another_process() {
    let (writer, db, _peer) = directory().await;
    let reader = AppContext::start_with_keys(
        coopnet_tests::test_settings(&db.url, 1),
        coopnet_tests::fixture_keys(),
    )
    .await
    .unwrap();
    let everything = SearchQuery {
        limit: 10,
        ..Default::default()
    };
    let beekeeping = |r: &directory::SearchResult| {
        r.facets
            .service
            .iter()
            .find(|f| f.key == "beekeeping")
            .map(|f| f.count)
    };
    let before = both(&reader, &everything).await;
    assert!(!reader.count_cache.is_empty(), "counts were cached");
    let again = both(&reader, &everything).await;
    assert_eq!(again.total, before.total);
    assert_eq!(again.facets, before.facets);
    assert_eq!(beekeeping(&before), None);

    coops::create(
        &writer,
        &input(json!({
            "slug": "bees", "name": "Bees Co-op", "country": "GB",
            "services": ["Beekeeping"], "summary": {"en": "Honey."}
        })),
    )
    .await
    .unwrap();
    let after = both(&reader, &everything).await;
    assert_eq!(after.total, before.total + 1);
    assert_eq!(beekeeping(&after), Some(1));
    let gb = |r: &directory::SearchResult| {
        r.facets
            .country
            .iter()
            .find(|f| f.key == "GB")
            .map_or(0, |f| f.count)
    };
    assert_eq!(gb(&after), gb(&before) + 1);

    // Opting out of the listing is a change too.
    let patch = json!({"listed": false});
    coops::update(
        &writer,
        &TokenScope::Admin,
        "bees",
        &serde_json::from_value(patch.clone()).unwrap(),
    )
    .await
    .unwrap();
    let unlisted = both(&reader, &everything).await;
    assert_eq!(unlisted.total, before.total);
    assert_eq!(beekeeping(&unlisted), None);
}

/// The examples: a query word finds the co-ops that write another inflection of it,
/// in English, German, Dutch and French, the same on both paths; a summary is stemmed in
/// its own language only; and a co-op writing the very word ranks first.
#[tokio::test]
async fn inflections_are_found_in_four_languages() {
    let (ctx, _db) = context().await;
    for coop in [
        json!({"slug": "en-coop", "name": "Northern Workers",
               "summary": {"en": "A cooperative doing software development."}}),
        json!({"slug": "en-exact", "name": "Southern Collective",
               "summary": {"en": "Cooperatives developing software together."}}),
        json!({"slug": "de-coop", "name": "Kollektiv Süd",
               "summary": {"de": "Eine Genossenschaft für freie Software."}}),
        json!({"slug": "nl-coop", "name": "Webwerkers",
               "summary": {"nl": "Wij zijn een coöperatie voor webontwikkeling."}}),
        json!({"slug": "fr-coop", "name": "Éclat Numérique",
               "summary": {"fr": "Une coopérative de design à Lyon."}}),
        // Spanish is not stemmed: `cooperativa` is found by its prefixes only (and the
        // name is one no stemmer turns into `cooper`).
        json!({"slug": "es-coop", "name": "Sur Digital",
               "summary": {"es": "Una cooperativa de desarrollo."}}),
        // German stems of English words stay in German text: `developers` is no German
        // inflection of `developing`.
        json!({"slug": "de-only", "name": "Nord Kollektiv",
               "summary": {"de": "Wir sind developing."}}),
    ] {
        coops::create(&ctx, &input(coop)).await.unwrap();
    }
    let world = world(&ctx).await;
    let find = |text: &str, sort: Sort| SearchQuery {
        text: text.into(),
        sort,
        limit: 200,
        ..Default::default()
    };
    let slugs = |ids: &[i64]| {
        let mut s = slugs_of(&world.all, ids);
        s.sort();
        s
    };
    for (text, want) in [
        ("cooperatives", &["en-coop", "en-exact", "fr-coop"][..]),
        ("Genossenschaften", &["de-coop"]),
        ("coöperaties", &["nl-coop"]),
        ("cooperaties", &["nl-coop"]),
        ("coopératives", &["en-coop", "en-exact", "fr-coop"]),
        ("developers", &["en-coop", "en-exact"]),
        ("developers software", &["en-coop", "en-exact"]),
        // Not stemmed in Spanish: the plural does not find the singular...
        ("cooperativas", &[]),
        // ...which its prefixes do, as before stemming.
        ("cooperativ", &["en-coop", "en-exact", "es-coop", "fr-coop"]),
    ] {
        for sort in [Sort::Relevance, Sort::Name] {
            let ids = check_in(&ctx, &world, &find(text, sort)).await;
            let want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(slugs(&ids), want, "{text} ({sort:?})");
        }
    }

    // Ranked: the co-op that writes `cooperatives` comes before those found by the stem,
    // on both paths.
    let q = find("cooperatives", Sort::Relevance);
    for (path, r) in [
        ("index", directory::search(&ctx, &q).await.unwrap()),
        (
            "database",
            directory::search_database(&ctx, &q).await.unwrap(),
        ),
    ] {
        assert_eq!(r.items[0].slug.as_str(), "en-exact", "{path}");
    }
}

/// A database written before stems: down to the previous schema (words only) and up again,
/// the migration empties the SQL index, and the next start writes every co-op's entry
/// again with its stems.
#[tokio::test]
async fn the_stems_migration_reindexes_existing_coops() {
    use sea_orm::{ConnectionTrait, Statement};
    let (ctx, db) = context().await;
    let nl = json!({"slug": "nl-coop", "name": "Webwerkers",
                    "summary": {"nl": "Wij zijn een coöperatie."}});
    coops::create(&ctx, &input(nl)).await.unwrap();
    let count = |sql: &'static str| {
        let db = ctx.db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    // Down past the stems migration: it and the three after it
    // (`m20261210_110000_directory_version_networks`, `m20261210_120000_shard_directory_version`,
    // `m20261211_100000_create_directory_change`).
    coopnet_app::schema::migrate_down(&ctx.db, Some(4))
        .await
        .unwrap();
    assert_eq!(count("SELECT COUNT(*) AS n FROM coop_search").await, 1);
    coopnet_app::schema::migrate_up(&ctx.db).await.unwrap();
    assert_eq!(count("SELECT COUNT(*) AS n FROM coop_search").await, 0);

    let restarted = AppContext::start_with_keys(
        coopnet_tests::test_settings(&db.url, 1),
        coopnet_tests::fixture_keys(),
    )
    .await
    .unwrap();
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM coop_search WHERE stems <> ''").await,
        1
    );
    let q = SearchQuery {
        text: "coöperaties".into(),
        sort: Sort::Name,
        limit: 10,
        ..Default::default()
    };
    let ids = check(&restarted, &q).await;
    assert_eq!(slugs_of(&listed(&restarted).await, &ids), ["nl-coop"]);
}
