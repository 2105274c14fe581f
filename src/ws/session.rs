//! One WebSocket connection: reads requests, answers them, and pushes what
//! its subscriptions owe. A writer task owns the socket's sending half, so a
//! delayed push (a scripted fault) never holds up the connection.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use super::channels::{Arg, Channel, Endpoint};
use super::conns::count_event;
use super::login::{LoginGate, check};
use super::market::Feed;
use super::ops::{TRADE_OPS, run as run_op};
use super::private::{Login, pushes, snapshot};
use super::reply::{WsError, ack, logged_in, op_reply};
use crate::auth::{Authenticated, Env};
use crate::exchange::events::VenueEvent;
use crate::journal::JournalEntry;
use crate::scenario::faults::{FaultAction, RequestFacts};
use crate::state::AppState;

/// How often subscriptions look at the venue (OKX pushes books every 100 ms).
const TICK: Duration = Duration::from_millis(100);
/// Close code and reason when nothing was received or sent for too long.
const IDLE_CLOSE: (u16, &str) = (4004, "No data received in 30s.");

/// What the handshake told us.
#[derive(Debug, Clone)]
pub(crate) struct Handshake {
    pub(crate) endpoint: Endpoint,
    /// The site addressed (`www`, `eea`, `us`).
    pub(crate) region: String,
    /// `x-simulated-trading` on the handshake, if sent (no client sends it;
    /// without it the key decides the environment).
    pub(crate) env: Option<Env>,
    pub(crate) peer: Option<IpAddr>,
}

enum Outgoing {
    Text(String),
    Close(u16, &'static str),
}

struct Subscription {
    arg: Arg,
    feed: Feed,
}

struct Session {
    state: AppState,
    handshake: Handshake,
    conn_id: String,
    out: mpsc::UnboundedSender<Outgoing>,
    login: Option<(Login, Authenticated)>,
    events: Option<broadcast::Receiver<Arc<Vec<VenueEvent>>>>,
    subs: Vec<Subscription>,
    last_activity: Instant,
    /// Set when the connection must end.
    ended: bool,
    /// Set when it ends without a close frame (a scripted drop).
    dropped: bool,
    /// The capped private channels this connection counts on (see `conns`).
    counted: Vec<&'static str>,
}

impl Drop for Session {
    /// The connection no longer counts on its private channels.
    fn drop(&mut self) {
        if let Some((login, _)) = &self.login {
            for channel in &self.counted {
                self.state.ws_conns.leave(&login.uid, channel);
            }
        }
    }
}

/// Serves one upgraded connection until either side ends it.
pub(crate) async fn run(state: AppState, handshake: Handshake, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (out, mut queue) = mpsc::unbounded_channel::<Outgoing>();
    let writer = tokio::spawn(async move {
        while let Some(item) = queue.recv().await {
            let message = match item {
                Outgoing::Text(text) => Message::Text(Utf8Bytes::from(text)),
                Outgoing::Close(code, reason) => Message::Close(Some(CloseFrame {
                    code,
                    reason: Utf8Bytes::from_static(reason),
                })),
            };
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                return;
            }
        }
        // The session ended without closing: close now (this also sends the
        // reply to a client's close frame, which tungstenite has queued).
        let _ = sink.close().await;
    });
    let mut session = Session {
        conn_id: next_conn_id(),
        state: state.clone(),
        handshake,
        out,
        login: None,
        events: None,
        subs: Vec::new(),
        last_activity: Instant::now(),
        ended: false,
        dropped: false,
        counted: Vec::new(),
    };
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut shutting_down = state.shutting_down.clone();
    while !session.ended {
        tokio::select! {
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    session.last_activity = Instant::now();
                    session.on_text(text.as_str()).await;
                }
                // tungstenite answers protocol pings itself; they count as activity.
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Binary(_))) => {
                    session.last_activity = Instant::now();
                }
                // The client closed, or the connection ended. A client's close
                // is answered (RFC 6455 5.5.1; websockets, in python-okx, reports
                // an abnormal closure otherwise): the writer's final close
                // sends the reply tungstenite has queued.
                _ => break,
            },
            _ = tick.tick() => session.on_tick(),
            batch = next_batch(&mut session.events) => {
                if let Some(batch) = batch {
                    session.on_events(&batch);
                }
            }
            _ = shutting_down.changed() => break,
        }
    }
    let dropped = session.dropped;
    drop(session);
    if dropped {
        writer.abort(); // a scripted drop: no close frame
    } else {
        let _ = writer.await;
    }
}

