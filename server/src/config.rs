//! Operating settings read from the environment (README, "Deploy"): the database pool, request
//! and shutdown deadlines, the log format and the metrics listener.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

/// How the log lines are written (`THRESHOLD_LOG_FORMAT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// Database connections in this instance's pool (`THRESHOLD_POOL_SIZE`, default 16). Several
    /// instances share the database's `max_connections`: keep their sum below it.
    pub pool_size: u32,
    /// How long a request waits for a free connection before it fails with 503
    /// (`THRESHOLD_POOL_TIMEOUT_SECONDS`, default 5).
    pub pool_timeout: Duration,
    /// A request still running after this is answered 408 (`THRESHOLD_REQUEST_TIMEOUT_SECONDS`,
    /// default 30).
    pub request_timeout: Duration,
    /// After SIGTERM, how long requests in flight may take to finish before the process exits
    /// anyway (`THRESHOLD_SHUTDOWN_SECONDS`, default 20).
    pub shutdown_deadline: Duration,
    pub log_format: LogFormat,
    /// Where Prometheus metrics are served (`THRESHOLD_METRICS_ADDR`, e.g. `127.0.0.1:9464`).
    /// Unset: no metrics listener. Never the public address: the metrics name routes and
    /// queue depths.
    pub metrics_addr: Option<SocketAddr>,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            pool_size: 16,
            pool_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            shutdown_deadline: Duration::from_secs(20),
            log_format: LogFormat::Text,
            metrics_addr: None,
        }
    }
}

impl Tuning {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from `lookup` (the environment, or a test's table). An unset or empty
    /// variable takes its default; a value out of range is refused with the variable's name.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let defaults = Tuning::default();
        let value = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let seconds = |name: &str, default: Duration, max: u64| -> Result<Duration, String> {
            match value(name) {
                None => Ok(default),
                Some(v) => number_in(name, &v, 1, max).map(Duration::from_secs),
            }
        };
        Ok(Tuning {
            pool_size: match value("THRESHOLD_POOL_SIZE") {
                None => defaults.pool_size,
                Some(v) => number_in("THRESHOLD_POOL_SIZE", &v, 2, 1000)?,
            },
            pool_timeout: seconds("THRESHOLD_POOL_TIMEOUT_SECONDS", defaults.pool_timeout, 60)?,
            request_timeout: seconds(
                "THRESHOLD_REQUEST_TIMEOUT_SECONDS",
                defaults.request_timeout,
                600,
            )?,
            shutdown_deadline: seconds(
                "THRESHOLD_SHUTDOWN_SECONDS",
                defaults.shutdown_deadline,
                600,
            )?,
            log_format: match value("THRESHOLD_LOG_FORMAT").as_deref().map(str::trim) {
                None | Some("text") => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some(other) => {
                    return Err(format!(
                        "THRESHOLD_LOG_FORMAT must be text or json (got {other:?})"
                    ))
                }
            },
            metrics_addr: match value("THRESHOLD_METRICS_ADDR") {
                None => None,
                Some(v) => Some(v.trim().parse().map_err(|_| {
                    format!("THRESHOLD_METRICS_ADDR must be an address and port such as 127.0.0.1:9464 (got {v:?})")
                })?),
            },
        })
    }

    /// At most half the pool's connections may be held by sign-ins in progress (each holds one
    /// while it waits for its limits' locks), so signed-in users always find a connection.
    pub fn max_hash_slots(&self) -> usize {
        (self.pool_size as usize / 2).max(1)
    }
}

fn number_in<T>(name: &str, value: &str, min: T, max: T) -> Result<T, String>
where
    T: FromStr + PartialOrd + std::fmt::Display + Copy,
{
    value
        .trim()
        .parse::<T>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("{name} must be a number from {min} to {max} (got {value:?})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Tuning, String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Tuning::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn unset_and_empty_variables_take_the_defaults() {
        assert_eq!(from(&[]).unwrap(), Tuning::default());
        assert_eq!(
            from(&[("THRESHOLD_POOL_SIZE", " "), ("THRESHOLD_LOG_FORMAT", "")]).unwrap(),
            Tuning::default()
        );
    }

    #[test]
    fn every_setting_is_read() {
        let tuning = from(&[
            ("THRESHOLD_POOL_SIZE", "32"),
            ("THRESHOLD_POOL_TIMEOUT_SECONDS", "2"),
            ("THRESHOLD_REQUEST_TIMEOUT_SECONDS", "45"),
            ("THRESHOLD_SHUTDOWN_SECONDS", "10"),
            ("THRESHOLD_LOG_FORMAT", "json"),
            ("THRESHOLD_METRICS_ADDR", "127.0.0.1:9464"),
        ])
        .unwrap();
        assert_eq!(
            tuning,
            Tuning {
                pool_size: 32,
                pool_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(45),
                shutdown_deadline: Duration::from_secs(10),
                log_format: LogFormat::Json,
                metrics_addr: Some("127.0.0.1:9464".parse().unwrap()),
            }
        );
        assert_eq!(tuning.max_hash_slots(), 16);
    }

    #[test]
    fn pool_size_is_checked_at_its_limits() {
        assert_eq!(from(&[("THRESHOLD_POOL_SIZE", "2")]).unwrap().pool_size, 2);
        assert_eq!(
            from(&[("THRESHOLD_POOL_SIZE", "1000")]).unwrap().pool_size,
            1000
        );
        for bad in ["1", "1001", "-4", "many"] {
            let error = from(&[("THRESHOLD_POOL_SIZE", bad)]).unwrap_err();
            assert!(error.starts_with("THRESHOLD_POOL_SIZE must be"), "{error}");
        }
        assert_eq!(
            from(&[("THRESHOLD_POOL_SIZE", "2")])
                .unwrap()
                .max_hash_slots(),
            1
        );
        assert_eq!(
            from(&[("THRESHOLD_POOL_SIZE", "3")])
                .unwrap()
                .max_hash_slots(),
            1
        );
    }

    #[test]
    fn deadlines_are_whole_seconds_within_their_limits() {
        assert_eq!(
            from(&[("THRESHOLD_SHUTDOWN_SECONDS", "600")])
                .unwrap()
                .shutdown_deadline,
            Duration::from_secs(600)
        );
        assert_eq!(
            from(&[("THRESHOLD_POOL_TIMEOUT_SECONDS", "1")])
                .unwrap()
                .pool_timeout,
            Duration::from_secs(1)
        );
        for (name, bad) in [
            ("THRESHOLD_SHUTDOWN_SECONDS", "601"),
            ("THRESHOLD_SHUTDOWN_SECONDS", "0"),
            ("THRESHOLD_POOL_TIMEOUT_SECONDS", "61"),
            ("THRESHOLD_REQUEST_TIMEOUT_SECONDS", "1.5"),
        ] {
            let error = from(&[(name, bad)]).unwrap_err();
            assert!(error.starts_with(name), "{error}");
        }
    }

    #[test]
    fn log_format_and_metrics_address_refuse_unknown_values() {
        assert!(from(&[("THRESHOLD_LOG_FORMAT", "xml")]).is_err());
        assert_eq!(
            from(&[("THRESHOLD_LOG_FORMAT", "text")])
                .unwrap()
                .log_format,
            LogFormat::Text
        );
        assert!(from(&[("THRESHOLD_METRICS_ADDR", "localhost")]).is_err());
    }
}
