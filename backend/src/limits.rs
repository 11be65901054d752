//! Rate limits on guessing (sign-in, the public status look-up), safe when requests come
//! together: an attempt is counted *before* it is checked (`AttemptLimiter::begin`, one lock),
//! so of 40 simultaneous guesses with a limit of 5 exactly 5 are checked and 35 answered 429.
//! A successful attempt gives its slot back (`Attempt::release`); a failed one keeps it
//! until it leaves the sliding window.
//!
//! Memory is bounded: a limiter holds at most `MAX_KEYS` keys (the least recently failing
//! keys are dropped first when full) and at most `max` instants per key.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Most keys one limiter remembers.
pub const MAX_KEYS: usize = 100_000;

/// Failures per key in a sliding window.
#[derive(Debug)]
pub struct AttemptLimiter<K> {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<K, VecDeque<Instant>>>,
}

/// An attempt counted against its keys; `release` gives the slots back. Dropping it
/// keeps them (the attempt counts as failed).
#[derive(Debug)]
#[must_use = "an attempt counts as failed unless `release` is called"]
pub struct Attempt<K: Eq + Hash + Clone> {
    slots: Vec<(Arc<AttemptLimiter<K>>, K, Instant)>,
}

impl<K: Eq + Hash + Clone> Attempt<K> {
    /// The attempt does not count against its keys (it succeeded, or was never checked).
    pub fn release(self) {
        for (limiter, key, at) in &self.slots {
            limiter.give_back(key, *at);
        }
    }
}

impl<K: Eq + Hash + Clone> AttemptLimiter<K> {
    /// At most `max` failures per key within `window`.
    pub fn new(max: u32, window: Duration) -> AttemptLimiter<K> {
        AttemptLimiter {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt for every `(limiter, key)` pair at once, or none if any key has
    /// used up its failures (then `Err` with how long until that key has room again).
    pub fn begin(pairs: &[(&Arc<AttemptLimiter<K>>, K)]) -> Result<Attempt<K>, Duration> {
        let now = Instant::now();
        let mut slots = Vec::with_capacity(pairs.len());
        for (limiter, key) in pairs {
            match limiter.take(key, now) {
                Ok(()) => slots.push((Arc::clone(limiter), key.clone(), now)),
                Err(wait) => {
                    for (limiter, key, at) in &slots {
                        limiter.give_back(key, *at);
                    }
                    return Err(wait);
                }
            }
        }
        Ok(Attempt { slots })
    }

    /// How many failures `key` has in the window now.
    pub fn failures(&self, key: &K) -> usize {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        hits.get_mut(key).map_or(0, |q| {
            expire(q, now, self.window);
            q.len()
        })
    }

    /// Forgets every failure of `key` (a correct password clears its user's failures).
    pub fn clear(&self, key: &K) {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        hits.remove(key);
    }

    fn take(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        if hits.len() >= MAX_KEYS && !hits.contains_key(key) {
            let window = self.window;
            hits.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) <= window));
            if hits.len() >= MAX_KEYS {
                // Still full of live keys: drop the half that failed least recently.
                let mut lasts: Vec<Instant> =
                    hits.values().filter_map(|q| q.back().copied()).collect();
                lasts.sort_unstable();
                match lasts.get(lasts.len() / 2).copied() {
                    Some(cut) => hits.retain(|_, q| q.back().is_some_and(|t| *t > cut)),
                    // Only empty queues (a limit of 0): nothing to remember.
                    None => hits.clear(),
                }
            }
        }
        let q = hits.entry(key.clone()).or_default();
        expire(q, now, self.window);
        if q.len() >= self.max as usize {
            let oldest = q.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        q.push_back(now);
        Ok(())
    }

    fn give_back(&self, key: &K, at: Instant) {
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(q) = hits.get_mut(key) {
            if let Some(pos) = q.iter().rposition(|t| *t == at) {
                q.remove(pos);
            }
            if q.is_empty() {
                hits.remove(key);
            }
        }
    }
}

fn expire(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) > window) {
        q.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_count_before_they_are_checked_and_successes_give_them_back() {
        let user = Arc::new(AttemptLimiter::new(3, Duration::from_secs(60)));
        let ip = Arc::new(AttemptLimiter::new(5, Duration::from_secs(60)));
        // Three attempts in flight at once use up the user's limit.
        let a: Vec<_> = (0..3)
            .map(|_| AttemptLimiter::begin(&[(&user, "u"), (&ip, "1.2.3.4")]))
            .collect();
        assert!(a.iter().all(Result::is_ok));
        assert!(AttemptLimiter::begin(&[(&user, "u"), (&ip, "1.2.3.4")]).is_err());
        // The refused attempt did not count against the address.
        assert_eq!(ip.failures(&"1.2.3.4"), 3);
        // One succeeds: its slots come back.
        let mut a = a.into_iter().flatten();
        if let Some(first) = a.next() {
            first.release();
        }
        assert_eq!(user.failures(&"u"), 2);
        assert!(AttemptLimiter::begin(&[(&user, "u"), (&ip, "1.2.3.4")]).is_ok());
        assert_eq!(user.failures(&"u"), 3);
    }

    #[test]
    fn a_limit_of_zero_refuses_everything_and_stays_bounded() {
        let l = Arc::new(AttemptLimiter::new(0, Duration::from_secs(60)));
        for key in 0..(MAX_KEYS + 10) {
            assert!(AttemptLimiter::begin(&[(&l, key)]).is_err());
        }
        assert!(l.hits.lock().map(|h| h.len() <= MAX_KEYS).unwrap_or(false));
    }

    #[test]
    fn failures_leave_the_window() {
        let l = Arc::new(AttemptLimiter::new(1, Duration::from_millis(20)));
        assert!(AttemptLimiter::begin(&[(&l, 1)]).is_ok());
        let wait = AttemptLimiter::begin(&[(&l, 1)]).err();
        assert!(wait.is_some_and(|w| w <= Duration::from_millis(20)));
        std::thread::sleep(Duration::from_millis(30));
        assert!(AttemptLimiter::begin(&[(&l, 1)]).is_ok());
    }
}
