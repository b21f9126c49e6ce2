//! The OpenAPI document of portal-auth declares every answer its routes can give.

/// Issue 16, the API contract: each route declares the answers the shared plumbing gives on its
/// behalf (the JSON body's 400/413/415/422, a query's 400, a path's 404), and every error as
/// application/problem+json, which is what the server sends (schemathesis against the running hub
/// found 11 places where they differed; `scripts/contract.sh` holds the hub to the document).
#[test]
fn the_openapi_document_declares_every_answer_as_problem_json() {
    let gaps = testkit::openapi::undeclared_answers(&portal_auth::PortalAuth::openapi());
    assert!(gaps.is_empty(), "undeclared answers:\n{}", gaps.join("\n"));
}
