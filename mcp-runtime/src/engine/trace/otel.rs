//! The W3C trace context in and out of MCP messages (the `otel` feature): a request's span gets
//! its parent from `params._meta` (SEP-414's unprefixed `traceparent` and `tracestate`), else
//! from the HTTP request's `traceparent` header; a request to the client carries its span's
//! context in its `_meta`.

use std::borrow::Cow;

use axum::http::HeaderMap;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";
/// `traceparent` as a header name made once (a `&str` key is parsed at every lookup).
static TRACEPARENT_HEADER: axum::http::HeaderName =
    axum::http::HeaderName::from_static(TRACEPARENT);

/// The trace context keys of a `_meta` object.
#[derive(serde::Deserialize)]
struct MetaCarrier<'a> {
    #[serde(borrow)]
    traceparent: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tracestate: Option<Cow<'a, str>>,
}

impl Extractor for MetaCarrier<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        match key {
            TRACEPARENT => self.traceparent.as_deref(),
            TRACESTATE => self.tracestate.as_deref(),
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        vec![TRACEPARENT, TRACESTATE]
    }
}

/// An HTTP request's headers as a carrier.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

/// A `_meta` object as a carrier.
struct MetaInjector<'a>(&'a mut Map<String, Value>);

impl Injector for MetaInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), Value::String(value));
    }
}

/// The remote context a carrier holds, when it holds a valid one (a malformed `traceparent`
/// is ignored: it never fails the request).
fn extract(carrier: &dyn Extractor) -> Option<opentelemetry::Context> {
    let cx = TraceContextPropagator::new().extract(carrier);
    cx.span().span_context().is_valid().then_some(cx)
}

/// Makes the client's context in `_meta` the span's parent, linking the HTTP request's context
/// when it has one too (the convention: MCP and transport contexts are independent); the HTTP
/// context is the parent when `_meta` has none. Call before the span is first entered.
pub(super) fn set_parent(span: &Span, meta: Option<&RawValue>, headers: Option<&HeaderMap>) {
    let from_meta = meta
        .and_then(|m| serde_json::from_str::<MetaCarrier<'_>>(m.get()).ok())
        .and_then(|carrier| extract(&carrier));
    // Most requests carry none: a lookup, not a propagator's extraction.
    let from_header = headers
        .filter(|h| h.contains_key(&TRACEPARENT_HEADER))
        .and_then(|h| extract(&Headers(h)));
    // Errors mean no OpenTelemetry layer is installed: then there is no trace to join.
    match (from_meta, from_header) {
        (Some(parent), transport) => {
            let _ = span.set_parent(parent);
            if let Some(transport) = transport {
                span.add_link(transport.span().span_context().clone());
            }
        }
        (None, Some(parent)) => {
            let _ = span.set_parent(parent);
        }
        (None, None) => {}
    }
}

/// Names the OpenTelemetry span of the tracing span `id` for its method and target
/// (`tools/call add`), when an OpenTelemetry layer keeps one (without, a failed downcast and
/// nothing else: the name is not even built).
pub(super) fn rename(
    id: &tracing::span::Id,
    dispatch: &tracing::Dispatch,
    method: &str,
    target: &str,
) {
    if let Some(cx) = tracing_opentelemetry::get_otel_context(id, dispatch) {
        let method = crate::clip::clip(method);
        let mut name = String::with_capacity(method.len() + 1 + target.len());
        name.push_str(&method);
        name.push(' ');
        name.push_str(target);
        cx.span().update_name(name);
    }
}

/// Writes `span`'s context into `params._meta` (created when missing). Params that are not
/// an object carry nothing.
pub(super) fn inject(span: &Span, params: &mut Value) {
    let cx = span.context();
    if !cx.span().span_context().is_valid() {
        return;
    }
    let Value::Object(params) = params else {
        return;
    };
    let meta = params
        .entry("_meta")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        TraceContextPropagator::new().inject_context(&cx, &mut MetaInjector(meta));
    }
}
