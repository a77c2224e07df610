//! The MCP endpoint nested in an ordinary axum app: beside other routes, under your own
//! layers (here an access log for the whole app and a toy bearer-token auth, on the MCP routes
//! only, that sets the session's `Principal`), served with your own `axum::serve`.
//!
//! ```text
//! cargo run --example axum_app              # http://127.0.0.1:8000/mcp and /health
//! curl -H 'authorization: Bearer alice' ...  # sessions belong to the token that opened them
//! ```

use std::time::Instant;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mcp_runtime::{HttpConfig, Mode, Principal, StreamableHttp, mcp_server, tool};

struct Notes;

#[mcp_server(name = "notes", version = "0.1.0")]
impl Notes {
    /// Say hello to whoever is calling.
    #[tool]
    fn hello(&self, name: String) -> String {
        format!("Hello, {name}!")
    }
}

/// A stand-in for real authentication: `Authorization: Bearer <name>` becomes the principal.
async fn bearer_auth(mut request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    match token {
        Some(token) => {
            request.extensions_mut().insert(Principal::new(token));
            next.run(request).await
        }
        None => (StatusCode::UNAUTHORIZED, "missing bearer token").into_response(),
    }
}

/// Logs every request with its status and duration.
async fn access_log(request: Request, next: Next) -> Response {
    let (method, uri, started) = (
        request.method().clone(),
        request.uri().clone(),
        Instant::now(),
    );
    let response = next.run(request).await;
    tracing::info!(%method, %uri, status = %response.status(), elapsed = ?started.elapsed(), "request");
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let mcp = StreamableHttp::new(Notes, HttpConfig::new(Mode::Stateful));
    let app = axum::Router::new()
        .merge(mcp.router().layer(axum::middleware::from_fn(bearer_auth)))
        .route("/health", get(|| async { "ok" }))
        .layer(axum::middleware::from_fn(access_log));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!("serving http://{addr}/mcp and http://{addr}/health");
    let closing = mcp.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            mcp_runtime::shutdown_signal().await;
            closing.shutdown(); // ends the sessions' long-lived streams so the server drains
        })
        .await
}
