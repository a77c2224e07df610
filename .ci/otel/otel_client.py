"""The MCP spans of our servers, as an OTLP receiver got them, against the official Python SDK
client's own spans.

Usage:
  otel_client.py run --quickstart URL --everything URL --stdio PATH --endpoint URL --out client.json
  otel_client.py check --client client.json --spans spans.jsonl

`run` drives the servers with the official Python MCP SDK client under an OpenTelemetry tracer
(the SDK 2.x injects the W3C `traceparent` of its "MCP send ..." CLIENT span into every
request's `params._meta` itself), plus two raw HTTP requests carrying a `traceparent` header,
and writes the client's spans and what it saw. `check` runs once the servers have exited (and
so flushed their spans to the receiver): every client request has exactly one SERVER span of
ours as its child in the same trace, named and attributed as the OpenTelemetry semantic
conventions for MCP say. Prints one line per check and "otel: N passed, M failed"; exits 1 on
any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import sys
import urllib.request
from typing import Any

passed = 0
failed = 0


def check(label: str, ok: bool, detail: Any = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {label}")
    else:
        failed += 1
        print(f"FAIL {label}: {detail}")


# --- run --------------------------------------------------------------------------------------


def hex_ids(context: Any) -> tuple[str, str]:
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    tracer = trace.get_tracer("ci-otel-client")

    import mcp_types as types
    from mcp.client import Client
    from mcp.client.stdio import StdioServerParameters
    from mcp.shared.exceptions import MCPError

    scenarios: dict[str, str] = {}
    seen: dict[str, Any] = {}

    async def scenario(label: str, body: Any) -> None:
        # A root span per scenario: everything it causes, here and in the servers, is one trace.
        with tracer.start_as_current_span(f"scenario {label}") as span:
            scenarios[label] = hex_ids(span.get_span_context())[0]
            try:
                await body()
            except Exception as error:  # noqa: BLE001 (reported as a failed check)
                check(f"run {label}", False, repr(error))

    async def legacy() -> None:
        async with Client(args.quickstart, mode="legacy", read_timeout_seconds=20) as client:
            added = await client.call_tool("add", {"a": 2, "b": 3})
            check("run legacy: add answered", not added.is_error, added)
            divided = await client.call_tool("divide", {"a": 1, "b": 0})
            check("run legacy: divide by zero is a tool error", divided.is_error, divided)
            try:
                await client.call_tool("nope", {})
                check("run legacy: an unknown tool is a JSON-RPC error", False, "no error")
            except MCPError as error:
                check("run legacy: an unknown tool is a JSON-RPC error", error.error.code == -32602, error)

    async def modern() -> None:
        async with Client(args.quickstart, mode="auto", read_timeout_seconds=20) as client:
            check(
                "run auto: speaks 2026-07-28",
                client.protocol_version == "2026-07-28",
                client.protocol_version,
            )
            added = await client.call_tool("add", {"a": 1, "b": 1})
            check("run auto: add answered", not added.is_error, added)

    async def stdio() -> None:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": args.endpoint,
            "OTEL_SERVICE_NAME": "ci-stdio",
            "NO_COLOR": "1",
        }
        server = StdioServerParameters(command=args.stdio, env=env)
        async with Client(server, mode="legacy", read_timeout_seconds=20) as client:
            added = await client.call_tool("add", {"a": 4, "b": 4})
            check("run stdio: add answered", not added.is_error, added)

    async def sampling() -> None:
        async def sample(context: Any, params: types.CreateMessageRequestParams) -> Any:
            seen["sampling_meta"] = dict(params.meta or {})
            return types.CreateMessageResult(
                role="assistant",
                content=types.TextContent(type="text", text="sampled"),
                model="ci",
            )

        async with Client(
            args.everything, mode="legacy", read_timeout_seconds=20, sampling_callback=sample
        ) as client:
            result = await client.call_tool("test_sampling", {"prompt": "hi"})
            check("run sampling: test_sampling answered", not result.is_error, result)

    await scenario("legacy", legacy)
    await scenario("auto", modern)
    await scenario("stdio", stdio)
    await scenario("sampling", sampling)

    # Raw requests: the HTTP header alone, then the header and `_meta` (which wins).
    seen["raw"] = {}
    for label, with_meta in (("header", False), ("header+meta", True)):
        header = (secrets.token_hex(16), secrets.token_hex(8))
        meta = (secrets.token_hex(16), secrets.token_hex(8))
        params: dict[str, Any] = {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": f"raw-{label}", "version": "1"},
        }
        if with_meta:
            params["_meta"] = {"traceparent": f"00-{meta[0]}-{meta[1]}-01"}
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params})
        request = urllib.request.Request(
            args.quickstart,
            data=body.encode(),
            headers={
                "content-type": "application/json",
                "accept": "application/json, text/event-stream",
                "traceparent": f"00-{header[0]}-{header[1]}-01",
            },
        )
        with urllib.request.urlopen(request, timeout=20) as response:
            check(f"run raw {label}: initialize answered", response.status == 200, response.status)
            response.read()
        seen["raw"][label] = {"header": header, "meta": meta if with_meta else None}

    provider.force_flush()
    spans = []
    for span in exporter.get_finished_spans():
        trace_id, span_id = hex_ids(span.context)
        spans.append(
            {
                "name": span.name,
                "kind": span.kind.name,
                "trace_id": trace_id,
                "span_id": span_id,
                "parent_span_id": format(span.parent.span_id, "016x") if span.parent else "",
                "attributes": dict(span.attributes or {}),
            }
        )
    return {"scenarios": scenarios, "spans": spans, "seen": seen}


# --- check ------------------------------------------------------------------------------------


def load_spans(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def children(spans: list[dict[str, Any]], parent: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        s
        for s in spans
        if s["parent_span_id"] == parent["span_id"] and s["trace_id"] == parent["trace_id"]
    ]


def check_spans(client: dict[str, Any], ours: list[dict[str, Any]]) -> None:
    check("the receiver got spans", bool(ours), "none")
    check(
        "every span of ours is from mcp-runtime",
        all(s["scope"] == "mcp-runtime" for s in ours),
        {s["scope"] for s in ours},
    )
    sent = [s for s in client["spans"] if s["kind"] == "CLIENT" and s["name"].startswith("MCP send ")]
    server_of: dict[str, dict[str, Any]] = {}
    for label, trace_id in client["scenarios"].items():
        requests = [s for s in sent if s["trace_id"] == trace_id]
        check(f"{label}: the client sent requests in the scenario's trace", bool(requests), client["spans"])
        for request in requests:
            method = request["attributes"].get("mcp.method.name")
            name = request["name"].removeprefix("MCP send ")
            found = children(ours, request)
            if len(found) != 1:
                check(f"{label}: one SERVER span of ours under the client's `{name}`", False, found)
                continue
            span = found[0]
            server_of[request["span_id"]] = span
            attributes = span["attributes"]
            check(
                f"{label}: `{name}` -> SERVER span `{span['name']}` in trace {trace_id[:8]}…, parent the client's span",
                span["kind"] == "SERVER"
                and span["name"] == name
                and span["trace_id"] == trace_id
                and span["parent_span_id"] == request["span_id"]
                and attributes.get("mcp.method.name") == method
                and attributes.get("jsonrpc.request.id") == request["attributes"].get("jsonrpc.request.id"),
                {"client": request, "server": span},
            )
    by_label = {
        label: [s for s in ours if s["trace_id"] == trace_id]
        for label, trace_id in client["scenarios"].items()
    }

    def one(label: str, name: str) -> dict[str, Any]:
        found = [s for s in by_label[label] if s["name"] == name and s["kind"] == "SERVER"]
        check(f"{label}: one `{name}` SERVER span", len(found) == 1, [s["name"] for s in by_label[label]])
        missing = {"attributes": {}, "status": {"code": "", "message": ""}, "links": []}
        return found[0] if found else {**missing, "trace_id": "", "span_id": "", "name": name}

    # 2025-11-25 over HTTP, in a session.
    add = one("legacy", "tools/call add")
    a = add["attributes"]
    session = a.get("mcp.session.id", "")
    check(
        "legacy: tools/call add has the convention's attributes",
        a.get("mcp.method.name") == "tools/call"
        and a.get("gen_ai.tool.name") == "add"
        and a.get("gen_ai.operation.name") == "execute_tool"
        and a.get("mcp.protocol.version") == "2025-11-25"
        and a.get("network.transport") == "tcp"
        and re.fullmatch(r"[0-9a-f]{32}", session) is not None
        and add.get("service") == "ci-quickstart",
        add,
    )
    check(
        "legacy: a successful call has no error",
        "error.type" not in a and "rpc.response.status_code" not in a and add["status"]["code"] == "UNSET",
        add,
    )
    init = one("legacy", "initialize")
    check(
        "legacy: initialize is in the session it opened, at the version it agreed",
        init["attributes"].get("mcp.session.id") == session
        and init["attributes"].get("mcp.protocol.version") == "2025-11-25",
        init,
    )
    divide = one("legacy", "tools/call divide")
    check(
        "legacy: a result with isError is error.type=tool_error, status ERROR",
        divide["attributes"].get("error.type") == "tool_error"
        and "rpc.response.status_code" not in divide["attributes"]
        and divide["status"]["code"] == "ERROR",
        divide,
    )
    nope = one("legacy", "tools/call nope")
    check(
        "legacy: a JSON-RPC error is error.type and rpc.response.status_code -32602, status ERROR with its message",
        nope["attributes"].get("error.type") == "-32602"
        and nope["attributes"].get("rpc.response.status_code") == "-32602"
        and nope["attributes"].get("gen_ai.tool.name") == "nope"
        and nope["status"]["code"] == "ERROR"
        and "Unknown tool: nope" in nope["status"]["message"],
        nope,
    )
    initialized = [
        s
        for s in ours
        if s["name"] == "notifications/initialized" and s["attributes"].get("mcp.session.id") == session
    ]
    check(
        "legacy: notifications/initialized has a SERVER span in the session, without a request id",
        len(initialized) == 1
        and initialized[0]["kind"] == "SERVER"
        and initialized[0]["attributes"].get("mcp.method.name") == "notifications/initialized"
        and "jsonrpc.request.id" not in initialized[0]["attributes"],
        initialized,
    )

    # 2026-07-28: no session.
    modern = one("auto", "tools/call add")
    check(
        "auto: tools/call add at 2026-07-28, without a session",
        modern["attributes"].get("mcp.protocol.version") == "2026-07-28"
        and "mcp.session.id" not in modern["attributes"]
        and modern["attributes"].get("gen_ai.tool.name") == "add"
        and modern["attributes"].get("network.transport") == "tcp",
        modern,
    )

    # stdio.
    piped = one("stdio", "tools/call add")
    check(
        "stdio: tools/call add over a pipe, from the stdio example's own service",
        piped["attributes"].get("network.transport") == "pipe"
        and "mcp.session.id" not in piped["attributes"]
        and piped.get("service") == "ci-stdio",
        piped,
    )

    # A request to the client carries our CLIENT span's context in its `_meta`.
    sampled = one("sampling", "tools/call test_sampling")
    asked = [s for s in children(ours, sampled) if s["name"] == "sampling/createMessage"]
    check(
        "sampling: our CLIENT span sampling/createMessage is a child of tools/call test_sampling",
        len(asked) == 1
        and asked[0]["kind"] == "CLIENT"
        and asked[0]["attributes"].get("mcp.method.name") == "sampling/createMessage"
        and asked[0]["attributes"].get("mcp.session.id") == sampled["attributes"].get("mcp.session.id")
        and asked[0]["attributes"].get("jsonrpc.request.id") not in (None, ""),
        asked or by_label["sampling"],
    )
    traceparent = client["seen"].get("sampling_meta", {}).get("traceparent", "")
    check(
        "sampling: the request the client got carries that span in _meta.traceparent",
        bool(asked)
        and traceparent == f"00-{asked[0]['trace_id']}-{asked[0]['span_id']}-01"
        and asked[0]["trace_id"] == client["scenarios"]["sampling"],
        {"traceparent": traceparent, "ours": asked},
    )

    # The HTTP header: the parent when `_meta` has none, a link when it has one.
    raw = client["seen"]["raw"]
    header_trace, header_span = raw["header"]["header"]
    only = [s for s in ours if s["name"] == "initialize" and s["trace_id"] == header_trace]
    check(
        "header: without _meta the HTTP traceparent is the parent",
        len(only) == 1 and only[0]["parent_span_id"] == header_span and only[0]["links"] == [],
        only,
    )
    both = raw["header+meta"]
    meta_trace, meta_span = both["meta"]
    chosen = [s for s in ours if s["name"] == "initialize" and s["trace_id"] == meta_trace]
    check(
        "header+meta: _meta's traceparent is the parent, the HTTP one a link",
        len(chosen) == 1
        and chosen[0]["parent_span_id"] == meta_span
        and chosen[0]["links"] == [{"trace_id": both["header"][0], "span_id": both["header"][1]}],
        chosen,
    )


def check_metrics(path: str) -> None:
    """The quickstart's `mcp.server.operation.duration` after the legacy and auto scenarios:
    two `add` calls that answered, one `divide` that was a tool error, one unknown tool."""
    with open(path, encoding="utf-8") as source:
        points = [json.loads(line) for line in source if line.strip()]
    ours = [p for p in points if p["service"] == "ci-quickstart" and p["scope"] == "mcp-runtime"]
    durations = [p for p in ours if p["name"] == "mcp.server.operation.duration"]
    check("metrics: mcp.server.operation.duration arrived", bool(durations), sorted({p["name"] for p in ours}))
    check(
        "metrics: a histogram in seconds with the convention's buckets",
        all(p["type"] == "histogram" and p["unit"] == "s" for p in durations)
        and all(p["bounds"][:3] == [0.01, 0.02, 0.05] and p["bounds"][-1] == 300.0 for p in durations),
        durations[:1],
    )

    def count(**attributes: Any) -> int:
        # Cumulative: the largest count of a series is its latest.
        matching = [
            p["count"]
            for p in durations
            if all(p["attributes"].get(k.replace("__", ".")) == v for k, v in attributes.items())
        ]
        return max(matching, default=0)

    tools_call = {"mcp__method__name": "tools/call"}
    added = [
        p
        for p in durations
        if p["attributes"].get("gen_ai.tool.name") == "add" and "error.type" not in p["attributes"]
    ]
    series: dict[str, int] = {}  # one per attribute set (one per protocol version here)
    for p in added:
        key = json.dumps(p["attributes"], sort_keys=True)
        series[key] = max(series.get(key, 0), p["count"])
    check(
        "metrics: add's two calls carry mcp.method.name, gen_ai.tool.name, network.transport",
        sum(series.values()) == 2
        and all(
            p["attributes"].get("mcp.method.name") == "tools/call"
            and p["attributes"].get("network.transport") == "tcp"
            for p in added
        ),
        added,
    )
    check(
        "metrics: divide by zero counts as error.type tool_error",
        count(**tools_call, gen_ai__tool__name="divide", error__type="tool_error") == 1,
        durations,
    )
    check(
        "metrics: the unknown tool counts as error.type -32602, without its made-up name",
        count(**tools_call, error__type="-32602") == 1
        and not any(p["attributes"].get("gen_ai.tool.name") == "nope" for p in durations),
        durations,
    )
    sessions = [p for p in ours if p["name"] == "mcp.server.session.duration"]
    check("metrics: mcp.server.session.duration arrived", bool(sessions) and all(p["unit"] == "s" for p in sessions), sessions)


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    run_args = commands.add_parser("run")
    run_args.add_argument("--quickstart", required=True)
    run_args.add_argument("--everything", required=True)
    run_args.add_argument("--stdio", required=True)
    run_args.add_argument("--endpoint", required=True)
    run_args.add_argument("--out", required=True)
    check_args = commands.add_parser("check")
    check_args.add_argument("--client", required=True)
    check_args.add_argument("--spans", required=True)
    metrics_args = commands.add_parser("check-metrics")
    metrics_args.add_argument("--metrics", required=True)
    args = parser.parse_args()
    if args.command == "run":
        result = asyncio.run(run(args))
        with open(args.out, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=1)
    elif args.command == "check-metrics":
        check_metrics(args.metrics)
    else:
        with open(args.client, encoding="utf-8") as source:
            client = json.load(source)
        check_spans(client, load_spans(args.spans))
    print(f"otel {args.command}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
