//! The HTTP server under each fake of a third-party API (Twilio, Mailjet): one worker on a free port
//! of `127.0.0.1`, no signal handling of its own, stopped when the fake is dropped.

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpServer, web};

/// Serves the routes `configure` registers; returns the base URL and the handle that stops it.
///
/// # Panics
/// When no port can be bound.
#[allow(clippy::expect_used, reason = "a test cannot run without its fakes")]
pub(crate) fn serve<F>(configure: F) -> (String, ServerHandle)
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a fake API");
    let port = listener
        .local_addr()
        .expect("reading the fake's address")
        .port();
    let server = HttpServer::new(move || App::new().configure(configure.clone()))
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .expect("listening on the fake's socket")
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("http://127.0.0.1:{port}"), handle)
}

/// Stops a fake's server from its `Drop` (when a runtime is still there to do it).
pub(crate) fn stop(handle: &ServerHandle) {
    if let Ok(rt) = tokio::runtime::Handle::try_current() {
        let handle = handle.clone();
        rt.spawn(async move { handle.stop(false).await });
    }
}
