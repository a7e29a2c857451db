//! Plane geometry on image points: a small `Vec2` and the angle and line helpers the
//! body frame is built from.
//!
//! In flow pixel coordinates (x right, y down, as BlazePose reports them); out flow
//! vectors, distances and angles in degrees. Nothing here knows about bodies.

use std::ops::{Add, Mul, Neg, Sub};

/// A point or direction in the image plane (pixels, y down).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vec2 {
    pub x: f64,
    pub y: f64,
}

impl Vec2 {
    /// A vector from its components.
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// Dot product.
    pub fn dot(self, other: Vec2) -> f64 {
        self.x * other.x + self.y * other.y
    }

    /// z component of the 3D cross product (positive when `other` is clockwise from
    /// `self` on screen, because y points down).
    pub fn cross(self, other: Vec2) -> f64 {
        self.x * other.y - self.y * other.x
    }

    /// Euclidean length.
    pub fn length(self) -> f64 {
        self.x.hypot(self.y)
    }

    /// Unit vector in the same direction, or `None` for a (near) zero vector.
    pub fn normalized(self) -> Option<Vec2> {
        let len = self.length();
        (len > 1e-9).then(|| Vec2::new(self.x / len, self.y / len))
    }

    /// This vector turned by 90° (x, y) → (−y, x); apply twice to reverse it.
    pub fn perpendicular(self) -> Vec2 {
        Vec2::new(-self.y, self.x)
    }

    /// Halfway between two points.
    pub fn midpoint(a: Vec2, b: Vec2) -> Vec2 {
        Vec2::new((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)
    }

    /// Distance between two points.
    pub fn distance(a: Vec2, b: Vec2) -> f64 {
        (a - b).length()
    }
}

impl Add for Vec2 {
    type Output = Vec2;
    fn add(self, rhs: Vec2) -> Vec2 {
        Vec2::new(self.x + rhs.x, self.y + rhs.y)
    }
}

impl Sub for Vec2 {
    type Output = Vec2;
    fn sub(self, rhs: Vec2) -> Vec2 {
        Vec2::new(self.x - rhs.x, self.y - rhs.y)
    }
}

impl Mul<f64> for Vec2 {
    type Output = Vec2;
    fn mul(self, rhs: f64) -> Vec2 {
        Vec2::new(self.x * rhs, self.y * rhs)
    }
}

impl Neg for Vec2 {
    type Output = Vec2;
    fn neg(self) -> Vec2 {
        Vec2::new(-self.x, -self.y)
    }
}

/// The unsigned angle at `vertex` between the rays to `a` and `c`, in degrees (0..=180).
/// Returns 180 for a degenerate ray, as if the limb were straight (the least alarming reading).
pub fn angle_at_deg(a: Vec2, vertex: Vec2, c: Vec2) -> f64 {
    let u = a - vertex;
    let v = c - vertex;
    if u.length() < 1e-9 || v.length() < 1e-9 {
        return 180.0;
    }
    u.cross(v).atan2(u.dot(v)).abs().to_degrees()
}

/// The angle of `v` measured from `reference`, in degrees in (−180, 180], positive
/// toward `positive` (a direction perpendicular to `reference` that says which way counts
/// as up). Used to express image directions in a body's own axes.
pub fn angle_in_axes_deg(v: Vec2, reference: Vec2, positive: Vec2) -> f64 {
    v.dot(positive).atan2(v.dot(reference)).to_degrees()
}

/// Signed distance of `p` from the line through `a` and `b`, positive on the side
/// `positive` points to. Zero if `a` and `b` coincide.
pub fn distance_from_line(p: Vec2, a: Vec2, b: Vec2, positive: Vec2) -> f64 {
    let Some(dir) = (b - a).normalized() else {
        return 0.0;
    };
    let mut normal = dir.perpendicular();
    if normal.dot(positive) < 0.0 {
        normal = -normal;
    }
    (p - a).dot(normal)
}

/// Median of a slice (NaNs ignored); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    Some(if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    })
}

/// The standard deviation about the median (0 when empty): a resting spread that one
/// moment off rest does not shift.
pub fn spread_about_median(values: &[f64]) -> f64 {
    let Some(m) = median(values) else {
        return 0.0;
    };
    (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt()
}

/// Wraps an angle in degrees into (−180, 180].
pub fn wrap_deg(angle_deg: f64) -> f64 {
    let mut a = angle_deg % 360.0;
    if a <= -180.0 {
        a += 360.0;
    } else if a > 180.0 {
        a -= 360.0;
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn right_angle_and_straight_line() {
        let o = Vec2::new(0.0, 0.0);
        assert!(close(
            angle_at_deg(Vec2::new(1.0, 0.0), o, Vec2::new(0.0, 5.0)),
            90.0
        ));
        assert!(close(
            angle_at_deg(Vec2::new(-1.0, 0.0), o, Vec2::new(3.0, 0.0)),
            180.0
        ));
        assert!(close(
            angle_at_deg(Vec2::new(1.0, 1.0), o, Vec2::new(1.0, 1.0)),
            0.0
        ));
    }

    #[test]
    fn angle_in_axes_is_signed_by_the_positive_direction() {
        let along = Vec2::new(1.0, 0.0);
        let up = Vec2::new(0.0, -1.0); // image up
        let v = Vec2::new(1.0, -1.0); // up and right on screen
        assert!(close(angle_in_axes_deg(v, along, up), 45.0));
        assert!(close(angle_in_axes_deg(v, along, -up), -45.0));
    }

    #[test]
    fn distance_from_line_is_signed() {
        let a = Vec2::new(0.0, 10.0);
        let b = Vec2::new(10.0, 10.0);
        let up = Vec2::new(0.0, -1.0);
        assert!(close(
            distance_from_line(Vec2::new(5.0, 7.0), a, b, up),
            3.0
        ));
        assert!(close(
            distance_from_line(Vec2::new(5.0, 12.0), a, b, up),
            -2.0
        ));
        assert!(close(
            distance_from_line(Vec2::new(5.0, 12.0), a, a, up),
            0.0
        ));
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN, 1.0]), Some(1.0));
    }

    #[test]
    fn wraps_angles() {
        assert!(close(wrap_deg(190.0), -170.0));
        assert!(close(wrap_deg(-190.0), 170.0));
        assert!(close(wrap_deg(180.0), 180.0));
    }

    #[test]
    fn perpendicular_and_normalize() {
        let v = Vec2::new(3.0, 4.0);
        assert!(close(v.length(), 5.0));
        assert!(close(v.perpendicular().dot(v), 0.0));
        assert!(Vec2::default().normalized().is_none());
    }
}
