//! The set tracker: groups counted reps into sets. A set ends when its prescribed reps
//! are done or after a pause longer than `set_pause_s`. In: each rep's start and end
//! (and the clock); out: the set and number of each rep, and each finished set.

/// A set finished.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SetDone {
    pub set: u32,
    pub reps: u32,
    pub start_s: f64,
    pub end_s: f64,
}

/// Groups reps into sets.
#[derive(Clone, Debug)]
pub struct SetTracker {
    reps_per_set: u32,
    pause_s: f64,
    set: u32,
    reps_in_set: u32,
    set_start_s: Option<f64>,
    last_rep_end_s: Option<f64>,
    closed: bool,
    done: Vec<SetDone>,
}

impl SetTracker {
    /// `reps_per_set` 0 means sets end only by pauses.
    pub fn new(reps_per_set: u32, pause_s: f64) -> Self {
        Self {
            reps_per_set,
            pause_s,
            set: 1,
            reps_in_set: 0,
            set_start_s: None,
            last_rep_end_s: None,
            closed: false,
            done: Vec::new(),
        }
    }

    /// Forgets every rep (they were withdrawn): back to the first set, empty.
    pub fn reset(&mut self) {
        *self = Self::new(self.reps_per_set, self.pause_s);
    }

    /// The current set number (from 1) and the reps counted in it.
    pub fn current(&self) -> (u32, u32) {
        if self.closed {
            (self.set + 1, 0)
        } else {
            (self.set, self.reps_in_set)
        }
    }

    /// Counts a rep; returns its set, its number in the set, and the set if this rep
    /// completed it.
    pub fn on_rep(&mut self, start_s: f64, end_s: f64) -> (u32, u32, Option<SetDone>) {
        if self.closed {
            self.set += 1;
            self.reps_in_set = 0;
            self.set_start_s = None;
            self.closed = false;
        }
        self.reps_in_set += 1;
        self.set_start_s.get_or_insert(start_s);
        self.last_rep_end_s = Some(end_s);
        let number = self.reps_in_set;
        let done = (self.reps_per_set > 0 && self.reps_in_set >= self.reps_per_set)
            .then(|| self.close(end_s));
        (self.set, number, done)
    }

    /// Ends a set after a long pause.
    pub fn tick(&mut self, t_s: f64) -> Option<SetDone> {
        let last = self.last_rep_end_s?;
        (!self.closed && self.reps_in_set > 0 && t_s - last > self.pause_s)
            .then(|| self.close(last))
    }

    /// Closes the open set at the end of the exercise.
    pub fn finish(&mut self) -> Option<SetDone> {
        let last = self.last_rep_end_s?;
        (!self.closed && self.reps_in_set > 0).then(|| self.close(last))
    }

    /// Every finished set.
    pub fn done(&self) -> &[SetDone] {
        &self.done
    }

    fn close(&mut self, end_s: f64) -> SetDone {
        self.closed = true;
        let d = SetDone {
            set: self.set,
            reps: self.reps_in_set,
            start_s: self.set_start_s.unwrap_or(end_s),
            end_s,
        };
        self.done.push(d);
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_end_on_reps_or_pause() {
        let mut s = SetTracker::new(2, 20.0);
        assert_eq!(s.on_rep(0.0, 1.0).0, 1);
        let (set, number, done) = s.on_rep(2.0, 3.0);
        assert_eq!((set, number), (1, 2));
        assert!(done.is_some());
        assert_eq!(s.current(), (2, 0));
        let (set, number, _) = s.on_rep(10.0, 11.0);
        assert_eq!((set, number), (2, 1));
        assert!(s.tick(25.0).is_none());
        let done = s.tick(31.5).unwrap();
        assert_eq!((done.set, done.reps), (2, 1));
        assert_eq!(s.on_rep(40.0, 41.0).0, 3);
        assert_eq!(s.finish().map(|d| d.set), Some(3));
    }
}
