//! [`serve`]: bind, serve the endpoint, stop cleanly on Ctrl-C or SIGTERM.

use std::future::Future;
use std::io;

use axum::serve::ListenerExt;
use tokio::net::{TcpListener, ToSocketAddrs};

use crate::engine::MCPServer;
use crate::transport::http::StreamableHttp;
use crate::transport::http::config::HttpConfig;

/// Serves `server` at `http://ADDR/mcp` until Ctrl-C (or SIGTERM), then ends every session
/// and waits for open connections to finish.
///
/// The third argument is a [`Mode`](crate::Mode) or a full [`HttpConfig`]. DNS-rebinding
/// protection is on when `addr` is a loopback address (unless the config says otherwise).
/// An invalid server (see [`InvalidServer`](crate::InvalidServer)) is an
/// [`InvalidInput`](io::ErrorKind::InvalidInput) error holding it, before anything is served.
///
/// ```no_run
/// # use mcp_runtime::{mcp_server, tool, Mode};
/// # struct Calculator;
/// # #[mcp_server] impl Calculator { /// Add.
/// #   #[tool] fn add(&self, a: f64, b: f64) -> f64 { a + b } }
/// #[tokio::main]
/// async fn main() -> std::io::Result<()> {
///     mcp_runtime::serve(Calculator, "127.0.0.1:8000", Mode::Stateful).await
/// }
/// ```
pub async fn serve(
    server: impl MCPServer,
    addr: impl ToSocketAddrs,
    config: impl Into<HttpConfig>,
) -> io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    serve_listener(server, listener, config, shutdown_signal()).await
}

/// Serves on an already-bound listener until `shutdown` completes.
///
/// ```no_run
/// # use mcp_runtime::{mcp_server, tool, Mode};
/// # struct Calculator;
/// # #[mcp_server] impl Calculator { /// Add.
/// #   #[tool] fn add(&self, a: f64, b: f64) -> f64 { a + b } }
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// println!("listening on {}", listener.local_addr()?);
/// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
/// # drop(stop);
/// mcp_runtime::serve_listener(Calculator, listener, Mode::Stateless, async {
///     let _ = stopped.await;
/// })
/// .await
/// # }
/// ```
pub async fn serve_listener(
    server: impl MCPServer,
    listener: TcpListener,
    config: impl Into<HttpConfig>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let addr = listener.local_addr()?;
    let mut config = config.into();
    config.security = config.security.resolve(Some(addr));
    StreamableHttp::try_new(server, config)?
        .serve(listener, shutdown)
        .await
}

impl StreamableHttp {
    /// Serves this endpoint on `listener` until `shutdown` completes, as [`serve_listener`]
    /// does. Build the endpoint first to keep its [`handle`](Self::handle) for work outside
    /// tool calls (announcing resource updates from a watcher, disabling a tool).
    ///
    /// The endpoint was built before the address was known, so [`Security::Auto`] means
    /// loopback only here; bound to a public address, set the allow lists.
    ///
    /// ```no_run
    /// # use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
    /// # struct Calculator;
    /// # #[mcp_server] impl Calculator { /// Add.
    /// #   #[tool] fn add(&self, a: f64, b: f64) -> f64 { a + b } }
    /// # async fn run() -> std::io::Result<()> {
    /// let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful));
    /// let handle = endpoint.handle().clone();
    /// tokio::spawn(async move {
    ///     // later, from anywhere:
    ///     handle.set_tool_enabled("add", false);
    /// });
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    /// endpoint.serve(listener, mcp_runtime::shutdown_signal()).await
    /// # }
    /// ```
    ///
    /// [`Security::Auto`]: crate::Security::Auto
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let addr = listener.local_addr()?;
        let path = self.config().path.clone();
        tracing::info!(url = %format!("http://{addr}{path}"), mode = ?self.config().mode, "MCP server listening");
        let app = self.router();
        // Without TCP_NODELAY every SSE response on a reused connection stalls ~40 ms (Nagle).
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let closing = self.clone();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!("shutting down: ending sessions");
                // Long-lived SSE streams end with their sessions, so the server can drain.
                closing.shutdown();
            })
            .await?;
        self.shutdown();
        tracing::info!("server stopped");
        Ok(())
    }
}

/// Completes on Ctrl-C, or SIGTERM on Unix: what [`serve`] stops on.
///
/// ```no_run
/// # async fn run(listener: tokio::net::TcpListener) -> std::io::Result<()> {
/// # struct Echo;
/// # #[mcp_runtime::mcp_server] impl Echo {}
/// use mcp_runtime::{Mode, serve_listener, shutdown_signal};
///
/// // Stop on a signal, after saying so.
/// let stop = async {
///     shutdown_signal().await;
///     eprintln!("stopping");
/// };
/// serve_listener(Echo, listener, Mode::Stateful, stop).await
/// # }
/// ```
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
