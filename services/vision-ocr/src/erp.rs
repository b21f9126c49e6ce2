//! What vision-ocr asks of ERPNext: the Supplier of an invoice and its draft Purchase Invoice, the
//! Equipment of a label with its Service Location (docs/vision-ocr.md, "ERPNext").

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Value, json};
use shared::erpnext::{
    Equipment, ErpError, FrappeClient, ListQuery, Op, PurchaseInvoice, ServiceLocation, Supplier,
};
use utoipa::ToSchema;

use crate::equipment::{Label, mac_spellings};
use crate::invoice::{Invoice, TaxName};

/// The tax accounts a draft books each tax to.
#[derive(Debug, Clone)]
pub struct TaxAccounts {
    /// GST/TPS paid (`VISION_ACCOUNT_TPS`).
    pub tps: String,
    /// QST/TVQ paid (`VISION_ACCOUNT_TVQ`).
    pub tvq: String,
    /// HST paid (`VISION_ACCOUNT_HST`).
    pub hst: String,
}

impl TaxAccounts {
    fn of(&self, tax: TaxName) -> &str {
        match tax {
            TaxName::Tps => &self.tps,
            TaxName::Tvq => &self.tvq,
            TaxName::Hst => &self.hst,
        }
    }
}

/// The draft made (or found) for an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = VisionDraft)]
pub struct Draft {
    /// The Purchase Invoice (`ACC-PINV-2026-00002`).
    pub purchase_invoice: String,
    /// Its Supplier.
    pub supplier: String,
    /// `tax_id`, `qst_number` or `name`.
    pub matched_by: String,
    /// False when the supplier's invoice was in ERPNext already (not made twice).
    pub created: bool,
}

/// The Equipment a label belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = VisionEquipmentMatch)]
pub struct EquipmentMatch {
    /// `serial`, `barcode` or `mac`.
    pub matched_by: String,
    /// The Equipment (`EQ-2026-00001`).
    pub name: String,
    /// ONT, Router…
    pub equipment_type: String,
    /// Its model.
    pub model: Option<String>,
    /// Its serial number.
    pub serial_no: Option<String>,
    /// In Stock, Installed, Returned or Defective.
    pub status: String,
    /// Whose it is.
    pub customer: Option<String>,
    /// Their name.
    pub customer_name: Option<String>,
    /// The warehouse of equipment in stock.
    pub warehouse: Option<String>,
    /// Where it is installed.
    pub service_location: Option<Location>,
}

/// A Service Location, as a technician needs it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = VisionLocation)]
pub struct Location {
    /// `LOC-2026-00001`.
    pub name: String,
    /// Its label.
    pub location_name: String,
    /// Street address.
    pub address_line1: Option<String>,
    /// Town.
    pub city: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
}

/// ERPNext, for vision-ocr.
#[derive(Clone)]
pub struct Erp {
    /// The Frappe client.
    pub client: FrappeClient,
    /// Where taxes are booked.
    pub accounts: TaxAccounts,
}

impl Erp {
    /// The Supplier of `invoice`: by GST/TPS number, then QST/TVQ number, then name.
    pub async fn supplier(&self, invoice: &Invoice) -> Result<Option<(String, String)>, ErpError> {
        let numbers = [
            ("tax_id", invoice.gst_number.as_deref()),
            ("custom_qst_number", invoice.qst_number.as_deref()),
        ];
        for (field, number) in numbers {
            let Some(number) = number else { continue };
            let query = ListQuery::new()
                .fields(&["name"])
                .filter(field, Op::In, json!(tax_number_spellings(number)))
                .filter("disabled", Op::Eq, json!(0))
                .limit(1);
            if let Some(found) = self.names("Supplier", query).await?.into_iter().next() {
                let by = if field == "tax_id" {
                    "tax_id"
                } else {
                    "qst_number"
                };
                return Ok(Some((found, by.to_owned())));
            }
        }
        let Some(printed) = invoice.supplier.as_deref() else {
            return Ok(None);
        };
        let query = ListQuery::new()
            .fields(&["name", "supplier_name"])
            .filter("disabled", Op::Eq, json!(0))
            .limit(5000);
        let suppliers: Vec<Supplier> = self.client.list("Supplier", &query).await?;
        Ok(suppliers
            .into_iter()
            .find(|s| fold(&s.supplier_name) == fold(printed))
            .and_then(|s| s.name)
            .map(|name| (name, "name".to_owned())))
    }

