//! [`serve`]: bind, serve the endpoint, stop cleanly on Ctrl-C or SIGTERM.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;

use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use axum::routing::any;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, ToSocketAddrs};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tower_layer::Layer;
use tower_service::Service;

use crate::engine::MCPServer;
use crate::transport::http::StreamableHttp;
use crate::transport::http::config::HttpConfig;
use crate::transport::http::connection::{Activity, Closed, Counted, Tracked};
use crate::transport::http::endpoint::EndpointService;
use crate::transport::http::guard::Guard;
use crate::transport::http::routes::{Direct, Guarded, Layered, Routes};

/// Serves `server` at `http://ADDR/mcp` until Ctrl-C (or SIGTERM). Then it stops accepting,
/// ends long-lived streams, lets requests in flight finish for up to
/// [`HttpConfig::shutdown_timeout`] (10 s by default), cancels what still runs, and returns at
/// most a second later.
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
    StreamableHttp::try_new(server, config.into())?
        .serve(listener, shutdown)
        .await
}

impl StreamableHttp {
    /// Serves this endpoint on `listener` until `shutdown` completes, as [`serve_listener`]
    /// does. Build the endpoint first to keep its [`handle`](Self::handle) for work outside
    /// tool calls (announcing resource updates from a watcher, disabling a tool).
    ///
    /// [`Security::Auto`] is resolved for the listener's address here, as [`serve`] does.
    /// The connection limits and timeouts of [`HttpConfig`] apply, and shutdown drains as
    /// [`serve`] describes.
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
        let direct = Direct::Endpoint(self.service());
        let routes = Routes::new(&self.config().path, direct, self.router());
        self.run(listener, routes, Box::pin(shutdown)).await
    }

    /// Serves `app`, a router that holds this endpoint's [`router`](Self::router) beside
    /// routes of yours, on `listener`, with this endpoint's connection limits, timeouts and
    /// draining shutdown (what [`serve`](Self::serve) does for the endpoint alone).
    ///
    /// Every request is routed by `app`. [`serve`](Self::serve),
    /// [`serve_guarded`](Self::serve_guarded) and [`serve_layered`](Self::serve_layered)
    /// answer the endpoint's path without routing, about 3k instructions per request less;
    /// prefer them when a guard or the endpoint's layers are your only reason for a router.
    ///
    /// ```no_run
    /// # use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
    /// # struct Calculator;
    /// # #[mcp_server] impl Calculator { /// Add.
    /// #   #[tool] fn add(&self, a: f64, b: f64) -> f64 { a + b } }
    /// # async fn run() -> std::io::Result<()> {
    /// let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateful));
    /// let app = endpoint
    ///     .router()
    ///     .route("/health", axum::routing::get(|| async { "ok" }));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    /// endpoint.serve_with(listener, app, mcp_runtime::shutdown_signal()).await
    /// # }
    /// ```
    pub async fn serve_with(
        self,
        listener: TcpListener,
        app: axum::Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        // The serving future is made, and boxed, by a function that is not generic: the accept
        // loop and all of hyper's and tokio's connection code it drives are then compiled
        // once, in this crate. A future polled from here instead would be compiled again in
        // every crate that serves (about 60% of a small server's code, measured in its LLVM
        // IR).
        let routes = Routes::router(app);
        self.run(listener, routes, Box::pin(shutdown)).await
    }

    /// Serves the endpoint behind `guard`, which admits or refuses each request to its path
    /// (authentication), with `beside` answering every other path, on `listener`, with this
    /// endpoint's connection limits, timeouts and draining shutdown.
    ///
    /// An admitted request is served as [`serve`](Self::serve) serves it: for a guard that
    /// decides at once (a token it knows), the guard is all it costs.
    /// [`serve_layered`](Self::serve_layered) takes any tower layer instead, at the price
    /// of boxing the endpoint's response future. `beside` must not route the endpoint's path
    /// (axum panics on the overlap, as it does for `merge`).
    ///
    /// ```no_run
    /// # use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
    /// # struct Calculator;
    /// # #[mcp_server] impl Calculator { /// Add.
    /// #   #[tool] fn add(&self, a: f64, b: f64) -> f64 { a + b } }
    /// # async fn run(auth: mcp_auth::ResourceServer) -> std::io::Result<()> {
    /// let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateless));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    /// // Bearer tokens checked before the endpoint; the protected-resource metadata beside it.
    /// let metadata = auth.metadata_router();
    /// endpoint
    ///     .serve_guarded(listener, auth, metadata, mcp_runtime::shutdown_signal())
    ///     .await
    /// # }
    /// ```
    pub async fn serve_guarded(
        self,
        listener: TcpListener,
        guard: impl Guard,
        beside: axum::Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let guarded = Guarded::new(guard, self.service());
        let path = &self.config().path;
        let routed = guarded.clone();
        let router = beside.route(path, any(move |request| routed.answer(request)));
        let routes = Routes::new(path, Direct::Guarded(guarded), router);
        self.run(listener, routes, Box::pin(shutdown)).await
    }

    /// Serves the endpoint behind `layer` (HTTP middleware: authorization, CORS, limits),
    /// with `beside` answering every other path, on `listener`, with this endpoint's
    /// connection limits, timeouts and draining shutdown.
    ///
    /// It answers what [`serve_with`](Self::serve_with) would for
    /// `self.router().layer(layer).merge(beside)`, without routing the endpoint's requests
    /// through the router (about 3k instructions per request less). The endpoint's response
    /// future is boxed for the layer; a check that only admits or refuses requests costs less
    /// as a [`Guard`] ([`serve_guarded`](Self::serve_guarded)). `beside` must not route the
    /// endpoint's path (axum panics on the overlap, as it does for `merge`).
    ///
    /// ```no_run
    /// # use mcp_runtime::{mcp_server, tool, HttpConfig, Mode, StreamableHttp};
    /// # struct Calculator;
    /// # #[mcp_server] impl Calculator { /// Add.
    /// #   #[tool] fn add(&self, a: f64, b: f64) -> f64 { a + b } }
    /// # async fn run(auth: mcp_auth::ResourceServer) -> std::io::Result<()> {
    /// let endpoint = StreamableHttp::new(Calculator, HttpConfig::new(Mode::Stateless));
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    /// // Bearer tokens on the endpoint; the protected-resource metadata beside it.
    /// endpoint
    ///     .serve_layered(listener, auth.layer(), auth.metadata_router(), mcp_runtime::shutdown_signal())
    ///     .await
    /// # }
    /// ```
    pub async fn serve_layered<L>(
        self,
        listener: TcpListener,
        layer: L,
        beside: axum::Router,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()>
    where
        L: Layer<EndpointService>,
        L::Service: Service<axum::extract::Request, Response = Response, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<axum::extract::Request>>::Future: Send + 'static,
    {
        let layered = Layered::new(layer.layer(self.service()));
        let path = &self.config().path;
        let routed = layered.clone();
        let router = beside.route(path, any(move |request| routed.answer(request)));
        let routes = Routes::new(path, Direct::Layered(layered), router);
        self.run(listener, routes, Box::pin(shutdown)).await
    }

    fn run(
        self,
        listener: TcpListener,
        routes: Routes,
        shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send>> {
        Box::pin(self.accept_loop(listener, routes, shutdown))
    }

    async fn accept_loop(
        self,
        listener: TcpListener,
        routes: Routes,
        mut shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
    ) -> io::Result<()> {
        let addr = listener.local_addr()?;
        self.app.listening_on(addr);
        let config = self.config().clone();
        tracing::info!(url = %format!("http://{addr}{}", config.path), mode = ?config.mode, "MCP server listening");
        let mut http = hyper::server::conn::http1::Builder::new();
        // No timer: each connection's watchdog (`Activity::watch`) times request heads.
        http.header_read_timeout(None)
            .max_buf_size(config.max_header_bytes.max(8 * 1024));
        let permits = Arc::new(Semaphore::new(config.max_connections.max(1)));
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut connections = JoinSet::new();
        loop {
            while connections.try_join_next().is_some() {}
            let permit = tokio::select! {
                biased;
                () = &mut shutdown => break,
                permit = permits.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break, // never closed
                },
            };
            let (tcp, _) = tokio::select! {
                biased;
                () = &mut shutdown => break,
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        accept_failed(&e).await;
                        continue;
                    }
                },
            };
            // Without TCP_NODELAY every SSE response on a reused connection stalls ~40 ms.
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!(error = %e, "could not set TCP_NODELAY");
            }
            let activity = Activity::new();
            let io = TokioIo::new(Counted::new(tcp, activity.clone()));
            let service = {
                let routes = routes.clone();
                let activity = activity.clone();
                hyper::service::service_fn(move |request| {
                    let (in_flight, responding) = activity.request();
                    // A combinator, not an `async` block: the block kept the endpoint's future
                    // twice (captured, and again while awaited), 6 KB that hyper moves three
                    // times per request.
                    routes.call(request).map(move |response| {
                        drop(in_flight);
                        Ok::<_, Infallible>(response.map(|body| Tracked::new(body, responding)))
                    })
                })
            };
            let connection = graceful.watch(http.serve_connection(io, service));
            let (head, idle) = (config.header_read_timeout, config.idle_connection_timeout);
            connections.spawn(async move {
                let _permit = permit;
                // In a set of its own, the watchdog is polled only when its timer wakes it,
                // not at every wake-up of the connection: polling its interval cost 277
                // instructions per request (callgrind).
                let mut watchdog: FuturesUnordered<_> =
                    std::iter::once(activity.watch(head, idle)).collect();
                tokio::select! {
                    served = connection => {
                        if let Err(e) = served {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                    }
                    Some(closed) = watchdog.next() => match closed {
                        Closed::HeadTimeout => tracing::debug!(
                            ?head,
                            "connection closed: no request head arrived whole in time"
                        ),
                        Closed::Idle => tracing::debug!("idle connection closed"),
                    },
                }
            });
        }
        drop(listener);
        let deadline = config.shutdown_timeout;
        tracing::info!(
            ?deadline,
            open = connections.len(),
            "shutting down: no new connections; draining requests in flight"
        );
        // Long-lived streams (GET, subscriptions/listen) end now; requests in flight go on.
        self.app.sessions.drain();
        if tokio::time::timeout(deadline, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                ?deadline,
                open = connections.len(),
                "requests still in flight at the deadline: cancelling them"
            );
        }
        // Cancels what still runs (requests, tasks, which are recorded as cancelled).
        self.shutdown();
        let cancelled = async {
            while connections.join_next().await.is_some() {}
            self.app.dispatcher.tasks_settled().await;
        };
        if tokio::time::timeout(Duration::from_secs(1), cancelled)
            .await
            .is_err()
        {
            tracing::warn!(
                open = connections.len(),
                "connections still open a second after cancelling: dropping them"
            );
            connections.abort_all();
        }
        tracing::info!("server stopped");
        Ok(())
    }
}

/// Logs a failed `accept`; waits a little when the process is out of file descriptors (or
/// memory), which would otherwise spin.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        tracing::debug!(%error, "a connection failed before it was accepted");
        return;
    }
    tracing::error!(%error, "accept failed; retrying in 100 ms (out of file descriptors? raise `ulimit -n` or lower max_connections)");
    tokio::time::sleep(Duration::from_millis(100)).await;
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
