//! Query parameters read leniently, as real clients need: `""` is absent,
//! unknown parameters are ignored, and each failure is OKX's own error.

use std::str::FromStr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;

/// The decoded query string of a request.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string (`+` is a space, `%XX` decoded).
    pub(crate) fn parse(query: &str) -> Self {
        Self(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The value of `name`; `""` counts as absent (python-okx sends empty values).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, value)| key == name && !value.is_empty())
            .map(|(_, value)| value.as_str())
    }

    /// The value of `name`, or 50014.
    pub(crate) fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| ApiError::missing_param(name))
    }

    /// `name` parsed as `T`, or 51000 "Parameter {name} error".
    pub(crate) fn parsed<T: FromStr>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|text| {
                text.trim()
                    .parse()
                    .map_err(|_| ApiError::invalid_param(name))
            })
            .transpose()
    }

    /// A `limit`-style count: default when absent, 51000 when zero, negative,
    /// not a number or above `max`.
    pub(crate) fn count(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.parsed::<usize>(name)? {
            None => Ok(default),
            Some(n) if (1..=max).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::invalid_param(name)),
        }
    }
}

/// OKX's list paging: `limit` (at most 100, default 100), `after` (older than
/// the cursor) and `before` (newer than it), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    pub(crate) limit: usize,
    after: Option<i64>,
    before: Option<i64>,
}

impl Page {
    pub(crate) fn of(params: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            limit: params.count("limit", 100, 100)?,
            after: params.parsed("after")?,
            before: params.parsed("before")?,
        })
    }

    /// Whether a row with this cursor (id or ms) is inside the page's bounds.
    pub(crate) fn admits(&self, cursor: i64) -> bool {
        self.after.is_none_or(|a| cursor < a) && self.before.is_none_or(|b| cursor > b)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::parse(parts.uri.query().unwrap_or("")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_absent_and_encoding_is_undone() {
        let params = Params::parse("ccy=BTC%2CUSDT&clOrdId=a+b%3Ac&px=&limit=5");
        assert_eq!(params.get("ccy"), Some("BTC,USDT"));
        assert_eq!(params.get("clOrdId"), Some("a b:c"));
        assert_eq!(params.get("px"), None);
        assert_eq!(params.count("limit", 100, 300), Ok(5));
    }

    #[test]
    fn a_bad_count_is_okx_s_parameter_error() {
        let params = Params::parse("limit=0&sz=abc&big=301");
        assert_eq!(
            params.count("limit", 1, 300),
            Err(ApiError::invalid_param("limit"))
        );
        assert_eq!(
            params.count("sz", 1, 400),
            Err(ApiError::invalid_param("sz"))
        );
        assert_eq!(
            params.count("big", 1, 300),
            Err(ApiError::invalid_param("big"))
        );
        assert_eq!(
            params.required("instId"),
            Err(ApiError::missing_param("instId"))
        );
    }
}
