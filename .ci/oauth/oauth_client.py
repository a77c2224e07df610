"""Checks examples/oauth.rs, an OAuth-protected MCP server, against a real OpenID provider
(.ci/oauth/provider.mjs) with the official Python MCP SDK client and plain HTTP.

Usage:
  oauth_client.py main    --url URL --issuer ISSUER --other-resource URL --mint CMD [--step-up] [--ctx-auth]
                          [--save-token FILE]
  oauth_client.py rotated --url URL --issuer ISSUER --mint CMD --old-token-file FILE
  oauth_client.py introspection --url URL --issuer ISSUER --other-resource URL --mint CMD

`--mint CMD` is the command that signs a JWT with the provider's current key (its arguments are
appended: --claims JSON [--header JSON]). `main` checks the metadata, the 401 challenge, the SDK
client's discovery in legacy and auto modes, refused tokens, and sessions bound to a subject;
`--step-up` adds the 403 insufficient_scope step-up (the runtime's per-tool scopes), `--ctx-auth`
checks that whoami sees the caller (the runtime's ctx.auth()). `rotated` runs after the
provider's keys were rotated: a token signed by the new key is accepted once the server fetched
the keys again, and one signed by the old key still is. `introspection` checks a server that
verifies opaque tokens by RFC 7662 introspection: the SDK client's discovery, and refusals.

Prints one line per check and a closing "oauth-client: N passed, M failed"; exits 1 on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import shlex
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import httpx2
from mcp.client import Client
from mcp.client.auth import TokenStorage
from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

PROTOCOL = "2025-11-25"
passed = 0
failed = 0


def check(label: str, ok: bool, detail: Any = "") -> bool:
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {label}")
    else:
        failed += 1
        print(f"FAIL {label}: {str(detail)[:600]}")
    return ok


class MemoryStorage(TokenStorage):
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


# --- plain HTTP ---------------------------------------------------------------------------


def http(method: str, url: str, headers: dict[str, str] | None = None, body: bytes | None = None):
    """(status, headers, body text) of one request; error statuses are answers too."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def provider_token(issuer: str, client: str, scope: str, resource: str) -> str:
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "scope": scope, "resource": resource})
    basic = base64.b64encode(f"{client}:{client}-secret".encode()).decode()
    status, _, body = http(
        "POST",
        f"{issuer}/token",
        {"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"},
        form.encode(),
    )
    if status != 200:
        raise RuntimeError(f"token endpoint answered {status}: {body}")
    return json.loads(body)["access_token"]


