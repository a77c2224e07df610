// Checks our servers with the official TypeScript MCP SDK client (@modelcontextprotocol/sdk).
//
// Usage: node typescript_client.mjs --quickstart URL --everything URL --stdio PATH
//
//   --quickstart  the quickstart calculator's endpoint, http://HOST:PORT/mcp
//   --everything  examples/everything.rs's endpoint, http://HOST:PORT/mcp
//   --stdio       path to the built `stdio` example
//
// The SDK is resolved from node_modules next to this file: .ci/suites/12-typescript-client.sh
// copies it into the SDK's install directory under the CI cache before running it. Prints one
// line per check and a closing "typescript-client: N passed, M failed"; exits 1 on any failure.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LATEST_PROTOCOL_VERSION,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

// The installed SDK's own manifest (its exports map sends `.../package.json` into dist/).
const SDK_VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/@modelcontextprotocol/sdk/package.json', import.meta.url), 'utf8'),
).version;

// The MCP App of examples/everything.rs (the io.modelcontextprotocol/ui extension, SEP-1865).
const UI_EXTENSION = 'io.modelcontextprotocol/ui';
const APP_MIME_TYPE = 'text/html;profile=mcp-app';
const APP_TOOL = 'convert_temperature';
const APP_URI = 'ui://everything/thermometer';

const EXPECTED_TOOLS = {
  add: {
    description: 'Add two numbers.',
    properties: { a: 'number', b: 'number' },
    required: ['a', 'b'],
  },
  divide: {
    description: 'Divide `a` by `b`; dividing by zero is a tool error, not a crash.',
    properties: { a: 'number', b: 'number' },
    required: ['a', 'b'],
  },
  round: {
    description: 'Round `x` to `digits` decimal places (0 when omitted).',
    properties: { x: 'number', digits: 'integer' },
    required: ['x'],
  },
};

let passed = 0;
let failed = 0;

function check(label, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok   ${label}`);
  } else {
    failed += 1;
    console.log(`FAIL ${label}: ${detail}`);
  }
}

const show = (value) => JSON.stringify(value);

/** The JSON type of a property schema; `["integer", "null"]` counts as "integer". */
function schemaType(schema) {
  const kind = schema?.type;
  if (Array.isArray(kind)) {
    const rest = kind.filter((k) => k !== 'null');
    return rest.length === 1 ? rest[0] : undefined;
  }
  return kind;
}

/** The first text block of a result's content, or "". */
function textOf(result) {
  const block = (result?.content ?? []).find((b) => b.type === 'text');
  return block ? block.text : '';
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Runs `body`; an exception (or a timeout) counts as one failed check named `label`. */
async function section(label, seconds, body) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${seconds} s`)), seconds * 1000);
  });
  try {
    await Promise.race([body(), timeout]);
  } catch (error) {
    check(`${label}: session`, false, error?.stack ?? String(error));
  } finally {
    clearTimeout(timer);
  }
}

/** A `fetch` that records the method and status of every HTTP exchange. */
function recordingFetch(log) {
  return async (url, init) => {
    const response = await fetch(url, init);
    log.push({ method: init?.method ?? 'GET', status: response.status });
    return response;
  };
}

/** tools/list and the calculator's calls, shared by the HTTP and the stdio runs. */
async function calculatorChecks(label, client, expectedTools) {
  const info = client.getServerVersion();
  check(`${label}: serverInfo`, info?.name === 'calculator' && info?.version === '1.0.0', show(info));

  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  check(`${label}: tools/list names`, sameList(names, expectedTools), show(names));
  for (const name of expectedTools) {
    const want = EXPECTED_TOOLS[name];
    const tool = tools.find((t) => t.name === name);
    if (!tool) {
      check(`${label}: tool ${name}`, false, 'missing');
      continue;
    }
    check(`${label}: ${name} description`, tool.description === want.description, show(tool.description));
    const schema = tool.inputSchema ?? {};
    const props = schema.properties ?? {};
    const types = Object.fromEntries(Object.keys(want.properties).map((k) => [k, schemaType(props[k])]));
    check(
      `${label}: ${name} inputSchema`,
      schema.type === 'object' &&
        sameList(Object.keys(props).sort(), Object.keys(want.properties).sort()) &&
        show(types) === show(want.properties) &&
        sameList([...(schema.required ?? [])].sort(), [...want.required].sort()),
      show(schema),
    );
  }

  const added = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
  check(
    `${label}: add(2, 3) = "5"`,
    !added.isError && show(added.content) === show([{ type: 'text', text: '5' }]),
    show(added),
  );
  const divided = await client.callTool({ name: 'divide', arguments: { a: 1, b: 0 } });
  check(
    `${label}: divide(1, 0) is a tool error`,
    divided.isError === true && textOf(divided).includes('division by zero'),
    show(divided),
  );
  const invalid = await client.callTool({ name: 'add', arguments: { a: 'two', b: 3 } });
  check(
    `${label}: add(a: "two") is a tool error naming \`a\``,
    invalid.isError === true && /`a`/.test(textOf(invalid)) && textOf(invalid).includes('two'),
    show(invalid),
  );
  const missing = await client.callTool({ name: 'add', arguments: { a: 1 } });
  check(
    `${label}: add without \`b\` is a tool error naming \`b\``,
    missing.isError === true && /`b`/.test(textOf(missing)),
    show(missing),
  );
}

