//! One live connection: a reader loop (client frames, the hub, timers) and a writer task
//! behind a bounded queue. The reader never waits on the client's socket: a client that
//! cannot take frames as fast as they come fills its queue and is closed with 4409,
//! so a slow reader costs at most `send_buffer` frames of memory.

use super::auth::{self, Credentials};
use super::frames::{self, ClientFrame, ServerFrame};
use crate::state::AppState;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use kefu_service::live::{Delivery, Follower, Heard, Side};
use kefu_service::{Caller, ErrorCode, ServiceError};
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, mpsc, watch};
use tokio::time::{Instant, MissedTickBehavior};

/// Close codes (docs/LIVE.md).
pub mod close {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL: u16 = 1002;
    pub const TOO_BIG: u16 = 1009;
    pub const UNAUTHENTICATED: u16 = 4401;
    pub const IDLE: u16 = 4408;
    pub const TOO_SLOW: u16 = 4409;
}

/// Live connections open on this node (Prometheus gauge).
const OPEN: &str = "kefu_live_connections";
/// Live connections ended, by close code.
const CLOSED: &str = "kefu_live_closed_total";

/// Describes this module's series and shows the open-connection gauge at 0 from the start
/// (called once, when the recorder is installed).
pub fn describe_metrics() {
    metrics::describe_gauge!(OPEN, "Live WebSocket connections open on this node.");
    metrics::describe_counter!(CLOSED, "Live WebSocket connections ended, by close code.");
    metrics::gauge!(OPEN).set(0.0);
}

