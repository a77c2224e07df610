//! POST in the 2026-07-28 era: one self-contained request, no session. Its headers are checked
//! against its body, then it is answered in JSON or on an SSE stream of its own (see
//! [`reply`]), or it opens a `subscriptions/listen` stream (see [`listen`]).

pub(crate) mod ladder;
mod listen;
pub(crate) mod param_headers;
mod reply;

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{App, headers};
use crate::engine::NetworkTransport;
use crate::engine::principal::Caller;
use crate::engine::trace::{self, Site};
use crate::protocol::{
    Era, ErrorObject, ListenParams, Message, Method, Request, RequestEnvelope, RequestId,
    error_codes, error_json,
};

/// A request refused with a JSON-RPC error that echoes its id.
#[derive(Debug)]
pub(super) struct Rejection {
    status: StatusCode,
    id: Option<RequestId>,
    error: ErrorObject,
}

impl Rejection {
    pub(super) fn new(id: Option<&RequestId>, error: ErrorObject) -> Self {
        Rejection {
            status: status_for(error.code),
            id: id.cloned(),
            error,
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        tracing::debug!(status = %self.status, error = %self.error, "2026-07-28 request refused");
        json_response(self.status, error_json(self.id.as_ref(), &self.error))
    }
}

/// The HTTP status of a JSON-RPC error in this era.
pub(super) fn status_for(code: i32) -> StatusCode {
    match code {
        error_codes::PARSE_ERROR
        | error_codes::INVALID_REQUEST
        | error_codes::INVALID_PARAMS
        | error_codes::HEADER_MISMATCH
        | error_codes::MISSING_REQUIRED_CLIENT_CAPABILITY
        | error_codes::UNSUPPORTED_PROTOCOL_VERSION => StatusCode::BAD_REQUEST,
        error_codes::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

pub(super) fn json_response(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.into(),
    )
        .into_response()
}

/// Serves one 2026-07-28 POST whose `Accept`, `Content-Type` and body already passed.
pub(super) async fn serve(app: Arc<App>, caller: Caller, message: Message) -> Response {
    let request = match message {
        // The era defines no client notifications over HTTP; accept and ignore any.
        Message::Notification(notification) => {
            let headers = caller.headers.as_deref();
            let site = Site {
                session: None,
                version: headers.and_then(headers::protocol_version),
                transport: NetworkTransport::Tcp,
                headers,
            };
            trace::notified(&notification, site, || {
                tracing::debug!(method = %notification.method, "2026-07-28 notification ignored");
            });
            return StatusCode::ACCEPTED.into_response();
        }
        Message::Response(response) => {
            let error = ErrorObject::invalid_request(
                "clients do not send responses in 2026-07-28: answers to input requests travel in the retried request",
            );
            return Rejection::new(Some(&response.id), error).into_response();
        }
        Message::Request(request) => request,
    };
    tracing::debug!(method = %request.method, id = %request.id, "2026-07-28 request");
    let headers = caller.headers.clone().unwrap_or_default();
    // The call is boxed: it is moved through several futures and calls, 568 bytes each time
    // inline (300 instructions per call, callgrind), and any future that held it, or the
    // checks' result, across a wait grew as large.
    let call = match ladder::check(&app, &headers, &request, caller) {
        Ok(call) => call,
        Err(error) => return Rejection::new(Some(&request.id), error).into_response(),
    };
    if request.method == Method::SubscriptionsListen {
        let owner = call.caller.identity();
        // Boxed: inline, this rare stream would make every request's future 830 bytes larger.
        let listen = open_listen(&app, &headers, request, &call.envelope, owner.as_deref());
        return Box::pin(listen).await;
    }
    if let Err(refusal) = super::post::check_scopes(&app, &request, &call.caller) {
        return refusal.into_response();
    }
    reply::answer(app, request, call).await
}

async fn open_listen(
    app: &Arc<App>,
    headers: &HeaderMap,
    request: Request,
    envelope: &RequestEnvelope,
    principal: Option<&str>,
) -> Response {
    if !app
        .dispatcher
        .offers(&Method::SubscriptionsListen, Era::Stateless)
    {
        let error = ErrorObject::method_not_found("subscriptions/listen");
        return Rejection::new(Some(&request.id), error).into_response();
    }
    if headers::check_get_accept(headers).is_err() {
        let error = ErrorObject::new(
            error_codes::SERVER_ERROR,
            "Not Acceptable: subscriptions/listen answers with text/event-stream",
        );
        let mut response = Rejection::new(Some(&request.id), error).into_response();
        *response.status_mut() = StatusCode::NOT_ACCEPTABLE;
        return response;
    }
    let params = request.params.as_deref().map_or("{}", |p| p.get());
    let filter = match serde_json::from_str::<ListenParams>(params) {
        Ok(params) => params.notifications,
        Err(e) => {
            return Rejection::new(Some(&request.id), ErrorObject::invalid_params(e))
                .into_response();
        }
    };
    if let Err(error) = app.dispatcher.check_listen_filter(&filter) {
        return Rejection::new(Some(&request.id), error).into_response();
    }
    let wanted = filter.task_ids.as_deref();
    match app
        .dispatcher
        .agreed_task_ids(wanted, envelope, principal)
        .await
    {
        Ok(task_ids) => listen::open(app, request.id, filter, task_ids).await,
        Err(error) => Rejection::new(Some(&request.id), error).into_response(),
    }
}
