//! [`EndpointService`]: the endpoint's path, every method, as one tower service.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either};

use super::error::HttpError;
use super::guard::{Admission, Guard};
use super::{App, delete, get, post, security};
use crate::transport::http::config::Mode;

/// The MCP endpoint as a tower [`Service`](tower_service::Service): what
/// [`StreamableHttp::router`](super::StreamableHttp::router) serves at the configured path,
/// answering every request as if it came to that path (POST, GET, DELETE; HEAD as GET without
/// a body; other methods 405 with `Allow`).
///
/// You meet it as the service your HTTP layers wrap in
/// [`StreamableHttp::serve_layered`](super::StreamableHttp::serve_layered), or take it from
/// [`StreamableHttp::service`](super::StreamableHttp::service).
///
/// ```
/// use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
/// use tower::ServiceExt;
///
/// struct Hello;
///
/// #[mcp_server]
/// impl Hello {
///     /// Greet.
///     #[tool]
///     fn hello(&self) -> &'static str { "hi" }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let mcp = StreamableHttp::new(Hello, HttpConfig::new(Mode::Stateless));
/// let request = axum::http::Request::delete("/mcp")
///     .header("host", "localhost")
///     .body(axum::body::Body::empty())
///     .unwrap();
/// let response = mcp.service().oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 405); // a stateless endpoint has no sessions to end
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct EndpointService {
    pub(super) app: Arc<App>,
}

impl EndpointService {
    /// `request`, its head as `guard` left it, when the guard admits it at once (to
    /// [`respond`](Self::respond) to); otherwise the answer to it, boxed: the guard's refusal,
    /// or its later decision and then the response. The guard decides on the head; the body
    /// goes to the endpoint as the connection read it.
    pub(super) fn admit<B>(
        &self,
        guard: &dyn Guard,
        request: axum::http::Request<B>,
    ) -> Result<axum::http::Request<B>, BoxFuture<'static, Response>>
    where
        B: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let (head, body) = request.into_parts();
        match guard.check(axum::http::Request::from_parts(head, ())) {
            Admission::Admit(head) => Ok(head.map(|()| body)),
            Admission::Refuse(response) => Err(Box::pin(std::future::ready(response))),
            Admission::Later(decided) => {
                let endpoint = self.clone();
                Err(Box::pin(async move {
                    match decided.await {
                        Ok(head) => endpoint.respond(head.map(|()| body)).await,
                        Err(response) => response,
                    }
                }))
            }
        }
    }

    /// The response to `request`. Not boxed: [`serve`](super::StreamableHttp::serve) polls
    /// the POST handler's future in place.
    pub(super) fn respond<B>(
        &self,
        request: axum::http::Request<B>,
    ) -> impl Future<Output = Response> + Send + use<B>
    where
        B: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
        B::Error: Into<axum::BoxError>,
    {
        let app = State(self.app.clone());
        let method = request.method();
        if method == Method::POST {
            // Hyper's body as it is: boxing it into an axum `Body` cost an allocation.
            return Either::Left(post::handle(app, request));
        }
        let other: BoxFuture<'static, Response> = if method == Method::GET {
            Box::pin(get::handle(app, request.map(Body::new)))
        } else if method == Method::DELETE {
            Box::pin(delete::handle(app, request.map(Body::new)))
        } else if method == Method::HEAD {
            // As axum answers HEAD: the GET handler's response, without its body.
            let response = get::handle(app, request.map(Body::new));
            Box::pin(response.map(|response| {
                let (parts, _) = response.into_parts();
                Response::from_parts(parts, Body::empty())
            }))
        } else {
            let (parts, _) = request.into_parts();
            let head = super::headers::Head::read(&parts.headers);
            let refusal = security::check(self.app.checks(), &head, &parts.uri).err();
            let allow = match self.app.config.mode {
                Mode::Stateful => "GET, POST, DELETE",
                Mode::Stateless => "POST",
            };
            let response = refusal
                .unwrap_or(HttpError::MethodNotAllowed(allow))
                .into_response();
            Box::pin(std::future::ready(response))
        };
        Either::Right(other)
    }
}

impl tower_service::Service<Request> for EndpointService {
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        Box::pin(self.respond(request).map(Ok))
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    use crate::{HttpConfig, Mode, StreamableHttp, mcp_server, tool};

    struct Hello;

    #[mcp_server(crate = crate)]
    impl Hello {
        /// Greet.
        #[tool]
        fn hello(&self) -> &'static str {
            "hi"
        }
    }

    /// The status, `Content-Type`, `Allow` and body of the answer to `method` on `/mcp`.
    async fn answer(method: &str) -> (u16, Option<String>, Option<String>, axum::body::Bytes) {
        let mcp = StreamableHttp::new(Hello, HttpConfig::new(Mode::Stateful));
        let request = Request::builder()
            .method(method)
            .uri("/mcp")
            .header(header::HOST, "127.0.0.1")
            .header(header::ACCEPT, "text/event-stream")
            .body(Body::empty())
            .unwrap();
        let response = mcp.service().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let header = |name| {
            (response.headers().get(name))
                .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let (content_type, allow) = (header(header::CONTENT_TYPE), header(header::ALLOW));
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, content_type, allow, body)
    }

    #[tokio::test]
    async fn head_is_get_without_the_body() {
        // Without a session id, GET is a 400 with a JSON-RPC error.
        let (get_status, get_type, _, get_body) = answer("GET").await;
        assert_eq!(get_status, 400);
        assert!(!get_body.is_empty());
        let (status, content_type, _, body) = answer("HEAD").await;
        assert_eq!((status, content_type), (get_status, get_type));
        assert!(body.is_empty(), "{body:?}");
    }

    #[tokio::test]
    async fn other_methods_are_405_with_allow() {
        let (status, _, allow, body) = answer("PUT").await;
        assert_eq!(status, 405);
        assert_eq!(allow.as_deref(), Some("GET, POST, DELETE"));
        let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error["error"]["code"], -32000, "{error}");
    }
}
