//! The belly's silhouette edge, from the landmark model's segmentation output.
//!
//! In flow the model's 256×256 segmentation logits (`Identity_2`, in the same padded crop
//! the landmarks are decoded in), the hip and shoulder midpoints in that crop, and which
//! way the image's "up" points in it; out flows one scalar per frame: how far the
//! silhouette's upper edge over the belly stands above the chord from the lower belly to
//! the chest, in torso lengths. A posterior pelvic tilt barely moves the landmarks, but
//! it flattens the belly's profile seen from the side (docs/tilt-cue.md).
//!
//! Read in the crop, not the image: the crop is a similarity transform of the image
//! (rotation and scale), so a distance over the torso length is the same in both, and no
//! inverse warp of the mask is needed. Edges are found where the logit crosses zero
//! (probability 0.5), linearly interpolated between samples, so the measure resolves well
//! under a crop pixel.

/// Where along the trunk, from the hips (0) to the shoulders (1), the belly is read, and
/// the two stretches that anchor the chord it is measured from: the lower belly just above
/// the hip crease, and the chest below the shoulders. Each is the median of the edges
/// sampled along its stretch (an arm's edge or a stray blob is outvoted). Chosen by the
/// worst rendered clip among the stretches tried (docs/tilt-cue.md): a denser trimmed
/// mean, or other anchors, read some bodies' tilts at half the amplitude.
const BELLY: Stretch = Stretch {
    from: 0.30,
    to: 0.50,
    samples: 5,
};
const LOW_ANCHOR: Stretch = Stretch {
    from: 0.025,
    to: 0.075,
    samples: 3,
};
const HIGH_ANCHOR: Stretch = Stretch {
    from: 0.875,
    to: 0.925,
    samples: 3,
};

/// Evenly spaced samples along the trunk.
struct Stretch {
    from: f32,
    to: f32,
    samples: usize,
}

impl Stretch {
    fn middle(&self) -> f32 {
        0.5 * (self.from + self.to)
    }

    fn alongs(&self) -> impl Iterator<Item = f32> + '_ {
        let step = (self.to - self.from) / (self.samples - 1) as f32;
        (0..self.samples).map(move |i| self.from + step * i as f32)
    }
}

/// The farthest an edge is looked for, torso lengths off the trunk line.
const MAX_REACH: f32 = 0.8;
/// Walking step, crop pixels.
const STEP_PX: f32 = 0.25;
/// A torso shorter than this in the crop (pixels) is too small to read.
const MIN_TORSO_PX: f32 = 12.0;

/// A square logit mask, row-major, `side`² values.
pub struct Mask<'a> {
    pub logits: &'a [f32],
    pub side: usize,
}

impl Mask<'_> {
    /// Bilinear logit at crop pixel (x, y) (pixel centres at +0.5); `None` outside.
    fn at(&self, x: f32, y: f32) -> Option<f32> {
        let (fx, fy) = (x - 0.5, y - 0.5);
        let max = (self.side - 1) as f32;
        if !(0.0..=max).contains(&fx) || !(0.0..=max).contains(&fy) {
            return None;
        }
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(self.side - 1), (y0 + 1).min(self.side - 1));
        let (ax, ay) = (fx - x0 as f32, fy - y0 as f32);
        let v = |x: usize, y: usize| self.logits[y * self.side + x];
        let top = v(x0, y0) * (1.0 - ax) + v(x1, y0) * ax;
        let bottom = v(x0, y1) * (1.0 - ax) + v(x1, y1) * ax;
        Some(top * (1.0 - ay) + bottom * ay)
    }
}

/// How far the belly's silhouette edge stands above the chord between the lower belly and
/// the chest, torso lengths (a posterior tilt flattens it). Every edge is measured off the
/// trunk line, but the chord takes away anything linear along the trunk, so the landmarks'
/// own drift and jitter — the trunk line shifting or turning — cancel: only the mask's
/// shape remains. `hip` and `shoulder` are crop-normalised ([0, 1] of the side); `up` is a
/// direction in the crop (any length) pointing to the image's top, away from a floor the
/// person lies on. `None` when the torso is too small, or an anchor or most of the belly
/// finds no edge (the trunk line outside the silhouette, the edge beyond the crop).
pub fn belly_height(mask: &Mask, hip: [f32; 2], shoulder: [f32; 2], up: [f32; 2]) -> Option<f32> {
    let side = mask.side as f32;
    let (hx, hy) = (hip[0] * side, hip[1] * side);
    let (dx, dy) = (shoulder[0] * side - hx, shoulder[1] * side - hy);
    let torso_px = dx.hypot(dy);
    if !torso_px.is_finite() || torso_px < MIN_TORSO_PX {
        return None;
    }
    let (ux, uy) = (dx / torso_px, dy / torso_px);
    // The perpendicular on the side of `up`.
    let (mut nx, mut ny) = (-uy, ux);
    if nx * up[0] + ny * up[1] < 0.0 {
        (nx, ny) = (-nx, -ny);
    }
    let reach_px = MAX_REACH * torso_px;
    // The median of a stretch's edges, if most of them were found.
    let level = |stretch: &Stretch| {
        let mut edges: Vec<f32> = stretch
            .alongs()
            .filter_map(|along| {
                let from = (hx + along * dx, hy + along * dy);
                edge_along(mask, from, (nx, ny), reach_px)
            })
            .map(|px| px / torso_px)
            .collect();
        (edges.len() * 2 > stretch.samples).then(|| median(&mut edges))
    };
    let low = level(&LOW_ANCHOR)?;
    let high = level(&HIGH_ANCHOR)?;
    let belly = level(&BELLY)?;
    let (l, h) = (LOW_ANCHOR.middle(), HIGH_ANCHOR.middle());
    let chord = low + (high - low) * (BELLY.middle() - l) / (h - l);
    Some(belly - chord)
}

