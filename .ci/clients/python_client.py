"""Checks the quickstart calculator with the official Python MCP SDK client.

Usage: python_client.py --url http://127.0.0.1:PORT/mcp [--stdio PATH_TO_STDIO_EXAMPLE]
                        [--everything http://127.0.0.1:PORT/mcp]

Runs the same checks over Streamable HTTP (mode="legacy" and mode="auto") and, with --stdio,
over stdio against the `stdio` example. With --everything, also reads how
`examples/everything.rs` presents itself (serverInfo title, description, website, icons) and
a resource's annotations, as the SDK's models parse them, and, in both modes, its MCP App
(`io.modelcontextprotocol/ui`): the tool's `_meta.ui.resourceUri` and the `ui://` view it
links. Prints one line per check and a closing "python-client: N passed, M failed"; exits 1 on
any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import traceback
from typing import Any

from mcp.client import Client, advertise
from mcp.client.stdio import StdioServerParameters
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID as UI_EXTENSION

# The MCP App of examples/everything.rs.
APP_TOOL = "convert_temperature"
APP_URI = "ui://everything/thermometer"

EXPECTED_TOOLS: dict[str, dict[str, Any]] = {
    "add": {
        "description": "Add two numbers.",
        "properties": {"a": "number", "b": "number"},
        "required": ["a", "b"],
    },
    "divide": {
        "description": "Divide `a` by `b`; dividing by zero is a tool error, not a crash.",
        "properties": {"a": "number", "b": "number"},
        "required": ["a", "b"],
    },
    "round": {
        "description": "Round `x` to `digits` decimal places (0 when omitted).",
        "properties": {"x": "number", "digits": "integer"},
        "required": ["x"],
    },
}

passed = 0
failed = 0


def check(label: str, ok: bool, detail: str = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {label}")
    else:
        failed += 1
        print(f"FAIL {label}: {detail}")


def schema_type(schema: dict[str, Any]) -> str | None:
    """The JSON type of a property schema; `["integer", "null"]` counts as "integer"."""
    kind = schema.get("type")
    if isinstance(kind, list):
        rest = [k for k in kind if k != "null"]
        return rest[0] if len(rest) == 1 else None
    return kind


def text_of(result: Any) -> str:
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    return texts[0] if texts else ""


def declares_apps(client: Client) -> bool:
    extensions = client.server_capabilities.extensions if client.server_capabilities else None
    return bool(extensions) and UI_EXTENSION in extensions


async def run(label: str, server: Any, mode: str, expected_tools: set[str]) -> None:
    async with Client(server, mode=mode, read_timeout_seconds=20) as client:
        check(f"{label}: connected (protocol {client.protocol_version})", bool(client.protocol_version))
        check(f"{label}: no MCP Apps extension declared", not declares_apps(client), repr(client.server_capabilities))
        info = client.server_info
        check(f"{label}: serverInfo", info is not None and info.name == "calculator", repr(info))

        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        check(f"{label}: tools/list names", set(tools) == expected_tools, f"got {sorted(tools)}")
        for name in sorted(expected_tools):
            want = EXPECTED_TOOLS[name]
            tool = tools.get(name)
            if tool is None:
                check(f"{label}: tool {name}", False, "missing")
                continue
            check(
                f"{label}: {name} description",
                tool.description == want["description"],
                repr(tool.description),
            )
            schema = tool.input_schema
            props = schema.get("properties", {})
            types = {key: schema_type(props.get(key, {})) for key in want["properties"]}
            check(
                f"{label}: {name} inputSchema",
                schema.get("type") == "object"
                and set(props) == set(want["properties"])
                and types == want["properties"]
                and sorted(schema.get("required", [])) == sorted(want["required"]),
                repr(schema),
            )

        added = await client.call_tool("add", {"a": 2, "b": 3.5})
        check(f"{label}: add(2, 3.5) = 5.5", not added.is_error and float(text_of(added)) == 5.5, repr(added))

        divided = await client.call_tool("divide", {"a": 1, "b": 0})
        check(
            f"{label}: divide by zero is a tool error",
            divided.is_error and "division by zero" in text_of(divided),
            repr(divided),
        )


async def presentation(url: str) -> None:
    """serverInfo's display fields and a resource's annotations, through the SDK's models."""
    async with Client(url, mode="legacy", read_timeout_seconds=20) as client:
        info = client.server_info.model_dump(by_alias=True, exclude_none=True)
        check(
            "everything: serverInfo title, description, websiteUrl and icons",
            info.get("title") == "MCP Conformance Test Server"
            and info.get("description") == "Every feature the conformance suite exercises."
            and info.get("websiteUrl") == "https://modelcontextprotocol.io"
            and [icon.get("src") for icon in info.get("icons", [])]
            == ["data:image/svg+xml;base64,PHN2Zy8+"]
            and info["icons"][0].get("sizes") == ["any"],
            repr(info),
        )
        resources = {r.uri: r for r in (await client.list_resources()).resources}
        static = resources.get("test://static-text")
        annotations = static.annotations.model_dump(exclude_none=True) if static and static.annotations else None
        check(
            "everything: resource annotations",
            annotations is not None
            and [str(getattr(role, "value", role)) for role in annotations.get("audience", [])] == ["user", "assistant"]
            and annotations.get("priority") == 0.5,
            repr(annotations),
        )


