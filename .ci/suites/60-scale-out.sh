#!/usr/bin/env bash
# Scale-out: two nodes of examples/everything sharing one real redis-server (MCP_REDIS_URL),
# behind a plain round-robin nginx (no stickiness). First the mcp-redis tests, then the
# official conformance suite through nginx (0.1.16 --suite all, 0.2.0-alpha.12 --requirements
# 2025-11-25 and 2026-07-28), then the official Python (2.3.0) and TypeScript (1.32.2) client
# suites of suites 10 and 12 through nginx (everything on two nodes, and two quickstart nodes
# on a Redis of their own), then .ci/scaleout/scale_out.py: one session's requests on both nodes (directly
# and through nginx), an elicitation answered through the other node, a cancellation sent to
# the other node, a list change raised on B reaching the GET stream on A, DELETE on one node
# ending the session on both, a stream dropped on A resumed on B, a task created on A polled
# and cancelled through B, a task's input answered through B, kill -9 of node A mid-session
# (the call in flight on A fails, the session goes on through B and nginx, A's task ends
# failed once its lease is over, A restarts), Redis stopped and restarted. redis-server and
# nginx run in the foreground on free ports with generated
# configs; nothing is started as a system service.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

if ! command -v redis-server >/dev/null || ! command -v nginx >/dev/null; then
  ci_log "installing redis-server and nginx-light"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || ci_die "apt-get update"
  apt-get install -y -qq redis-server nginx-light >/dev/null || ci_die "apt-get install redis-server nginx-light"
fi

dir="$CI_CACHE/scale-out"
rm -rf "$dir"
mkdir -p "$dir/logs"

redis_port="$(ci_free_port)"
ci_start_server "$dir/redis.log" "$redis_port" \
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no
redis_url="redis://127.0.0.1:$redis_port/0"

# Each test starts (and stops, and restarts) a redis-server of its own; here none may skip.
ci_log "mcp-redis tests (real redis-server processes)"
(cd "$CI_ROOT" && MCP_REDIS_REQUIRED=1 cargo test --quiet -p mcp-redis) \
  || ci_die "mcp-redis tests against a real Redis"

everything="$(ci_example everything)"
# A short task lease, so that a task of a killed node is seen failed within seconds.
lease_ms=2000
a_port="$(ci_free_port)"
a_cmd="env MCP_REDIS_URL=$redis_url MCP_TASK_LEASE_MS=$lease_ms $everything 127.0.0.1:$a_port"
# shellcheck disable=SC2086 # one word each, no spaces in them
ci_start_server "$dir/node-a.log" "$a_port" $a_cmd
a_pid="${CI_PIDS[-1]}"
b_port="$(ci_free_port)"
ci_start_server "$dir/node-b.log" "$b_port" \
  env MCP_REDIS_URL="$redis_url" MCP_TASK_LEASE_MS="$lease_ms" "$everything" "127.0.0.1:$b_port"

# Two quickstart nodes on a Redis of their own (their bus and session cap apart from
# everything's), for the official clients' quickstart checks.
q_redis_port="$(ci_free_port)"
ci_start_server "$dir/redis-quickstart.log" "$q_redis_port" \
  redis-server --port "$q_redis_port" --bind 127.0.0.1 --save "" --appendonly no
quickstart="$(ci_example quickstart)"
stdio="$(ci_example stdio)"
qa_port="$(ci_free_port)"
ci_start_server "$dir/quickstart-a.log" "$qa_port" \
  env MCP_REDIS_URL="redis://127.0.0.1:$q_redis_port/0" "$quickstart" "127.0.0.1:$qa_port"
qb_port="$(ci_free_port)"
ci_start_server "$dir/quickstart-b.log" "$qb_port" \
  env MCP_REDIS_URL="redis://127.0.0.1:$q_redis_port/0" "$quickstart" "127.0.0.1:$qb_port"

lb_port="$(ci_free_port)"
lbq_port="$(ci_free_port)"
cat >"$dir/nginx.conf" <<NGINX
worker_processes 1;
error_log $dir/logs/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 256; }
http {
  log_format upstream '\$upstream_addr \$status';
  access_log $dir/logs/access.log upstream;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  # Plain round-robin: no stickiness, so one session's requests alternate between the nodes.
  upstream mcp_nodes {
    server 127.0.0.1:$a_port;
    server 127.0.0.1:$b_port;
    keepalive 16;
  }
  upstream quickstart_nodes {
    server 127.0.0.1:$qa_port;
    server 127.0.0.1:$qb_port;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$lb_port;
    location /mcp {
      proxy_pass http://mcp_nodes;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
    }
  }
  server {
    listen 127.0.0.1:$lbq_port;
    location /mcp {
      proxy_pass http://quickstart_nodes;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
    }
  }
}
NGINX
ci_start_server "$dir/nginx.log" "$lb_port" nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;'

