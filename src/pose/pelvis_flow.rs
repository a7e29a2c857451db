//! The pelvis's turn, read from the picture itself by dense optical flow.
//!
//! In flow each frame's image and the pose found in it (hip and shoulder midpoints); out
//! flows one angle per frame, degrees: how far the picture just above the trunk line at
//! the pelvis (the belly's front and the thighs' root) has turned since a reference
//! frame, in the body's own axes — positive from the trunk line (hips → shoulders)
//! towards the side away from the floor, whichever way the person lies.
//!
//! Why: a posterior pelvic tilt moves the landmarks by about one of the landmark model's
//! own pixels, and from a raised camera their drift is as large (docs/tilt-cue.md). The
//! picture at full resolution shows the pelvis turning plainly: on the rendered tilt
//! clips this reading follows the truth's tilt with r ≥ 0.82 on all but one webcam-like
//! copy, floor level and 30° above, where the trunk line and the belly's outline fall
//! near 0 on some (docs/tilt-cue.md, "The pelvis's turn in the picture").
//!
//! How: DIS optical flow (OpenCV) between a grey crop of the reference frame around the
//! pelvis and the same crop of this frame; a rotation, scale and shift fitted by least
//! squares to the flow over the region, each pixel weighted by its gradient in the
//! reference (flat areas carry no motion). Against a reference, not frame to frame, so
//! noise does not add up into drift. The reference is taken afresh, keeping the reading
//! continuous, when the body has moved off it (the hips by a tenth of a torso, the torso
//! by a tenth of its length or 5° of turn): flow is only trusted over a few pixels.

use opencv::core::{Mat, Ptr, Rect};
use opencv::prelude::*;
use opencv::video::DISOpticalFlow;

use super::{Pose, index};

/// The region read, torso lengths from the hip midpoint: along the trunk line (towards
/// the shoulders) and across it (away from the floor). The upper half of the pelvis
/// region: its lower half holds the floor's contact edge, which does not turn, and read
/// whole the two cancel (docs/tilt-cue.md).
const ALONG: (f32, f32) = (-0.1, 0.35);
const ACROSS: (f32, f32) = (0.0, 0.35);
/// The crop the flow is computed in: a square this many torso lengths from its centre,
/// which sits this far along the trunk line (room around the region for the flow's
/// patches and pyramid).
const CROP_HALF: f32 = 0.9;
const CROP_CENTRE_ALONG: f32 = 0.3;
/// Take a new reference when the hips move this far (torso lengths), the torso's length
/// changes by this share, or the trunk line turns by this much (degrees).
const REANCHOR_SHIFT: f32 = 0.1;
const REANCHOR_SCALE: f32 = 0.1;
const REANCHOR_TURN_DEG: f32 = 5.0;
/// A picture whose pixels mostly change a little between frames, this many frames
/// running, carries a live camera's sensor noise (a video's key frame repaints it once).
const NOISY_FRAMES: u32 = 5;
/// A frame-to-frame change of at most this many grey levels is noise-sized.
const NOISE_MAX_LEVELS: u8 = 12;
/// Its smoothing, pixels (Gaussian σ) of the frame the flow reads: fresh noise at every
/// pixel moves DIS's fine pyramid levels, and the similarity fit reads that as a turn.
const NOISY_SMOOTH_PX: f64 = 1.5;
/// A torso shorter than this (pixels) is too small to read.
const MIN_TORSO_PX: f32 = 20.0;
/// A larger torso is read in the frame scaled down to this length: the flow's cost grows
/// with the crop's area (a person close to an HD camera would take tens of ms), and a
/// tilt's turn is resolved at this size (the rendered clips' torsos are up to 111 px).
const MAX_TORSO_PX: f32 = 120.0;

/// The trunk's axes in the image.
#[derive(Clone, Copy, Debug)]
struct Trunk {
    hip: [f32; 2],
    /// Unit vector hips → shoulders.
    along: [f32; 2],
    /// Unit vector perpendicular to it, towards the image's top (away from the floor).
    across: [f32; 2],
    length_px: f32,
}

