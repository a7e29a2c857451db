//! Temporal smoothing exactly as MediaPipe's `pose_landmark_filtering.pbtxt` does it.
//!
//! In flow per-frame landmark coordinates (image pixels, or metres for world landmarks),
//! visibilities, a timestamp in microseconds and an object scale; out flow the smoothed
//! values. A One Euro filter per coordinate (`one_euro_filter.cc`), a low-pass filter per
//! visibility (`visibility_smoothing_calculator.cc`), and a reset whenever the pose is lost.
//! Numbers follow MediaPipe's types: parameters and the frequency in `f64`, filter state in
//! `f32` (its `LowPassFilter` stores floats), so the output matches the reference files.

/// MediaPipe's `LowPassFilter`: exponential smoothing whose first sample passes through.
#[derive(Clone, Copy, Debug, Default)]
pub struct LowPassFilter {
    alpha: f32,
    raw_value: f32,
    stored_value: f32,
    initialized: bool,
}

impl LowPassFilter {
    pub fn new(alpha: f32) -> Self {
        Self {
            alpha,
            ..Self::default()
        }
    }

    pub fn apply(&mut self, value: f32) -> f32 {
        let result = if self.initialized {
            // MediaPipe: `alpha_ * value + (1.0 - alpha_) * stored_value_` — a float
            // product plus a double one, summed in double, stored as float.
            (f64::from(self.alpha * value)
                + (1.0 - f64::from(self.alpha)) * f64::from(self.stored_value)) as f32
        } else {
            self.initialized = true;
            value
        };
        self.raw_value = value;
        self.stored_value = result;
        result
    }

    pub fn apply_with_alpha(&mut self, value: f32, alpha: f32) -> f32 {
        // MediaPipe logs and keeps the old alpha when it is out of range.
        if (0.0..=1.0).contains(&alpha) {
            self.alpha = alpha;
        }
        self.apply(value)
    }

    pub fn last_raw_value(&self) -> Option<f32> {
        self.initialized.then_some(self.raw_value)
    }
}

/// One Euro filter parameters (Casiez et al.; MediaPipe's `OneEuroFilter` options).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneEuroParams {
    /// Cut-off frequency at rest, Hz: lower = smoother when still.
    pub min_cutoff_hz: f64,
    /// How fast the cut-off rises with speed: higher = less lag when moving.
    pub beta: f64,
    /// Cut-off frequency of the speed estimate, Hz.
    pub derivate_cutoff_hz: f64,
    /// Skip scaling speeds by 1 / object scale (world landmarks are already in metres).
    pub disable_value_scaling: bool,
}

impl OneEuroParams {
    /// Body landmarks, pixel coordinates (speed per object scale).
    pub const LANDMARKS: Self = Self {
        min_cutoff_hz: 0.05,
        beta: 80.0,
        derivate_cutoff_hz: 1.0,
        disable_value_scaling: false,
    };
    /// World landmarks, metres.
    pub const WORLD_LANDMARKS: Self = Self {
        min_cutoff_hz: 0.1,
        beta: 40.0,
        derivate_cutoff_hz: 1.0,
        disable_value_scaling: true,
    };
    /// The two auxiliary landmarks that steer the next frame's ROI.
    pub const AUXILIARY_LANDMARKS: Self = Self {
        min_cutoff_hz: 0.01,
        beta: 10.0,
        derivate_cutoff_hz: 1.0,
        disable_value_scaling: false,
    };
}

/// The frequency a fresh filter assumes before it has seen two timestamps (proto default).
const DEFAULT_FREQUENCY_HZ: f64 = 30.0;
/// MediaPipe's `min_allowed_object_scale` default: below it the filter is bypassed.
const MIN_OBJECT_SCALE: f32 = 1e-6;

/// MediaPipe's `OneEuroFilter` for one scalar.
#[derive(Clone, Copy, Debug)]
pub struct OneEuroFilter {
    params: OneEuroParams,
    frequency_hz: f64,
    value: LowPassFilter,
    derivative: LowPassFilter,
    /// Timestamp of the last sample, microseconds; `None` before the first.
    last_time_us: Option<i64>,
}

