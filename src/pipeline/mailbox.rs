//! A one-slot, "latest wins" handoff between two threads.
//!
//! The producer `put`s values; a newer value replaces one that was not yet taken, which
//! is then counted as dropped. The consumer `take`s without waiting (the UI thread) or
//! `take_timeout`s (the worker waiting for a camera frame). The lock is only held for a
//! swap of one `Option`, so neither side ever waits on the other's work: a slow consumer
//! loses old values instead of queueing them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The slot. Share it with `Arc<Mailbox<T>>`.
#[derive(Debug)]
pub struct Mailbox<T> {
    slot: Mutex<Option<T>>,
    filled: Condvar,
    put_count: AtomicU64,
    dropped_count: AtomicU64,
}

impl<T> Default for Mailbox<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Mailbox<T> {
    pub fn new() -> Self {
        Self {
            slot: Mutex::new(None),
            filled: Condvar::new(),
            put_count: AtomicU64::new(0),
            dropped_count: AtomicU64::new(0),
        }
    }

    /// Leaves `value` for the consumer, replacing (and returning) any value it has not taken.
    pub fn put(&self, value: T) -> Option<T> {
        // A panic while holding this lock can only happen inside `Option::replace`, which
        // cannot leave the slot half-written: a poisoned lock is safe to keep using.
        let replaced = self
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(value);
        self.put_count.fetch_add(1, Ordering::Relaxed);
        if replaced.is_some() {
            self.dropped_count.fetch_add(1, Ordering::Relaxed);
        }
        self.filled.notify_one();
        replaced
    }

    /// The newest value, if one arrived since the last take. Never waits for the producer.
    pub fn take(&self) -> Option<T> {
        self.slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// The newest value, waiting up to `timeout` for one to arrive.
    pub fn take_timeout(&self, timeout: Duration) -> Option<T> {
        let deadline = Instant::now() + timeout;
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = slot.take() {
                return Some(value);
            }
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            slot = self
                .filled
                .wait_timeout(slot, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Values put so far.
    pub fn put_count(&self) -> u64 {
        self.put_count.load(Ordering::Relaxed)
    }

    /// Values replaced before anyone took them.
    pub fn dropped_count(&self) -> u64 {
        self.dropped_count.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_latest_value_wins_and_older_ones_are_counted_as_dropped() {
        let mailbox = Mailbox::new();
        assert_eq!(mailbox.put(1), None);
        assert_eq!(mailbox.put(2), Some(1));
        assert_eq!(mailbox.put(3), Some(2));
        assert_eq!(mailbox.take(), Some(3));
        assert_eq!(mailbox.take(), None);
        assert_eq!(mailbox.put_count(), 3);
        assert_eq!(mailbox.dropped_count(), 2);
    }

    #[test]
    fn take_never_waits_for_a_producer() {
        let mailbox: Mailbox<u32> = Mailbox::new();
        let started = Instant::now();
        for _ in 0..1000 {
            assert_eq!(mailbox.take(), None);
        }
        assert!(started.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn put_never_waits_for_a_consumer() {
        // A consumer that never takes must not slow the producer down nor grow memory.
        let mailbox = Mailbox::new();
        let started = Instant::now();
        for i in 0..100_000 {
            mailbox.put(vec![i; 16]);
        }
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(mailbox.take(), Some(vec![99_999; 16]));
        assert_eq!(mailbox.dropped_count(), 99_999);
    }

    #[test]
    fn take_timeout_wakes_up_when_a_value_arrives() {
        let mailbox = Arc::new(Mailbox::new());
        let producer = {
            let mailbox = Arc::clone(&mailbox);
            std::thread::Builder::new()
                .name("test-producer".into())
                .spawn(move || {
                    std::thread::sleep(Duration::from_millis(20));
                    mailbox.put(7);
                })
                .unwrap()
        };
        let started = Instant::now();
        assert_eq!(mailbox.take_timeout(Duration::from_secs(5)), Some(7));
        assert!(started.elapsed() < Duration::from_secs(2));
        producer.join().unwrap();
    }

    #[test]
    fn take_timeout_gives_up_after_the_timeout() {
        let mailbox: Mailbox<u8> = Mailbox::new();
        let started = Instant::now();
        assert_eq!(mailbox.take_timeout(Duration::from_millis(30)), None);
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn a_concurrent_producer_and_slow_consumer_see_increasing_values() {
        let mailbox = Arc::new(Mailbox::new());
        let producer = {
            let mailbox = Arc::clone(&mailbox);
            std::thread::Builder::new()
                .name("test-producer".into())
                .spawn(move || {
                    for i in 0..20_000u64 {
                        mailbox.put(i);
                    }
                })
                .unwrap()
        };
        let mut last = None;
        while !producer.is_finished() {
            if let Some(v) = mailbox.take() {
                assert!(last.is_none_or(|l| v > l), "{v} after {last:?}");
                last = Some(v);
            }
            std::thread::sleep(Duration::from_micros(50));
        }
        producer.join().unwrap();
        if let Some(v) = mailbox.take() {
            last = Some(v);
        }
        assert_eq!(last, Some(19_999));
    }
}
