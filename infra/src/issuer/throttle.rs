//! Failed sign-ins slow down guessing, per username and per client address, as
//! Cognito's lockout does: after a few failures each further one locks the key for a
//! time that doubles, up to 15 minutes. A success clears its username (not the address:
//! an attacker's own account must not reset their address's count).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before a username is locked.
pub const USER_FREE_FAILURES: u32 = 5;
/// Failures allowed from one client address (several people may share it).
pub const ADDRESS_FREE_FAILURES: u32 = 20;
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

#[derive(Default)]
pub struct Throttle {
    by_key: Mutex<HashMap<String, Failures>>,
}

fn lock_for(count: u32, free: u32) -> Duration {
    if count < free {
        return Duration::ZERO;
    }
    let doublings = (count - free).min(10);
    Duration::from_secs(1u64 << doublings).min(MAX_LOCK)
}

impl Throttle {
    fn keys(username: &str, address: &str) -> [(String, u32); 2] {
        [
            (format!("user:{}", username.trim().to_lowercase()), USER_FREE_FAILURES),
            (format!("addr:{address}"), ADDRESS_FREE_FAILURES),
        ]
    }

    /// Starts a sign-in attempt: `Err(wait)` while either key is locked; otherwise the
    /// attempt is counted as a failure at once, so parallel guesses cannot all pass
    /// before the first one fails ([`Throttle::succeeded`] takes it back).
    pub fn begin(&self, username: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let mut table = self.by_key.lock().expect("throttle lock");
        let mut wait = Duration::ZERO;
        for (key, free) in Self::keys(username, address) {
            if let Some(f) = table.get(&key).filter(|f| now.duration_since(f.last) < WINDOW) {
                let until = f.last + lock_for(f.count, free);
                wait = wait.max(until.saturating_duration_since(now));
            }
        }
        if !wait.is_zero() {
            return Err(wait);
        }
        if table.len() > 100_000 {
            table.retain(|_, f| now.duration_since(f.last) < WINDOW);
        }
        for (key, _) in Self::keys(username, address) {
            let entry = table.entry(key).or_insert(Failures { count: 0, last: now });
            if now.duration_since(entry.last) >= WINDOW {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = now;
        }
        Ok(())
    }

    /// The attempt begun for `username` from `address` succeeded: the username's count
    /// is cleared and the address's attempt taken back.
    pub fn succeeded(&self, username: &str, address: &str) {
        let [(user_key, _), (address_key, _)] = Self::keys(username, address);
        let mut table = self.by_key.lock().expect("throttle lock");
        table.remove(&user_key);
        if let Some(f) = table.get_mut(&address_key) {
            f.count = f.count.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_locks_after_five_failures_and_the_lock_doubles() {
        let t = Throttle::default();
        let now = Instant::now();
        for _ in 0..USER_FREE_FAILURES {
            assert!(t.begin("Alice", "10.0.0.1", now).is_ok());
        }
        assert_eq!(t.begin("ALICE", "10.0.0.9", now), Err(Duration::from_secs(1)), "from any address");
        let later = now + Duration::from_secs(1);
        assert!(t.begin("alice", "10.0.0.9", later).is_ok(), "the lock ended; one more try");
        assert_eq!(t.begin("alice", "10.0.0.9", later), Err(Duration::from_secs(2)), "and it doubles");
        assert!(t.begin("bob", "10.0.0.9", later).is_ok(), "another user is not locked");
        t.succeeded("alice", "10.0.0.9");
        assert!(t.begin("alice", "10.0.0.9", later).is_ok());
    }

    #[test]
    fn parallel_guesses_are_counted_before_any_is_checked() {
        let t = Throttle::default();
        let now = Instant::now();
        let passed = (0..50).filter(|_| t.begin("carol", "10.0.0.1", now).is_ok()).count();
        assert_eq!(passed as u32, USER_FREE_FAILURES, "50 at once: only the free attempts start");
    }

    #[test]
    fn one_address_guessing_many_usernames_is_locked_too() {
        let t = Throttle::default();
        let now = Instant::now();
        for i in 0..ADDRESS_FREE_FAILURES {
            assert!(t.begin(&format!("user{i}"), "10.0.0.1", now).is_ok());
        }
        assert!(t.begin("someone-new", "10.0.0.1", now).is_err());
        assert!(t.begin("someone-new", "10.0.0.2", now).is_ok());
        assert!(t.begin("someone-new", "10.0.0.1", now + WINDOW).is_ok(), "forgotten after the window");
        assert_eq!(lock_for(100, 5), MAX_LOCK);
    }
}
