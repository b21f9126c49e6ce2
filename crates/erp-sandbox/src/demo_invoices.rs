//! Demo Sales Invoices and Payment Entries for the fixture customers: three monthly fibre
//! invoices each (October, November, December 2026) with TPS 5 % and TVQ 9,975 %; October
//! and November paid by card through Stripe (the fee as a deduction), December unpaid.
//! Exceptions tests rely on: CUST-2024-00003's November invoice is unpaid (Overdue),
//! CUST-2024-00004's December invoice is partly paid (40.00).

use anyhow::Context;
use serde_json::{Map, Value, json};

use crate::invoice::{self, SALES_INVOICE};
use crate::money::{amount, field_cents, percent_of};
use crate::payment::{self, PAYMENT_ENTRY};
use crate::store::Store;

/// Posting and due dates of the three demo months.
const MONTHS: [(&str, &str, &str); 3] = [
    ("2026-10-01", "2026-10-31", "2026-10-20"),
    ("2026-11-01", "2026-11-30", "2026-11-20"),
    ("2026-12-01", "2026-12-31", "2026-12-05"),
];

/// The customer whose November invoice is left unpaid, hence Overdue.
const OVERDUE_CUSTOMER: &str = "CUST-2024-00003";
/// The customer whose December invoice is partly paid.
const PARTLY_PAID_CUSTOMER: &str = "CUST-2024-00004";

/// Stores the demo invoices and payments for the customers `(name, customer_type)`.
pub async fn seed(store: &Store, customers: &[(String, String)]) -> anyhow::Result<()> {
    let mut invoice_number = 0;
    let mut payment_number = 0;
    for (index, (customer, customer_type)) in customers.iter().enumerate() {
        let items = plan(index, customer_type == "Company");
        for (month, (posting, due, paid_on)) in MONTHS.iter().enumerate() {
            invoice_number += 1;
            let name = format!("ACC-SINV-2026-{invoice_number:05}");
            let stamp = format!(
                "{posting} 08:{:02}:{:02}.000000",
                invoice_number / 60,
                invoice_number % 60
            );
            let mut doc = Map::new();
            doc.insert("name".to_owned(), json!(name));
            doc.insert("naming_series".to_owned(), json!("ACC-SINV-.YYYY.-"));
            doc.insert("customer".to_owned(), json!(customer));
            doc.insert("company".to_owned(), json!("Gigafibre"));
            doc.insert("posting_date".to_owned(), json!(posting));
            doc.insert("due_date".to_owned(), json!(due));
            doc.insert("items".to_owned(), items.clone());
            doc.insert("taxes".to_owned(), quebec_taxes());
            standard(&mut doc, SALES_INVOICE, &stamp);
            invoice::validate(store, &mut doc)
                .await
                .with_context(|| format!("computing demo invoice {name}"))?;
            let grand = field_cents(&Value::Object(doc.clone()), "grand_total");
            store.create(SALES_INVOICE, &Value::Object(doc)).await?;
            let paid = match month {
                1 if customer == OVERDUE_CUSTOMER => None,
                0 | 1 => Some(grand),
                _ if customer == PARTLY_PAID_CUSTOMER => Some(4000),
                _ => None,
            };
            if let Some(allocated) = paid {
                payment_number += 1;
                let pe_stamp = format!(
                    "{paid_on} 10:{:02}:{:02}.000000",
                    payment_number / 60,
                    payment_number % 60
                );
                book_payment(
                    store,
                    payment_number,
                    &name,
                    customer,
                    allocated,
                    paid_on,
                    &pe_stamp,
                )
                .await
                .with_context(|| format!("paying demo invoice {name}"))?;
            }
        }
    }
    Ok(())
}

