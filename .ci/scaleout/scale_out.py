"""Scale-out checks: one session's requests on two nodes of examples/everything that share
Redis, both directly (node A, node B) and through a round-robin nginx in front of them.

Usage: scale_out.py --a URL --b URL --lb URL
Each check prints PASS or FAIL with what it saw; the exit status is the number of failures.
Plain HTTP (httpx), so every status code and SSE event is the one the server sent.
"""

import argparse
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx

VERSION = "2025-11-25"
TIMEOUT = httpx.Timeout(10.0)


def sse_messages(lines):
    """Yields the JSON messages of an SSE stream (skipping priming events and comments)."""
    data = []
    for line in lines:
        if line == "":
            if data:
                text = "\n".join(data)
                data = []
                if text:
                    yield json.loads(text)
            continue
        if line.startswith("data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(" ") else value)
    if data and "\n".join(data):
        yield json.loads("\n".join(data))


def response_message(r, rid):
    """The JSON-RPC response to `rid` in a 200 reply: its JSON body, or the SSE event that
    carries it (None when no event does)."""
    if r.headers.get("content-type", "").startswith("text/event-stream"):
        for message in sse_messages(r.text.splitlines()):
            if message.get("id") == rid:
                return message
        return None
    return r.json()


class Session:
    """One client session, whose requests go to whichever URL each call names."""

    def __init__(self, http):
        self.http = http
        self.id = None
        self.next_id = 1

    def headers(self):
        h = {
            "accept": "application/json, text/event-stream",
            "content-type": "application/json",
            "mcp-protocol-version": VERSION,
        }
        if self.id:
            h["mcp-session-id"] = self.id
        return h

    def initialize(self, url):
        body = {
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "protocolVersion": VERSION,
                "capabilities": {"elicitation": {}, "sampling": {}},
                "clientInfo": {"name": "scale-out-check", "version": "1.0.0"},
            },
        }
        r = self.http.post(url, json=body, headers=self.headers())
        assert r.status_code == 200, f"initialize: {r.status_code} {r.text}"
        self.id = r.headers["mcp-session-id"]
        r = self.http.post(url, json={"jsonrpc": "2.0", "method": "notifications/initialized"},
                           headers=self.headers())
        assert r.status_code == 202, f"initialized: {r.status_code} {r.text}"

    def request(self, url, method, params=None):
        """Sends a request; returns (status, its response message or the body)."""
        rid = self.next_id
        self.next_id += 1
        body = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}}
        r = self.http.post(url, json=body, headers=self.headers())
        if r.status_code != 200:
            return r.status_code, r.text
        return 200, response_message(r, rid)

    def call(self, url, name, arguments=None):
        return self.request(url, "tools/call", {"name": name, "arguments": arguments or {}})

    def send(self, url, message):
        r = self.http.post(url, json=message, headers=self.headers())
        return r.status_code

    def stream(self, url, body):
        """A POST whose SSE response is read as it arrives (a context manager)."""
        return self.http.stream("POST", url, json=body, headers=self.headers())

    def get_stream(self, url):
        h = self.headers()
        h["accept"] = "text/event-stream"
        del h["content-type"]
        return self.http.stream("GET", url, headers=h)


failures = []


def check(name, fn):
    started = time.monotonic()
    try:
        detail = fn()
        print(f"PASS {name} ({time.monotonic() - started:.2f}s){': ' + detail if detail else ''}")
    except Exception as e:  # noqa: BLE001 - every failure is reported, then counted
        print(f"FAIL {name}: {type(e).__name__}: {e}")
        failures.append(name)


def text_of(message):
    assert isinstance(message, dict) and "result" in message, f"no result in {message}"
    return message["result"]["content"][0]["text"]


def alternating(args):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    for i in range(6):
        url = args.a if i % 2 == 0 else args.b
        status, message = s.call(url, "test_simple_text")
        assert status == 200, f"call {i} on {'AB'[i % 2]}: {status} {message}"
        assert "simple text" in text_of(message).lower(), message
    status, message = s.request(args.b, "tools/list")
    assert status == 200 and len(message["result"]["tools"]) > 10, message
    return "6 calls alternating A/B and tools/list on B"


def through_nginx(args):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.lb)
    for i in range(10):
        status, message = s.call(args.lb, "test_simple_text")
        assert status == 200, f"call {i}: {status} {message}"
        text_of(message)
    status, message = s.request(args.lb, "logging/setLevel", {"level": "error"})
    assert status == 200 and "result" in message, message
    return "initialize and 10 calls through round-robin nginx"


