//! Nothing to use here: this crate holds the multi-process test `tests/replicas.rs`, which starts the
//! erp-sandbox, two replicas of portal-auth and two of notifications as separate OS processes on the
//! real PostgreSQL and NATS JetStream, and proves they behave as one service each (issue 5) and that one
//! trace follows a link request from portal-auth over NATS to notifications' SMTP send (issue 17);
//! with the stripe-sandbox and two replicas of payments, that a payment's webhooks delivered to both
//! replicas at once book one Payment Entry (issue 18); with the docuseal-sandbox and two replicas of
//! quotation-signing, that a signature's webhook delivered five times across both accepts the quote
//! once (issue 19).
//!
//! Run it with the binaries built first: `cargo build -p portal-auth -p notifications -p payments
//! -p quotation-signing -p erp-sandbox -p stripe-sandbox -p docuseal-sandbox && cargo test -p
//! replicas`.
