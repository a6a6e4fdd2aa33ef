//! Realistic generated directories: co-ops whose names, summaries, places, services and
//! technologies are drawn from the vocabularies of the demo data (`crates/app/demo/*.json`),
//! spread over one local and N-1 peer networks, written through the `coopnet_db` repository
//! functions (the same index writes as a real import or backfill) in batched transactions.
//!
//! Co-op `i` is a pure function of `i` (seeded RNG), so queries can be built from any co-op
//! without keeping 100,000 records in memory.
//!
//! Two shapes of text ([`Shape`]): summaries made of whole demo sentences drawn uniformly
//! (the first generator's), and summaries whose words follow a Zipf law over the demo
//! data's words ranked by frequency ([`Zipf`]): a few words ("digital", "web") in most
//! profiles, most words rare, as in real directories. Search behaves very differently on
//! the two: a popular word matches most of the directory.
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration as ChronoDuration, TimeZone, Utc};
use coopnet_app::exchange;
use coopnet_core::CoopInput;
use coopnet_db::repo::coops::{self, NewCoop, RemoteCoop};
use coopnet_db::repo::networks::{self, RemoteNetwork};
use coopnet_db::{DatabaseConnection, TransactionTrait};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// Co-ops per transaction.
const BATCH: usize = 500;

/// A place a demo co-op is at.
#[derive(Debug, Clone)]
struct Place {
    locality: Option<String>,
    region: Option<String>,
    country: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
}

/// Words, sentences, places and tags of the demo data.
pub struct Vocab {
    name_words: Vec<String>,
    suffixes: Vec<&'static str>,
    /// Sentences by language.
    sentences: BTreeMap<String, Vec<String>>,
    /// Places by country (`""` for records without one).
    places: BTreeMap<String, Vec<Place>>,
    countries: Vec<String>,
    services: Vec<String>,
    technologies: Vec<String>,
    /// The words of summaries when they follow a Zipf law; `None`: whole sentences.
    zipf: Option<Zipf>,
}

/// How summaries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Whole demo sentences, drawn uniformly.
    Sentences,
    /// Words drawn from a Zipf law over the demo words ranked by frequency.
    Zipf,
}

impl Shape {
    /// How reports name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sentences => "demo sentences",
            Self::Zipf => "Zipf words",
        }
    }
}

/// Words of summaries in a Zipf-shaped generated directory: word of rank `r` (1-based) is
/// drawn with probability proportional to `1 / r`.
#[derive(Debug, Clone)]
pub struct Zipf {
    /// The demo data's words, most frequent first.
    words: Vec<String>,
    /// Cumulative probabilities, same order (the last is 1).
    cumulative: Vec<f64>,
}

/// Words per generated summary (uniform in this range; mean 40).
pub const ZIPF_WORDS: std::ops::RangeInclusive<usize> = 25..=55;

impl Zipf {
    fn new(words: Vec<String>) -> Self {
        let harmonic: f64 = (1..=words.len()).map(|r| 1.0 / r as f64).sum();
        let mut acc = 0.0;
        let cumulative = (1..=words.len())
            .map(|r| {
                acc += 1.0 / r as f64 / harmonic;
                acc
            })
            .collect();
        Self { words, cumulative }
    }

    /// One word, by the law.
    pub fn draw(&self, rng: &mut impl Rng) -> &str {
        let u: f64 = rng.random();
        let i = self.cumulative.partition_point(|c| *c < u);
        self.words
            .get(i.min(self.words.len().saturating_sub(1)))
            .map_or("coop", String::as_str)
    }

    /// Probability that a summary of `n` words contains word of rank `r` (0-based).
    fn contains(&self, r: usize, n: f64) -> f64 {
        let p = self.cumulative[r] - if r == 0 { 0.0 } else { self.cumulative[r - 1] };
        1.0 - (1.0 - p).powf(n)
    }

    /// The most frequent word that a summary contains with probability at most `share`
    /// (the "popular word" query class: the issue measured one in 62% of co-ops), and that
    /// probability.
    pub fn popular(&self, share: f64) -> (&str, f64) {
        let mean = (*ZIPF_WORDS.start() + *ZIPF_WORDS.end()) as f64 / 2.0;
        let r = (0..self.words.len())
            .find(|r| self.contains(*r, mean) <= share)
            .unwrap_or(0);
        (&self.words[r], self.contains(r, mean))
    }
}

