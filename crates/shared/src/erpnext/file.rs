//! A Frappe `File`: an attachment (the signed quotation PDF on its Sales Order).

use serde::{Deserialize, Serialize};

use super::dto::{flag, opt_text};

/// A Frappe `File` (the content is never part of it: download `file_url`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct File {
    /// Document name (a random hash).
    pub name: String,
    /// File name as stored (`SAL-ORD-2026-00001-signed.pdf`).
    pub file_name: String,
    /// `/private/files/<file_name>` or `/files/<file_name>`.
    #[serde(default, deserialize_with = "opt_text")]
    pub file_url: Option<String>,
    /// The doctype it is attached to.
    #[serde(default, deserialize_with = "opt_text")]
    pub attached_to_doctype: Option<String>,
    /// The document it is attached to.
    #[serde(default, deserialize_with = "opt_text")]
    pub attached_to_name: Option<String>,
    /// Private files need the API credentials to download.
    #[serde(default, deserialize_with = "flag")]
    pub is_private: bool,
    /// Size in bytes.
    #[serde(default)]
    pub file_size: Option<u64>,
}

impl File {
    /// The fields to request in a list call so every field of this DTO is filled.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "file_name",
        "file_url",
        "attached_to_doctype",
        "attached_to_name",
        "is_private",
        "file_size",
    ];
}
