//! The one error type of the handlers, rendered as problem+json with stable codes, its detail in
//! the caller's language (docs/vision-ocr.md, "Refusals").

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use shared::http::Problem;
use shared::lang::Lang;

use crate::input::Refused;

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The upload is refused before any reading.
    #[error("upload refused: {0}")]
    Upload(Refused, Lang),
    /// No file part, or not multipart.
    #[error("no file in the request: {0}")]
    NoFile(String, Lang),
    /// Larger than the limit.
    #[error("upload larger than {0} bytes")]
    TooLarge(usize, Lang),
    /// `Idempotency-Key` malformed, or reused for another file.
    #[error("idempotency key refused: {0}")]
    Key(&'static str, Lang),
    /// The same key is being read right now.
    #[error("the same idempotency key is being read")]
    InProgress(Lang),
    /// No such job (or another technician's).
    #[error("no such job")]
    NotFound(Lang),
    /// No valid technician token.
    #[error("no valid token")]
    Unauthorized,
    /// Not staff, or not in a group that may act here.
    #[error("{0}")]
    NotStaff(&'static str),
    /// No provider could read it.
    #[error("no provider could read it: {0}")]
    NoReader(String, Lang),
    /// The database does not answer.
    #[error("vision-ocr database unavailable: {0}")]
    Unavailable(#[from] sea_orm::DbErr),
}

/// French and English, chosen by `lang`.
fn say(lang: Lang, fr: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Fr => fr.into(),
        Lang::En => en.into(),
    }
}

fn refused(refusal: &Refused, lang: Lang) -> Problem {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match refusal {
        Refused::Empty => Problem::new(
            StatusCode::BAD_REQUEST,
            "VIS_01",
            "Empty file",
            say(lang, "Le fichier est vide.", "The file is empty."),
        ),
        Refused::Unsupported => Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VIS_02",
            "Unsupported file type",
            say(
                lang,
                "Envoyez une photo JPEG, PNG ou WebP, ou un PDF (une étiquette : une photo).",
                "Send a JPEG, PNG or WebP photo, or a PDF (a label: a photo).",
            ),
        ),
        Refused::TooManyPixels { width, height, max } => Problem::new(
            unprocessable,
            "VIS_04",
            "Image too large",
            say(
                lang,
                format!("L'image a {width} × {height} pixels; le maximum est {max} pixels."),
                format!("The image is {width} × {height} pixels; at most {max} pixels."),
            ),
        )
        .with("max_pixels", *max),
        Refused::Unreadable(why) => Problem::new(
            unprocessable,
            "VIS_05",
            "Unreadable file",
            say(
                lang,
                format!("Le fichier est tronqué ou illisible ({why})."),
                format!("The file is truncated or unreadable ({why})."),
            ),
        ),
        Refused::Encrypted => Problem::new(
            unprocessable,
            "VIS_06",
            "Encrypted PDF",
            say(
                lang,
                "Le PDF est protégé par un mot de passe.",
                "The PDF is protected by a password.",
            ),
        ),
        Refused::TooManyPages { pages, max } => Problem::new(
            unprocessable,
            "VIS_07",
            "Too many pages",
            say(
                lang,
                format!("Le PDF a {pages} pages; le maximum est {max}."),
                format!("The PDF has {pages} pages; at most {max}."),
            ),
        )
        .with("max_pages", *max),
        Refused::NoPdfReader(why) => unavailable(why, lang),
    }
}

fn unavailable(why: &str, lang: Lang) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "VIS_12",
        "No reader available",
        say(
            lang,
            format!("Aucun moteur de lecture n'est disponible pour le moment ({why})."),
            format!("No reading engine is available right now ({why})."),
        ),
    )
}

impl ApiError {
    /// The problem+json answer.
    pub fn problem(&self) -> Problem {
        match self {
            Self::Upload(refusal, lang) => refused(refusal, *lang),
            Self::NoFile(why, lang) => Problem::new(
                StatusCode::BAD_REQUEST,
                "VIS_01",
                "No file",
                say(
                    *lang,
                    format!(
                        "Joignez le fichier dans une partie « file » (multipart/form-data) : {why}."
                    ),
                    format!(
                        "Attach the file as a part named \"file\" (multipart/form-data): {why}."
                    ),
                ),
            ),
            Self::TooLarge(max, lang) => Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "VIS_03",
                "File too large",
                say(
                    *lang,
                    format!("Le fichier dépasse {max} octets."),
                    format!("The file is larger than {max} bytes."),
                ),
            )
            .with("max_bytes", *max),
            Self::Key(why, lang) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "VIS_09",
                "Idempotency-Key refused",
                say(
                    *lang,
                    format!("Idempotency-Key : {why}"),
                    format!("Idempotency-Key: {why}"),
                ),
            ),
            Self::InProgress(lang) => {
                let mut p = Problem::new(
                    StatusCode::CONFLICT,
                    "VIS_10",
                    "Being read",
                    say(
                        *lang,
                        "Ce fichier est en cours de lecture; réessayez dans un instant.",
                        "This file is being read; try again in a moment.",
                    ),
                )
                .with("retry_after_s", 2);
                p.retry_after_s = Some(2);
                p
            }
            Self::NotFound(lang) => Problem::new(
                StatusCode::NOT_FOUND,
                "VIS_11",
                "No such job",
                say(*lang, "Cette tâche n'existe pas.", "No such job."),
            ),
            Self::Unauthorized => Problem::new(
                StatusCode::UNAUTHORIZED,
                "VIS_13",
                "Unauthorized",
                "A valid technician token is required.",
            ),
            Self::NotStaff(detail) => {
                Problem::new(StatusCode::FORBIDDEN, "VIS_14", "Forbidden", *detail)
            }
            Self::NoReader(why, lang) => unavailable(why, *lang),
            Self::Unavailable(_) => {
                Problem::unavailable("The vision-ocr database does not answer.")
            }
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        if matches!(self, Self::Unavailable(_) | Self::NoReader(..)) {
            tracing::warn!(error = %self, "vision-ocr could not answer");
        }
        self.problem().error_response()
    }
}
