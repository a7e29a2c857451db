//! Audio cues: a soft tick on each counted rep, a two-note chime on a completed hold,
//! a low note on a form prompt. Generated in code (no files, no network voice).
//!
//! In flow cue requests from the app; out flows sound through the default output
//! device. With no audio device (CI, these machines) nothing plays: the failure is
//! logged once at `warn` and never reaches the user as an error.

use std::num::NonZero;

/// The three cues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    Rep,
    HoldComplete,
    Fault,
}

const SAMPLE_RATE_HZ: u32 = 44_100;

/// A sine note with a soft attack and release, so it clicks neither in nor out.
fn note(frequency_hz: f32, duration_s: f32, volume: f32) -> Vec<f32> {
    let count = (duration_s * SAMPLE_RATE_HZ as f32) as usize;
    let attack = (0.01 * SAMPLE_RATE_HZ as f32) as usize;
    let release = (0.06 * SAMPLE_RATE_HZ as f32) as usize;
    (0..count)
        .map(|i| {
            let t = i as f32 / SAMPLE_RATE_HZ as f32;
            let envelope = if i < attack {
                i as f32 / attack as f32
            } else if i + release > count {
                (count - i) as f32 / release as f32
            } else {
                1.0
            };
            volume * envelope * (std::f32::consts::TAU * frequency_hz * t).sin()
        })
        .collect()
}

/// The samples of a cue (mono, 44.1 kHz). Quiet and short: the user is in pain and
/// may be lying next to the laptop.
pub fn samples(cue: Cue) -> Vec<f32> {
    match cue {
        Cue::Rep => note(660.0, 0.12, 0.25),
        Cue::HoldComplete => {
            let mut chime = note(660.0, 0.15, 0.25);
            chime.extend(note(880.0, 0.25, 0.25));
            chime
        }
        Cue::Fault => note(330.0, 0.25, 0.2),
    }
}

/// Plays cues unless muted or without an audio device.
pub struct Sounds {
    muted: bool,
    output: Output,
}

enum Output {
    /// Not tried yet: the device opens on the first cue, so a muted session never
    /// touches the audio system.
    Untried,
    Open(rodio::stream::MixerDeviceSink),
    Unavailable,
}

impl Sounds {
    pub fn new(muted: bool) -> Self {
        Self {
            muted,
            output: Output::Untried,
        }
    }

    /// Sounds that never try the audio device (tests).
    pub fn silent() -> Self {
        Self {
            muted: true,
            output: Output::Unavailable,
        }
    }

    pub fn is_muted(&self) -> bool {
        self.muted
    }

    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    pub fn toggle_mute(&mut self) {
        self.muted = !self.muted;
    }

    /// Plays `cue` now (mixed over anything already playing); never blocks for long.
    pub fn play(&mut self, cue: Cue) {
        if self.muted {
            return;
        }
        if matches!(self.output, Output::Untried) {
            self.output = if let Some(reason) = no_sound_card() {
                tracing::warn!("no audio output, cues stay silent: {reason}");
                Output::Unavailable
            } else {
                open_output()
            };
        }
        let Output::Open(sink) = &self.output else {
            return;
        };
        let (Some(channels), Some(rate)) = (NonZero::new(1u16), NonZero::new(SAMPLE_RATE_HZ))
        else {
            return;
        };
        sink.mixer().add(rodio::buffer::SamplesBuffer::new(
            channels,
            rate,
            samples(cue),
        ));
    }
}

/// On Linux, the kernel's list of sound cards: with none (or no ALSA at all, as in
/// containers and CI), opening the default device only makes ALSA print a page of errors
/// to stderr before it fails.
#[cfg(target_os = "linux")]
fn no_sound_card() -> Option<String> {
    match std::fs::read_to_string("/proc/asound/cards") {
        Err(_) => Some("the system has no sound devices (no /proc/asound)".to_string()),
        Ok(cards) if cards.contains("no soundcards") => {
            Some("the system has no sound card".to_string())
        }
        Ok(_) => None,
    }
}

#[cfg(not(target_os = "linux"))]
fn no_sound_card() -> Option<String> {
    None
}

fn open_output() -> Output {
    match rodio::DeviceSinkBuilder::open_default_sink() {
        Ok(mut sink) => {
            sink.log_on_drop(false);
            Output::Open(sink)
        }
        Err(err) => {
            tracing::warn!("no audio output, cues stay silent: {err}");
            Output::Unavailable
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_short_quiet_and_start_and_end_near_silence() {
        for cue in [Cue::Rep, Cue::HoldComplete, Cue::Fault] {
            let samples = samples(cue);
            let duration_s = samples.len() as f32 / SAMPLE_RATE_HZ as f32;
            assert!((0.1..=0.5).contains(&duration_s), "{cue:?}: {duration_s} s");
            assert!(samples.iter().all(|s| s.abs() <= 0.3), "{cue:?} too loud");
            assert!(
                samples[0].abs() < 0.01 && samples[samples.len() - 1].abs() < 0.01,
                "{cue:?} clicks"
            );
        }
    }

    #[test]
    fn playing_for_real_never_panics_even_without_an_audio_device() {
        // CI and the build machines have no sound card: the first cue tries the device,
        // logs once, and every later cue is a quiet no-op.
        let mut sounds = Sounds::new(false);
        for cue in [Cue::Rep, Cue::HoldComplete, Cue::Fault, Cue::Rep] {
            sounds.play(cue);
        }
    }

    #[test]
    fn muted_or_without_a_device_playing_is_a_no_op() {
        let mut sounds = Sounds::silent();
        sounds.play(Cue::Rep);
        sounds.set_muted(false);
        sounds.play(Cue::Fault);
        assert!(!sounds.is_muted());
    }
}
