//! OpenTelemetry traces over OTLP (the `otel` feature): one call installs the server's logging
//! and, when an OTLP endpoint is configured, exports its spans.
//!
//! The runtime gives every request and notification it receives a SERVER span, and every
//! request it sends to the client a CLIENT span, named and attributed as the OpenTelemetry
//! semantic conventions for MCP say (open-telemetry/semantic-conventions-genai v0.1.0,
//! `docs/gen-ai/mcp.md`, status Development): `tools/call add` with `mcp.method.name`,
//! `jsonrpc.request.id`, `mcp.session.id`, `mcp.protocol.version`, `gen_ai.tool.name`,
//! `network.transport`, and `error.type` / `rpc.response.status_code` when it fails. A span's
//! parent is the client's span whose W3C `traceparent` the request carries in `params._meta`,
//! else the one in the HTTP `traceparent` header; requests to the client carry the context in
//! their `_meta` the same way.
//!
//! The spans are plain `tracing` spans, there with or without this feature; this module only
//! wires them to an exporter. A server that installs its own subscriber can add
//! [`tracing_opentelemetry`]'s layer itself instead.

use opentelemetry::InstrumentationScope;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// Why [`init_from_env`] or [`TelemetryGuard::shutdown`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TelemetryError {
    /// `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL` names a protocol other than `http/protobuf`,
    /// the only one this runtime exports with.
    #[error("OTLP protocol {0:?} is not supported: this runtime exports http/protobuf only")]
    UnsupportedProtocol(String),
    /// The OTLP exporter could not be built (a malformed endpoint or header, for instance).
    #[error("the OTLP exporter could not be built: {0}")]
    Exporter(#[from] opentelemetry_otlp::ExporterBuildError),
    /// A global `tracing` subscriber was installed already.
    #[error("a global tracing subscriber is already installed: {0}")]
    Subscriber(#[from] tracing_subscriber::util::TryInitError),
    /// Spans could not be flushed at shutdown.
    #[error("flushing the remaining spans failed: {0}")]
    Shutdown(#[from] opentelemetry_sdk::error::OTelSdkError),
}

/// Keeps the exporter running; dropping it (or [`shutdown`](Self::shutdown)) flushes the
/// spans not yet sent. Hold it for the life of the server, in `main`.
#[derive(Debug)]
#[must_use = "dropping the guard stops the export"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// Whether spans are exported (an OTLP endpoint is configured).
    pub fn is_exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Flushes the spans not yet sent and stops the export, reporting a failure that
    /// dropping the guard would only print.
    pub fn shutdown(mut self) -> Result<(), TelemetryError> {
        match self.provider.take() {
            Some(provider) => Ok(provider.shutdown()?),
            None => Ok(()),
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(error) = provider.shutdown()
        {
            eprintln!("OpenTelemetry: flushing the remaining spans failed: {error}");
        }
    }
}

/// Installs the global `tracing` subscriber: log lines on stderr filtered by `RUST_LOG`
/// (`info` when unset), and, when `OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, spans (and the events in them) at `INFO` and
/// above exported over OTLP HTTP/protobuf.
///
/// Configured by the standard environment variables: the endpoint (`/v1/traces` is appended
/// to `OTEL_EXPORTER_OTLP_ENDPOINT`), `OTEL_EXPORTER_OTLP_HEADERS`,
/// `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
/// `OTEL_TRACES_SAMPLER` and its argument, `OTEL_BSP_*` for batching, and
/// `OTEL_SDK_DISABLED=true` to export nothing. The W3C trace context propagator becomes the
/// global one.
///
/// ```no_run
/// use mcp_runtime::{Mode, mcp_server, tool};
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
/// #[tokio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     // Held until `main` returns: spans still buffered are sent then.
///     let _telemetry = mcp_runtime::telemetry::init_from_env()?;
///     mcp_runtime::serve(Hello, "127.0.0.1:8000", Mode::Stateful).await?;
///     Ok(())
/// }
/// ```
pub fn init_from_env() -> Result<TelemetryGuard, TelemetryError> {
    init_from_env_with("info")
}

/// [`init_from_env`], with `default_log` as the log filter when `RUST_LOG` is unset (`warn`
/// for a stdio server whose stderr the client shows, for instance).
///
/// ```no_run
/// # fn main() -> Result<(), mcp_runtime::telemetry::TelemetryError> {
/// let _telemetry = mcp_runtime::telemetry::init_from_env_with("warn")?;
/// # Ok(())
/// # }
/// ```
pub fn init_from_env_with(default_log: &str) -> Result<TelemetryGuard, TelemetryError> {
    let logs = fmt::layer().with_writer(std::io::stderr).with_filter(
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_log)),
    );
    let provider = provider_from_env()?;
    let traces = provider.as_ref().map(|provider| {
        let scope = InstrumentationScope::builder("mcp-runtime")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        let tracer = provider.tracer_with_scope(scope);
        // Only the convention's attributes: not where the span was made (always in the
        // runtime), on which thread, nor the busy/idle times.
        tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_location(false)
            .with_threads(false)
            .with_target(false)
            .with_tracked_inactivity(false)
            .with_filter(LevelFilter::INFO)
    });
    tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .try_init()?;
    if let Some(provider) = &provider {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        opentelemetry::global::set_tracer_provider(provider.clone());
    }
    Ok(TelemetryGuard { provider })
}

/// The tracer provider the environment asks for: `None` without an endpoint, or when the SDK
/// is disabled.
fn provider_from_env() -> Result<Option<SdkTracerProvider>, TelemetryError> {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let disabled = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.trim() == "true");
    if disabled
        || !(set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
    {
        return Ok(None);
    }
    for name in [
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
    ] {
        if let Ok(protocol) = std::env::var(name)
            && !protocol.trim().is_empty()
            && protocol.trim() != "http/protobuf"
        {
            return Err(TelemetryError::UnsupportedProtocol(protocol));
        }
    }
    let exporter = SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .build()?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().build())
        .build();
    Ok(Some(provider))
}