impl Vocab {
    /// [`Vocab::from_demo`] writing summaries of the given shape.
    pub fn with_shape(shape: Shape) -> anyhow::Result<Self> {
        let mut vocab = Self::from_demo()?;
        if shape == Shape::Zipf {
            vocab.zipf = Some(Zipf::new(demo_words_by_frequency()?));
        }
        Ok(vocab)
    }

    /// The Zipf law of summaries, when they follow one.
    pub fn zipf(&self) -> Option<&Zipf> {
        self.zipf.as_ref()
    }

    /// Reads the four demo data sets.
    pub fn from_demo() -> anyhow::Result<Self> {
        let mut records = Vec::new();
        for set in [
            coopnet_app::demo::COTECH_UK,
            coopnet_app::demo::DE,
            coopnet_app::demo::FR,
            coopnet_app::demo::NL,
        ] {
            records
                .extend(exchange::parse_json(set).map_err(|e| anyhow::anyhow!("demo data: {e}"))?);
        }
        let mut name_words = BTreeSet::new();
        let mut sentences: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut places: BTreeMap<String, Vec<Place>> = BTreeMap::new();
        let mut services = BTreeSet::new();
        let mut technologies = BTreeSet::new();
        for r in &records {
            for w in r.name.split(|c: char| !c.is_alphanumeric()) {
                if w.chars().count() >= 4 && w.chars().all(char::is_alphabetic) {
                    name_words.insert(capitalise(w));
                }
            }
            for (lang, text) in &r.summary {
                let list = sentences.entry(lang.clone()).or_default();
                for s in text.split_inclusive(". ") {
                    let s = s.trim();
                    if s.len() >= 30 && s.len() <= 400 {
                        list.push(s.to_owned());
                    }
                }
            }
            places
                .entry(r.country.clone().unwrap_or_default())
                .or_default()
                .push(Place {
                    locality: r.locality.clone(),
                    region: r.region.clone(),
                    country: r.country.clone(),
                    latitude: r.latitude,
                    longitude: r.longitude,
                });
            services.extend(r.services.iter().cloned());
            technologies.extend(r.technologies.iter().cloned());
        }
        let countries: Vec<String> = places.keys().filter(|c| !c.is_empty()).cloned().collect();
        anyhow::ensure!(!countries.is_empty() && !name_words.is_empty());
        Ok(Self {
            name_words: name_words.into_iter().collect(),
            suffixes: vec![
                "Co-op",
                "Cooperative",
                "Collective",
                "Workers' Co-op",
                "SCOP",
                "eG",
                "Kollektiv",
                "Coopérative",
                "Digital",
                "Labs",
                "",
            ],
            sentences,
            places,
            countries,
            services: services.into_iter().collect(),
            technologies: technologies.into_iter().collect(),
            zipf: None,
        })
    }

    /// The home country of network `k` (networks cycle through the demo countries).
    fn home_country(&self, network: usize) -> &str {
        &self.countries[network % self.countries.len()]
    }

    /// Co-op `i` of a directory of `networks` networks: network `i % networks`.
    pub fn coop(&self, i: usize, networks: usize) -> CoopInput {
        let mut rng = StdRng::seed_from_u64(0xC0_0B ^ (i as u64).wrapping_mul(0x9E37_79B9));
        let network = i % networks.max(1);
        let pick = |rng: &mut StdRng, list: &[String]| -> String {
            list.choose(rng).cloned().unwrap_or_default()
        };
        let w1 = pick(&mut rng, &self.name_words);
        let w2 = pick(&mut rng, &self.name_words);
        let suffix = self.suffixes.choose(&mut rng).copied().unwrap_or("");
        let name = match rng.random_range(0..3) {
            0 => format!("{w1} {suffix}"),
            1 => format!("{w1} {w2} {suffix}"),
            _ => format!("{w1} {w2}"),
        }
        .trim()
        .to_owned();
        let ascii: String = w1
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_lowercase())
            .take(16)
            .collect();
        let slug = format!("{}-{i}", if ascii.is_empty() { "coop" } else { &ascii });

        // 80 % of a network's co-ops are in its home country.
        let country = if rng.random_bool(0.8) {
            self.home_country(network).to_owned()
        } else {
            pick(&mut rng, &self.countries)
        };
        let place = self
            .places
            .get(&country)
            .and_then(|p| p.choose(&mut rng))
            .cloned()
            .unwrap_or(Place {
                locality: None,
                region: None,
                country: Some(country.clone()),
                latitude: None,
                longitude: None,
            });
        let jitter =
            |rng: &mut StdRng, v: Option<f64>| v.map(|v| v + rng.random_range(-0.05..0.05));

