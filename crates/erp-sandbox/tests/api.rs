//! Black-box tests: a sandbox on a free port, driven by the real `FrappeClient`.
#![allow(clippy::unwrap_used)]

use erp_sandbox::{
    DEFAULT_API_KEY, DEFAULT_API_SECRET, READONLY_API_KEY, READONLY_API_SECRET, Sandbox,
    SandboxSettings,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use shared::erpnext::{Customer, ErpError, FrappeClient, ListQuery, Op};

async fn spawn_sandbox() -> String {
    let sandbox = Sandbox::build(SandboxSettings::for_tests()).await.unwrap();
    let url = sandbox.base_url();
    tokio::spawn(sandbox.run_until_stopped());
    url
}

fn client(url: &str, key: &str, secret: &str) -> FrappeClient {
    FrappeClient::new(url, key, &SecretString::from(secret)).unwrap()
}

async fn spawn_app() -> (String, FrappeClient) {
    let url = spawn_sandbox().await;
    let erp = client(&url, DEFAULT_API_KEY, DEFAULT_API_SECRET);
    (url, erp)
}

fn names(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_default_list_returns_twenty_names_newest_first() {
    let (_, erp) = spawn_app().await;
    let rows: Vec<Value> = erp.list("Customer", &ListQuery::new()).await.unwrap();
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0], json!({"name": "CUST-2024-00025"}));
}

#[tokio::test]
async fn customers_read_into_the_dto_with_all_fields() {
    let (_, erp) = spawn_app().await;
    let query =
        ListQuery::new()
            .fields(Customer::FIELDS)
            .filter("name", Op::Eq, json!("CUST-2024-00001"));
    let customers: Vec<Customer> = erp.list("Customer", &query).await.unwrap();
    assert_eq!(customers.len(), 1);
    let marie = &customers[0];
    assert_eq!(marie.email_id.as_deref(), Some("Marie.Tremblay@Example.CA"));
    assert_eq!(marie.legacy_customer_id.as_deref(), Some("10001"));
    assert_eq!(marie.email_billing, None);
    assert!(!marie.disabled);
}

#[tokio::test]
async fn like_is_case_insensitive() {
    let (_, erp) = spawn_app().await;
    let query = ListQuery::new().filter("email_id", Op::Like, json!("marie.tremblay@example.ca"));
    let rows: Vec<Value> = erp.list("Customer", &query).await.unwrap();
    assert_eq!(names(&rows), vec!["CUST-2024-00001"]);
}

#[tokio::test]
async fn or_filters_match_any_condition_and_filters_all() {
    let (_, erp) = spawn_app().await;
    let query = ListQuery::new()
        .fields(&["name", "email_id"])
        .filter("disabled", Op::Eq, json!(0))
        .or_filter("email_id", Op::Eq, json!("famille.gagnon@example.ca"))
        .or_filter("cell_phone", Op::Eq, json!("514 555-0147"))
        .order_by("name asc");
    let rows: Vec<Value> = erp.list("Customer", &query).await.unwrap();
    assert_eq!(
        names(&rows),
        vec!["CUST-2024-00001", "CUST-2024-00002", "CUST-2024-00003"]
    );
}

#[tokio::test]
async fn in_is_set_and_not_equal_filter_as_frappe_does() {
    let (_, erp) = spawn_app().await;
    let all = |q: ListQuery| q.limit(0);
    let in_rows: Vec<Value> = erp
        .list(
            "Customer",
            &all(ListQuery::new().filter("legacy_customer_id", Op::In, json!(["10004", 10005]))),
        )
        .await
        .unwrap();
    assert_eq!(in_rows.len(), 2);
    let billing: Vec<Value> = erp
        .list(
            "Customer",
            &all(ListQuery::new().filter("email_billing", Op::Is, json!("set"))),
        )
        .await
        .unwrap();
    assert_eq!(billing.len(), 4);
    let enabled: Vec<Value> = erp
        .list(
            "Customer",
            &all(ListQuery::new().filter("disabled", Op::Ne, json!(0))),
        )
        .await
        .unwrap();
    assert_eq!(names(&enabled), vec!["CUST-2024-00012"]);
}

#[tokio::test]
async fn a_number_filter_matches_a_stored_number_given_as_text() {
    let (_, erp) = spawn_app().await;
    let query = ListQuery::new().filter("legacy_customer_id", Op::Eq, json!("10007"));
    let rows: Vec<Value> = erp.list("Customer", &query).await.unwrap();
    assert_eq!(names(&rows), vec!["CUST-2024-00007"]);
}

#[tokio::test]
async fn paging_walks_through_every_customer_once() {
    let (_, erp) = spawn_app().await;
    let page = |start| ListQuery::new().order_by("name asc").limit(10).start(start);
    let mut seen = Vec::new();
    for start in [0, 10, 20] {
        let rows: Vec<Value> = erp.list("Customer", &page(start)).await.unwrap();
        seen.extend(rows.iter().map(|r| r["name"].as_str().unwrap().to_owned()));
    }
    assert_eq!(seen.len(), 25);
    assert_eq!(seen[24], "CUST-2024-00025");
}

#[tokio::test]
async fn get_returns_the_whole_document_and_missing_is_not_found() {
    let (_, erp) = spawn_app().await;
    let customer: Customer = erp.get("Customer", "CUST-2024-00004").await.unwrap();
    assert_eq!(
        customer.email_billing.as_deref(),
        Some("facturation.cote@example.ca")
    );
    let missing = erp
        .get::<Value>("Customer", "CUST-1999-00001")
        .await
        .unwrap_err();
    assert!(matches!(missing, ErpError::NotFound), "{missing:?}");
}

