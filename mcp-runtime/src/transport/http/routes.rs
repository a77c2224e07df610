//! What each connection of [`serve`](super::serve) answers with: the endpoint at its path,
//! called directly (alone, behind a [`Guard`] or behind a user's layers), and a router for
//! the rest.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either};
use hyper::body::Incoming;
use tower_service::Service;

use crate::transport::http::endpoint::EndpointService;
use crate::transport::http::guard::Guard;

/// What each connection serves: the endpoint at its path, and a router for the rest.
#[derive(Clone)]
pub(super) struct Routes {
    /// The endpoint's path, when it is literal (`/mcp/{tenant}` is matched by the router),
    /// and what answers it. The router would send these requests there too, at about 3k
    /// instructions per request more (callgrind, stateless JSON: matching, `Oneshot`, boxing
    /// the handler's 3 KB future).
    direct: Option<(Arc<str>, Direct)>,
    /// Everything else; it routes the endpoint's path too.
    router: axum::Router,
}

/// The endpoint: alone, behind a [`Guard`], or behind the layers of
/// [`StreamableHttp::serve_layered`](crate::StreamableHttp::serve_layered).
#[derive(Clone)]
pub(super) enum Direct {
    Endpoint(EndpointService),
    Guarded(Guarded),
    Layered(Layered),
}

impl Routes {
    /// `direct` at `path`, `router` for the rest.
    pub(super) fn new(path: &str, direct: Direct, router: axum::Router) -> Self {
        let literal = !path.contains(['{', '}']);
        Routes {
            direct: literal.then(|| (path.into(), direct)),
            router,
        }
    }

    /// Everything through `router` ([`StreamableHttp::serve_with`](crate::StreamableHttp::serve_with)).
    pub(super) fn router(router: axum::Router) -> Self {
        Routes {
            direct: None,
            router,
        }
    }

    /// The response to `request`.
    pub(super) fn call(
        &self,
        request: axum::http::Request<Incoming>,
    ) -> impl Future<Output = Response> + Send + use<> {
        if let Some((_, direct)) =
            (self.direct.as_ref()).filter(|(path, _)| **path == *request.uri().path())
        {
            return match direct {
                Direct::Endpoint(endpoint) => Either::Left(Either::Left(endpoint.respond(request))),
                Direct::Guarded(Guarded { guard, endpoint }) => {
                    match endpoint.admit(&**guard, request) {
                        Ok(admitted) => Either::Left(Either::Right(endpoint.respond(admitted))),
                        Err(answer) => Either::Right(Either::Left(answer)),
                    }
                }
                Direct::Layered(layered) => {
                    Either::Right(Either::Left(layered.answer(request.map(Body::new))))
                }
            };
        }
        let routed = self.router.clone().call(request);
        Either::Right(Either::Right(routed.map(|response| match response {
            Ok(response) => response,
            Err(never) => match never {},
        })))
    }
}

/// The endpoint behind a [`Guard`].
#[derive(Clone)]
pub(super) struct Guarded {
    guard: Arc<dyn Guard>,
    endpoint: EndpointService,
}

/// The endpoint behind a user's layers, boxed: the accept loop is not generic.
#[derive(Clone)]
pub(super) struct Layered(
    Arc<dyn Fn(axum::extract::Request) -> BoxFuture<'static, Response> + Send + Sync>,
);

impl Guarded {
    pub(super) fn new(guard: impl Guard, endpoint: EndpointService) -> Self {
        Guarded {
            guard: Arc::new(guard),
            endpoint,
        }
    }

    /// The answer to `request`, boxed: for the router, when the path is not literal.
    pub(super) fn answer(&self, request: axum::extract::Request) -> BoxFuture<'static, Response> {
        match self.endpoint.admit(&*self.guard, request) {
            Ok(admitted) => Box::pin(self.endpoint.respond(admitted)),
            Err(answer) => answer,
        }
    }
}

impl Layered {
    pub(super) fn new<S>(service: S) -> Self
    where
        S: Service<axum::extract::Request, Response = Response, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Layered(Arc::new(move |request| {
            let mut service = service.clone();
            Box::pin(async move {
                let Ok(()) = std::future::poll_fn(|cx| service.poll_ready(cx)).await;
                let Ok(response) = service.call(request).await;
                response
            })
        }))
    }

    /// The answer to `request`.
    pub(super) fn answer(&self, request: axum::extract::Request) -> BoxFuture<'static, Response> {
        (self.0)(request)
    }
}