/** The quickstart over Streamable HTTP: handshake, tools, session id and DELETE. */
async function quickstart(url) {
  const label = 'http quickstart';
  const exchanges = [];
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: recordingFetch(exchanges) });
  const client = new Client({ name: 'ci-typescript-client', version: SDK_VERSION });
  try {
    await client.connect(transport);
    check(
      `${label}: initialize (protocol ${transport.protocolVersion})`,
      transport.protocolVersion === LATEST_PROTOCOL_VERSION,
      `negotiated ${transport.protocolVersion}, the SDK's latest is ${LATEST_PROTOCOL_VERSION}`,
    );
    const sessionId = transport.sessionId;
    check(`${label}: Mcp-Session-Id issued`, typeof sessionId === 'string' && sessionId.length > 0, show(sessionId));
    check(`${label}: tools capability`, client.getServerCapabilities()?.tools !== undefined,
      show(client.getServerCapabilities()));
    check(
      `${label}: no MCP Apps extension (the quickstart has no app)`,
      client.getServerCapabilities()?.extensions?.[UI_EXTENSION] === undefined,
      show(client.getServerCapabilities()),
    );

    await calculatorChecks(label, client, ['add', 'divide', 'round']);
    const rounded = await client.callTool({ name: 'round', arguments: { x: 2.71828, digits: 2 } });
    check(`${label}: round(2.71828, 2) = 2.72`, !rounded.isError && Number(textOf(rounded)) === 2.72, show(rounded));

    // DELETE ends the session: the SDK accepts 405 too, so look at the status, then make sure
    // the old session id is refused (404) afterwards.
    await transport.terminateSession();
    const deleted = exchanges.filter((e) => e.method === 'DELETE');
    check(
      `${label}: terminateSession() sends DELETE, answered 2xx`,
      deleted.length === 1 && deleted[0].status >= 200 && deleted[0].status < 300,
      show(deleted),
    );
    check(`${label}: session id cleared`, transport.sessionId === undefined, show(transport.sessionId));
    const after = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': transport.protocolVersion,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list' }),
    });
    await after.body?.cancel();
    check(`${label}: the deleted session answers 404`, after.status === 404, `HTTP ${after.status}`);
  } finally {
    await client.close();
  }
}

/** examples/everything.rs over Streamable HTTP: resources, prompts, completions, and tools that
 * report progress, log, sample and elicit. */
