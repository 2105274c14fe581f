//! How okx-mock refuses a request: one type, one mapping to OKX's wire form.
//!
//! OKX answers errors in three shapes, and clients notice the difference:
//! - the normal envelope `{"code":"51000","data":[],"msg":"..."}` for business
//!   and parameter errors;
//! - the gateway shape `{"msg":"...","code":"50113"}`, with no `data`, for
//!   authentication failures (HTTP 401) and rate limits (HTTP 429);
//! - a Spring-style 404 page with a numeric `code` for unknown paths.
//!
//! Every code, message text and HTTP status okx-mock sends is spelled in this
//! file (auth codes in `auth::AuthError`, which converts into [`ApiError`]), so a
//! table test can pin them all.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// OKX's body for a path it does not serve: 102 bytes, numeric `code`, object `data`.
pub(crate) const NOT_FOUND_BODY: &str = r#"{"code":404,"data":{},"detailMsg":"","error_code":"404","error_message":"Not Found","msg":"Not Found"}"#;

/// A refusal, already in OKX's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// `{"code":..,"data":[],"msg":..}` with the given HTTP status.
    Envelope {
        /// OKX error code, e.g. `"51000"`.
        code: &'static str,
        /// Exact message text.
        msg: String,
        /// HTTP status OKX answers with.
        status: StatusCode,
    },
    /// `{"msg":..,"code":..}` without `data`: auth failures and gateway limits.
    Gateway {
        /// OKX error code, e.g. `"50113"`.
        code: &'static str,
        /// Exact message text.
        msg: String,
        /// HTTP status OKX answers with.
        status: StatusCode,
    },
    /// OKX's 404 page for an unknown path.
    NotFound,
}

impl ApiError {
    fn envelope(code: &'static str, status: StatusCode, msg: impl Into<String>) -> Self {
        Self::Envelope {
            code,
            msg: msg.into(),
            status,
        }
    }

    /// 50000: a POST that needs parameters arrived without a body.
    pub(crate) fn empty_body() -> Self {
        Self::envelope(
            "50000",
            StatusCode::BAD_REQUEST,
            "Body for POST request cannot be empty.",
        )
    }

    /// 50002: the body is not valid JSON.
    pub(crate) fn json_syntax() -> Self {
        Self::envelope("50002", StatusCode::BAD_REQUEST, "JSON syntax error")
    }

    /// 50014: a required parameter is missing (or `""`).
    ///
    /// Observed texts vary ("instType cannot be empty", "Parameter instId can not
    /// be empty."); okx-mock uses the documented template for every parameter.
    pub(crate) fn missing_param(name: &str) -> Self {
        Self::envelope(
            "50014",
            StatusCode::BAD_REQUEST,
            format!("Parameter {name} can not be empty."),
        )
    }

    /// 50015: one of two parameters is required.
    pub(crate) fn either_param(first: &str, second: &str) -> Self {
        Self::envelope(
            "50015",
            StatusCode::BAD_REQUEST,
            format!("Either parameter {first} or {second} is required"),
        )
    }

    /// 50038: the endpoint does not exist in demo trading. `temporarily` gives
    /// the text OKX was seen sending for asset/currencies.
    pub(crate) fn unavailable_in_demo(temporarily: bool) -> Self {
        let msg = if temporarily {
            "This feature is temporarily unavailable in demo trading"
        } else {
            "This feature is unavailable in demo trading"
        };
        Self::envelope("50038", StatusCode::OK, msg)
    }

