//! The events a WebSocket server sends back: acks, errors, login results, and
//! the texts of OKX's 60xxx/64xxx codes in one table.

use serde_json::{Value, json};

/// Why a WebSocket request was refused, with OKX's code and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WsError {
    /// 60004.
    InvalidTimestamp,
    /// 60005.
    InvalidApiKey,
    /// 60006: more than 30 s away from exchange time.
    TimestampExpired,
    /// 60007.
    InvalidSign,
    /// 60008: e.g. a private channel on the public URL.
    WrongEndpoint(String),
    /// 60009: anything else wrong with a login.
    LoginFailed,
    /// 60011: a private channel or operation before login.
    PleaseLogIn,
    /// 60012: not JSON, or not shaped like a request (carries the request text).
    InvalidRequest(String),
    /// 60013.
    InvalidArgs,
    /// 60018: no such channel, or no such instrument.
    NoSuchChannel {
        /// The channel asked for.
        channel: String,
        /// The instrument asked for, if any.
        inst_id: String,
    },
    /// 60019.
    InvalidOp(String),
    /// 60024.
    WrongPassphrase,
    /// 60027: a required argument is missing.
    Empty(&'static str),
    /// 60028: a trading operation on the public or business URL.
    OpWrongUrl,
    /// 60031: a second login on one connection.
    RepeatedLogin,
    /// 60032: unknown, deleted or other-site key.
    NoSuchKey,
    /// 64000: `uly` is no longer accepted in WebSocket arguments.
    UlyUnsupported,
    /// 64001: a business channel on the public or private URL.
    MovedToBusiness,
    /// 64002: a public or private channel on the business URL.
    NotOnBusiness,
    /// 50101 (the REST code, as observed on WebSocket): the handshake asked
    /// for the other environment than the key's.
    WrongEnvironment,
    /// Any code and text a scenario fault chose.
    Scripted {
        /// Code.
        code: String,
        /// Text.
        msg: String,
    },
}

impl WsError {
    /// OKX's code.
    pub(crate) fn code(&self) -> String {
        let code = match self {
            Self::InvalidTimestamp => "60004",
            Self::InvalidApiKey => "60005",
            Self::TimestampExpired => "60006",
            Self::InvalidSign => "60007",
            Self::WrongEndpoint(_) => "60008",
            Self::LoginFailed => "60009",
            Self::PleaseLogIn => "60011",
            Self::InvalidRequest(_) => "60012",
            Self::InvalidArgs => "60013",
            Self::NoSuchChannel { .. } => "60018",
            Self::InvalidOp(_) => "60019",
            Self::WrongPassphrase => "60024",
            Self::Empty(_) => "60027",
            Self::OpWrongUrl => "60028",
            Self::RepeatedLogin => "60031",
            Self::NoSuchKey => "60032",
            Self::UlyUnsupported => "64000",
            Self::MovedToBusiness => "64001",
            Self::NotOnBusiness => "64002",
            Self::WrongEnvironment => "50101",
            Self::Scripted { code, .. } => code,
        };
        code.to_owned()
    }

