//! The contract a service's OpenAPI document must keep, checked without a server: every answer the
//! shared plumbing gives on a route's behalf is declared, and every error is declared as
//! problem+json. `scripts/contract.sh` then holds the running hub to the document.

use serde_json::Value;

/// What the document fails to declare, one line per gap (empty when it keeps the contract):
/// - every 4xx/5xx answer has `application/problem+json` as its only content, a `Problem`;
/// - a route with a JSON body declares 400, 413, 415 and 422 (`shared::http::json_config`);
/// - a route with any other body declares 413 (its `PayloadConfig` limit);
/// - a route with a query parameter declares 400 (`shared::http::query_config`);
/// - a route with a path parameter declares 404 (`shared::http::path_config`);
/// - every answer has a description, and every `$ref` names a schema of the document.
pub fn undeclared_answers(doc: &utoipa::openapi::OpenApi) -> Vec<String> {
    let doc = match serde_json::to_value(doc) {
        Ok(doc) => doc,
        Err(e) => return vec![format!("the document does not serialise: {e}")],
    };
    let mut gaps = Vec::new();
    let empty = serde_json::Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap_or(&empty) {
            let route = format!("{} {path}", method.to_uppercase());
            check_operation(&route, operation, &mut gaps);
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap_or(&empty);
    for reference in references(&doc) {
        let known = reference
            .strip_prefix("#/components/schemas/")
            .is_some_and(|name| schemas.contains_key(name));
        if !known {
            gaps.push(format!(
                "`{reference}` names no schema of the document (add it to components(schemas(...)))"
            ));
        }
    }
    gaps
}

fn check_operation(route: &str, operation: &Value, gaps: &mut Vec<String>) {
    let responses = operation["responses"].as_object();
    let declared = |status: &str| responses.is_some_and(|r| r.contains_key(status));
    let mut require = |status: &str, why: &str| {
        if !declared(status) {
            gaps.push(format!("{route}: no {status} declared ({why})"));
        }
    };
    if let Some(body) = operation["requestBody"]["content"].as_object() {
        if body.contains_key("application/json") {
            for status in ["400", "413", "415", "422"] {
                require(
                    status,
                    "the JSON body extractor answers it: list JsonBodyProblems",
                );
            }
        } else {
            require("413", "a body over the route's limit");
        }
    }
    let parameters = operation["parameters"].as_array().map(Vec::as_slice);
    let has = |place: &str| parameters.unwrap_or(&[]).iter().any(|p| p["in"] == place);
    if has("query") {
        require("400", "a query string that does not parse");
    }
    if has("path") {
        require("404", "a path segment that does not parse");
    }
    for (status, response) in responses.into_iter().flatten() {
        if response["description"].as_str().is_none_or(str::is_empty) {
            gaps.push(format!("{route}: {status} has no description"));
        }
        let error = status.starts_with('4') || status.starts_with('5');
        if !error {
            continue;
        }
        let content = response["content"].as_object();
        let types: Vec<&String> = content.into_iter().flat_map(|c| c.keys()).collect();
        if types != ["application/problem+json"] {
            gaps.push(format!(
                "{route}: {status} is not declared as application/problem+json alone (declared: {types:?})"
            ));
            continue;
        }
        let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
        if schema != "#/components/schemas/Problem" {
            gaps.push(format!("{route}: {status}'s body is not a Problem"));
        }
    }
}

/// Every `$ref` in the document.
fn references(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, v)| match (key.as_str(), v) {
                ("$ref", Value::String(r)) => vec![r.clone()],
                _ => references(v),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(paths: Value) -> utoipa::openapi::OpenApi {
        serde_json::from_value(json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": {"Problem": {"type": "object"}}}
        }))
        .unwrap()
    }

    fn problem(description: &str) -> Value {
        json!({"description": description, "content": {"application/problem+json":
            {"schema": {"$ref": "#/components/schemas/Problem"}}}})
    }

    #[test]
    fn a_json_route_declaring_every_answer_keeps_the_contract() {
        let doc = doc(json!({"/x/{id}": {"post": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}, "400": problem("a"), "404": problem("b"),
                          "413": problem("c"), "415": problem("d"), "422": problem("e")}
        }}}));
        assert_eq!(undeclared_answers(&doc), Vec::<String>::new());
    }

    #[test]
    fn missing_extractor_answers_are_reported() {
        let doc = doc(json!({"/x": {"post": {
            "parameters": [{"name": "q", "in": "query", "required": false, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "ok"}, "400": problem("a")}
        }}}));
        let gaps = undeclared_answers(&doc);
        assert_eq!(gaps.len(), 3, "{gaps:#?}");
        assert!(gaps.iter().all(|g| g.starts_with("POST /x: no 4")));
    }

    #[test]
    fn an_error_declared_as_plain_json_or_without_description_is_reported() {
        let doc = doc(json!({"/x": {"get": {"responses": {
            "200": {"description": ""},
            "401": {"description": "no token", "content": {"application/json":
                {"schema": {"$ref": "#/components/schemas/Problem"}}}},
            "403": {"description": "no", "content": {"application/problem+json":
                {"schema": {"$ref": "#/components/schemas/Nope"}}}}
        }}}}));
        let gaps = undeclared_answers(&doc);
        assert_eq!(gaps.len(), 4, "{gaps:#?}");
    }
}
