//! Timing statistics: per-stage durations of the worker, `bench`'s samples and the UI's
//! own frame times.
//!
//! In flow durations (milliseconds) and event instants; out flow medians and 95th
//! percentiles: over a whole run ([`Samples`], for `bench`) or rolling over the last few
//! seconds ([`RollingMs`], [`RateCounter`], cheap enough to compute every frame).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Durations of one stage over many frames.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    values_ms: Vec<f64>,
}

impl Samples {
    pub fn push(&mut self, duration: Duration) {
        self.values_ms.push(duration.as_secs_f64() * 1e3);
    }

    pub fn len(&self) -> usize {
        self.values_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values_ms.is_empty()
    }

    /// The `q`-quantile (0..=1) in milliseconds by the nearest-rank method; `None` when empty.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.values_ms.is_empty() {
            return None;
        }
        let mut sorted = self.values_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = (q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize;
        sorted.get(rank.saturating_sub(1)).copied()
    }

    pub fn median_ms(&self) -> Option<f64> {
        self.quantile_ms(0.5)
    }

    pub fn p95_ms(&self) -> Option<f64> {
        self.quantile_ms(0.95)
    }
}

/// The last `capacity` samples of one duration, in milliseconds.
#[derive(Clone, Debug)]
pub struct RollingMs {
    samples_ms: VecDeque<f64>,
    capacity: usize,
}

impl RollingMs {
    pub fn new(capacity: usize) -> Self {
        Self {
            samples_ms: VecDeque::with_capacity(capacity),
            capacity: capacity.max(1),
        }
    }

    pub fn push_ms(&mut self, value_ms: f64) {
        if self.samples_ms.len() == self.capacity {
            self.samples_ms.pop_front();
        }
        self.samples_ms.push_back(value_ms);
    }

    pub fn push(&mut self, duration: Duration) {
        self.push_ms(duration.as_secs_f64() * 1e3);
    }

    pub fn len(&self) -> usize {
        self.samples_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples_ms.is_empty()
    }

    /// The newest sample.
    pub fn last_ms(&self) -> Option<f64> {
        self.samples_ms.back().copied()
    }

    /// The `q` quantile (0..=1) by nearest rank, `None` with no samples.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        if self.samples_ms.is_empty() {
            return None;
        }
        let mut sorted: Vec<f64> = self.samples_ms.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let rank = (q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64).round() as usize;
        sorted.get(rank).copied()
    }

    pub fn median_ms(&self) -> Option<f64> {
        self.quantile_ms(0.5)
    }

    pub fn p95_ms(&self) -> Option<f64> {
        self.quantile_ms(0.95)
    }

    pub fn max_ms(&self) -> Option<f64> {
        self.samples_ms.iter().copied().max_by(f64::total_cmp)
    }
}

/// Events per second over a sliding window (frames shown, frames processed).
#[derive(Clone, Debug)]
pub struct RateCounter {
    window: Duration,
    instants: VecDeque<Instant>,
}

impl RateCounter {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            instants: VecDeque::new(),
        }
    }

    pub fn tick(&mut self, now: Instant) {
        self.instants.push_back(now);
        self.forget_before(now);
    }

    fn forget_before(&mut self, now: Instant) {
        while let Some(&first) = self.instants.front() {
            if now.duration_since(first) > self.window {
                self.instants.pop_front();
            } else {
                break;
            }
        }
    }

    /// Events per second, from the span the window's events cover.
    pub fn per_second(&self) -> f64 {
        let (Some(first), Some(last)) = (self.instants.front(), self.instants.back()) else {
            return 0.0;
        };
        let span_s = last.duration_since(*first).as_secs_f64();
        if self.instants.len() < 2 || span_s <= 0.0 {
            return 0.0;
        }
        (self.instants.len() - 1) as f64 / span_s
    }
}

/// One stage's duration in the last frame the worker processed.
#[derive(Clone, Debug, PartialEq)]
pub struct StageTiming {
    /// Short stage name: "decode", "pose", "coach", or a pose sub-stage such as "detector".
    pub stage: String,
    pub duration_ms: f64,
}

/// What the worker tells the UI about its speed, carried in every snapshot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PipelineStats {
    /// Frames the worker ran through pose and coach per second.
    pub processed_fps: f64,
    /// Median time from a frame's capture to its snapshot being ready, milliseconds.
    pub latency_median_ms: f64,
    /// Median pose-estimation time, milliseconds.
    pub pose_median_ms: f64,
    /// Frames the source produced that the worker never got to (it was busy).
    pub frames_dropped: u64,
    /// The last frame's stages.
    pub stages: Vec<StageTiming>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_known_series() {
        let mut rolling = RollingMs::new(100);
        for v in 1..=100 {
            rolling.push_ms(v as f64);
        }
        assert_eq!(rolling.median_ms(), Some(51.0));
        assert_eq!(rolling.p95_ms(), Some(95.0));
        assert_eq!(rolling.max_ms(), Some(100.0));
        rolling.push_ms(1000.0);
        assert_eq!(rolling.len(), 100, "the oldest sample made room");
        assert_eq!(rolling.last_ms(), Some(1000.0));
    }

    #[test]
    fn an_empty_series_has_no_quantiles() {
        assert_eq!(RollingMs::new(4).median_ms(), None);
    }

    #[test]
    fn rate_of_evenly_spaced_events() {
        let mut rate = RateCounter::new(Duration::from_secs(2));
        let start = Instant::now();
        for i in 0..=30 {
            rate.tick(start + Duration::from_millis(i * 50));
        }
        assert!(
            (rate.per_second() - 20.0).abs() < 0.01,
            "{}",
            rate.per_second()
        );
    }

    #[test]
    fn nearest_rank_quantiles() {
        let mut samples = Samples::default();
        assert_eq!(samples.median_ms(), None);
        for ms in (1..=20).rev() {
            samples.push(Duration::from_millis(ms));
        }
        assert_eq!(samples.len(), 20);
        assert_eq!(samples.median_ms(), Some(10.0));
        assert_eq!(samples.p95_ms(), Some(19.0));
        assert_eq!(samples.quantile_ms(1.0), Some(20.0));
        assert_eq!(samples.quantile_ms(0.0), Some(1.0));
    }
}
