//! Per-stage timing samples and their summaries (median, p95), for `bench` and the
//! app's corner read-out.

use std::time::Duration;

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

#[cfg(test)]
mod tests {
    use super::*;

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
