//! The runtime's metrics (the `otel` or `prometheus` feature), named as the OpenTelemetry
//! semantic conventions for MCP say (open-telemetry/semantic-conventions-genai v0.1.0,
//! `docs/gen-ai/mcp.md`):
//!
//! | name | kind | unit | attributes |
//! |---|---|---|---|
//! | `mcp.server.operation.duration` | histogram | `s` | `mcp.method.name`, `gen_ai.tool.name` / `gen_ai.prompt.name`, `error.type`, `rpc.response.status_code`, `mcp.protocol.version`, `network.transport` |
//! | `mcp.server.session.duration` | histogram | `s` | `mcp.protocol.version`, `network.transport` |
//! | `mcp.server.requests.in_flight` | up-down counter | `{request}` | |
//! | `mcp.server.sessions` | gauge | `{session}` | |
//! | `mcp.server.streams` | gauge | `{stream}` | |
//! | `mcp.server.event_store.size` | gauge | `By` | |
//! | `mcp.server.tasks` | gauge | `{task}` | `mcp.task.status` |
//!
//! `error.type` is the JSON-RPC error code, `tool_error` for a result with `isError`, or
//! `cancelled`; a tool or prompt name is recorded only when it named one that answered (a name
//! the client made up would make a series of its own). Nothing is recorded until
//! [`record_with`] (or `telemetry::init_from_env` with the `otel` feature, or
//! `Prometheus::install` with `prometheus`) installed the instruments: until then a request
//! pays one atomic load.
//!
//! ```no_run
//! use opentelemetry_sdk::metrics::SdkMeterProvider;
//!
//! // Any OpenTelemetry meter provider: here one without readers, for the sake of the example.
//! let provider = SdkMeterProvider::builder().build();
//! assert!(mcp_runtime::metrics::record_with(&provider));
//! ```

use opentelemetry::InstrumentationScope;
use opentelemetry::metrics::MeterProvider;

/// Records the runtime's metrics with `provider`'s meter (scope `mcp-runtime`). The first call
/// in a process wins: `false` when the instruments were installed already.
///
/// ```no_run
/// use opentelemetry_sdk::metrics::SdkMeterProvider;
///
/// let provider = SdkMeterProvider::builder().build();
/// if !mcp_runtime::metrics::record_with(&provider) {
///     eprintln!("metrics were installed already");
/// }
/// ```
pub fn record_with(provider: &impl MeterProvider) -> bool {
    let scope = InstrumentationScope::builder("mcp-runtime")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build();
    crate::engine::metrics::install(&provider.meter_with_scope(scope))
}

#[cfg(feature = "prometheus")]
pub use prometheus_text::{Prometheus, PrometheusError};

#[cfg(feature = "prometheus")]
mod prometheus_text {
    use std::sync::Arc;

    use axum::http::header::CONTENT_TYPE;
    use axum::response::IntoResponse;
    use opentelemetry_prometheus::PrometheusExporter;
    use opentelemetry_sdk::metrics::SdkMeterProvider;
    use prometheus::{Registry, TextEncoder};

    /// Why the Prometheus exposition could not be set up or rendered.
    #[derive(Debug, thiserror::Error)]
    #[non_exhaustive]
    pub enum PrometheusError {
        /// The OpenTelemetry Prometheus reader could not be built.
        #[error("the Prometheus reader could not be built: {0}")]
        Reader(#[from] opentelemetry_sdk::error::OTelSdkError),
        /// The runtime's metrics are recorded with another meter provider already.
        #[error(
            "the runtime's metrics are recorded with another meter provider already; add the reader of `Prometheus::reader` to that provider instead"
        )]
        AlreadyInstalled,
        /// The metrics could not be encoded as text.
        #[error("the metrics could not be encoded: {0}")]
        Encode(#[from] prometheus::Error),
    }