async function everything(url) {
  const label = 'http everything';
  const client = new Client(
    { name: 'ci-typescript-client', version: SDK_VERSION },
    {
      capabilities: {
        sampling: {},
        elicitation: {},
        // A host that renders MCP Apps says so.
        extensions: { [UI_EXTENSION]: { mimeTypes: [APP_MIME_TYPE] } },
      },
    },
  );

  const logs = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    logs.push(n.params);
  });
  const samplingRequests = [];
  client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
    samplingRequests.push(request.params);
    return {
      model: 'ci-stub-model',
      role: 'assistant',
      stopReason: 'endTurn',
      content: { type: 'text', text: 'The stub model says: Paris' },
    };
  });
  const elicitations = [];
  let elicitAnswer = { action: 'accept', content: { username: 'octocat', email: 'octocat@example.com' } };
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitations.push(request.params);
    return elicitAnswer;
  });

  const transport = new StreamableHTTPClientTransport(new URL(url));
  try {
    await client.connect(transport);
    const info = client.getServerVersion();
    check(`${label}: serverInfo`, info?.name === 'mcp-conformance-test-server', show(info));
    check(
      `${label}: serverInfo title, description, websiteUrl and icons`,
      info?.title === 'MCP Conformance Test Server' &&
        info?.description === 'Every feature the conformance suite exercises.' &&
        info?.websiteUrl === 'https://modelcontextprotocol.io' &&
        info?.icons?.length === 1 &&
        info.icons[0].src === 'data:image/svg+xml;base64,PHN2Zy8+' &&
        info.icons[0].mimeType === 'image/svg+xml' &&
        JSON.stringify(info.icons[0].sizes) === '["any"]',
      show(info),
    );
    const caps = client.getServerCapabilities() ?? {};
    check(
      `${label}: capabilities tools, resources, prompts, logging, completions`,
      ['tools', 'resources', 'prompts', 'logging', 'completions'].every((k) => caps[k] !== undefined),
      show(caps),
    );

    // Resources.
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri).sort();
    check(
      `${label}: resources/list`,
      // The skills extension lists each skill's SKILL.md as a resource too (SEP-2640).
      sameList(uris, [
        'skill://release-notes/SKILL.md',
        'test://static-binary',
        'test://static-text',
        'test://watched-resource',
        APP_URI,
      ]) &&
        resources.find((r) => r.uri === 'test://static-text')?.name === 'Static Text Resource' &&
        resources.find((r) => r.uri === 'skill://release-notes/SKILL.md')?.mimeType ===
          'text/markdown',
      show(resources),
    );
    const annotations = resources.find((r) => r.uri === 'test://static-text')?.annotations;
    check(
      `${label}: resources/list annotations`,
      JSON.stringify(annotations) === '{"audience":["user","assistant"],"priority":0.5}',
      show(annotations),
    );
    const text = await client.readResource({ uri: 'test://static-text' });
    check(
      `${label}: resources/read test://static-text`,
      text.contents.length === 1 &&
        text.contents[0].uri === 'test://static-text' &&
        text.contents[0].mimeType === 'text/plain' &&
        text.contents[0].text === 'This is the content of the static text resource.',
      show(text),
    );
    const binary = await client.readResource({ uri: 'test://static-binary' });
    const png = Buffer.from(binary.contents[0]?.blob ?? '', 'base64');
    check(
      `${label}: resources/read test://static-binary is a PNG blob`,
      binary.contents[0]?.mimeType === 'image/png' &&
        png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
      show(binary),
    );
    const { resourceTemplates } = await client.listResourceTemplates();
    check(
      `${label}: resources/templates/list`,
      resourceTemplates.length === 1 &&
        resourceTemplates[0].uriTemplate === 'test://template/{id}/data' &&
        resourceTemplates[0].mimeType === 'application/json',
      show(resourceTemplates),
    );
    const templated = await client.readResource({ uri: 'test://template/42/data' });
    let data;
    try {
      data = JSON.parse(templated.contents[0]?.text ?? '');
    } catch {
      data = undefined;
    }
    check(
      `${label}: resources/read test://template/42/data`,
      templated.contents[0]?.uri === 'test://template/42/data' &&
        data?.id === '42' && data?.templateTest === true && data?.data === 'Data for ID: 42',
      show(templated),
    );

    // Prompts.
    const { prompts } = await client.listPrompts();
    const promptNames = prompts.map((p) => p.name);
    const withArgs = prompts.find((p) => p.name === 'test_prompt_with_arguments');
    check(
      `${label}: prompts/list`,
      ['test_simple_prompt', 'test_prompt_with_arguments', 'test_prompt_with_embedded_resource',
        'test_prompt_with_image'].every((n) => promptNames.includes(n)) &&
        show((withArgs?.arguments ?? []).map((a) => [a.name, a.required === true])) ===
          show([['arg1', true], ['arg2', true]]),
      show(prompts),
    );
    const prompt = await client.getPrompt({
      name: 'test_prompt_with_arguments',
      arguments: { arg1: 'hello', arg2: 'world' },
    });
    check(
      `${label}: prompts/get test_prompt_with_arguments`,
      prompt.messages.length === 1 &&
        prompt.messages[0].role === 'user' &&
        prompt.messages[0].content.type === 'text' &&
        prompt.messages[0].content.text === "Prompt with arguments: arg1='hello', arg2='world'",
      show(prompt),
    );
    const embedded = await client.getPrompt({
      name: 'test_prompt_with_embedded_resource',
      arguments: { resourceUri: 'test://example' },
    });
    check(
      `${label}: prompts/get test_prompt_with_embedded_resource`,
      embedded.messages.length === 2 &&
        embedded.messages[0].content.type === 'resource' &&
        embedded.messages[0].content.resource.uri === 'test://example' &&
        embedded.messages[0].content.resource.text === 'Embedded resource content for testing.',
      show(embedded),
    );

    // Completions.
    const promptCompletion = await client.complete({
      ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'pa' },
    });
    check(
      `${label}: completion/complete prompt arg1 "pa"`,
      sameList(promptCompletion.completion.values, ['paris', 'park', 'party']),
      show(promptCompletion),
    );
    const templateCompletion = await client.complete({
      ref: { type: 'ref/resource', uri: 'test://template/{id}/data' },
      argument: { name: 'id', value: '2' },
    });
    check(
      `${label}: completion/complete template id "2"`,
      sameList(templateCompletion.completion.values, ['222']),
      show(templateCompletion),
    );

    // Tools.
    const { tools } = await client.listTools();
    const toolNames = tools.map((t) => t.name);
    const wanted = ['test_simple_text', 'test_tool_with_progress', 'test_tool_with_logging', 'test_sampling',
      'test_elicitation', 'test_error_handling', 'test_image_content'];
    check(`${label}: tools/list`, wanted.every((n) => toolNames.includes(n)), show(toolNames));

    // The MCP App: the tool links its view, the view is HTML served as the app MIME type.
    check(
      `${label}: capabilities.extensions declares ${UI_EXTENSION}`,
      show(client.getServerCapabilities()?.extensions?.[UI_EXTENSION]) === '{}',
      show(client.getServerCapabilities()),
    );
    const appTool = tools.find((t) => t.name === APP_TOOL);
    check(
      `${label}: ${APP_TOOL} _meta.ui.resourceUri`,
      appTool?._meta?.ui?.resourceUri === APP_URI && appTool._meta['ui/resourceUri'] === APP_URI,
      show(appTool),
    );
    check(
      `${label}: no other tool has _meta.ui`,
      tools.filter((t) => t.name !== APP_TOOL && t._meta?.ui !== undefined).length === 0,
      show(tools.filter((t) => t._meta !== undefined).map((t) => t.name)),
    );
    const listedApp = resources.find((r) => r.uri === APP_URI);
    check(
      `${label}: resources/list ${APP_URI}`,
      listedApp?.mimeType === APP_MIME_TYPE && listedApp._meta?.ui?.prefersBorder === true,
      show(listedApp),
    );
    const view = await client.readResource({ uri: appTool?._meta?.ui?.resourceUri ?? APP_URI });
    const html = view.contents[0]?.text ?? '';
    check(
      `${label}: resources/read ${APP_URI} is the app's HTML`,
      view.contents.length === 1 &&
        view.contents[0].uri === APP_URI &&
        view.contents[0].mimeType === APP_MIME_TYPE &&
        /^<!doctype html>/i.test(html.trimStart()) &&
        html.includes('ui/initialize') &&
        show(view.contents[0]._meta) === show({ ui: { prefersBorder: true } }),
      show(view).slice(0, 400),
    );
    const converted = await client.callTool({ name: APP_TOOL, arguments: { celsius: 100 } });
    check(
      `${label}: ${APP_TOOL} still answers in text`,
      !converted.isError &&
        textOf(converted) === '100 °C is 212 °F.' &&
        converted.structuredContent?.fahrenheit === 212,
      show(converted),
    );
    const simple = await client.callTool({ name: 'test_simple_text', arguments: {} });
    check(
      `${label}: test_simple_text`,
      !simple.isError && textOf(simple) === 'This is a simple text response for testing.',
      show(simple),
    );
    const image = await client.callTool({ name: 'test_image_content', arguments: {} });
    check(
      `${label}: test_image_content`,
      image.content?.[0]?.type === 'image' && image.content[0].mimeType === 'image/png' &&
        Buffer.from(image.content[0].data, 'base64').subarray(1, 4).toString() === 'PNG',
      show(image),
    );
    const error = await client.callTool({ name: 'test_error_handling', arguments: {} });
    check(
      `${label}: test_error_handling is a tool error`,
      error.isError === true && textOf(error) === 'This tool intentionally returns an error for testing',
      show(error),
    );

    const progress = [];
    const progressed = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    check(
      `${label}: test_tool_with_progress result`,
      !progressed.isError && textOf(progressed) === 'Progress test completed',
      show(progressed),
    );
    check(
      `${label}: test_tool_with_progress sent progress 0, 50, 100 of 100`,
      show(progress.map((p) => [p.progress, p.total, p.message])) ===
        show([[0, 100, 'Starting'], [50, 100, 'Halfway'], [100, 100, 'Done']]),
      show(progress),
    );

    await client.setLoggingLevel('debug');
    logs.length = 0;
    const logged = await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    check(
      `${label}: test_tool_with_logging result`,
      !logged.isError && textOf(logged) === 'Tool with logging executed successfully',
      show(logged),
    );
    check(
      `${label}: test_tool_with_logging sent 3 info messages (level debug)`,
      show(logs.map((l) => [l.level, l.data])) ===
        show([['info', 'Tool execution started'], ['info', 'Tool processing data'],
          ['info', 'Tool execution completed']]),
      show(logs),
    );
    await client.setLoggingLevel('warning');
    logs.length = 0;
    await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    check(`${label}: no info messages at level warning`, logs.length === 0, show(logs));

    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'Capital of France?' } });
    const asked = samplingRequests[0];
    check(
      `${label}: test_sampling sent sampling/createMessage`,
      samplingRequests.length === 1 &&
        asked.maxTokens === 100 &&
        asked.messages?.[0]?.role === 'user' &&
        asked.messages[0].content?.text === 'Capital of France?',
      show(samplingRequests),
    );
    check(
      `${label}: test_sampling returned the client's answer`,
      !sampled.isError && textOf(sampled) === 'LLM response: The stub model says: Paris',
      show(sampled),
    );

    const accepted = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
    const form = elicitations[0];
    check(
      `${label}: test_elicitation sent elicitation/create`,
      elicitations.length === 1 &&
        form.message === 'Who are you?' &&
        form.requestedSchema?.type === 'object' &&
        form.requestedSchema.properties?.username?.type === 'string' &&
        form.requestedSchema.properties?.email?.format === 'email' &&
        sameList([...(form.requestedSchema.required ?? [])].sort(), ['email', 'username']),
      show(elicitations),
    );
    check(
      `${label}: test_elicitation accepted`,
      !accepted.isError &&
        textOf(accepted) === 'User response: action=accept, username=octocat, email=octocat@example.com',
      show(accepted),
    );
    elicitAnswer = { action: 'decline' };
    const declined = await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } });
    check(
      `${label}: test_elicitation declined`,
      !declined.isError && /^User response: action=decline$/i.test(textOf(declined)),
      show(declined),
    );
  } finally {
    await client.close();
  }
}

