//! The demo catalogue and quotations: Items with Gigafibre's `custom_billing_frequency`, one
//! Subscription Plan per recurring Item (named by its item code), and six Quotations to fixture
//! customers covering what quotation-signing must handle. Dates are relative to the day the
//! database is seeded; TPS 5 % and TVQ 9,975 % as on the demo invoices.

use anyhow::Context;
use chrono::{Days, NaiveDate};
use serde_json::{Map, Value, json};

use crate::demo_invoices::quebec_taxes;
use crate::selling_doctypes::{ITEM, QUOTATION, SUBSCRIPTION_PLAN};
use crate::store::Store;

/// Marie Tremblay (`CUST-2024-00001`, French), submitted, valid 30 days: recurring items
/// (`FIBRE-1G`, `TV-BASE` monthly, `STATIC-IP` yearly) and one-time items (`INSTALL`,
/// `ROUTER-WIFI7`): 488.00 + 24.40 TPS + 48.68 TVQ = 561.08.
pub const QUOTATION_FIBRE_BUNDLE: &str = "SAL-QTN-2026-00001";
/// Emily Smith (`CUST-2024-00007`, English), submitted, valid 30 days, recurring only
/// (`FIBRE-500`, `PHONE` monthly): 100.00 + 5.00 + 9.98 = 114.98.
pub const QUOTATION_RECURRING_ONLY: &str = "SAL-QTN-2026-00002";
/// Jean Gagnon (`CUST-2024-00002`, French), submitted 60 days ago, `valid_till` 30 days ago:
/// status Expired (`FIBRE-500`, `INSTALL`).
pub const QUOTATION_EXPIRED: &str = "SAL-QTN-2026-00003";
/// Patrick O'Brien (`CUST-2024-00006`, English), cancelled (docstatus 2): `FIBRE-1G`.
pub const QUOTATION_CANCELLED: &str = "SAL-QTN-2026-00004";
/// Luc Côté (`CUST-2024-00004`, French), submitted, valid 30 days, with `CABLE-30M`, an Item
/// without a billing frequency, beside `FIBRE-500`.
pub const QUOTATION_NO_FREQUENCY: &str = "SAL-QTN-2026-00005";
/// Michael Brown (`CUST-2024-00018`, English), a draft (docstatus 0): `TV-BASE`, `PHONE`.
pub const QUOTATION_DRAFT: &str = "SAL-QTN-2026-00006";

/// `(item_code, item_name, billing frequency, rate in cents)`.
pub const CATALOGUE: &[(&str, &str, &str, i64)] = &[
    ("FIBRE-500", "Internet Fibre 500 Mbit/s", "Monthly", 7500),
    ("FIBRE-1G", "Internet Fibre 1 Gbit/s", "Monthly", 9500),
    ("TV-BASE", "Télé de base", "Monthly", 3500),
    ("PHONE", "Téléphonie résidentielle", "Monthly", 2500),
    ("SECURITE-NET", "Sécurité Internet", "Quarterly", 2997),
    ("STATIC-IP", "Adresse IP fixe", "Yearly", 6000),
    ("INSTALL", "Installation", "One-time", 9900),
    ("ROUTER-WIFI7", "Routeur Wi-Fi 7", "One-time", 19900),
    ("CABLE-30M", "Câble réseau 30 m", "", 2000),
];

struct DemoQuotation {
    name: &'static str,
    customer: &'static str,
    title: &'static str,
    email: &'static str,
    mobile: &'static str,
    items: &'static [&'static str],
    /// Days from the seeding day: (transaction_date, valid_till).
    dates: (i64, i64),
    docstatus: i64,
}

const QUOTATIONS: &[DemoQuotation] = &[
    DemoQuotation {
        name: QUOTATION_FIBRE_BUNDLE,
        customer: "CUST-2024-00001",
        title: "Marie Tremblay — Fibre 1 Gbit/s, télé et installation",
        email: "Marie.Tremblay@Example.CA",
        mobile: "514 555-0147",
        items: &[
            "FIBRE-1G",
            "TV-BASE",
            "STATIC-IP",
            "INSTALL",
            "ROUTER-WIFI7",
        ],
        dates: (0, 30),
        docstatus: 1,
    },
    DemoQuotation {
        name: QUOTATION_RECURRING_ONLY,
        customer: "CUST-2024-00007",
        title: "Emily Smith — Fibre 500 and phone",
        email: "emily.smith@example.com",
        mobile: "(514) 555-0134",
        items: &["FIBRE-500", "PHONE"],
        dates: (0, 30),
        docstatus: 1,
    },
    DemoQuotation {
        name: QUOTATION_EXPIRED,
        customer: "CUST-2024-00002",
        title: "Jean Gagnon — Fibre 500 (expirée)",
        email: "famille.gagnon@example.ca",
        mobile: "(438) 555-0112",
        items: &["FIBRE-500", "INSTALL"],
        dates: (-60, -30),
        docstatus: 1,
    },
    DemoQuotation {
        name: QUOTATION_CANCELLED,
        customer: "CUST-2024-00006",
        title: "Patrick O'Brien — Fibre 1 Gbit/s (cancelled)",
        email: "patrick.obrien@example.com",
        mobile: "514-555-0121",
        items: &["FIBRE-1G"],
        dates: (-10, 20),
        docstatus: 2,
    },
    DemoQuotation {
        name: QUOTATION_NO_FREQUENCY,
        customer: "CUST-2024-00004",
        title: "Luc Côté — Fibre 500 et câble",
        email: "luc.cote@example.ca",
        mobile: "8195550133",
        items: &["FIBRE-500", "CABLE-30M"],
        dates: (0, 30),
        docstatus: 1,
    },
    DemoQuotation {
        name: QUOTATION_DRAFT,
        customer: "CUST-2024-00018",
        title: "Michael Brown — TV and phone (draft)",
        email: "Michael.Brown@Example.com",
        mobile: "438-555-0150",
        items: &["TV-BASE", "PHONE"],
        dates: (0, 30),
        docstatus: 0,
    },
];

