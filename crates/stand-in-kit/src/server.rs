//! Binding and starting a stand-in's HTTP server.

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, web};
use anyhow::Context;

/// Binds `addr` (`127.0.0.1:0` picks a free port) for the stand-in `name`: the listener and its
/// port.
pub fn bind(name: &str, addr: &str) -> anyhow::Result<(TcpListener, u16)> {
    let listener =
        TcpListener::bind(addr).with_context(|| format!("binding the {name} to {addr}"))?;
    let port = listener
        .local_addr()
        .context("reading the bound port")?
        .port();
    Ok((listener, port))
}

/// Serves the app `configure` makes on `listener`, with the one worker a stand-in needs.
pub fn serve<F>(name: &str, listener: TcpListener, configure: F) -> anyhow::Result<Server>
where
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    Ok(
        HttpServer::new(move || App::new().configure(configure.clone()))
            .workers(1)
            .listen(listener)
            .with_context(|| format!("starting the {name} server"))?
            .run(),
    )
}
