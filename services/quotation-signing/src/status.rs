//! The life of a quote: where it stands and what may move it. A status only moves forward, so
//! DocuSeal's webhooks, which come in any order and more than once, never undo one another.

use serde::Serialize;
use utoipa::ToSchema;

/// Where a quote stands. Named `QuoteState` in the OpenAPI document: payments' `Status` (an
/// invoice's) is another schema, and the hub serves both in one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = QuoteState)]
pub enum Status {
    /// In ERPNext, never sent (no row of ours).
    Draft,
    /// The link went to the customer.
    Sent,
    /// The customer opened it (DocuSeal's `form.viewed` or `form.started`).
    Viewed,
    /// Signed or clicked: the customer's consent is recorded; ERPNext is being updated.
    Signed,
    /// The Sales Order and Subscriptions exist.
    Accepted,
    /// The customer declined to sign.
    Declined,
    /// The quote's validity or DocuSeal's submission ran out before it was signed.
    Expired,
}

/// Something that happened to a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Happening {
    /// Sent (again) by staff.
    Sent,
    /// Opened.
    Viewed,
    /// Signed on DocuSeal, or accepted with one click.
    Signed,
    /// Its Sales Order made.
    Accepted,
    /// Declined on DocuSeal.
    Declined,
    /// Expired.
    Expired,
}

impl Status {
    /// The status stored in the database and shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Sent => "sent",
            Self::Viewed => "viewed",
            Self::Signed => "signed",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }

    /// The status stored as `raw`; an unknown one reads as sent (the oldest live status).
    pub fn parse(raw: &str) -> Self {
        [
            Self::Draft,
            Self::Sent,
            Self::Viewed,
            Self::Signed,
            Self::Accepted,
            Self::Declined,
            Self::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .unwrap_or(Self::Sent)
    }

    /// Whether the customer may still sign or accept.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Sent | Self::Viewed)
    }

    /// The status after `what`, or `None` when it changes nothing (kept in the history only).
    /// Forward only: `sent < viewed < signed < accepted`; a decline or an expiry only before the
    /// signature; a new sending reopens a declined quote (staff sent it again) but nothing else.
    pub fn after(self, what: Happening) -> Option<Self> {
        let next = match (self, what) {
            (Self::Draft | Self::Declined, Happening::Sent) => Self::Sent,
            (Self::Draft | Self::Sent, Happening::Viewed) => Self::Viewed,
            (Self::Draft | Self::Sent | Self::Viewed, Happening::Signed) => Self::Signed,
            (Self::Signed, Happening::Accepted) => Self::Accepted,
            (Self::Sent | Self::Viewed, Happening::Declined) => Self::Declined,
            (Self::Sent | Self::Viewed | Self::Declined, Happening::Expired) => Self::Expired,
            _ => return None,
        };
        Some(next)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Happening as H, Status as S};

    #[test]
    fn the_happy_path_moves_forward() {
        let mut s = S::Draft;
        for (what, want) in [
            (H::Sent, S::Sent),
            (H::Viewed, S::Viewed),
            (H::Signed, S::Signed),
            (H::Accepted, S::Accepted),
        ] {
            s = s.after(what).unwrap();
            assert_eq!(s, want);
        }
    }

    #[test]
    fn late_or_repeated_events_change_nothing() {
        assert_eq!(S::Signed.after(H::Viewed), None);
        assert_eq!(S::Accepted.after(H::Signed), None);
        assert_eq!(S::Accepted.after(H::Declined), None);
        assert_eq!(S::Signed.after(H::Expired), None);
        assert_eq!(S::Viewed.after(H::Viewed), None);
        assert_eq!(S::Expired.after(H::Signed), None);
        assert_eq!(S::Declined.after(H::Signed), None);
        assert_eq!(S::Sent.after(H::Accepted), None);
    }

    #[test]
    fn a_declined_quote_may_be_sent_again_an_expired_one_not() {
        assert_eq!(S::Declined.after(H::Sent), Some(S::Sent));
        assert_eq!(S::Expired.after(H::Sent), None);
        assert_eq!(S::Viewed.after(H::Sent), None);
    }

    #[test]
    fn every_status_reads_back() {
        for s in [
            S::Draft,
            S::Sent,
            S::Viewed,
            S::Signed,
            S::Accepted,
            S::Declined,
            S::Expired,
        ] {
            assert_eq!(S::parse(s.as_str()), s);
        }
        assert!(S::Sent.is_open() && S::Viewed.is_open() && !S::Signed.is_open());
    }
}
