//! The multipart upload, read as a stream up to the size limit, and the `Idempotency-Key` header.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use bytes::{Bytes, BytesMut};
use futures::StreamExt as _;
use shared::lang::Lang;

use crate::error::ApiError;

/// The name of the part that carries the file.
const FILE_PART: &str = "file";

/// The bytes of the `file` part; every part counts toward `max_bytes`, so nothing larger is
/// buffered.
pub(crate) async fn file(
    mut payload: Multipart,
    max_bytes: usize,
    lang: Lang,
) -> Result<Bytes, ApiError> {
    let no_file = |why: String| ApiError::NoFile(why, lang);
    let mut file: Option<BytesMut> = None;
    let mut total = 0usize;
    while let Some(part) = payload.next().await {
        let mut part = part.map_err(|e| no_file(e.to_string()))?;
        let is_file = file.is_none()
            && part
                .content_disposition()
                .and_then(|cd| cd.get_name())
                .is_some_and(|name| name == FILE_PART);
        let mut body = BytesMut::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(|e| no_file(e.to_string()))?;
            total += chunk.len();
            if total > max_bytes {
                return Err(ApiError::TooLarge(max_bytes, lang));
            }
            if is_file {
                body.extend_from_slice(&chunk);
            }
        }
        if is_file {
            file = Some(body);
        }
    }
    file.map(BytesMut::freeze)
        .ok_or_else(|| no_file("no part named \"file\"".into()))
}

/// The `Idempotency-Key` header, if any: 1 to 255 visible ASCII characters.
pub(crate) fn idempotency_key(req: &HttpRequest, lang: Lang) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    let well_formed = (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    match well_formed {
        true => Ok(Some(key.to_owned())),
        false => Err(ApiError::Key("1 to 255 visible ASCII characters", lang)),
    }
}
