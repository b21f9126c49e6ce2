//! What a day's run does with one invoice, from the attempts made on it before: the rules of retries
//! and declines, as plain functions.

use chrono::{Days, NaiveDate};
use shared::erpnext::SalesInvoice;

use crate::store::ppa_charge;

/// At most this many attempts per invoice.
pub const MAX_ATTEMPTS: i32 = 3;
/// Days between a soft decline and the next attempt: attempt 2 three days after the first, attempt 3
/// four days after that, all three within 10 days.
const RETRY_GAPS_DAYS: [u64; 2] = [3, 4];

/// Decline codes no retry can cure: the card or bank account is gone, blocked or wrong, or the
/// debit is not authorised (Stripe's decline codes and its bank debits' failure codes).
const HARD_DECLINES: &[&str] = &[
    "lost_card",
    "stolen_card",
    "expired_card",
    "pickup_card",
    "restricted_card",
    "fraudulent",
    "merchant_blacklist",
    "do_not_try_again",
    "incorrect_number",
    "invalid_account",
    "card_not_supported",
    "currency_not_supported",
    "revocation_of_authorization",
    "revocation_of_all_authorizations",
    "security_violation",
    "new_account_information_available",
    "stop_payment_order",
    "account_closed",
    "account_frozen",
    "bank_account_restricted",
    "debit_not_authorized",
    "invalid_account_number",
    "no_account",
];

/// What became of an attempt Stripe refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decline {
    /// Tried again later (insufficient funds, a generic decline…).
    Soft,
    /// Never tried again.
    Hard,
    /// The bank wants the customer (3-D Secure): no retry, a pay link at once.
    Authentication,
}

impl Decline {
    /// The kind of `code` (Stripe's `decline_code`, else its `code`).
    pub fn of(code: &str) -> Self {
        match code {
            "authentication_required" => Self::Authentication,
            c if HARD_DECLINES.contains(&c) => Self::Hard,
            _ => Self::Soft,
        }
    }

    /// The status recorded.
    pub fn status(self) -> &'static str {
        match self {
            Self::Soft => "soft_declined",
            Self::Hard => "hard_declined",
            Self::Authentication => "needs_authentication",
        }
    }
}

/// The attempt to make on an invoice today, from the attempts made before: the first; the same one
/// again when its outcome was never recorded (a crash during the call: the same idempotency key
/// replays Stripe's answer); the next after a soft decline whose day has come; otherwise none.
pub fn next_attempt(history: &[&ppa_charge::Model], day: NaiveDate) -> Option<i32> {
    let Some(latest) = history.iter().max_by_key(|c| c.attempt) else {
        return Some(1);
    };
    let due = |on: &Option<String>| {
        on.as_deref()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .is_some_and(|d| d <= day)
    };
    match latest.status.as_str() {
        "pending" => Some(latest.attempt),
        "soft_declined" if latest.attempt < MAX_ATTEMPTS && due(&latest.next_try_on) => {
            Some(latest.attempt + 1)
        }
        _ => None,
    }
}

/// When a soft decline of `attempt` on `day` is tried again; none after the last attempt.
pub fn retry_on(attempt: i32, day: NaiveDate) -> Option<NaiveDate> {
    let gap = *RETRY_GAPS_DAYS.get(usize::try_from(attempt - 1).ok()?)?;
    day.checked_add_days(Days::new(gap))
}

/// How attempt `attempt` of a bank debit settled on `day`: succeeded (no failure `code`), or
/// declined soft (tried again, `next_try_on`) or hard by its code.
pub fn settled_debit(
    code: Option<&str>,
    attempt: i32,
    day: NaiveDate,
) -> (&'static str, Option<String>) {
    let Some(code) = code else {
        return ("succeeded", None);
    };
    match Decline::of(code) {
        Decline::Hard => (Decline::Hard.status(), None),
        _ => (
            Decline::Soft.status(),
            retry_on(attempt, day).map(|d| d.to_string()),
        ),
    }
}

/// Whether auto-pay charges `invoice` on `day`: submitted, in Canadian dollars, something
/// outstanding, due by then.
pub fn is_due(invoice: &SalesInvoice, day: NaiveDate) -> bool {
    invoice.docstatus == 1
        && invoice.outstanding_amount > 0
        && invoice.due_date.is_some_and(|d| d <= day)
        && invoice
            .currency
            .as_deref()
            .is_none_or(|c| c.eq_ignore_ascii_case("CAD"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn charge(attempt: i32, status: &str, next: Option<&str>) -> ppa_charge::Model {
        ppa_charge::Model {
            invoice: "ACC-SINV-2026-00003".into(),
            attempt,
            day: "2027-01-05".into(),
            customer: "CUST-2024-00001".into(),
            amount_cents: 5_749,
            payment_intent: None,
            status: status.into(),
            decline_code: None,
            next_try_on: next.map(str::to_owned),
        }
    }

    #[test]
    fn declines_are_soft_hard_or_need_the_customer() {
        assert_eq!(Decline::of("insufficient_funds"), Decline::Soft);
        assert_eq!(Decline::of("generic_decline"), Decline::Soft);
        assert_eq!(Decline::of("lost_card"), Decline::Hard);
        assert_eq!(Decline::of("expired_card"), Decline::Hard);
        assert_eq!(Decline::of("debit_not_authorized"), Decline::Hard);
        assert_eq!(Decline::of("account_closed"), Decline::Hard);
        assert_eq!(
            Decline::of("authentication_required"),
            Decline::Authentication
        );
    }

    #[test]
    fn a_bank_debit_returned_for_insufficient_funds_is_tried_again_and_a_closed_account_never() {
        let day = day("2027-01-05");
        assert_eq!(settled_debit(None, 1, day), ("succeeded", None));
        assert_eq!(
            settled_debit(Some("insufficient_funds"), 1, day),
            ("soft_declined", Some("2027-01-08".to_owned()))
        );
        assert_eq!(
            settled_debit(Some("account_closed"), 1, day),
            ("hard_declined", None)
        );
    }

    #[test]
    fn a_soft_decline_is_tried_twice_more_within_ten_days() {
        let first = day("2027-01-05");
        let second = retry_on(1, first).unwrap();
        let third = retry_on(2, second).unwrap();
        assert_eq!((second, third), (day("2027-01-08"), day("2027-01-12")));
        assert!((third - first).num_days() < 10);
        assert_eq!(retry_on(3, third), None);
    }

    #[test]
    fn each_attempt_is_made_once_and_a_pending_one_is_replayed() {
        let today = day("2027-01-08");
        assert_eq!(next_attempt(&[], today), Some(1));
        let pending = charge(1, "pending", None);
        assert_eq!(next_attempt(&[&pending], today), Some(1));
        let soft = charge(1, "soft_declined", Some("2027-01-08"));
        assert_eq!(next_attempt(&[&soft], today), Some(2));
        assert_eq!(next_attempt(&[&soft], day("2027-01-07")), None);
        let last = charge(3, "soft_declined", None);
        assert_eq!(next_attempt(&[&soft, &last], day("2027-02-01")), None);
        for status in [
            "succeeded",
            "processing",
            "hard_declined",
            "needs_authentication",
        ] {
            assert_eq!(next_attempt(&[&charge(1, status, None)], today), None);
        }
    }
}
