//! The session's first movement of a mirror exercise (a rock to either side is one
//! movement mirrored), when it read too small to count: the counter follows each
//! excursion from rest before anything is counted, against the rest level it left, and
//! counts the last one that came back once the first rep the other way shows it was a
//! rep (`first_rep_mirror_share`). In: the counter's idle frames and its first counted
//! rep; out: that rep's [`RepMeasure`], counted before it.

use super::measure::measure;
use super::{ActiveRep, RepCounter, RepMeasure};

/// A first movement followed longer than this is drift, not a movement.
const FIRST_MOVE_MAX_S: f64 = 8.0;
/// The first rep must follow the first movement it vouches for within this long.
const FIRST_MISS_GAP_S: f64 = 4.0;

impl RepCounter {
    /// Mirror movements (`first_rep_mirror_share`), before anything is counted: follows
    /// each excursion from rest against the rest level it left, and keeps the last one
    /// that came back, measured. The baseline follows a slow movement that stays under
    /// `start`, so the session's first movement — calibration still settling, the
    /// person's range unknown, the landmarks reading it small — is measured here from
    /// where it began.
    pub(super) fn follow_first_move(&mut self, t_s: f64, x: f64, smoothed: f64, baseline: f64) {
        if self.cfg.spec.first_rep_mirror_share.is_none() || !self.nothing_counted() {
            self.first_move = None;
            self.first_miss = None;
            return;
        }
        // Above the noise and what rest has done by itself.
        let floor = self.raised(0.0);
        let Some((rep, reference)) = self.first_move.as_mut() else {
            let d = smoothed - baseline;
            if (self.cfg.signed && d.abs() > floor) || d > floor {
                let sign = d.signum();
                self.first_move = Some((
                    ActiveRep::new(
                        sign,
                        t_s,
                        vec![(t_s, sign * d)],
                        vec![(t_s, sign * (x - baseline))],
                        (t_s, sign * d),
                    ),
                    baseline,
                ));
            }
            return;
        };
        let m = rep.sign * (smoothed - *reference);
        if t_s - rep.started_s > FIRST_MOVE_MAX_S {
            self.first_move = None;
            return;
        }
        if m < floor.max(self.cfg.spec.return_fraction * rep.peak) {
            if let Some((rep, _)) = self.first_move.take()
                && t_s - rep.started_s >= self.cfg.spec.min_rep_s
            {
                let spec = &self.cfg.spec;
                self.first_miss = Some(measure(
                    &rep,
                    t_s,
                    self.noise,
                    spec.plateau_speed_fraction,
                    spec.plateau_drop_fraction,
                ));
            }
            return;
        }
        rep.samples.push((t_s, m));
        rep.raw.push((t_s, rep.sign * (x - *reference)));
        if m > rep.peak {
            rep.peak = m;
            rep.peak_s = t_s;
        }
    }

    /// The session's first movement, if `first` — the first rep, the other way, soon
    /// after it — shows it was one: at least `first_rep_mirror_share` of that rep.
    pub(super) fn first_rep_missed(&mut self, first: &RepMeasure) -> Option<RepMeasure> {
        let share = self.cfg.spec.first_rep_mirror_share?;
        self.first_move = None;
        let mut miss = self.first_miss.take()?;
        let vouched = self.nothing_counted()
            && miss.sign != first.sign
            && miss.end_s <= first.start_s + 0.5 * self.cfg.spec.min_rep_s
            && first.start_s - miss.end_s <= FIRST_MISS_GAP_S
            && miss.peak >= share * first.peak;
        // Swinging straight through rest into the rep, it ends where that rep begins (its
        // own end waits for the smoothed signal to cross rest).
        miss.end_s = miss.end_s.min(first.start_s);
        vouched.then_some(miss)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{FPS, cfg, completed, rep_shape, run};
    use super::super::{CounterEvent, RepCounter};

    /// Mirror movements: a first movement that reads under the start threshold (slow, so
    /// the baseline follows it) counts once the first rep the other way shows it was at
    /// least the spec's share of that rep, before it and with its own span. Under that
    /// share, with the option off, long before the rep, or with the rep the same way, it
    /// does not count.
    #[test]
    fn a_first_movement_read_small_counts_once_the_mirror_rep_vouches_for_it() {
        let jitter = |t: f64| 0.004 * (t * 47.0).sin() + 0.003 * (t * 29.0).cos();
        // A slow first movement of `first` (under start 0.35) from 1.5 s to 4.2 s, then a
        // clear rep of `second` starting `gap` seconds after it.
        let signal = move |first: f64, second: f64, gap: f64| {
            move |t: f64| {
                rep_shape(t, 1.5, 1.2, 0.3, first)
                    + rep_shape(t, 4.2 + gap, 0.8, 0.5, second)
                    + jitter(t)
            }
        };
        let counted = |share: Option<f64>, first: f64, second: f64, gap: f64| {
            let mut config = cfg(true);
            config.spec.first_rep_mirror_share = share;
            let mut c = RepCounter::new(config);
            let rest: Vec<(f64, f64)> = (0..12)
                .map(|i| (i as f64 / FPS, jitter(i as f64 / FPS)))
                .collect();
            c.calibrate(&rest);
            let mut events = run(&mut c, 12.0, signal(first, second, gap));
            events.extend(c.finish(12.0).into_iter().map(CounterEvent::RepCompleted));
            completed(&events)
        };
        for (first, second) in [(0.3, -0.8), (-0.3, 0.8), (0.25, -0.6)] {
            let reps = counted(Some(0.33), first, second, 0.3);
            assert_eq!(reps.len(), 2, "{first} then {second}: {reps:?}");
            assert_eq!(reps[0].sign, first.signum());
            assert!(
                reps[0].start_s > 1.5 && reps[0].end_s <= reps[1].start_s,
                "{reps:?}"
            );
            assert!(
                reps[0].start_s < 3.0 && reps[0].end_s > 3.2,
                "its own span: {reps:?}"
            );
            // Off, it is not counted: only the clear rep is.
            assert_eq!(counted(None, first, second, 0.3).len(), 1);
        }
        // Under a third of the rep the other way: a fidget.
        assert_eq!(counted(Some(0.33), 0.2, -0.8, 0.3).len(), 1);
        // Long before the rep: not the start of the person's exercise.
        assert_eq!(counted(Some(0.33), 0.3, -0.8, 5.0).len(), 1);
        // The same way as the rep: no mirror vouches for it.
        assert_eq!(counted(Some(0.33), 0.3, 0.8, 0.3).len(), 1);
    }
}
