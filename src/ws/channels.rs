//! Which channels exist, which URL serves each, and what a subscription
//! argument must name.

use serde_json::Value;

use super::reply::WsError;
use crate::exchange::{BarSize, Instrument, Instruments};

/// The three WebSocket URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/ws/v5/public`.
    Public,
    /// `/ws/v5/business`.
    Business,
    /// `/ws/v5/private`.
    Private,
    /// `/ws/v5`: okx-mock's own URL serving every channel and operation, for
    /// clients that use one URL for all three (okx-api's `wsUrl` option).
    Combined,
}

impl Endpoint {
    /// The path segment (`public`, `business`, `private`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Business => "business",
            Self::Private => "private",
            Self::Combined => "combined",
        }
    }
}

/// A channel okx-mock serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channel {
    Tickers,
    Books,
    Books5,
    BboTbt,
    Trades,
    MarkPrice,
    FundingRate,
    Candle(BarSize),
    Orders,
    OrdersAlgo,
    Positions,
    Account,
    BalanceAndPosition,
}

impl Channel {
    /// Parses OKX's channel name.
    pub(crate) fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "tickers" => Self::Tickers,
            "books" => Self::Books,
            "books5" => Self::Books5,
            "bbo-tbt" => Self::BboTbt,
            "trades" => Self::Trades,
            "mark-price" => Self::MarkPrice,
            "funding-rate" => Self::FundingRate,
            "orders" => Self::Orders,
            "orders-algo" => Self::OrdersAlgo,
            "positions" => Self::Positions,
            "account" => Self::Account,
            "balance_and_position" => Self::BalanceAndPosition,
            other => Self::Candle(BarSize::parse(other.strip_prefix("candle")?)?),
        })
    }

    /// The URL OKX serves it on.
    pub(crate) fn home(self) -> Endpoint {
        match self {
            Self::Candle(_) | Self::OrdersAlgo => Endpoint::Business,
            Self::Orders | Self::Positions | Self::Account | Self::BalanceAndPosition => {
                Endpoint::Private
            }
            _ => Endpoint::Public,
        }
    }

    /// Whether it shows an account's own data (and so needs a login).
    pub(crate) fn is_private(self) -> bool {
        matches!(
            self,
            Self::Orders
                | Self::OrdersAlgo
                | Self::Positions
                | Self::Account
                | Self::BalanceAndPosition
        )
    }

    /// Whether its argument names one instrument (`instId` required).
    fn needs_inst(self) -> bool {
        !self.is_private()
    }

    /// Whether its argument needs `instType`.
    fn needs_inst_type(self) -> bool {
        matches!(self, Self::Orders | Self::OrdersAlgo | Self::Positions)
    }

    /// Whether the channel may be subscribed on `endpoint`. A channel is served
    /// on its home URL; public channels are also accepted on the private URL,
    /// as OKX's private URL historically served them (unconfirmed for 2026).
    pub(crate) fn check_endpoint(self, endpoint: Endpoint, name: &str) -> Result<(), WsError> {
        match (endpoint, self.home()) {
            (here, home) if here == home => Ok(()),
            (Endpoint::Combined, _) => Ok(()),
            (Endpoint::Private, Endpoint::Public) => Ok(()),
            (Endpoint::Business, _) => Err(WsError::NotOnBusiness),
            (_, Endpoint::Business) => Err(WsError::MovedToBusiness),
            _ => Err(WsError::WrongEndpoint(name.to_owned())),
        }
    }
}

/// One subscription argument, checked.
#[derive(Debug, Clone)]
pub(crate) struct Arg {
    /// The argument as the client sent it (echoed in acks and pushes).
    pub(crate) raw: Value,
    pub(crate) channel: Channel,
    /// The instrument of a market channel, or the `instId` filter of a private one.
    pub(crate) inst: Option<Instrument>,
    /// `instType` filter (`ANY` is no filter).
    pub(crate) inst_type: Option<String>,
    /// `instFamily` filter.
    pub(crate) inst_family: Option<String>,
    /// `ccy` filter of the account channel.
    pub(crate) ccy: Option<String>,
}

impl Arg {
    /// Reads and checks one element of `args` for `endpoint`.
    pub(crate) fn parse(
        raw: &Value,
        endpoint: Endpoint,
        instruments: &Instruments,
        request_text: &str,
    ) -> Result<Self, WsError> {
        let invalid = || WsError::InvalidRequest(request_text.to_owned());
        let object = raw.as_object().ok_or_else(invalid)?;
        let text = |name: &str| {
            object
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let name = text("channel").ok_or_else(invalid)?;
        if object.contains_key("uly") {
            return Err(WsError::UlyUnsupported);
        }
        let inst_id = text("instId");
        let missing = || WsError::NoSuchChannel {
            channel: name.clone(),
            inst_id: inst_id.clone().unwrap_or_default(),
        };
        let channel = Channel::parse(&name).ok_or_else(missing)?;
        channel.check_endpoint(endpoint, &name)?;
        let inst = match &inst_id {
            Some(id) => Some(instruments.by_id(id).cloned().ok_or_else(missing)?),
            None if channel.needs_inst() => return Err(WsError::Empty("instId")),
            None => None,
        };
        let inst_type = text("instType");
        if channel.needs_inst_type() && inst_type.is_none() {
            return Err(WsError::Empty("instType"));
        }
        if let Some(kind) = &inst_type
            && !matches!(
                kind.as_str(),
                "SPOT" | "MARGIN" | "SWAP" | "FUTURES" | "OPTION" | "ANY"
            )
        {
            return Err(missing());
        }
        Ok(Self {
            raw: raw.clone(),
            channel,
            inst,
            inst_type: inst_type.filter(|t| t != "ANY"),
            inst_family: text("instFamily"),
            ccy: text("ccy"),
        })
    }

    /// Whether an order, algo order or position on `inst_id` of `inst_type`
    /// (as shown, e.g. MARGIN) passes this argument's filters.
    pub(crate) fn admits(&self, inst_id: &str, inst_type: &str, family: &str) -> bool {
        self.inst.as_ref().is_none_or(|i| i.inst_id == inst_id)
            && self.inst_type.as_deref().is_none_or(|t| t == inst_type)
            && self.inst_family.as_deref().is_none_or(|f| f == family)
    }

    /// Whether two arguments name the same subscription.
    pub(crate) fn same_as(&self, other: &Value) -> bool {
        let key = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        ["channel", "instId", "instType", "instFamily", "ccy"]
            .iter()
            .all(|k| key(&self.raw, k) == key(other, k))
    }
}
