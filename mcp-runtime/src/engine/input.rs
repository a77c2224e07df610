//! Multi round-trip requests (2026-07-28) behind the same `Context::request` as ever.
//!
//! A handler that asks the client for input is re-run from the start on every round. Each
//! request to the client gets a sequence number and a key; the answers of earlier rounds come
//! back in the signed `requestState` and are replayed in order, new answers come from the
//! retry's `inputResponses`. The first request with no answer yet is recorded and the handler
//! is parked; once the handler can make no more progress the [`Gate`] stops it (its future is
//! dropped) and the runtime answers `InputRequiredResult` with every request of the round.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

use serde_json::{Map, Value, json};
use tokio::sync::Notify;

use super::request_state::{BindingSource, RecordedAnswer, RequestStateKey, SealedState};
use crate::protocol::{
    ClientCapabilities, ErrorObject, InputRequest, InputRequiredResult, InputRetry, error_codes,
};
use crate::recover::lock;

/// The capability a client must declare for the server to ask it `method`, for the methods an
/// `InputRequiredResult` may carry.
pub(crate) fn capability_for(method: &str) -> Option<&'static str> {
    match method {
        "elicitation/create" => Some("elicitation"),
        "sampling/createMessage" => Some("sampling"),
        "roots/list" => Some("roots"),
        _ => None,
    }
}

/// Why a handler's request to the client cannot be answered now.
#[derive(Debug)]
pub(crate) enum Halt {
    /// The method cannot travel in an `InputRequiredResult`.
    Unsupported,
    /// The handler must stop; the gate decides what the client gets.
    Stop,
}

/// Why the handler was stopped.
#[derive(Debug, Clone, PartialEq)]
enum Stopped {
    /// It needs a capability the client did not declare (-32021).
    MissingCapability(&'static str),
    /// An answer the client sent does not have the expected shape (-32602).
    InvalidResponse(String),
}

#[derive(Debug, Default)]
struct Book {
    /// Answers of earlier rounds, in call order (from `requestState`).
    recorded: Vec<RecordedAnswer>,
    /// This retry's `inputResponses`, each used at most once.
    responses: Map<String, Value>,
    /// Answers given to the handler in this run, in call order: the next state.
    answered: Vec<RecordedAnswer>,
    /// Keys used in this run.
    keys: HashSet<String>,
    /// What this round asks, in call order.
    pending: Vec<(String, InputRequest)>,
    stopped: Option<Stopped>,
}

/// The replay book of one modern request that may ask the client for input.
#[derive(Debug)]
pub(crate) struct InputExchange {
    book: Mutex<Book>,
    capabilities: ClientCapabilities,
    binding: BindingSource,
    key: RequestStateKey,
    /// Set when the request is over: parked requests (even in spawned tasks) then end. A flag
    /// and a [`Notify`] rather than a cancellation token, which would cost every request an
    /// allocation and a cancellation though few ever park.
    over: AtomicBool,
    /// Wakes the parked requests once `over` is set.
    ended: Notify,
}

impl InputExchange {
    /// Reads the retry fields of a request; verifies its state.
    pub(crate) fn new(
        retry: InputRetry,
        capabilities: ClientCapabilities,
        binding: BindingSource,
        key: RequestStateKey,
    ) -> Result<Self, ErrorObject> {
        let responses = match retry.input_responses {
            None => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => {
                return Err(ErrorObject::invalid_params(
                    "inputResponses must be an object of results keyed by the ids of inputRequests",
                ));
            }
        };
        let recorded = match retry.request_state {
            None => Vec::new(),
            Some(Value::String(token)) => key.open(&token, &binding.binding()).map_err(|e| {
                tracing::warn!(reason = %e, method = %binding.method(), "requestState refused");
                ErrorObject::invalid_params("requestState is invalid or expired")
            })?,
            Some(_) => return Err(ErrorObject::invalid_params("requestState must be a string")),
        };
        Ok(InputExchange {
            book: Mutex::new(Book {
                recorded,
                responses,
                ..Book::default()
            }),
            capabilities,
            binding,
            key,
            over: AtomicBool::new(false),
            ended: Notify::new(),
        })
    }

