// The OpenID Connect provider the tests sign in with: the certified
// `oidc-provider` package with a login form a test (or a browser) fills in
// with an account id, no consent step, and test hooks:
//
// - `POST /test/accounts` sets an account (JSON: id, email, email_verified,
//   name, groups, amr, tamper), so a test can change a person's groups
//   between two sign-ins;
// - an account's `tamper` ("audience" or "expired") makes its ID token come
//   back validly signed but for another client, or already expired.
//
// Usage: node provider.mjs <redirect_uri> [<client_id> <client_secret>]
// Prints `READY <issuer>` once it listens on a free port of 127.0.0.1.

import http from 'node:http';
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const [redirectUri, clientId = 'teampanel', clientSecret = 'test-client-secret'] = process.argv.slice(2);
if (!redirectUri) {
  console.error('usage: node provider.mjs <redirect_uri> [<client_id> <client_secret>]');
  process.exit(2);
}

const accounts = new Map();

function account(id) {
  return accounts.get(id) ?? {
    id, email: `${id}@example.org`, email_verified: true, name: id, groups: [], amr: ['pwd'],
  };
}

const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
const kid = 'test-key-1';
const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [privateJwk] },
  cookies: { keys: ['teampanel-test-cookies'] },
  claims: {
    // `amr` (how the person signed in) in every ID token, as an organisation's two-factor rule reads it.
    openid: ['sub', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // The claims of the granted scopes go into the ID token, where the panel reads them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => {
      const a = account(id);
      return { sub: id, email: a.email, email_verified: a.email_verified, name: a.name, groups: a.groups };
    },
  }),
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
});

// A tampered account's ID token is signed again with the provider's own key.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route !== 'token' || !ctx.body?.id_token) return;
  const claims = decodeJwt(ctx.body.id_token);
  const { tamper } = account(claims.sub);
  if (!tamper) return;
  const now = Math.floor(Date.now() / 1000);
  if (tamper === 'audience') claims.aud = 'another-client';
  if (tamper === 'expired') { claims.iat = now - 3600; claims.exp = now - 1800; }
  const header = decodeProtectedHeader(ctx.body.id_token);
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims).setProtectedHeader({ alg: header.alg, kid: header.kid }).sign(privateKey),
  };
});

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

async function interaction(req, res, uid, submitted) {
  const details = await provider.interactionDetails(req, res);
  if (submitted) {
    const form = new URLSearchParams(await readBody(req));
    const id = (form.get('login') ?? '').trim();
    if (!id) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('enter an account id');
      return;
    }
    const result = { login: { accountId: id, amr: account(id).amr ?? ['pwd'] } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name === 'login') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Test provider: sign in</title></head><body>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Account id</label> <input id="login" name="login" autofocus>
<label for="password">Password</label> <input id="password" name="password" type="password">
<button id="submit" type="submit">Sign in</button>
</form></body></html>`);
    return;
  }
  // Consent: the test client gets what it asked for, without a page.
  const { prompt: { details: missing }, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/test/accounts' && req.method === 'POST') {
      const a = JSON.parse(await readBody(req));
      accounts.set(a.id, a);
      res.writeHead(204);
      res.end();
      return;
    }
    const m = url.pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (m) {
      await interaction(req, res, m[1], Boolean(m[2]) && req.method === 'POST');
      return;
    }
    callback(req, res);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`test provider error: ${err.message}`);
  }
});

console.log(`READY ${issuer}`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
