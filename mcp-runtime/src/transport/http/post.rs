//! POST: one JSON-RPC message in; 202, a JSON body, or an SSE stream out.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::Either;
use tokio::sync::mpsc;

use super::error::HttpError;
use super::headers::{Speaks, VersionHeader};
use super::{App, body, headers, security, sse, stateless};
use crate::engine::dispatch::reply_json;
use crate::engine::middleware::rate_limit;
use crate::engine::outbound::LazyOutbound;
use crate::engine::principal::{BearerChallenge, Caller, Principal};
use crate::engine::{BoxFuture, Peer, RequestEnv};
use crate::protocol::RequestId;
use crate::protocol::{ErrorObject, Message, Method, Request, Version, error_codes, error_json};
use crate::transport::http::config::Mode;
use crate::transport::http::session::{Published, Refusal, Session, StreamSink, WhenFull};

/// The response to a POST. A plain function: the headers are checked, and the caller
/// identified, before the future is made, which then holds only what serving needs (as an
/// `async fn` it also held the request and its head, 750 bytes that hyper moves with it).
pub(super) fn handle<B>(
    State(app): State<Arc<App>>,
    request: axum::http::Request<B>,
) -> impl Future<Output = Response> + Send + use<B>
where
    B: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    // The request taken whole: the `HeaderMap` and `Extension` extractors would clone.
    let (parts, body) = request.into_parts();
    // The headers read before the body, in one pass.
    let version = {
        let head = headers::Head::read(&parts.headers);
        let checked = security::check(app.checks(), &head, &parts.uri)
            .and_then(|()| headers::check_post_accept(&head, app.config.json_response))
            .and_then(|()| headers::check_content_type(&head));
        if let Err(refusal) = checked {
            return Either::Left(std::future::ready(refusal.into_response()));
        }
        head.version()
    };
    let admitted = app.identify(parts);
    let identity = (admitted.principal, admitted.challenge);
    let served = serve(app, identity, admitted.parts.headers, version, body);
    Either::Right(served.map(|served| match served {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }))
}

async fn serve<B>(
    app: Arc<App>,
    (principal, challenge): (Option<Principal>, Option<BearerChallenge>),
    headers: HeaderMap,
    version: VersionHeader,
    body: B,
) -> Result<Response, HttpError>
where
    B: http_body::Body<Data = axum::body::Bytes>,
    B::Error: Into<axum::BoxError>,
{
    let mut read = std::pin::pin!(body::read_body(body, app.config.max_request_body));
    // A body that has already arrived (most do: it came with the headers) is read without a
    // timer; registering and cancelling one cost 2.2k instructions per request (callgrind).
    let bytes = match futures_util::FutureExt::now_or_never(&mut read) {
        Some(read) => read?,
        None => match app.config.body_read_timeout {
            Some(limit) => tokio::time::timeout(limit, read)
                .await
                .map_err(|_| HttpError::BodyTimeout(limit))??,
            None => read.await?,
        },
    };
    let message = Message::parse(&bytes)?;
    let speaks = headers::speaks(version, Some(&message))?;
    // Kept for the handler (`Context::headers`): one allocation, no copy of the map.
    let headers = Arc::new(headers);
    let version = match speaks {
        Speaks::Stateless => {
            if app.sessions.cluster().is_some() {
                // Its changes must reach the other nodes, and its listen streams theirs.
                app.ensure_background();
            }
            let caller = Caller {
                principal,
                headers: Some(headers),
                challenge,
            };
            return Ok(stateless::serve(app, caller, message).await);
        }
        Speaks::Handshake(version) => version,
    };
    let caller = Caller {
        principal,
        headers: Some(headers.clone()),
        challenge,
    };
    if let Message::Request(request) = &message {
        check_scopes(&app, request, &caller)?;
    }
    match app.config.mode {
        Mode::Stateless => {
            let peer = Arc::new(Peer::new(false));
            dispatch(&app, message, peer, None, version, caller).await
        }
        Mode::Stateful => match message {
            Message::Request(request) if request.method == Method::Initialize => {
                if headers::session_id(&headers).is_some() {
                    return Err(
                        match app.session(&headers, caller.principal.as_ref()).await {
                            Ok(_) => HttpError::AlreadyInitialized,
                            Err(HttpError::StoreUnavailable) => HttpError::StoreUnavailable,
                            Err(_) => HttpError::UnknownSession,
                        },
                    );
                }
                // Boxed: once per session, and inline it would make every request's future
                // 1.1 KB larger (hyper moves that future several times per request).
                Box::pin(initialize(&app, request, caller)).await
            }
            message => {
                let session = app.session(&headers, caller.principal.as_ref()).await?;
                let peer = session.peer.clone();
                if app.sessions.cluster().is_some() {
                    // Boxed: a cluster's request waits on its store anyway, and inline it would
                    // make every request's future 1.2 KB larger.
                    let shared = shared_dispatch(&app, message, peer, session, version, caller);
                    return Box::pin(shared).await;
                }
                dispatch(&app, message, peer, Some(session), version, caller).await
            }
        },
    }
}

