//! Stripe's test cards a card can be saved from, and what charging the saved card off-session
//! does (Stripe's testing docs: declines by code, 3-D Secure by how the card was set up).

/// What an off-session charge of a saved card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffSession {
    /// Charged.
    Succeeds,
    /// Declined: Stripe's error `code`, `decline_code` (none for an expired card) and message.
    Declined {
        code: &'static str,
        decline_code: Option<&'static str>,
        message: &'static str,
    },
    /// The issuer asks for 3-D Secure, which an absent customer cannot give.
    AuthenticationRequired,
}

/// A test card: its number and what charging it saved does.
#[derive(Debug, Clone, Copy)]
pub struct TestCard {
    /// The 16 digits.
    pub number: &'static str,
    /// `visa`.
    pub brand: &'static str,
    /// Off-session outcome.
    #[allow(
        dead_code,
        reason = "read by off-session PaymentIntents, the next step"
    )]
    pub off_session: OffSession,
}

const DECLINED: &str = "Your card was declined.";

/// The cards the setup page takes.
pub const SAVABLE: &[TestCard] = &[
    card("4242424242424242", OffSession::Succeeds),
    // Authenticates once when set up; Stripe's docs: later off-session payments need no more.
    card("4000002500003155", OffSession::Succeeds),
    card("4000002760003184", OffSession::AuthenticationRequired),
    card(
        "4000000000000002",
        declined("card_declined", Some("generic_decline"), DECLINED),
    ),
    // Stripe's card that attaches fine but whose charges fail.
    card(
        "4000000000000341",
        declined("card_declined", Some("generic_decline"), DECLINED),
    ),
    card(
        "4000000000009995",
        declined(
            "card_declined",
            Some("insufficient_funds"),
            "Your card has insufficient funds.",
        ),
    ),
    card(
        "4000000000009987",
        declined("card_declined", Some("lost_card"), DECLINED),
    ),
    card(
        "4000000000000069",
        declined("expired_card", None, "Your card has expired."),
    ),
];

const fn card(number: &'static str, off_session: OffSession) -> TestCard {
    TestCard {
        number,
        brand: "visa",
        off_session,
    }
}

const fn declined(
    code: &'static str,
    decline_code: Option<&'static str>,
    message: &'static str,
) -> OffSession {
    OffSession::Declined {
        code,
        decline_code,
        message,
    }
}

/// The test card of a typed number (spaces and dashes ignored).
pub fn savable(typed: &str) -> Option<TestCard> {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    SAVABLE.iter().copied().find(|c| c.number == digits)
}

/// The test card a PaymentMethod was saved from.
pub fn by_number(number: &str) -> Option<TestCard> {
    SAVABLE.iter().copied().find(|c| c.number == number)
}

impl TestCard {
    /// The last four digits.
    pub fn last4(&self) -> &'static str {
        &self.number[12..]
    }
}