/** The `stdio` example, launched by the SDK as a child process. */
async function stdio(path) {
  const label = 'stdio';
  const transport = new StdioClientTransport({ command: path, args: [], stderr: 'inherit' });
  const client = new Client({ name: 'ci-typescript-client', version: SDK_VERSION });
  try {
    await client.connect(transport);
    await calculatorChecks(label, client, ['add', 'divide']);
    const added = await client.callTool({ name: 'add', arguments: { a: 2, b: 3.5 } });
    check(`${label}: add(2, 3.5) = 5.5`, !added.isError && Number(textOf(added)) === 5.5, show(added));
  } finally {
    await client.close();
  }
}

const { values } = parseArgs({
  options: {
    quickstart: { type: 'string' },
    everything: { type: 'string' },
    stdio: { type: 'string' },
  },
});
if (!values.quickstart || !values.everything || !values.stdio) {
  console.error('usage: typescript_client.mjs --quickstart URL --everything URL --stdio PATH');
  process.exit(2);
}

console.log(`@modelcontextprotocol/sdk ${SDK_VERSION} (protocol ${LATEST_PROTOCOL_VERSION})`);
await section('http quickstart', 60, () => quickstart(values.quickstart));
await section('http everything', 60, () => everything(values.everything));
await section('stdio', 60, () => stdio(values.stdio));
console.log(`typescript-client: ${passed} passed, ${failed} failed`);
process.exit(failed || !passed ? 1 : 0);
