//! Limits on password guesses, for sign-in and for the current password of a password change.
//!
//! Every attempt is recorded *before* its password is verified, in a transaction that holds a
//! lock on the source address and one on the username, so a parallel burst gets exactly as many
//! verifications as a serial one. A success is recorded too and erases nothing. The limits slow
//! the guessing address, never the account as such, so that nobody can lock a real user out
//! from another address:
//! - per username and address: [`PAIR_FAILURES`] failures since that address last signed in as
//!   that user, within [`WINDOW_MINUTES`];
//! - per address, over all usernames: [`ADDRESS_FAILURES`] within the window (guessing many
//!   accounts from one place);
//! - per username, over all addresses: after [`ACCOUNT_FAILURES`] within the window (guessing
//!   from many places), an address that has not signed in as that user in the last
//!   [`KNOWN_ADDRESS_DAYS`] days gets [`UNKNOWN_ADDRESS_FAILURES`] failure per window instead of
//!   [`PAIR_FAILURES`]: slower, never shut out; the user's own addresses are not slowed.

use super::audit;
use super::passwords::{self, Slot};
use crate::error::AppError;
use sqlx::PgPool;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW_MINUTES: i64 = 15;
pub const PAIR_FAILURES: i64 = 5;
pub const ADDRESS_FAILURES: i64 = 30;
pub const ACCOUNT_FAILURES: i64 = 50;
pub const KNOWN_ADDRESS_DAYS: i64 = 90;
/// At least one: a stranger to an account under attack is slowed, never shut out.
pub const UNKNOWN_ADDRESS_FAILURES: i64 = 1;
const _: () = assert!(UNKNOWN_ADDRESS_FAILURES >= 1);

/// The source address of the request: the socket peer, or the client a configured trusted
/// proxy names (set by the server's middleware on every request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The address as the attempts table keys it. An IPv6 client controls a whole /64, so the
    /// /64 is one address.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

/// The source address of the current server function call ("unknown" outside a request).
pub fn client_address_key() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().copied())
        .map(|a| a.key())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The failures one address may have for one username: fewer for a stranger to the account while
/// the account is guessed at from many places.
pub fn pair_limit(account_failures: i64, known_address: bool) -> i64 {
    if account_failures >= ACCOUNT_FAILURES && !known_address {
        UNKNOWN_ADDRESS_FAILURES
    } else {
        PAIR_FAILURES
    }
}

/// What a limit said no to, for the message.
fn refused(seconds_left: Option<f64>) -> AppError {
    let minutes = (seconds_left.unwrap_or((WINDOW_MINUTES * 60) as f64) / 60.0)
        .ceil()
        .clamp(1.0, WINDOW_MINUTES as f64) as i64;
    AppError::TooManyAttempts { minutes }
}

/// Refusals remembered in this process for a short while, so that a flood from an address that
/// is already refused costs neither a hash slot nor a database query. The database stays the
/// source of truth (several server instances share it).
struct Refusals {
    until: HashMap<String, Instant>,
}

const REMEMBERED_REFUSALS: usize = 10_000;
const REMEMBER_FOR: Duration = Duration::from_secs(10);

static REFUSALS: Mutex<Option<Refusals>> = Mutex::new(None);

fn refusal_keys(username: &str, address: &str) -> [String; 2] {
    [
        format!("{address}\u{1}{username}"),
        format!("{address}\u{1}"),
    ]
}

fn remembered_refusal(username: &str, address: &str) -> bool {
    let now = Instant::now();
    let guard = REFUSALS.lock().unwrap_or_else(|e| e.into_inner());
    guard.as_ref().is_some_and(|r| {
        refusal_keys(username, address)
            .iter()
            .any(|k| r.until.get(k).is_some_and(|until| *until > now))
    })
}

