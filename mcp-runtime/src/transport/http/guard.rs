//! [`Guard`]: a check in front of the endpoint that admits a request or answers it itself.

use axum::http::Request;
use axum::response::Response;
use futures_util::future::BoxFuture;

/// A check that runs before the endpoint, for every request to its path, in
/// [`StreamableHttp::serve_guarded`](super::StreamableHttp::serve_guarded): it admits the
/// request (as it left it: an authentication guard inserts the caller's
/// [`Principal`](crate::Principal) into its extensions) or answers it itself (401).
///
/// A guard decides on the request's head (method, URI, headers, extensions): it gets the
/// request without its body, which goes to the endpoint as the connection read it.
///
/// What a tower layer in front of the endpoint does for requests, without wrapping the
/// endpoint's response future: an admitted request is served as [`serve`](super::StreamableHttp::serve)
/// serves it, with no boxing and no routing. `mcp-auth`'s `ResourceServer` is one.
///
/// ```
/// use axum::response::IntoResponse;
/// use mcp_runtime::{Admission, Guard, Principal};
///
/// /// Admits requests carrying the one key this server knows.
/// struct ApiKey(&'static str);
///
/// impl Guard for ApiKey {
///     fn check(&self, mut request: axum::http::Request<()>) -> Admission {
///         if request.headers().get("x-api-key").is_some_and(|key| key == self.0) {
///             request.extensions_mut().insert(Principal::new("the-key-holder"));
///             Admission::Admit(request)
///         } else {
///             Admission::Refuse(axum::http::StatusCode::UNAUTHORIZED.into_response())
///         }
///     }
/// }
/// ```
pub trait Guard: Send + Sync + 'static {
    /// Admits `request`, refuses it, or decides later (a check that must wait, such as
    /// verifying a token not seen before).
    fn check(&self, request: Request<()>) -> Admission;
}

/// What a [`Guard`] decided about a request.
pub enum Admission {
    /// Serve the request, as the guard left it.
    Admit(Request<()>),
    /// Answer with this response; the endpoint does not see the request.
    Refuse(Response),
    /// Decided when this completes: `Ok` with the request to serve, `Err` with the answer.
    Later(BoxFuture<'static, Result<Request<()>, Response>>),
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Admission::Admit(request) => f.debug_tuple("Admit").field(request).finish(),
            Admission::Refuse(response) => f.debug_tuple("Refuse").field(response).finish(),
            Admission::Later(_) => f.write_str("Later(..)"),
        }
    }
}
