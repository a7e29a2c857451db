//! The after-the-fact measure of a finished rep: its movement out and back, its hold
//! (plateau) and their durations, from the rep's whole sample record, smoothed without
//! lag. In: an [`ActiveRep`]'s raw samples; out: a [`RepMeasure`]. Called by the state
//! machine a quarter second after a rep has come back.

use super::{ActiveRep, RepMeasure};

/// Moving average of a (t, value) series over `window_s` (causal, like the counter).
pub(super) fn smooth_series(samples: &[(f64, f64)], window_s: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(samples.len());
    let mut first = 0;
    for (i, &(t, _)) in samples.iter().enumerate() {
        while samples
            .get(first)
            .is_some_and(|s| t - s.0 > window_s + 1e-9)
        {
            first += 1;
        }
        let window = samples.get(first..=i).unwrap_or(&[]);
        if window.is_empty() {
            continue;
        }
        let mean = window.iter().map(|s| s.1).sum::<f64>() / window.len() as f64;
        out.push((t, mean));
    }
    out
}

/// The share of a smooth (cosine-profile) movement's duration at which it has covered
/// `fraction` of its distance. Human movements under control are close to this shape
/// (minimum-jerk differs by a few percent), so the 10–90% time over
/// `smooth_phase(0.9) − smooth_phase(0.1)` (0.59) estimates the whole movement's duration.
fn smooth_phase(fraction: f64) -> f64 {
    (1.0 - 2.0 * fraction.clamp(0.0, 1.0)).acos() / std::f64::consts::PI
}

/// Duration of a smooth movement between its `frac_low` point and its 90% point,
/// scaled to the whole movement.
fn movement_duration(dt: f64, frac_low: f64) -> Option<f64> {
    let span = smooth_phase(0.9) - smooth_phase(frac_low);
    (span > 0.2 && dt > 0.0).then(|| dt / span)
}

/// Centred moving average over `window_s` (no lag: the whole rep is known).
fn centred_average(samples: &[(f64, f64)], window_s: f64) -> Vec<f64> {
    let half = window_s / 2.0;
    let (mut lo, mut hi) = (0usize, 0usize);
    let mut sum = 0.0;
    let mut out = Vec::with_capacity(samples.len());
    for &(t, _) in samples {
        while let Some(&(th, v)) = samples.get(hi)
            && th <= t + half + 1e-9
        {
            sum += v;
            hi += 1;
        }
        while let Some(&(tl, v)) = samples.get(lo)
            && tl < t - half - 1e-9
        {
            sum -= v;
            lo += 1;
        }
        out.push(sum / (hi - lo).max(1) as f64);
    }
    out
}

/// Centred speed (units per second) over ±`half_s`.
fn centred_speed(samples: &[(f64, f64)], smooth: &[f64], half_s: f64) -> Vec<f64> {
    let n = samples.len();
    (0..n)
        .map(|i| {
            let t = samples.get(i).map_or(0.0, |s| s.0);
            let a = (0..i)
                .rev()
                .find(|&j| samples.get(j).is_some_and(|s| t - s.0 >= half_s))
                .unwrap_or(0);
            let b = (i + 1..n)
                .find(|&j| samples.get(j).is_some_and(|s| s.0 - t >= half_s))
                .unwrap_or(n - 1);
            let (ta, tb) = (
                samples.get(a).map_or(t, |s| s.0),
                samples.get(b).map_or(t, |s| s.0),
            );
            let (va, vb) = (
                smooth.get(a).copied().unwrap_or(0.0),
                smooth.get(b).copied().unwrap_or(0.0),
            );
            if tb > ta { (vb - va) / (tb - ta) } else { 0.0 }
        })
        .collect()
}

/// Smoothing window of the post-hoc plateau measure.
const MEASURE_SMOOTHING_S: f64 = 0.2;
/// Half-span of its speed estimate.
const MEASURE_SPEED_HALF_S: f64 = 0.1;
/// A movement has ended once the signal stays in its end band this long (longer than a
/// cue's overshoot swinging back, MediaPipe's ~0.3 s; shorter than the slow wander of a
/// hold, which is no part of the movement).
const SETTLE_S: f64 = 0.3;