/// Stores the catalogue, the plans and the quotations (those whose customer is present).
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    let stamp = "2024-06-01 09:00:00.000000";
    for (code, name, frequency, rate) in CATALOGUE {
        let mut item = Map::new();
        item.insert("name".to_owned(), json!(code));
        item.insert("item_code".to_owned(), json!(code));
        item.insert("item_name".to_owned(), json!(name));
        item.insert("item_group".to_owned(), json!("Services"));
        item.insert("stock_uom".to_owned(), json!("Unit"));
        item.insert("standard_rate".to_owned(), crate::money::amount(*rate));
        item.insert("custom_billing_frequency".to_owned(), json!(frequency));
        crate::selling::validate_item(&mut item)?;
        standard(&mut item, ITEM, stamp, 0);
        store.create(ITEM, &Value::Object(item)).await?;
        let interval = match *frequency {
            "Monthly" => Some(("Month", 1)),
            "Quarterly" => Some(("Month", 3)),
            "Yearly" => Some(("Year", 1)),
            _ => None,
        };
        if let Some((billing_interval, count)) = interval {
            let mut plan = json!({
                "name": code, "plan_name": code, "item": code, "price_determination": "Fixed Rate",
                "cost": crate::money::amount(*rate), "currency": "CAD",
                "billing_interval": billing_interval, "billing_interval_count": count,
            });
            if let Some(fields) = plan.as_object_mut() {
                standard(fields, SUBSCRIPTION_PLAN, stamp, 0);
            }
            store.create(SUBSCRIPTION_PLAN, &plan).await?;
        }
    }
    let today = chrono::Utc::now().date_naive();
    for quotation in QUOTATIONS {
        if store
            .find_by_name("Customer", quotation.customer)
            .await?
            .is_none()
        {
            continue;
        }
        seed_quotation(store, quotation, today)
            .await
            .with_context(|| format!("computing demo quotation {}", quotation.name))?;
    }
    Ok(())
}

async fn seed_quotation(
    store: &Store,
    demo: &DemoQuotation,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let day = |offset: i64| {
        let date = if offset < 0 {
            today.checked_sub_days(Days::new(offset.unsigned_abs()))
        } else {
            today.checked_add_days(Days::new(offset.unsigned_abs()))
        };
        date.unwrap_or(today).format("%Y-%m-%d").to_string()
    };
    let transaction_date = day(demo.dates.0);
    let mut doc = Map::new();
    doc.insert("name".to_owned(), json!(demo.name));
    doc.insert("naming_series".to_owned(), json!("SAL-QTN-.YYYY.-"));
    doc.insert("title".to_owned(), json!(demo.title));
    doc.insert("quotation_to".to_owned(), json!("Customer"));
    doc.insert("party_name".to_owned(), json!(demo.customer));
    doc.insert("transaction_date".to_owned(), json!(transaction_date));
    doc.insert("valid_till".to_owned(), json!(day(demo.dates.1)));
    doc.insert("contact_email".to_owned(), json!(demo.email));
    doc.insert("contact_mobile".to_owned(), json!(demo.mobile));
    let items: Vec<Value> = demo
        .items
        .iter()
        .map(|code| json!({"item_code": code, "qty": 1}))
        .collect();
    doc.insert("items".to_owned(), Value::Array(items));
    doc.insert("taxes".to_owned(), quebec_taxes());
    let stamp = format!("{transaction_date} 10:00:00.000000");
    standard(&mut doc, QUOTATION, &stamp, demo.docstatus.min(1));
    crate::selling::validate_quotation(store, &mut doc).await?;
    if demo.docstatus == 2 {
        doc.insert("docstatus".to_owned(), json!(2));
        doc.insert("status".to_owned(), json!("Cancelled"));
    }
    store.create(QUOTATION, &Value::Object(doc)).await?;
    Ok(())
}

fn standard(doc: &mut Map<String, Value>, doctype: &str, stamp: &str, docstatus: i64) {
    for (field, value) in [
        ("doctype", json!(doctype)),
        ("owner", json!("Administrator")),
        ("modified_by", json!("Administrator")),
        ("creation", json!(stamp)),
        ("modified", json!(stamp)),
        ("docstatus", json!(docstatus)),
        ("idx", json!(0)),
    ] {
        doc.insert(field.to_owned(), value);
    }
}
