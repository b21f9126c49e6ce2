//! Issue 16, the API contract: every error a service's server answers is problem+json, also the
//! ones actix writes itself (unknown route, wrong method, a raw body over its limit, a missing
//! file) or a handler answers bare; answers that say what they are pass untouched. A real server
//! (`shared::http::serve`) on a free loopback port, spoken to over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use actix_web::{HttpResponse, web};
use shared::http::{Readiness, Shutdown, serve};

async fn start() -> String {
    let routes = |cfg: &mut web::ServiceConfig| {
        cfg.service(
            web::resource("/echo")
                .app_data(web::PayloadConfig::new(16))
                .route(
                    web::post().to(|body: web::Bytes| async move { HttpResponse::Ok().body(body) }),
                ),
        )
        .route(
            "/gone",
            web::get().to(|| async { HttpResponse::NotFound().finish() }),
        )
        .route(
            "/missing-file",
            web::get().to(|| async {
                Err::<HttpResponse, _>(actix_web::Error::from(std::io::Error::from(
                    std::io::ErrorKind::NotFound,
                )))
            }),
        )
        .route(
            "/page",
            web::get().to(|| async {
                HttpResponse::NotFound()
                    .content_type("text/html; charset=utf-8")
                    .body("<p>nothing here</p>")
            }),
        )
        .route(
            "/report",
            web::get().to(|| async {
                HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "not ready"}))
            }),
        );
    };
    let shutdown = Shutdown {
        delay: Duration::ZERO,
        grace: Duration::from_secs(1),
    };
    let doc = utoipa::openapi::OpenApi::default();
    let serving = serve(
        "127.0.0.1:0",
        shutdown,
        Readiness::default(),
        shared::http::Metrics::new().unwrap(),
        doc,
        routes,
    )
    .unwrap();
    let base = format!("http://127.0.0.1:{}", serving.port());
    tokio::spawn(serving.run_until_stopped(|_| async {}));
    base
}

async fn problem(res: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(res.status().as_u16(), status, "{res:?}");
    let content_type = res.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    for member in ["type", "title", "detail", "code"] {
        assert!(body[member].is_string(), "{member} missing in {body}");
    }
    body
}

#[tokio::test]
async fn actix_own_error_answers_are_problem_json() {
    let base = start().await;
    let http = reqwest::Client::new();

    let unknown = http
        .get(format!("{base}/no/such/route"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(unknown, 404).await["code"], "REQ_06");

    let wrong_method = http.get(format!("{base}/echo")).send().await.unwrap();
    assert_eq!(problem(wrong_method, 405).await["code"], "REQ_07");

    let too_large = http
        .post(format!("{base}/echo"))
        .body("x".repeat(64))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(too_large, 413).await["code"], "REQ_03");

    let bare = http.get(format!("{base}/gone")).send().await.unwrap();
    assert_eq!(problem(bare, 404).await["code"], "REQ_06");

    let missing_file = http
        .get(format!("{base}/missing-file"))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(missing_file, 404).await["code"], "REQ_06");

    let bad_path = http.get(format!("{base}/%FF")).send().await.unwrap();
    problem(bad_path, 404).await;
}

#[tokio::test]
async fn answers_that_say_what_they_are_pass_untouched() {
    let base = start().await;
    let http = reqwest::Client::new();

    let small = http
        .post(format!("{base}/echo"))
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(small.status(), 200);
    assert_eq!(small.text().await.unwrap(), "hello");

    let page = http.get(format!("{base}/page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(page.text().await.unwrap(), "<p>nothing here</p>");

    let report = http.get(format!("{base}/report")).send().await.unwrap();
    assert_eq!(report.status(), 503);
    assert_eq!(
        report.headers()[reqwest::header::CONTENT_TYPE],
        "application/json"
    );
    assert_eq!(
        report.json::<serde_json::Value>().await.unwrap()["status"],
        "not ready"
    );
}