/// Refuses a request whose handler requires a scope the caller's token lacks (403, with the
/// challenge that lets the client step up).
pub(super) fn check_scopes(app: &App, request: &Request, caller: &Caller) -> Result<(), HttpError> {
    let principal = caller.principal.as_ref();
    let params = request.params.as_deref();
    match app
        .dispatcher
        .missing_scopes(&request.method, params, principal)
    {
        None => Ok(()),
        Some(needed) => Err(HttpError::InsufficientScope {
            needed,
            resource_metadata: caller
                .challenge
                .as_ref()
                .map(|c| c.resource_metadata().to_owned()),
        }),
    }
}

/// Opens a session and answers `initialize` in it; the session is dropped if that fails.
async fn initialize(
    app: &Arc<App>,
    request: Request,
    caller: Caller,
) -> Result<Response, HttpError> {
    let peer = app.sessions.prepare_peer(app.dispatcher.session_peer());
    let session = app
        .sessions
        .create(caller.principal.clone(), peer)
        .map_err(|refusal| match refusal {
            Refusal::Full => HttpError::TooManySessions,
            Refusal::PrincipalFull => {
                HttpError::TooManySessionsForPrincipal(app.config.max_sessions_per_principal)
            }
            Refusal::ShuttingDown => HttpError::ShuttingDown,
        })?;
    app.ensure_background();
    let env = RequestEnv {
        peer: session.peer.clone(),
        outbound: None,
        cancel: session.cancel.child_token(),
        close_stream: None,
        caller,
    };
    let id = request.id.clone();
    let reply = app
        .dispatcher
        .handle_request(request, env)
        .await
        .unwrap_or_else(|| cancelled(&id));
    let Some(version) = session.peer.protocol_version() else {
        app.sessions.remove(session_id(&session));
        return Ok(json(reply, None));
    };
    // With a cluster, the session is kept where every node finds it, unless the nodes hold
    // `max_sessions` in all.
    match app.sessions.publish(&session).await {
        Ok(Published::Open) => {}
        Ok(Published::Full) => {
            app.sessions.remove(session_id(&session));
            return Err(HttpError::TooManySessions);
        }
        Err(e) => {
            tracing::warn!(error = %e, "a new session could not be shared");
            app.sessions.remove(session_id(&session));
            return Err(HttpError::StoreUnavailable);
        }
    }
    tracing::info!(
        session = %session.key(),
        client = ?session.peer.client_info().map(|c| &c.name),
        version = %version,
        "session initialized"
    );
    let header = Some(session.header());
    if app.config.json_response {
        return Ok(json(reply, header));
    }
    if app.config.event_store.is_none() {
        return Ok(sse::complete(vec![reply], header));
    }
    let (sink, rx, prime) = attached_sink(app, Some(&session), version).await;
    sink.send_all(prime, vec![reply]).await;
    sink.detach().await;
    Ok(sse::response(Vec::new(), rx, None, Vec::new(), (), header))
}

fn cancelled(id: &crate::protocol::RequestId) -> String {
    error_json(
        Some(id),
        &ErrorObject::new(error_codes::REQUEST_CANCELLED, "Request cancelled"),
    )
}

