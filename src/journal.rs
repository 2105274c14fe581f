//! The request journal: what clients sent and what they were answered, kept
//! in memory up to a cap (oldest dropped first), so a test can assert exactly
//! which requests a bot made and why any was refused.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Entries kept by default.
pub const DEFAULT_JOURNAL_CAP: usize = 10_000;

/// One request and its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Position in the journal since start (never reused, survives trimming).
    pub seq: u64,
    /// Exchange time the request arrived, ms.
    pub ts: i64,
    /// HTTP method, or `WS` for a WebSocket request frame (login, subscribe,
    /// a trading operation), whose path is `/ws/v5/<url>/<op>`, body the frame,
    /// status 101 and code the one answered.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string (`""` when none).
    pub query: String,
    /// Request headers, names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// Request body as text (lossy for non-UTF-8 bytes).
    pub body: String,
    /// `instId` of the request, from the query or a JSON body, when it has one.
    pub inst_id: Option<String>,
    /// The API key the request presented (`OK-ACCESS-KEY`), authenticated or not.
    pub api_key: Option<String>,
    /// The account it acted for, once authenticated: `env/name`.
    pub account: Option<String>,
    /// HTTP status answered.
    pub status: u16,
    /// OKX code answered (`"0"`, `"50113"`, `"404"`, ...).
    pub code: String,
    /// Why the request was refused, where the mock knows more than the code
    /// says: for 50113 the exact string the server signed.
    pub explanation: Option<String>,
}

/// Which entries to return.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JournalFilter {
    /// Exact path, or a prefix ending in `*` (`/api/v5/trade/*`).
    pub path: Option<String>,
    /// HTTP method.
    pub method: Option<String>,
    /// `instId` of the request.
    pub inst_id: Option<String>,
    /// `OK-ACCESS-KEY` of the request.
    pub key: Option<String>,
    /// OKX code of the answer.
    pub code: Option<String>,
    /// Only entries at or after this exchange time, ms.
    pub since: Option<i64>,
}

impl JournalFilter {
    fn matches(&self, e: &JournalEntry) -> bool {
        let path_ok = self
            .path
            .as_deref()
            .is_none_or(|p| match p.strip_suffix('*') {
                Some(prefix) => e.path.starts_with(prefix),
                None => e.path == p,
            });
        path_ok
            && self
                .method
                .as_deref()
                .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            && self
                .inst_id
                .as_deref()
                .is_none_or(|i| e.inst_id.as_deref() == Some(i))
            && self
                .key
                .as_deref()
                .is_none_or(|k| e.api_key.as_deref() == Some(k))
            && self.code.as_deref().is_none_or(|c| e.code == c)
            && self.since.is_none_or(|s| e.ts >= s)
    }
}

/// A cheap-to-clone handle on the journal.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug)]
struct Inner {
    cap: usize,
    next_seq: u64,
    entries: VecDeque<Recorded>,
}

/// What the journal keeps of one request: a [`JournalEntry`] with the
/// request's text packed into one buffer (headers, path, query and body)
/// and its `instId` found only when read. Every request is recorded and few
/// are read, so recording makes two allocations, not one per header.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    seq: u64,
    ts: i64,
    method: axum::http::Method,
    /// `path`, then `query`, then `name: value` lines, then the body.
    text: Box<str>,
    /// Where `query`, the header lines and the body start in `text`.
    cuts: [u32; 3],
    /// Known when recorded (a WebSocket frame's instIdCode), else read from the request.
    inst_id: Option<Option<String>>,
    api_key: Option<String>,
    account: Option<String>,
    status: u16,
    code: String,
    explanation: Option<String>,
}

