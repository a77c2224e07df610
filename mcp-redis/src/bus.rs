//! [`RedisBus`]: the messages between nodes on one Redis pub/sub channel.

use std::sync::Arc;
use std::time::Duration;

use mcp_runtime::BoxFuture;
use mcp_runtime::store::{Bus, BusError, Envelope};
use redis::aio::ConnectionManager;
use redis::{PushInfo, PushKind};
use tokio::sync::broadcast;

/// A [`Bus`] on a Redis pub/sub channel (`PREFIX:bus`), JSON on the wire. At most once: what
/// is published while a node is cut off from Redis does not reach it.
///
/// ```no_run
/// use mcp_runtime::store::Bus;
/// # async fn run(redis: mcp_redis::Redis) {
/// let mut heard = redis.bus().subscribe();
/// # let _ = heard.recv().await;
/// # }
/// ```
#[derive(Clone)]
pub struct RedisBus {
    channel: Arc<str>,
    heard: broadcast::Sender<Arc<Envelope>>,
    connection: Option<ConnectionManager>,
    timeout: Duration,
}

impl std::fmt::Debug for RedisBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBus")
            .field("channel", &self.channel)
            .finish_non_exhaustive()
    }
}

impl RedisBus {
    /// The bus on `channel`, and the sender for the connection's pushes (messages arrive
    /// there, decoded, and go to every subscriber).
    pub(crate) fn prepare(
        channel: String,
    ) -> (
        Self,
        impl Fn(PushInfo) -> Result<(), redis::aio::SendError> + Send + Sync + 'static,
    ) {
        let (heard, _) = broadcast::channel(1024);
        let sender = heard.clone();
        let pushes = move |push: PushInfo| {
            if push.kind == PushKind::Message {
                deliver(&sender, &push);
            } else if push.kind == PushKind::Disconnection {
                tracing::warn!(
                    "lost the connection to Redis: messages from other nodes are missed until it is back"
                );
            }
            Ok(())
        };
        let bus = RedisBus {
            channel: channel.into(),
            heard,
            connection: None,
            timeout: Duration::from_secs(2),
        };
        (bus, pushes)
    }

    /// Subscribes the connection to the channel.
    pub(crate) async fn subscribed(
        mut self,
        mut connection: ConnectionManager,
        timeout: Duration,
    ) -> redis::RedisResult<Self> {
        connection.subscribe(&*self.channel).await?;
        self.connection = Some(connection);
        self.timeout = timeout;
        Ok(self)
    }
}

/// Decodes a pub/sub message (`[channel, payload]`) and hands it to the node's listeners.
fn deliver(heard: &broadcast::Sender<Arc<Envelope>>, push: &PushInfo) {
    let Some(redis::Value::BulkString(payload)) = push.data.get(1) else {
        tracing::warn!("a bus message without a payload");
        return;
    };
    match serde_json::from_slice::<Envelope>(payload) {
        // Nobody listening yet is fine.
        Ok(envelope) => drop(heard.send(Arc::new(envelope))),
        Err(e) => {
            tracing::warn!(error = %e, "an unreadable bus message (another version of the server?)")
        }
    }
}

impl Bus for RedisBus {
    fn publish<'a>(&'a self, envelope: &'a Envelope) -> BoxFuture<'a, Result<(), BusError>> {
        Box::pin(async move {
            let Some(connection) = &self.connection else {
                return Err(BusError::Unavailable("not connected".into()));
            };
            let payload = serde_json::to_vec(envelope)
                .map_err(|e| BusError::Unavailable(format!("unserializable message: {e}")))?;
            let mut connection = connection.clone();
            let mut publish = redis::cmd("PUBLISH");
            publish.arg(&*self.channel).arg(payload);
            let sent = publish.query_async::<i64>(&mut connection);
            match tokio::time::timeout(self.timeout, sent).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(BusError::Unavailable(e.to_string())),
                Err(_) => Err(BusError::Unavailable(format!(
                    "no answer within {:?}",
                    self.timeout
                ))),
            }
        })
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<Envelope>> {
        self.heard.subscribe()
    }
}