async def apps(url: str, mode: str) -> None:
    """The MCP App of examples/everything.rs, as a client that renders apps sees it."""
    host = advertise(UI_EXTENSION, {"mimeTypes": [APP_MIME_TYPE]})
    async with Client(url, mode=mode, extensions=[host], read_timeout_seconds=20) as client:
        label = f"everything {mode} ({client.protocol_version})"
        check(f"{label}: declares {UI_EXTENSION}", declares_apps(client), repr(client.server_capabilities))
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        tool = tools.get(APP_TOOL)
        ui = (tool.meta or {}).get("ui", {}) if tool else {}
        check(f"{label}: {APP_TOOL} _meta.ui.resourceUri", ui.get("resourceUri") == APP_URI, repr(tool))
        plain = [name for name, t in tools.items() if name != APP_TOOL and (t.meta or {}).get("ui")]
        check(f"{label}: only {APP_TOOL} has _meta.ui", not plain, repr(plain))

        listed = {r.uri: r for r in (await client.list_resources()).resources}.get(APP_URI)
        check(
            f"{label}: resources/list {APP_URI}",
            listed is not None and listed.mime_type == APP_MIME_TYPE
            and (listed.meta or {}).get("ui", {}).get("prefersBorder") is True,
            repr(listed),
        )
        read = await client.read_resource(APP_URI)
        contents = read.contents[0] if len(read.contents) == 1 else None
        text = getattr(contents, "text", "") or ""
        check(
            f"{label}: resources/read {APP_URI} is the app's HTML",
            contents is not None
            and str(contents.uri) == APP_URI
            and contents.mime_type == APP_MIME_TYPE
            and text.lstrip().lower().startswith("<!doctype html>")
            and "ui/initialize" in text
            and (contents.meta or {}).get("ui") == {"prefersBorder": True},
            repr(read)[:500],
        )

        called = await client.call_tool(APP_TOOL, {"celsius": 100})
        check(
            f"{label}: {APP_TOOL} still answers in text",
            not called.is_error
            and text_of(called) == "100 °C is 212 °F."
            and called.structured_content == {"celsius": 100.0, "fahrenheit": 212.0},
            repr(called),
        )


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="the quickstart's endpoint, http://HOST:PORT/mcp")
    parser.add_argument("--stdio", help="path to the built `stdio` example")
    parser.add_argument("--everything", help="the endpoint of examples/everything.rs")
    args = parser.parse_args()

    runs: list[tuple[str, Any, str, set[str]]] = [
        ("http legacy", args.url, "legacy", set(EXPECTED_TOOLS)),
        ("http auto", args.url, "auto", set(EXPECTED_TOOLS)),
    ]
    if args.stdio:
        stdio = StdioServerParameters(command=args.stdio)
        runs += [
            ("stdio legacy", stdio, "legacy", {"add", "divide"}),
            ("stdio auto", stdio, "auto", {"add", "divide"}),
        ]
    for label, server, mode, expected in runs:
        try:
            await asyncio.wait_for(run(label, server, mode, expected), timeout=60)
        except BaseException as exc:  # noqa: BLE001 - report every failure, then go on
            if isinstance(exc, KeyboardInterrupt):
                raise
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            check(f"{label}: session", False, detail)
            traceback.print_exc(file=sys.stdout)
    if args.everything:
        for label, check_everything in [
            ("everything", presentation(args.everything)),
            ("everything legacy apps", apps(args.everything, "legacy")),
            ("everything auto apps", apps(args.everything, "auto")),
        ]:
            try:
                await asyncio.wait_for(check_everything, timeout=60)
            except Exception as exc:  # noqa: BLE001 - report the failure, then the totals
                check(f"{label}: session", False, repr(exc))
                traceback.print_exc(file=sys.stdout)
    print(f"python-client: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