impl Recorded {
    /// The entry as the journal's readers see it.
    fn entry(&self) -> JournalEntry {
        let [q, h, b] = self.cuts.map(|c| c as usize);
        let (path, query) = (&self.text[..q], &self.text[q..h]);
        let body = &self.text[b..];
        let headers: Vec<(String, String)> = self.text[h..b]
            .lines()
            .filter_map(|line| line.split_once(": "))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        let api_key = self.api_key.clone().or_else(|| {
            headers
                .iter()
                .find(|(name, _)| name == "ok-access-key")
                .map(|(_, value)| value.clone())
        });
        JournalEntry {
            seq: self.seq,
            ts: self.ts,
            method: self.method.as_str().to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.to_owned(),
            inst_id: match &self.inst_id {
                Some(known) => known.clone(),
                None => inst_id_of(query, body.as_bytes()),
            },
            api_key,
            account: self.account.clone(),
            status: self.status,
            code: self.code.clone(),
            explanation: self.explanation.clone(),
        }
    }
}

/// `path`, `query`, the header lines and `body` in one buffer, and where
/// the query, the headers and the body start in it. `headers` is walked
/// twice: once to size the buffer, once to fill it.
fn pack<'a, I>(path: &str, query: &str, headers: impl Fn() -> I, body: &str) -> (Box<str>, [u32; 3])
where
    I: Iterator<Item = (&'a str, std::borrow::Cow<'a, str>)>,
{
    let header_bytes: usize = headers()
        .map(|(name, value)| name.len() + value.len() + 3)
        .sum();
    let mut text = String::with_capacity(path.len() + query.len() + header_bytes + body.len());
    text.push_str(path);
    let q = text.len();
    text.push_str(query);
    let h = text.len();
    for (name, value) in headers() {
        text.push_str(name);
        text.push_str(": ");
        text.push_str(&value);
        text.push('\n');
    }
    let b = text.len();
    text.push_str(body);
    (text.into(), [q, h, b].map(|c| c as u32))
}

impl From<JournalEntry> for Recorded {
    fn from(e: JournalEntry) -> Self {
        let headers = || {
            e.headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str().into()))
        };
        let (text, cuts) = pack(&e.path, &e.query, headers, &e.body);
        Self {
            seq: e.seq,
            ts: e.ts,
            method: axum::http::Method::from_bytes(e.method.as_bytes())
                .unwrap_or(axum::http::Method::GET),
            text,
            cuts,
            inst_id: Some(e.inst_id),
            api_key: e.api_key,
            account: e.account,
            status: e.status,
            code: e.code,
            explanation: e.explanation,
        }
    }
}

