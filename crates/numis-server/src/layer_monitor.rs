//! What the operator's layer monitor counts of the render path since the
//! server started, per layer: GetMap requests, failed ones, and a
//! fixed-bucket histogram of the time each layer took to draw. In memory
//! only, and kept across map reloads (counted by layer id).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

/// Upper bounds of the histogram buckets: 10 µs doubling up to ~84 s;
/// anything longer falls into the last bucket. A quantile is reported as
/// its bucket's upper bound, so it is never below the true value and at
/// most twice it.
const BUCKETS: usize = 24;
const FIRST_BOUND_MICROS: u64 = 10;

/// Counters of all layers seen so far.
pub struct LayerMonitor {
    layers: RwLock<HashMap<String, Arc<LayerCounters>>>,
    /// When counting began (the server's start): the counters' "since".
    started_at: SystemTime,
}

impl Default for LayerMonitor {
    fn default() -> Self {
        Self {
            layers: RwLock::default(),
            started_at: SystemTime::now(),
        }
    }
}

/// Counters of one layer.
#[derive(Default)]
struct LayerCounters {
    requests: AtomicU64,
    errors: AtomicU64,
    renders: [AtomicU64; BUCKETS],
}

/// A snapshot of one layer's counters.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LayerStats {
    /// GetMap requests that named the layer (or a group holding it),
    /// answered from the render cache or drawn.
    pub requests: u64,
    /// Those answered with an exception.
    pub errors: u64,
    /// Times the layer was drawn completely.
    pub renders: u64,
    /// Median drawing time (bucket upper bound); `None` before any.
    pub p50: Option<Duration>,
    /// 99th percentile of the drawing time (bucket upper bound).
    pub p99: Option<Duration>,
}

fn bucket_bound(bucket: usize) -> Duration {
    Duration::from_micros(FIRST_BOUND_MICROS << bucket)
}

fn bucket_of(elapsed: Duration) -> usize {
    (0..BUCKETS)
        .find(|&b| elapsed <= bucket_bound(b))
        .unwrap_or(BUCKETS - 1)
}

impl LayerMonitor {
    /// Since when the counters count (the server's start).
    pub fn started_at(&self) -> SystemTime {
        self.started_at
    }

    fn counters(&self, layer: &str) -> Arc<LayerCounters> {
        let known = match self.layers.read() {
            Ok(layers) => layers.get(layer).cloned(),
            Err(poisoned) => poisoned.into_inner().get(layer).cloned(),
        };
        if let Some(counters) = known {
            return counters;
        }
        let mut layers = match self.layers.write() {
            Ok(layers) => layers,
            Err(poisoned) => poisoned.into_inner(),
        };
        layers.entry(layer.to_owned()).or_default().clone()
    }

    /// One GetMap that named `layers`; `ok` whether it was answered with
    /// an image.
    pub fn request<'a>(&self, layers: impl IntoIterator<Item = &'a str>, ok: bool) {
        for layer in layers {
            let counters = self.counters(layer);
            counters.requests.fetch_add(1, Ordering::Relaxed);
            if !ok {
                counters.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// `layer` was drawn completely in `elapsed`.
    pub fn rendered(&self, layer: &str, elapsed: Duration) {
        self.counters(layer).renders[bucket_of(elapsed)].fetch_add(1, Ordering::Relaxed);
    }

    /// The counters of `layer` now (zero for a layer never asked for).
    pub fn stats(&self, layer: &str) -> LayerStats {
        let counters = match self.layers.read() {
            Ok(layers) => layers.get(layer).cloned(),
            Err(poisoned) => poisoned.into_inner().get(layer).cloned(),
        };
        let Some(counters) = counters else {
            return LayerStats::default();
        };
        let buckets: Vec<u64> = counters
            .renders
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let renders: u64 = buckets.iter().sum();
        let quantile = |q: f64| -> Option<Duration> {
            if renders == 0 {
                return None;
            }
            // The rank of the quantile, 1-based: the first bucket whose
            // running total reaches it holds the value.
            let rank = ((renders as f64 * q).ceil() as u64).max(1);
            let mut seen = 0;
            buckets.iter().enumerate().find_map(|(b, &n)| {
                seen += n;
                (seen >= rank).then(|| bucket_bound(b))
            })
        };
        LayerStats {
            requests: counters.requests.load(Ordering::Relaxed),
            errors: counters.errors.load(Ordering::Relaxed),
            renders,
            p50: quantile(0.5),
            p99: quantile(0.99),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_bucket_bounds_at_or_above_the_true_value() {
        let monitor = LayerMonitor::default();
        for _ in 0..98 {
            monitor.rendered("a", Duration::from_micros(300));
        }
        monitor.rendered("a", Duration::from_millis(50));
        monitor.rendered("a", Duration::from_millis(50));
        monitor.request(["a", "b"], true);
        monitor.request(["a"], false);
        let a = monitor.stats("a");
        assert_eq!((a.requests, a.errors, a.renders), (2, 1, 100));
        // 300 µs lies in (160, 320] µs; 50 ms in (40.96, 81.92] ms.
        assert_eq!(a.p50, Some(Duration::from_micros(320)));
        assert_eq!(a.p99, Some(Duration::from_micros(81_920)));
        let b = monitor.stats("b");
        assert_eq!((b.requests, b.renders, b.p50), (1, 0, None));
        assert_eq!(monitor.stats("never"), LayerStats::default());
    }

    #[test]
    fn very_long_renders_land_in_the_last_bucket() {
        assert_eq!(bucket_of(Duration::ZERO), 0);
        assert_eq!(bucket_of(Duration::from_secs(3600)), BUCKETS - 1);
    }
}