    /// The draft Purchase Invoice of `invoice` from `supplier`: the one ERPNext has for the same
    /// supplier's invoice number, or a new one.
    pub async fn draft(
        &self,
        invoice: &Invoice,
        (supplier, matched_by): (String, String),
        note: &str,
        provider: &str,
    ) -> Result<Draft, ErpError> {
        if let Some(bill_no) = invoice.invoice_number.as_deref() {
            let query = ListQuery::new()
                .fields(&["name"])
                .filter("supplier", Op::Eq, json!(supplier))
                .filter("bill_no", Op::Eq, json!(bill_no))
                .filter("docstatus", Op::Lt, json!(2))
                .limit(1);
            if let Some(name) = self.names("Purchase Invoice", query).await?.pop() {
                return Ok(Draft {
                    purchase_invoice: name,
                    supplier,
                    matched_by,
                    created: false,
                });
            }
        }
        let doc = self.purchase_invoice(invoice, &supplier, note, provider);
        let made: PurchaseInvoice = self.client.create("Purchase Invoice", &doc).await?;
        Ok(Draft {
            purchase_invoice: made.name.unwrap_or_default(),
            supplier,
            matched_by,
            created: true,
        })
    }

    fn purchase_invoice(&self, inv: &Invoice, supplier: &str, note: &str, provider: &str) -> Value {
        let today = chrono::Local::now().date_naive();
        let posting = inv.date.map_or(today, |d| d.max(today));
        let mut items: Vec<Value> = inv
            .lines
            .iter()
            .filter_map(|l| {
                let amount = l.amount.or(l.unit_price)?;
                let qty = l.quantity.filter(|q| *q > 0.0).unwrap_or(1.0);
                let rate = l.unit_price.map_or(amount.dollars() / qty, |p| p.dollars());
                Some(
                    json!({"item_name": clip(&l.description, 140), "description": l.description,
                    "qty": qty, "rate": rate}),
                )
            })
            .collect();
        if items.is_empty() {
            let net = inv.subtotal.or(inv.total).map_or(0.0, |m| m.dollars());
            let label = format!("Facture {}", inv.invoice_number.as_deref().unwrap_or("?"));
            items.push(json!({"item_name": label, "qty": 1, "rate": net}));
        }
        let taxes: Vec<Value> = inv
            .taxes
            .iter()
            .map(|t| {
                json!({"charge_type": "Actual", "account_head": self.accounts.of(t.name),
                    "description": format!("{:?}", t.name).to_uppercase(), "tax_amount": t.amount.dollars()})
            })
            .collect();
        json!({
            "supplier": supplier,
            "bill_no": inv.invoice_number,
            "bill_date": inv.date.map(|d: NaiveDate| d.to_string()),
            "posting_date": posting.to_string(),
            "due_date": inv.due_date.map(|d| d.max(posting).to_string()),
            "currency": inv.currency.as_deref().unwrap_or("CAD"),
            "items": items,
            "taxes": taxes,
            "remarks": note,
            "custom_ocr_source": provider,
            "docstatus": 0,
        })
    }

