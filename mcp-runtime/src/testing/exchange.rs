//! How one request travels between the test client and the dispatcher, in each era: encoded
//! as JSON-RPC, parsed as a transport parses it, answered by the same dispatcher entry point
//! the transports call, and the messages it sends on the way (notifications, requests to the
//! client) handled as they come.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::sync::broadcast::error::TryRecvError;
use tokio::sync::mpsc;

use super::notifications::ServerNotification;
use super::{Connection, TestClient};
use crate::engine::{Peer, RequestEnv, ServerEvent, StatelessCall};
use crate::handler::error::McpError;
use crate::protocol::{
    ErrorObject, InputRequest, Message, Request, RequestEnvelope, RequestId, error_codes,
    error_json, notification_json, request_json, result_json,
};
use crate::recover::{catch_panic, lock};

/// How many `InputRequiredResult`s one 2026-07-28 request may answer before the client gives
/// up (a handler that asks something new at every round would otherwise never end).
const MAX_INPUT_ROUNDS: usize = 32;

/// The part of a 2026-07-28 result that says whether it asks for input.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultType {
    #[serde(default)]
    result_type: Option<String>,
}

/// An `InputRequiredResult`, as the client reads it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputRequired {
    input_requests: BTreeMap<String, InputRequest>,
    request_state: String,
}

impl TestClient {
    /// Sends `method` with `params` and returns its result, or the server's error.
    pub(super) async fn exchange(
        &self,
        method: &str,
        params: Value,
    ) -> Result<Box<RawValue>, McpError> {
        let outcome = match &self.connection {
            Connection::Handshake { peer } => self.send_in_session(method, &params, peer).await,
            Connection::Stateless { envelope, .. } => {
                self.send_stateless(method, params, envelope).await
            }
        };
        self.drain_events();
        outcome
    }

    /// Tells the server something (handshake era): `notifications/initialized`.
    pub(super) fn notify(&self, method: &str, peer: &Peer) {
        let text = notification_json(method, &Value::Object(Map::new()));
        match Message::parse(text.as_bytes()) {
            Ok(Message::Notification(notification)) => {
                self.dispatcher
                    .handle_notification(notification, peer, &self.caller);
            }
            other => panic!("TestClient: {method} did not encode as a notification: {other:?}"),
        }
    }

    /// The request as a transport would read it off the wire.
    fn encode(&self, method: &str, params: &Value) -> Request {
        let id = RequestId::Number(self.next_id.fetch_add(1, Ordering::Relaxed));
        let text = request_json(&id, method, params);
        match Message::parse(text.as_bytes()) {
            Ok(Message::Request(request)) => request,
            other => panic!("TestClient: {method} did not encode as a request: {other:?}"),
        }
    }

    /// A handshake-era request in the client's session, as the stdio transport runs one.
    async fn send_in_session(
        &self,
        method: &str,
        params: &Value,
        peer: &Arc<Peer>,
    ) -> Result<Box<RawValue>, McpError> {
        let request = self.encode(method, params);
        let (tx, mut rx) = mpsc::channel::<String>(16);
        let env = RequestEnv {
            peer: peer.clone(),
            outbound: Some(tx.into()),
            cancel: self.closed.child_token(),
            close_stream: None,
            caller: self.caller.clone(),
        };
        let work = catch_panic(self.dispatcher.handle_request(request, env));
        tokio::pin!(work);
        let outcome = loop {
            tokio::select! {
                outcome = &mut work => break outcome,
                Some(frame) = rx.recv() => self.receive(&frame, Some(peer)).await,
            }
        };
        while let Ok(frame) = rx.try_recv() {
            self.receive(&frame, Some(peer)).await;
        }
        match outcome {
            Ok(Some(text)) => match Message::parse(text.as_bytes()) {
                Ok(Message::Response(response)) => response.outcome.map_err(McpError),
                other => panic!("TestClient: {method} was answered with {other:?}"),
            },
            Ok(None) => Err(cancelled()),
            Err(panic) => Err(McpError(ErrorObject::internal(format!(
                "the server panicked while answering this request: {panic}"
            )))),
        }
    }

    /// A 2026-07-28 request, as the HTTP transport runs one: its `_meta` envelope read from
    /// the request, no session, and each `InputRequiredResult` answered by the client's
    /// handlers and retried with `inputResponses` and `requestState`.
    async fn send_stateless(
        &self,
        method: &str,
        mut params: Value,
        envelope: &Map<String, Value>,
    ) -> Result<Box<RawValue>, McpError> {
        with_envelope(&mut params, envelope);
        for _ in 0..MAX_INPUT_ROUNDS {
            let request = self.encode(method, &params);
            let envelope = RequestEnvelope::parse(request.params.as_deref())
                .unwrap_or_else(|e| panic!("TestClient: {method}'s envelope is unreadable: {e}"));
            let (tx, mut rx) = mpsc::channel::<String>(16);
            let retry = request
                .params
                .as_deref()
                .and_then(|p| serde_json::from_str(p.get()).ok())
                .unwrap_or_default();
            let call = Box::new(StatelessCall {
                envelope,
                retry,
                tool_call: None,
                outbound: Some(tx.into()),
                cancel: self.closed.child_token(),
                caller: self.caller.clone(),
            });
            let work = catch_panic(self.dispatcher.handle_stateless(request, call));
            tokio::pin!(work);
            let outcome = loop {
                tokio::select! {
                    outcome = &mut work => break outcome,
                    Some(frame) = rx.recv() => self.receive(&frame, None).await,
                }
            };
            while let Ok(frame) = rx.try_recv() {
                self.receive(&frame, None).await;
            }
            let raw = match outcome {
                Ok(Some(outcome)) => outcome.map_err(McpError)?,
                Ok(None) => return Err(cancelled()),
                Err(panic) => {
                    return Err(McpError(ErrorObject::internal(format!(
                        "the server panicked while answering this request: {panic}"
                    ))));
                }
            };
            let Some(input) = input_required(method, &raw) else {
                return Ok(raw);
            };
            // An answer cannot be an error in this era: a handler's error ends the request.
            let mut responses = Map::new();
            for (key, asked) in input.input_requests {
                let answer = self.handlers.answer(&asked.method, asked.params).await?;
                responses.insert(key, answer);
            }
            if let Value::Object(fields) = &mut params {
                fields.insert("inputResponses".into(), Value::Object(responses));
                fields.insert("requestState".into(), Value::String(input.request_state));
            }
        }
        panic!("TestClient: {method} still asked for input after {MAX_INPUT_ROUNDS} rounds")
    }

