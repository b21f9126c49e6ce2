//! Finding the customers an identifier names, in ERPNext through the Frappe REST client.
//!
//! Frappe compares text as the database does, and ERPNext holds phone numbers in whatever form staff
//! typed them. So the ERP query is a wide `like` and the exact match is made here, on normalised values.

use serde_json::json;
use shared::erpnext::{Customer, ErpError, FrappeClient, ListQuery, Op};

use crate::domain::identifier::{E164Phone, Identifier};

/// Enabled customers matching `identifier`, by `name`.
pub async fn find_customers(
    erp: &FrappeClient,
    identifier: &Identifier,
) -> Result<Vec<Customer>, ErpError> {
    let query = ListQuery::new()
        .fields(Customer::FIELDS)
        .filter("disabled", Op::Eq, json!(0))
        .limit(50);
    let query = match identifier {
        Identifier::Email(email) => query
            .or_filter("email_id", Op::Like, json!(email.as_str()))
            .or_filter("email_billing", Op::Like, json!(email.as_str())),
        Identifier::Phone(phone) => {
            let pattern = digits_pattern(phone);
            query
                .or_filter("cell_phone", Op::Like, json!(pattern))
                .or_filter("tel_home", Op::Like, json!(pattern))
        }
        Identifier::CustomerId(id) => query
            .or_filter("name", Op::Eq, json!(id.as_str()))
            .or_filter("legacy_customer_id", Op::Eq, json!(id.as_str())),
    };
    let mut customers: Vec<Customer> = erp.list("Customer", &query).await?;
    customers.retain(|c| !c.disabled && matches(c, identifier));
    customers.sort_by(|a, b| a.name.cmp(&b.name));
    customers.dedup_by(|a, b| a.name == b.name);
    Ok(customers)
}

/// `%5%1%4%5%5%5%0%1%4%7%`: the national digits with anything between them.
fn digits_pattern(phone: &E164Phone) -> String {
    let national = phone
        .as_str()
        .strip_prefix("+1")
        .unwrap_or(phone.as_str().trim_start_matches('+'));
    let mut p = String::from("%");
    for d in national.chars() {
        p.push(d);
        p.push('%');
    }
    p
}

fn same_email(field: Option<&str>, email: &str) -> bool {
    field.is_some_and(|f| f.trim().eq_ignore_ascii_case(email))
}

fn same_phone(field: Option<&str>, phone: &E164Phone) -> bool {
    field
        .and_then(|f| E164Phone::parse(f).ok())
        .is_some_and(|p| p.as_str() == phone.as_str())
}

fn matches(c: &Customer, identifier: &Identifier) -> bool {
    match identifier {
        Identifier::Email(e) => {
            same_email(c.email_id.as_deref(), e.as_str())
                || same_email(c.email_billing.as_deref(), e.as_str())
        }
        Identifier::Phone(p) => {
            same_phone(c.cell_phone.as_deref(), p) || same_phone(c.tel_home.as_deref(), p)
        }
        Identifier::CustomerId(id) => {
            c.name == id.as_str() || c.legacy_customer_id.as_deref() == Some(id.as_str())
        }
    }
}

/// The address and number a customer's login message goes to, given what was typed.
pub fn recipients(c: &Customer, identifier: &Identifier) -> (Option<String>, Option<E164Phone>) {
    let email = match identifier {
        Identifier::Email(e) => Some(e.as_str().to_owned()),
        _ => c.email_id.clone().or_else(|| c.email_billing.clone()),
    };
    let phone = match identifier {
        Identifier::Phone(p) => Some(p.clone()),
        _ => c
            .cell_phone
            .as_deref()
            .and_then(|p| E164Phone::parse(p).ok()),
    };
    (email.map(|e| e.trim().to_lowercase()), phone)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_like_pattern_spans_any_formatting() {
        let phone = E164Phone::parse("(514) 555-0147").unwrap();
        assert_eq!(digits_pattern(&phone), "%5%1%4%5%5%5%0%1%4%7%");
    }
}
