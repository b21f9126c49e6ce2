//! `spawn_app` and one helper per call the tests make.

pub use crate::app::{TestApp, spawn_app};
use erp_sandbox::demo_dispatch::DEMO_DATE;
use serde_json::{Value, json};
use shared::erpnext::{DispatchJob, ListQuery, Op, Technician, server_messages};

impl TestApp {
    /// POSTs a document and returns the status and the raw Frappe body.
    pub async fn post(&self, doctype: &str, doc: &Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/api/resource/{doctype}", self.url))
            .header("Authorization", self.token())
            .json(doc)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// GETs a document as raw JSON (`data`).
    pub async fn get_raw(&self, doctype: &str, name: &str) -> Value {
        let response = self
            .http
            .get(format!("{}/api/resource/{doctype}/{name}", self.url))
            .header("Authorization", self.token())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.json::<Value>().await.unwrap()["data"].take()
    }

    /// The Dispatch Jobs of the demo date matching one more filter (none: `None`).
    pub async fn jobs_of_the_day(&self, extra: Option<(&str, Op, Value)>) -> Vec<DispatchJob> {
        let mut query = ListQuery::new()
            .fields(DispatchJob::FIELDS)
            .filter(
                "window_start",
                Op::Ge,
                json!(format!("{DEMO_DATE} 00:00:00")),
            )
            .filter(
                "window_start",
                Op::Le,
                json!(format!("{DEMO_DATE} 23:59:59")),
            )
            .order_by("name asc")
            .limit(0);
        if let Some((field, op, value)) = extra {
            query = query.filter(field, op, value);
        }
        self.erp.list("Dispatch Job", &query).await.unwrap()
    }

    /// Every technician, with its child tables (a list call returns none: one `get` each).
    pub async fn technicians(&self) -> Vec<Technician> {
        let names: Vec<Value> = self
            .erp
            .list(
                "Technician",
                &ListQuery::new().order_by("name asc").limit(0),
            )
            .await
            .unwrap();
        let mut technicians = Vec::new();
        for name in names {
            let name = name["name"].as_str().unwrap();
            technicians.push(self.erp.get("Technician", name).await.unwrap());
        }
        technicians
    }
}

/// The exception class and the messages of a Frappe error body.
pub fn exception(body: &Value) -> (String, String) {
    (
        body["exc_type"].as_str().unwrap().to_owned(),
        server_messages(body["_server_messages"].as_str().unwrap()).join("; "),
    )
}