/// Why the server closes: a code and a short reason.
type Close = (u16, &'static str);

/// The reader's handle on the writer.
struct Out {
    frames: mpsc::Sender<Utf8Bytes>,
    close: watch::Sender<Option<Close>>,
}

impl Out {
    /// Queues a frame; `false` when the client is too slow (the queue is full) or gone.
    fn send(&self, frame: &ServerFrame) -> bool {
        self.frames.try_send(frame.text().into()).is_ok()
    }

    fn close(&self, c: Close) {
        self.close.send_replace(Some(c));
    }
}

/// Serves one upgraded connection to its end. `caller` is `None` when the upgrade request
/// had no credentials: the first frame must then be `auth`.
pub async fn run(
    socket: WebSocket,
    state: AppState,
    caller: Option<(Caller, Credentials)>,
    addr: Option<IpAddr>,
    _slot: OwnedSemaphorePermit,
) {
    let limits = state.live.limits().clone();
    let (sink, mut stream) = socket.split();
    let (frames_tx, frames_rx) = mpsc::channel(limits.send_buffer.max(1));
    let (close_tx, close_rx) = watch::channel(None);
    let writer = tokio::spawn(write(sink, frames_rx, close_rx, limits.write_timeout));
    let out = Out {
        frames: frames_tx,
        close: close_tx,
    };
    let ctx = Ctx { state, addr };
    metrics::gauge!(OPEN).increment(1.0);
    let reason = serve(&mut stream, &out, &ctx, caller).await;
    metrics::gauge!(OPEN).decrement(1.0);
    metrics::counter!(CLOSED, "code" => reason.0.to_string()).increment(1);
    out.close(reason);
    drop(out);
    let _ = writer.await;
}

/// What a connection's handlers share.
struct Ctx {
    state: AppState,
    /// The client's address (lookup limits).
    addr: Option<IpAddr>,
}

/// Runs the connection until it should close, and says why.
async fn serve(
    stream: &mut SplitStream<WebSocket>,
    out: &Out,
    ctx: &Ctx,
    caller: Option<(Caller, Credentials)>,
) -> Close {
    let state = &ctx.state;
    let limits = state.live.limits();
    let (caller, credentials) = match caller {
        Some(c) => c,
        None => match authenticate(stream, out, state).await {
            Ok(c) => c,
            Err(close) => return close,
        },
    };
    let token = credentials.token;
    let mut follower = match Follower::new(state.core.clone(), caller) {
        Ok(f) => f,
        Err(e) => {
            out.send(&ServerFrame::error(&e, None));
            return (close::UNAUTHENTICATED, "unauthenticated");
        }
    };
    if !out.send(&ServerFrame::Ready {
        side: follower.side().as_str(),
        heartbeat_seconds: limits.heartbeat.as_secs(),
        idle_timeout_seconds: limits.idle_timeout.as_secs(),
    }) {
        return (close::TOO_SLOW, "too slow");
    }
    let mut heartbeat =
        tokio::time::interval_at(Instant::now() + limits.heartbeat, limits.heartbeat);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut queue = tokio::time::interval(limits.queue_refresh);
    queue.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut stopping = state.live.stopping();
    let mut last_heard = Instant::now();
    loop {
        let sent = tokio::select! {
            frame = stream.next() => match frame {
                Some(Ok(message)) => {
                    last_heard = Instant::now();
                    match on_message(message, &mut follower, out, ctx).await {
                        Ok(sent) => sent,
                        Err(close) => return close,
                    }
                }
                // A frame the WebSocket layer refused (malformed, or far too large); if the
                // connection broke instead, nobody reads this close.
                Some(Err(_)) => return (close::PROTOCOL, "protocol error"),
                None => return (close::NORMAL, "bye"),
            },
            heard = follower.recv() => match heard {
                Heard::Closed => return (close::GOING_AWAY, "server stopping"),
                heard => on_heard(heard, &mut follower, out).await,
            },
            _ = queue.tick() => match follower.queue_updates().await {
                Ok(updates) => updates.iter().all(|q| out.send(&ServerFrame::queue(q))),
                Err(e) => {
                    tracing::warn!(error = %e, "reading a live queue position failed");
                    true
                }
            },
            _ = heartbeat.tick() => {
                if last_heard.elapsed() >= limits.idle_timeout {
                    return (close::IDLE, "idle");
                }
                if !still_valid(state, token.as_deref(), out).await {
                    return (close::UNAUTHENTICATED, "signed out");
                }
                out.send(&ServerFrame::Ping {})
            }
            () = until(&mut stopping, |s| *s) => return (close::GOING_AWAY, "server stopping"),
            () = out.frames.closed() => return (close::NORMAL, "gone"),
        };
        if !sent {
            tracing::info!("closing a live client that cannot keep up");
            return (close::TOO_SLOW, "too slow");
        }
    }
}

/// Tells the client what the follower makes of what it heard; `false` when the client is
/// too slow for it.
async fn on_heard(heard: Heard, follower: &mut Follower, out: &Out) -> bool {
    match follower.handle(heard).await {
        Ok(deliveries) => deliveries.iter().all(|d| out.send(&delivery(d))),
        Err(e) => {
            // The seq stays at the last event delivered: the ticket's next event reads the
            // rest again.
            tracing::warn!(error = %e, "live delivery failed; it is retried with the next event");
            true
        }
    }
}

/// Waits for the `auth` frame (other frames before it are answered with an error).
async fn authenticate(
    stream: &mut SplitStream<WebSocket>,
    out: &Out,
    state: &AppState,
) -> Result<(Caller, Credentials), Close> {
    let deadline = Instant::now() + state.live.limits().auth_timeout;
    loop {
        let message = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                let e = unauthenticated("No auth frame came in time.");
                out.send(&ServerFrame::error(&e, None));
                return Err((close::UNAUTHENTICATED, "no auth"));
            }
            Ok(Some(Ok(m))) => m,
            Ok(Some(Err(_)) | None) => return Err((close::NORMAL, "bye")),
        };
        let text = match message {
            Message::Text(t) => t,
            Message::Close(_) => return Err((close::NORMAL, "bye")),
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Binary(_) => {
                out.send(&ServerFrame::error(&binary(), None));
                continue;
            }
        };
        match frames::parse(&text) {
            Ok(ClientFrame::Auth(c)) => return credentials(state, out, c).await,
            Ok(_) => {
                let e = unauthenticated("Send an auth frame first.");
                out.send(&ServerFrame::error(&e, None));
            }
            Err(e) => {
                out.send(&ServerFrame::error(&e, None));
            }
        }
    }
}

async fn credentials(
    state: &AppState,
    out: &Out,
    c: Credentials,
) -> Result<(Caller, Credentials), Close> {
    match auth::caller(state, &c).await {
        Ok(caller) => Ok((caller, c)),
        Err(e) => {
            out.send(&ServerFrame::error(&e, None));
            Err((close::UNAUTHENTICATED, "unauthenticated"))
        }
    }
}

