#!/usr/bin/env bash
# The official TypeScript MCP SDK client (pinned) against the quickstart over Streamable HTTP
# (tools, session id, DELETE), against examples/everything.rs over Streamable HTTP (resources,
# templates, prompts, completions, progress, logging, sampling, elicitation, its MCP App), and
# against the `stdio` example over stdio.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
trap ci_cleanup EXIT

SDK_VERSION="1.32.2"
ci_node22
sdk_dir="$CI_CACHE/ts-sdk-$SDK_VERSION"
ci_npm_package "$sdk_dir" @modelcontextprotocol/sdk "$SDK_VERSION"
# Node resolves an ES module's bare imports from the module's own directory (NODE_PATH does not
# apply), so the client runs from a copy next to the SDK's node_modules.
client="$sdk_dir/typescript_client.mjs"
cp "$CI_ROOT/.ci/clients/typescript_client.mjs" "$client"

quickstart="$(ci_example quickstart)"
stdio="$(ci_example stdio)"
everything="$(ci_example everything)"
quickstart_port="$(ci_free_port)"
quickstart_log="$CI_CACHE/quickstart-typescript-client.log"
ci_start_server "$quickstart_log" "$quickstart_port" "$quickstart" "127.0.0.1:$quickstart_port"
everything_port="$(ci_free_port)"
everything_log="$CI_CACHE/everything-typescript-client.log"
ci_start_server "$everything_log" "$everything_port" "$everything" "127.0.0.1:$everything_port"

ci_log "@modelcontextprotocol/sdk $SDK_VERSION -> quickstart at http://127.0.0.1:$quickstart_port/mcp, everything at http://127.0.0.1:$everything_port/mcp, stdio example"
if timeout 300 node "$client" \
  --quickstart "http://127.0.0.1:$quickstart_port/mcp" \
  --everything "http://127.0.0.1:$everything_port/mcp" \
  --stdio "$stdio"; then
  ci_log "PASS: TypeScript SDK client $SDK_VERSION (http quickstart, http everything: resources, prompts, completions, progress, logging, sampling, elicitation, MCP App; stdio) in ${SECONDS}s"
else
  echo "--- quickstart log (last 20 lines)"
  tail -n 20 "$quickstart_log"
  echo "--- everything log (last 40 lines)"
  tail -n 40 "$everything_log"
  ci_die "TypeScript SDK client $SDK_VERSION found failures (see above)"
fi
