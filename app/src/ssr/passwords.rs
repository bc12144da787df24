//! Argon2id hashing and verification, bounded. Each hash holds about 19 MiB and a core for tens
//! of milliseconds, so an unbounded number at once lets anyone without an account exhaust the
//! server's memory and CPU (a flood of sign-ins). Hashes run on the blocking pool, at most
//! [`slots`] at once; a caller that cannot get a slot soon is refused with [`AppError::Busy`]
//! at once, before any hash is computed.

use crate::error::AppError;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a caller waits for a free slot before it is refused.
pub const SLOT_WAIT: Duration = Duration::from_secs(1);
/// How many callers may wait for a slot; more are refused at once. A waiter costs a few hundred
/// bytes (no hash is computed for it yet), so a burst that the limits refuse waits its turn.
pub const MAX_WAITING: usize = 256;
/// The `Retry-After` of a refusal.
pub const BUSY_RETRY_SECONDS: i64 = 2;

struct Slots {
    semaphore: std::sync::Arc<Semaphore>,
    count: usize,
    waiting: AtomicUsize,
}

static SLOTS: OnceLock<Slots> = OnceLock::new();

/// The default number of slots: about the core count (`THRESHOLD_HASH_SLOTS` overrides).
pub fn default_slots() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Sets the number of hashes that may run at once. Only the first call counts (the server calls
/// it at start-up, before any request); without a call, [`default_slots`].
pub fn configure(count: usize) {
    let _ = SLOTS.set(new_slots(count));
}

fn new_slots(count: usize) -> Slots {
    let count = count.max(1);
    Slots {
        semaphore: std::sync::Arc::new(Semaphore::new(count)),
        count,
        waiting: AtomicUsize::new(0),
    }
}

fn slots_state() -> &'static Slots {
    SLOTS.get_or_init(|| new_slots(default_slots()))
}

/// The number of hashes that may run at once.
pub fn slots() -> usize {
    slots_state().count
}

/// A right to compute one hash. Held for the whole of a sign-in attempt, so that the attempts in
/// progress, and the database work they do, are bounded too.
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

/// Waits up to [`SLOT_WAIT`] for a slot; refuses at once when [`MAX_WAITING`] callers wait.
pub async fn slot() -> Result<Slot, AppError> {
    let state = slots_state();
    if let Ok(permit) = state.semaphore.clone().try_acquire_owned() {
        return Ok(Slot(permit));
    }
    if state.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        state.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(busy());
    }
    let acquired = tokio::time::timeout(SLOT_WAIT, state.semaphore.clone().acquire_owned()).await;
    state.waiting.fetch_sub(1, Ordering::SeqCst);
    match acquired {
        Ok(Ok(permit)) => Ok(Slot(permit)),
        _ => Err(busy()),
    }
}

fn busy() -> AppError {
    tracing::warn!("password hashing busy: request refused");
    AppError::Busy {
        seconds: BUSY_RETRY_SECONDS,
    }
}

/// Hashes a new password (synchronously: only for start-up work such as demo data).
pub fn hash_now(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fixed hash to verify against when the username does not exist, so that a missing user
/// takes as long as a wrong password. Computed once, on the blocking pool.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_now("not-a-real-password-0").unwrap_or_default())
}

/// Hashes a new password in a slot, off the async threads.
pub async fn hash(password: String) -> Result<String, AppError> {
    let slot = self::slot().await?;
    hash_in(slot, password).await
}

/// Hashes a new password in a slot already held.
pub async fn hash_in(slot: Slot, password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        hash_now(&password)
    })
    .await
    .map_err(|_| AppError::Internal)?
}

/// Verifies `password` against `hash` (or, for a user that does not exist, against a dummy hash,
/// as slowly) in the slot given, off the async threads. The slot goes with the hash: it is
/// released when the hash is done, even if the request was dropped meanwhile, so no more hashes
/// than slots ever run.
pub async fn verify_in(slot: Slot, password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        match hash {
            Some(hash) => verify_now(&password, &hash),
            None => {
                let _ = verify_now(&password, dummy_hash());
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_now("correct horse").unwrap();
        assert!(verify_now("correct horse", &hash));
        assert!(!verify_now("correct horsE", &hash));
        assert!(!verify_now("correct horse", "not a hash"));
    }

    #[tokio::test]
    async fn slots_are_bounded_and_refuse_when_none_is_free() {
        let state = new_slots(2);
        let a = state.semaphore.clone().try_acquire_owned().unwrap();
        let _b = state.semaphore.clone().try_acquire_owned().unwrap();
        assert!(state.semaphore.clone().try_acquire_owned().is_err());
        drop(a);
        assert!(state.semaphore.clone().try_acquire_owned().is_ok());
        assert_eq!(new_slots(0).count, 1, "at least one slot");
    }
}
