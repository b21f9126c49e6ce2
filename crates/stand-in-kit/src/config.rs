//! The settings every stand-in reads the same way.

use std::time::Duration;

use shared::config::{self, ConfigError, Source};

/// `BIND`, `default` when unset; refused unless it is `address:port`.
pub fn bind(src: &dyn Source, default: &str) -> Result<String, ConfigError> {
    let bind = config::string_or(src, "BIND", default);
    match bind.rsplit_once(':').map(|(_, port)| port.parse::<u16>()) {
        Some(Ok(_)) => Ok(bind),
        _ => Err(ConfigError::new(
            "BIND",
            format!("{bind:?} is not an address:port"),
        )),
    }
}

/// The waits before each webhook retry, in seconds separated by commas in `name` (`60,300`);
/// `default` when unset.
pub fn retry_schedule(
    src: &dyn Source,
    name: &str,
    default: Vec<Duration>,
) -> Result<Vec<Duration>, ConfigError> {
    let Some(raw) = src.get(name) else {
        return Ok(default);
    };
    raw.split(',')
        .map(|s| s.trim().parse::<u64>().map(Duration::from_secs))
        .collect::<Result<_, _>>()
        .map_err(|_| ConfigError::new(name, "a comma-separated list of seconds"))
}
