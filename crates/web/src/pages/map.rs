//! `/map`: the federation's co-ops on an SVG map of Europe drawn here (no tile server):
//! an equirectangular projection with a graticule, one dot per co-op, grouped by country.
use std::collections::BTreeMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use coopnet_app::AppContext;
use coopnet_app::directory;
use coopnet_core::{MAX_SEARCH_LIMIT, SearchQuery, Sort};

use super::error_page;
use crate::ui::{Chrome, page};
use crate::views::CoopView;

/// The map's extent (degrees): Europe, from the Azores to the Urals' foothills.
const WEST: f64 = -25.0;
const EAST: f64 = 45.0;
const SOUTH: f64 = 33.0;
const NORTH: f64 = 71.0;
/// Width of the SVG in user units; the height follows from the projection.
const WIDTH: f64 = 800.0;
/// Longitude is shrunk by cos(50°), so Europe keeps its familiar shape.
const X_SCALE: f64 = 0.643;
/// Most co-ops drawn (the page stays small; the GeoJSON export has them all).
const MAX_POINTS: u64 = 5_000;

fn height() -> f64 {
    WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * X_SCALE)
}

fn project(lat: f64, lon: f64) -> (f64, f64) {
    let x = (lon - WEST) / (EAST - WEST) * WIDTH;
    let y = (NORTH - lat) / (NORTH - SOUTH) * height();
    (x, y)
}

/// A dot.
pub struct Dot {
    pub x: String,
    pub y: String,
    pub name: String,
    pub href: String,
}

/// A country's label and its co-ops.
pub struct CountryGroup {
    pub code: String,
    pub x: String,
    pub y: String,
    pub count: usize,
    pub coops: Vec<CoopView>,
}

#[derive(Template)]
#[template(path = "pages/map.html")]
struct MapPage<'a> {
    c: &'a Chrome,
    width: String,
    height: String,
    lines: Vec<(String, String, String, String)>,
    dots: Vec<Dot>,
    countries: Vec<CountryGroup>,
    without_location: u64,
}

fn num(v: f64) -> String {
    format!("{v:.1}")
}

/// `GET /map`
pub async fn show(State(ctx): State<AppContext>, c: Chrome) -> Response {
    let loaded = async {
        let networks = coopnet_app::networks::by_id(&ctx).await?;
        let mut all = Vec::new();
        let mut total = 0;
        while (all.len() as u64) < MAX_POINTS {
            let q = SearchQuery {
                sort: Sort::Name,
                limit: MAX_SEARCH_LIMIT,
                offset: all.len() as u64,
                ..SearchQuery::default()
            };
            let page = directory::search(&ctx, &q).await?;
            total = page.total;
            let done = page.items.len() < MAX_SEARCH_LIMIT as usize;
            all.extend(page.items);
            if done {
                break;
            }
        }
        Ok::<_, coopnet_app::AppError>((networks, all, total))
    };
    let (networks, all, total) = match loaded.await {
        Ok(r) => r,
        Err(e) => return error_page(&c, &e),
    };
    let mut dots = Vec::new();
    let mut groups: BTreeMap<String, (f64, f64, Vec<CoopView>)> = BTreeMap::new();
    let mut placed = 0u64;
    for coop in &all {
        let Some(point) = coop.profile.location else {
            continue;
        };
        let inside =
            (WEST..=EAST).contains(&point.longitude) && (SOUTH..=NORTH).contains(&point.latitude);
        let view = CoopView::new(coop, &networks, c.lang);
        let code = coop
            .profile
            .country
            .map_or_else(|| "?".to_owned(), |cc| cc.to_string());
        let (x, y) = project(point.latitude, point.longitude);
        if inside {
            placed += 1;
            dots.push(Dot {
                x: num(x),
                y: num(y),
                name: view.name.clone(),
                href: view.page_url.clone(),
            });
        }
        let entry = groups.entry(code).or_insert((0.0, 0.0, Vec::new()));
        if inside {
            entry.0 += x;
            entry.1 += y;
        }
        entry.2.push(view);
    }
    let countries = groups
        .into_iter()
        .map(|(code, (sx, sy, coops))| {
            let n = coops.len().max(1) as f64;
            CountryGroup {
                code,
                x: num(sx / n),
                y: num(sy / n - 6.0),
                count: coops.len(),
                coops,
            }
        })
        .collect();
    let mut lines = Vec::new();
    let h = height();
    let mut lon = -20.0;
    while lon <= EAST {
        let (x, _) = project(SOUTH, lon);
        lines.push((num(x), "0".into(), num(x), num(h)));
        lon += 10.0;
    }
    let mut lat = 40.0;
    while lat <= NORTH {
        let (_, y) = project(lat, WEST);
        lines.push(("0".into(), num(y), num(WIDTH), num(y)));
        lat += 10.0;
    }
    let view = MapPage {
        c: &c,
        width: num(WIDTH),
        height: num(h),
        lines,
        dots,
        countries,
        without_location: total.saturating_sub(placed),
    };
    page(&c, StatusCode::OK, &view)
}