    /// The Equipment of `label`: by serial number (or GPON serial), then by each decoded code,
    /// then by each MAC address.
    pub async fn equipment(&self, label: &Label) -> Result<Option<EquipmentMatch>, ErpError> {
        let serials: Vec<&str> = label
            .serial
            .iter()
            .chain(&label.gpon_serial)
            .map(String::as_str)
            .collect();
        let codes: Vec<&str> = label.barcodes.iter().map(|b| b.text.as_str()).collect();
        let macs: Vec<String> = label.macs.iter().flat_map(|m| mac_spellings(m)).collect();
        let tiers: [(&str, &[&str], Value); 3] = [
            ("serial", &["serial_no", "gpon_serial"], json!(serials)),
            ("barcode", &["barcode", "serial_no"], json!(codes)),
            ("mac", &["mac_address"], json!(macs)),
        ];
        for (tier, fields, values) in tiers {
            if values.as_array().is_none_or(Vec::is_empty) {
                continue;
            }
            for field in fields {
                let query = ListQuery::new()
                    .fields(Equipment::FIELDS)
                    .filter(field, Op::In, values.clone())
                    .limit(1);
                let found: Vec<Equipment> = self.client.list("Equipment", &query).await?;
                if let Some(equipment) = found.into_iter().next() {
                    return Ok(Some(self.matched(tier, equipment).await?));
                }
            }
        }
        Ok(None)
    }

    async fn matched(&self, tier: &str, e: Equipment) -> Result<EquipmentMatch, ErpError> {
        let location = match e.service_location.as_deref() {
            Some(name) => Some(location(
                self.client.get("Service Location", name).await?,
                name,
            )),
            None => None,
        };
        Ok(EquipmentMatch {
            matched_by: tier.to_owned(),
            name: e.name.unwrap_or_default(),
            equipment_type: select_label(&e.equipment_type),
            model: e.model,
            serial_no: e.serial_no,
            status: select_label(&e.status),
            customer: e.customer,
            customer_name: e.customer_name,
            warehouse: e.warehouse,
            service_location: location,
        })
    }

    async fn names(&self, doctype: &str, query: ListQuery) -> Result<Vec<String>, ErpError> {
        let rows: Vec<Value> = self.client.list(doctype, &query).await?;
        Ok(rows
            .iter()
            .filter_map(|r| r["name"].as_str().map(str::to_owned))
            .collect())
    }
}

/// ERPNext's spelling of a Select value (`In Stock`, `Set-top box`).
fn select_label<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn location(loc: ServiceLocation, name: &str) -> Location {
    Location {
        name: loc.name.unwrap_or_else(|| name.to_owned()),
        location_name: loc.location_name,
        address_line1: loc.address_line1,
        city: loc.city,
        postal_code: loc.postal_code,
    }
}

/// `123456789 RT0001` as people type it in ERPNext: with or without the space, in either case.
fn tax_number_spellings(number: &str) -> Vec<String> {
    let compact: String = number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    let digits = compact.chars().take_while(char::is_ascii_digit).count();
    let spaced = format!("{} {}", &compact[..digits], &compact[digits..]);
    let dashed = format!("{}-{}", &compact[..digits], &compact[digits..]);
    vec![compact, spaced, dashed, number.trim().to_owned()]
}

/// A name compared without case, accents, punctuation or the company's legal form.
fn fold(name: &str) -> String {
    let plain: String = name
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_alphanumeric() => c,
            _ => ' ',
        })
        .collect();
    plain
        .split_whitespace()
        .filter(|w| !["inc", "ltee", "ltd", "limited", "limitee", "enr", "senc"].contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_without_case_accents_or_legal_form() {
        assert_eq!(
            fold("Fibres Optiques Boréal ltée"),
            fold("FIBRES OPTIQUES BOREAL LTÉE")
        );
        assert_eq!(fold("Câblage Laurentides inc."), "cablage laurentides");
        assert_ne!(fold("Câblage Laurentides"), fold("Câblage Outaouais"));
    }

    #[test]
    fn tax_numbers_in_the_spellings_people_type() {
        let s = tax_number_spellings("123456789 RT0001");
        for typed in ["123456789RT0001", "123456789 RT0001", "123456789-RT0001"] {
            assert!(s.iter().any(|x| x == typed), "{typed}");
        }
    }
}