# The official conformance suite through nginx: every scenario's requests spread over both
# nodes (SSE resumption included: the events are in Redis), gated as suite 20 gates it against
# one node (tasks and subscriptions/listen included: task state is in Redis, announcements go
# over the bus).
ci_node22
# conformance VERSION LABEL ARGS...: one run through nginx, gated on its results.
conformance() {
  local version="$1" label="$2"
  shift 2
  ci_npm_package "$CI_CACHE/conformance-$version" @modelcontextprotocol/conformance "$version"
  local results="$CI_CACHE/conformance-results/scale-out-$version-$label"
  rm -rf "$results"
  mkdir -p "$results"
  ci_log "conformance $version $* through nginx"
  local status=0
  timeout 600 "$CI_CACHE/conformance-$version/node_modules/.bin/conformance" server \
    --url "http://127.0.0.1:$lb_port/mcp" "$@" -o "$results" >"$dir/conformance-$label.log" 2>&1 \
    || status=$?
  sed -n '/=== SUMMARY ===/,$p' "$dir/conformance-$label.log" | tail -n 1
  python3 "$CI_ROOT/.ci/lib/conformance_gate.py" "$results" "$version-$label" \
    "$CI_ROOT/.ci/conformance-minimums.txt" || status=1
  [ "$status" -eq 0 ] || ci_die "conformance $version $* through nginx (log: $dir/conformance-$label.log)"
}
conformance 0.1.16 all --suite all
conformance 0.2.0-alpha.12 2025-11-25 --requirements 2025-11-25
conformance 0.2.0-alpha.12 2026-07-28 --requirements 2026-07-28

# The official clients' suites (as suites 10 and 12 run them against one node) through
# nginx: every request of their sessions on either node, both eras.
lb="http://127.0.0.1:$lb_port/mcp"
lbq="http://127.0.0.1:$lbq_port/mcp"
MCP_VERSION="2.3.0"
py_mcp="$(ci_python_mcp "$MCP_VERSION")"
ci_log "Python SDK $MCP_VERSION through nginx: quickstart $lbq, everything $lb"
"$py_mcp/bin/python" "$CI_ROOT/.ci/clients/python_client.py" --url "$lbq" --stdio "$stdio" \
  --everything "$lb" >"$dir/python-client.log" 2>&1 \
  && "$py_mcp/bin/python" "$CI_ROOT/.ci/clients/python_modern.py" "$lbq" >>"$dir/python-client.log" 2>&1 \
  || { tail -n 40 "$dir/python-client.log"; ci_die "Python SDK client through nginx (log: $dir/python-client.log)"; }
tail -n 3 "$dir/python-client.log"
SDK_VERSION="1.32.2"
sdk_dir="$CI_CACHE/ts-sdk-$SDK_VERSION"
ci_npm_package "$sdk_dir" @modelcontextprotocol/sdk "$SDK_VERSION"
ts_client="$sdk_dir/typescript_client.mjs"
cp "$CI_ROOT/.ci/clients/typescript_client.mjs" "$ts_client"
ci_log "TypeScript SDK $SDK_VERSION through nginx: quickstart $lbq, everything $lb"
timeout 300 node "$ts_client" --quickstart "$lbq" --everything "$lb" --stdio "$stdio" \
  >"$dir/typescript-client.log" 2>&1 \
  || { tail -n 40 "$dir/typescript-client.log"; ci_die "TypeScript SDK client through nginx (log: $dir/typescript-client.log)"; }
tail -n 3 "$dir/typescript-client.log"

HTTPX_VERSION="0.28.1"
venv="$CI_CACHE/py-httpx-$HTTPX_VERSION"
if ! "$venv/bin/python" -c "import httpx" 2>/dev/null; then
  ci_log "creating $venv with httpx==$HTTPX_VERSION"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "httpx==$HTTPX_VERSION" \
    || ci_die "pip install httpx==$HTTPX_VERSION"
fi
# (The last check stops this Redis and starts another on its port, which it stops again.)
ci_log "scale-out checks: A=127.0.0.1:$a_port B=127.0.0.1:$b_port nginx=127.0.0.1:$lb_port"
if "$venv/bin/python" "$CI_ROOT/.ci/scaleout/scale_out.py" \
  --a "http://127.0.0.1:$a_port/mcp" --b "http://127.0.0.1:$b_port/mcp" \
  --lb "http://127.0.0.1:$lb_port/mcp" --redis-port "$redis_port" \
  --a-pid "$a_pid" --a-port "$a_port" --a-restart "$a_cmd" --a-log "$dir/node-a.log" \
  --lease-s "$(python3 -c "print($lease_ms / 1000)")"; then
  # Round-robin really spread the nginx session over both nodes.
  for port in "$a_port" "$b_port"; do
    grep -q "127.0.0.1:$port " "$dir/logs/access.log" || ci_die "nginx sent nothing to 127.0.0.1:$port"
  done
  ci_log "nginx spread requests: $(awk '{print $1}' "$dir/logs/access.log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
  ci_log "PASS: scale-out (two nodes, real Redis, round-robin nginx) in ${SECONDS}s"
else
  for f in node-a node-b; do
    echo "--- $f log (last 30 lines)"
    tail -n 30 "$dir/$f.log"
  done
  ci_die "scale-out checks failed (see above)"
fi