#[tokio::test]
async fn create_names_from_the_series_and_update_merges() {
    let (_, erp) = spawn_app().await;
    let created: Customer = erp
        .create(
            "Customer",
            &json!({"customer_name": "Nouveau Client", "email_id": "nouveau@example.ca"}),
        )
        .await
        .unwrap();
    assert!(created.name.starts_with("CUST-20"), "{}", created.name);
    assert!(created.name.ends_with("-00001") || created.name.ends_with("-00026"));
    let updated: Customer = erp
        .update("Customer", &created.name, &json!({"language": "en"}))
        .await
        .unwrap();
    assert_eq!(updated.language.as_deref(), Some("en"));
    assert_eq!(updated.email_id.as_deref(), Some("nouveau@example.ca"));
    let reread: Customer = erp.get("Customer", &created.name).await.unwrap();
    assert_eq!(reread, updated);
}

#[tokio::test]
async fn an_odd_name_survives_the_round_trip() {
    let (_, erp) = spawn_app().await;
    let name = "Côté & Fils / Granby 2";
    let _: Value = erp
        .create("Customer", &json!({"name": name, "customer_name": "Côté"}))
        .await
        .unwrap();
    let doc: Customer = erp.get("Customer", name).await.unwrap();
    assert_eq!(doc.name, name);
}

#[tokio::test]
async fn a_wrong_secret_is_unauthorized() {
    let url = spawn_sandbox().await;
    let erp = client(&url, DEFAULT_API_KEY, "wrong");
    let err = erp
        .list::<Value>("Customer", &ListQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(err, ErpError::Unauthorized), "{err:?}");
    assert!(matches!(erp.ping().await, Err(ErpError::Unauthorized)));
}

#[tokio::test]
async fn ping_answers_with_the_api_user() {
    let (_, erp) = spawn_app().await;
    erp.ping().await.unwrap();
    assert_eq!(erp.logged_user().await.unwrap(), erp_sandbox::API_USER);
}

#[tokio::test]
async fn an_unreachable_erp_is_unavailable() {
    let erp = client("http://127.0.0.1:9", DEFAULT_API_KEY, DEFAULT_API_SECRET);
    assert!(matches!(erp.ping().await, Err(ErpError::Unavailable(_))));
}

#[tokio::test]
async fn a_missing_customer_name_is_a_validation_error_with_its_message() {
    let (_, erp) = spawn_app().await;
    let err = erp
        .create::<Value>("Customer", &json!({"email_id": "x@example.ca"}))
        .await
        .unwrap_err();
    match err {
        ErpError::Validation { message } => assert_eq!(message, "Customer Name is required"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_duplicate_name_is_a_conflict() {
    let (_, erp) = spawn_app().await;
    let doc = json!({"name": "CUST-2024-00001", "customer_name": "Twin"});
    let err = erp.create::<Value>("Customer", &doc).await.unwrap_err();
    assert!(matches!(err, ErpError::Conflict), "{err:?}");
}

#[tokio::test]
async fn updating_a_missing_customer_is_not_found() {
    let (_, erp) = spawn_app().await;
    let err = erp
        .update::<Value>("Customer", "CUST-1999-00001", &json!({"language": "fr"}))
        .await
        .unwrap_err();
    assert!(matches!(err, ErpError::NotFound), "{err:?}");
}

#[tokio::test]
async fn an_unknown_filter_field_is_refused_with_a_message() {
    let (_, erp) = spawn_app().await;
    let query = ListQuery::new().filter("no_such_field", Op::Eq, json!(1));
    let err = erp.list::<Value>("Customer", &query).await.unwrap_err();
    assert!(
        matches!(&err, ErpError::Validation { message } if message.contains("no_such_field")),
        "{err:?}"
    );
}

#[tokio::test]
async fn malformed_filter_json_and_unknown_operators_are_417() {
    let url = spawn_sandbox().await;
    let http = reqwest::Client::new();
    for filters in ["[[\"name\",", "[[\"name\",\"~=\",\"x\"]]"] {
        let response = http
            .get(format!("{url}/api/resource/Customer"))
            .query(&[("filters", filters)])
            .header(
                "Authorization",
                format!("token {DEFAULT_API_KEY}:{DEFAULT_API_SECRET}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 417);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["exc_type"], "ValidationError");
        assert!(body["_server_messages"].is_string());
    }
}

#[tokio::test]
async fn basic_auth_v1_paths_and_delete_work_like_frappe() {
    let url = spawn_sandbox().await;
    let http = reqwest::Client::new();
    let basic = format!("Basic {}", base64_pair(DEFAULT_API_KEY, DEFAULT_API_SECRET));
    let response = http
        .delete(format!("{url}/api/v1/resource/Customer/CUST-2024-00010"))
        .header("Authorization", &basic)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"data": "ok"})
    );
    let unknown = http
        .get(format!("{url}/api/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["exc_type"],
        "DoesNotExistError"
    );
}

#[tokio::test]
async fn the_read_only_key_reads_but_cannot_write_and_other_doctypes_are_forbidden() {
    let url = spawn_sandbox().await;
    let reader = client(&url, READONLY_API_KEY, READONLY_API_SECRET);
    let _: Customer = reader.get("Customer", "CUST-2024-00001").await.unwrap();
    let err = reader
        .update::<Value>("Customer", "CUST-2024-00001", &json!({"language": "en"}))
        .await;
    assert!(matches!(err, Err(ErpError::Forbidden)), "{err:?}");
    let err = reader
        .list::<Value>("Journal Entry", &ListQuery::new())
        .await;
    assert!(matches!(err, Err(ErpError::Forbidden)), "{err:?}");
}

fn base64_pair(key: &str, secret: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}"))
}