def elicitation_through_other_node(args):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    answerer = Session(httpx.Client(timeout=TIMEOUT))
    answerer.id = s.id
    body = {"jsonrpc": "2.0", "id": 41, "method": "tools/call",
            "params": {"name": "test_elicitation", "arguments": {"message": "Who are you?"}}}
    with s.stream(args.a, body) as r:
        assert r.status_code == 200, r.status_code
        messages = sse_messages(r.iter_lines())
        asked = next(messages)
        assert asked.get("method") == "elicitation/create", asked
        status = answerer.send(args.b, {"jsonrpc": "2.0", "id": asked["id"], "result": {
            "action": "accept", "content": {"username": "ada", "email": "ada@example.com"}}})
        assert status == 202, f"answer on B: {status}"
        answer = next(m for m in messages if m.get("id") == 41)
    text = text_of(answer)
    assert "username=ada" in text, text
    return "asked on A's stream, answered by a POST to B"


def cancel_from_other_node(args):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    other = Session(httpx.Client(timeout=TIMEOUT))
    other.id = s.id
    body = {"jsonrpc": "2.0", "id": 42, "method": "tools/call",
            "params": {"name": "test_sampling", "arguments": {"prompt": "never answered"}}}
    with s.stream(args.a, body) as r:
        messages = sse_messages(r.iter_lines())
        asked = next(messages)
        assert asked.get("method") == "sampling/createMessage", asked
        status = other.send(args.b, {"jsonrpc": "2.0", "method": "notifications/cancelled",
                                     "params": {"requestId": 42, "reason": "changed my mind"}})
        assert status == 202, f"cancel on B: {status}"
        end = next(m for m in messages if m.get("id") == 42)
    assert end.get("error", {}).get("code") == -32800, f"expected cancelled, got {end}"
    return "the call waiting on A ended cancelled (-32800) by a notification POSTed to B"


def list_changed_across_nodes(args):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    with s.get_stream(args.a) as listening:
        assert listening.status_code == 200, listening.status_code
        trigger = Session(httpx.Client(timeout=TIMEOUT))
        trigger.id = s.id
        status, message = trigger.call(args.b, "test_trigger_tool_change")
        assert status == 200, message
        heard = next(sse_messages(listening.iter_lines()))
    assert heard.get("method") == "notifications/tools/list_changed", heard
    return "GET stream on A got the list change raised by a call on B"


def sse_events(lines):
    """Yields (id, message or None) for each SSE event, priming events included."""
    event_id, data = None, []
    for line in lines:
        if line == "":
            if event_id is not None or data:
                text = "\n".join(data)
                yield event_id, (json.loads(text) if text else None)
            event_id, data = None, []
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(" ") else value)


def resume_on_other_node(args):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    body = {"jsonrpc": "2.0", "id": 43, "method": "tools/call",
            "params": {"name": "test_tool_with_logging", "arguments": {}}}
    seen = []
    with s.stream(args.a, body) as r:
        for event_id, message in sse_events(r.iter_lines()):
            seen.append(event_id)
            if message and message.get("method") == "notifications/message":
                break  # the client's connection drops after the first log
    last = seen[-1]
    h = s.headers()
    h["accept"] = "text/event-stream"
    h["last-event-id"] = last
    del h["content-type"]
    resumed = []
    with s.http.stream("GET", args.b, headers=h) as r:
        assert r.status_code == 200, f"resume on B: {r.status_code} {r.read()}"
        for event_id, message in sse_events(r.iter_lines()):
            resumed.append((event_id, message))
            if message and message.get("id") == 43:
                break
    ids = [i for i, _ in resumed]
    assert not set(ids) & set(seen), f"sent twice: {set(ids) & set(seen)}"
    logs = [m["params"]["data"] for _, m in resumed if m and m.get("method") == "notifications/message"]
    assert logs == ["Tool processing data", "Tool execution completed"], logs
    assert resumed[-1][1]["result"]["content"][0]["text"].startswith("Tool with logging"), resumed[-1]
    return f"dropped on A after 1 log; B sent the {len(resumed)} events missed, none twice"


def delete_on_other_node(args):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    status, message = s.call(args.a, "test_simple_text")
    assert status == 200, message
    r = s.http.delete(args.b, headers=s.headers())
    assert r.status_code == 200, f"DELETE on B: {r.status_code} {r.text}"
    deleted = time.monotonic()
    # The end travels over pub/sub: A must stop serving the session within a moment.
    while True:
        status, message = s.request(args.a, "tools/list")
        if status == 404:
            break
        assert time.monotonic() - deleted < 2, f"A still serves the session: {status}"
        time.sleep(0.01)
    status, _ = s.request(args.b, "tools/list")
    assert status == 404, f"B after DELETE: {status}"
    return f"404 on A {1000 * (time.monotonic() - deleted):.0f} ms after DELETE on B, and on B"


MODERN = "2026-07-28"
TASKS = "io.modelcontextprotocol/tasks"