fn median(values: &mut [f32]) -> f32 {
    values.sort_by(f32::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        0.5 * (values[mid - 1] + values[mid])
    } else {
        values[mid]
    }
}

/// Distance from `from` along unit `dir` to the first inside → outside crossing, pixels.
fn edge_along(mask: &Mask, from: (f32, f32), dir: (f32, f32), reach_px: f32) -> Option<f32> {
    let mut previous = mask.at(from.0, from.1)?;
    if previous <= 0.0 {
        return None;
    }
    let mut s = 0.0;
    while s < reach_px {
        let next_s = s + STEP_PX;
        let logit = mask.at(from.0 + next_s * dir.0, from.1 + next_s * dir.1)?;
        if logit <= 0.0 {
            return Some(s + STEP_PX * previous / (previous - logit));
        }
        previous = logit;
        s = next_s;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIDE: usize = 256;
    /// Hips at x = 60, shoulders at x = 160 (a 100 px torso) on row 150, head right.
    const HIP: [f32; 2] = [60.0 / 256.0, 150.0 / 256.0];
    const SHOULDER: [f32; 2] = [160.0 / 256.0, 150.0 / 256.0];
    const UP: [f32; 2] = [0.0, -1.0];

    /// A body lying along x: its upper edge `top(x)` rows above row 150, its lower edge 20
    /// rows below, logits a smooth ramp across both edges.
    fn lying(top: impl Fn(f32) -> f32) -> Vec<f32> {
        let mut logits = vec![0.0; SIDE * SIDE];
        for y in 0..SIDE {
            for x in 0..SIDE {
                let (cx, cy) = (x as f32 + 0.5, y as f32 + 0.5);
                let inside = (cy - (150.0 - top(cx))).min(170.0 - cy);
                logits[y * SIDE + x] = 2.0 * inside;
            }
        }
        logits
    }

    fn read(logits: &[f32], hip: [f32; 2], shoulder: [f32; 2], up: [f32; 2]) -> Option<f32> {
        belly_height(&Mask { logits, side: SIDE }, hip, shoulder, up)
    }

    /// A belly `bump` pixels above a straight profile 20 px thick, centred at 40% of the
    /// trunk (x = 100).
    fn belly(bump: f32) -> impl Fn(f32) -> f32 {
        move |x: f32| 20.0 + bump * (-((x - 100.0) / 15.0).powi(2)).exp()
    }

    #[test]
    fn reads_the_belly_above_its_chord_under_a_pixel() {
        let flat = read(&lying(belly(0.0)), HIP, SHOULDER, UP).unwrap();
        let raised = read(&lying(belly(0.6)), HIP, SHOULDER, UP).unwrap();
        assert!(flat.abs() < 0.001, "{flat}");
        // The bump's full 0.6 px at the middle, a little less over the 30–50% window.
        assert!(
            (0.004..0.0065).contains(&(raised - flat)),
            "{flat} → {raised}"
        );
    }

    #[test]
    fn the_trunk_line_drifting_or_turning_changes_nothing() {
        let logits = lying(belly(3.0));
        let still = read(&logits, HIP, SHOULDER, UP).unwrap();
        // The hip landmark slips 2 px toward the floor (the line turns), then both slip.
        let hip_down = [HIP[0], HIP[1] + 2.0 / 256.0];
        let turned = read(&logits, hip_down, SHOULDER, UP).unwrap();
        let shoulder_down = [SHOULDER[0], SHOULDER[1] + 2.0 / 256.0];
        let shifted = read(&logits, hip_down, shoulder_down, UP).unwrap();
        assert!(still > 0.02, "{still}");
        assert!(
            (turned - still).abs() < 0.0015,
            "{still} vs turned {turned}"
        );
        assert!(
            (shifted - still).abs() < 0.0005,
            "{still} vs shifted {shifted}"
        );
    }

    #[test]
    fn looks_on_the_side_away_from_the_floor() {
        let logits = lying(belly(3.0));
        let up = read(&logits, HIP, SHOULDER, UP).unwrap();
        // Looking down finds the flat lower edge: no belly there.
        let down = read(&logits, HIP, SHOULDER, [0.0, 1.0]).unwrap();
        assert!(up > 0.02 && down.abs() < 0.001, "{up} {down}");
        // With the head left, the belly is still read on the side of up.
        let mirrored = lying(|x| belly(3.0)(220.0 - x));
        let (hip, shoulder) = ([160.0 / 256.0, HIP[1]], [60.0 / 256.0, HIP[1]]);
        let head_left = read(&mirrored, hip, shoulder, UP).unwrap();
        assert!((head_left - up).abs() < 0.001, "{up} {head_left}");
    }

    #[test]
    fn no_reading_without_a_silhouette_or_a_torso() {
        let empty = vec![-5.0; SIDE * SIDE];
        assert_eq!(read(&empty, HIP, SHOULDER, UP), None);
        // Everything inside: the edge lies beyond the reach.
        let full = vec![5.0; SIDE * SIDE];
        assert_eq!(read(&full, HIP, SHOULDER, UP), None);
        // A torso of a few pixels.
        let logits = lying(belly(0.0));
        let near = [HIP[0] + 4.0 / 256.0, HIP[1]];
        assert_eq!(read(&logits, HIP, near, UP), None);
    }
}
