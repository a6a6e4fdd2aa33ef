//! The in-memory search index (`coopnet_db::index`) against the SQL one
//! (`coopnet_db::repo::search`) on the backend under test: a generated directory of about
//! 2,000 co-ops whose words follow a Zipf-shaped vocabulary (a few words in most profiles,
//! most words rare), and real inflected words in English, German, Dutch and French
//! summaries, queried ~200 ways (stemmed queries among them); and writes from another
//! application context showing in the next query.
//!
//! The contract (`docs/search.md`, "The search index"): the same total and facet counts for
//! every query, the same co-ops, and the same order except for relevance-ranked queries
//! with words, where BM25, FTS5's bm25 and PostgreSQL's `ts_rank` each rank their own way.
use std::collections::BTreeSet;

use coopnet_app::AppContext;
use coopnet_app::coops;
use coopnet_app::directory;
use coopnet_core::{CoopInput, SearchQuery, Sort, TokenScope};
use coopnet_db::repo::search::{self as sql, FacetCount, SearchHits};
use coopnet_tests::{Rng, fixture_keys, test_settings};
use serde_json::json;

use crate::context;

/// Ranks 0..n with weight 1 / (rank + 1)^s.
struct Zipf(Vec<f64>);

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                total += 1.0 / ((r + 1) as f64).powf(s);
                total
            })
            .collect::<Vec<_>>();
        Self(cumulative.iter().map(|c| c / total).collect())
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.0.partition_point(|c| *c < u).min(self.0.len() - 1)
    }
}

const SYLLABLES: [&str; 16] = [
    "ko", "op", "ra", "ti", "ve", "dä", "ta", "we", "bü", "né", "lo", "ma", "sun", "ber", "ga",
    "ri",
];
const SERVICES: [&str; 12] = [
    "Web Design",
    "Hosting",
    "Development",
    "Consulting",
    "Training",
    "Design",
    "Catering",
    "Translation",
    "Accounting",
    "Printing",
    "Research",
    "Bookkeeping",
];
const TECHNOLOGIES: [&str; 10] = [
    "WordPress",
    "Drupal",
    "Rust",
    "Python",
    "PostgreSQL",
    "React",
    "Elixir",
    "Go",
    "Django",
    "Haskell",
];
const COUNTRIES: [&str; 8] = ["GB", "DE", "FR", "NL", "BE", "ES", "IT", "CH"];
const LANGUAGES: [&str; 4] = ["en", "de", "nl", "fr"];
const PLACES: [&str; 8] = [
    "Zürich", "Köln", "Gent", "Lyon", "Málaga", "London", "Utrecht", "Torino",
];

/// Inflected words per summary language: stemming finds one form by another.
const INFLECTED: [(&str, &[&str]); 4] = [
    (
        "en",
        &[
            "cooperative",
            "cooperatives",
            "developers",
            "development",
            "developing",
            "designs",
            "designer",
            "hosted",
            "trainings",
            "consultancy",
        ],
    ),
    (
        "de",
        &[
            "Genossenschaft",
            "Genossenschaften",
            "Entwicklung",
            "Entwicklungen",
            "Häuser",
            "Haus",
            "Beratungen",
            "Straße",
        ],
    ),
    (
        "nl",
        &[
            "coöperatie",
            "coöperaties",
            "organisaties",
            "organisatie",
            "ontwikkelaars",
            "ontwikkeling",
            "ontwerpen",
        ],
    ),
    (
        "fr",
        &[
            "coopérative",
            "coopératives",
            "développement",
            "développeurs",
            "développées",
            "solidarité",
            "économie",
        ],
    ),
];