impl Trunk {
    fn of(pose: &Pose) -> Option<Self> {
        let mid = |a: usize, b: usize| {
            let (p, q) = (&pose.landmarks[a], &pose.landmarks[b]);
            [0.5 * (p.x_px + q.x_px), 0.5 * (p.y_px + q.y_px)]
        };
        let hip = mid(index::LEFT_HIP, index::RIGHT_HIP);
        let shoulder = mid(index::LEFT_SHOULDER, index::RIGHT_SHOULDER);
        let (dx, dy) = (shoulder[0] - hip[0], shoulder[1] - hip[1]);
        let length_px = dx.hypot(dy);
        if !length_px.is_finite() || length_px < MIN_TORSO_PX {
            return None;
        }
        let along = [dx / length_px, dy / length_px];
        let mut across = [-along[1], along[0]];
        if across[1] > 0.0 {
            across = [-across[0], -across[1]];
        }
        Some(Self {
            hip,
            along,
            across,
            length_px,
        })
    }

    /// The trunk in the frame scaled by `scale`.
    fn scaled(&self, scale: f32) -> Self {
        Self {
            hip: [self.hip[0] * scale, self.hip[1] * scale],
            length_px: self.length_px * scale,
            ..*self
        }
    }

    /// Whether the body has moved off `self` (the reference's trunk) to `now`.
    fn moved_to(&self, now: &Trunk) -> bool {
        let shift = (now.hip[0] - self.hip[0]).hypot(now.hip[1] - self.hip[1]);
        let turn = (self.along[0] * now.along[1] - self.along[1] * now.along[0])
            .atan2(self.along[0] * now.along[0] + self.along[1] * now.along[1]);
        shift > REANCHOR_SHIFT * self.length_px
            || (now.length_px / self.length_px - 1.0).abs() > REANCHOR_SCALE
            || turn.abs().to_degrees() > REANCHOR_TURN_DEG
    }
}

/// One region pixel: its index in the crop, its (along, across) offset from the hips in
/// pixels, and its weight.
#[derive(Clone, Copy, Debug)]
struct Sample {
    at: usize,
    along: f32,
    across: f32,
    weight: f32,
}

struct Reference {
    /// The frame's scale for the flow (`MAX_TORSO_PX`), kept while this reference is.
    scale: f32,
    /// The trunk in the frame as it came, to tell when the body has moved off.
    trunk_unscaled: Trunk,
    grey: Mat,
    crop: Rect,
    /// The trunk in the scaled frame.
    trunk: Trunk,
    samples: Vec<Sample>,
    /// The turn last read against this reference (degrees, before the offset).
    last_deg: f32,
}

/// See the module docs. One per video stream.
pub struct PelvisFlow {
    dis: Option<Ptr<DISOpticalFlow>>,
    reference: Option<Reference>,
    /// What earlier references had turned by when they were replaced.
    offset_deg: f32,
    /// The flow could not be set up: reads nothing.
    unavailable: bool,
    /// The last frame's crop, unsmoothed, and where it was cut (to see the camera's noise).
    previous: Option<(Rect, Mat)>,
    /// Frames running whose crop mostly changed from the one before.
    noisy_run: u32,
    /// The camera's noise was seen: the picture is smoothed from then on.
    noisy: bool,
}

impl Default for PelvisFlow {
    fn default() -> Self {
        Self::new()
    }
}

impl PelvisFlow {
    pub fn new() -> Self {
        Self {
            dis: None,
            reference: None,
            offset_deg: 0.0,
            unavailable: false,
            previous: None,
            noisy_run: 0,
            noisy: false,
        }
    }

    /// Forgets the reference (a new stream, or the cue switched off).
    pub fn reset(&mut self) {
        self.reference = None;
        self.offset_deg = 0.0;
        self.previous = None;
        self.noisy_run = 0;
        self.noisy = false;
    }

    /// The pelvis's turn in this frame (`image`: the frame, packed RGB), or `None` when
    /// nobody is found, the torso is too small, or the flow failed.
    pub fn read(
        &mut self,
        image: &impl opencv::core::ToInputArray,
        pose: Option<&Pose>,
    ) -> Option<f32> {
        if self.unavailable {
            return None;
        }
        let trunk = pose.and_then(Trunk::of)?;
        match self.turn(image, &trunk) {
            Ok(turn) => turn,
            Err(err) => {
                tracing::warn!("cannot read the pelvis's turn by optical flow: {err}");
                self.unavailable = true;
                None
            }
        }
    }