/// The share of a smooth (cosine) movement that lies within 10% of its end:
/// 1 − acos(−0.8)/π. EXERCISES.md defines the hold as the time within about 10% of the
/// rep's own peak, which includes that much of the easing in and of the easing out; the
/// speed edges (a quarter of the top speed: the last 8% of the movement) stop short of
/// the band, so each edge moves out by the rest. (It used to add a quarter of the 8%,
/// which read holds short by ~0.2 of the ramps' duration: 0.3–0.5 s on the rendered
/// twists' 1.6 s turns, 0.2 s on the tilts'.)
const BAND_PHASE: f64 = 0.2048;
/// The hold's band: within this share of the rep's own peak (EXERCISES.md).
const HOLD_BAND: f64 = 0.1;
/// Longest pause within a movement back (rendered twists: ~0.3 s at ~70% of the peak in
/// BlazePose's depth); a longer stretch under the band is a level the hold sagged to.
const STALL_MAX_S: f64 = 0.8;
/// A movement that comes to rest this long (longer than `STALL_MAX_S`, a pause within a
/// movement) at `DWELL_LEVEL` of the peak or more has reached the hold.
const HOLD_DWELL_S: f64 = 1.0;
/// (A third of the peak: webcam-like copies of the rendered tilts rest at 0.4–0.65 of
/// their later peak before a step within the hold.)
const DWELL_LEVEL: f64 = 0.3;
/// The plateau's level band, as a share of the drop fraction.
const LEVEL_BAND_SHARE: f64 = 0.3;
/// A quick rise past the hold's level this soon before the movement back is that
/// movement's start (the belly's outline seen from above bulges for 0.3–0.5 s as the
/// pelvis rolls back), not more hold.
const LEAD_MAX_S: f64 = 0.6;
/// …and it is a rise that reaches the plateau's edge this close to it.
const LEAD_GAP_S: f64 = 0.25;