/// The next batch of venue events, or never when not listening.
async fn next_batch(
    events: &mut Option<broadcast::Receiver<Arc<Vec<VenueEvent>>>>,
) -> Option<Arc<Vec<VenueEvent>>> {
    let Some(receiver) = events else {
        return std::future::pending().await;
    };
    match receiver.recv().await {
        Ok(batch) => Some(batch),
        Err(broadcast::error::RecvError::Lagged(missed)) => {
            tracing::warn!(
                missed,
                "a WebSocket connection fell behind the venue's events"
            );
            None
        }
        Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
    }
}

/// The OKX code the first answer frame carries: an event's or reply's
/// `code`, "0" for a subscribe/unsubscribe ack.
fn code_of(frames: &[Outgoing]) -> String {
    let Some(Outgoing::Text(text)) = frames.first() else {
        return String::new();
    };
    let Ok(answer) = serde_json::from_str::<Value>(text) else {
        return String::new();
    };
    match answer.get("code").and_then(Value::as_str) {
        Some(code) => code.to_owned(),
        None => "0".into(),
    }
}

/// Short hex connection ids, as OKX's `connId`.
fn next_conn_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}",
        (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
    )
}

impl Session {
    fn send(&mut self, value: &Value) {
        self.last_activity = Instant::now();
        let _ = self.out.send(Outgoing::Text(value.to_string()));
    }