    /// Handles a message the server sent while answering a request.
    async fn receive(&self, frame: &str, session: Option<&Arc<Peer>>) {
        match Message::parse(frame.as_bytes()) {
            Ok(Message::Notification(notification)) => {
                let parsed =
                    ServerNotification::parse(&notification.method, notification.params.as_deref());
                self.record(parsed.unwrap_or_else(|e| panic!("TestClient: {e}")));
            }
            Ok(Message::Request(request)) => match session {
                Some(peer) => self.answer_server(request, peer).await,
                None => panic!(
                    "TestClient: the server sent a request ({}) in the 2026-07-28 era, which asks with InputRequiredResult instead",
                    request.method
                ),
            },
            _ => {
                panic!("TestClient: the server sent {frame}, neither a notification nor a request")
            }
        }
    }

    /// Answers the server's request with the client's handler, and hands the answer back as
    /// the transport would: a response message.
    async fn answer_server(&self, request: Request, peer: &Peer) {
        let params = match request.params.as_deref() {
            Some(raw) => serde_json::from_str(raw.get()).unwrap_or(Value::Null),
            None => Value::Null,
        };
        let answer = self.handlers.answer(request.method.as_str(), params).await;
        let raw = answer.and_then(|v| serde_json::value::to_raw_value(&v).map_err(McpError::from));
        let text = match raw {
            Ok(result) => result_json(&request.id, &result),
            Err(error) => error_json(Some(&request.id), &error.0),
        };
        match Message::parse(text.as_bytes()) {
            Ok(Message::Response(response)) => self.dispatcher.handle_response(response, peer),
            other => panic!("TestClient: an answer did not encode as a response: {other:?}"),
        }
    }

    pub(super) fn record(&self, notification: ServerNotification) {
        lock(&self.notifications).push(notification);
    }

    /// Passes on the server's announcements (list changes, resource updates) the client
    /// follows. They are published before the handler that made them returns, so draining
    /// after each request finds them all: no waiting.
    pub(super) fn drain_events(&self) {
        let mut events = lock(&self.events);
        loop {
            match events.try_recv() {
                Ok(event) => {
                    if self.follows(&event) {
                        let text = notification_json(event.method(), &event.params());
                        let note = match Message::parse(text.as_bytes()) {
                            Ok(Message::Notification(n)) => {
                                ServerNotification::parse(&n.method, n.params.as_deref())
                            }
                            other => panic!("TestClient: {event:?} encoded as {other:?}"),
                        };
                        self.record(note.unwrap_or_else(|e| panic!("TestClient: {e}")));
                    }
                }
                Err(TryRecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "TestClient missed server announcements");
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => return,
            }
        }
    }

    /// Whether the client hears of `event`: as the stdio transport decides for a session,
    /// or as a `subscriptions/listen` stream that asked for everything decides.
    fn follows(&self, event: &ServerEvent) -> bool {
        match &self.connection {
            Connection::Handshake { peer } => match event {
                ServerEvent::ResourceUpdated(uri) => peer.is_subscribed(uri),
                _ => true,
            },
            Connection::Stateless { .. } => {
                let agreed = self.dispatcher.agreed_subscriptions(&self.listening());
                match event {
                    ServerEvent::ToolListChanged => agreed.wants_tools(),
                    ServerEvent::PromptListChanged => agreed.wants_prompts(),
                    ServerEvent::ResourceListChanged => agreed.wants_resource_list(),
                    ServerEvent::ResourceUpdated(uri) => agreed.wants_resource(uri),
                }
            }
        }
    }
}

/// Adds the 2026-07-28 `_meta` envelope to a request's params.
fn with_envelope(params: &mut Value, envelope: &Map<String, Value>) {
    if params.is_null() {
        *params = Value::Object(Map::new());
    }
    let Value::Object(fields) = params else {
        panic!("TestClient: params must be a JSON object, got {params}");
    };
    let meta = fields
        .entry("_meta")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        for (key, value) in envelope {
            meta.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
}

/// The `InputRequiredResult` in `raw`, if it is one.
fn input_required(method: &str, raw: &RawValue) -> Option<InputRequired> {
    let kind: ResultType = serde_json::from_str(raw.get())
        .unwrap_or_else(|e| panic!("TestClient: {method}'s result is not an object: {e}"));
    if kind.result_type.as_deref() != Some("input_required") {
        return None;
    }
    let input = serde_json::from_str(raw.get()).unwrap_or_else(|e| {
        panic!("TestClient: {method} answered a malformed InputRequiredResult: {e}")
    });
    Some(input)
}

/// The error of a request the server cancelled (it is shutting down, or the client went).
fn cancelled() -> McpError {
    McpError::new(
        error_codes::REQUEST_CANCELLED,
        "Request cancelled: the server ended it without a response",
    )
}
