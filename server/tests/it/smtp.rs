//! Email delivery through a real SMTP conversation with a local SMTP server, and retry after the
//! server refuses a message.

use crate::common::{person, Backend, TestApp};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server (RFC 5321 happy path) that keeps each message it accepts. While
/// `refuse` is set it answers DATA with a temporary failure.
struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<String>>>,
    refuse: Arc<std::sync::atomic::AtomicBool>,
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (m, r) = (messages.clone(), refuse.clone());
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let (m, r) = (m.clone(), r.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") {
                            b"250-sink.test\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("DATA") {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut body = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                body.push_str(&l);
                                body.push('\n');
                            }
                            if r.load(std::sync::atomic::Ordering::SeqCst) {
                                b"451 try again later\r\n"
                            } else {
                                m.lock().unwrap().push(body);
                                b"250 queued\r\n"
                            }
                        } else if upper.starts_with("QUIT") {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        write.write_all(reply).await.unwrap();
                    }
                });
            }
        });
        SmtpSink { port, messages, refuse }
    }
}

#[tokio::test]
async fn email_goes_through_smtp_and_is_retried_after_a_refusal() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::config_for(Backend::Sqlite, &dir).await;
    config.smtp_url = Some(server::config::Secret::new(format!("smtp://127.0.0.1:{}", sink.port)));
    let app = TestApp::spawn_with(config, dir).await;
    let slug = app.event(|e| e.title = "SMTP day".into()).await;

    sink.refuse.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(app.register(&slug, person(1)).await.status(), 201);
    app.state.outbox.deliver_due().await.unwrap();
    assert!(sink.messages.lock().unwrap().is_empty());
    let (attempts, error): (i64, Option<String>) = sqlx::query_as("SELECT attempts, last_error FROM outbox")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(attempts, 1);
    assert!(error.unwrap().contains("try again later"));

    // Once the retry is due and the server accepts, the message goes out exactly once.
    sink.refuse.store(false, std::sync::atomic::Ordering::SeqCst);
    sqlx::query("UPDATE outbox SET available_at = 0")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    while app.state.outbox.deliver_due().await.unwrap() > 0 {}
    let messages = sink.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("Subject: You're registered: SMTP day"));
    assert!(
        messages[0]
            .lines()
            .any(|l| l.starts_with("To:") && l.contains("<person1@example.com>")),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("text/calendar"));
    assert!(crate::common::emails(&app.dir).is_empty(), "nothing was written to the folder");
}