/// Adds `Retry-After` (seconds) to the response of a request the rate limit refused.
pub(super) fn retry_after(mut response: Response, seconds: Option<u64>) -> Response {
    if let Some(seconds) = seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

fn json(body: impl Into<Body>, session: Option<(HeaderName, HeaderValue)>) -> Response {
    let mut response = Response::new(body.into());
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some((name, value)) = session {
        response.headers_mut().insert(name, value);
    }
    response
}

/// A stream for one response, attached to a fresh client channel, and whether to prime it
/// (`Some(retry)` when the client can resume: an event store, and a protocol version that
/// knows priming events). The caller primes it, alone or with a response that is ready.
async fn attached_sink(
    app: &App,
    session: Option<&Arc<Session>>,
    version: Version,
) -> (
    Arc<StreamSink>,
    mpsc::Receiver<crate::transport::http::session::SseFrame>,
    Option<Option<Duration>>,
) {
    let sink = match session {
        Some(session) => session.open_stream(app.config.event_store.clone()),
        None => Arc::new(StreamSink::new(String::new(), None, WhenFull::Wait)),
    };
    let (tx, rx) = mpsc::channel(sse::STREAM_BUFFER);
    sink.attach(tx).await;
    let prime = (app.config.event_store.is_some() && version.primes_streams())
        .then_some(app.config.retry_interval);
    (sink, rx, prime)
}

async fn dispatch(
    app: &Arc<App>,
    message: Message,
    peer: Arc<Peer>,
    session: Option<Arc<Session>>,
    version: Version,
    caller: Caller,
) -> Result<Response, HttpError> {
    let request = match message {
        Message::Notification(notification) => {
            app.dispatcher
                .handle_notification(notification, &peer, &caller);
            return Ok(StatusCode::ACCEPTED.into_response());
        }
        Message::Response(response) => {
            app.dispatcher.handle_response(response, &peer);
            return Ok(StatusCode::ACCEPTED.into_response());
        }
        Message::Request(request) => request,
    };
    let header = session.as_deref().map(Session::header);
    let cancel = match &session {
        Some(s) => s.cancel.child_token(),
        // The request's peer is its own (`notifications/cancelled` reaches a session's peer
        // only, and only sessions' peers are closed): nothing cancels this token but the
        // shutdown, so it is the shutdown's own, not a child that costs a node in its tree
        // (1.1k instructions per request, made and dropped).
        None => app.sessions.shutdown_token().clone(),
    };
    if app.config.json_response {
        let env = RequestEnv {
            peer,
            outbound: None,
            cancel,
            close_stream: None,
            caller,
        };
        let id = request.id.clone();
        return Ok(match answer_detached(app, request, env).await {
            Err(duplicate) => json(duplicate, header),
            Ok(None) => json(cancelled(&id), header),
            Ok(Some(outcome)) => match refused(&outcome) {
                Some(wait) => too_many(&id, outcome, wait, header),
                None => json(
                    match outcome {
                        Ok(result) => body::result_body(&id, result),
                        Err(error) => Body::from(error_json(Some(&id), &error)),
                    },
                    header,
                ),
            },
        });
    }
    // Version for priming: the session's negotiated one (a client that negotiated 2025-11-25
    // understands priming events whatever header it sends), else the header's.
    let version = session
        .as_ref()
        .and_then(|s| s.peer.protocol_version())
        .unwrap_or(version);
    let resumable = app.config.event_store.is_some() && version.primes_streams();
    let env = RequestEnv {
        peer,
        outbound: None,
        cancel,
        close_stream: resumable.then(|| Arc::new(tokio::sync::Notify::new())),
        caller,
    };
    // Registered now, not when the task first runs: a `notifications/cancelled` POSTed right
    // after this request must find it.
    let in_flight = match app.dispatcher.begin(&request, &env) {
        Ok(in_flight) => in_flight,
        Err(duplicate) => return Ok(json(duplicate, header)),
    };
    // Fast path: most requests answer at once without sending anything else (no progress,
    // logs or questions to the client). Poll once here; only a request that must wait gets
    // a task, a stream and channels. (Without an event store: with one, every event needs an
    // id from the store, which the pump assigns.)
    // The channel for its messages is made only if it sends one, or when the stream waits.
    let (outbound, lazy) = LazyOutbound::new();
    let id = request.id.clone();
    let close = env.close_stream.clone();
    let env = RequestEnv {
        outbound: Some(outbound),
        ..env
    };
    let owner = app.clone();
    let mut work: BoxFuture<'static, Outcome> = Box::pin(async move {
        owner
            .dispatcher
            .outcome_of_begun(request, env, in_flight)
            .await
    });
    // Polled once in any case: a rate limit refuses at once, and a refusal is a 429, not a
    // stream. (With an event store, a request that finished goes through the stream: every
    // event needs an id from the store, which the pump assigns.)
    let work = match futures_util::FutureExt::now_or_never(&mut work) {
        Some(Some(outcome)) if refused(&outcome).is_some() => {
            let wait = refused(&outcome).unwrap_or_default();
            return Ok(too_many(&id, outcome, wait, header));
        }
        Some(outcome) if app.config.event_store.is_none() => {
            let mut frames = Vec::new();
            lazy.drain_into(&mut frames);
            if let (true, Some(Ok(result))) = (frames.is_empty(), &outcome) {
                return Ok(sse::complete_result(&id, result, header));
            }
            frames.push(outcome.map_or_else(|| cancelled(&id), |o| reply_json(&id, o)));
            return Ok(sse::complete(frames, header));
        }
        Some(outcome) => Work::Ready(outcome.map(|o| reply_json(&id, o))),
        None => {
            let id = id.clone();
            Work::Pending(Box::pin(futures_util::FutureExt::map(
                work,
                move |outcome| outcome.map(|o| reply_json(&id, o)),
            )))
        }
    };
    let (sink, client, prime) = attached_sink(app, session.as_ref(), version).await;
    let guard = session.as_ref().map(|s| s.stream_guard());
    // A task of its own: a client that disconnects does not cancel the request.
    tokio::spawn(guarded_pump(
        app.clone(),
        id,
        Pumped {
            work,
            prime,
            rx: lazy.into_receiver(),
            close,
        },
        sink,
        session,
    ));
    Ok(sse::response(
        Vec::new(),
        client,
        app.config.keep_alive,
        Vec::new(),
        guard,
        header,
    ))
}

