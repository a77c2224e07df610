// A real OpenID provider (npm `oidc-provider`) for the OAuth suite, plus the key chores the
// suite needs. Runs from a copy placed next to the package's node_modules (see 40-oauth.sh).
//
//   node provider.mjs serve  --state DIR --port P --resource URL [--other-resource URL]
//                            [--opaque-resource URL]
//   node provider.mjs rotate --state DIR     a new signing key first; the previous one stays
//                                            in the JWKS so its tokens still verify
//   node provider.mjs mint   --state DIR --claims JSON [--header JSON]
//                                            a JWT signed with the current signing key, for
//                                            tokens the provider will not issue (expired,
//                                            another issuer)
//
// The state directory holds keys.json: the private JWKs, newest (the signing key) first.
// Clients: mcp-alice and mcp-bob (client_credentials, client_secret_basic, secret
// "<id>-secret"), both allowed the scopes mcp:read and mcp:admin. An access token requested
// with `resource=<--resource>` (or `--other-resource`) is an RS256 JWT (typ at+jwt) whose `aud`
// is that resource and whose `sub` is the client id; one for `--opaque-resource` is opaque, for
// a server that checks tokens by introspection as the client mcp-server.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';

const [command, ...rest] = process.argv.slice(2);
const { values: args } = parseArgs({
  args: rest,
  options: {
    state: { type: 'string' },
    port: { type: 'string' },
    resource: { type: 'string' },
    'other-resource': { type: 'string' },
    'opaque-resource': { type: 'string' },
    claims: { type: 'string' },
    header: { type: 'string' },
  },
});
if (!args.state) {
  console.error('--state DIR is required');
  process.exit(2);
}
const keysFile = join(args.state, 'keys.json');

async function newKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = 'RS256';
  jwk.use = 'sig';
  return jwk;
}

async function loadKeys() {
  if (!existsSync(keysFile)) {
    mkdirSync(args.state, { recursive: true });
    writeFileSync(keysFile, JSON.stringify([await newKey()], null, 2));
  }
  return JSON.parse(readFileSync(keysFile, 'utf8'));
}

async function rotate() {
  const keys = await loadKeys();
  // The new key signs from now on; the old one is kept for a while (until the next rotation)
  // so tokens it signed stay verifiable.
  const rotated = [await newKey(), keys[0]];
  writeFileSync(keysFile, JSON.stringify(rotated, null, 2));
  console.log(`rotated: signing kid ${rotated[0].kid}, kept ${rotated[1].kid}`);
}

async function mint() {
  const [key] = await loadKeys();
  const claims = JSON.parse(args.claims ?? '{}');
  const header = { alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...JSON.parse(args.header ?? '{}') };
  const token = await new SignJWT(claims).setProtectedHeader(header).sign(await importJWK(key, 'RS256'));
  process.stdout.write(token);
}

async function serve() {
  const { default: Provider, errors } = await import('oidc-provider');
  const port = Number(args.port);
  const issuer = `http://127.0.0.1:${port}`;
  const resources = new Set([args.resource, args['other-resource'], args['opaque-resource']].filter(Boolean));
  const keys = await loadKeys();
  const client = (id) => ({
    client_id: id,
    client_secret: `${id}-secret`,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'mcp:read mcp:admin',
  });
  const provider = new Provider(issuer, {
    clients: [client('mcp-alice'), client('mcp-bob'), client('mcp-server')],
    jwks: { keys },
    scopes: ['openid', 'offline_access', 'mcp:read', 'mcp:admin'],
    cookies: { keys: ['oauth-suite-cookie-key'] },
    ttl: { ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (!resources.has(resourceIndicator)) {
            throw new errors.InvalidTarget();
          }
          return {
            scope: 'mcp:read mcp:admin',
            audience: resourceIndicator,
            accessTokenTTL: 600,
            ...(resourceIndicator === args['opaque-resource']
              ? { accessTokenFormat: 'opaque' }
              : { accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
          };
        },
      },
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('server_error', error));
  provider.on('grant.error', (_ctx, error) => console.error('grant.error', error.message, error.error_description ?? ''));
  const server = provider.listen(port, '127.0.0.1', () => {
    console.log(`oidc-provider listening: issuer ${issuer}, signing kid ${keys[0].kid}, ${keys.length} key(s) published`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const commands = { serve, rotate, mint };
if (!commands[command]) {
  console.error(`usage: provider.mjs serve|rotate|mint --state DIR ...`);
  process.exit(2);
}
await commands[command]();
