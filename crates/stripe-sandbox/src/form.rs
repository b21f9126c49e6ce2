//! Stripe's form bodies: `application/x-www-form-urlencoded` with brackets
//! (`line_items[0][price_data][unit_amount]=500`, `metadata[k]=v`, `payment_method_types[]=card`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::StripeError;

/// The decoded pairs of a form body or query string, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Decodes a body or query string.
    pub fn parse(raw: &[u8]) -> Result<Self, StripeError> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw)
            .map(Self)
            .map_err(|e| {
                StripeError::bad_request(
                    "parameter_invalid_empty",
                    format!("Invalid form body: {e}"),
                    None,
                )
            })
    }

    /// A canonical text of the parameters (sorted), for idempotency comparison.
    pub fn canonical(&self) -> String {
        let mut pairs = self.0.clone();
        pairs.sort();
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// The first value of `key`, empty values counting as absent (Stripe unsets with `key=`).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `key` as sent, empty included (`key=` unsets a field on update).
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every key sent, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }

    /// `key`, or 400 `parameter_missing`.
    pub fn required(&self, key: &str) -> Result<&str, StripeError> {
        self.get(key).ok_or_else(|| StripeError::missing(key))
    }

    /// `key` as an integer at least `min`; fractions and words are Stripe's `Invalid integer`.
    pub fn integer(&self, key: &str, min: i64) -> Result<Option<i64>, StripeError> {
        let Some(raw) = self.get(key) else {
            return Ok(None);
        };
        let value: i64 = raw
            .parse()
            .map_err(|_| StripeError::invalid_integer(key, raw))?;
        if value < min {
            return Err(StripeError::too_small(key, min));
        }
        Ok(Some(value))
    }

    /// Refuses any key not starting with one of `allowed` (a key or `key[` prefix).
    pub fn only(&self, allowed: &[&str]) -> Result<(), StripeError> {
        for (key, _) in &self.0 {
            let root = key.split('[').next().unwrap_or_default();
            if !allowed.contains(&root) && !["expand"].contains(&root) {
                return Err(StripeError::unknown_param(root));
            }
        }
        Ok(())
    }

    /// `metadata[k]=v` as a JSON object.
    pub fn map(&self, name: &str) -> Value {
        let prefix = format!("{name}[");
        let mut map = Map::new();
        for (key, value) in &self.0 {
            if let Some(inner) = key.strip_prefix(&prefix).and_then(|k| k.strip_suffix(']')) {
                map.insert(inner.to_owned(), Value::String(value.clone()));
            }
        }
        Value::Object(map)
    }

    /// `name[]=a&name[]=b` or `name[0]=a&name[1]=b`, in order.
    pub fn list(&self, name: &str) -> Vec<String> {
        let prefix = format!("{name}[");
        self.0
            .iter()
            .filter(|(k, v)| !v.is_empty() && k.starts_with(&prefix) && k.ends_with(']'))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// `name[0][…]`, `name[1][…]` as sub-forms with the `name[i]` prefix stripped
    /// (`line_items[0][price_data][currency]` → `price_data[currency]`), by index.
    pub fn indexed(&self, name: &str) -> Result<Vec<Params>, StripeError> {
        let prefix = format!("{name}[");
        let mut items: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
        for (key, value) in &self.0 {
            let Some(rest) = key.strip_prefix(&prefix) else {
                continue;
            };
            let (index, tail) = rest
                .split_once(']')
                .ok_or_else(|| StripeError::invalid_value(name, format!("Invalid array: {key}")))?;
            let index: usize = index
                .parse()
                .map_err(|_| StripeError::invalid_value(name, format!("Invalid array: {key}")))?;
            // `[price_data][currency]` → `price_data[currency]`
            let inner = tail.strip_prefix('[').unwrap_or(tail);
            let inner = match inner.split_once(']') {
                Some((head, more)) => format!("{head}{more}"),
                None => inner.to_owned(),
            };
            items.entry(index).or_default().push((inner, value.clone()));
        }
        Ok(items.into_values().map(Params).collect())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_keys_decode_into_items_maps_and_lists() {
        let form = Params::parse(
            b"line_items[0][price_data][currency]=cad&line_items[0][price_data][product_data][name]=Facture&line_items[0][quantity]=2&line_items[1][quantity]=1&metadata[invoice]=SINV-1&payment_method_types[]=card&payment_method_types[]=klarna",
        )
        .unwrap();
        let items = form.indexed("line_items").unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].get("price_data[currency]"), Some("cad"));
        assert_eq!(
            items[0].get("price_data[product_data][name]"),
            Some("Facture")
        );
        assert_eq!(items[0].integer("quantity", 1).unwrap(), Some(2));
        assert_eq!(form.map("metadata")["invoice"], "SINV-1");
        assert_eq!(form.list("payment_method_types"), vec!["card", "klarna"]);
    }

    #[test]
    fn fractions_and_negatives_are_refused() {
        let form = Params::parse(b"a=12.5&b=-1").unwrap();
        assert_eq!(
            form.integer("a", 0).unwrap_err().message,
            "Invalid integer: 12.5"
        );
        assert!(form.integer("b", 0).is_err());
    }
}
