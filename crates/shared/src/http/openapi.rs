//! The answers every service's OpenAPI document shares: the problem+json errors of the JSON body
//! extractor, declared once so that each route lists them in one word.

use std::collections::BTreeMap;

use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// The media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem+json answer with `description`, its body a [`super::Problem`]. The document must list
/// `Problem` among its schemas (`components(schemas(shared::http::Problem))`).
pub fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// What [`super::json_config`] answers for a body it cannot take: 400 (not JSON, or a field the
/// handler refuses), 413 (too large), 415 (not sent as JSON), 422 (fields missing or mistyped).
/// List it in `responses(...)` of every route with a JSON body; a route's own 400 goes here too.
pub struct JsonBodyProblems;

impl utoipa::IntoResponses for JsonBodyProblems {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        [
            (
                "400",
                "The body is not JSON, or a field's value is refused (see `code` and `detail`)",
            ),
            ("413", "The body is larger than the route accepts"),
            (
                "415",
                "The body is not sent as `Content-Type: application/json`",
            ),
            (
                "422",
                "The JSON lacks a required field or has one of the wrong type",
            ),
        ]
        .into_iter()
        .map(|(status, description)| (status.to_owned(), problem_response(description).into()))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::IntoResponses as _;

    #[test]
    fn the_json_body_problems_are_problem_json() {
        let responses = JsonBodyProblems::responses();
        assert_eq!(
            responses.keys().collect::<Vec<_>>(),
            ["400", "413", "415", "422"]
        );
        for response in responses.values() {
            let RefOr::T(response) = response else {
                panic!("inline response expected")
            };
            assert!(response.content.contains_key(PROBLEM_JSON));
            assert!(!response.description.is_empty());
        }
    }
}