    fn turn(
        &mut self,
        image: &impl opencv::core::ToInputArray,
        trunk: &Trunk,
    ) -> opencv::Result<Option<f32>> {
        if let Some(reference) = self
            .reference
            .as_ref()
            .filter(|r| r.trunk_unscaled.moved_to(trunk))
        {
            self.offset_deg += reference.last_deg;
            self.reference = None;
        }
        let scale = self
            .reference
            .as_ref()
            .map_or_else(|| (MAX_TORSO_PX / trunk.length_px).min(1.0), |r| r.scale);
        let grey = grey(image, scale)?;
        // A live camera's fresh noise: the crop's pixels mostly change from one frame to
        // the next even where nothing moves. Seen for `NOISY_FRAMES` frames running (a
        // video's key frame repaints the picture once), the picture is smoothed from a
        // new reference on, the reading carried over as when the body moves off one.
        let raw = match self.reference.as_ref() {
            Some(r) => Some(Mat::roi(&grey, r.crop)?.try_clone()?),
            None => None,
        };
        if let (Some(raw), Some(r)) = (raw.as_ref(), self.reference.as_ref())
            && !self.noisy
        {
            let changed = match self.previous.as_ref() {
                Some((crop, before)) if *crop == r.crop => noise_share(before, raw)? > 0.5,
                _ => false,
            };
            self.noisy_run = if changed { self.noisy_run + 1 } else { 0 };
            if self.noisy_run >= NOISY_FRAMES {
                tracing::debug!("the picture is noisy: smoothing it for the pelvis's turn");
                self.noisy = true;
                self.offset_deg += r.last_deg;
                self.reference = None;
            }
        }
        // Kept only until the noise is seen; the buffer is reused frame to frame.
        match (raw.as_ref(), self.reference.as_ref()) {
            (Some(raw), Some(r)) if !self.noisy => {
                let (crop, before) = self
                    .previous
                    .get_or_insert_with(|| (r.crop, Mat::default()));
                *crop = r.crop;
                raw.copy_to(before)?;
            }
            _ => self.previous = None,
        }
        let (Some(reference), Some(raw)) = (self.reference.as_mut(), raw) else {
            let noisy = self.noisy;
            self.reference =
                new_reference(&grey, &trunk.scaled(scale), noisy)?.map(|r| Reference {
                    scale,
                    trunk_unscaled: *trunk,
                    ..r
                });
            return Ok(self.reference.as_ref().map(|_| self.offset_deg));
        };
        let dis = match self.dis.as_mut() {
            Some(dis) => dis,
            None => self.dis.insert(DISOpticalFlow::create(
                opencv::video::DISOpticalFlow_PRESET_MEDIUM,
            )?),
        };
        let now = smoothed(raw, self.noisy)?;
        let mut flow = Mat::default();
        dis.calc(&reference.grey, &now, &mut flow)?;
        let flow = flow.data_typed::<opencv::core::Vec2f>()?;
        let Some(turn_rad) = fit_turn(&reference.samples, &reference.trunk, flow) else {
            return Ok(None);
        };
        reference.last_deg = turn_rad.to_degrees();
        Ok(Some(self.offset_deg + reference.last_deg))
    }
}

/// `crop` smoothed against a live camera's sensor noise (`NOISY_SMOOTH_PX`), or as it is.
fn smoothed(crop: Mat, noisy: bool) -> opencv::Result<Mat> {
    if !noisy {
        return Ok(crop);
    }
    let mut out = Mat::default();
    let size = opencv::core::Size::default();
    opencv::imgproc::gaussian_blur_def(&crop, &mut out, size, NOISY_SMOOTH_PX)?;
    Ok(out)
}

/// The share of `now`'s pixels that differ a little from `before`'s (same size, grey):
/// by a few grey levels, as sensor noise does; a moving edge changes them by more.
fn noise_share(before: &Mat, now: &Mat) -> opencv::Result<f64> {
    let mut diff = Mat::default();
    opencv::core::absdiff(before, now, &mut diff)?;
    let levels = diff.data_bytes()?;
    let little = levels
        .iter()
        .filter(|&&d| (1..=NOISE_MAX_LEVELS).contains(&d))
        .count();
    Ok(little as f64 / levels.len().max(1) as f64)
}

