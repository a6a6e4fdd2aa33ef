//! A small HTTP/1.1 load driver: N keep-alive connections (hyper's client connection API),
//! each sending its next request as soon as the previous answer is read, for a fixed time
//! or over a fixed list of requests. Latencies are recorded per request; the result is
//! throughput, p50, p99 and max.
//!
//! The driver runs on its own OS thread with a single-threaded tokio runtime, so it never
//! shares the runtime of the servers it measures (like `wrk -t1` on the same machine).
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{HOST, HeaderName, HeaderValue};
use hyper_util::rt::TokioIo;
use serde::Serialize;

/// Hard cap on recorded latencies per run (bounds memory whatever the duration).
const MAX_SAMPLES: usize = 20_000_000;

/// One request to send (GET without a body, POST with one).
#[derive(Debug, Clone)]
pub struct Req {
    /// `GET` or `POST`.
    pub method: hyper::Method,
    /// Path and query.
    pub path: String,
    /// Extra headers (a `Host` here replaces the default).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Body (empty for GET).
    pub body: Bytes,
}

impl Req {
    /// A GET of `path` with `headers`.
    pub fn get(path: impl Into<String>, headers: &[(&'static str, &str)]) -> anyhow::Result<Self> {
        Ok(Self {
            method: hyper::Method::GET,
            path: path.into(),
            headers: headers
                .iter()
                .map(|(k, v)| Ok((HeaderName::from_static(k), HeaderValue::from_str(v)?)))
                .collect::<anyhow::Result<_>>()?,
            body: Bytes::new(),
        })
    }
}

/// How long a run lasts.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// Cycle through the requests for `warmup` (not recorded), then `measure`.
    Timed {
        /// Not recorded.
        warmup: Duration,
        /// Recorded.
        measure: Duration,
    },
    /// Send each request exactly once (connections take the next unsent one), giving up
    /// after `limit`.
    Once {
        /// Upper bound on the run.
        limit: Duration,
    },
}

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Keep-alive connections, each with one request in flight.
    pub connections: usize,
    /// Duration or count bound.
    pub mode: Mode,
}

/// The outcome of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Recorded requests answered 2xx.
    pub ok: u64,
    /// Recorded requests answered otherwise, or failed.
    pub errors: u64,
    /// Recorded wall time, seconds.
    pub seconds: f64,
    /// `ok` per second.
    pub rps: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
    /// Response bytes per answered request (bodies only).
    pub body_bytes: u64,
    /// First error seen, if any.
    pub first_error: Option<String>,
    /// Connections used.
    pub connections: usize,
}

impl Stats {
    /// `12,345 req/s, p50 1.23 ms, p99 4.56 ms`
    pub fn short(&self) -> String {
        let errors = if self.errors > 0 {
            format!(
                ", {} errors ({})",
                self.errors,
                self.first_error.as_deref().unwrap_or("?")
            )
        } else {
            String::new()
        };
        format!(
            "{} req/s, p50 {:.2} ms, p99 {:.2} ms{errors}",
            thousands(self.rps),
            self.p50_ms,
            self.p99_ms
        )
    }
}

/// `12345.6` -> `12,346`
pub fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Percentile `p` (0..=100) of sorted microsecond samples, in ms.
pub fn percentile_ms(sorted_us: &[u32], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted_us.len() as f64).ceil() as usize;
    let idx = rank.clamp(1, sorted_us.len()) - 1;
    f64::from(sorted_us[idx]) / 1000.0
}

struct ConnResult {
    latencies_us: Vec<u32>,
    ok: u64,
    errors: u64,
    body_bytes: u64,
    first_error: Option<String>,
    /// For `Once`: when this connection's last answer arrived.
    last_done: Option<Instant>,
}

/// Runs a load on its own thread and runtime; returns when it is done.
pub async fn run(
    addr: SocketAddr,
    host: String,
    requests: Arc<Vec<Req>>,
    spec: Spec,
) -> anyhow::Result<Stats> {
    anyhow::ensure!(!requests.is_empty(), "no requests to send");
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("load-driver".into())
        .spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("driver runtime")
                .and_then(|rt| rt.block_on(drive(addr, host, requests, spec)));
            let _ = tx.send(result);
        })
        .context("driver thread")?;
    rx.await.context("driver thread died")?
}