impl Journal {
    /// A journal keeping at most `cap` entries (0 keeps none).
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                cap,
                next_seq: 1,
                entries: VecDeque::new(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Appends an entry, numbering it and dropping the oldest beyond the cap.
    pub(crate) fn push(&self, entry: impl Into<Recorded>) {
        let mut entry = entry.into();
        let mut inner = self.lock();
        entry.seq = inner.next_seq;
        inner.next_seq += 1;
        if inner.cap == 0 {
            return;
        }
        while inner.entries.len() >= inner.cap {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
    }

    /// Entries matching `filter`, oldest first.
    pub(crate) fn entries(&self, filter: &JournalFilter) -> Vec<JournalEntry> {
        // Copied out first, so requests are not held up while entries unpack.
        let kept: Vec<Recorded> = self.lock().entries.iter().cloned().collect();
        kept.iter()
            .map(Recorded::entry)
            .filter(|e| filter.matches(e))
            .collect()
    }

    /// How many entries match `filter`.
    pub(crate) fn count(&self, filter: &JournalFilter) -> usize {
        self.entries(filter).len()
    }

    /// Forgets every entry.
    pub(crate) fn clear(&self) {
        self.lock().entries.clear();
    }
}

/// Larger bodies are journaled cut to this many bytes.
const BODY_KEPT: usize = 64 * 1024;
/// Bodies larger than this are refused unread (the gate uses the same bound).
const BODY_MAX: usize = 1 << 20;

/// Middleware: journals every OKX request (not the control API) with its
/// answer. It hands the request on to the fault layer ([`crate::scenario::layer::apply`]).
pub(crate) async fn record(
    axum::extract::State(state): axum::extract::State<crate::state::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if request.uri().path().starts_with("/__admin") {
        return next.run(request).await;
    }
    let ts = state.clock.now_ms();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_MAX).await else {
        return crate::error::ApiError::json_syntax().into_response();
    };
    let mut entry = record_request(&parts, &bytes, ts);
    // The fault layer comes next; called, not layered, to spare every
    // request a layer's boxing and cloning.
    let request = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    let mut response =
        crate::scenario::layer::apply(axum::extract::State(state.clone()), request, next).await;
    entry.status = response.status().as_u16();
    // Taken, not copied: the journal is the last to read them.
    let extensions = response.extensions_mut();
    entry.code = extensions
        .remove::<crate::error::OkxCode>()
        .map(|c| c.0)
        .unwrap_or_default();
    if let Some(caller) = extensions.remove::<crate::auth::Caller>() {
        entry.api_key = caller.api_key;
        entry.account = caller.account;
        entry.explanation = caller.explanation;
    }
    if let Some(note) = response
        .extensions()
        .get::<crate::scenario::layer::FaultNote>()
    {
        entry.explanation = Some(
            match response.extensions().get::<crate::serve::ConnFault>() {
                Some(crate::serve::ConnFault::Drop) => {
                    format!("{}: connection closed without an answer", note.0)
                }
                Some(crate::serve::ConnFault::Truncate) => format!("{}: body cut short", note.0),
                None => note.0.clone(),
            },
        );
        if response.extensions().get::<crate::serve::ConnFault>()
            == Some(&crate::serve::ConnFault::Drop)
        {
            entry.status = 0;
        }
    }
    state.journal.push(entry);
    response
}

/// A request packed for the journal (its answer is filled in later).
fn record_request(parts: &axum::http::request::Parts, body: &[u8], ts: i64) -> Recorded {
    let body = String::from_utf8_lossy(&body[..body.len().min(BODY_KEPT)]);
    let headers = || {
        parts
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes())))
    };
    let query = parts.uri.query().unwrap_or("");
    let (text, cuts) = pack(parts.uri.path(), query, headers, &body);
    Recorded {
        seq: 0,
        ts,
        method: parts.method.clone(),
        text,
        cuts,
        inst_id: None,
        // The key presented is read from the headers unless the gate names it.
        api_key: None,
        account: None,
        status: 0,
        code: String::new(),
        explanation: None,
    }
}

/// The `instId` a request is about: from its query, or its JSON body (the
/// first object of a batch).
fn inst_id_of(query: &str, body: &[u8]) -> Option<String> {
    if let Some(id) =
        form_urlencoded::parse(query.as_bytes()).find(|(k, v)| k == "instId" && !v.is_empty())
    {
        return Some(id.1.into_owned());
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if !matches!(first, b'{' | b'[') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = if value.is_array() {
        value.get(0)?
    } else {
        &value
    };
    object
        .get("instId")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, code: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            ts: 5,
            method: "GET".into(),
            path: path.into(),
            query: String::new(),
            headers: Vec::new(),
            body: String::new(),
            inst_id: None,
            api_key: None,
            account: None,
            status: 200,
            code: code.into(),
            explanation: None,
        }
    }

    #[test]
    fn the_journal_keeps_the_newest_entries_up_to_its_cap() {
        let journal = Journal::new(2);
        for path in ["/a", "/b", "/c"] {
            journal.push(entry(path, "0"));
        }
        let kept = journal.entries(&JournalFilter::default());
        assert_eq!(
            kept.iter()
                .map(|e| (e.path.as_str(), e.seq))
                .collect::<Vec<_>>(),
            [("/b", 2), ("/c", 3)]
        );
    }

    #[test]
    fn filters_combine_and_prefixes_end_in_a_star() {
        let journal = Journal::new(10);
        journal.push(entry("/api/v5/trade/order", "0"));
        journal.push(entry("/api/v5/trade/cancel-order", "1"));
        journal.push(entry("/api/v5/market/ticker", "0"));
        let trade = JournalFilter {
            path: Some("/api/v5/trade/*".into()),
            ..Default::default()
        };
        assert_eq!(journal.count(&trade), 2);
        let refused = JournalFilter {
            code: Some("1".into()),
            ..trade
        };
        assert_eq!(journal.count(&refused), 1);
        journal.clear();
        assert_eq!(journal.count(&JournalFilter::default()), 0);
    }
}
