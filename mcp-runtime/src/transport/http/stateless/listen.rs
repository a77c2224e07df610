//! `subscriptions/listen`: an SSE response that stays open and carries the change
//! notifications the client opted into, each tagged with the subscription's id. It starts with
//! `notifications/subscriptions/acknowledged` (and the current state of each task the client
//! follows), ends when the client goes away (the stream is dropped, and with it the
//! subscription) or when the server shuts down (a final result).

use std::sync::Arc;

use axum::response::Response;
use futures_util::stream;
use serde_json::Value;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use super::super::{App, sse};
use crate::engine::ServerEvent;
use crate::engine::tasks::TaskEvent;
use crate::protocol::{RequestId, SubscriptionFilter, result_json};
use crate::protocol::{SUBSCRIPTION_ID_KEY, TASK_STATUS_NOTIFICATION, notification_json};
use serde_json::json;

/// What the stream waits on.
struct Listening {
    events: broadcast::Receiver<ServerEvent>,
    /// Task status changes, when the client follows tasks.
    tasks: Option<broadcast::Receiver<TaskEvent>>,
    stop: tokio_util::sync::CancellationToken,
    agreed: SubscriptionFilter,
    subscription: Value,
    id: RequestId,
}

/// The next task event, or never when the client follows no task.
async fn next_task(
    tasks: &mut Option<broadcast::Receiver<TaskEvent>>,
) -> Result<TaskEvent, RecvError> {
    match tasks {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Opens the stream for the request `id` with the client's `filter`; `task_ids` are the
/// tasks it may follow (already checked against its principal).
pub(super) async fn open(
    app: &Arc<App>,
    id: RequestId,
    filter: SubscriptionFilter,
    task_ids: Option<Vec<String>>,
) -> Response {
    let mut agreed = app.dispatcher.agreed_subscriptions(&filter);
    agreed.task_ids = task_ids;
    let subscription = serde_json::to_value(&id).unwrap_or(Value::Null);
    let mut first = vec![acknowledged_frame(&agreed, &subscription)];
    let tasks = match agreed.task_ids.as_deref() {
        Some(ids) if !ids.is_empty() => {
            // Subscribed before the current states are read: no change falls in between.
            let rx = app.dispatcher.task_events();
            let states = app.dispatcher.task_states(ids).await;
            first.extend(states.iter().map(|state| task_frame(state, &subscription)));
            rx
        }
        _ => None,
    };
    let listening = Listening {
        events: app.dispatcher.handle().subscribe(),
        tasks,
        stop: app.sessions.drain_token().clone(),
        agreed,
        subscription,
        id,
    };
    tracing::debug!(subscription = %listening.subscription, "subscriptions/listen opened");
    let live = stream::unfold(Some(listening), |state| async move {
        let mut state = state?;
        loop {
            tokio::select! {
                biased;
                () = state.stop.cancelled() => {
                    let result = listen_closed_result(&state.subscription);
                    let raw = serde_json::value::to_raw_value(&result).ok()?;
                    return Some((result_json(&state.id, &raw), None));
                }
                event = state.events.recv() => match event {
                    Ok(event) => {
                        let frame = listen_frame(&event, &state.agreed, &state.subscription);
                        if let Some(frame) = frame {
                            return Some((frame, Some(state)));
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "listen stream missed server announcements");
                    }
                    Err(RecvError::Closed) => return None,
                },
                event = next_task(&mut state.tasks) => match event {
                    Ok(event) => {
                        if state.agreed.wants_task(&event.task_id) {
                            let frame = task_frame(&event, &state.subscription);
                            return Some((frame, Some(state)));
                        }
                    }
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(missed = n, "listen stream missed task status changes");
                    }
                    Err(RecvError::Closed) => state.tasks = None,
                },
            }
        }
    });
    sse::message_stream(
        futures_util::StreamExt::chain(stream::iter(first), live),
        app.config.keep_alive,
    )
}

/// The listen-stream frame for `event`, if the subscription asked for it, tagged with the
/// subscription's id.
fn listen_frame(
    event: &ServerEvent,
    agreed: &SubscriptionFilter,
    subscription: &Value,
) -> Option<String> {
    let wanted = match event {
        ServerEvent::ToolListChanged => agreed.wants_tools(),
        ServerEvent::PromptListChanged => agreed.wants_prompts(),
        ServerEvent::ResourceListChanged => agreed.wants_resource_list(),
        ServerEvent::ResourceUpdated(uri) => agreed.wants_resource(uri),
    };
    if !wanted {
        return None;
    }
    let mut params = event.params();
    if let Value::Object(map) = &mut params {
        map.insert("_meta".into(), json!({ SUBSCRIPTION_ID_KEY: subscription }));
    }
    Some(notification_json(event.method(), &params))
}

/// The `notifications/tasks` frame of a task's new state, tagged with the subscription's id.
fn task_frame(event: &TaskEvent, subscription: &Value) -> String {
    let mut params = event.detailed.clone();
    if let Value::Object(map) = &mut params {
        map.insert("_meta".into(), json!({ SUBSCRIPTION_ID_KEY: subscription }));
    }
    notification_json(TASK_STATUS_NOTIFICATION, &params)
}

/// The first frame of a listen stream: what the server agreed to send.
fn acknowledged_frame(agreed: &SubscriptionFilter, subscription: &Value) -> String {
    notification_json(
        "notifications/subscriptions/acknowledged",
        &json!({
            "notifications": agreed,
            "_meta": { SUBSCRIPTION_ID_KEY: subscription },
        }),
    )
}

/// The result that closes a listen stream when the server ends it.
fn listen_closed_result(subscription: &Value) -> Value {
    json!({
        "resultType": "complete",
        "_meta": { SUBSCRIPTION_ID_KEY: subscription },
    })
}
