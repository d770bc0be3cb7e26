// A real OpenID Connect provider on loopback for the shop's sign-in tests:
// `oidc-provider` (the OpenID Certified Node.js provider) with its built-in
// development login and consent pages, PKCE required, one client for the shop.
//
//   node provider.mjs --client-id ID --client-secret SECRET \
//     [--auth-method basic|post] [--port 0] [--callback /auth/test/callback]
//
// Prints one line of JSON once it listens: {"issuer":"http://127.0.0.1:PORT"}.
// The signing key and cookie keys are made at start and never leave the
// process. Any login and password sign in; the login is the subject (`sub`).
//
// The client is a loopback one (RFC 8252): its redirect URI is
// http://127.0.0.1 + the callback path on any port, so a shop started on a
// free port can use it without knowing the port in advance.

import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'auth-method': { type: 'string', default: 'basic' },
    callback: { type: 'string', default: '/auth/test/callback' },
  },
});
if (!args['client-id'] || !args['client-secret']) {
  console.error('--client-id and --client-secret are required');
  process.exit(2);
}
const authMethod = { basic: 'client_secret_basic', post: 'client_secret_post' }[args['auth-method']];
if (!authMethod) {
  console.error('--auth-method is basic or post');
  process.exit(2);
}

const server = createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      application_type: 'native',
      redirect_uris: [`http://127.0.0.1${args.callback}`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: authMethod,
    },
  ],
  pkce: { required: () => true },
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, name: sub, email: `${sub}@example.test` };
      },
    };
  },
});

server.on('request', provider.callback());
console.log(JSON.stringify({ issuer }));

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