async fn drive(
    addr: SocketAddr,
    host: String,
    requests: Arc<Vec<Req>>,
    spec: Spec,
) -> anyhow::Result<Stats> {
    let host = HeaderValue::from_str(&host)?;
    let start = Instant::now();
    let (record_from, end) = match spec.mode {
        Mode::Timed { warmup, measure } => (start + warmup, start + warmup + measure),
        Mode::Once { limit } => (start, start + limit),
    };
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..spec.connections.max(1) {
        let (requests, host, next) = (requests.clone(), host.clone(), next.clone());
        let once = matches!(spec.mode, Mode::Once { .. });
        tasks.spawn(connection(
            addr,
            host,
            requests,
            next,
            once,
            c,
            spec.connections,
            record_from,
            end,
        ));
    }
    let mut all = Vec::new();
    let mut stats = Stats {
        connections: spec.connections,
        ..Stats::default()
    };
    let mut last_done: Option<Instant> = None;
    while let Some(joined) = tasks.join_next().await {
        let r = joined.context("driver connection panicked")?;
        stats.ok += r.ok;
        stats.errors += r.errors;
        stats.body_bytes += r.body_bytes;
        if stats.first_error.is_none() {
            stats.first_error = r.first_error;
        }
        last_done = last_done.max(r.last_done);
        if all.len() < MAX_SAMPLES {
            all.extend(r.latencies_us);
        }
    }
    let finished = match spec.mode {
        Mode::Timed { .. } => end,
        Mode::Once { .. } => last_done.unwrap_or_else(Instant::now),
    };
    stats.seconds = finished.duration_since(record_from).as_secs_f64();
    all.sort_unstable();
    stats.rps = if stats.seconds > 0.0 {
        stats.ok as f64 / stats.seconds
    } else {
        0.0
    };
    stats.p50_ms = percentile_ms(&all, 50.0);
    stats.p99_ms = percentile_ms(&all, 99.0);
    stats.max_ms = all.last().map(|v| f64::from(*v) / 1000.0).unwrap_or(0.0);
    if let Some(per_response) = stats.body_bytes.checked_div(stats.ok) {
        stats.body_bytes = per_response;
    }
    Ok(stats)
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

#[allow(clippy::too_many_arguments)]
async fn connection(
    addr: SocketAddr,
    host: HeaderValue,
    requests: Arc<Vec<Req>>,
    next: Arc<AtomicUsize>,
    once: bool,
    index: usize,
    connections: usize,
    record_from: Instant,
    end: Instant,
) -> ConnResult {
    let mut r = ConnResult {
        latencies_us: Vec::new(),
        ok: 0,
        errors: 0,
        body_bytes: 0,
        first_error: None,
        last_done: None,
    };
    let mut sender: Option<Sender> = None;
    // Timed runs: connection i sends requests i, i+N, i+2N, ... (round robin over the list).
    let mut cursor = index;
    loop {
        let now = Instant::now();
        if now >= end {
            break;
        }
        let req = if once {
            let i = next.fetch_add(1, Ordering::Relaxed);
            match requests.get(i) {
                Some(req) => req,
                None => break,
            }
        } else {
            let req = &requests[cursor % requests.len()];
            cursor += connections.max(1);
            req
        };
        let s = match sender.as_mut() {
            Some(s) => s,
            None => match connect(addr).await {
                Ok(s) => sender.insert(s),
                Err(e) => {
                    r.errors += 1;
                    r.first_error.get_or_insert_with(|| format!("connect: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let mut builder = Request::builder()
            .method(req.method.clone())
            .uri(req.path.as_str());
        let mut has_host = false;
        for (k, v) in &req.headers {
            has_host |= *k == HOST;
            builder = builder.header(k, v);
        }
        if !has_host {
            builder = builder.header(HOST, host.clone());
        }
        let request = match builder.body(Full::new(req.body.clone())) {
            Ok(request) => request,
            Err(e) => {
                r.errors += 1;
                r.first_error.get_or_insert_with(|| format!("request: {e}"));
                continue;
            }
        };
        let t0 = Instant::now();
        let outcome = async {
            s.ready().await?;
            let response = s.send_request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body.len()))
        }
        .await;
        let done = Instant::now();
        let record = t0 >= record_from && done <= end;
        match outcome {
            Ok((status, len)) if status.is_success() => {
                if record {
                    r.ok += 1;
                    r.body_bytes += len as u64;
                    r.latencies_us.push(
                        u32::try_from(done.duration_since(t0).as_micros()).unwrap_or(u32::MAX),
                    );
                    r.last_done = Some(done);
                }
            }
            Ok((status, _)) => {
                if record {
                    r.errors += 1;
                    r.last_done = Some(done);
                }
                r.first_error
                    .get_or_insert_with(|| format!("HTTP {status} for {}", req.path));
            }
            Err(e) => {
                if record {
                    r.errors += 1;
                }
                r.first_error.get_or_insert_with(|| e.to_string());
                sender = None;
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_thousands() {
        let v: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile_ms(&v, 50.0), 50.0);
        assert_eq!(percentile_ms(&v, 99.0), 99.0);
        assert_eq!(percentile_ms(&v, 100.0), 100.0);
        assert_eq!(percentile_ms(&[], 50.0), 0.0);
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
    }
}
