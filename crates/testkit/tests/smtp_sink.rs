//! The SMTP sink against a real SMTP client (lettre), as the notifications service uses it.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use testkit::smtp::SmtpSink;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const WAIT: Duration = Duration::from_secs(10);

fn transport(sink: &SmtpSink) -> AsyncSmtpTransport<Tokio1Executor> {
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(sink.port())
        .credentials(Credentials::new(
            "mailjet-key".into(),
            "mailjet-secret".into(),
        ))
        .pool_config(PoolConfig::new().max_size(8))
        .timeout(Some(Duration::from_secs(5)))
        .build()
}

fn mail(to: &str, subject: &str, text: &str) -> Message {
    Message::builder()
        .from(
            "Gigafibre <facturation@gigafibre.ca>"
                .parse::<Mailbox>()
                .unwrap(),
        )
        .to(to.parse::<Mailbox>().unwrap())
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(text.to_owned())
        .unwrap()
}

#[tokio::test]
async fn a_multipart_mail_arrives_with_its_message_id_and_subject() {
    let sink = SmtpSink::start().await;
    let message = Message::builder()
        .from(
            "Gigafibre <facturation@gigafibre.ca>"
                .parse::<Mailbox>()
                .unwrap(),
        )
        .to("Marie Tremblay <marie@example.ca>"
            .parse::<Mailbox>()
            .unwrap())
        .subject("Votre facture n° 1042 est prête")
        .message_id(Some("<facture-1042@gigafibre.ca>".to_owned()))
        .multipart(MultiPart::alternative_plain_html(
            "Bonjour Marie".to_owned(),
            "<p>Bonjour Marie</p>".to_owned(),
        ))
        .unwrap();

    transport(&sink).send(message).await.unwrap();

    assert!(sink.wait_for(1, WAIT).await);
    let received = &sink.messages()[0];
    assert_eq!(received.from, "facturation@gigafibre.ca");
    assert_eq!(received.to, vec!["marie@example.ca".to_owned()]);
    assert_eq!(
        received.message_id.as_deref(),
        Some("<facture-1042@gigafibre.ca>")
    );
    assert_eq!(
        received.subject.as_deref(),
        Some("Votre facture n° 1042 est prête")
    );
    assert!(received.data.contains("multipart/alternative"));
    assert!(received.data.contains("<p>Bonjour Marie</p>"));
}

#[tokio::test]
async fn two_hundred_mails_over_a_connection_pool_all_arrive_in_full() {
    let sink = SmtpSink::start().await;
    let transport = transport(&sink);
    let sends = (0..200).map(|i| {
        let transport = transport.clone();
        async move {
            let to = format!("client{i}@example.ca");
            transport
                .send(mail(&to, &format!("Avis {i}"), "Panne planifiée"))
                .await
        }
    });

    let results = futures::future::join_all(sends).await;

    assert!(results.iter().all(Result::is_ok));
    assert!(sink.wait_for(200, WAIT).await);
    assert_eq!(sink.count(), 200);
    let mut subjects: Vec<_> = sink
        .messages()
        .into_iter()
        .filter_map(|m| m.subject)
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 200);
}

#[tokio::test]
async fn a_stopped_sink_refuses_connections_and_a_restarted_one_keeps_old_mail() {
    let sink = SmtpSink::start().await;
    let transport = transport(&sink);
    transport
        .send(mail("a@example.ca", "avant", "1"))
        .await
        .unwrap();

    sink.stop().await;
    let down = transport.send(mail("b@example.ca", "pendant", "2")).await;
    let error = down.unwrap_err();
    assert!(!error.is_transient() && !error.is_permanent(), "{error:?}");

    sink.restart().await;
    transport
        .send(mail("c@example.ca", "après", "3"))
        .await
        .unwrap();
    assert!(sink.wait_for(2, WAIT).await);
    let subjects: Vec<_> = sink
        .messages()
        .into_iter()
        .filter_map(|m| m.subject)
        .collect();
    assert_eq!(subjects, ["avant", "après"]);
}