/// A request's outcome: `None` when it was cancelled.
type Outcome = Option<Result<Box<serde_json::value::RawValue>, ErrorObject>>;

/// How long a request a rate limit refused should wait.
fn refused(outcome: &Result<Box<serde_json::value::RawValue>, ErrorObject>) -> Option<u64> {
    outcome.as_ref().err().and_then(rate_limit::retry_after)
}

/// The 429 of a request a rate limit refused, with `Retry-After`.
fn too_many(
    id: &RequestId,
    outcome: Result<Box<serde_json::value::RawValue>, ErrorObject>,
    wait: u64,
    header: Option<(HeaderName, HeaderValue)>,
) -> Response {
    let mut response = json(reply_json(id, outcome), header);
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    retry_after(response, Some(wait))
}

/// Answers a request whose response is one JSON body. A request that finishes at once is
/// answered inline; one that must wait gets a task of its own, so that a client that
/// disconnects does not cancel it (in this era only `notifications/cancelled` does). `Err`
/// holds the response to a request whose id is in flight already.
async fn answer_detached(
    app: &Arc<App>,
    request: Request,
    env: RequestEnv,
) -> Result<Outcome, String> {
    let id = request.id.clone();
    let in_flight = app.dispatcher.begin(&request, &env)?;
    let owner = app.clone();
    let mut work: BoxFuture<'static, Outcome> = Box::pin(async move {
        owner
            .dispatcher
            .outcome_of_begun(request, env, in_flight)
            .await
    });
    if let Some(outcome) = futures_util::FutureExt::now_or_never(&mut work) {
        return Ok(outcome);
    }
    match tokio::spawn(work).await {
        Ok(outcome) => Ok(outcome),
        Err(error) => {
            // Tools' panics are caught by the dispatcher: this is a bug of ours.
            tracing::error!(%error, id = %id, "a request task failed");
            let error = ErrorObject::internal("the server failed while answering this request");
            Ok(Some(Err(error)))
        }
    }
}

/// Runs [`pump`]; if it panics (a bug, or a panicking event store), the client gets an error
/// instead of a hang, and the session, now in an unknown state, is ended.
async fn guarded_pump(
    app: Arc<App>,
    id: RequestId,
    pumped: Pumped,
    sink: Arc<StreamSink>,
    session: Option<Arc<Session>>,
) {
    let run = pump(&id, pumped, &sink, session.as_deref());
    if let Err(panic) = crate::recover::catch_panic(run).await {
        tracing::error!(id = %id, panic = %panic, "request stream failed; ending its session");
        let error = ErrorObject::internal("the server failed while answering this request");
        sink.fail(error_json(Some(&id), &error)).await;
        if let Some(session) = session {
            app.sessions.remove_session(&session);
        }
    }
}

/// Completes when `notify` fires; never without one.
async fn wait_for(notify: Option<&tokio::sync::Notify>) {
    match notify {
        Some(n) => n.notified().await,
        None => std::future::pending().await,
    }
}