impl OneEuroFilter {
    pub fn new(params: OneEuroParams) -> Self {
        let mut filter = Self {
            params,
            frequency_hz: DEFAULT_FREQUENCY_HZ,
            value: LowPassFilter::default(),
            derivative: LowPassFilter::default(),
            last_time_us: None,
        };
        filter.value = LowPassFilter::new(filter.alpha(params.min_cutoff_hz) as f32);
        filter.derivative = LowPassFilter::new(filter.alpha(params.derivate_cutoff_hz) as f32);
        filter
    }

    /// Filters `value` taken at `timestamp_us`; `value_scale` turns its speed into
    /// object sizes per second (1 / object scale).
    pub fn apply(&mut self, timestamp_us: i64, value_scale: f64, value: f32) -> f32 {
        if let Some(last_us) = self.last_time_us {
            if last_us >= timestamp_us {
                // MediaPipe warns and passes the value through unfiltered.
                return value;
            }
            // MediaPipe skips the update when either timestamp is exactly 0.
            if last_us != 0 && timestamp_us != 0 {
                self.frequency_hz = 1.0 / ((timestamp_us - last_us) as f64 * 1e-6);
            }
        }
        self.last_time_us = Some(timestamp_us);

        let speed = self.value.last_raw_value().map_or(0.0, |last| {
            (f64::from(value) - f64::from(last)) * value_scale * self.frequency_hz
        });
        let smoothed_speed = self.derivative.apply_with_alpha(
            speed as f32,
            self.alpha(self.params.derivate_cutoff_hz) as f32,
        );
        let cutoff_hz =
            self.params.min_cutoff_hz + self.params.beta * f64::from(smoothed_speed).abs();
        self.value
            .apply_with_alpha(value, self.alpha(cutoff_hz) as f32)
    }

    fn alpha(&self, cutoff_hz: f64) -> f64 {
        let sample_period_s = 1.0 / self.frequency_hz;
        let time_constant_s = 1.0 / (2.0 * std::f64::consts::PI * cutoff_hz);
        1.0 / (1.0 + time_constant_s / sample_period_s)
    }
}

/// One Euro filters for a list of 3D points (x, y, z each filtered alone), created on
/// first use and dropped on [`reset`](Self::reset), like `LandmarksSmoothingCalculator`.
#[derive(Clone, Debug)]
pub struct PointsSmoother {
    params: OneEuroParams,
    filters: Vec<[OneEuroFilter; 3]>,
}

impl PointsSmoother {
    pub fn new(params: OneEuroParams) -> Self {
        Self {
            params,
            filters: Vec::new(),
        }
    }

    /// Smooths `points` in place. `object_scale` is the person's size in the points' units
    /// (ignored when value scaling is disabled); a degenerate scale leaves points as they are.
    pub fn apply(&mut self, points: &mut [[f32; 3]], timestamp_us: i64, object_scale: f32) {
        if self.filters.len() != points.len() {
            self.filters = vec![[OneEuroFilter::new(self.params); 3]; points.len()];
        }
        let mut value_scale = 1.0;
        if !self.params.disable_value_scaling {
            if object_scale < MIN_OBJECT_SCALE {
                return;
            }
            value_scale = f64::from(1.0 / object_scale);
        }
        for (point, filters) in points.iter_mut().zip(&mut self.filters) {
            for (coordinate, filter) in point.iter_mut().zip(filters.iter_mut()) {
                *coordinate = filter.apply(timestamp_us, value_scale, *coordinate);
            }
        }
    }

    pub fn reset(&mut self) {
        self.filters.clear();
    }
}

/// Low-pass filters for visibilities (`VisibilitySmoothingCalculator`, `low_pass_filter`).
#[derive(Clone, Debug)]
pub struct VisibilitySmoother {
    alpha: f32,
    filters: Vec<LowPassFilter>,
}

impl VisibilitySmoother {
    /// MediaPipe's pose graph uses alpha 0.1 (heavy smoothing).
    pub const POSE_ALPHA: f32 = 0.1;