    /// OKX's text. Texts come from OKX's WebSocket error table; the 60012
    /// and 60018 forms (request or channel spelled into the text) are as observed.
    pub(crate) fn msg(&self) -> String {
        match self {
            Self::InvalidTimestamp => "Invalid timestamp".into(),
            Self::InvalidApiKey => "Invalid apiKey".into(),
            Self::TimestampExpired => "Timestamp request expired".into(),
            Self::InvalidSign => "Invalid sign".into(),
            Self::WrongEndpoint(channel) => format!(
                "The current WebSocket endpoint does not support subscribing to {channel} channels. Please check the WebSocket URL"
            ),
            Self::LoginFailed => "Login failed.".into(),
            Self::PleaseLogIn => "Please log in".into(),
            Self::InvalidRequest(text) => format!("Invalid request: {text}"),
            Self::InvalidArgs => "Invalid args".into(),
            Self::NoSuchChannel { channel, inst_id } => format!(
                "Wrong URL or channel:{channel},instId:{inst_id} doesn't exist. Please use the correct URL, channel and parameters referring to API document."
            ),
            Self::InvalidOp(op) => format!("Invalid op: {op}"),
            Self::WrongPassphrase => "Wrong passphrase".into(),
            Self::Empty(name) => format!("Parameter {name} can not be empty."),
            Self::OpWrongUrl => "The current operation is not supported by this URL. Please use the correct WebSocket URL for the operation.".into(),
            Self::RepeatedLogin => {
                "The WebSocket endpoint does not allow multiple or repeated logins.".into()
            }
            Self::NoSuchKey => "API key doesn't exist.".into(),
            Self::UlyUnsupported => "Subscription parameter uly is unavailable anymore, please replace uly with instFamily. More details can refer to: https://www.okx.com/help-center/changes-to-v5-api-websocket-subscription-parameter-and-url".into(),
            Self::MovedToBusiness => "This channel has been migrated to the '/business' URL. Please subscribe using the new URL. More details can refer to: https://www.okx.com/help-center/changes-to-v5-api-websocket-subscription-parameter-and-url".into(),
            Self::NotOnBusiness => "This channel is not supported by \"business\" URL. Please use \"private\" URL(for private channels), or \"public\" URL(for public channels).".into(),
            Self::WrongEnvironment => "APIKey does not match current environment.".into(),
            Self::Scripted { msg, .. } => msg.clone(),
        }
    }

    /// The error event: `{"event":"error","code","msg","connId"}`, with the
    /// request's `id` when it had one.
    pub(crate) fn event(&self, id: Option<&str>, conn_id: &str) -> Value {
        let mut event = json!({
            "event": "error",
            "code": self.code(),
            "msg": self.msg(),
            "connId": conn_id,
        });
        if let Some(id) = id {
            event["id"] = json!(id);
        }
        event
    }
}

impl From<crate::scenario::faults::FaultError> for WsError {
    /// A scenario rule's error, in the WebSocket's words.
    fn from(e: crate::scenario::faults::FaultError) -> Self {
        Self::Scripted {
            code: e.code,
            msg: e.msg,
        }
    }
}

/// A `subscribe`/`unsubscribe` ack for one argument.
pub(crate) fn ack(event: &str, id: Option<&str>, arg: &Value, conn_id: &str) -> Value {
    let mut ack = json!({"event": event, "arg": arg, "connId": conn_id});
    if let Some(id) = id {
        ack["id"] = json!(id);
    }
    ack
}

/// The reply to a successful login.
pub(crate) fn logged_in(id: Option<&str>, conn_id: &str) -> Value {
    let mut reply = json!({"event": "login", "code": "0", "msg": "", "connId": conn_id});
    if let Some(id) = id {
        reply["id"] = json!(id);
    }
    reply
}

/// The reply of a trading operation: `code` "0"/"1"/"2" (or an error code
/// with no data), items, and the gateway times in microseconds as strings
/// (okx-api recognises the reply only when `id` and `inTime` are strings).
pub(crate) fn op_reply(
    id: &str,
    op: &str,
    (code, msg): (&str, &str),
    data: Vec<Value>,
    (in_us, out_us): (i64, i64),
) -> Value {
    json!({
        "id": id,
        "op": op,
        "code": code,
        "msg": msg,
        "data": data,
        "inTime": in_us.to_string(),
        "outTime": out_us.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_okx_codes_and_texts() {
        let table = [
            (WsError::PleaseLogIn, "60011", "Please log in"),
            (WsError::InvalidSign, "60007", "Invalid sign"),
            (
                WsError::TimestampExpired,
                "60006",
                "Timestamp request expired",
            ),
            (
                WsError::Empty("instType"),
                "60027",
                "Parameter instType can not be empty.",
            ),
            (
                WsError::NoSuchChannel {
                    channel: "tickers".into(),
                    inst_id: "BTC-XXX".into(),
                },
                "60018",
                "Wrong URL or channel:tickers,instId:BTC-XXX doesn't exist. Please use the correct URL, channel and parameters referring to API document.",
            ),
        ];
        for (error, code, msg) in table {
            assert_eq!((error.code().as_str(), error.msg().as_str()), (code, msg));
        }
        let event = WsError::InvalidArgs.event(Some("7"), "ab12cd34");
        assert_eq!(
            event,
            json!({"event":"error","code":"60013","msg":"Invalid args","connId":"ab12cd34","id":"7"})
        );
    }
}