/// Measures a finished rep from its samples (`noise`: the smoothed signal's resting
/// standard deviation; `speed_fraction`: the plateau's speed limit as a share of the
/// movement's top speed).
///
/// The whole rep is known by now, so it is smoothed without lag. The movement out is
/// where the signal rises fastest before first nearing its peak, the movement back
/// where it falls fastest after last leaving it; the hold (plateau) runs from where the
/// movement out has slowed to `speed_fraction` of its top speed to where the movement
/// back has not yet exceeded that share of its own. Only the edges next to the two
/// movements matter, so drift or a jump of the landmarks in the middle of a long hold
/// changes nothing. A smooth (cosine) movement is still within its last tenth before
/// those edges; that part (see `BAND_PHASE`), computed from the movement's own
/// duration, is added, so the result is the time within about 10% of the peak — the
/// hold as EXERCISES.md defines it.
pub(super) fn measure(
    rep: &ActiveRep,
    end_s: f64,
    noise: f64,
    speed_fraction: f64,
    drop_fraction: f64,
) -> RepMeasure {
    let samples = &rep.raw;
    let first_t = samples.first().map_or(end_s, |s| s.0);
    let smooth = centred_average(samples, MEASURE_SMOOTHING_S);
    let speed = centred_speed(samples, &smooth, MEASURE_SPEED_HALF_S);
    let peak = smooth
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .max(1e-12);
    let near = |v: &f64| *v >= 0.7 * peak;
    let (Some(first_near), Some(last_near)) =
        (smooth.iter().position(near), smooth.iter().rposition(near))
    else {
        return RepMeasure {
            sign: rep.sign,
            start_s: first_t,
            end_s,
            peak: rep.peak,
            peak_s: rep.peak_s,
            hold_spans: Vec::new(),
            hold_s: 0.0,
            out_s: None,
            back_s: None,
        };
    };
    let t_of = |i: usize| samples.get(i).map_or(end_s, |s| s.0);
    // Top speeds out and back.
    let argmax = |range: std::ops::Range<usize>, sign: f64| {
        range
            .filter_map(|i| speed.get(i).map(|v| (i, sign * v)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    };
    // Only this rep's own movements: after the signal was last at rest (or beyond it, on
    // the other side: the previous rep's tail in an alternating exercise) before the peak,
    // and before it is back there after.
    let out_from = smooth
        .get(..first_near)
        .and_then(|b| b.iter().rposition(|v| *v <= 0.1 * peak))
        .unwrap_or(0);
    let back_to = smooth
        .get(last_near..)
        .and_then(|a| a.iter().position(|v| *v <= 0.1 * peak))
        .map_or(samples.len(), |k| last_near + k + 1);
    // Speed noise of the smoothed signal: keep the plateau's limit above it.
    let speed_noise = 3.0 * noise * std::f64::consts::SQRT_2 / (2.0 * MEASURE_SPEED_HALF_S) / 1.5;
    let limit = |top: f64| (speed_fraction * top).max(speed_noise);
    // The movement that reached the peak is the last run of rising into it: a movement
    // made in two steps, or landmarks that rise in two (MediaPipe's trunk line does on
    // some bodies), stop or dip in between, and the hold starts when the second step
    // settles, not the first.
    let run_from = (out_from..first_near)
        .rev()
        .find(|&i| speed.get(i).is_some_and(|v| *v <= 0.0))
        .map_or(out_from, |i| i + 1);
    // (Only a run that is a movement in its own right: one slower than the plateau's
    // speed limit of the whole rise is the signal creeping, not a step.)
    let whole = argmax(out_from..first_near + 1, 1.0);
    // Still (within the plateau's speed limit) from `i` on, or up to it, for `HOLD_DWELL_S`
    // at a level of a hold.
    let dwells = |i: usize, ahead: bool, top: f64| {
        let t0 = t_of(i);
        smooth.get(i).is_some_and(|v| *v >= DWELL_LEVEL * peak)
            && (0..samples.len())
                .filter(|&k| {
                    let dt = t_of(k) - t0;
                    if ahead {
                        (0.0..=HOLD_DWELL_S).contains(&dt)
                    } else {
                        (-HOLD_DWELL_S..=0.0).contains(&dt)
                    }
                })
                .all(|k| speed.get(k).is_some_and(|v| v.abs() <= limit(top)))
            && (if ahead {
                t_of(samples.len() - 1) - t0
            } else {
                t0 - first_t
            }) >= HOLD_DWELL_S
    };
    // A first movement that came to rest at a hold's level and stayed there is the
    // movement out, whatever the signal does later: a webcam's noise makes the cues wander
    // and step within a long hold (docs/webcam-noise.md), which is no second movement.
    let first_settle = whole.and_then(|(_, w)| {
        let moving =
            (out_from..=first_near).find(|&i| speed.get(i).is_some_and(|v| *v > limit(w)))?;
        let settle =
            (moving..first_near).find(|&i| speed.get(i).is_some_and(|v| *v <= limit(w)))?;
        (settle < run_from && dwells(settle, true, w)).then_some(settle)
    });
    let out_top = match first_settle {
        Some(settle) => argmax(out_from..settle + 1, 1.0),
        None => argmax(run_from..first_near + 1, 1.0)
            .filter(|(_, top)| whole.is_none_or(|(_, w)| *top > limit(w)))
            .or(whole),
    };
    // The same the other way: the movement that left the hold is the first run of
    // falling out of it. A cue that comes back in two steps (the outline's edge sticks
    // part of the way down) left its hold with the first, and the second is no quick
    // movement of its own.
    let whole_back = argmax(last_near..back_to, -1.0);
    let first_fall = (last_near..back_to).find(|&i| {
        speed
            .get(i)
            .zip(whole_back)
            .is_some_and(|(v, (_, w))| -*v > limit(w))
    });
    let run_to = first_fall
        .and_then(|f| {
            (f..back_to).find(|&i| {
                speed
                    .get(i)
                    .zip(whole_back)
                    .is_some_and(|(v, (_, w))| -*v <= limit(w))
            })
        })
        .unwrap_or(back_to);
    // The same the other way: the last fall, after the signal dwelt at a hold's level
    // below where it first fell (the cue sagged or stepped within the hold), left the hold.
    let last_settle = whole_back.and_then(|(_, w)| {
        let moving = (last_near..back_to)
            .rev()
            .find(|&i| speed.get(i).is_some_and(|v| -*v > limit(w)))?;
        let settle = (last_near..moving)
            .rev()
            .find(|&i| speed.get(i).is_some_and(|v| -*v <= limit(w)))?;
        (settle > run_to && dwells(settle, false, w)).then_some(settle)
    });
    let back_top = match last_settle {
        Some(settle) => argmax(settle..back_to, -1.0),
        None => argmax(last_near..run_to, -1.0)
            .filter(|(_, top)| whole_back.is_none_or(|(_, w)| *top > limit(w)))
            .or(whole_back),
    };
    let hs_speed = out_top.and_then(|(i, top)| {
        (i..samples.len()).find(|&j| speed.get(j).is_some_and(|v| *v <= limit(top)))
    });
    let he_speed = back_top.and_then(|(i, top)| {
        (0..=i)
            .rev()
            .find(|&j| speed.get(j).is_some_and(|v| *v >= -limit(top)))
    });
    // The median of the smoothed signal between samples `a` and `b`, over `from..=to` s.
    let level_in = |a: usize, b: usize, from: f64, to: f64| {
        let inside: Vec<f64> = (a..=b)
            .filter(|&i| (from..=to).contains(&t_of(i)))
            .filter_map(|i| smooth.get(i).copied())
            .collect();
        crate::kinematics::geometry::median(&inside)
    };
    // A wobble of the landmarks at the plateau's edge can look like the movement going
    // on (or starting back) early; the plateau also lasts while the signal stays within a
    // band of the level the hold settled at (the median of up to a second inside it).
    let (hs, he) = match (hs_speed, he_speed) {
        (Some(a), Some(b)) if b > a => {
            let window = ((t_of(b) - t_of(a)) / 3.0).min(1.0);
            let level = |from: f64, to: f64| level_in(a, b, from, to);
            let band = |l: f64| (LEVEL_BAND_SHARE * drop_fraction * l).max(3.0 * noise);
            // On the unsmoothed samples (smoothing blurs a quick movement's end into
            // the plateau), two in a row so a single noisy sample does not decide.
            let at_level = |i: usize, floor: f64| {
                samples.get(i).is_some_and(|s| s.1 >= floor)
                    && samples.get(i + 1).is_some_and(|s| s.1 >= floor)
            };
            let first = level(t_of(a), t_of(a) + window).and_then(|l| {
                let floor = l - band(l);
                let from = out_top.map_or(a, |(i, _)| i);
                (from..=a).find(|&i| at_level(i, floor))
            });
            let last = level(t_of(b) - window, t_of(b)).and_then(|l| {
                let floor = l - band(l);
                let to = back_top.map_or(b, |(i, _)| i);
                (b..=to).rev().find(|&i| i > 0 && at_level(i - 1, floor))
            });
            (
                Some(first.map_or(a, |f| f.min(a))),
                Some(last.map_or(b, |l| l.max(b))),
            )
        }
        other => other,
    };
    // A smooth movement of amplitude A and top speed v lasts πA/(2v); at the plateau's
    // edge it still has asin(k)/π of that to go, and its 90% point lies BAND_PHASE of it
    // before its end.
    let duration = |top: Option<(usize, f64)>, level: f64| {
        top.and_then(|(_, v)| (v > 0.0).then(|| std::f64::consts::PI * level / (2.0 * v)))
    };
    let level_at = |i: Option<usize>| i.and_then(|i| smooth.get(i).copied()).unwrap_or(peak);
    let out_from_speed = duration(out_top, level_at(hs));
    let back_from_speed = duration(back_top, level_at(he));
    let edge = |d: Option<f64>, top: Option<(usize, f64)>| match (d, top) {
        (Some(d), Some((_, v))) => {
            -d * (BAND_PHASE - (limit(v) / v).min(1.0).asin() / std::f64::consts::PI).max(0.0)
        }
        _ => 0.0,
    };
    // A movement back that slows part of the way down (a cue lagging the body: BlazePose's
    // depth of a turning trunk, at ~70% of its peak) has its slow part taken for the hold
    // by the speed edges. Where the span ends well under the peak (more than twice the
    // hold's band) after falling there fast — within four samples of leaving the band,
    // faster than the speed edges' share of the movement back's top speed — the movement
    // back began where it left that band: the hold ends there, if the slow part is a
    // pause within the movement (under `STALL_MAX_S`). A hold that sags that low slowly
    // (landmark drift), or drops there and stays (an outline that snaps), is not cut.
    let low = (1.0 - 2.0 * HOLD_BAND) * peak;
    let trail = match (hs, he, back_top) {
        (Some(a), Some(b), Some((_, v))) if smooth.get(b).is_some_and(|x| *x < low) => (a..=b)
            .rev()
            .find(|&i| smooth.get(i).is_some_and(|x| *x >= low))
            .filter(|&i| {
                t_of(b) - t_of(i) <= STALL_MAX_S
                    && (i..=b.min(i + 3)).any(|j| speed.get(j).is_some_and(|s| -*s > limit(v)))
            }),
        _ => None,
    };
    // The other way round: a movement back that begins with a quick rise past the hold
    // began where that rise did. The rise ends within `LEAD_GAP_S` of the plateau's edge
    // or at the highest point of its last `LEAD_MAX_S` (the edge can lie further on,
    // where the signal falls back through the hold's level), it is faster than the
    // plateau's speed limit, and it started at most `LEAD_MAX_S` before the edge. A hold
    // creeping up slowly is not cut: its speed stays under the limit.
    let lead = match (hs, he, back_top) {
        (Some(a), Some(b), Some((_, v))) if trail.is_none() => {
            let rise_into = |end: usize| {
                let fast = (a..=end)
                    .rev()
                    .take_while(|&i| t_of(end) - t_of(i) <= LEAD_GAP_S)
                    .find(|&i| speed.get(i).is_some_and(|s| *s > limit(v)))?;
                let r0 = (a..=fast)
                    .rev()
                    .find(|&i| !speed.get(i).is_some_and(|s| *s > 0.5 * limit(v)))?;
                let risen = smooth.get(r0).is_some_and(|lo| {
                    (r0..=end).any(|i| smooth.get(i).is_some_and(|hi| hi - lo > 3.0 * noise))
                });
                (r0 > a && t_of(b) - t_of(r0) <= LEAD_MAX_S && risen).then_some(r0)
            };
            let top = || {
                (a..=b)
                    .filter(|&i| t_of(b) - t_of(i) <= LEAD_MAX_S)
                    .max_by(|&i, &j| {
                        let at = |k: usize| smooth.get(k).copied().unwrap_or(f64::NEG_INFINITY);
                        at(i).total_cmp(&at(j))
                    })
            };
            rise_into(b).or_else(|| top().and_then(rise_into))
        }
        _ => None,
    };
    // Where the smoothed signal's speed noise, not the movement, sets the plateau's speed
    // limit, the speed edges lie far down the ramps (a live camera's noise on a slow
    // twist: a 20°/s return under an 18°/s floor read holds 0.6 s long): that edge is
    // where the smoothed signal crosses the hold's band (within `HOLD_BAND` of the level
    // it settled at next to that edge), the hold's definition itself, found from the
    // movement in.
    let noise_limited = |top: Option<(usize, f64)>| {
        top.filter(|(_, v)| speed_fraction * v < speed_noise)
            .map(|(i, _)| i)
    };
    let (hold_s, hold_spans) = match (hs, he) {
        (Some(a), Some(b)) if b > a => {
            // The level the hold settled at next to each edge (a cue may step within it).
            let window = ((t_of(b) - t_of(a)) / 3.0).min(1.0);
            let level = |from: f64, to: f64| level_in(a, b, from, to);
            let in_band =
                |i: usize, l: f64| smooth.get(i).is_some_and(|v| *v >= (1.0 - HOLD_BAND) * l);
            // (Levels only where an edge is noise-limited: a tilt's live reading is
            // measured every frame.)
            let band_from = noise_limited(out_top).and_then(|i| {
                let l = level(t_of(a), t_of(a) + window)?;
                (i..=b).find(|&k| in_band(k, l))
            });
            let band_to = noise_limited(back_top).and_then(|i| {
                let l = level(t_of(b) - window, t_of(b))?;
                (a..=i).rev().find(|&k| in_band(k, l))
            });
            // The edge's sliver never reaches past the rep's own record.
            let ta = match band_from {
                Some(i) => t_of(i),
                None => (t_of(a) + edge(out_from_speed, out_top)).max(first_t),
            };
            let tb = match band_to.or(trail).or(lead) {
                Some(i) => t_of(i),
                None => (t_of(b) - edge(back_from_speed, back_top)).min(end_s),
            };
            ((tb - ta).max(0.0), vec![(ta, tb.max(ta))])
        }
        _ => (0.0, Vec::new()),
    };

    // Movement durations: the 10–90% times of the levels moved to and from, on the
    // unsmoothed samples (smoothing would stretch a quick movement). A movement is over
    // once the signal has settled within 10% of its level (stays there for `SETTLE_S`, give
    // or take its frame-to-frame jitter), not when it first touches that band: a cue that
    // overshoots and swings back (MediaPipe's trunk line from a raised camera reaches
    // its plateau while the pelvis is a third of the way there) would otherwise time a
    // 0.8 s tilt as a 0.4 s one. So an unsettled signal reads slower, never faster.
    let raw_of = |i: usize| samples.get(i).map_or(0.0, |s| s.1);
    let level_a = level_at(hs).max(1e-12);
    let level_b = level_at(he).max(1e-12);
    let plateau_end = he.unwrap_or(last_near).max(first_near);
    // Frame-to-frame jitter about the smoothed signal over the hold (robust: MAD): a dip
    // within it is not the signal leaving its level.
    let jitter = {
        let (from, to) = (hs.unwrap_or(0), he.unwrap_or(samples.len()));
        let residuals: Vec<f64> = (from..to.min(samples.len()))
            .filter_map(|i| smooth.get(i).map(|v| raw_of(i) - v))
            .collect();
        let centre = crate::kinematics::geometry::median(&residuals).unwrap_or(0.0);
        let deviations: Vec<f64> = residuals.iter().map(|r| (r - centre).abs()).collect();
        1.4826 * crate::kinematics::geometry::median(&deviations).unwrap_or(0.0)
    };
    let settled_at = |i: usize, floor: f64| {
        let until = (t_of(i) + SETTLE_S).min(t_of(plateau_end));
        raw_of(i) >= floor
            && (i..samples.len())
                .take_while(|&k| k == i || t_of(k) <= until)
                .all(|k| raw_of(k) >= floor - 3.0 * jitter)
    };
    let i90 = (out_from..samples.len())
        .find(|&i| settled_at(i, 0.9 * level_a))
        .unwrap_or(first_near);
    let (t_low, frac_low) = match (out_from..i90).rev().find(|&i| raw_of(i) <= 0.1 * level_a) {
        Some(i) => (t_of(i), 0.1),
        None => (t_of(out_from), (raw_of(out_from) / level_a).max(0.1)),
    };
    let out_s = movement_duration(t_of(i90) - t_low, frac_low);
    // The way back starts where the signal last left its level's band, so it is timed
    // from the hold's settled side already; its end is where it has settled at rest.
    let j90 = (0..back_to)
        .rev()
        .find(|&i| raw_of(i) >= 0.9 * level_b)
        .unwrap_or(last_near);
    let n = samples.len();
    let rested_at = |i: usize| {
        let until = t_of(i) + SETTLE_S;
        raw_of(i) <= 0.1 * level_b
            && (i..n)
                .take_while(|&k| k == i || t_of(k) <= until)
                .all(|k| raw_of(k) <= 0.1 * level_b + 3.0 * jitter)
    };
    let (t_end_low, frac_end) = match (j90 + 1..n).find(|&i| rested_at(i)) {
        Some(i) => (t_of(i), 0.1),
        None => (
            t_of(n.saturating_sub(1)),
            (raw_of(n.saturating_sub(1)) / level_b).max(0.1),
        ),
    };
    let back_s = movement_duration(t_end_low - t_of(j90), frac_end);
    RepMeasure {
        sign: rep.sign,
        start_s: t_low,
        end_s,
        peak: rep.peak,
        peak_s: rep.peak_s,
        hold_spans,
        hold_s,
        out_s,
        back_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A half-cosine ease from 0 to 1 over x in [0, 1].
    fn ramp(x: f64) -> f64 {
        (1.0 - (std::f64::consts::PI * x.clamp(0.0, 1.0)).cos()) / 2.0
    }

    /// A rep's record of `value(t)` sampled at 30 fps for `total_s`, and its end.
    fn record(total_s: f64, value: impl Fn(f64) -> f64) -> (ActiveRep, f64) {
        let fps = 30.0;
        let raw: Vec<(f64, f64)> = (0..(total_s * fps) as usize)
            .map(|i| (i as f64 / fps, value(i as f64 / fps)))
            .collect();
        let end_s = raw.last().map_or(0.0, |s| s.0);
        let (peak_s, peak) =
            raw.iter().copied().fold(
                (0.0, f64::NEG_INFINITY),
                |a, b| if b.1 > a.1 { b } else { a },
            );
        let rep = ActiveRep::new(1.0, 0.0, raw.clone(), raw, (peak_s, peak));
        (rep, end_s)
    }

    /// A rep's record: a cosine ramp out over `ramp_s`, held `hold_s`, back.
    fn rep(ramp_s: f64, hold_s: f64) -> (ActiveRep, f64) {
        record(2.0 * ramp_s + hold_s + 1.0, |t| {
            let u = t - 0.5;
            if u < ramp_s {
                ramp(u / ramp_s)
            } else if u < ramp_s + hold_s {
                1.0
            } else {
                ramp(1.0 - (u - ramp_s - hold_s) / ramp_s)
            }
        })
    }

    /// A rep whose rise stops halfway, dips and goes on: MediaPipe's trunk line on some
    /// bodies. The hold is the time near the final level, not from the first step.
    #[test]
    fn a_rise_in_two_steps_holds_from_the_second() {
        // 0.5 s rest, a quick 0.25 s up to 0.5, 0.4 s down to 0.3, a slower 0.6 s up to 1,
        // 6 s held, 1 s back.
        let (r, end_s) = record(10.0, |t| match t {
            t if t < 0.5 => 0.0,
            t if t < 0.75 => 0.5 * ramp((t - 0.5) / 0.25),
            t if t < 1.15 => 0.5 - 0.2 * ramp((t - 0.75) / 0.4),
            t if t < 1.75 => 0.3 + 0.7 * ramp((t - 1.15) / 0.6),
            t if t < 7.75 => 1.0,
            t => 1.0 - ramp((t - 7.75) / 1.0),
        });
        let m = measure(&r, end_s, 0.001, 0.25, 0.10);
        // Within 10% of the peak: from 0.795 of the last step (1.63 s) to 0.205 s into
        // the way back (7.96 s).
        let (a, b) = m.hold_spans.first().copied().unwrap_or((0.0, 0.0));
        assert!((a - 1.63).abs() < 0.15, "hold starts at {a}");
        assert!((m.hold_s - 6.33).abs() < 0.3, "hold {} ({a}-{b})", m.hold_s);
    }

    /// A quick rise most of the way, a stop, then a slow creep to the peak (the mask's
    /// edge does this): the creep is no movement of its own, and the hold never starts
    /// before the rep does.
    #[test]
    fn a_creep_after_the_rise_is_not_the_movement() {
        let (r, end_s) = record(24.0, |t| match t {
            t if t < 0.5 => 0.0,
            t if t < 1.3 => 0.68 * ramp((t - 0.5) / 0.8),
            t if t < 1.6 => 0.68 - 0.02 * ramp((t - 1.3) / 0.3),
            t if t < 21.6 => 0.66 + 0.34 * (t - 1.6) / 20.0,
            t => 1.0 - ramp((t - 21.6) / 1.0),
        });
        let m = measure(&r, end_s, 0.001, 0.25, 0.10);
        let (a, b) = m.hold_spans.first().copied().unwrap_or((-1.0, -1.0));
        assert!(a >= 0.0 && b <= end_s && a < b, "hold {a}-{b}");
        // The movement out is the quick rise (0.8 s), and the hold starts after it.
        assert!(a < 2.0, "hold starts at {a}");
        assert!(m.out_s.is_some_and(|d| d < 1.5), "out {:?}", m.out_s);
    }

    /// A webcam's noise makes a cue step within a long hold: up to 0.65 in 0.8 s, still
    /// for 3 s, a step to 1.0, 2 s more, back. The person held from the first movement's
    /// end; the step is no second movement out, and a sag before the way back is no
    /// first movement back.
    #[test]
    fn a_step_within_the_hold_is_not_the_movement() {
        let (r, end_s) = record(10.0, |t| match t {
            t if t < 0.5 => 0.0,
            t if t < 1.3 => 0.65 * ramp((t - 0.5) / 0.8),
            t if t < 4.3 => 0.65,
            t if t < 4.8 => 0.65 + 0.35 * ramp((t - 4.3) / 0.5),
            t if t < 6.8 => 1.0,
            t if t < 7.3 => 1.0 - 0.4 * ramp((t - 6.8) / 0.5),
            t if t < 8.5 => 0.6,
            t => 0.6 * (1.0 - ramp((t - 8.5) / 0.8)),
        });
        let m = measure(&r, end_s, 0.001, 0.25, 0.10);
        let (a, b) = (
            m.hold_spans.first().map_or(0.0, |s| s.0),
            m.hold_spans.last().map_or(0.0, |s| s.1),
        );
        assert!((a - 1.15).abs() < 0.2, "hold starts at {a}");
        assert!((b - 8.65).abs() < 0.2, "hold ends at {b}");
    }

    /// MediaPipe's trunk line from a raised camera: it shoots past its hold level while
    /// the pelvis is a third of the way into a 0.8 s tilt, swings back under it and
    /// settles. The movement ends where it settles, not where it first touched the band:
    /// no `too-fast` for a tilt of a slow person. A clean quick movement stays quick.
    #[test]
    fn an_overshoot_is_not_a_quick_movement() {
        let (r, end_s) = record(8.0, |t| match t {
            t if t < 0.5 => 0.0,
            // Past the level (1.0) in 0.3 s, to 1.15.
            t if t < 0.8 => 1.15 * ramp((t - 0.5) / 0.3),
            // Back down under the band to 0.75,
            t if t < 1.0 => 1.15 - 0.4 * ramp((t - 0.8) / 0.2),
            // and up to the level as the tilt ends (1.3 s in).
            t if t < 1.3 => 0.75 + 0.25 * ramp((t - 1.0) / 0.3),
            t if t < 6.3 => 1.0,
            t => 1.0 - ramp((t - 6.3) / 0.9),
        });
        let m = measure(&r, end_s, 0.001, 0.25, 0.10);
        let out = m.out_s.unwrap_or(0.0);
        assert!(out > 0.6, "out {out}");
        for ramp_s in [0.2, 0.3] {
            let (r, end_s) = rep(ramp_s, 5.0);
            let m = measure(&r, end_s, 0.001, 0.25, 0.10);
            let out = m.out_s.unwrap_or(1.0);
            let back = m.back_s.unwrap_or(1.0);
            assert!(out < 0.4 && back < 0.4, "{ramp_s}: out {out} back {back}");
        }
    }

    /// The belly outline coming back in two steps: down a third in 0.3 s, stuck for
    /// 0.3 s, the rest in 0.25 s (the true return: one 0.85 s movement). The hold ends
    /// where the first step leaves it, and the way back is not a quick movement.
    #[test]
    fn a_return_in_two_steps_leaves_the_hold_with_the_first() {
        let (r, end_s) = record(9.0, |t| match t {
            t if t < 0.5 => 0.0,
            t if t < 1.4 => ramp((t - 0.5) / 0.9),
            t if t < 7.0 => 1.0,
            t if t < 7.3 => 1.0 - 0.35 * ramp((t - 7.0) / 0.3),
            t if t < 7.6 => 0.65,
            t => 0.65 * (1.0 - ramp((t - 7.6) / 0.25)),
        });
        let m = measure(&r, end_s, 0.001, 0.25, 0.10);
        let (_, b) = m.hold_spans.last().copied().unwrap_or((0.0, 0.0));
        assert!((b - 7.1).abs() < 0.15, "hold ends at {b}");
        let back = m.back_s.unwrap_or(0.0);
        assert!(back > 0.5, "back {back}");
    }

    #[test]
    fn the_hold_is_the_time_within_ten_percent_of_the_peak() {
        for (ramp_s, hold_s) in [(0.9, 6.0), (0.5, 2.0), (1.5, 4.0)] {
            let (r, end_s) = rep(ramp_s, hold_s);
            let m = measure(&r, end_s, 0.001, 0.25, 0.10);
            // A cosine ramp is within 10% of its peak for its last 0.205.
            let band = hold_s + 2.0 * 0.205 * ramp_s;
            assert!(
                (m.hold_s - band).abs() < 0.3,
                "{ramp_s}/{hold_s}: hold {} vs {band}",
                m.hold_s
            );
            let out = m.out_s.unwrap_or(0.0);
            assert!((out - ramp_s).abs() < 0.25, "{ramp_s}/{hold_s}: out {out}");
            assert!(m.start_s < 0.5 + 0.3 * ramp_s, "start {}", m.start_s);
        }
    }
}