#[tokio::test]
async fn an_injected_4xx_is_transient_and_a_5xx_is_permanent_for_lettre() {
    let sink = SmtpSink::start().await;
    let transport = transport(&sink);

    sink.fail_next(1, "451 4.3.0 try later");
    let error = transport
        .send(mail("a@example.ca", "1", "1"))
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");

    sink.fail_next(1, "550 5.1.1 no such user");
    let error = transport
        .send(mail("a@example.ca", "2", "2"))
        .await
        .unwrap_err();
    assert!(error.is_permanent(), "{error:?}");

    transport
        .send(mail("a@example.ca", "3", "3"))
        .await
        .unwrap();
    assert_eq!(sink.count(), 1);
}

#[tokio::test]
async fn a_rejected_recipient_gets_the_configured_reply() {
    let sink = SmtpSink::start().await;
    sink.reject_recipient("Inconnu@Example.ca", "550 5.1.1 unknown");

    let error = transport(&sink)
        .send(mail("inconnu@example.ca", "x", "x"))
        .await
        .unwrap_err();

    assert!(error.is_permanent(), "{error:?}");
    assert_eq!(sink.count(), 0);
}

#[tokio::test]
async fn lines_starting_with_a_dot_survive_dot_stuffing() {
    let sink = SmtpSink::start().await;
    let text = ".hidden line\r\n..two dots\r\n.\r\nend";

    transport(&sink)
        .send(mail("a@example.ca", "dots", text))
        .await
        .unwrap();

    assert!(sink.wait_for(1, WAIT).await);
    assert!(
        sink.messages()[0].body().starts_with(text),
        "{:?}",
        sink.messages()[0].body()
    );
}

/// Sends `script` in one write and reads back `replies` lines.
async fn pipelined(sink: &SmtpSink, script: &str, replies: usize) -> Vec<String> {
    let stream = TcpStream::connect(("127.0.0.1", sink.port()))
        .await
        .unwrap();
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(script.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    while out.len() < replies {
        out.push(lines.next_line().await.unwrap().unwrap());
    }
    out
}

#[tokio::test]
async fn pipelined_commands_are_answered_in_order() {
    let sink = SmtpSink::start().await;
    let script = "EHLO client\r\nMAIL FROM:<a@b.ca>\r\nRCPT TO:<c@d.ca>\r\nRCPT TO:<e@f.ca>\r\nDATA\r\n\
                  Subject: hi\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n";

    let replies = pipelined(&sink, script, 14).await;

    let codes: Vec<_> = replies.iter().map(|line| &line[..4]).collect();
    assert_eq!(
        codes,
        [
            "220 ", "250-", "250-", "250-", "250-", "250-", "250 ", "250 ", "250 ", "250 ", "354 ",
            "250 ", "250 ", "221 "
        ]
    );
    assert_eq!(sink.messages()[0].to, ["c@d.ca", "e@f.ca"]);
}

#[tokio::test]
async fn commands_out_of_sequence_or_unknown_are_refused() {
    let sink = SmtpSink::start().await;
    let script = "MAIL FROM:<a@b.ca>\r\nHELO client\r\nRCPT TO:<c@d.ca>\r\nDATA\r\nFOO\r\n\
                  AUTH LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\nQUIT\r\n";

    let replies = pipelined(&sink, script, 10).await;

    let codes: Vec<_> = replies.iter().map(|line| &line[..3]).collect();
    assert_eq!(
        codes,
        [
            "220", "503", "250", "503", "503", "500", "334", "334", "235", "221"
        ]
    );
}

/// Two tests in one process: while one's sink is stopped (its service retrying the old address), a
/// sink started by the other never gets that port, and the first takes it back when it restarts.
#[tokio::test]
async fn a_stopped_sinks_port_goes_to_no_other_sink_until_it_restarts() {
    let down = SmtpSink::start().await;
    let port = down.port();
    down.stop().await;
    let others = futures::future::join_all((0..40).map(|_| SmtpSink::start())).await;
    assert!(others.iter().all(|s| s.port() != port));
    down.restart().await;
    assert_eq!(down.port(), port);
}