/// The frame in grey, scaled by `scale` (≤ 1).
fn grey(image: &impl opencv::core::ToInputArray, scale: f32) -> opencv::Result<Mat> {
    let mut grey = Mat::default();
    opencv::imgproc::cvt_color_def(image, &mut grey, opencv::imgproc::COLOR_RGB2GRAY)?;
    if scale >= 1.0 {
        return Ok(grey);
    }
    let mut small = Mat::default();
    opencv::imgproc::resize(
        &grey,
        &mut small,
        opencv::core::Size::default(),
        f64::from(scale),
        f64::from(scale),
        opencv::imgproc::INTER_AREA,
    )?;
    Ok(small)
}

/// A reference from this frame: the crop around the pelvis and the region's pixels with
/// their gradient weights. `None` when the crop falls mostly outside the image.
fn new_reference(grey: &Mat, trunk: &Trunk, noisy: bool) -> opencv::Result<Option<Reference>> {
    let l = trunk.length_px;
    let centre = [
        trunk.hip[0] + CROP_CENTRE_ALONG * l * trunk.along[0],
        trunk.hip[1] + CROP_CENTRE_ALONG * l * trunk.along[1],
    ];
    let half = CROP_HALF * l;
    let (w, h) = (grey.cols(), grey.rows());
    let x0 = ((centre[0] - half).floor() as i32).clamp(0, w);
    let y0 = ((centre[1] - half).floor() as i32).clamp(0, h);
    let x1 = ((centre[0] + half).ceil() as i32).clamp(0, w);
    let y1 = ((centre[1] + half).ceil() as i32).clamp(0, h);
    if x1 - x0 < 16 || y1 - y0 < 16 {
        return Ok(None);
    }
    let crop = Rect::new(x0, y0, x1 - x0, y1 - y0);
    let reference = smoothed(Mat::roi(grey, crop)?.try_clone()?, noisy)?;
    let gradient = |dx: i32, dy: i32| -> opencv::Result<Mat> {
        let mut out = Mat::default();
        opencv::imgproc::sobel_def(&reference, &mut out, opencv::core::CV_32F, dx, dy)?;
        Ok(out)
    };
    let (gx, gy) = (gradient(1, 0)?, gradient(0, 1)?);
    let (gx, gy) = (gx.data_typed::<f32>()?, gy.data_typed::<f32>()?);
    let cols = crop.width as usize;
    let mut samples = Vec::new();
    for row in 0..crop.height as usize {
        for col in 0..cols {
            let (px, py) = (
                (x0 as usize + col) as f32 - trunk.hip[0],
                (y0 as usize + row) as f32 - trunk.hip[1],
            );
            let along = px * trunk.along[0] + py * trunk.along[1];
            let across = px * trunk.across[0] + py * trunk.across[1];
            let inside = (ALONG.0 * l..ALONG.1 * l).contains(&along)
                && (ACROSS.0 * l..ACROSS.1 * l).contains(&across);
            let at = row * cols + col;
            let weight = gx[at].hypot(gy[at]);
            if inside && weight > 0.0 {
                samples.push(Sample {
                    at,
                    along,
                    across,
                    weight,
                });
            }
        }
    }
    if samples.len() < 16 {
        return Ok(None);
    }
    Ok(Some(Reference {
        scale: 1.0,
        trunk_unscaled: *trunk,
        grey: reference,
        crop,
        trunk: *trunk,
        samples,
        last_deg: 0.0,
    }))
}

