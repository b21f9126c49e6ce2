//! What the SMTP sink received: the login message of one customer, and the tally of Message-IDs
//! that proves each email arrived once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use regex::Regex;
use testkit::{ReceivedMail, SmtpSink, mime, poll_until};

use super::cluster::{ACK_WAIT, LEASE, PORTAL_URL};

/// How many emails `to` received so far.
pub fn mails_to(sink: &SmtpSink, to: &str) -> usize {
    sink.messages()
        .iter()
        .filter(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
        .count()
}

/// The `n`-th email (from 1) received for `to`, waiting for it.
pub async fn nth_mail_to(sink: &SmtpSink, to: &str, n: usize) -> ReceivedMail {
    let found = poll_until(Duration::from_secs(30), || async {
        sink.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
            .nth(n - 1)
    })
    .await;
    found.unwrap_or_else(|| panic!("email #{n} to {to} never reached the SMTP sink"))
}

/// The text the customer reads.
pub fn text_of(mail: &ReceivedMail) -> String {
    mime::plain_text(mail).unwrap_or_else(|| panic!("no text part in {}", mail.data))
}

/// The token of the login link (`<PORTAL_URL>/#/?token=…`) in `text`.
pub fn link_token(text: &str) -> String {
    let pattern = format!(
        r"{}/#/\?token=([A-Za-z0-9_\-\.]+)",
        regex::escape(PORTAL_URL)
    );
    let re = Regex::new(&pattern).expect("a valid regex");
    re.captures(text)
        .unwrap_or_else(|| panic!("no login link in {text}"))[1]
        .to_owned()
}

/// The 6-digit code in `text` (the only standalone run of exactly six digits).
pub fn typed_code(text: &str) -> String {
    let re = Regex::new(r"(?:^|[^0-9])([0-9]{6})(?:[^0-9]|$)").expect("a valid regex");
    re.captures(text)
        .unwrap_or_else(|| panic!("no 6-digit code in {text}"))[1]
        .to_owned()
}

/// How the expected emails arrived.
#[derive(Debug)]
pub struct Arrivals {
    /// Expected emails that arrived more than once (each copy under its original's Message-ID).
    pub duplicated: usize,
    /// Extra copies in all.
    pub extra_copies: usize,
}

/// Waits until every Message-ID of `expected` reached the sink (counting the messages received
/// after the first `since`), then long enough for a late copy (a redelivery after the ack wait, a
/// delivery retaken after a lease) to show up, and checks that nothing else arrived: no message
/// outside `expected`, and the copies of one Message-ID all went to the same recipient with the
/// same subject. Returns the duplicates, for the caller to judge.
pub async fn wait_for_each(
    sink: &SmtpSink,
    since: usize,
    expected: &[String],
    within: Duration,
) -> Arrivals {
    let wanted: HashSet<&String> = expected.iter().collect();
    assert_eq!(wanted.len(), expected.len(), "expected Message-IDs repeat");
    let deadline = tokio::time::Instant::now() + within;
    loop {
        // Copying every message is costly: look only once enough of them came.
        if sink.count() - since >= expected.len() {
            let tally = tally(sink, since);
            if wanted.iter().all(|id| tally.contains_key(id.as_str())) {
                break;
            }
        }
        if tokio::time::Instant::now() >= deadline {
            let tally = tally(sink, since);
            let missing: Vec<&&String> = wanted
                .iter()
                .filter(|id| !tally.contains_key(id.as_str()))
                .collect();
            panic!(
                "{} of {} emails never reached the SMTP sink within {within:?} (e.g. {:?}); it received {} messages",
                missing.len(),
                expected.len(),
                missing.iter().take(3).collect::<Vec<_>>(),
                sink.count() - since
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(ACK_WAIT + LEASE + Duration::from_secs(1)).await;

    let tally = tally(sink, since);
    let unexpected: Vec<&String> = tally.keys().filter(|id| !wanted.contains(id)).collect();
    assert!(
        unexpected.is_empty(),
        "{} messages arrived under a Message-ID no command asked for (e.g. {:?})",
        unexpected.len(),
        unexpected.iter().take(3).collect::<Vec<_>>()
    );
    let mut arrivals = Arrivals {
        duplicated: 0,
        extra_copies: 0,
    };
    for id in &wanted {
        let copies = &tally[id.as_str()];
        let first = &copies[0];
        for copy in &copies[1..] {
            assert_eq!(
                (&copy.to, &copy.subject),
                (&first.to, &first.subject),
                "two different emails share the Message-ID {id}"
            );
        }
        if copies.len() > 1 {
            arrivals.duplicated += 1;
            arrivals.extra_copies += copies.len() - 1;
        }
    }
    arrivals
}

/// The messages received after the first `since`, by Message-ID.
fn tally(sink: &SmtpSink, since: usize) -> HashMap<String, Vec<ReceivedMail>> {
    let mut by_id: HashMap<String, Vec<ReceivedMail>> = HashMap::new();
    for mail in sink.messages().into_iter().skip(since) {
        let id = mail
            .message_id
            .clone()
            .unwrap_or_else(|| "<none>".to_owned());
        by_id.entry(id).or_default().push(mail);
    }
    by_id
}
