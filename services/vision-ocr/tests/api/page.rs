//! `GET /vision/`: the staff page, its own strict Content-Security-Policy, and no one else's.

use crate::helpers::{Backend, Stack, assert_problem};

#[tokio::test]
async fn staff_get_the_page_with_its_script_allowed_by_hash_only() {
    let stack = Stack::spawn(Backend::Sqlite).await;

    let answer = stack.get("/vision/", &[]).await;

    assert_eq!(answer.status(), 200);
    let headers = answer.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = answer.text().await.unwrap();
    assert!(html.contains("Lire une facture"), "French first");
    assert!(
        html.contains("/vision/${what}"),
        "posts to the reading routes"
    );
}

#[tokio::test]
async fn the_page_without_its_slash_leads_to_it() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let answer = http
        .get(format!("{}/vision", stack.base))
        .send()
        .await
        .unwrap();

    assert_eq!(answer.status(), 308);
    assert_eq!(answer.headers()["location"], "/vision/");
}

#[tokio::test]
async fn someone_outside_the_reading_groups_is_refused_the_page() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let outsider = [
        ("X-authentik-username", "v.roy"),
        ("X-authentik-groups", "sales"),
    ];

    let answer = stack.get("/vision/", &outsider).await;

    assert_problem(answer, 403, "VIS_14").await;
}

#[tokio::test]
async fn a_technicians_token_does_not_open_the_staff_page() {
    let stack = Stack::spawn(Backend::Sqlite).await;
    let bearer = format!("Bearer {}", stack.tech_token("TECH-0007"));

    let answer = stack.get("/vision/", &[("Authorization", &bearer)]).await;

    assert_problem(answer, 403, "VIS_14").await;
}
