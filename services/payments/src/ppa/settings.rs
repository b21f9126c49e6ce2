//! Auto-pay's settings: `PPA_ENABLED`, `PPA_TIME`, `PPA_RATE_PER_S`, `PPA_LEASE_SECONDS`.

use std::num::NonZeroU32;

use chrono::NaiveTime;
use shared::config::{self, ConfigError, Source};

/// How auto-pay runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PpaSettings {
    /// Whether the daily run is scheduled (`PPA_ENABLED`, off by default); a run by hand works
    /// either way.
    pub enabled: bool,
    /// When it runs each day, America/Toronto (`PPA_TIME`, `06:00`).
    pub time: NaiveTime,
    /// Calls to Stripe per second at most (`PPA_RATE_PER_S`, 20; Stripe's live limit is 100).
    pub rate_per_s: NonZeroU32,
    /// How long a run's lease lasts without renewal (`PPA_LEASE_SECONDS`, 120): after a crash, the
    /// day can be run again this long after.
    pub lease_seconds: u32,
}

impl PpaSettings {
    /// Reads the settings from `src`, failing on the first bad variable.
    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let time = config::string_or(src, "PPA_TIME", "06:00");
        let lease_seconds = config::parsed_or(src, "PPA_LEASE_SECONDS", 120)?;
        if lease_seconds == 0 {
            return Err(bad("PPA_LEASE_SECONDS", "at least 1".to_owned()));
        }
        Ok(Self {
            enabled: config::parsed_or(src, "PPA_ENABLED", false)?,
            time: NaiveTime::parse_from_str(time.trim(), "%H:%M")
                .map_err(|_| bad("PPA_TIME", format!("{time:?} is not HH:MM (06:00)")))?,
            rate_per_s: config::parsed_or(
                src,
                "PPA_RATE_PER_S",
                NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
            )?,
            lease_seconds,
        })
    }
}

fn bad(name: &str, problem: String) -> ConfigError {
    ConfigError {
        name: name.to_owned(),
        problem,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(pairs: &[(&str, &str)]) -> Result<PpaSettings, ConfigError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        PpaSettings::from_source(&env)
    }

    #[test]
    fn auto_pay_is_off_at_six_and_twenty_a_second_by_default() {
        let s = read(&[]).unwrap();
        assert!(!s.enabled);
        assert_eq!(s.time, NaiveTime::from_hms_opt(6, 0, 0).unwrap());
        assert_eq!(s.rate_per_s.get(), 20);
    }

    /// Bad input tried: a time without minutes, a zero rate, a zero lease, a word for a bool.
    #[test]
    fn bad_settings_are_named() {
        for (name, value) in [
            ("PPA_TIME", "6h"),
            ("PPA_RATE_PER_S", "0"),
            ("PPA_LEASE_SECONDS", "0"),
            ("PPA_ENABLED", "oui"),
        ] {
            assert_eq!(read(&[(name, value)]).unwrap_err().name, name);
        }
    }
}