/// The rotation (radians, from `along` towards `across`) of the similarity motion — shift,
/// scale and turn — that best explains the flow at the samples (weighted least squares).
fn fit_turn(samples: &[Sample], trunk: &Trunk, flow: &[opencv::core::Vec2f]) -> Option<f32> {
    // Unknowns: shift along, shift across, scale, turn. Each sample gives two equations:
    //   f_along  = b0 + s·a − r·c
    //   f_across = b1 + r·a + s·c
    let mut ata = nalgebra::Matrix4::<f64>::zeros();
    let mut atb = nalgebra::Vector4::<f64>::zeros();
    for s in samples {
        let f = flow.get(s.at)?;
        let (fx, fy) = (f[0], f[1]);
        let fa = f64::from(fx * trunk.along[0] + fy * trunk.along[1]);
        let fc = f64::from(fx * trunk.across[0] + fy * trunk.across[1]);
        let (a, c, w) = (f64::from(s.along), f64::from(s.across), f64::from(s.weight));
        let w2 = w * w;
        let rows = [
            (nalgebra::Vector4::new(1.0, 0.0, a, -c), fa),
            (nalgebra::Vector4::new(0.0, 1.0, c, a), fc),
        ];
        for (row, value) in rows {
            ata += w2 * row * row.transpose();
            atb += w2 * value * row;
        }
    }
    let solution = ata.lu().solve(&atb)?;
    let turn = solution[3] as f32;
    turn.is_finite().then_some(turn)
}

#[cfg(test)]
mod tests {
    use opencv::core::{CV_8UC3, Point2f, Scalar, Size};

    use super::*;
    use crate::pose::{LANDMARK_COUNT, Landmark, Roi};

    const W: i32 = 320;
    const H: i32 = 240;

    /// A smooth random texture (deterministic), RGB.
    fn texture() -> Mat {
        let mut state = 12345u32;
        let mut noise = Mat::new_rows_cols_with_default(H, W, CV_8UC3, Scalar::all(0.0)).unwrap();
        for px in noise.data_bytes_mut().unwrap() {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *px = (state >> 24) as u8;
        }
        let mut smooth = Mat::default();
        opencv::imgproc::gaussian_blur_def(&noise, &mut smooth, Size::new(0, 0), 2.0).unwrap();
        smooth
    }

    /// `image` turned by `deg` (counter-clockwise on screen) about `centre`.
    fn turned(image: &Mat, centre: [f32; 2], deg: f64) -> Mat {
        let m =
            opencv::imgproc::get_rotation_matrix_2d(Point2f::new(centre[0], centre[1]), deg, 1.0)
                .unwrap();
        let mut out = Mat::default();
        opencv::imgproc::warp_affine_def(image, &mut out, &m, Size::new(W, H)).unwrap();
        out
    }

    fn mirrored(image: &Mat) -> Mat {
        let mut out = Mat::default();
        opencv::core::flip(image, &mut out, 1).unwrap();
        out
    }

    fn pose(hip: [f32; 2], shoulder: [f32; 2]) -> Pose {
        let mut landmarks = [Landmark::default(); LANDMARK_COUNT];
        for (i, at) in [
            (index::LEFT_HIP, hip),
            (index::RIGHT_HIP, hip),
            (index::LEFT_SHOULDER, shoulder),
            (index::RIGHT_SHOULDER, shoulder),
        ] {
            landmarks[i].x_px = at[0];
            landmarks[i].y_px = at[1];
        }
        Pose {
            landmarks,
            world: None,
            score: 1.0,
            roi: Roi::default(),
            image_width: W as u32,
            image_height: H as u32,
            belly_height_torso: None,
            pelvis_turn_deg: None,
        }
    }

    #[test]
    fn a_turned_pelvis_reads_its_turn_whichever_way_the_person_lies() {
        let still = texture();
        let (hip, shoulder) = ([140.0, 150.0], [240.0, 150.0]);
        let tilted = turned(&still, hip, 1.0);
        let mut flow = PelvisFlow::new();
        let head_right = pose(hip, shoulder);
        assert_eq!(flow.read(&still, Some(&head_right)), Some(0.0));
        let turn = flow.read(&tilted, Some(&head_right)).unwrap();
        assert!((turn - 1.0).abs() < 0.15, "read {turn}°, turned 1°");
        let back = flow.read(&still, Some(&head_right)).unwrap();
        assert!(back.abs() < 0.1, "read {back}° back at rest");

        // The same body lying the other way (the picture mirrored): the same reading.
        let mut flow = PelvisFlow::new();
        let head_left = pose(
            [W as f32 - 1.0 - hip[0], hip[1]],
            [W as f32 - 1.0 - shoulder[0], shoulder[1]],
        );
        flow.read(&mirrored(&still), Some(&head_left));
        let turn = flow.read(&mirrored(&tilted), Some(&head_left)).unwrap();
        assert!(
            (turn - 1.0).abs() < 0.15,
            "mirrored: read {turn}°, turned 1°"
        );
    }

