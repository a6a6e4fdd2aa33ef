//! A small in-process metrics registry rendered in the Prometheus text format: counters with
//! labels and request-latency histograms. Kept in the federation app data so the inbox,
//! the delivery worker and the web layer all record into one place per instance.
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Histogram bucket bounds, seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// A gauge given at render time: name, help text, and (rendered labels, value) pairs.
pub type Gauge<'a> = (&'a str, &'a str, Vec<(String, f64)>);

/// Counters and histograms, keyed by metric name and a rendered label set.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<(String, String), u64>>,
    histograms: Mutex<BTreeMap<(String, String), Histogram>>,
}

fn labels(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}=\"{}\"",
                v.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', " ")
            )
        })
        .collect();
    inner.join(",")
}

impl Metrics {
    /// Adds one to counter `name{labels}`.
    pub fn inc(&self, name: &str, pairs: &[(&str, &str)]) {
        self.add(name, pairs, 1);
    }

    /// Adds `n` to counter `name{labels}`.
    pub fn add(&self, name: &str, pairs: &[(&str, &str)], n: u64) {
        if let Ok(mut map) = self.counters.lock() {
            *map.entry((name.to_owned(), labels(pairs))).or_default() += n;
        }
    }

    /// The current value of counter `name{labels}` (labels in the order recorded).
    pub fn counter(&self, name: &str, pairs: &[(&str, &str)]) -> u64 {
        self.counters
            .lock()
            .ok()
            .and_then(|map| map.get(&(name.to_owned(), labels(pairs))).copied())
            .unwrap_or(0)
    }

    /// Records one observation (seconds) in histogram `name{labels}`.
    pub fn observe(&self, name: &str, pairs: &[(&str, &str)], seconds: f64) {
        if let Ok(mut map) = self.histograms.lock() {
            let h = map.entry((name.to_owned(), labels(pairs))).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.sum += seconds;
            h.count += 1;
        }
    }

    /// The Prometheus text exposition of everything recorded, plus `gauges` given now.
    pub fn render(&self, gauges: &[Gauge<'_>]) -> String {
        let mut out = String::new();
        for (name, help, values) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (l, v) in values {
                let _ = if l.is_empty() {
                    writeln!(out, "{name} {v}")
                } else {
                    writeln!(out, "{name}{{{l}}} {v}")
                };
            }
        }
        if let Ok(map) = self.counters.lock() {
            let mut last = String::new();
            for ((name, l), v) in map.iter() {
                if *name != last {
                    let _ = writeln!(out, "# TYPE {name} counter");
                    last.clone_from(name);
                }
                let _ = if l.is_empty() {
                    writeln!(out, "{name} {v}")
                } else {
                    writeln!(out, "{name}{{{l}}} {v}")
                };
            }
        }
        if let Ok(map) = self.histograms.lock() {
            let mut last = String::new();
            for ((name, l), h) in map.iter() {
                if *name != last {
                    let _ = writeln!(out, "# TYPE {name} histogram");
                    last.clone_from(name);
                }
                let sep = if l.is_empty() { "" } else { "," };
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{{l}{sep}le=\"{bound}\"}} {}",
                        h.counts[i]
                    );
                }
                let _ = writeln!(out, "{name}_bucket{{{l}{sep}le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{{{l}}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{{l}}} {}", h.count);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text() {
        let m = Metrics::default();
        m.inc(
            "coopnet_inbox_requests_total",
            &[("outcome", "refused"), ("reason", "signature \"bad\"")],
        );
        m.inc(
            "coopnet_inbox_requests_total",
            &[("outcome", "refused"), ("reason", "signature \"bad\"")],
        );
        m.observe(
            "coopnet_http_request_duration_seconds",
            &[("route", "/coops")],
            0.003,
        );
        let text = m.render(&[(
            "coopnet_deliveries",
            "Deliveries by state.",
            vec![("state=\"pending\"".into(), 3.0)],
        )]);
        assert!(text.contains("coopnet_inbox_requests_total{outcome=\"refused\",reason=\"signature \\\"bad\\\"\"} 2"), "{text}");
        assert!(text.contains(
            "coopnet_http_request_duration_seconds_bucket{route=\"/coops\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "coopnet_http_request_duration_seconds_bucket{route=\"/coops\",le=\"0.0025\"} 0"
        ));
        assert!(text.contains("coopnet_deliveries{state=\"pending\"} 3"));
    }
}
