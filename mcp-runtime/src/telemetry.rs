//! OpenTelemetry traces and metrics over OTLP (the `otel` feature): one call installs the
//! server's logging and, when an OTLP endpoint is configured, exports its spans and its
//! metrics ([`crate::metrics`]).
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
use opentelemetry_otlp::{MetricExporter, Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
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
    /// Spans or metrics could not be flushed at shutdown.
    #[error("flushing the remaining spans or metrics failed: {0}")]
    Shutdown(#[from] opentelemetry_sdk::error::OTelSdkError),
    /// The Prometheus reader could not be set up (the `prometheus` feature).
    #[cfg(feature = "prometheus")]
    #[error(transparent)]
    Prometheus(#[from] crate::metrics::PrometheusError),
}

/// Keeps the exporters running; dropping it (or [`shutdown`](Self::shutdown)) flushes the
/// spans and metrics not yet sent. Hold it for the life of the server, in `main`.
#[derive(Debug)]
#[must_use = "dropping the guard stops the export"]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
    meters: Option<SdkMeterProvider>,
    #[cfg(feature = "prometheus")]
    prometheus: Option<crate::metrics::Prometheus>,
}

impl TelemetryGuard {
    /// Whether spans are exported (an OTLP endpoint is configured).
    pub fn is_exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// The runtime's metrics as Prometheus text, read from the same instruments that OTLP
    /// exports (the `prometheus` feature); `None` when another meter provider recorded them
    /// first. Mount its [`router`](crate::metrics::Prometheus::router) in your app.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), mcp_runtime::telemetry::TelemetryError> {
    /// let telemetry = mcp_runtime::telemetry::init_from_env()?;
    /// let mut app = axum::Router::new();
    /// if let Some(prometheus) = telemetry.prometheus() {
    ///     app = app.merge(prometheus.router());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "prometheus")]
    pub fn prometheus(&self) -> Option<&crate::metrics::Prometheus> {
        self.prometheus.as_ref()
    }

    /// Flushes the spans and metrics not yet sent and stops the export, reporting a failure
    /// that dropping the guard would only print.
    pub fn shutdown(mut self) -> Result<(), TelemetryError> {
        let meters = self.meters.take().map(|meters| meters.shutdown());
        if let Some(provider) = self.provider.take() {
            provider.shutdown()?;
        }
        Ok(meters.transpose().map(|_| ())?)
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(meters) = self.meters.take()
            && let Err(error) = meters.shutdown()
        {
            eprintln!("OpenTelemetry: flushing the remaining metrics failed: {error}");
        }
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
/// above exported over OTLP HTTP/protobuf; when `OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` is set, the runtime's metrics ([`crate::metrics`])
/// exported every `OTEL_METRIC_EXPORT_INTERVAL` milliseconds (60 s when unset). With the
/// `prometheus` feature the metrics are recorded in any case, and
/// [`TelemetryGuard::prometheus`] renders them.
///
/// Configured by the standard environment variables: the endpoint (`/v1/traces` is appended
/// to `OTEL_EXPORTER_OTLP_ENDPOINT`), `OTEL_EXPORTER_OTLP_HEADERS`,
/// `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
/// `OTEL_TRACES_SAMPLER` and its argument, `OTEL_BSP_*` for batching,
/// `OTEL_METRIC_EXPORT_INTERVAL` and `OTEL_METRIC_EXPORT_TIMEOUT`, and
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
    let metrics = meters_from_env()?;
    if let Some(meters) = &metrics.provider
        && !crate::metrics::record_with(meters)
    {
        tracing::warn!("the runtime's metrics were recorded with another meter provider already");
    }
    Ok(TelemetryGuard {
        provider,
        meters: metrics.provider,
        #[cfg(feature = "prometheus")]
        prometheus: metrics.prometheus,
    })
}

/// The meter provider the environment (and the `prometheus` feature) asks for.
struct Meters {
    provider: Option<SdkMeterProvider>,
    #[cfg(feature = "prometheus")]
    prometheus: Option<crate::metrics::Prometheus>,
}

/// A meter provider with an OTLP periodic reader when an endpoint for metrics is set, and with
/// the Prometheus reader under the `prometheus` feature; `None` with neither.
fn meters_from_env() -> Result<Meters, TelemetryError> {
    let otlp = exporting(
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
    )?;
    let mut builder = SdkMeterProvider::builder().with_resource(Resource::builder().build());
    if otlp {
        let exporter = MetricExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .build()?;
        // A reader on a thread of its own, every OTEL_METRIC_EXPORT_INTERVAL.
        builder = builder.with_periodic_exporter(exporter);
    }
    #[cfg(feature = "prometheus")]
    let prometheus = {
        let (prometheus, reader) = crate::metrics::Prometheus::reader()?;
        builder = builder.with_reader(reader);
        prometheus
    };
    let provider = (otlp || cfg!(feature = "prometheus")).then(|| builder.build());
    Ok(Meters {
        #[cfg(feature = "prometheus")]
        prometheus: provider.as_ref().map(|_| prometheus),
        provider,
    })
}

/// Whether a signal is exported: the SDK is not disabled and `OTEL_EXPORTER_OTLP_ENDPOINT` or
/// the signal's own `endpoint` variable is set. `Err` when `protocol` (or the general
/// `OTEL_EXPORTER_OTLP_PROTOCOL`) names another protocol than http/protobuf.
fn exporting(endpoint: &str, protocol: &str) -> Result<bool, TelemetryError> {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.trim().is_empty());
    let disabled = std::env::var("OTEL_SDK_DISABLED").is_ok_and(|v| v.trim() == "true");
    if disabled || !(set("OTEL_EXPORTER_OTLP_ENDPOINT") || set(endpoint)) {
        return Ok(false);
    }
    for name in [protocol, "OTEL_EXPORTER_OTLP_PROTOCOL"] {
        if let Ok(value) = std::env::var(name)
            && !value.trim().is_empty()
            && value.trim() != "http/protobuf"
        {
            return Err(TelemetryError::UnsupportedProtocol(value));
        }
    }
    Ok(true)
}

/// The tracer provider the environment asks for: `None` without an endpoint, or when the SDK
/// is disabled.
fn provider_from_env() -> Result<Option<SdkTracerProvider>, TelemetryError> {
    if !exporting(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    )? {
        return Ok(None);
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
