//! The recorder with a metrics feature: OpenTelemetry instruments, created once by
//! [`install`] from the meter provider the server exports with.

use std::sync::{Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Histogram, Meter, ObservableGauge, UpDownCounter};

use super::{GaugeSource, Outcome, Readings};
use crate::clip::clip;
use crate::engine::trace::NetworkTransport;
use crate::protocol::{Method, Request, Version};
use crate::recover::lock;

/// The convention's bucket boundaries for both duration histograms, in seconds.
const DURATION_BUCKETS: [f64; 14] = [
    0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
];

/// The instruments, once installed.
static INSTRUMENTS: OnceLock<Instruments> = OnceLock::new();

/// What the gauges read: every endpoint alive.
static SOURCES: Mutex<Vec<Weak<dyn GaugeSource>>> = Mutex::new(Vec::new());

struct Instruments {
    operation: Histogram<f64>,
    session: Histogram<f64>,
    in_flight: UpDownCounter<i64>,
    // Held so their callbacks stay registered as long as the instruments.
    _gauges: [ObservableGauge<u64>; 4],
}

/// Creates the instruments from `meter`; `false` when they exist already (the first meter
/// wins: one set of instruments per process).
pub(crate) fn install(meter: &Meter) -> bool {
    let mut installed = false;
    INSTRUMENTS.get_or_init(|| {
        installed = true;
        Instruments::new(meter)
    });
    installed
}

impl Instruments {
    fn new(meter: &Meter) -> Self {
        let operation = meter
            .f64_histogram("mcp.server.operation.duration")
            .with_unit("s")
            .with_description(
                "MCP request or notification duration as observed on the receiver from the time it was received until the result or ack is sent.",
            )
            .with_boundaries(DURATION_BUCKETS.to_vec())
            .build();
        let session = meter
            .f64_histogram("mcp.server.session.duration")
            .with_unit("s")
            .with_description("The duration of the MCP session as observed on the MCP server.")
            .with_boundaries(DURATION_BUCKETS.to_vec())
            .build();
        let in_flight = meter
            .i64_up_down_counter("mcp.server.requests.in_flight")
            .with_unit("{request}")
            .with_description("MCP requests being handled.")
            .build();
        let gauge = |name: &'static str,
                     unit: &'static str,
                     description: &'static str,
                     read: fn(&Readings, Observe<'_>)| {
            meter
                .u64_observable_gauge(name)
                .with_unit(unit)
                .with_description(description)
                .with_callback(move |observer| {
                    read(&readings(), &mut |value, attributes| {
                        observer.observe(value, attributes)
                    });
                })
                .build()
        };
        let gauges = [
            gauge(
                "mcp.server.sessions",
                "{session}",
                "Open MCP sessions.",
                |r, observe| observe(r.sessions, &[]),
            ),
            gauge(
                "mcp.server.streams",
                "{stream}",
                "Open SSE streams.",
                |r, observe| observe(r.streams, &[]),
            ),
            gauge(
                "mcp.server.event_store.size",
                "By",
                "Bytes held by the event store (stores that count them).",
                |r, observe| observe(r.event_store_bytes, &[]),
            ),
            gauge(
                "mcp.server.tasks",
                "{task}",
                "Tasks by status: as the task store counts them (the in-memory one does), else \
                 those running in this process.",
                |r, observe| {
                    for status in crate::engine::TaskCounts::STATUSES {
                        let attribute = KeyValue::new("mcp.task.status", status.as_str());
                        observe(r.tasks.get(status), &[attribute]);
                    }
                },
            ),
        ];
        Instruments {
            operation,
            session,
            in_flight,
            _gauges: gauges,
        }
    }
}

/// Where a gauge's reading goes: a value and its attributes, once per series.
type Observe<'a> = &'a mut dyn FnMut(u64, &[KeyValue]);

/// Sums what every live source holds, forgetting the sources that ended.
fn readings() -> Readings {
    let mut readings = Readings::default();
    lock(&SOURCES).retain(|source| match source.upgrade() {
        Some(source) => {
            source.read(&mut readings);
            true
        }
        None => false,
    });
    readings
}

/// Adds a source for the gauges, read while it lives.
pub(crate) fn register(source: Weak<dyn GaugeSource>) {
    lock(&SOURCES).push(source);
}

/// Records the duration of a session that just ended.
pub(crate) fn session_ended(open: Duration, version: Option<Version>) {
    let Some(instruments) = INSTRUMENTS.get() else {
        return;
    };
    let mut attributes = Vec::with_capacity(2);
    attributes.push(KeyValue::new(
        "network.transport",
        NetworkTransport::Tcp.as_str(),
    ));
    if let Some(version) = version {
        attributes.push(KeyValue::new("mcp.protocol.version", version.as_str()));
    }
    instruments.session.record(open.as_secs_f64(), &attributes);
}