        let mut summary = BTreeMap::new();
        let langs: Vec<&String> = self.sentences.keys().collect();
        let main = if country == "FR" || country == "BE" {
            "fr"
        } else {
            "en"
        };
        for lang in langs {
            if lang != main && !rng.random_bool(0.3) {
                continue;
            }
            if let Some(zipf) = &self.zipf {
                // One summary, in the co-op's main language: its words by the law.
                if lang != main {
                    continue;
                }
                let n = rng.random_range(ZIPF_WORDS);
                let words: Vec<&str> = (0..n).map(|_| zipf.draw(&mut rng)).collect();
                summary.insert(lang.clone(), words.join(" "));
                continue;
            }
            let pool = &self.sentences[lang];
            let n = rng.random_range(2..=4);
            let text: Vec<String> = (0..n).map(|_| pick(&mut rng, pool)).collect();
            let mut text = text.join(" ");
            if text.len() > 900 {
                let cut = (0..=900)
                    .rev()
                    .find(|c| text.is_char_boundary(*c))
                    .unwrap_or(0);
                text.truncate(cut);
            }
            summary.insert(lang.clone(), text);
        }
        let languages: Vec<String> = summary.keys().cloned().collect();
        let services: BTreeSet<String> = (0..rng.random_range(1..=4))
            .map(|_| pick(&mut rng, &self.services))
            .collect();
        let technologies: BTreeSet<String> = (0..rng.random_range(0..=5))
            .map(|_| pick(&mut rng, &self.technologies))
            .collect();
        let created = Utc
            .with_ymd_and_hms(2019, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_else(Utc::now)
            + ChronoDuration::minutes(rng.random_range(0..3_500_000));
        CoopInput {
            slug: slug.clone(),
            name,
            summary,
            website: Some(format!("https://{slug}.example.org")),
            email: Some(format!("hello@{slug}.example.org")),
            contact_public: true,
            locality: place.locality,
            region: place.region,
            country: place.country,
            latitude: jitter(&mut rng, place.latitude),
            longitude: jitter(&mut rng, place.longitude),
            founded: Some(rng.random_range(1975..=2025)),
            workers: Some(rng.random_range(1..=60)),
            legal_form: None,
            services: services.into_iter().collect(),
            technologies: technologies.into_iter().collect(),
            languages,
            logo: None,
            links: Vec::new(),
            listed: rng.random_bool(0.97),
            created_at: Some(created),
            updated_at: Some(created),
        }
    }

    /// A directory query built from co-op `i`: a word of its name, its country and one of
    /// its services, so it has at least one match.
    pub fn query(&self, i: usize, networks: usize) -> (String, String, String) {
        let c = self.coop(i, networks);
        let word = c
            .name
            .split_whitespace()
            .next()
            .unwrap_or("coop")
            .to_lowercase();
        (
            word,
            c.country.unwrap_or_else(|| "GB".into()),
            c.services.first().cloned().unwrap_or_default(),
        )
    }
}