def modern(url, method, params, rid=1):
    """A 2026-07-28 request (no session) from a client declaring the tasks extension;
    returns (status, the response message or the body)."""
    params = dict(params)
    params["_meta"] = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}, "extensions": {TASKS: {}}},
        "io.modelcontextprotocol/clientInfo": {"name": "scale-out-check", "version": "1.0.0"},
    }
    headers = {
        "accept": "application/json, text/event-stream",
        "content-type": "application/json",
        "mcp-protocol-version": MODERN,
        "mcp-method": method,
    }
    name = params.get("name") or params.get("taskId")
    if name:
        headers["mcp-name"] = name
    body = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}
    r = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT)
    if r.status_code != 200:
        try:
            return r.status_code, r.json()
        except ValueError:
            return r.status_code, r.text
    return 200, response_message(r, rid)


def modern_result(url, method, params):
    status, message = modern(url, method, params)
    assert status == 200 and isinstance(message, dict) and "result" in message, \
        f"{method} on {url}: {status} {message}"
    return message["result"]


def start_task(url, tool, arguments):
    created = modern_result(url, "tools/call", {"name": tool, "arguments": arguments})
    assert created.get("resultType") == "task", f"{tool} did not become a task: {created}"
    return created["taskId"]


def task_status(url, task):
    return modern_result(url, "tasks/get", {"taskId": task})


def wait_task(url, task, statuses, within):
    """Polls `url` until the task's status is one of `statuses`; returns (task, seconds)."""
    started = time.monotonic()
    while True:
        now = task_status(url, task)
        if now["status"] in statuses:
            return now, time.monotonic() - started
        assert time.monotonic() - started < within, f"task still {now['status']} after {within}s: {now}"
        time.sleep(0.1)


def task_cancelled_through_other_node(args):
    task = start_task(args.a, "slow_compute", {"seconds": 60, "label": "scale-out"})
    assert task_status(args.b, task)["status"] == "working"
    cancelled = modern_result(args.b, "tasks/cancel", {"taskId": task})
    assert cancelled.get("resultType") == "complete", cancelled
    on_a = task_status(args.a, task)
    assert on_a["status"] == "cancelled", f"A after cancel through B: {on_a}"
    # A stopped the work and its own ending did not overwrite the cancellation.
    time.sleep(0.5)
    assert task_status(args.b, task)["status"] == "cancelled"
    polls = 0
    for _ in range(4):  # and through nginx, landing on both nodes
        assert task_status(args.lb, task)["status"] == "cancelled"
        polls += 1
    return f"created on A, working on B, cancelled through B: cancelled on A, B and {polls} polls via nginx"


def task_input_through_other_node(args):
    task = start_task(args.a, "confirm_delete", {"filename": "report.txt"})
    waiting, _ = wait_task(args.b, task, {"input_required"}, within=5)
    assert "confirm" in waiting.get("inputRequests", {}), waiting
    status, refused = modern(args.b, "tasks/update", {
        "taskId": task, "inputResponses": {"confirm": {"confirm": True}}})
    assert status == 400 and refused["error"]["code"] == -32602, f"a bad answer through B: {status} {refused}"
    modern_result(args.b, "tasks/update", {
        "taskId": task, "inputResponses": {"confirm": {"action": "accept", "content": {"confirm": True}}}})
    done, took = wait_task(args.b, task, {"completed", "failed", "cancelled"}, within=5)
    text = done.get("result", {}).get("content", [{}])[0].get("text")
    assert done["status"] == "completed" and text == "report.txt deleted", done
    return f"input asked on A answered through B (a bad answer -32602); completed {took * 1000:.0f} ms later"


def kill_node_a(args, restarted):
    """kill -9 of node A mid-session: the request in flight on A fails, the session goes on
    through B (and nginx), a task A ran ends failed once its lease is over; then A restarts."""
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    status, message = s.call(args.a, "test_simple_text")
    assert status == 200, message
    task = start_task(args.a, "slow_compute", {"seconds": 120})
    assert task_status(args.b, task)["status"] == "working"
    in_flight = {}

    def long_call():
        try:
            in_flight["status"], in_flight["message"] = s.call(args.a, "slow_compute", {"seconds": 30})
        except httpx.HTTPError as e:
            in_flight["error"] = f"{type(e).__name__}: {e}"

    caller = threading.Thread(target=long_call)
    caller.start()
    time.sleep(0.5)
    os.kill(args.a_pid, signal.SIGKILL)
    killed = time.monotonic()
    caller.join(timeout=10)
    assert not caller.is_alive(), "the request in flight on A never ended"
    assert "error" in in_flight, f"the request in flight on A did not fail: {in_flight}"
    wait_port(args.a_port, up=False)

    status, message = s.call(args.b, "test_simple_text")
    assert status == 200, f"the session on B after A died: {status} {message}"
    for i in range(4):  # nginx: A refuses connections, so every request ends on B
        status, message = s.call(args.lb, "test_simple_text")
        assert status == 200, f"call {i} through nginx after A died: {status} {message}"

    failed, _ = wait_task(args.b, task, {"failed", "completed", "cancelled"}, within=args.lease_s + 10)
    lapsed = time.monotonic() - killed
    assert failed["status"] == "failed", failed
    assert "node running this task stopped" in failed["error"]["message"], failed

    restarted.append(subprocess.Popen(shlex.split(args.a_restart), stdout=open(args.a_log, "ab"),
                                      stderr=subprocess.STDOUT))
    wait_port(args.a_port, up=True)
    status, message = s.call(args.a, "test_simple_text")
    assert status == 200, f"the session on the restarted A: {status} {message}"
    return (f"in-flight call on A failed ({in_flight['error'][:60]}); the session went on through "
            f"B and nginx; A's task failed {lapsed:.1f} s after the kill (lease {args.lease_s} s); "
            f"A restarted and serves the session")