    /// The runtime's metrics as Prometheus text (the `prometheus` feature), for a route you
    /// mount in your axum router: [`router`](Self::router) serves `GET /metrics`.
    ///
    /// Names follow OpenTelemetry's Prometheus mapping: `mcp.server.operation.duration` in
    /// seconds is `mcp_server_operation_duration_seconds` (`_bucket`, `_sum`, `_count`).
    ///
    /// ```no_run
    /// use mcp_runtime::metrics::Prometheus;
    /// use mcp_runtime::{HttpConfig, Mode, StreamableHttp, mcp_server, tool};
    ///
    /// struct Hello;
    ///
    /// #[mcp_server]
    /// impl Hello {
    ///     /// Greet.
    ///     #[tool]
    ///     fn hello(&self) -> &'static str {
    ///         "hello"
    ///     }
    /// }
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let prometheus = Prometheus::install()?;
    /// let mcp = StreamableHttp::new(Hello, HttpConfig::new(Mode::Stateful));
    /// let app = mcp.router().merge(prometheus.router());
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:8000").await?;
    /// mcp.serve_with(listener, app, mcp_runtime::shutdown_signal()).await?;
    /// # Ok(())
    /// # }
    /// ```
    #[derive(Clone, Debug)]
    pub struct Prometheus {
        registry: Registry,
        /// The provider [`install`](Self::install) made, kept alive with the handle.
        _provider: Option<Arc<SdkMeterProvider>>,
    }

    impl Prometheus {
        /// A handle and the OpenTelemetry reader that feeds it, for a meter provider of yours
        /// (one that also exports over OTLP, for instance); pass that provider to
        /// [`record_with`](super::record_with).
        ///
        /// ```no_run
        /// use mcp_runtime::metrics::Prometheus;
        /// use opentelemetry_sdk::metrics::SdkMeterProvider;
        ///
        /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let (prometheus, reader) = Prometheus::reader()?;
        /// let provider = SdkMeterProvider::builder().with_reader(reader).build();
        /// mcp_runtime::metrics::record_with(&provider);
        /// # let _ = prometheus;
        /// # Ok(())
        /// # }
        /// ```
        pub fn reader() -> Result<(Prometheus, PrometheusExporter), PrometheusError> {
            let registry = Registry::new();
            let reader = opentelemetry_prometheus::exporter()
                .with_registry(registry.clone())
                .build()?;
            let handle = Prometheus {
                registry,
                _provider: None,
            };
            Ok((handle, reader))
        }

        /// Records the runtime's metrics with a meter provider of its own that only Prometheus
        /// reads. [`PrometheusError::AlreadyInstalled`] when they are recorded elsewhere
        /// already (by `telemetry::init_from_env` of the `otel` feature, for instance, whose
        /// guard offers the same handle: `TelemetryGuard::prometheus`).
        ///
        /// ```no_run
        /// # fn main() -> Result<(), mcp_runtime::metrics::PrometheusError> {
        /// let prometheus = mcp_runtime::metrics::Prometheus::install()?;
        /// println!("{}", prometheus.render()?);
        /// # Ok(())
        /// # }
        /// ```
        pub fn install() -> Result<Prometheus, PrometheusError> {
            let (mut handle, reader) = Self::reader()?;
            let provider = SdkMeterProvider::builder().with_reader(reader).build();
            if !super::record_with(&provider) {
                return Err(PrometheusError::AlreadyInstalled);
            }
            handle._provider = Some(Arc::new(provider));
            Ok(handle)
        }

        /// The metrics now, in the Prometheus text exposition format (0.0.4).
        ///
        /// ```no_run
        /// # fn main() -> Result<(), mcp_runtime::metrics::PrometheusError> {
        /// let prometheus = mcp_runtime::metrics::Prometheus::install()?;
        /// assert!(prometheus.render()?.contains("target_info"));
        /// # Ok(())
        /// # }
        /// ```
        pub fn render(&self) -> Result<String, PrometheusError> {
            Ok(TextEncoder::new().encode_to_string(&self.registry.gather())?)
        }

        /// An axum router serving [`render`](Self::render) at `GET /metrics`; merge it into
        /// your app (and put it behind your own authentication if the port is reachable by
        /// others).
        ///
        /// ```no_run
        /// # fn main() -> Result<(), mcp_runtime::metrics::PrometheusError> {
        /// let prometheus = mcp_runtime::metrics::Prometheus::install()?;
        /// let app = axum::Router::new().merge(prometheus.router());
        /// # let _ = app;
        /// # Ok(())
        /// # }
        /// ```
        pub fn router(&self) -> axum::Router {
            let handle = self.clone();
            axum::Router::new().route(
                "/metrics",
                axum::routing::get(move || {
                    let handle = handle.clone();
                    async move { handle.respond() }
                }),
            )
        }

        fn respond(&self) -> axum::response::Response {
            match self.render() {
                Ok(text) => (
                    [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
                    text,
                )
                    .into_response(),
                Err(error) => {
                    tracing::error!(%error, "rendering the Prometheus metrics failed");
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
    }
}