def jwt_part(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def b64(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def mint(command: str, claims: dict[str, Any]) -> str:
    args = shlex.split(command) + ["--claims", json.dumps(claims)]
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout.strip()


def mcp_post(url: str, token: str | None, message: dict[str, Any], session: str | None = None):
    """(status, headers, JSON-RPC message or None) of one POST to the MCP endpoint."""
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if session:
        headers["mcp-session-id"] = session
        headers["mcp-protocol-version"] = PROTOCOL
    status, response_headers, body = http("POST", url, headers, json.dumps(message).encode())
    parsed = None
    if status == 200:
        if (response_headers.get("content-type") or "").startswith("text/event-stream"):
            data = [line[5:].strip() for line in body.splitlines() if line.startswith("data:")]
            parsed = json.loads(data[-1]) if data and data[-1] else None
        elif body:
            parsed = json.loads(body)
    return status, response_headers, parsed


def initialize(url: str, token: str) -> tuple[int, str | None]:
    status, headers, _ = mcp_post(
        url,
        token,
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "oauth-suite", "version": "1"}},
        },
    )
    session = headers.get("mcp-session-id") if status == 200 else None
    if session:
        mcp_post(url, token, {"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
    return status, session


def call_tool(url: str, token: str, session: str, name: str):
    return mcp_post(
        url, token, {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": name, "arguments": {}}}, session
    )


# --- checks -------------------------------------------------------------------------------


def metadata_and_challenge(url: str, issuer: str) -> None:
    parts = urllib.parse.urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    prm_url = f"{origin}/.well-known/oauth-protected-resource{parts.path}"
    expected = {
        "resource": url,
        "authorization_servers": [issuer],
        "scopes_supported": ["mcp:read", "mcp:admin"],
        "bearer_methods_supported": ["header"],
        "resource_name": "mcp-auth example",
    }
    for where in (prm_url, f"{origin}/.well-known/oauth-protected-resource"):
        status, headers, body = http("GET", where)
        check(
            f"metadata at {urllib.parse.urlsplit(where).path}",
            status == 200 and headers.get("content-type") == "application/json" and json.loads(body) == expected,
            f"{status} {body}",
        )
    status, headers, body = mcp_post(url, None, {"jsonrpc": "2.0", "id": 1, "method": "ping"})
    challenge = headers.get("www-authenticate", "")
    check(
        "no token: 401 with resource_metadata and the scope every request needs",
        status == 401 and challenge == f'Bearer scope="mcp:read", resource_metadata="{prm_url}"',
        f"{status} {challenge!r}",
    )
    status, headers, _ = http(
        "POST",
        f"{url}?access_token=abc.def.ghi",
        {"content-type": "application/json", "accept": "application/json, text/event-stream"},
        b"{}",
    )
    check(
        "token in the query string: 400 invalid_request",
        status == 400 and 'error="invalid_request"' in headers.get("www-authenticate", ""),
        f"{status} {headers.get('www-authenticate')}",
    )


async def sdk_client(url: str, issuer: str, mode: str, ctx_auth: bool, opaque: bool = False) -> None:
    label = f"SDK client ({mode}{', opaque token' if opaque else ''})"
    provider = ClientCredentialsOAuthProvider(
        server_url=url,
        storage=MemoryStorage(),
        client_id="mcp-alice",
        client_secret="mcp-alice-secret",
        scope="mcp:read",
        issuer=issuer,
    )
    async with httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(30, read=300)) as http_client:
        transport = streamable_http_client(url, http_client=http_client)
        async with Client(transport, mode=mode, read_timeout_seconds=30) as client:
            check(f"{label}: connected after discovery (protocol {client.protocol_version})", bool(client.protocol_version))
            tools = sorted(tool.name for tool in (await client.list_tools()).tools)
            check(f"{label}: tools/list", tools == ["admin_reset", "whoami"], tools)
            result = await client.call_tool("whoami", {})
            text = result.content[0].text if result.content else ""
            check(f"{label}: whoami answers", not result.is_error, text)
            if ctx_auth:
                who = json.loads(text)
                check(
                    f"{label}: whoami sees the token's subject and scopes",
                    who.get("subject") == "mcp-alice" and "mcp:read" in (who.get("scopes") or []),
                    who,
                )
            token = provider.context.current_tokens
            if opaque:
                check(
                    f"{label}: the token is opaque (checked by introspection)",
                    token is not None and token.access_token.count(".") != 2,
                    token,
                )
            else:
                check(
                    f"{label}: the token came from the provider for this resource",
                    token is not None and jwt_part(token.access_token, 1).get("aud") == url,
                    token and jwt_part(token.access_token, 1),
                )


def refused_tokens(url: str, issuer: str, other_resource: str, mint_command: str) -> None:
    good = provider_token(issuer, "mcp-alice", "mcp:read", url)
    claims = jwt_part(good, 1)
    now = int(time.time())
    header, payload, signature = good.split(".")
    tampered_claims = dict(claims, scope="mcp:read mcp:admin")
    cases = {
        "a token for another resource": (
            provider_token(issuer, "mcp-alice", "mcp:read", other_resource),
            "not issued for this resource",
        ),
        "an expired token": (
            mint(mint_command, dict(claims, iat=now - 1200, exp=now - 600)),
            "expired",
        ),
        "a token of another issuer": (
            mint(mint_command, dict(claims, iss="http://127.0.0.1:9/not-the-issuer")),
            "another authorization server",
        ),
        "a tampered token (scope added, signature kept)": (
            f"{header}.{b64(tampered_claims)}.{signature}",
            "signature",
        ),
        "alg none": (f"{b64({'alg': 'none', 'typ': 'at+jwt'})}.{payload}.", "algorithm"),
    }
    for label, (token, reason) in cases.items():
        status, headers, _ = mcp_post(url, token, {"jsonrpc": "2.0", "id": 1, "method": "ping"})
        challenge = headers.get("www-authenticate", "")
        check(
            f"{label}: 401 invalid_token",
            status == 401 and 'error="invalid_token"' in challenge and reason in challenge,
            f"{status} {challenge!r}",
        )
    status, _ = initialize(url, good)
    check("the good token of the same client: accepted", status == 200, status)


def sessions_are_bound_to_subjects(url: str, issuer: str) -> None:
    alice = provider_token(issuer, "mcp-alice", "mcp:read", url)
    bob = provider_token(issuer, "mcp-bob", "mcp:read", url)
    status, session = initialize(url, alice)
    check("alice opens a session", status == 200 and bool(session), status)
    status, _, reply = mcp_post(url, alice, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, session)
    check("alice uses her session", status == 200 and reply is not None and "result" in reply, f"{status} {reply}")
    status, _, _ = mcp_post(url, bob, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, session)
    check("bob's token on alice's session: 404", status == 404, status)
    # A new token of alice (another jti, same subject) keeps the session.
    again = provider_token(issuer, "mcp-alice", "mcp:read mcp:admin", url)
    status, _, _ = mcp_post(url, again, {"jsonrpc": "2.0", "id": 4, "method": "tools/list"}, session)
    check("a new token of alice on her session: 200", status == 200, status)


def step_up(url: str, issuer: str) -> None:
    reader = provider_token(issuer, "mcp-alice", "mcp:read", url)
    status, session = initialize(url, reader)
    check("step-up: session opened with mcp:read", status == 200 and bool(session), status)
    status, headers, reply = call_tool(url, reader, session, "admin_reset")
    challenge = headers.get("www-authenticate", "")
    check(
        "step-up: admin_reset with mcp:read is 403 insufficient_scope naming mcp:admin",
        status == 403
        and 'error="insufficient_scope"' in challenge
        and "mcp:admin" in challenge
        and "resource_metadata=" in challenge,
        f"{status} {challenge!r} {reply}",
    )
    admin = provider_token(issuer, "mcp-alice", "mcp:read mcp:admin", url)
    status, _, reply = call_tool(url, admin, session, "admin_reset")
    check(
        "step-up: the same session with an mcp:admin token succeeds",
        status == 200 and reply is not None and "result" in reply and not reply["result"].get("isError", False),
        f"{status} {reply}",
    )


async def sdk_step_up(url: str, issuer: str) -> None:
    """The SDK client asked for mcp:read only: on the 403 it asks the provider for more."""
    provider = ClientCredentialsOAuthProvider(
        server_url=url,
        storage=MemoryStorage(),
        client_id="mcp-alice",
        client_secret="mcp-alice-secret",
        scope="mcp:read",
        issuer=issuer,
    )
    async with httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(30, read=300)) as http_client:
        async with Client(streamable_http_client(url, http_client=http_client), mode="legacy") as client:
            result = await client.call_tool("admin_reset", {})
            scopes = provider.context.current_tokens and jwt_part(provider.context.current_tokens.access_token, 1).get("scope")
            check(
                "step-up: the SDK client steps up to mcp:admin by itself",
                not result.is_error and "mcp:admin" in (scopes or ""),
                f"{result} scopes={scopes}",
            )


def introspected_refusals(url: str, issuer: str, other_resource: str) -> None:
    cases = {
        "introspection: a token for another resource": provider_token(issuer, "mcp-alice", "mcp:read", other_resource),
        "introspection: a token the provider never issued": "made-up-opaque-token-0123456789",
    }
    for label, token in cases.items():
        status, headers, _ = mcp_post(url, token, {"jsonrpc": "2.0", "id": 1, "method": "ping"})
        challenge = headers.get("www-authenticate", "")
        check(f"{label}: 401 invalid_token", status == 401 and 'error="invalid_token"' in challenge, f"{status} {challenge!r}")


def rotated(url: str, issuer: str, old_token: str) -> None:
    new = provider_token(issuer, "mcp-alice", "mcp:read", url)
    old_kid, new_kid = jwt_part(old_token, 0).get("kid"), jwt_part(new, 0).get("kid")
    check("rotation: the provider signs with a new key", old_kid != new_kid, f"{old_kid} {new_kid}")
    started = time.monotonic()
    status = None
    while time.monotonic() - started < 40:
        status, _ = initialize(url, new)
        if status == 200:
            break
        time.sleep(0.5)
    check(
        f"rotation: a token signed by the new key is accepted (after {time.monotonic() - started:.1f}s)",
        status == 200,
        status,
    )
    status, _ = initialize(url, old_token)
    check("rotation: a token signed by the old key still is", status == 200, status)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["main", "rotated", "introspection"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--other-resource")
    parser.add_argument("--mint", required=True)
    parser.add_argument("--step-up", action="store_true")
    parser.add_argument("--ctx-auth", action="store_true")
    parser.add_argument("--save-token")
    parser.add_argument("--old-token-file")
    args = parser.parse_args()

    async def guarded(label: str, run) -> None:
        try:
            result = run()
            if asyncio.iscoroutine(result):
                await asyncio.wait_for(result, timeout=120)
        except Exception as exc:  # noqa: BLE001 - report every failure, then go on
            check(label, False, "".join(traceback.format_exception_only(type(exc), exc)).strip())
            traceback.print_exc(file=sys.stdout)

    if args.phase == "main":
        await guarded("metadata and challenge", lambda: metadata_and_challenge(args.url, args.issuer))
        for mode in ("legacy", "auto"):
            await guarded(f"SDK client ({mode})", lambda mode=mode: sdk_client(args.url, args.issuer, mode, args.ctx_auth))
        await guarded("refused tokens", lambda: refused_tokens(args.url, args.issuer, args.other_resource, args.mint))
        await guarded("sessions bound to subjects", lambda: sessions_are_bound_to_subjects(args.url, args.issuer))
        if args.step_up:
            await guarded("step-up", lambda: step_up(args.url, args.issuer))
            await guarded("SDK step-up", lambda: sdk_step_up(args.url, args.issuer))
        if args.save_token:
            with open(args.save_token, "w") as out:
                out.write(provider_token(args.issuer, "mcp-alice", "mcp:read", args.url))
    elif args.phase == "introspection":
        await guarded("SDK client (introspection)", lambda: sdk_client(args.url, args.issuer, "legacy", False, opaque=True))
        await guarded("introspected refusals", lambda: introspected_refusals(args.url, args.issuer, args.other_resource))
    else:
        with open(args.old_token_file) as saved:
            old_token = saved.read().strip()
        await guarded("rotation", lambda: rotated(args.url, args.issuer, old_token))
    print(f"oauth-client: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