    /// 50115: a method the path does not take.
    pub(crate) fn method_not_allowed() -> Self {
        Self::Gateway {
            code: "50115",
            msg: "Invalid request method.".into(),
            status: StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// 51000: a parameter has a value OKX does not accept.
    ///
    /// HTTP 400 at top level, as the docs table says and set-leverage was seen to
    /// answer (one OKJ probe saw 200 on market/books; 400 is the documented status).
    pub(crate) fn invalid_param(name: &str) -> Self {
        Self::envelope(
            "51000",
            StatusCode::BAD_REQUEST,
            format!("Parameter {name} error"),
        )
    }

    /// The OKX code this error carries (`"404"` for the gateway 404 page).
    pub(crate) fn code(&self) -> &str {
        match self {
            Self::Envelope { code, .. } | Self::Gateway { code, .. } => code,
            Self::NotFound => "404",
        }
    }

    /// 51001: the instrument does not exist (2026 docs text).
    pub(crate) fn unknown_instrument() -> Self {
        Self::envelope(
            "51001",
            StatusCode::OK,
            "Instrument ID, Instrument ID code or Spread ID doesn't exist.",
        )
    }

    /// 50026: an internal fault. Details go to the log, never to the client.
    pub(crate) fn system_error() -> Self {
        Self::envelope(
            "50026",
            StatusCode::INTERNAL_SERVER_ERROR,
            "System error. Try again later",
        )
    }

    /// The HTTP status this error is answered with.
    pub(crate) fn status(&self) -> StatusCode {
        match self {
            Self::Envelope { status, .. } | Self::Gateway { status, .. } => *status,
            Self::NotFound => StatusCode::NOT_FOUND,
        }
    }
}

/// The normal envelope, fields in the order OKX's wire shows them.
#[derive(Serialize)]
struct EnvelopeBody<'a> {
    code: &'a str,
    data: [(); 0],
    msg: &'a str,
}

/// The gateway shape: `msg` first, no `data`, as observed.
#[derive(Serialize)]
struct GatewayBody<'a> {
    msg: &'a str,
    code: &'a str,
}

impl ApiError {
    /// The exact message text (OKX's 404 page says "Not Found").
    pub(crate) fn message(&self) -> &str {
        match self {
            Self::Envelope { msg, .. } | Self::Gateway { msg, .. } => msg,
            Self::NotFound => "Not Found",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            Self::Envelope { code, msg, .. } => serde_json::to_string(&EnvelopeBody {
                code,
                data: [],
                msg,
            }),
            Self::Gateway { code, msg, .. } => serde_json::to_string(&GatewayBody { msg, code }),
            Self::NotFound => Ok(NOT_FOUND_BODY.to_owned()),
        }
        .expect("error bodies are plain strings");
        json_response(status, body, self.code())
    }
}

/// The OKX code a response carries, attached for the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OkxCode(pub(crate) String);

/// A JSON body with OKX's content type, tagged with its OKX `code`.
pub(crate) fn json_response(status: StatusCode, body: String, code: &str) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response.extensions_mut().insert(OkxCode(code.to_owned()));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: ApiError) -> (StatusCode, String) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn every_generic_error_has_okx_code_status_and_text() {
        let table = [
            (
                ApiError::json_syntax(),
                400,
                r#"{"code":"50002","data":[],"msg":"JSON syntax error"}"#,
            ),
            (
                ApiError::missing_param("instId"),
                400,
                r#"{"code":"50014","data":[],"msg":"Parameter instId can not be empty."}"#,
            ),
            (
                ApiError::either_param("instFamily", "uly"),
                400,
                r#"{"code":"50015","data":[],"msg":"Either parameter instFamily or uly is required"}"#,
            ),
            (
                ApiError::unavailable_in_demo(false),
                200,
                r#"{"code":"50038","data":[],"msg":"This feature is unavailable in demo trading"}"#,
            ),
            (
                ApiError::method_not_allowed(),
                405,
                r#"{"msg":"Invalid request method.","code":"50115"}"#,
            ),
            (
                ApiError::invalid_param("sz"),
                400,
                r#"{"code":"51000","data":[],"msg":"Parameter sz error"}"#,
            ),
            (
                ApiError::unknown_instrument(),
                200,
                r#"{"code":"51001","data":[],"msg":"Instrument ID, Instrument ID code or Spread ID doesn't exist."}"#,
            ),
            (
                ApiError::system_error(),
                500,
                r#"{"code":"50026","data":[],"msg":"System error. Try again later"}"#,
            ),
            (ApiError::NotFound, 404, NOT_FOUND_BODY),
        ];
        for (error, status, body) in table {
            assert_eq!(
                body_of(error).await,
                (StatusCode::from_u16(status).unwrap(), body.to_owned())
            );
        }
    }

    #[test]
    fn the_not_found_body_is_okx_s_102_bytes() {
        assert_eq!(NOT_FOUND_BODY.len(), 102);
    }
}