def wait_port(port, up, within=10.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            if up:
                return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise AssertionError(f"port {port} not {'up' if up else 'down'} within {within}s")


def initialize_status(url):
    body = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": VERSION, "capabilities": {},
        "clientInfo": {"name": "scale-out-check", "version": "1.0.0"}}}
    started = time.monotonic()
    r = httpx.post(url, json=body, timeout=TIMEOUT, headers={
        "accept": "application/json, text/event-stream", "content-type": "application/json"})
    return r, time.monotonic() - started


def redis_down_and_back(args, restarted):
    s = Session(httpx.Client(timeout=TIMEOUT))
    s.initialize(args.a)
    subprocess.run(["redis-cli", "-p", str(args.redis_port), "SHUTDOWN", "NOSAVE"],
                   capture_output=True, check=False)
    wait_port(args.redis_port, up=False)
    r, took = initialize_status(args.b)
    assert r.status_code == 503, f"initialize with Redis down: {r.status_code} {r.text}"
    assert r.headers.get("retry-after"), f"no Retry-After: {dict(r.headers)}"
    assert r.json()["error"]["code"] == -32000, r.text
    assert took < 5, f"took {took:.1f}s"
    status, body = s.request(args.b, "tools/list")
    assert status == 503, f"a session B never held, with Redis down: {status} {body}"
    status, body = s.request(args.a, "tools/list")
    assert status == 200, f"A serves the session it holds: {status} {body}"
    restarted.append(subprocess.Popen(
        ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL))
    wait_port(args.redis_port, up=True)
    back = time.monotonic()
    while True:
        r, _ = initialize_status(args.b)
        if r.status_code == 200:
            break
        assert time.monotonic() - back < 10, f"no recovery: {r.status_code} {r.text}"
        time.sleep(0.1)
    recovered = time.monotonic() - back
    status, _ = s.request(args.b, "tools/list")
    assert status == 404, f"the session Redis lost, on B: {status}"
    return (f"503 + Retry-After in {took * 1000:.0f} ms while down; A kept serving what it "
            f"held; new sessions {recovered * 1000:.0f} ms after Redis came back; the old "
            f"one lost (404 on B)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--lb", required=True)
    parser.add_argument("--redis-port", type=int, required=True,
                        help="stopped and restarted by the last check")
    parser.add_argument("--a-pid", type=int, required=True, help="killed with SIGKILL by a check")
    parser.add_argument("--a-port", type=int, required=True)
    parser.add_argument("--a-restart", required=True, help="the command that starts A again")
    parser.add_argument("--a-log", required=True, help="where the restarted A logs")
    parser.add_argument("--lease-s", type=float, required=True, help="the nodes' task lease")
    args = parser.parse_args()
    check("a session alternating between nodes", lambda: alternating(args))
    check("a session through nginx round-robin", lambda: through_nginx(args))
    check("elicitation answered through the other node", lambda: elicitation_through_other_node(args))
    check("cancellation sent to the other node", lambda: cancel_from_other_node(args))
    check("list_changed raised on B reaches the GET stream on A", lambda: list_changed_across_nodes(args))
    check("DELETE on one node ends the session on both", lambda: delete_on_other_node(args))
    check("a stream dropped on A resumed on B (Last-Event-ID)", lambda: resume_on_other_node(args))
    check("a task created on A, polled and cancelled through B", lambda: task_cancelled_through_other_node(args))
    check("a task on A gets its input through B", lambda: task_input_through_other_node(args))
    restarted = []
    try:
        check("kill -9 of node A mid-session: the session goes on through B",
              lambda: kill_node_a(args, restarted))
        check("Redis stopped: 503 at once; restarted: recovery",
              lambda: redis_down_and_back(args, restarted))
    finally:
        for p in restarted:
            p.terminate()
            p.wait()
    print(f"{len(failures)} failure(s)")
    sys.exit(len(failures))


if __name__ == "__main__":
    main()
