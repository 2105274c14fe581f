//! The accept loop. okx-mock serves connections itself (hyper-util) rather
//! than through `axum::serve` because some scripted faults act on the
//! connection, not the response: dropping it after the work is done, or
//! cutting a body short. A handler marks its response with a [`ConnFault`];
//! this loop carries it out. It also serves the TLS listener (HTTPS and WSS)
//! with the same router.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::response::Response;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// What a fault does to the connection instead of (or to) the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ConnFault {
    /// Close the connection without answering.
    Drop,
    /// Send the status and headers, then only the first half of the body.
    Truncate,
}

/// The error that makes hyper close a connection without a response.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by a scripted fault")]
struct Dropped;

/// How long shutdown waits for open connections before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// How long a TLS client may take to finish its handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The listening sockets: plain HTTP/WS, and optionally TLS (HTTPS/WSS).
pub(crate) struct Listeners {
    pub(crate) plain: TcpListener,
    pub(crate) tls: Option<(TcpListener, TlsAcceptor)>,
}

/// Serves `router` on `listeners` until `shutdown` completes.
pub(crate) async fn serve(
    listeners: Listeners,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_shutdown: tokio::sync::watch::Sender<bool>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let builder = Builder::new(TokioExecutor::new());
    let Listeners { plain, tls } = listeners;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer, acceptor) = tokio::select! {
            accepted = plain.accept() => match accepted {
                Ok((stream, peer)) => (stream, peer, None),
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    continue;
                }
            },
            accepted = accept_tls(tls.as_ref()) => match accepted {
                Ok((stream, peer, acceptor)) => (stream, peer, Some(acceptor)),
                Err(error) => {
                    tracing::warn!(%error, "accept failed (TLS)");
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            answer(router.clone(), peer, request)
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let Some(acceptor) = acceptor else {
                return connection(&builder, watcher, stream, service).await;
            };
            let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            match handshake.await {
                Ok(Ok(stream)) => connection(&builder, watcher, stream, service).await,
                Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        });
    }
    drop((plain, tls));
    let _ = on_shutdown.send(true); // ends "response never comes" faults
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
    Ok(())
}

/// Serves one connection, plain or TLS, until it ends or shutdown closes it.
async fn connection<I, S>(
    builder: &Builder<TokioExecutor>,
    watcher: hyper_util::server::graceful::Watcher,
    io: I,
    service: S,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: hyper::service::Service<hyper::Request<Incoming>, Response = Response, Error = Dropped>
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    if let Err(error) = watcher.watch(connection.into_owned()).await {
        tracing::debug!(%error, "connection ended");
    }
}

/// The next TLS connection (its handshake is left to the connection's task),
/// or never when there is no TLS listener.
async fn accept_tls(
    tls: Option<&(TcpListener, TlsAcceptor)>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr, TlsAcceptor)> {
    let Some((listener, acceptor)) = tls else {
        return std::future::pending().await;
    };
    let (stream, peer) = listener.accept().await?;
    Ok((stream, peer, acceptor.clone()))
}

async fn answer(
    router: Router,
    peer: SocketAddr,
    request: hyper::Request<Incoming>,
) -> Result<Response, Dropped> {
    let mut request = request.map(Body::new);
    request.extensions_mut().insert(ConnectInfo(peer));
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    match response.extensions().get::<ConnFault>().cloned() {
        None => Ok(response),
        Some(ConnFault::Drop) => Err(Dropped),
        Some(ConnFault::Truncate) => Ok(truncate(response).await),
    }
}

/// The response with its body cut in half: the client sees a Content-Length
/// it never receives in full.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let full = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    parts
        .headers
        .insert(axum::http::header::CONTENT_LENGTH, full.len().into());
    let head = full.slice(..full.len() / 2);
    // The pause lets hyper flush the head and the first half before the abort.
    let cut = async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "truncated by a scripted fault",
        ))
    };
    let frames = futures_util::StreamExt::chain(
        futures_util::stream::iter([Ok::<_, std::io::Error>(Frame::data(head))]),
        futures_util::stream::once(cut),
    );
    Response::from_parts(parts, Body::new(http_body_util::StreamBody::new(frames)))
}