    #[test]
    fn a_torso_close_to_the_camera_is_read_scaled_down_the_same() {
        let still = texture();
        // 180 px of torso: read at 120.
        let (hip, shoulder) = ([70.0, 200.0], [250.0, 200.0]);
        let mut flow = PelvisFlow::new();
        let body = pose(hip, shoulder);
        assert_eq!(flow.read(&still, Some(&body)), Some(0.0));
        assert!(flow.reference.as_ref().is_some_and(|r| r.scale < 0.7));
        let turn = flow.read(&turned(&still, hip, 1.0), Some(&body)).unwrap();
        assert!((turn - 1.0).abs() < 0.15, "read {turn}°, turned 1°");
    }

    #[test]
    fn a_body_that_moves_off_its_reference_keeps_its_reading() {
        let still = texture();
        let (hip, shoulder) = ([140.0, 150.0], [240.0, 150.0]);
        let mut flow = PelvisFlow::new();
        flow.read(&still, Some(&pose(hip, shoulder)));
        let tilted = turned(&still, hip, 1.0);
        assert!(flow.read(&tilted, Some(&pose(hip, shoulder))).is_some());
        // The landmarks say the hips moved by 0.15 torso lengths: a new reference, and
        // the turn read so far carries over.
        let moved = pose([hip[0] + 15.0, hip[1]], [shoulder[0] + 15.0, shoulder[1]]);
        let carried = flow.read(&tilted, Some(&moved)).unwrap();
        assert!((carried - 1.0).abs() < 0.15, "carried {carried}°");
        let still_there = flow.read(&tilted, Some(&moved)).unwrap();
        assert!((still_there - carried).abs() < 0.05, "then {still_there}°");
    }

    /// `image` with fresh sensor-like noise (±`amp` grey levels, uniform; seeded).
    fn noisy(image: &Mat, seed: u32, amp: i32) -> Mat {
        let mut out = image.try_clone().unwrap();
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        for px in out.data_bytes_mut().unwrap() {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = (state >> 16) as i32 % (2 * amp + 1) - amp;
            *px = (i32::from(*px) + n).clamp(0, 255) as u8;
        }
        out
    }

    #[test]
    fn a_live_cameras_noise_is_smoothed_and_a_videos_key_frame_is_not() {
        let still = texture();
        let (hip, shoulder) = ([140.0, 150.0], [240.0, 150.0]);
        let body = pose(hip, shoulder);
        let tilted = turned(&still, hip, 1.0);

        // A video: identical frames, one repainted with new noise (a key frame).
        let mut flow = PelvisFlow::new();
        for i in 0..20 {
            let frame = if i == 10 {
                noisy(&still, 7, 3)
            } else {
                still.clone()
            };
            flow.read(&frame, Some(&body));
        }
        assert!(
            !flow.noisy,
            "a single repainted frame is not a noisy camera"
        );

        // A live camera: fresh noise on every frame. Seen, smoothed; still reads still,
        // and a 1° turn reads 1°.
        let mut flow = PelvisFlow::new();
        let mut worst_still = 0.0f32;
        for i in 0..30 {
            let read = flow.read(&noisy(&still, i, 3), Some(&body)).unwrap();
            worst_still = worst_still.max(read.abs());
        }
        assert!(flow.noisy, "fresh noise on every frame was not seen");
        assert!(worst_still < 0.1, "still read up to {worst_still}°");
        for i in 30..40 {
            let turn = flow.read(&noisy(&tilted, i, 3), Some(&body)).unwrap();
            assert!((turn - 1.0).abs() < 0.15, "read {turn}°, turned 1°");
        }
    }

    #[test]
    fn nobody_or_a_tiny_torso_reads_nothing() {
        let still = texture();
        let mut flow = PelvisFlow::new();
        assert_eq!(flow.read(&still, None), None);
        assert_eq!(
            flow.read(&still, Some(&pose([100.0, 100.0], [110.0, 100.0]))),
            None
        );
    }
}