fn remember_refusal(key: String) {
    let now = Instant::now();
    let mut guard = REFUSALS.lock().unwrap_or_else(|e| e.into_inner());
    let refusals = guard.get_or_insert_with(|| Refusals {
        until: HashMap::new(),
    });
    if refusals.until.len() >= REMEMBERED_REFUSALS {
        refusals.until.retain(|_, until| *until > now);
        if refusals.until.len() >= REMEMBERED_REFUSALS {
            refusals.until.clear();
        }
    }
    refusals.until.insert(key, now + REMEMBER_FOR);
}

#[derive(sqlx::FromRow)]
struct Counts {
    pair_failures: i64,
    pair_seconds_left: Option<f64>,
    address_failures: i64,
    address_seconds_left: Option<f64>,
    account_failures: i64,
    known_address: bool,
}

/// An attempt that passed the limits and is recorded (as failed until [`Attempt::succeeded`]).
pub struct Attempt {
    id: i64,
    pub slot: Slot,
}

/// Checks the limits for `username` from `address` and records the attempt, atomically; the
/// attempt holds a hash slot (taken before any database work, so that the attempts in progress
/// are bounded whatever arrives).
pub async fn begin(pool: &PgPool, username: &str, address: &str) -> Result<Attempt, AppError> {
    if remembered_refusal(username, address) {
        return Err(refused(None));
    }
    let slot = passwords::slot().await?;
    let mut tx = pool.begin().await?;
    // A burst queues on these locks holding a connection each: bounded by the hash slots, and
    // by this timeout (the attempt is then refused as busy, not left waiting).
    sqlx::query("set local lock_timeout = '2s'")
        .execute(&mut *tx)
        .await?;
    // Address first, then username, always in this order (no deadlock between two attempts).
    sqlx::query("select pg_advisory_xact_lock(hashtextextended('sign_in_address:' || $1, 0))")
        .bind(address)
        .execute(&mut *tx)
        .await?;
    sqlx::query("select pg_advisory_xact_lock(hashtextextended('sign_in_username:' || $1, 0))")
        .bind(username)
        .execute(&mut *tx)
        .await?;
    let counts: Counts = sqlx::query_as(
        "with window_start as (select now() - make_interval(mins => $3::int) as at),
              pair_since as (
                select greatest((select at from window_start),
                                coalesce(max(at) filter (where succeeded), '-infinity')) as at
                  from sign_in_attempts where username = $1 and ip = $2),
              pair as (
                select count(*) as n, min(at) as oldest from sign_in_attempts
                 where username = $1 and ip = $2 and not succeeded and at > (select at from pair_since)),
              address as (
                select count(*) as n, min(at) as oldest from sign_in_attempts
                 where ip = $2 and not succeeded and at > (select at from window_start))
         select (select n from pair) as pair_failures,
                extract(epoch from (select oldest from pair) + make_interval(mins => $3::int) - now())::float8
                    as pair_seconds_left,
                (select n from address) as address_failures,
                extract(epoch from (select oldest from address) + make_interval(mins => $3::int) - now())::float8
                    as address_seconds_left,
                (select count(*) from sign_in_attempts
                  where username = $1 and not succeeded and at > (select at from window_start)) as account_failures,
                exists(select 1 from sign_in_attempts
                        where username = $1 and ip = $2 and succeeded
                          and at > now() - make_interval(days => $4::int)) as known_address",
    )
    .bind(username)
    .bind(address)
    .bind(WINDOW_MINUTES as i32)
    .bind(KNOWN_ADDRESS_DAYS as i32)
    .fetch_one(&mut *tx)
    .await?;

    let pair_limit = pair_limit(counts.account_failures, counts.known_address);
    let refusal = if counts.address_failures >= ADDRESS_FAILURES {
        remember_refusal(refusal_keys(username, address)[1].clone());
        Some(refused(counts.address_seconds_left))
    } else if counts.pair_failures >= pair_limit {
        remember_refusal(refusal_keys(username, address)[0].clone());
        Some(refused(counts.pair_seconds_left))
    } else {
        None
    };
    if let Some(error) = refusal {
        crate::ssr::rollback(tx).await?;
        tracing::info!(address, "password attempt refused by the limits");
        return Err(error);
    }
    let id: i64 = sqlx::query_scalar(
        "insert into sign_in_attempts (username, ip) values ($1, $2) returning id",
    )
    .bind(username)
    .bind(address)
    .fetch_one(&mut *tx)
    .await?;
    crate::ssr::commit(tx).await?;
    Ok(Attempt { id, slot })
}

