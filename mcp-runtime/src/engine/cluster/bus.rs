//! [`Bus`]: messages between the nodes of one server.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use super::session_store::SessionRecord;
use crate::engine::BoxFuture;
use crate::engine::handle::ServerEvent;
use crate::protocol::{ErrorObject, RequestId};

/// A message from one node to the others.
///
/// ```
/// use mcp_runtime::ServerEvent;
/// use mcp_runtime::store::{BusMessage, Envelope};
///
/// let envelope = Envelope { from: 7, message: BusMessage::Announce { event: ServerEvent::ToolListChanged } };
/// let text = serde_json::to_string(&envelope).unwrap();
/// assert_eq!(serde_json::from_str::<Envelope>(&text).unwrap(), envelope);
/// ```
// Externally tagged: an internally tagged enum is buffered before it is read, which a
// `RawValue` inside (a client's answer) cannot be.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum BusMessage {
    /// A client answered a request a tool asked it (sampling, elicitation, roots) on another
    /// node: the node where the tool waits delivers it.
    Answer {
        /// The session (`Mcp-Session-Id`).
        session: String,
        /// The id of the server's request.
        id: RequestId,
        /// The client's result or error.
        outcome: ClientAnswer,
    },
    /// `notifications/cancelled` for a request that may run on another node.
    Cancel {
        /// The session.
        session: String,
        /// The id of the client's request.
        id: RequestId,
    },
    /// A change every session is told of (list changes, resource updates).
    Announce {
        /// What changed.
        event: ServerEvent,
    },
    /// A session ended (`DELETE`): every node forgets it and stops its requests.
    SessionEnded {
        /// The session.
        session: String,
    },
    /// A session's record changed (log level, subscriptions): nodes that hold the session
    /// apply the new record at once. It travels in the message, so that a client's next
    /// request, on any node, finds it applied (a reload from the store would race with it).
    SessionChanged {
        /// The session's new record (its `id` names the session).
        record: Box<SessionRecord>,
    },
    /// `tasks/cancel` reached a node that does not run the task: the node running it stops it.
    TaskCancel {
        /// The task's id.
        task: String,
    },
    /// `tasks/update` reached a node that does not run the task: the node running it hands
    /// the answers (already checked against the task's `inputRequests`) to its handler.
    TaskUpdate {
        /// The task's id.
        task: String,
        /// The client's `inputResponses`, by key.
        responses: Map<String, Value>,
    },
}

/// A client's answer to a request of the server, as it travels between nodes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ClientAnswer {
    /// The `result`.
    Result(Box<RawValue>),
    /// The `error`.
    Error(ErrorObject),
}

impl PartialEq for ClientAnswer {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (ClientAnswer::Result(a), ClientAnswer::Result(b)) => a.get() == b.get(),
            (ClientAnswer::Error(a), ClientAnswer::Error(b)) => a == b,
            _ => false,
        }
    }
}

/// A [`BusMessage`] and the node it came from (each node ignores its own).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// The sending node's id (random, made when its endpoint is built).
    pub from: u64,
    /// The message.
    pub message: BusMessage,
}

/// Why the bus failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BusError {
    /// The bus cannot be reached now.
    #[error("the bus is unavailable: {0}")]
    Unavailable(String),
}

/// Carries [`Envelope`]s to every node, at most once: a node that is not listening (down,
/// or cut off from the bus) misses what was sent meanwhile.
///
/// ```
/// use mcp_runtime::ServerEvent;
/// use mcp_runtime::store::{Bus, BusMessage, Envelope, LocalBus};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let bus = LocalBus::default();
/// let mut node_b = bus.subscribe();
/// let sent = Envelope { from: 1, message: BusMessage::Announce { event: ServerEvent::PromptListChanged } };
/// bus.publish(&sent).await.unwrap();
/// assert_eq!(*node_b.recv().await.unwrap(), sent);
/// # });
/// ```
pub trait Bus: Send + Sync + 'static {
    /// Sends `envelope` to every node listening (this one included).
    fn publish<'a>(&'a self, envelope: &'a Envelope) -> BoxFuture<'a, Result<(), BusError>>;

    /// Every envelope published from now on, by any node.
    fn subscribe(&self) -> broadcast::Receiver<std::sync::Arc<Envelope>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the scale-out suite: an answer did not survive the trip through Redis when
    /// the message was internally tagged.
    #[test]
    fn a_client_answer_round_trips_through_json() {
        let answer = Envelope {
            from: 3,
            message: BusMessage::Answer {
                session: "s".into(),
                id: RequestId::from("srv-9"),
                outcome: ClientAnswer::Result(
                    RawValue::from_string(r#"{"action":"accept","content":{"n":1}}"#.into())
                        .expect("JSON"),
                ),
            },
        };
        let text = serde_json::to_vec(&answer).expect("serializes");
        let back: Envelope = serde_json::from_slice(&text).expect("deserializes");
        assert_eq!(back, answer);
    }

    #[test]
    fn task_messages_round_trip_through_json() {
        let mut responses = Map::new();
        responses.insert(
            "name".into(),
            serde_json::json!({"action": "accept", "content": {"n": [1, 2]}}),
        );
        for message in [
            BusMessage::TaskCancel { task: "t1".into() },
            BusMessage::TaskUpdate {
                task: "t1".into(),
                responses,
            },
        ] {
            let envelope = Envelope { from: 9, message };
            let text = serde_json::to_vec(&envelope).expect("serializes");
            let back: Envelope = serde_json::from_slice(&text).expect("deserializes");
            assert_eq!(back, envelope);
        }
    }
}