    pub fn new(alpha: f32) -> Self {
        Self {
            alpha,
            filters: Vec::new(),
        }
    }

    pub fn apply(&mut self, visibilities: &mut [f32]) {
        if self.filters.len() != visibilities.len() {
            self.filters = vec![LowPassFilter::new(self.alpha); visibilities.len()];
        }
        for (visibility, filter) in visibilities.iter_mut().zip(&mut self.filters) {
            *visibility = filter.apply(*visibility);
        }
    }

    pub fn reset(&mut self) {
        self.filters.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP_US: i64 = 33_333;

    #[test]
    fn first_sample_passes_through() {
        let mut filter = OneEuroFilter::new(OneEuroParams::LANDMARKS);
        assert_eq!(filter.apply(STEP_US, 1.0 / 200.0, 123.5), 123.5);
    }

    #[test]
    fn a_step_settles_on_the_new_value() {
        let mut filter = OneEuroFilter::new(OneEuroParams::LANDMARKS);
        let scale = 1.0 / 300.0;
        let mut out = 0.0;
        for i in 1..=30 {
            out = filter.apply(i * STEP_US, scale, 100.0);
        }
        assert_eq!(out, 100.0);
        // A 60 px jump: high speed opens the filter, so it follows within a few frames.
        let mut trace = Vec::new();
        for i in 31..=90 {
            trace.push(filter.apply(i * STEP_US, scale, 160.0));
        }
        assert!(trace[0] > 100.0 && trace[0] < 160.0, "{trace:?}");
        assert!(
            trace.windows(2).all(|w| w[1] >= w[0] - 1e-4),
            "monotone: {trace:?}"
        );
        assert!((trace[59] - 160.0).abs() < 0.5, "settled: {trace:?}");
    }

    #[test]
    fn jitter_is_damped() {
        let mut filter = OneEuroFilter::new(OneEuroParams::LANDMARKS);
        let scale = 1.0 / 300.0;
        let mut raw_spread: f32 = 0.0;
        let mut out_spread: f32 = 0.0;
        for i in 1..=200_i64 {
            // ±1 px alternating noise around 200 px, as a still person's landmark jitters.
            let raw = 200.0 + if i % 2 == 0 { 1.0 } else { -1.0 };
            let out = filter.apply(i * STEP_US, scale, raw);
            if i > 100 {
                raw_spread = raw_spread.max((raw - 200.0).abs());
                out_spread = out_spread.max((out - 200.0).abs());
            }
        }
        assert!(
            out_spread < 0.5 * raw_spread,
            "raw ±{raw_spread}, smoothed ±{out_spread}"
        );
    }

    #[test]
    fn repeated_timestamps_pass_values_through() {
        let mut filter = OneEuroFilter::new(OneEuroParams::LANDMARKS);
        filter.apply(STEP_US, 0.01, 10.0);
        filter.apply(2 * STEP_US, 0.01, 10.0);
        assert_eq!(filter.apply(2 * STEP_US, 0.01, 50.0), 50.0);
    }

    #[test]
    fn smoother_resets_to_pass_through() {
        let mut smoother = PointsSmoother::new(OneEuroParams::WORLD_LANDMARKS);
        let mut points = [[0.0, 0.0, 0.0]];
        smoother.apply(&mut points, STEP_US, 1.0);
        let mut moved = [[1.0, 1.0, 1.0]];
        smoother.apply(&mut moved, 2 * STEP_US, 1.0);
        assert!(moved[0][0] < 1.0);
        smoother.reset();
        let mut again = [[1.0, 1.0, 1.0]];
        smoother.apply(&mut again, 3 * STEP_US, 1.0);
        assert_eq!(again, [[1.0, 1.0, 1.0]]);
    }

    #[test]
    fn visibility_is_low_passed() {
        let mut smoother = VisibilitySmoother::new(VisibilitySmoother::POSE_ALPHA);
        let mut v = [1.0];
        smoother.apply(&mut v);
        assert_eq!(v, [1.0]);
        let mut v = [0.0];
        smoother.apply(&mut v);
        assert!((v[0] - 0.9).abs() < 1e-6);
    }
}
