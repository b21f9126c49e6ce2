//! A tech link: what a dispatcher asks for (`{technician, job}`), how long its token lives (12 h
//! at most, never past the end of the technician's shift today, America/Montreal), the SMS that
//! carries it (French, then English), and the refusals in the caller's language.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::America::Montreal;
use serde::Deserialize;
use utoipa::ToSchema;

use super::Lang;

/// Longest life of a tech token.
pub const TECH_TOKEN_MAX_TTL_S: i64 = 12 * 3600;

/// Longest ERPNext document name accepted (Frappe's `name` column is 140 characters).
const MAX_NAME_CHARS: usize = 140;

/// What a dispatcher sends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TechLinkRequest {
    /// ERPNext Technician name.
    #[schema(example = "TECH-0001")]
    pub technician: String,
    /// ERPNext Dispatch Job name, assigned to that technician.
    #[schema(example = "DJ-2026-00001")]
    pub job: String,
}

/// A request whose names are plausible ERPNext document names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechLink {
    /// The Technician's name, trimmed.
    pub technician: String,
    /// The Dispatch Job's name, trimmed.
    pub job: String,
}

impl TechLink {
    /// Both names non-blank, at most 140 characters, without control characters or `/`; else
    /// what is wrong, in `lang`.
    pub fn parse(request: &TechLinkRequest, lang: Lang) -> Result<Self, String> {
        let name = |value: &str, field: &str| {
            let value = value.trim();
            let plausible = !value.is_empty()
                && value.chars().count() <= MAX_NAME_CHARS
                && !value.chars().any(|c| c.is_control() || c == '/');
            if plausible {
                Ok(value.to_owned())
            } else {
                Err(match lang {
                    Lang::Fr => format!("{field} doit être un nom de document ERPNext."),
                    Lang::En => format!("{field} must be an ERPNext document name."),
                })
            }
        };
        Ok(Self {
            technician: name(&request.technician, "technician")?,
            job: name(&request.job, "job")?,
        })
    }
}

/// The shift of the technician has already ended today: a token would be dead on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftOver;

/// When a token minted at `now` expires: 12 h later, or at `shift_end` today (local time in
/// Montréal) if that comes first; [`ShiftOver`] when that end has passed.
pub fn expiry(
    now: DateTime<Utc>,
    shift_end: Option<NaiveTime>,
) -> Result<DateTime<Utc>, ShiftOver> {
    let longest = now + Duration::seconds(TECH_TOKEN_MAX_TTL_S);
    let Some(end) = shift_end else {
        return Ok(longest);
    };
    let today = now.with_timezone(&Montreal).date_naive();
    // A shift end in the hour skipped by a DST change: its first valid instant.
    let end = Montreal
        .from_local_datetime(&today.and_time(end))
        .earliest()
        .unwrap_or_else(|| Montreal.from_utc_datetime(&today.and_time(end)))
        .with_timezone(&Utc);
    if end <= now {
        return Err(ShiftOver);
    }
    Ok(longest.min(end))
}

/// The SMS: French, then English, the link once at the end.
pub fn sms_text(job: &str, expires_at: DateTime<Utc>, link: &str) -> String {
    let local = expires_at.with_timezone(&Montreal);
    let french = local.format("%-H h %M").to_string();
    let english = local.format("%-I:%M %p").to_string();
    format!(
        "Gigafibre : votre lien pour l'intervention {job}, valide jusqu'à {french}. \
         Your link for job {job}, valid until {english}: {link}"
    )
}

/// Refusals, in the caller's language (French unless English is asked for).
pub mod refusal {
    use super::Lang;

    /// No such Technician.
    pub fn unknown_technician(lang: Lang, name: &str) -> String {
        match lang {
            Lang::Fr => format!("Aucun technicien {name}."),
            Lang::En => format!("No technician {name}."),
        }
    }

    /// No such Dispatch Job.
    pub fn unknown_job(lang: Lang, name: &str) -> String {
        match lang {
            Lang::Fr => format!("Aucune intervention {name}."),
            Lang::En => format!("No dispatch job {name}."),
        }
    }

    /// The job is someone else's (or no one's).
    pub fn not_assigned(lang: Lang, job: &str, technician: &str) -> String {
        match lang {
            Lang::Fr => format!("L'intervention {job} n'est pas assignée à {technician}."),
            Lang::En => format!("Dispatch job {job} is not assigned to {technician}."),
        }
    }

    /// No mobile number in ERPNext.
    pub fn no_mobile(lang: Lang, technician: &str) -> String {
        match lang {
            Lang::Fr => format!("Le technicien {technician} n'a pas de numéro de mobile."),
            Lang::En => format!("Technician {technician} has no mobile number."),
        }
    }

    /// The shift has ended.
    pub fn shift_over(lang: Lang, technician: &str) -> String {
        match lang {
            Lang::Fr => {
                format!("Le quart de travail de {technician} est terminé pour aujourd'hui.")
            }
            Lang::En => format!("{technician}'s shift is over for today."),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_token_ends_with_the_shift_in_montreal_time() {
        // 08:00 in Montréal (EST, UTC−5); the shift ends at 15:30 local, 20:30 UTC.
        let now = at("2026-12-08T13:00:00Z");
        let end = NaiveTime::from_hms_opt(15, 30, 0);
        assert_eq!(expiry(now, end), Ok(at("2026-12-08T20:30:00Z")));
    }

    #[test]
    fn a_token_lives_twelve_hours_at_most() {
        let now = at("2026-12-08T11:00:00Z");
        assert_eq!(expiry(now, None), Ok(at("2026-12-08T23:00:00Z")));
        let late = NaiveTime::from_hms_opt(23, 59, 0);
        assert_eq!(expiry(now, late), Ok(at("2026-12-08T23:00:00Z")));
    }

    #[test]
    fn after_the_shift_no_token_is_minted() {
        let now = at("2026-12-08T21:00:00Z");
        assert_eq!(
            expiry(now, NaiveTime::from_hms_opt(15, 30, 0)),
            Err(ShiftOver)
        );
    }

    #[test]
    fn summer_time_is_four_hours_behind() {
        let now = at("2026-07-08T12:00:00Z");
        let end = NaiveTime::from_hms_opt(16, 30, 0);
        assert_eq!(expiry(now, end), Ok(at("2026-07-08T20:30:00Z")));
    }

    #[test]
    fn the_sms_is_french_then_english_with_the_local_time() {
        let text = sms_text(
            "DJ-2026-00001",
            at("2026-12-08T20:30:00Z"),
            "https://hub.example.ca/dispatch/j/#t=abc",
        );
        assert!(text.starts_with(
            "Gigafibre : votre lien pour l'intervention DJ-2026-00001, valide jusqu'à 15 h 30."
        ));
        assert!(text.contains("Your link for job DJ-2026-00001, valid until 3:30 PM: https://hub.example.ca/dispatch/j/#t=abc"));
    }

    #[test]
    fn names_must_be_plausible_document_names() {
        let ok = TechLinkRequest {
            technician: " TECH-0001 ".into(),
            job: "DJ-2026-00001".into(),
        };
        assert_eq!(
            TechLink::parse(&ok, Lang::Fr).unwrap().technician,
            "TECH-0001"
        );
        for (technician, job) in [("", "DJ-1"), ("TECH-1", "a/b"), ("TECH\n1", "DJ-1")] {
            let bad = TechLinkRequest {
                technician: technician.into(),
                job: job.into(),
            };
            assert!(TechLink::parse(&bad, Lang::En).is_err());
        }
    }
}
