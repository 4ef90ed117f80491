//! Serving HTTP/1.1 connections with limits a hostile client cannot get around: at most
//! `max_connections` at once, a request head within `header_read_timeout` (hyper's clock,
//! which also bounds how long a kept-alive connection waits for its next request), no
//! connection silent for longer than `idle_timeout` either way (a client that stops reading
//! its response), and every request answered within `request_timeout` (a 503 problem
//! otherwise; see `security::timeout_problem`). On shutdown the listener closes at once,
//! connections finish the request they are on, and whatever is left after `shutdown_grace`
//! is closed.
//!
//! Over the cap the accept loop stops accepting until a connection ends: new connections
//! wait in the kernel's backlog instead of being accepted and reset. A burst of slow
//! clients then delays others by at most a header-read timeout per cap's worth of
//! connections queued ahead of them, instead of failing every client that arrives while
//! the slots are full; and a flood costs no accept-and-close work.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

/// Connection and request limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest wait for a whole request head (and for the next request on a kept-alive
    /// connection).
    pub header_read_timeout: Duration,
    /// Longest a connection may move no bytes either way.
    pub idle_timeout: Duration,
    /// Longest from request head to response head, reading the body included.
    pub request_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// How long a shutdown waits for in-flight requests.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then drains (see the module doc).
pub async fn serve_router(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    // `true` once draining; the sender dropped means stop now.
    let (draining_tx, draining_rx) = watch::channel(false);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    let mut upkeep_stop = draining_rx.clone();
    tokio::spawn(crate::metrics::run_upkeep(async move {
        let _ = upkeep_stop.wait_for(|draining| *draining).await;
    }));

    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    after_accept_error(e).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(Connection {
            stream,
            peer,
            app: app.clone(),
            http: http.clone(),
            idle_timeout: limits.idle_timeout,
            draining: draining_rx.clone(),
            _slot: permit,
        }));
    }

    drop(listener);
    let _ = draining_tx.send(true);
    let open = limits
        .max_connections
        .saturating_sub(slots.available_permits());
    tracing::info!(
        connections = open,
        "shutting down: finishing requests in flight"
    );
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(limits.shutdown_grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        let open = limits
            .max_connections
            .saturating_sub(slots.available_permits());
        tracing::warn!(
            connections = open,
            grace_s = limits.shutdown_grace.as_secs(),
            "connections still open after the shutdown grace; closing them"
        );
    }
    Ok(())
}

/// Errors a client causes end one connection attempt; anything else (out of file
/// descriptors, most often) is logged and accepting pauses briefly rather than spinning.
async fn after_accept_error(e: io::Error) {
    use io::ErrorKind as K;
    if matches!(
        e.kind(),
        K::ConnectionAborted | K::ConnectionRefused | K::ConnectionReset | K::Interrupted
    ) {
        return;
    }
    tracing::warn!(error = %e, "cannot accept connections; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    http: http1::Builder,
    idle_timeout: Duration,
    draining: watch::Receiver<bool>,
    /// Held for the connection's life: its place under `max_connections`.
    _slot: OwnedSemaphorePermit,
}

async fn connection(c: Connection) {
    let Connection {
        stream,
        peer,
        app,
        http,
        idle_timeout,
        mut draining,
        _slot,
    } = c;
    let activity = Activity::new();
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        // Handlers can extract `ConnectInfo<SocketAddr>` (per-IP limits).
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let conn = http.serve_connection(io, service).with_upgrades();
    tokio::pin!(conn);
    let mut closing = false;
    if *draining.borrow_and_update() {
        conn.as_mut().graceful_shutdown();
        closing = true;
    }
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, peer = %peer, "connection ended with an error");
                }
                return;
            }
            () = activity.idle_for(idle_timeout) => {
                tracing::debug!(peer = %peer, "closing a connection idle too long");
                return;
            }
            changed = draining.changed() => {
                if changed.is_err() {
                    return;
                }
                if !closing && *draining.borrow_and_update() {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// When a connection last moved a byte, in milliseconds since it opened.
#[derive(Clone)]
struct Activity {
    opened: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Resolves once no byte has moved for `limit`.
    async fn idle_for(&self, limit: Duration) {
        loop {
            let last = self.opened + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let quiet = last.elapsed();
            if quiet >= limit {
                return;
            }
            tokio::time::sleep(limit - quiet).await;
        }
    }
}

/// A stream that records when it last read or wrote a byte.
struct Watched {
    inner: TcpStream,
    activity: Activity,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
