"""Checks examples/notes_sqlite with the official Python MCP SDK client, before and after a
restart of the server on the same database.

Usage:
  python_notes.py --url http://127.0.0.1:PORT/mcp --phase before --state STATE.json
  python_notes.py --url http://127.0.0.1:PORT/mcp --phase after  --state STATE.json

`before` (a fresh database) checks the tools and their annotations, creates, searches, reads
notes://{id}, completes ids, renders summarize_notes, subscribes and updates (a handshake-era
session with resources/subscribe, then a 2026-07-28 client with subscriptions/listen), deletes,
and writes the ids it kept and deleted to STATE. `after` (a new server process on the same file)
checks the kept note is there and the deleted one is not. Prints one line per check and a
closing "python-notes: N passed, M failed"; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import traceback
import warnings
from typing import Any

import mcp_types as types
from mcp.client import Client
from mcp.client.subscriptions import ResourceUpdated
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError

passed = 0
failed = 0

# How long to wait for something the server must send (a deadline, not a timing check).
PATIENCE = 20


def check(label: str, ok: bool, detail: Any = "") -> None:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {label}")
    else:
        failed += 1
        print(f"FAIL {label}: {detail}")


def text_of(result: Any) -> str:
    texts = [block.text for block in result.content if getattr(block, "type", None) == "text"]
    return texts[0] if texts else ""


async def read_text(client: Client, uri: str) -> str:
    result = await client.read_resource(uri)
    return result.contents[0].text


async def create(client: Client, title: str, body: str) -> int:
    result = await client.call_tool("create_note", {"title": title, "body": body})
    created = result.structured_content or {}
    check(f"create_note {title!r} returns an id and its URI",
          not result.is_error and created.get("uri") == f"notes://{created.get('id')}", repr(result))
    return int(created["id"])


async def legacy(url: str) -> dict[str, int]:
    """A 2025-11-25 session: everything but listen."""
    updates: list[str] = []
    updated = asyncio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            updates.append(str(message.params.uri))
            updated.set()

    async with Client(url, mode="legacy", read_timeout_seconds=PATIENCE, message_handler=on_message) as client:
        check("legacy: serverInfo", client.server_info is not None and client.server_info.name == "notes",
              repr(client.server_info))
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        check("tools/list", sorted(tools) == ["create_note", "delete_note", "search_notes", "update_note"],
              sorted(tools))
        delete = tools.get("delete_note")
        check("delete_note is annotated destructive",
              delete is not None and delete.annotations is not None and delete.annotations.destructive_hint is True,
              repr(delete))
        search = tools.get("search_notes")
        check("search_notes is annotated read-only",
              search is not None and search.annotations is not None and search.annotations.read_only_hint is True,
              repr(search))

        kept = await create(client, "Groceries", "milk, eggs and 100% rye bread")
        other = await create(client, "Ideas", "an MCP server that keeps notes")

        found = await client.call_tool("search_notes", {"query": "MCP SERVER"})
        notes = (found.structured_content or {}).get("notes", [])
        check("search_notes finds by substring, any case", [n["id"] for n in notes] == [other], repr(found))

        body = await read_text(client, f"notes://{kept}")
        check("resources/read notes://{id}", body == "# Groceries\n\nmilk, eggs and 100% rye bread\n", repr(body))
        templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
        check("the notes://{id} template is listed", templates == ["notes://{id}"], repr(templates))

        completion = await client.complete(
            types.ResourceTemplateReference(uri="notes://{id}"), {"name": "id", "value": ""}
        )
        values = completion.completion.values
        check("completion/complete on ids", values == [str(kept), str(other)], repr(values))

        prompt = await client.get_prompt("summarize_notes", {"query": "milk"})
        resources = [m.content.resource.uri for m in prompt.messages if getattr(m.content, "type", "") == "resource"]
        check("summarize_notes embeds the matching notes", [str(u) for u in resources] == [f"notes://{kept}"],
              repr(prompt))

        # resources/subscribe, then updates arrive on the session's GET stream. The SDK opens
        # that stream on its own; an update published before it is attached reaches nobody
        # (no event store), so update until one arrives, a bounded number of times.
        uri = f"notes://{kept}"
        with warnings.catch_warnings():
            # Deprecated for 2026-07-28, and the way to subscribe in a 2025-11-25 session.
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            await client.subscribe_resource(uri)
        for attempt in range(1, 6):
            result = await client.call_tool("update_note", {"id": kept, "body": f"milk, eggs, bread (v{attempt})"})
            try:
                await asyncio.wait_for(updated.wait(), timeout=PATIENCE / 4)
                break
            except TimeoutError:
                print(f"     no update yet after attempt {attempt}")
        check("legacy: a subscribed client gets notifications/resources/updated",
              updated.is_set() and set(updates) == {uri} and not result.is_error, repr(updates))
        check("the update is read back", (await read_text(client, uri)).startswith("# Groceries\n\nmilk, eggs, bread"))

        gone = await client.call_tool("delete_note", {"id": other})
        check("delete_note", not gone.is_error and text_of(gone) == f"deleted note {other}", repr(gone))
        try:
            await client.read_resource(f"notes://{other}")
            check("a deleted note is not found", False, "read succeeded")
        except MCPError as error:
            check("a deleted note is not found (-32002)", error.code == -32002, repr(error))
        again = await client.call_tool("delete_note", {"id": other})
        check("deleting it again is a tool error", bool(again.is_error) and text_of(again) == f"no note {other}",
              repr(again))
    return {"kept": kept, "deleted": other}


async def modern(url: str) -> None:
    """A 2026-07-28 client: subscriptions/listen instead of resources/subscribe."""
    async with Client(url, mode="auto", read_timeout_seconds=PATIENCE) as client:
        check("modern: speaks 2026-07-28", client.protocol_version == "2026-07-28", client.protocol_version)
        note = await create(client, "Listen", "v1")
        uri = f"notes://{note}"
        async with client.listen(resource_subscriptions=[uri]) as subscription:
            check("modern: listen honours the subscription",
                  list(subscription.honored.resource_subscriptions or []) == [uri], repr(subscription.honored))
            await client.call_tool("update_note", {"id": note, "body": "v2"})
            event = await asyncio.wait_for(subscription.__anext__(), timeout=PATIENCE)
            check("modern: a listening client gets the update", isinstance(event, ResourceUpdated)
                  and str(event.uri) == uri, repr(event))
        check("modern: the update is read back", await read_text(client, uri) == "# Listen\n\nv2\n")
        await client.call_tool("delete_note", {"id": note})
        try:
            await client.read_resource(uri)
            check("modern: a deleted note is not found", False, "read succeeded")
        except MCPError as error:
            check("modern: a deleted note is not found (-32602)", error.code == -32602, repr(error))


async def after_restart(url: str, state: dict[str, int]) -> None:
    async with Client(url, mode="legacy", read_timeout_seconds=PATIENCE) as client:
        kept, deleted = state["kept"], state["deleted"]
        body = await read_text(client, f"notes://{kept}")
        check("after the restart the note is there", body.startswith("# Groceries\n\nmilk, eggs, bread"), repr(body))
        found = await client.call_tool("search_notes", {"query": ""})
        ids = [n["id"] for n in (found.structured_content or {}).get("notes", [])]
        check("after the restart the deleted notes are still gone", kept in ids and deleted not in ids, repr(ids))
        newer = await create(client, "After", "the restart")
        check("ids are not reused after a restart", newer > max(kept, deleted), newer)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--phase", choices=["before", "after"], required=True)
    parser.add_argument("--state", required=True, help="a JSON file: written before, read after")
    args = parser.parse_args()
    try:
        if args.phase == "before":
            state = await asyncio.wait_for(legacy(args.url), timeout=120)
            with open(args.state, "w", encoding="utf-8") as out:
                json.dump(state, out)
            await asyncio.wait_for(modern(args.url), timeout=120)
        else:
            with open(args.state, encoding="utf-8") as state_file:
                state = json.load(state_file)
            await asyncio.wait_for(after_restart(args.url, state), timeout=120)
    except Exception as exc:  # noqa: BLE001 - report the failure, then the totals
        check(f"{args.phase}: session", False, repr(exc))
        traceback.print_exc(file=sys.stdout)
    print(f"python-notes: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
