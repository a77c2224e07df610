//! `subscriptions/listen`: an SSE response that stays open and carries the change
//! notifications the client opted into, each tagged with the subscription's id. It starts with
//! `notifications/subscriptions/acknowledged`, ends when the client goes away (the stream is
//! dropped, and with it the subscription) or when the server shuts down (a final result).

use std::sync::Arc;

use axum::response::Response;
use futures_util::stream;
use serde_json::Value;
use tokio::sync::broadcast::error::RecvError;

use super::super::{App, sse};
use crate::protocol::{RequestId, SubscriptionFilter, result_json};
use crate::server::{acknowledged_frame, listen_closed_result, listen_frame};

/// Opens the stream for the request `id` with the client's `filter`.
pub(super) fn open(app: &Arc<App>, id: RequestId, filter: SubscriptionFilter) -> Response {
    let agreed = app.dispatcher.agreed_subscriptions(&filter);
    let subscription = serde_json::to_value(&id).unwrap_or(Value::Null);
    let ack = acknowledged_frame(&agreed, &subscription);
    let events = app.dispatcher.handle().subscribe();
    let stop = app.sessions.shutdown_token().clone();
    tracing::debug!(subscription = %subscription, "subscriptions/listen opened");
    let live = stream::unfold(
        Some((events, stop, agreed, subscription, id)),
        |state| async move {
            let (mut events, stop, agreed, subscription, id) = state?;
            loop {
                tokio::select! {
                    biased;
                    () = stop.cancelled() => {
                        let result = listen_closed_result(&subscription);
                        let raw = serde_json::value::to_raw_value(&result).ok()?;
                        return Some((result_json(&id, &raw), None));
                    }
                    event = events.recv() => match event {
                        Ok(event) => {
                            if let Some(frame) = listen_frame(&event, &agreed, &subscription) {
                                return Some((frame, Some((events, stop, agreed, subscription, id))));
                            }
                        }
                        Err(RecvError::Lagged(n)) => {
                            tracing::warn!(missed = n, "listen stream missed server announcements");
                        }
                        Err(RecvError::Closed) => return None,
                    },
                }
            }
        },
    );
    sse::message_stream(
        futures_util::StreamExt::chain(stream::iter([ack]), live),
        app.config.keep_alive,
    )
}
