"""Checks that the official Python SDK client, in its default `auto` mode, speaks the
2026-07-28 era with our server: it probes `server/discover`, adopts the modern revision (no
`initialize` handshake, no session), lists the tools and calls them.

Usage: python_modern.py URL    (e.g. http://127.0.0.1:8000/mcp, a running quickstart)

Exits 0 when every check passes; prints one line per check.
"""

import asyncio
import sys

from mcp.client import Client


def check(ok: bool, what: str) -> None:
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        raise SystemExit(1)


async def main(url: str) -> None:
    async with Client(url, mode="auto") as client:
        session = client.session
        check(client.protocol_version == "2026-07-28",
              f"negotiated 2026-07-28 (got {client.protocol_version})")
        check(session.discover_result is not None, "adopted a server/discover result")
        check(session.initialize_result is None, "no initialize handshake")
        info = session.server_info
        check(info is not None and info.name == "calculator",
              f"serverInfo from the discover result's _meta ({info})")
        extensions = session.discover_result.capabilities.extensions or {}
        check("io.modelcontextprotocol/ui" not in extensions,
              f"no MCP Apps extension for a server without apps ({sorted(extensions)})")
        tools = await client.list_tools()
        names = sorted(t.name for t in tools.tools)
        check(names == ["add", "divide", "round"], f"tools/list: {names}")
        result = await client.call_tool("add", {"a": 2, "b": 3})
        text = result.content[0].text
        check(not result.is_error and float(text) == 5.0, f"add(2, 3) = {text}")
        result = await client.call_tool("divide", {"a": 1, "b": 0})
        check(bool(result.is_error), "divide by zero is a tool error")
        result = await client.call_tool("round", {"x": 2.71828, "digits": 2})
        check(float(result.content[0].text) == 2.72, f"round = {result.content[0].text}")
    print("python client (auto mode): 2026-07-28 era, all checks passed")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/mcp"))
