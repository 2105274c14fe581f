//! The success envelope `{"code":"0","data":[...],"msg":""}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{ApiError, json_response};

/// A successful answer: `data` is always an array, even for one object.
#[derive(Debug)]
pub(crate) struct Okx<T>(pub(crate) Vec<T>);

#[derive(Serialize)]
struct Envelope<'a, T> {
    code: &'static str,
    data: &'a [T],
    msg: &'static str,
}

impl<T: Serialize> IntoResponse for Okx<T> {
    fn into_response(self) -> Response {
        let envelope = Envelope {
            code: "0",
            data: &self.0,
            msg: "",
        };
        match serde_json::to_string(&envelope) {
            Ok(body) => json_response(StatusCode::OK, body, "0"),
            Err(error) => {
                tracing::error!(%error, "could not serialise a response");
                ApiError::system_error().into_response()
            }
        }
    }
}

/// What a handler returns.
pub(crate) type ApiResult<T> = Result<Okx<T>, ApiError>;
