//! Frame sources: a webcam, a video file or a folder of images, behind one trait.
//!
//! Out flows a [`Frame`]: tightly packed RGB pixels with the time they were taken.
//! Nothing here knows about poses.

/// One decoded picture, RGB8, row-major, `width * height * 3` bytes.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Position in the source, from 0.
    pub index: u64,
    /// Seconds since the source started: video time for files, capture time for cameras.
    pub timestamp_s: f64,
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Frame {
    /// The pixel at (x, y) as [r, g, b], or `None` outside the frame.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let p = self.rgb.get(i..i + 3)?;
        Some([p[0], p[1], p[2]])
    }
}
