//! The two demo templates the sandbox is seeded with (DocuSeal templates are made in its UI; the
//! stand-in's are fixed): one signing party, `Client`, and the fields the quotation-signing
//! service prefills.

/// Template 1, "Soumission Gigafibre", for French quotes (`DOCUSEAL_TEMPLATE_FR`).
pub const TEMPLATE_FR: i64 = 1;
/// Template 2, "Gigafibre quotation", for English quotes (`DOCUSEAL_TEMPLATE_EN`).
pub const TEMPLATE_EN: i64 = 2;

/// The kind of a template field, as DocuSeal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Signature,
}

/// A field of a template: its name (the key of `values`) and the page's labels.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: FieldKind,
    pub label_fr: &'static str,
    pub label_en: &'static str,
}

/// A template.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    pub id: i64,
    pub name: &'static str,
    /// The signing parties' roles, in order.
    pub roles: &'static [&'static str],
    pub fields: &'static [Field],
    /// When the template was made (its `created_at` / `updated_at`).
    pub created_at: &'static str,
}

const FIELDS: &[Field] = &[
    Field {
        name: "Soumission",
        kind: FieldKind::Text,
        label_fr: "Soumission",
        label_en: "Quotation",
    },
    Field {
        name: "Client",
        kind: FieldKind::Text,
        label_fr: "Client",
        label_en: "Customer",
    },
    Field {
        name: "Total",
        kind: FieldKind::Text,
        label_fr: "Total",
        label_en: "Total",
    },
    Field {
        name: "Signature",
        kind: FieldKind::Signature,
        label_fr: "Signature",
        label_en: "Signature",
    },
];

const TEMPLATES: &[Template] = &[
    Template {
        id: TEMPLATE_FR,
        name: "Soumission Gigafibre",
        roles: &["Client"],
        fields: FIELDS,
        created_at: "2026-01-05T14:00:00.000Z",
    },
    Template {
        id: TEMPLATE_EN,
        name: "Gigafibre quotation",
        roles: &["Client"],
        fields: FIELDS,
        created_at: "2026-01-05T14:05:00.000Z",
    },
];

/// The template `id`, if seeded.
pub fn find(id: i64) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.id == id)
}

impl Template {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// `{id, name, external_id, created_at, updated_at, folder_name}` as DocuSeal nests it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "name": self.name,
            "external_id": null,
            "created_at": self.created_at,
            "updated_at": self.created_at,
            "folder_name": "Default",
        })
    }
}