/// Word `i` of the vocabulary: the base-16 digits of `i + 16` as syllables (distinct words,
/// two or more syllables, many sharing prefixes, some with diacritics).
fn word(i: usize) -> String {
    let mut n = i + 16;
    let mut out = String::new();
    while n > 0 {
        out.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    out
}

fn capitalised(w: &str) -> String {
    let mut chars = w.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

const VOCABULARY: usize = 800;
const COOPS: usize = 2_000;

/// `n` draws from `from`, without repeats.
fn pick(rng: &mut Rng, zipf: &Zipf, from: &[&'static str], n: usize) -> Vec<&'static str> {
    let set: BTreeSet<&'static str> = (0..n).map(|_| from[zipf.sample(rng)]).collect();
    set.into_iter().collect()
}

/// The generated directory (deterministic).
fn generate() -> Vec<CoopInput> {
    let mut rng = Rng(0x00C0_FFEE_2026);
    let words = Zipf::new(VOCABULARY, 1.05);
    let services = Zipf::new(SERVICES.len(), 1.0);
    let technologies = Zipf::new(TECHNOLOGIES.len(), 1.0);
    let countries = Zipf::new(COUNTRIES.len(), 1.0);
    let mut names: Vec<String> = Vec::new();
    (0..COOPS)
        .map(|k| {
            let draw = |rng: &mut Rng| word(words.sample(rng));
            let name = if k % 50 == 49 {
                // Equal names: the order falls back to the id.
                names[rng.below(names.len())].clone()
            } else {
                format!(
                    "{} {} Co-op",
                    capitalised(&draw(&mut rng)),
                    capitalised(&draw(&mut rng))
                )
            };
            names.push(name.clone());
            let len = 6 + rng.below(14);
            let en: Vec<String> = (0..len).map(|_| draw(&mut rng)).collect();
            let mut summary = json!({"en": en.join(" ")});
            if k % 3 == 0 {
                let de: Vec<String> = (0..4).map(|_| capitalised(&draw(&mut rng))).collect();
                summary["de"] = json!(de.join(", "));
            }
            // Real words, from a generator of their own (the one above keeps its sequence).
            let mut inflected = Rng(k as u64);
            for (i, (language, forms)) in INFLECTED.iter().enumerate() {
                if (k + i) % 5 != 0 {
                    continue;
                }
                let picked: Vec<&str> = (0..2)
                    .map(|_| forms[inflected.below(forms.len())])
                    .collect();
                let before = summary[*language].as_str().unwrap_or_default().to_owned();
                summary[*language] = json!(format!("{before} {}", picked.join(" ")).trim());
            }
            let n = 1 + rng.below(3);
            let service_list = pick(&mut rng, &services, &SERVICES, n);
            let n = rng.below(4);
            let tech_list = pick(&mut rng, &technologies, &TECHNOLOGIES, n);
            let first = LANGUAGES[rng.below(LANGUAGES.len())];
            let languages = match (k % 4, first) {
                (0, "en") => vec!["en", "fr"],
                (0, _) => vec![first, "en"],
                _ => vec![first],
            };
            let mut record = json!({
                "slug": format!("gen-{k}"),
                "name": name,
                "summary": summary,
                "services": service_list,
                "technologies": tech_list,
                "languages": languages,
                "locality": PLACES[rng.below(PLACES.len())],
            });
            if k % 17 != 0 {
                record["country"] = json!(COUNTRIES[countries.sample(&mut rng)]);
            }
            if k % 23 == 0 {
                // Unlisted: never found by either path.
                record["listed"] = json!(false);
            }
            serde_json::from_value(record).unwrap()
        })
        .collect()
}

fn sorted_facets(mut facets: Vec<FacetCount>) -> Vec<FacetCount> {
    facets.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    facets
}

/// Both answers to `q`; panics where they break the contract. Returns the index's.
async fn compare(ctx: &AppContext, q: &SearchQuery) -> SearchHits {
    let database = sql::search(&ctx.db, q, None).await.unwrap();
    let index = ctx
        .search_index
        .fresh(&ctx.db)
        .await
        .unwrap()
        .search(q)
        .unwrap();
    assert_eq!(index.total, database.total, "total for {q:?}");
    assert_eq!(
        sorted_facets(index.facets.clone()),
        sorted_facets(database.facets.clone()),
        "facets for {q:?}"
    );
    let ranked = q.sort == Sort::Relevance && !sql::words(&q.text).is_empty();
    let everything = q.offset == 0 && database.total <= q.limit;
    if !ranked {
        assert_eq!(index.ids, database.ids, "results in order for {q:?}");
    } else if everything {
        let set = |ids: &[i64]| ids.iter().copied().collect::<BTreeSet<_>>();
        assert_eq!(set(&index.ids), set(&database.ids), "results for {q:?}");
        assert_eq!(index.ids.len(), database.ids.len(), "duplicates for {q:?}");
    } else {
        // A ranked page: each path picks its own best; both are full pages of matches.
        assert_eq!(index.ids.len(), database.ids.len(), "page size for {q:?}");
    }
    index
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        limit: 5_000,
        ..Default::default()
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| (*s).to_owned()).collect()
}

/// About 150 queries: no words with filters, popular and rare words, two words,
/// prefixes, words with country and service, pages.
fn queries(network: i64) -> Vec<SearchQuery> {
    let mut out = Vec::new();
    let filters = [
        SearchQuery::default(),
        SearchQuery {
            countries: strings(&["GB"]),
            ..Default::default()
        },
        SearchQuery {
            countries: strings(&["DE", "NL"]),
            services: strings(&["hosting"]),
            ..Default::default()
        },
        SearchQuery {
            technologies: strings(&["rust", "haskell"]),
            ..Default::default()
        },
        SearchQuery {
            languages: strings(&["nl"]),
            ..Default::default()
        },
        SearchQuery {
            networks: vec![network],
            services: strings(&["web-design"]),
            ..Default::default()
        },
    ];
    // No words, every order.
    for f in &filters {
        for sort in [Sort::Relevance, Sort::Name, Sort::Newest] {
            out.push(SearchQuery {
                sort,
                ..query("").clone_with(f)
            });
        }
    }
    // One popular word (ranked and by name).
    for r in 0..6 {
        for sort in [Sort::Relevance, Sort::Name] {
            out.push(SearchQuery {
                sort,
                ..query(&word(r))
            });
        }
    }
    // Rare words.
    for r in (150..VOCABULARY).step_by(50) {
        out.push(query(&word(r)));
        out.push(SearchQuery {
            sort: Sort::Newest,
            ..query(&capitalised(&word(r)))
        });
    }
    // Two words.
    for (a, b) in [
        (0, 1),
        (0, 7),
        (1, 30),
        (2, 90),
        (3, 200),
        (5, 5),
        (10, 11),
        (40, 41),
        (0, 600),
        (12, 3),
    ] {
        out.push(query(&format!("{} {}", word(a), word(b))));
        out.push(SearchQuery {
            sort: Sort::Name,
            ..query(&format!("{} {}", word(a), word(b)))
        });
    }
    // Prefixes, diacritics typed or not, case and punctuation.
    for text in [
        "ko",
        "op",
        "ra ti",
        "bu",
        "bü",
        "BÜ",
        "ne",
        "né",
        "da",
        "sun",
        "ber",
        "gar",
        "zur",
        "koln",
        "KÖLN",
        "mal",
        "web-des",
        "co-op",
        "wordp",
        "postg",
        "hos",
        "o",
        "x",
        "zzznothing",
    ] {
        out.push(query(text));
        out.push(SearchQuery {
            sort: Sort::Name,
            ..query(text)
        });
    }
    // Stems: each form of the inflected words, forms no co-op writes, and the generated
    // words with endings that stemmers remove.
    for (_, forms) in INFLECTED {
        for form in forms {
            out.push(query(form));
        }
    }
    for text in [
        "cooperation",
        "Genossenschaftlich",
        "developed",
        "ontwikkelen",
        "economique",
        "solidarites",
        "strasse",
        "hosting",
        "designs developing",
        "cooperatives koln",
    ] {
        out.push(query(text));
        out.push(SearchQuery {
            sort: Sort::Name,
            ..query(text)
        });
    }
    for r in [0, 1, 3, 30, 200] {
        for ending in ["s", "en", "ing", "es"] {
            out.push(query(&format!("{}{ending}", word(r))));
        }
    }
    // Words with country and service.
    for (r, country, service) in [
        (0, "GB", "hosting"),
        (1, "DE", "web-design"),
        (2, "FR", "development"),
        (3, "NL", "consulting"),
        (8, "GB", "design"),
        (20, "BE", "training"),
        (60, "DE", "hosting"),
        (0, "CH", "catering"),
        (4, "GB", "bookkeeping"),
        (100, "ES", "development"),
    ] {
        for sort in [Sort::Relevance, Sort::Name] {
            out.push(SearchQuery {
                countries: strings(&[country]),
                services: strings(&[service]),
                sort,
                ..query(&word(r))
            });
        }
    }
    // Country and service, no words.
    for country in COUNTRIES {
        out.push(SearchQuery {
            countries: strings(&[country]),
            services: strings(&["development", "design"]),
            ..query("")
        });
    }
    // Pages of the name and newest orders, and ranked pages.
    for (offset, limit) in [(0, 20), (20, 20), (1_900, 50), (5_000, 10)] {
        for sort in [Sort::Name, Sort::Newest, Sort::Relevance] {
            out.push(SearchQuery {
                offset,
                limit,
                sort,
                ..query(&word(1))
            });
            out.push(SearchQuery {
                offset,
                limit,
                sort,
                ..query("")
            });
        }
    }
    out
}

trait CloneWith {
    fn clone_with(&self, filter: &SearchQuery) -> SearchQuery;
}

impl CloneWith for SearchQuery {
    /// This query's text, order and page with `filter`'s facet filters.
    fn clone_with(&self, filter: &SearchQuery) -> SearchQuery {
        SearchQuery {
            networks: filter.networks.clone(),
            countries: filter.countries.clone(),
            services: filter.services.clone(),
            technologies: filter.technologies.clone(),
            languages: filter.languages.clone(),
            ..self.clone()
        }
    }
}

#[tokio::test]
async fn the_index_answers_like_the_database_on_a_zipf_shaped_directory() {
    let (ctx, _db) = context().await;
    let records = generate();
    let report =
        coopnet_app::exchange::import(&ctx, &records, coopnet_app::exchange::ImportMode::Insert)
            .await
            .unwrap();
    assert_eq!(report.created, COOPS);
    // Some leave: the index must drop them.
    for k in (5..COOPS).step_by(97) {
        coops::remove(&ctx, &format!("gen-{k}")).await.unwrap();
    }
    let listed = compare(&ctx, &query("")).await.total;
    assert!(listed > 1_800 && listed < COOPS as u64, "{listed} listed");

    let queries = queries(ctx.network.id);
    assert!(queries.len() >= 150, "{} queries", queries.len());
    let mut totals = Vec::new();
    for q in &queries {
        totals.push(compare(&ctx, q).await.total);
    }
    // Not vacuous: the most popular word is in most profiles, rare words in few, and
    // most queries find something.
    let popular = compare(&ctx, &query(&word(0))).await.total;
    assert!(popular * 2 > listed, "word 0 in {popular} of {listed}");
    let rare = compare(&ctx, &query(&word(700))).await.total;
    assert!(rare > 0 && rare * 50 < listed, "word 700 in {rare}");
    // Words no co-op writes are found by their stems alone.
    for text in [
        "Genossenschaftlich",
        "solidarites",
        "ontwikkelen",
        "cooperation",
    ] {
        let stemmed = compare(&ctx, &query(text)).await.total;
        assert!(stemmed > 0 && stemmed * 4 < listed, "{text} in {stemmed}");
    }
    let found = totals.iter().filter(|t| **t > 0).count();
    assert!(
        found * 4 > queries.len() * 3,
        "{found} of {} found",
        queries.len()
    );

    // Through the use case too, pages and all.
    for q in queries.iter().step_by(7) {
        let q = SearchQuery {
            limit: 50,
            ..q.clone()
        };
        let index = directory::search(&ctx, &q).await.unwrap();
        let database = directory::search_database(&ctx, &q).await.unwrap();
        assert_eq!(index.total, database.total, "{q:?}");
        assert_eq!(index.facets, database.facets, "{q:?}");
    }
}

fn input(value: serde_json::Value) -> CoopInput {
    serde_json::from_value(value).unwrap()
}

/// Writes through another application context (the CLI, or a second `serve` on the same
/// database) show in this context's next query: added, changed, unlisted, relisted, removed.
#[tokio::test]
async fn writes_from_another_context_show_in_the_next_query() {
    let (reader, db) = context().await;
    let writer = AppContext::start_with_keys(test_settings(&db.url, 1), fixture_keys())
        .await
        .unwrap();
    coops::create(
        &writer,
        &input(json!({
            "slug": "first", "name": "First Co-op", "country": "GB",
            "services": ["Hosting"], "summary": {"en": "Servers and more."}
        })),
    )
    .await
    .unwrap();
    let honey = SearchQuery {
        text: "HONEY".into(),
        limit: 10,
        ..Default::default()
    };
    let wax = SearchQuery {
        text: "wax".into(),
        ..honey.clone()
    };
    let everything = SearchQuery {
        limit: 10,
        ..Default::default()
    };
    let total = |q: &SearchQuery| {
        let reader = reader.clone();
        let q = q.clone();
        async move {
            let index = directory::search(&reader, &q).await.unwrap();
            let database = directory::search_database(&reader, &q).await.unwrap();
            assert_eq!(index.total, database.total, "{q:?}");
            assert_eq!(index.facets, database.facets, "{q:?}");
            index.total
        }
    };
    // The reader's index is built now, with one co-op.
    assert_eq!(total(&everything).await, 1);
    assert_eq!(total(&honey).await, 0);

    coops::create(
        &writer,
        &input(json!({
            "slug": "bees", "name": "Bees Co-op", "country": "GB",
            "services": ["Beekeeping"], "summary": {"en": "Honey from Köln."}
        })),
    )
    .await
    .unwrap();
    assert_eq!(total(&honey).await, 1, "added");
    assert_eq!(total(&everything).await, 2);

    let patch = |value: serde_json::Value| serde_json::from_value(value).unwrap();
    coops::update(
        &writer,
        &TokenScope::Admin,
        "bees",
        &patch(json!({"summary": {"en": "Wax candles."}})),
    )
    .await
    .unwrap();
    assert_eq!(total(&honey).await, 0, "changed");
    assert_eq!(total(&wax).await, 1, "changed");

    coops::update(
        &writer,
        &TokenScope::Admin,
        "bees",
        &patch(json!({"listed": false})),
    )
    .await
    .unwrap();
    assert_eq!(total(&wax).await, 0, "unlisted");
    coops::update(
        &writer,
        &TokenScope::Admin,
        "bees",
        &patch(json!({"listed": true, "country": "NL"})),
    )
    .await
    .unwrap();
    assert_eq!(total(&wax).await, 1, "listed again");
    let nl = SearchQuery {
        countries: vec!["NL".into()],
        ..everything.clone()
    };
    assert_eq!(total(&nl).await, 1, "moved");

    coops::remove(&writer, "bees").await.unwrap();
    assert_eq!(total(&wax).await, 0, "removed");
    assert_eq!(total(&everything).await, 1);

    // Built once; every write after that was read from the change log, not by a full diff.
    let syncs = reader.search_index.syncs();
    assert_eq!(syncs.full, 1, "{syncs:?}");
    assert!(syncs.from_log >= 5, "{syncs:?}");
}

/// While `serve` builds the index in the background, searches are answered by the SQL path
/// (an instance answers at once after a start), then by the index once it is built, with
/// the same results; a co-op added during the build shows both before and after.
#[tokio::test]
async fn searches_during_the_background_build_come_from_the_database() {
    let (ctx, _db) = context().await;
    for (slug, name) in [("alpha", "Alpha Honey Co-op"), ("beta", "Beta Wax Co-op")] {
        coops::create(
            &ctx,
            &input(json!({"slug": slug, "name": name, "country": "GB"})),
        )
        .await
        .unwrap();
    }
    let honey = query("honey");
    // A build flagged as running: nothing is indexed yet, the SQL path answers.
    ctx.search_index.set_building(true);
    // Only the SQL path fills the count cache: it shows which path answered.
    assert!(ctx.count_cache.is_empty());
    let during = directory::search(&ctx, &honey).await.unwrap();
    assert!(!ctx.count_cache.is_empty(), "answered by the SQL path");
    assert_eq!(during.total, 1);
    assert_eq!(during.items[0].slug.as_str(), "alpha");
    coops::create(
        &ctx,
        &input(json!({"slug": "gamma", "name": "Gamma Honey Co-op", "country": "NL"})),
    )
    .await
    .unwrap();
    assert_eq!(directory::search(&ctx, &honey).await.unwrap().total, 2);

    let build = {
        ctx.search_index.set_building(false);
        directory::spawn_index_build(&ctx)
    };
    build.await.unwrap();
    assert!(!ctx.search_index.is_building());
    let after = directory::search(&ctx, &honey).await.unwrap();
    let database = directory::search_database(&ctx, &honey).await.unwrap();
    assert_eq!(after.total, 2);
    assert_eq!(after.facets, database.facets);
    let slugs = |r: &directory::SearchResult| {
        r.items
            .iter()
            .map(|c| c.slug.as_str().to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(slugs(&after), slugs(&database));
    assert_eq!(
        slugs(&after),
        BTreeSet::from(["alpha".to_owned(), "gamma".to_owned()])
    );
}

/// An index kept on disk (`directory.index_dir`) opens again with its co-ops and catches
/// up with what other processes wrote while no process kept it, reading only those co-ops;
/// a second process pointed at a folder in use keeps its index in memory. Either way the
/// answers are the database's.
#[tokio::test]
async fn an_index_kept_on_disk_reopens_and_reads_only_what_changed() {
    let db = coopnet_tests::TestDb::new().await.unwrap();
    let folder = tempfile::tempdir().unwrap();
    let on_disk = || {
        let mut s = test_settings(&db.url, 1);
        s.directory.index_dir = folder.path().join("index").display().to_string();
        s
    };
    let cli = AppContext::start_with_keys(test_settings(&db.url, 1), fixture_keys())
        .await
        .unwrap();
    for i in 0..40 {
        coops::create(
            &cli,
            &input(json!({
                "slug": format!("disk-{i}"), "name": format!("Disk Co-op {i}"),
                "country": if i % 2 == 0 { "GB" } else { "DE" },
                "services": [if i % 3 == 0 { "Hosting" } else { "Design" }],
                "summary": {"en": format!("Honey number {i}.")}
            })),
        )
        .await
        .unwrap();
    }
    let queries = [
        query(""),
        query("honey"),
        query("wax"),
        SearchQuery {
            countries: vec!["GB".into()],
            services: vec!["Hosting".into()],
            ..query("")
        },
    ];
    let queries = &queries;
    let agree = |ctx: AppContext| async move {
        for q in queries {
            let index = directory::search(&ctx, q).await.unwrap();
            let database = directory::search_database(&ctx, q).await.unwrap();
            assert_eq!(index.total, database.total, "{q:?}");
            assert_eq!(index.facets, database.facets, "{q:?}");
        }
    };

    let first = AppContext::start_with_keys(on_disk(), fixture_keys())
        .await
        .unwrap();
    agree(first.clone()).await;
    let syncs = first.search_index.syncs();
    assert_eq!((syncs.restored, syncs.indexed), (0, 40), "built: {syncs:?}");
    drop(first);

    // While no process keeps the index: one added, one changed, one removed.
    coops::create(
        &cli,
        &input(json!({"slug": "disk-new", "name": "New Wax Co-op", "country": "GB"})),
    )
    .await
    .unwrap();
    let patch = serde_json::from_value(json!({"summary": {"en": "Wax now."}})).unwrap();
    coops::update(&cli, &TokenScope::Admin, "disk-1", &patch)
        .await
        .unwrap();
    coops::remove(&cli, "disk-2").await.unwrap();

    let second = AppContext::start_with_keys(on_disk(), fixture_keys())
        .await
        .unwrap();
    agree(second.clone()).await;
    assert_eq!(
        directory::search(&second, &query("wax"))
            .await
            .unwrap()
            .total,
        2
    );
    let syncs = second.search_index.syncs();
    assert_eq!(syncs.restored, 40, "opened from disk: {syncs:?}");
    assert_eq!(
        syncs.indexed, 2,
        "only the added and the changed co-op read: {syncs:?}"
    );

    // The folder is in use by `second`: a third context keeps its index in memory.
    let third = AppContext::start_with_keys(on_disk(), fixture_keys())
        .await
        .unwrap();
    agree(third.clone()).await;
    let syncs = third.search_index.syncs();
    assert_eq!((syncs.restored, syncs.indexed), (0, 40), "{syncs:?}");
}