/// A request's reply (`None` when it was cancelled): ready when the stream opens, or to wait
/// for.
enum Work {
    Ready(Option<String>),
    Pending(BoxFuture<'static, Option<String>>),
}

/// What [`pump`] drives: the request, the priming of its stream (`Some(retry)`), the
/// messages it sends before its response, and the signal to close the client's stream.
struct Pumped {
    work: Work,
    prime: Option<Option<Duration>>,
    rx: mpsc::Receiver<String>,
    close: Option<Arc<tokio::sync::Notify>>,
}

/// Drives a request to its end, passing its related messages and then its response to the
/// stream.
async fn pump(id: &RequestId, pumped: Pumped, sink: &StreamSink, session: Option<&Session>) {
    let Pumped {
        work,
        prime,
        mut rx,
        close,
    } = pumped;
    let mut work = match work {
        Work::Ready(reply) => {
            // Ready when the stream opened: the priming event, what the request sent and its
            // response are stored at once (one round trip to a shared store) and sent.
            let mut messages = Vec::new();
            while let Ok(frame) = rx.try_recv() {
                messages.push(frame);
            }
            messages.push(reply.unwrap_or_else(|| cancelled(id)));
            sink.send_all(prime, messages).await;
            if let Some(session) = session {
                session.end_stream_of(sink);
            }
            sink.detach().await;
            return;
        }
        Work::Pending(work) => work,
    };
    if let Some(retry) = prime {
        sink.prime(retry).await;
    }
    let reply = loop {
        tokio::select! {
            biased;
            Some(frame) = rx.recv() => sink.send(frame).await,
            // SSE polling: end the client's stream; later events go to the store only. What
            // the tool sent before asking still reaches the stream.
            () = wait_for(close.as_deref()) => {
                while let Ok(frame) = rx.try_recv() {
                    sink.send(frame).await;
                }
                sink.detach().await;
            }
            reply = &mut work => break reply,
        }
    };
    while let Ok(frame) = rx.try_recv() {
        sink.send(frame).await;
    }
    sink.send(reply.unwrap_or_else(|| cancelled(id))).await;
    if let Some(session) = session {
        session.end_stream_of(sink);
    }
    sink.detach().await;
}

fn session_id(session: &Session) -> u128 {
    session.id()
}

/// `dispatch` for a session that other nodes may serve too: a client's answer that no
/// request of this node waits for goes to the node whose tool asked, a cancellation reaches
/// the request wherever it runs, and a change to the session's state is saved for the others.
async fn shared_dispatch(
    app: &Arc<App>,
    message: Message,
    peer: Arc<Peer>,
    session: Arc<Session>,
    version: Version,
    caller: Caller,
) -> Result<Response, HttpError> {
    match message {
        Message::Response(response) => {
            if let Err(outcome) = peer.try_complete(&response.id, response.outcome) {
                app.sessions
                    .forward_answer(&session, response.id, outcome)
                    .await;
            }
            Ok(StatusCode::ACCEPTED.into_response())
        }
        Message::Notification(notification) if notification.method == "notifications/cancelled" => {
            #[derive(serde::Deserialize)]
            struct Cancelled {
                #[serde(rename = "requestId")]
                request_id: RequestId,
            }
            let target = notification
                .params
                .as_deref()
                .and_then(|p| serde_json::from_str::<Cancelled>(p.get()).ok());
            app.dispatcher
                .handle_notification(notification, &peer, &caller);
            if let Some(target) = target {
                app.sessions
                    .tell(crate::store::BusMessage::Cancel {
                        session: session.key(),
                        id: target.request_id,
                    })
                    .await;
            }
            Ok(StatusCode::ACCEPTED.into_response())
        }
        Message::Request(request) if changes_session(&request.method) => {
            // Answered at once (no handler of the user runs), and saved before the client
            // hears back, so that its next request, on any node, sees the change.
            let env = RequestEnv {
                peer,
                outbound: None,
                cancel: session.cancel.child_token(),
                close_stream: None,
                caller,
            };
            let id = request.id.clone();
            let reply = app
                .dispatcher
                .handle_request(request, env)
                .await
                .unwrap_or_else(|| cancelled(&id));
            app.sessions.save(&session).await;
            let header = Some(session.header());
            Ok(if app.config.json_response {
                json(reply, header)
            } else {
                sse::complete(vec![reply], header)
            })
        }
        message => dispatch(app, message, peer, Some(session), version, caller).await,
    }
}

/// Whether a request changes what a session's record holds.
fn changes_session(method: &Method) -> bool {
    matches!(
        method,
        Method::SetLogLevel | Method::ResourcesSubscribe | Method::ResourcesUnsubscribe
    )
}
