#!/usr/bin/env bash
# Authorization against a real OpenID provider: npm `oidc-provider` (pinned) under Node 22,
# configured by .ci/oauth/provider.mjs (client credentials, resource indicators, RS256 JWT access
# tokens for our resource, scopes mcp:read and mcp:admin), in front of examples/oauth.rs.
#
# 1. The MCP server starts while the provider is down: 401 and a WARN line, then it recovers
#    by itself once the provider is up.
# 2. .ci/oauth/oauth_client.py: the metadata and the 401 challenge, the official Python SDK
#    client (pinned) discovering everything in legacy and auto modes, refused tokens (another
#    resource, expired, another issuer, tampered, alg none), sessions bound to subjects, and the
#    403 insufficient_scope on admin_reset and the step-up to a token with mcp:admin.
# 3. A second instance checking opaque tokens by introspection (RFC 7662) as client mcp-server.
# 4. The provider's keys rotated: new tokens accepted after one refetch, old ones still.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

OIDC_PROVIDER_VERSION="9.13.3"
MCP_VERSION="2.3.0"

command -v curl >/dev/null || ci_die "curl is needed"
ci_node22
provider_dir="$CI_CACHE/oidc-provider-$OIDC_PROVIDER_VERSION"
ci_npm_package "$provider_dir" oidc-provider "$OIDC_PROVIDER_VERSION"
# Node resolves an ES module's imports from the module's own directory: run a copy placed
# next to the package's node_modules.
provider="$provider_dir/provider.mjs"
cp "$CI_ROOT/.ci/oauth/provider.mjs" "$provider"

venv="$(ci_python_mcp "$MCP_VERSION")"

example="$(ci_example oauth)"
state="$CI_CACHE/oauth-provider-state"
rm -rf "$state" # fresh keys every run
as_port="$(ci_free_port)"
mcp_port="$(ci_free_port)"
introspecting_port="$(ci_free_port)"
issuer="http://127.0.0.1:$as_port"
resource="http://127.0.0.1:$mcp_port/mcp"
other_resource="http://127.0.0.1:$mcp_port/another-mcp-server"
opaque_resource="http://127.0.0.1:$introspecting_port/mcp"
server_log="$CI_CACHE/oauth-example.log"
provider_log="$CI_CACHE/oauth-provider.log"
mint=(node "$provider" mint --state "$state")

fail() {
  echo "--- MCP server log (last 40 lines)"
  tail -n 40 "$server_log" || true
  echo "--- provider log (last 20 lines)"
  tail -n 20 "$provider_log" || true
  ci_die "$@"
}

# status of an initialize POST with bearer token $1 (the body goes to $2 when given)
initialize() {
  curl -s -o "${2:-/dev/null}" -w '%{http_code}' -X POST "$resource" \
    -H "authorization: Bearer $1" -H 'content-type: application/json' \
    -H 'accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"oauth-suite","version":"1"}}}'
}

start_provider() {
  ci_start_server "$provider_log" "$as_port" node "$provider" serve --state "$state" \
    --port "$as_port" --resource "$resource" --other-resource "$other_resource" \
    --opaque-resource "$opaque_resource"
  provider_pid="${CI_PIDS[-1]}"
}

# --- 1. authorization server down at startup ----------------------------------------------
# MCP_JWKS_REFETCH_SECS: the rotation check below need not wait the default 30 s.
ci_start_server "$server_log" "$mcp_port" env MCP_ISSUER="$issuer" MCP_RESOURCE="$resource" \
  MCP_JWKS_REFETCH_SECS=2 "$example" "127.0.0.1:$mcp_port"
now="$(date +%s)"
early_token="$("${mint[@]}" --claims "{\"iss\":\"$issuer\",\"sub\":\"mcp-alice\",\"aud\":\"$resource\",\"scope\":\"mcp:read\",\"iat\":$now,\"exp\":$((now + 600))}")"
status="$(initialize "$early_token" "$CI_CACHE/oauth-down.json")"
[ "$status" = 401 ] || fail "provider down: expected 401, got $status"
grep -q "authorization server is unreachable" "$CI_CACHE/oauth-down.json" \
  || fail "provider down: the 401 does not say why: $(cat "$CI_CACHE/oauth-down.json")"
grep -q "WARN.*authorization server unreachable" "$server_log" \
  || fail "provider down: no WARN 'authorization server unreachable' line in the server log"
ci_log "ok   provider down at startup: the server started, answers 401 and logged:"
grep -m1 "authorization server unreachable" "$server_log" | cut -c1-300

start_provider
started=$SECONDS
until [ "$(initialize "$early_token")" = 200 ]; do
  [ $((SECONDS - started)) -lt 40 ] || fail "the server did not recover within 40 s of the provider starting"
  sleep 0.5
done
ci_log "ok   recovered $((SECONDS - started)) s after the provider came up (the same token is now accepted)"

# --- 2. the Python client checks ----------------------------------------------------------
flags=(--step-up --ctx-auth)
old_token_file="$CI_CACHE/oauth-old-token"
ci_log "mcp $MCP_VERSION (Python) -> $resource, oidc-provider $OIDC_PROVIDER_VERSION at $issuer"
"$venv/bin/python" "$CI_ROOT/.ci/oauth/oauth_client.py" main --url "$resource" --issuer "$issuer" \
  --other-resource "$other_resource" --mint "${mint[*]}" --save-token "$old_token_file" "${flags[@]}" \
  || fail "the OAuth checks found failures (see above)"

# --- 3. introspection ----------------------------------------------------------------------
introspecting_log="$CI_CACHE/oauth-example-introspection.log"
ci_start_server "$introspecting_log" "$introspecting_port" env MCP_ISSUER="$issuer" \
  MCP_RESOURCE="$opaque_resource" MCP_INTROSPECTION_CLIENT_ID=mcp-server \
  MCP_INTROSPECTION_CLIENT_SECRET=mcp-server-secret "$example" "127.0.0.1:$introspecting_port"
"$venv/bin/python" "$CI_ROOT/.ci/oauth/oauth_client.py" introspection --url "$opaque_resource" \
  --issuer "$issuer" --other-resource "$resource" --mint "${mint[*]}" \
  || { tail -n 20 "$introspecting_log"; fail "the introspection checks found failures (see above)"; }

# --- 4. key rotation ----------------------------------------------------------------------
fetches_before="$(grep -c "fetched the issuer's signing keys" "$server_log" || true)"
kill "$provider_pid"
wait "$provider_pid" 2>/dev/null || true
node "$provider" rotate --state "$state" | sed "s/^/[$(basename "$0" .sh)] /"
start_provider
"$venv/bin/python" "$CI_ROOT/.ci/oauth/oauth_client.py" rotated --url "$resource" --issuer "$issuer" \
  --mint "${mint[*]}" --old-token-file "$old_token_file" \
  || fail "key rotation checks failed (see above)"
fetches_after="$(grep -c "fetched the issuer's signing keys" "$server_log" || true)"
[ "$fetches_after" -gt "$fetches_before" ] || fail "the server did not fetch the rotated keys"
ci_log "ok   the rotated keys were fetched ($fetches_before -> $fetches_after fetches in all)"

ci_log "PASS: OAuth resource server against oidc-provider $OIDC_PROVIDER_VERSION with the Python SDK $MCP_VERSION (startup without the provider, metadata, challenges, SDK discovery legacy+auto, refused tokens, subject-bound sessions, introspection, key rotation${flags[*]:+; ${flags[*]}}) in ${SECONDS}s"
