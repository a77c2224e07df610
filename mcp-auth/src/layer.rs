//! [`BearerAuthLayer`]: the tower layer in front of the MCP endpoint.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use tower_layer::Layer;
use tower_service::Service;

use mcp_runtime::{Admission, Guard};

use crate::server::ResourceServer;

/// Guards a service with bearer tokens: a request without an acceptable token is answered
/// here (401, 400 or 403 with a `WWW-Authenticate: Bearer` challenge); one with an acceptable
/// token goes on with the caller's [`Principal`](mcp_runtime::Principal) in its extensions,
/// carrying its [`BearerChallenge`](mcp_runtime::BearerChallenge), which the runtime uses to
/// bind sessions and tasks to the caller and to challenge for missing scopes.
///
/// Made by [`ResourceServer::layer`].
#[derive(Clone, Debug)]
pub struct BearerAuthLayer {
    auth: ResourceServer,
}

impl BearerAuthLayer {
    pub(crate) fn new(auth: ResourceServer) -> Self {
        BearerAuthLayer { auth }
    }
}

impl<S> Layer<S> for BearerAuthLayer {
    type Service = BearerAuth<S>;

    fn layer(&self, inner: S) -> BearerAuth<S> {
        BearerAuth {
            inner,
            auth: self.auth.clone(),
        }
    }
}

/// The service made by [`BearerAuthLayer`].
#[derive(Clone, Debug)]
pub struct BearerAuth<S> {
    inner: S,
    auth: ResourceServer,
}

impl<S> Service<Request> for BearerAuth<S>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        match self.auth.admission(request) {
            // A known token: no allocation, no await, straight to the endpoint.
            Decision::Admit(request) => ResponseFuture::inner(self.inner.call(request)),
            Decision::Refuse(response) => ResponseFuture::ready(response),
            Decision::Later(verified) => {
                // The clone that was made ready is the one to call (tower's usual swap).
                let clone = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, clone);
                ResponseFuture::verifying(Box::pin(async move {
                    match verified.await {
                        Ok(request) => inner.call(request).await,
                        Err(response) => Ok(response),
                    }
                }))
            }
        }
    }
}

/// The same check, before the endpoint rather than around it:
/// [`StreamableHttp::serve_guarded`](mcp_runtime::StreamableHttp::serve_guarded) serves what
/// it admits without wrapping the endpoint's response future.
impl Guard for ResourceServer {
    fn check(&self, request: axum::http::Request<()>) -> Admission {
        match self.admission(request) {
            Decision::Admit(request) => Admission::Admit(request),
            Decision::Refuse(response) => Admission::Refuse(response),
            Decision::Later(verified) => Admission::Later(verified),
        }
    }
}

/// What the layer and the guard decide for a request: its body (`B`) untouched, whatever it
/// is (the layer's requests have one, the guard's only a head).
enum Decision<B> {
    Admit(axum::http::Request<B>),
    Refuse(Response),
    Later(BoxFuture<Result<axum::http::Request<B>, Response>>),
}

impl ResourceServer {
    /// What the layer and the guard decide for `request`: refused without a usable bearer
    /// token; admitted at once, with its [`Principal`](mcp_runtime::Principal) inserted, for
    /// a token in the cache; otherwise after verifying the token.
    fn admission<B: Send + 'static>(&self, mut request: axum::http::Request<B>) -> Decision<B> {
        let token = match self.bearer_token(request.uri(), request.headers()) {
            Ok(token) => token,
            Err(rejection) => {
                tracing::debug!(status = %rejection.status(), "request without a usable bearer token");
                return Decision::Refuse(self.refuse(rejection));
            }
        };
        if let Some(principal) = self.cached(token) {
            return match self.admit(principal, request.extensions_mut()) {
                Ok(()) => Decision::Admit(request),
                Err(rejection) => Decision::Refuse(self.refuse(rejection)),
            };
        }
        let token = token.to_owned();
        let auth = self.clone();
        Decision::Later(Box::pin(async move {
            match auth.verify(&token).await {
                Ok(principal) => match auth.admit(principal, request.extensions_mut()) {
                    Ok(()) => Ok(request),
                    Err(rejection) => Err(auth.refuse(rejection)),
                },
                Err(error) => {
                    auth.log_refusal(&token, &error);
                    Err(auth.refuse(crate::challenge::Rejection::InvalidToken(error)))
                }
            }
        }))
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`BearerAuth`]: the endpoint's own future for a known token,
    /// a boxed verification for a new one, or a refusal.
    pub struct ResponseFuture<F, E> {
        #[pin]
        state: State<F, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProjection]
    enum State<F, E> {
        // A cached token: the endpoint's future, unboxed.
        Inner { #[pin] future: F },
        // A new token: verification, then the endpoint.
        Verifying { future: BoxFuture<Result<Response, E>> },
        // Refused before reaching the endpoint.
        Ready { response: Option<Response> },
    }
}

impl<F, E> ResponseFuture<F, E> {
    fn ready(response: Response) -> Self {
        ResponseFuture {
            state: State::Ready {
                response: Some(response),
            },
        }
    }

    fn inner(future: F) -> Self {
        ResponseFuture {
            state: State::Inner { future },
        }
    }

    fn verifying(future: BoxFuture<Result<Response, E>>) -> Self {
        ResponseFuture {
            state: State::Verifying { future },
        }
    }
}

impl<F, E> Future for ResponseFuture<F, E>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProjection::Inner { future } => future.poll(cx),
            StateProjection::Verifying { future } => future.as_mut().poll(cx),
            StateProjection::Ready { response } => {
                Poll::Ready(Ok(response.take().expect("polled after completion")))
            }
        }
    }
}