    fn close(&mut self, (code, reason): (u16, &'static str)) {
        let _ = self.out.send(Outgoing::Close(code, reason));
        self.ended = true;
    }

    fn now(&self) -> i64 {
        self.state.clock.now_ms()
    }

    /// The path fault rules see: `/ws/v5/<url>/<op or channel>`. On the
    /// combined URL a channel counts as on its home URL and an operation as
    /// on the private URL, so one rule covers both ways of connecting.
    fn path(&self, what: &str) -> String {
        let endpoint = match self.handshake.endpoint {
            Endpoint::Combined => Channel::parse(what).map_or(Endpoint::Private, Channel::home),
            here => here,
        };
        format!("/ws/v5/{}/{what}", endpoint.as_str())
    }

    fn api_key(&self) -> Option<String> {
        self.login.as_ref().map(|(l, _)| l.api_key.clone())
    }

    async fn on_text(&mut self, text: &str) {
        if text == "ping" {
            let _ = self.out.send(Outgoing::Text("pong".into()));
            return;
        }
        let parsed = serde_json::from_str::<Value>(text);
        let request = match parsed {
            Ok(Value::Object(request)) => request,
            _ => Map::new(),
        };
        let id = request.get("id").and_then(Value::as_str).map(str::to_owned);
        let op = request.get("op").and_then(Value::as_str).map(str::to_owned);
        let facts = self.facts(op.as_deref().unwrap_or(""), &request);
        let Some(op) = op else {
            let error = WsError::InvalidRequest(text.to_owned());
            let event = error.event(id.as_deref(), &self.conn_id.clone());
            self.journal(&facts, text, &error.code(), None);
            return self.send(&event);
        };
        let now = self.now();
        let decision = self.state.scenario.lock().rules.decide(&facts, now);
        // No rule fired: the request is answered as a passing rule answers it.
        let (action, wait, note) = match decision {
            None => (FaultAction::Pass, Duration::ZERO, None),
            Some(d) => (
                d.action,
                Duration::from_millis(d.delay_ms),
                Some(format!("fault rule {:?}", d.rule)),
            ),
        };
        if action != FaultAction::AnswerLate && !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        let code = match action {
            FaultAction::Pass => {
                let frames = self.captured(|s| s.dispatch(&op, id.as_deref(), &request, text));
                let code = code_of(&frames);
                self.forward(frames);
                code
            }
            FaultAction::AnswerLate => {
                // The work now, the answer later; pushes go on meanwhile.
                let frames = self.captured(|s| s.dispatch(&op, id.as_deref(), &request, text));
                let code = code_of(&frames);
                let out = self.out.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    for frame in frames {
                        let _ = out.send(frame);
                    }
                });
                code
            }
            FaultAction::Error(e) => {
                let error = WsError::from(e);
                self.refuse(&op, id.as_deref(), &error);
                error.code()
            }
            FaultAction::ErrorAfterWork(e) => {
                // The work is done, the client is told otherwise.
                self.captured(|s| s.dispatch(&op, id.as_deref(), &request, text));
                let error = WsError::from(e);
                self.refuse(&op, id.as_deref(), &error);
                error.code()
            }
            FaultAction::Drop { after_work } => {
                if after_work {
                    self.captured(|s| s.dispatch(&op, id.as_deref(), &request, text));
                }
                self.ended = true;
                self.dropped = true;
                String::new()
            }
            FaultAction::Hang => String::new(),
            FaultAction::Truncate | FaultAction::Garbage => {
                let _ = self
                    .out
                    .send(Outgoing::Text("<html>502 Bad Gateway</html>".into()));
                String::new()
            }
        };
        self.journal(&facts, text, &code, note);
    }

    /// What fault rules and the journal see of a request: `op` as the last
    /// path segment, and the instrument, clOrdId and key of its first argument
    /// (an `instIdCode` read as the instrument it names).
    fn facts(&self, op: &str, request: &Map<String, Value>) -> RequestFacts {
        let first = request
            .get("args")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .cloned()
            .unwrap_or(Value::Null);
        let field = |name: &str| first.get(name).and_then(Value::as_str).map(str::to_owned);
        let inst_id = field("instId").or_else(|| {
            let code = first.get("instIdCode")?;
            let code = code.as_i64().or_else(|| code.as_str()?.parse().ok())?;
            let exchange = self.state.exchange();
            let inst = exchange.instruments().by_code(code)?;
            Some(inst.inst_id.clone())
        });
        RequestFacts {
            method: "WS".into(),
            path: self.path(op),
            inst_id,
            cl_ord_id: field("clOrdId"),
            api_key: field("apiKey").or_else(|| self.api_key()),
        }
    }

    /// Journals a request frame (method `WS`, the path fault rules see, the
    /// frame as the body, status 101 for the connection's upgrade).
    fn journal(&self, facts: &RequestFacts, text: &str, code: &str, note: Option<String>) {
        let account = self.login.as_ref().map(|(_, auth)| auth.account_name());
        self.state.journal.push(JournalEntry {
            seq: 0,
            ts: self.now(),
            method: facts.method.clone(),
            path: facts.path.clone(),
            query: String::new(),
            headers: Vec::new(),
            body: text.to_owned(),
            inst_id: facts.inst_id.clone(),
            api_key: facts.api_key.clone(),
            account,
            status: 101,
            code: code.to_owned(),
            explanation: note,
        });
    }

    /// Sends frames kept back by [`captured`](Self::captured).
    fn forward(&mut self, frames: Vec<Outgoing>) {
        if !frames.is_empty() {
            self.last_activity = Instant::now();
        }
        for frame in frames {
            let _ = self.out.send(frame);
        }
    }

    /// Runs `work` with its frames kept back instead of sent; the frames.
    fn captured(&mut self, work: impl FnOnce(&mut Self)) -> Vec<Outgoing> {
        let (out, mut kept) = mpsc::unbounded_channel();
        let real = std::mem::replace(&mut self.out, out);
        work(self);
        self.out = real;
        let mut frames = Vec::new();
        while let Ok(frame) = kept.try_recv() {
            frames.push(frame);
        }
        frames
    }

    /// Answers a request with an error in the shape its operation expects.
    fn refuse(&mut self, op: &str, id: Option<&str>, error: &WsError) {
        if TRADE_OPS.contains(&op) {
            let now_us = self.now().saturating_mul(1000);
            let reply = op_reply(
                id.unwrap_or_default(),
                op,
                (&error.code(), &error.msg()),
                Vec::new(),
                (now_us, now_us),
            );
            self.send(&reply);
        } else {
            let event = error.event(id, &self.conn_id.clone());
            self.send(&event);
        }
    }

    fn dispatch(&mut self, op: &str, id: Option<&str>, request: &Map<String, Value>, text: &str) {
        let args = request.get("args").and_then(Value::as_array);
        match op {
            "login" => self.on_login(id, args),
            "subscribe" | "unsubscribe" => match args {
                Some(args) if !args.is_empty() => {
                    for arg in args.clone() {
                        if op == "subscribe" {
                            self.subscribe(id, &arg, text);
                        } else {
                            self.unsubscribe(id, &arg);
                        }
                    }
                }
                _ => self.refuse(op, id, &WsError::InvalidRequest(text.to_owned())),
            },
            op if TRADE_OPS.contains(&op) => self.on_trade_op(op, id, request),
            other => self.refuse(other, id, &WsError::InvalidOp(other.to_owned())),
        }
    }

    fn on_login(&mut self, id: Option<&str>, args: Option<&Vec<Value>>) {
        if self.login.is_some() {
            return self.refuse("login", id, &WsError::RepeatedLogin);
        }
        let Some(arg) = args.and_then(|a| a.first()) else {
            return self.refuse("login", id, &WsError::LoginFailed);
        };
        let now = self.now();
        let gate = LoginGate {
            keys: &self.state.keys,
            now_ms: now,
            window_ms: self.state.config.auth_window_ms,
            region: &self.handshake.region,
            env: self.handshake.env,
            peer: self.handshake.peer,
        };
        let key = match check(&gate, arg) {
            Ok(key) => key,
            Err(error) => return self.refuse("login", id, &error),
        };
        let auth = Authenticated::logged_in(key);
        let found = {
            let exchange = self.state.exchange();
            crate::api::account_of(&exchange, &auth)
                .ok()
                .map(|acct| (acct, exchange.accounts[acct].uid.clone()))
        };
        let Some((acct, uid)) = found else {
            return self.refuse("login", id, &WsError::LoginFailed);
        };
        // A WebSocket login counts as use of the key (the 14-day rule).
        self.state.keys.touch(&auth.key.api_key, now);
        let login = Login {
            acct,
            uid,
            api_key: auth.key.api_key.clone(),
        };
        self.events = Some(self.state.events.subscribe());
        self.login = Some((login, auth));
        let reply = logged_in(id, &self.conn_id);
        self.send(&reply);
    }

    fn subscribe(&mut self, id: Option<&str>, raw: &Value, text: &str) {
        let parsed = {
            let exchange = self.state.exchange();
            Arg::parse(raw, self.handshake.endpoint, exchange.instruments(), text)
        };
        let arg = match parsed {
            Ok(arg) => arg,
            Err(error) => return self.refuse("subscribe", id, &error),
        };
        if arg.channel.is_private() && self.login.is_none() {
            return self.refuse("subscribe", id, &WsError::PleaseLogIn);
        }
        let reply = ack("subscribe", id, &arg.raw, &self.conn_id);
        self.send(&reply);
        if self.subs.iter().any(|s| s.arg.same_as(raw)) {
            return;
        }
        if !self.count_connection(&arg) {
            return;
        }
        let now = self.now();
        if let Some((login, _)) = &self.login
            && arg.channel.is_private()
        {
            let first = {
                let mut exchange = self.state.exchange();
                exchange.sync(now);
                snapshot(&arg, login, &mut exchange, now)
            };
            if let Some(first) = first {
                self.push(&arg, &first);
            }
        }
        self.subs.push(Subscription {
            arg,
            feed: Feed::default(),
        });
        // Market channels send their first push at once, not a tick later.
        self.on_tick();
    }

    /// Counts this connection on a capped private channel it was not yet
    /// on, and says so (`channel-conn-count`); false, after the
    /// `channel-conn-count-error` event, when the channel is full.
    fn count_connection(&mut self, arg: &Arg) -> bool {
        let (Some(channel), Some((login, _))) = (arg.channel.capped_name(), &self.login) else {
            return true;
        };
        if self.counted.contains(&channel) {
            return true;
        }
        let count = self.state.ws_conns.join(&login.uid, channel);
        if count.is_some() {
            self.counted.push(channel);
        }
        let event = count_event(channel, count, &self.conn_id);
        self.send(&event);
        count.is_some()
    }

    fn unsubscribe(&mut self, id: Option<&str>, raw: &Value) {
        let before = self.subs.len();
        self.subs.retain(|s| !s.arg.same_as(raw));
        let channel = raw.get("channel").and_then(Value::as_str).unwrap_or("");
        let still = self.subs.iter().any(|s| s.arg.raw["channel"] == channel);
        if let (Some(i), false, Some((login, _))) = (
            self.counted.iter().position(|c| *c == channel),
            still,
            &self.login,
        ) {
            self.state
                .ws_conns
                .leave(&login.uid, self.counted.remove(i));
        }
        if before == self.subs.len() && raw.get("channel").and_then(Value::as_str).is_none() {
            return self.refuse("unsubscribe", id, &WsError::InvalidRequest(raw.to_string()));
        }
        let reply = ack("unsubscribe", id, raw, &self.conn_id);
        self.send(&reply);
    }

    fn on_trade_op(&mut self, op: &str, id: Option<&str>, request: &Map<String, Value>) {
        let Some(id) = id.filter(|id| !id.is_empty()) else {
            return self.refuse(op, Some(""), &WsError::InvalidArgs);
        };
        if !matches!(
            self.handshake.endpoint,
            Endpoint::Private | Endpoint::Combined
        ) {
            return self.refuse(op, Some(id), &WsError::OpWrongUrl);
        }
        let Some((_, auth)) = &self.login else {
            return self.refuse(op, Some(id), &WsError::PleaseLogIn);
        };
        let reply = run_op(&self.state, auth, request, id, op);
        self.send(&reply);
    }

    /// Market channels look at the venue; a logged-in connection also brings
    /// the venue up to exchange time, so resting orders fill and algo orders
    /// fire while the client only listens. Then the idle rule.
    fn on_tick(&mut self) {
        let now = self.now();
        let market: Vec<usize> = (0..self.subs.len())
            .filter(|&i| !self.subs[i].arg.channel.is_private())
            .collect();
        if self.login.is_some() || !market.is_empty() {
            let messages: Vec<(usize, Value)> = {
                let mut exchange = self.state.exchange();
                if self.login.is_some() {
                    exchange.sync(now);
                }
                market
                    .into_iter()
                    .filter_map(|i| {
                        let sub = &mut self.subs[i];
                        sub.feed.poll(&sub.arg, &mut exchange, now).map(|m| (i, m))
                    })
                    .collect()
            };
            for (i, message) in messages {
                let arg = self.subs[i].arg.clone();
                self.push(&arg, &message);
            }
        }
        if self.last_activity.elapsed() >= self.state.config.ws_idle {
            self.close(IDLE_CLOSE);
        }
    }

    fn on_events(&mut self, batch: &[VenueEvent]) {
        let Some((login, _)) = &self.login else {
            return;
        };
        let login = login.clone();
        let args: Vec<&Arg> = self
            .subs
            .iter()
            .map(|s| &s.arg)
            .filter(|a| a.channel.is_private())
            .collect();
        if args.is_empty() {
            return;
        }
        let now = self.now();
        let messages = {
            let mut exchange = self.state.exchange();
            pushes(batch, &login, &args, &mut exchange, now)
        };
        for message in messages {
            let channel = message["arg"]["channel"].as_str().unwrap_or_default();
            let arg = self
                .subs
                .iter()
                .find(|s| s.arg.raw["channel"] == channel)
                .map(|s| s.arg.clone());
            if let Some(arg) = arg {
                self.push(&arg, &message);
            }
        }
    }

    /// Sends a push unless a scripted fault holds it back, delays it, or
    /// drops the connection instead.
    fn push(&mut self, arg: &Arg, message: &Value) {
        let channel = arg.raw["channel"].as_str().unwrap_or_default();
        let facts = RequestFacts {
            method: "PUSH".into(),
            path: self.path(channel),
            inst_id: message["data"][0]["instId"]
                .as_str()
                .or(arg.inst.as_ref().map(|i| i.inst_id.as_str()))
                .map(str::to_owned),
            cl_ord_id: message["data"][0]["clOrdId"].as_str().map(str::to_owned),
            api_key: self.api_key(),
        };
        let now = self.now();
        let decision = self.state.scenario.lock().rules.decide(&facts, now);
        let Some(decision) = decision else {
            return self.send(message);
        };
        match decision.action {
            FaultAction::Hang => {} // the push is lost
            FaultAction::Drop { .. } => {
                self.ended = true;
                self.dropped = true;
            }
            FaultAction::Error(e) | FaultAction::ErrorAfterWork(e) => {
                let error = WsError::from(e);
                let event = error.event(None, &self.conn_id.clone());
                self.send(&event);
            }
            _ if decision.delay_ms > 0 => {
                let out = self.out.clone();
                let text = message.to_string();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(decision.delay_ms)).await;
                    let _ = out.send(Outgoing::Text(text));
                });
            }
            _ => self.send(message),
        }
    }
}