/// Every word of the demo data's summaries (lowercase, letters only, 3 letters or more),
/// most frequent first (ties alphabetical, so the ranking is stable).
fn demo_words_by_frequency() -> anyhow::Result<Vec<String>> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for set in [
        coopnet_app::demo::COTECH_UK,
        coopnet_app::demo::DE,
        coopnet_app::demo::FR,
        coopnet_app::demo::NL,
    ] {
        for r in exchange::parse_json(set).map_err(|e| anyhow::anyhow!("demo data: {e}"))? {
            for text in r.summary.values() {
                for w in text.split(|c: char| !c.is_alphabetic()) {
                    if w.chars().count() >= 3 {
                        *counts.entry(w.to_lowercase()).or_default() += 1;
                    }
                }
            }
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    anyhow::ensure!(ranked.len() >= 100, "too few demo words");
    Ok(ranked.into_iter().map(|(w, _)| w).collect())
}

fn capitalise(w: &str) -> String {
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// The host of generated peer network `k` (k ≥ 1).
pub fn peer_domain(k: usize) -> String {
    format!("net{k}.bench.example")
}

/// What [`populate`] wrote.
#[derive(Debug, Clone)]
pub struct Populated {
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Writes co-ops `0..total` (local ones for network 0, remote ones of `networks - 1` peer
/// networks otherwise), `BATCH` per transaction, `parallel` transactions at a time.
pub async fn populate(
    db: &DatabaseConnection,
    local_network_id: i64,
    vocab: &std::sync::Arc<Vocab>,
    total: usize,
    networks: usize,
    parallel: usize,
) -> anyhow::Result<Populated> {
    let started = Instant::now();
    let mut network_ids = vec![local_network_id];
    for k in 1..networks {
        let domain = peer_domain(k);
        let actor = url::Url::parse(&format!("https://{domain}/network"))?;
        let members = url::Url::parse(&format!("https://{domain}/network/members"))?;
        let country = vocab.home_country(k).to_owned();
        let n = networks::upsert_remote(
            db,
            RemoteNetwork {
                actor_id: &actor,
                username: "network",
                domain: &domain,
                name: &format!("Bench Network {k} ({country})"),
                country: Some(&country),
                languages: &["en".to_owned()],
                summary: "A generated peer network.",
                members_url: Some(&members),
            },
        )
        .await
        .context("peer network")?;
        network_ids.push(n.id);
    }
    let chunks: Vec<std::ops::Range<usize>> = (0..total)
        .step_by(BATCH)
        .map(|s| s..(s + BATCH).min(total))
        .collect();
    let parallel = parallel.max(1);
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..parallel {
        let mine: Vec<_> = chunks.iter().skip(t).step_by(parallel).cloned().collect();
        let (db, vocab, ids) = (db.clone(), vocab.clone(), network_ids.clone());
        tasks.spawn(async move {
            for range in mine {
                write_chunk(&db, &vocab, &ids, range).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.context("populate task")??;
    }
    Ok(Populated {
        seconds: started.elapsed().as_secs_f64(),
    })
}

async fn write_chunk(
    db: &DatabaseConnection,
    vocab: &Vocab,
    network_ids: &[i64],
    range: std::ops::Range<usize>,
) -> anyhow::Result<()> {
    let networks = network_ids.len();
    let txn = db.begin().await?;
    for i in range {
        let input = vocab.coop(i, networks);
        let (slug, profile) = input
            .validate()
            .map_err(|e| anyhow::anyhow!("generated co-op {i} is invalid: {e}"))?;
        let created_at = input.created_at.unwrap_or_else(Utc::now);
        let k = i % networks;
        if k == 0 {
            coops::insert(
                &txn,
                NewCoop {
                    network_id: network_ids[0],
                    slug: &slug,
                    profile: &profile,
                    created_at,
                    updated_at: created_at,
                },
            )
            .await?;
        } else {
            let actor = url::Url::parse(&format!("https://{}/coops/{slug}", peer_domain(k)))?;
            coops::upsert_remote(
                &txn,
                RemoteCoop {
                    network_id: network_ids[k],
                    actor_id: &actor,
                    slug: &slug,
                    profile: &profile,
                    created_at,
                    updated_at: created_at,
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_coops_are_valid_and_reproducible() {
        let vocab = Vocab::from_demo().expect("vocab");
        for i in 0..500 {
            let c = vocab.coop(i, 20);
            c.validate().unwrap_or_else(|e| panic!("{i}: {e} {c:?}"));
            assert_eq!(c, vocab.coop(i, 20));
        }
        let (word, country, service) = vocab.query(7, 20);
        assert!(!word.is_empty() && country.len() == 2 && !service.is_empty());
    }

    #[test]
    fn zipf_summaries_have_a_few_common_words_and_many_rare_ones() {
        let vocab = Vocab::with_shape(Shape::Zipf).expect("vocab");
        let zipf = vocab.zipf().expect("zipf");
        let n = 2_000;
        let mut containing: BTreeMap<String, usize> = BTreeMap::new();
        for i in 0..n {
            let c = vocab.coop(i, 20);
            c.validate().unwrap_or_else(|e| panic!("{i}: {e} {c:?}"));
            assert_eq!(c, vocab.coop(i, 20));
            let words: BTreeSet<&str> = c.summary.values().flat_map(|t| t.split(' ')).collect();
            for w in words {
                *containing.entry(w.to_owned()).or_default() += 1;
            }
        }
        let (popular, expected) = zipf.popular(0.65);
        let share = containing[popular] as f64 / n as f64;
        assert!(
            (share - expected).abs() < 0.05 && (0.4..=0.7).contains(&share),
            "'{popular}' in {share:.2} of co-ops, expected {expected:.2}"
        );
        // Most words that occur at all occur in under 1% of the co-ops.
        let rare = containing.values().filter(|k| **k < n / 100).count();
        assert!(
            rare * 2 > containing.len(),
            "{rare} of {}",
            containing.len()
        );
    }
}