    /// The handler's request number n: its recorded or new answer, or [`Halt`].
    pub(crate) fn ask(
        &self,
        key: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, Halt> {
        let Some(capability) = capability_for(method) else {
            return Err(Halt::Unsupported);
        };
        let mut book = lock(&self.book);
        if book.stopped.is_some() {
            return Err(Halt::Stop);
        }
        if !self.capabilities.supports(capability) {
            book.stopped = Some(Stopped::MissingCapability(capability));
            return Err(Halt::Stop);
        }
        let n = book.answered.len() + book.pending.len();
        let key = match key {
            Some(k) if !book.keys.contains(k) => k.to_owned(),
            Some(k) => format!("{k}~{n}"),
            None => format!("input-{n}"),
        };
        book.keys.insert(key.clone());
        if book.pending.is_empty() {
            if let Some(answer) = self.replay(&mut book, n, &key) {
                book.answered.push(RecordedAnswer {
                    key,
                    answer: answer.clone(),
                });
                return Ok(answer);
            }
            if let Some(answer) = book.responses.remove(&key) {
                if let Err(problem) = check_answer(method, &answer) {
                    book.stopped = Some(Stopped::InvalidResponse(format!(
                        "inputResponses.{key}: {problem}"
                    )));
                    return Err(Halt::Stop);
                }
                book.answered.push(RecordedAnswer {
                    key,
                    answer: answer.clone(),
                });
                return Ok(answer);
            }
        }
        // Once one request waits, later ones wait too: answers must stay in call order.
        book.pending
            .push((key, InputRequest::new(method.to_owned(), params)));
        Err(Halt::Stop)
    }

    /// The recorded answer of call `n`, if the earlier round asked the same thing.
    fn replay(&self, book: &mut Book, n: usize, key: &str) -> Option<Value> {
        let recorded = book.recorded.get(n)?;
        if recorded.key == key {
            return Some(recorded.answer.clone());
        }
        // The handler asked something else this time: what followed no longer applies.
        tracing::warn!(
            expected = %recorded.key,
            asked = key,
            "handler is not deterministic across rounds; discarding the later recorded answers"
        );
        book.recorded.truncate(n);
        None
    }

    /// Records that the handler needs a capability the client did not declare.
    pub(crate) fn require_capability(&self, capability: &'static str) {
        let mut book = lock(&self.book);
        if book.stopped.is_none() {
            book.stopped = Some(Stopped::MissingCapability(capability));
        }
    }

    /// Whether the handler must stop now.
    pub(crate) fn halted(&self) -> bool {
        let book = lock(&self.book);
        book.stopped.is_some() || !book.pending.is_empty()
    }

    /// Completes when the request is over.
    pub(crate) async fn over(&self) {
        loop {
            // Made before the flag is read: a `notify_waiters` after the read still wakes it.
            let ended = self.ended.notified();
            if self.over.load(Ordering::Acquire) {
                return;
            }
            ended.await;
        }
    }

    /// Ends the request: every parked request, and any that parks later, completes.
    fn end(&self) {
        self.over.store(true, Ordering::Release);
        self.ended.notify_waiters();
    }

    /// What the client gets for a stopped handler.
    fn outcome(&self) -> Result<Value, ErrorObject> {
        let book = lock(&self.book);
        match &book.stopped {
            Some(Stopped::MissingCapability(capability)) => Err(ErrorObject::new(
                error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY,
                format!("this request needs the client capability `{capability}`"),
            )
            .with_data(json!({ "requiredCapabilities": nested_capability(capability) }))),
            Some(Stopped::InvalidResponse(problem)) => Err(ErrorObject::invalid_params(problem)),
            None => {
                let state = self.key.seal(SealedState::new(
                    &self.binding.binding(),
                    book.answered.clone(),
                ));
                let mut result = InputRequiredResult::new(state);
                for (key, request) in &book.pending {
                    result.input_requests.insert(key.clone(), request.clone());
                }
                serde_json::to_value(&result).map_err(ErrorObject::internal)
            }
        }
    }
}

/// Checks that an answer has the shape of the result of `method`.
pub(crate) fn check_answer(method: &str, answer: &Value) -> Result<(), &'static str> {
    let Value::Object(map) = answer else {
        return Err("must be an object");
    };
    let ok = match method {
        "elicitation/create" => map.get("action").is_some_and(Value::is_string),
        "sampling/createMessage" => map.contains_key("role") && map.contains_key("content"),
        "roots/list" => map.get("roots").is_some_and(Value::is_array),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(match method {
            "elicitation/create" => "must be an ElicitResult (with an `action`)",
            "sampling/createMessage" => "must be a CreateMessageResult (with `role` and `content`)",
            _ => "must be a ListRootsResult (with `roots`)",
        })
    }
}

/// What a gated handler ended with.
pub(crate) enum Gated<T> {
    /// It finished.
    Done(T),
    /// It was stopped: the client gets this result (an `InputRequiredResult`) or error.
    Stopped(Result<Value, ErrorObject>),
}

pin_project_lite::pin_project! {
    /// Runs a handler until it finishes or waits on input only the client can give. The
    /// handler's future is held in place (not boxed again: its caller boxes the gate).
    pub(crate) struct Gate<F> {
        #[pin]
        work: F,
        exchange: Arc<InputExchange>,
    }

    impl<F> PinnedDrop for Gate<F> {
        fn drop(this: Pin<&mut Self>) {
            this.exchange.end();
        }
    }
}

impl<F> Gate<F> {
    pub(crate) fn new(work: F, exchange: Arc<InputExchange>) -> Self {
        Gate { work, exchange }
    }
}

impl<F: Future> Future for Gate<F> {
    type Output = Gated<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.work.poll(cx) {
            Poll::Ready(value) => Poll::Ready(Gated::Done(value)),
            // Every branch the handler polls in one go (say, `join!`) has asked by now.
            Poll::Pending if this.exchange.halted() => {
                Poll::Ready(Gated::Stopped(this.exchange.outcome()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// `elicitation.url` as the capabilities object `{"elicitation": {"url": {}}}`.
fn nested_capability(capability: &str) -> Value {
    capability
        .rsplit('.')
        .fold(json!({}), |inner, name| json!({ name: inner }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(retry: InputRetry, caps: Value) -> Arc<InputExchange> {
        static KEY: std::sync::OnceLock<RequestStateKey> = std::sync::OnceLock::new();
        let key = KEY.get_or_init(RequestStateKey::random).clone();
        let binding =
            BindingSource::new("srv".into(), crate::protocol::Method::ToolsCall, None, None);
        let caps = ClientCapabilities(caps.as_object().cloned().unwrap_or_default());
        Arc::new(InputExchange::new(retry, caps, binding, key).unwrap())
    }

    fn elicit() -> Value {
        json!({"message": "name?", "requestedSchema": {"type": "object", "properties": {}}})
    }

    /// Parked requests end with the request: those parked before it ends (a spawned copy
    /// of the handler, say) and those that park after.
    #[tokio::test]
    async fn parked_requests_end_with_the_request() {
        let ex = exchange(InputRetry::default(), json!({}));
        let before = tokio::spawn({
            let ex = ex.clone();
            async move { ex.over().await }
        });
        tokio::task::yield_now().await;
        let gate = Gate::new(std::future::pending::<()>(), ex.clone());
        drop(gate);
        let waited = tokio::time::timeout(std::time::Duration::from_secs(5), before).await;
        assert!(matches!(waited, Ok(Ok(()))), "a parked request did not end");
        let after = tokio::time::timeout(std::time::Duration::from_secs(5), ex.over()).await;
        assert!(after.is_ok(), "a request parked after the end did not end");
    }

    #[test]
    fn first_round_asks_and_later_calls_wait_in_order() {
        let ex = exchange(
            InputRetry::default(),
            json!({"elicitation": {}, "roots": {}}),
        );
        assert!(matches!(
            ex.ask(Some("user_name"), "elicitation/create", elicit()),
            Err(Halt::Stop)
        ));
        assert!(matches!(
            ex.ask(None, "roots/list", json!({})),
            Err(Halt::Stop)
        ));
        assert!(matches!(
            ex.ask(None, "ping", json!({})),
            Err(Halt::Unsupported)
        ));
        let result = ex.outcome().unwrap();
        assert_eq!(result["resultType"], "input_required");
        assert_eq!(
            result["inputRequests"]["user_name"]["method"],
            "elicitation/create"
        );
        assert_eq!(result["inputRequests"]["input-1"]["method"], "roots/list");
        assert!(result["requestState"].is_string());
    }

    #[test]
    fn answers_replay_from_the_state_and_responses_are_used_once() {
        let ex = exchange(InputRetry::default(), json!({"elicitation": {}}));
        let _ = ex.ask(Some("a"), "elicitation/create", elicit());
        let state = ex.outcome().unwrap()["requestState"].clone();
        let answer = json!({"action": "accept", "content": {"name": "Alice"}});
        let retry = InputRetry {
            input_responses: Some(json!({"a": answer.clone()})),
            request_state: Some(state),
        };
        let ex = exchange(retry, json!({"elicitation": {}}));
        assert_eq!(
            ex.ask(Some("a"), "elicitation/create", elicit()).unwrap(),
            answer
        );
        // Asked again under the same key: a new question, not the same answer.
        assert!(ex.ask(Some("a"), "elicitation/create", elicit()).is_err());
        let next = ex.outcome().unwrap();
        assert!(next["inputRequests"]["a~1"].is_object());
    }

    #[test]
    fn wrong_shapes_and_missing_capabilities_stop_with_errors() {
        let retry = InputRetry {
            input_responses: Some(json!({"a": 12345})),
            request_state: None,
        };
        let ex = exchange(retry, json!({"elicitation": {}}));
        assert!(ex.ask(Some("a"), "elicitation/create", elicit()).is_err());
        assert_eq!(ex.outcome().unwrap_err().code, -32602);

        let ex = exchange(InputRetry::default(), json!({}));
        assert!(ex.ask(None, "sampling/createMessage", json!({})).is_err());
        let error = ex.outcome().unwrap_err();
        assert_eq!(error.code, -32021);
        assert_eq!(
            error.data.unwrap()["requiredCapabilities"]["sampling"],
            json!({})
        );

        let bad = InputRetry {
            input_responses: Some(Value::Null),
            request_state: None,
        };
        let binding =
            BindingSource::new("srv".into(), crate::protocol::Method::ToolsCall, None, None);
        let err = InputExchange::new(
            bad,
            ClientCapabilities::default(),
            binding,
            RequestStateKey::random(),
        )
        .unwrap_err();
        assert_eq!(err.code, -32602);
    }

    #[test]
    fn sub_capabilities_nest() {
        assert_eq!(nested_capability("sampling"), json!({"sampling": {}}));
        assert_eq!(
            nested_capability("elicitation.url"),
            json!({"elicitation": {"url": {}}})
        );
    }
}
