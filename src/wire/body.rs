//! POST bodies, read leniently: `""` and `null` are absent, numbers and
//! booleans are taken where OKX documents strings (ccxt sends `"lever":5`,
//! `"reduceOnly":true`), unknown fields (`tag` from okx-api) are ignored.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// One JSON object of a request body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(Map<String, Value>);

impl Fields {
    /// The value of `name` as text; absent when missing, `null`, `""`, an array or an object.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The objects of the array `name` (`attachAlgoOrds`); nothing when it is
    /// missing, `null` or not an array, and non-objects inside are skipped.
    pub(crate) fn objects(&self, name: &str) -> Vec<Fields> {
        match self.0.get(name) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_object().cloned().map(Fields))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The value of `name`, or 50014.
    pub(crate) fn required(&self, name: &str) -> Result<String, ApiError> {
        self.text(name).ok_or_else(|| ApiError::missing_param(name))
    }
}

impl From<Map<String, Value>> for Fields {
    fn from(map: Map<String, Value>) -> Self {
        Self(map)
    }
}

/// A body that must be one JSON object: 50000 when empty, 50002 when not JSON.
pub(crate) fn object(body: &[u8]) -> Result<Fields, ApiError> {
    match parse(body)? {
        Value::Object(map) => Ok(Fields(map)),
        _ => Err(ApiError::json_syntax()),
    }
}

/// A batch body: a JSON array of objects (a lone object counts as one).
pub(crate) fn objects(body: &[u8]) -> Result<Vec<Fields>, ApiError> {
    match parse(body)? {
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Object(map) => Ok(Fields(map)),
                _ => Err(ApiError::json_syntax()),
            })
            .collect(),
        Value::Object(map) => Ok(vec![Fields(map)]),
        _ => Err(ApiError::json_syntax()),
    }
}

fn parse(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::empty_body());
    }
    serde_json::from_slice(body).map_err(|_| ApiError::json_syntax())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_the_way_clients_send_them() {
        let fields = object(br#"{"lever": 5, "reduceOnly": true, "px": "", "clOrdId": null, "tag": "abc", "a": [1]}"#).unwrap();
        assert_eq!(fields.text("lever").as_deref(), Some("5"));
        assert_eq!(fields.text("reduceOnly").as_deref(), Some("true"));
        assert_eq!(fields.text("px"), None);
        assert_eq!(fields.text("clOrdId"), None);
        assert_eq!(fields.text("a"), None);
        assert_eq!(
            fields.required("sz").unwrap_err(),
            ApiError::missing_param("sz")
        );
    }

    #[test]
    fn empty_and_broken_bodies_get_okx_s_codes() {
        assert_eq!(object(b"").unwrap_err(), ApiError::empty_body());
        assert_eq!(object(b"{\"a\":").unwrap_err(), ApiError::json_syntax());
        assert_eq!(objects(b"[1]").unwrap_err(), ApiError::json_syntax());
        assert_eq!(objects(br#"{"instId":"BTC-USDT"}"#).unwrap().len(), 1);
    }
}
