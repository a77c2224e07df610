"""An OTLP/HTTP trace and metrics receiver for the CI: decodes each export with the official
`opentelemetry-proto` package and appends one JSON line per span, and per metric data point,
to a file.

Usage: receiver.py --port PORT --out spans.jsonl --metrics-out points.jsonl

Accepts POST /v1/traces and /v1/metrics (application/x-protobuf, optionally gzip-encoded) and
answers with an empty Export*ServiceResponse, as a collector does; anything else gets 404 or
415. Each span line:
{"service": ..., "scope": ..., "trace_id": hex, "span_id": hex, "parent_span_id": hex or "",
 "name": ..., "kind": "SERVER"|..., "attributes": {...}, "status": {"code": "ERROR"|..,
 "message": ...}, "links": [{"trace_id": hex, "span_id": hex}]}
Each data point line:
{"service": ..., "scope": ..., "name": ..., "unit": ..., "type": "histogram"|"gauge"|"sum",
 "attributes": {...}, "count": n, "sum": x, "bounds": [...]} (histograms) or "value": x.
Runs until killed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

LOCK = threading.Lock()


def value_of(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [value_of(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: value_of(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind) if kind else None


def spans_of(request: ExportTraceServiceRequest) -> list[dict[str, Any]]:
    out = []
    for resource_spans in request.resource_spans:
        resource = {kv.key: value_of(kv.value) for kv in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                out.append(
                    {
                        "service": resource.get("service.name"),
                        "scope": scope_spans.scope.name,
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "kind": Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_"),
                        "attributes": {kv.key: value_of(kv.value) for kv in span.attributes},
                        "status": {
                            "code": Status.StatusCode.Name(span.status.code).removeprefix("STATUS_CODE_"),
                            "message": span.status.message,
                        },
                        "links": [
                            {"trace_id": link.trace_id.hex(), "span_id": link.span_id.hex()}
                            for link in span.links
                        ],
                    }
                )
    return out


def points_of(request: ExportMetricsServiceRequest) -> list[dict[str, Any]]:
    out = []
    for resource_metrics in request.resource_metrics:
        resource = {kv.key: value_of(kv.value) for kv in resource_metrics.resource.attributes}
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                base = {
                    "service": resource.get("service.name"),
                    "scope": scope_metrics.scope.name,
                    "name": metric.name,
                    "unit": metric.unit,
                    "type": kind,
                }
                for point in getattr(metric, kind).data_points:
                    line = dict(base, attributes={kv.key: value_of(kv.value) for kv in point.attributes})
                    if kind == "histogram":
                        line.update(count=point.count, sum=point.sum, bounds=list(point.explicit_bounds))
                    else:
                        line["value"] = getattr(point, point.WhichOneof("value"))
                    out.append(line)
    return out


class Handler(BaseHTTPRequestHandler):
    out_path = ""
    metrics_path = ""

    def do_POST(self) -> None:  # noqa: N802 (the http.server name)
        path = self.path.rstrip("/")
        if path not in ("/v1/traces", "/v1/metrics"):
            self.send_error(404)
            return
        if self.headers.get("content-type", "").split(";")[0].strip() != "application/x-protobuf":
            self.send_error(415, "only http/protobuf")
            return
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        if path == "/v1/traces":
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            lines = [json.dumps(span, sort_keys=True) for span in spans_of(request)]
            target = self.out_path
            reply = ExportTraceServiceResponse().SerializeToString()
        else:
            metrics = ExportMetricsServiceRequest()
            metrics.ParseFromString(body)
            lines = [json.dumps(point, sort_keys=True) for point in points_of(metrics)]
            target = self.metrics_path
            reply = ExportMetricsServiceResponse().SerializeToString()
        with LOCK, open(target, "a", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        print(f"receiver: {format % args}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--metrics-out", required=True)
    args = parser.parse_args()
    Handler.out_path = args.out
    Handler.metrics_path = args.metrics_out
    open(args.out, "w").close()
    open(args.metrics_out, "w").close()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(
        f"receiver: listening on 127.0.0.1:{args.port}, spans to {args.out}, metrics to {args.metrics_out}",
        flush=True,
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
