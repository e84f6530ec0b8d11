//! Live topic metrics from offset snapshots: records per second over a window. Pure, so the
//! same arithmetic is unit-tested here and used by the backend's sampler.

use std::collections::VecDeque;

/// Snapshots of a topic's total end offset over time, oldest first, kept for `keep_ms`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateWindow {
    samples: VecDeque<(i64, i64)>,
    keep_ms: i64,
}

impl RateWindow {
    /// An empty window that keeps `keep_ms` of snapshots.
    pub fn new(keep_ms: i64) -> Self {
        Self { samples: VecDeque::new(), keep_ms }
    }

    /// Records that the topic's end offsets summed to `total` at `at_ms`. Out-of-order samples are
    /// ignored; a total that went down (topic recreated, records deleted) starts over.
    pub fn push(&mut self, at_ms: i64, total: i64) {
        if let Some(&(last_at, last_total)) = self.samples.back() {
            if at_ms <= last_at {
                return;
            }
            if total < last_total {
                self.samples.clear();
            }
        }
        self.samples.push_back((at_ms, total));
        while let Some(&(first, _)) = self.samples.front() {
            if at_ms - first > self.keep_ms {
                self.samples.pop_front();
            } else {
                break;
            }
        }
    }

    /// Records per second over the last `window_ms` (newest sample against the oldest one inside
    /// the window); `None` until two samples span some time.
    pub fn rate_per_sec(&self, window_ms: i64) -> Option<f64> {
        let &(newest_at, newest_total) = self.samples.back()?;
        let &(oldest_at, oldest_total) = self.samples.iter().find(|(at, _)| newest_at - at <= window_ms)?;
        let dt = newest_at - oldest_at;
        (dt > 0).then(|| (newest_total - oldest_total) as f64 * 1000.0 / dt as f64)
    }

    /// The rate between each pair of consecutive samples, at the later one's time (for a chart).
    pub fn series(&self) -> Vec<(i64, f64)> {
        self.samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .map(|(&(a_at, a), &(b_at, b))| (b_at, (b - a) as f64 * 1000.0 / (b_at - a_at) as f64))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_is_offset_delta_over_time_within_the_window() {
        let mut w = RateWindow::new(600_000);
        assert_eq!(w.rate_per_sec(60_000), None);
        w.push(0, 100);
        assert_eq!(w.rate_per_sec(60_000), None, "one sample is no rate");
        w.push(10_000, 150);
        w.push(20_000, 350);
        assert_eq!(w.rate_per_sec(60_000), Some(12.5));
        assert_eq!(w.rate_per_sec(10_000), Some(20.0), "only the last ten seconds");
        assert_eq!(w.series(), vec![(10_000, 5.0), (20_000, 20.0)]);
    }

    #[test]
    fn old_samples_expire_and_resets_start_over() {
        let mut w = RateWindow::new(30_000);
        w.push(0, 0);
        w.push(20_000, 200);
        w.push(40_000, 400);
        assert_eq!(w.series().len(), 1, "the sample at 0 expired");
        w.push(35_000, 999);
        assert_eq!(w.series().len(), 1, "out-of-order samples are ignored");
        w.push(50_000, 10);
        assert_eq!(w.rate_per_sec(60_000), None, "a lower total starts over");
        w.push(60_000, 30);
        assert_eq!(w.rate_per_sec(60_000), Some(2.0));
    }
}