/// A request being measured: counted in flight until dropped, its duration recorded by
/// [`finish`](Self::finish).
#[derive(Debug)]
pub(crate) struct Operation {
    start: Instant,
    method: Method,
    /// The tool or prompt named in the params.
    target: Option<String>,
    version: Option<Version>,
    transport: NetworkTransport,
    in_flight: UpDownCounter<i64>,
}

impl Operation {
    /// Starts measuring `request`; `None` when no metrics are installed.
    pub(crate) fn start(
        request: &Request,
        version: Option<Version>,
        transport: NetworkTransport,
    ) -> Option<Operation> {
        let instruments = INSTRUMENTS.get()?;
        instruments.in_flight.add(1, &[]);
        Some(Operation {
            start: Instant::now(),
            method: request.method.clone(),
            target: None,
            version,
            transport,
            in_flight: instruments.in_flight.clone(),
        })
    }

    /// Whether the method's metric names a target (a tool or a prompt).
    pub(crate) fn wants_target(&self) -> bool {
        matches!(self.method, Method::ToolsCall | Method::PromptsGet)
    }

    /// The tool or prompt the params name.
    pub(crate) fn set_target(&mut self, name: &str) {
        self.target = Some(clip(name).into_owned());
    }

    /// Records the operation's duration with its outcome.
    pub(crate) fn finish(self, outcome: Outcome) {
        let Some(instruments) = INSTRUMENTS.get() else {
            return;
        };
        let elapsed = self.start.elapsed().as_secs_f64();
        instruments
            .operation
            .record(elapsed, &self.attributes(outcome));
    }

    fn attributes(&self, outcome: Outcome) -> Vec<KeyValue> {
        let mut attributes = Vec::with_capacity(5);
        let method = match &self.method {
            // Names a client made up would make a series each.
            Method::Other(_) => "_OTHER".to_owned(),
            known => known.as_str().to_owned(),
        };
        attributes.push(KeyValue::new("mcp.method.name", method));
        // Only a target that exists (the call got a result): an unknown name is the client's
        // invention, and a series for each would be unbounded.
        let exists = matches!(outcome, Outcome::Ok | Outcome::ToolError);
        if let Some(target) = self.target.clone().filter(|_| exists) {
            let key = match self.method {
                Method::ToolsCall => "gen_ai.tool.name",
                _ => "gen_ai.prompt.name",
            };
            attributes.push(KeyValue::new(key, target));
        }
        match outcome {
            Outcome::Ok => {}
            Outcome::ToolError => attributes.push(KeyValue::new("error.type", "tool_error")),
            Outcome::Error(code) => {
                attributes.push(KeyValue::new("error.type", code.to_string()));
                attributes.push(KeyValue::new("rpc.response.status_code", code.to_string()));
            }
            Outcome::Cancelled => attributes.push(KeyValue::new("error.type", "cancelled")),
        }
        if let Some(version) = self.version {
            attributes.push(KeyValue::new("mcp.protocol.version", version.as_str()));
        }
        attributes.push(KeyValue::new("network.transport", self.transport.as_str()));
        attributes
    }
}

/// A notification being measured: `mcp.server.operation.duration` covers notifications
/// received too ("from the time it was received until the result or ack is sent"). Not
/// counted in flight: the gauge counts requests.
#[derive(Debug)]
pub(crate) struct Notified {
    start: Instant,
    method: &'static str,
    version: Option<Version>,
    transport: NetworkTransport,
}

impl Notified {
    /// Starts measuring a notification of `method`; `None` when no metrics are installed.
    pub(crate) fn start(
        method: &str,
        version: Option<Version>,
        transport: NetworkTransport,
    ) -> Option<Notified> {
        INSTRUMENTS.get()?;
        // The client's notifications the protocol defines; any other name would make a series.
        let method = match method {
            "notifications/initialized" => "notifications/initialized",
            "notifications/cancelled" => "notifications/cancelled",
            "notifications/progress" => "notifications/progress",
            "notifications/roots/list_changed" => "notifications/roots/list_changed",
            _ => "_OTHER",
        };
        Some(Notified {
            start: Instant::now(),
            method,
            version,
            transport,
        })
    }

    /// Records its duration (a notification has no outcome: it is acknowledged, or not).
    pub(crate) fn finish(self) {
        let Some(instruments) = INSTRUMENTS.get() else {
            return;
        };
        let mut attributes = Vec::with_capacity(3);
        attributes.push(KeyValue::new("mcp.method.name", self.method));
        if let Some(version) = self.version {
            attributes.push(KeyValue::new("mcp.protocol.version", version.as_str()));
        }
        attributes.push(KeyValue::new("network.transport", self.transport.as_str()));
        let elapsed = self.start.elapsed().as_secs_f64();
        instruments.operation.record(elapsed, &attributes);
    }
}

impl Drop for Operation {
    fn drop(&mut self) {
        self.in_flight.add(-1, &[]);
    }
}