/// Answers one client message; `Ok(false)` when the client is too slow for the answer.
async fn on_message(
    message: Message,
    follower: &mut Follower,
    out: &Out,
    ctx: &Ctx,
) -> Result<bool, Close> {
    let text = match message {
        Message::Text(t) if t.len() > ctx.state.live.limits().max_frame_bytes => {
            return Err((close::TOO_BIG, "frame too large"));
        }
        Message::Text(t) => t,
        Message::Close(_) => return Err((close::NORMAL, "bye")),
        // Protocol pings are answered by the WebSocket layer; both count as activity.
        Message::Ping(_) | Message::Pong(_) => return Ok(true),
        Message::Binary(_) => return Ok(out.send(&ServerFrame::error(&binary(), None))),
    };
    let frame = match frames::parse(&text) {
        Ok(f) => f,
        Err(e) => return Ok(out.send(&ServerFrame::error(&e, None))),
    };
    Ok(match frame {
        ClientFrame::Pong => true,
        ClientFrame::Auth(_) => {
            let e = ServiceError::field("type", "this connection is authenticated already");
            out.send(&ServerFrame::error(&e, None))
        }
        ClientFrame::Subscribe { ticket, last_seq } => {
            // A customer's subscribe is a lookup by number and proof: the API's limits.
            if follower.side() == Side::Customer
                && let Err(wait) = ctx
                    .state
                    .rate_limits
                    .check_lookup(ctx.addr, &ticket.as_string())
            {
                let secs = wait.as_secs().max(1);
                let e = ServiceError::rate_limited(
                    ErrorCode::RateLimited,
                    format!("Too many lookups; try again in {secs} s."),
                    Duration::from_secs(secs),
                );
                return Ok(out.send(&ServerFrame::error(&e, Some(&ticket))));
            }
            match follower.follow(&ticket, last_seq).await {
                Ok(followed) => {
                    followed
                        .missed
                        .iter()
                        .all(|e| out.send(&ServerFrame::event(e)))
                        && out.send(&ServerFrame::Subscribed {
                            ticket: followed.number.as_string(),
                            seq: followed.seq,
                        })
                }
                Err(e) => out.send(&ServerFrame::error(&e, Some(&ticket))),
            }
        }
        ClientFrame::Unsubscribe { ticket } => {
            follower.unfollow(&ticket);
            out.send(&ServerFrame::Unsubscribed {
                ticket: ticket.as_string(),
                reason: "requested",
            })
        }
        ClientFrame::Typing { ticket } => match follower.typing(&ticket) {
            Ok(()) => true,
            Err(e) => out.send(&ServerFrame::error(&e, Some(&ticket))),
        },
    })
}

/// Resolves once the watched value passes `test` (or its sender is gone); holds no borrow
/// of the value (that guard is not `Send`).
async fn until<T>(rx: &mut watch::Receiver<T>, test: impl FnMut(&T) -> bool) {
    let _ = rx.wait_for(test).await;
}

/// Whether the token the connection signed in with still stands (a session signed out or
/// a key revoked ends the connection within a heartbeat, plus the principal cache's TTL).
/// A lookup code cannot be revoked; a database hiccup does not end the connection.
async fn still_valid(state: &AppState, token: Option<&str>, out: &Out) -> bool {
    let Some(token) = token else {
        return true;
    };
    match kefu_service::caller::authenticate(&state.core, token).await {
        Ok(Some(_)) | Err(_) => true,
        Ok(None) => {
            let e = unauthenticated(
                "The session or key this connection signed in with is no longer valid.",
            );
            out.send(&ServerFrame::error(&e, None));
            false
        }
    }
}

fn delivery(d: &Delivery) -> ServerFrame {
    match d {
        Delivery::Event(e) => ServerFrame::event(e),
        Delivery::Typing { number, side } => ServerFrame::typing(number, *side),
        Delivery::Unfollowed { number } => ServerFrame::Unsubscribed {
            ticket: number.as_string(),
            reason: "moved",
        },
    }
}

fn unauthenticated(detail: &str) -> ServiceError {
    ServiceError::new(kefu_service::ErrorCode::Unauthenticated, detail)
}

fn binary() -> ServiceError {
    ServiceError::field("type", "frames are JSON text, not binary")
}

/// Writes queued frames until told to close, then sends the close frame. A frame that
/// cannot be written within `write_timeout` means the client is gone: the socket is dropped.
async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    mut frames: mpsc::Receiver<Utf8Bytes>,
    mut close: watch::Receiver<Option<Close>>,
    write_timeout: Duration,
) {
    loop {
        let next = tokio::select! {
            biased;
            () = until(&mut close, Option::is_some) => break,
            next = frames.recv() => next,
        };
        let Some(text) = next else { break };
        if !matches!(
            tokio::time::timeout(write_timeout, sink.send(Message::Text(text))).await,
            Ok(Ok(()))
        ) {
            return;
        }
    }
    let current = *close.borrow();
    let (code, reason) = current.unwrap_or((close::NORMAL, "bye"));
    if code != close::TOO_SLOW {
        // Say what was queued before closing (an error frame explains the close).
        while let Ok(text) = frames.try_recv() {
            if !matches!(
                tokio::time::timeout(write_timeout, sink.send(Message::Text(text))).await,
                Ok(Ok(()))
            ) {
                return;
            }
        }
    }
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(write_timeout, sink.send(Message::Close(Some(frame)))).await;
}