impl Attempt {
    /// Verifies `password` (against a dummy hash when `hash` is `None`, as slowly) and records
    /// the outcome: a success marks this attempt; a failure stays counted and is audited with
    /// the address (`user_id` when the username names a user).
    pub async fn verify(
        self,
        pool: &PgPool,
        password: String,
        hash: Option<String>,
        user_id: Option<i64>,
        username: &str,
        address: &str,
    ) -> Result<bool, AppError> {
        let valid = passwords::verify_in(self.slot, password, hash).await;
        let mut tx = pool.begin().await?;
        if valid {
            sqlx::query("update sign_in_attempts set succeeded = true where id = $1")
                .bind(self.id)
                .execute(&mut *tx)
                .await?;
        } else {
            audit::record_as(
                &mut tx,
                user_id,
                None,
                audit::Change {
                    action: "password_attempt_failed",
                    entity: "user",
                    entity_id: user_id,
                    before: None,
                    after: Some(serde_json::json!({ "username": username, "address": address })),
                },
            )
            .await?;
        }
        crate::ssr::commit(tx).await?;
        Ok(valid)
    }
}

/// Removes attempts no limit reads any more: failures after a day, successes (the known
/// addresses) after [`KNOWN_ADDRESS_DAYS`]. The audit log keeps the failures.
pub async fn prune(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "delete from sign_in_attempts
          where (not succeeded and at < now() - interval '1 day')
             or at < now() - make_interval(days => $1::int)",
    )
    .bind(KNOWN_ADDRESS_DAYS as i32)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_keyed_by_host_or_ipv6_prefix() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(ClientAddress(v4).key(), "203.0.113.7");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(ClientAddress(mapped).key(), "203.0.113.7");
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientAddress(a).key(), "2001:db8:1:2::/64");
        assert_eq!(ClientAddress(a).key(), ClientAddress(b).key());
        assert_ne!(ClientAddress(a).key(), ClientAddress(c).key());
    }

    #[test]
    fn an_account_guessed_from_many_places_slows_strangers_only() {
        assert_eq!(pair_limit(0, false), PAIR_FAILURES);
        assert_eq!(pair_limit(ACCOUNT_FAILURES - 1, false), PAIR_FAILURES);
        assert_eq!(
            pair_limit(ACCOUNT_FAILURES, false),
            UNKNOWN_ADDRESS_FAILURES
        );
        assert_eq!(pair_limit(ACCOUNT_FAILURES, true), PAIR_FAILURES);
    }

    #[test]
    fn refusal_minutes_are_within_the_window() {
        assert_eq!(refused(Some(1.0)), AppError::TooManyAttempts { minutes: 1 });
        assert_eq!(
            refused(Some(61.0)),
            AppError::TooManyAttempts { minutes: 2 }
        );
        assert_eq!(
            refused(Some(-5.0)),
            AppError::TooManyAttempts { minutes: 1 }
        );
        assert_eq!(
            refused(None),
            AppError::TooManyAttempts {
                minutes: WINDOW_MINUTES
            }
        );
    }

    #[test]
    fn remembered_refusals_cover_the_pair_or_the_whole_address() {
        remember_refusal(refusal_keys("mallory-target", "198.51.100.1")[0].clone());
        assert!(remembered_refusal("mallory-target", "198.51.100.1"));
        assert!(!remembered_refusal("someone-else", "198.51.100.1"));
        assert!(!remembered_refusal("mallory-target", "198.51.100.2"));
        remember_refusal(refusal_keys("x", "198.51.100.3")[1].clone());
        assert!(remembered_refusal("anyone", "198.51.100.3"));
    }
}
