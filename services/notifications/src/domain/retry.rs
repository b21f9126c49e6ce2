//! Retry delays and failure classes.

use std::time::Duration;

/// How a delivery attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The message itself was refused for now (SMTP 4xx, Twilio 429/5xx): retry, counting attempts.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// The message will never go (SMTP 5xx, Twilio invalid number): stop at once.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The provider is unreachable or misconfigured (connection refused, timeout, TLS, auth): an outage,
    /// not this message's fault; retry without using up its attempts.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The message went out but the provider's verdict was lost (no reply to the end of an email's
    /// data in time, or the connection cut while waiting for it): it may have been accepted. Handled
    /// as a send cut by a crash: its records are asked after the lease, before any resend.
    #[error("outcome unknown: {0}")]
    Uncertain(String),
}

/// Delay before attempt `attempt + 1`: `base * 2^attempt`, capped, with "full jitter" between half
/// and all of it, so that messages failing together do not retry together. `unit` in [0, 1).
pub fn retry_delay(attempt: u32, base: Duration, cap: Duration, unit: f64) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.min(30)));
    let ceiling = exp.min(cap);
    ceiling.mul_f64(0.5 + 0.5 * unit.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_then_stop_at_the_cap() {
        let base = Duration::from_secs(1);
        let cap = Duration::from_secs(60);
        assert_eq!(retry_delay(0, base, cap, 1.0), Duration::from_secs(1));
        assert_eq!(retry_delay(3, base, cap, 1.0), Duration::from_secs(8));
        assert_eq!(retry_delay(20, base, cap, 1.0), cap);
    }

    #[test]
    fn jitter_keeps_at_least_half_the_delay() {
        let d = retry_delay(2, Duration::from_secs(1), Duration::from_secs(60), 0.0);
        assert_eq!(d, Duration::from_secs(2));
    }

    #[test]
    fn huge_attempt_numbers_do_not_overflow() {
        let d = retry_delay(
            u32::MAX,
            Duration::from_secs(1),
            Duration::from_secs(300),
            0.5,
        );
        assert!(d <= Duration::from_secs(300));
    }
}