async fn book_payment(
    store: &Store,
    number: usize,
    invoice_name: &str,
    customer: &str,
    allocated: i64,
    date: &str,
    stamp: &str,
) -> anyhow::Result<()> {
    // Stripe Canada's domestic card price: 2.9 % + 0.30.
    let fee = percent_of(allocated, 2.9) + 30;
    let mut doc = Map::new();
    doc.insert(
        "name".to_owned(),
        json!(format!("ACC-PAY-2026-{number:05}")),
    );
    doc.insert("naming_series".to_owned(), json!("ACC-PAY-.YYYY.-"));
    doc.insert("party".to_owned(), json!(customer));
    doc.insert("company".to_owned(), json!("Gigafibre"));
    doc.insert("posting_date".to_owned(), json!(date));
    doc.insert("mode_of_payment".to_owned(), json!("Carte de crédit"));
    doc.insert("paid_amount".to_owned(), amount(allocated - fee));
    doc.insert(
        "reference_no".to_owned(),
        json!(format!("pi_demo{number:017}")),
    );
    doc.insert("reference_date".to_owned(), json!(date));
    doc.insert(
        "references".to_owned(),
        json!([{"reference_doctype": SALES_INVOICE, "reference_name": invoice_name, "allocated_amount": amount(allocated)}]),
    );
    doc.insert(
        "deductions".to_owned(),
        json!([{"account": "6210 - Frais Stripe - GF", "cost_center": "Principal - GF", "amount": amount(fee), "description": "Frais Stripe"}]),
    );
    standard(&mut doc, PAYMENT_ENTRY, stamp);
    doc.insert("docstatus".to_owned(), json!(1));
    let invoices = payment::validate(store, &mut doc, true).await?;
    store.create(PAYMENT_ENTRY, &Value::Object(doc)).await?;
    for invoice_doc in invoices {
        let name = invoice_doc["name"].as_str().unwrap_or_default().to_owned();
        store.update(SALES_INVOICE, &name, &invoice_doc).await?;
    }
    Ok(())
}

/// A customer's monthly services, varied by position; companies take the business plan.
fn plan(index: usize, company: bool) -> Value {
    let mut items = if company {
        vec![
            ("FIBRE-AFFAIRES", "Internet Affaires 1 Gbit/s", 14900),
            ("IP-FIXE", "Adresse IP fixe", 1500),
        ]
    } else {
        match index % 4 {
            0 => vec![("FIBRE-500", "Internet Fibre 500 Mbit/s", 7500)],
            1 => vec![("FIBRE-1G", "Internet Fibre 1 Gbit/s", 9500)],
            2 => vec![
                ("FIBRE-500", "Internet Fibre 500 Mbit/s", 7500),
                ("TELE-BASE", "Télé de base", 3000),
            ],
            _ => vec![
                ("FIBRE-1G", "Internet Fibre 1 Gbit/s", 9500),
                ("TELEPHONIE", "Téléphonie résidentielle", 2495),
            ],
        }
    };
    if index.is_multiple_of(3) {
        items.push(("MODEM", "Location du modem Wi-Fi 6", 500));
    }
    Value::Array(
        items
            .into_iter()
            .map(|(code, name, rate)| json!({"item_code": code, "item_name": name, "qty": 1, "rate": amount(rate)}))
            .collect(),
    )
}

/// TPS 5 % and TVQ 9,975 % on the net total, as every demo document carries them.
pub fn quebec_taxes() -> Value {
    json!([
        {"charge_type": "On Net Total", "account_head": "2310 - TPS à payer - GF", "description": "TPS 5 %", "rate": 5.0},
        {"charge_type": "On Net Total", "account_head": "2320 - TVQ à payer - GF", "description": "TVQ 9,975 %", "rate": 9.975},
    ])
}

fn standard(doc: &mut Map<String, Value>, doctype: &str, stamp: &str) {
    for (field, value) in [
        ("doctype", json!(doctype)),
        ("owner", json!("Administrator")),
        ("modified_by", json!("Administrator")),
        ("creation", json!(stamp)),
        ("modified", json!(stamp)),
        ("docstatus", json!(1)),
        ("idx", json!(0)),
    ] {
        doc.insert(field.to_owned(), value);
    }
}
