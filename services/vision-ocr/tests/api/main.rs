//! vision-ocr as its users see it: the service on a free port between the erp-sandbox, testkit's
//! fake Gemini and a JWKS of technicians' keys, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod helpers;
mod page;
mod reading;
mod refusals;
