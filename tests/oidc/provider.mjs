// A real OpenID provider for writ's tests: the npm `oidc-provider` package on 127.0.0.1, a port
// chosen by the system, one confidential client, and the test users of a JSON file.
//
//   node tests/oidc/provider.mjs users.json
//
// users.json: {"client": {"client_id", "client_secret", "redirect_uris": [...],
//                         "post_logout_redirect_uris": [...], "backchannel_logout_uri"?},
//              "users": [{"login", "password", "otp", "name", "groups": [...]}]}
// Prints one JSON line {"issuer": "http://127.0.0.1:PORT"} when it is listening.
//
// Sign-in is a plain HTML form a test can fill in over HTTP. A password alone gives the
// assurance level urn:writ:loa:1; the password and the user's one-time code give
// urn:writ:loa:2. Consent is granted at once: the client is the agency's own application.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const LOA1 = 'urn:writ:loa:1';
const LOA2 = 'urn:writ:loa:2';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const users = new Map(config.users.map((u) => [u.login, u]));

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, wantsLoa2, error) {
  const otp = wantsLoa2
    ? '<label for="otp">One-time code</label><input id="otp" name="otp">'
    : '';
  return `<!doctype html><html lang="en"><title>Test provider sign-in</title>
<h1>Sign in</h1>${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Login</label><input id="login" name="login">
<label for="password">Password</label><input id="password" name="password" type="password">
${otp}<button type="submit">Sign in</button></form></html>`;
}

// RP-Initiated Logout: the provider asks before it ends its own session (writ's sign-out sends
// the browser here), then sends it back to the client's registered post-logout address.
async function logoutSource(ctx, form) {
  ctx.body = `<!doctype html><html lang="en"><title>Test provider sign-out</title>
<h1>Sign out of Test ID?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></html>`;
}

async function postLogoutSuccessSource(ctx) {
  ctx.body = `<!doctype html><html lang="en"><title>Test provider: signed out</title>
<h1>You are signed out of Test ID</h1></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(html);
}

async function grantConsent(provider, req, res, details) {
  const { prompt, params, session } = details;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const wantsLoa2 = String(details.params.acr_values || '').split(' ').includes(LOA2);
  if (req.method === 'GET') {
    if (details.prompt.name === 'consent') return grantConsent(provider, req, res, details);
    return send(res, 200, loginPage(details.uid, wantsLoa2, ''));
  }
  const form = await readForm(req);
  const user = users.get(form.get('login') || '');
  if (!user || user.password !== form.get('password')) {
    return send(res, 200, loginPage(details.uid, wantsLoa2, 'Login or password is wrong.'));
  }
  const otp = form.get('otp') || '';
  if (wantsLoa2 && otp !== user.otp) {
    return send(res, 200, loginPage(details.uid, wantsLoa2, 'The one-time code is wrong.'));
  }
  const strong = Boolean(otp) && otp === user.otp;
  const login = {
    accountId: user.login,
    acr: strong ? LOA2 : LOA1,
    amr: strong ? ['pwd', 'otp'] : ['pwd'],
  };
  return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{ ...config.client, grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    acrValues: [LOA1, LOA2],
    claims: {
      acr: null, amr: null, auth_time: null, sid: null,
      openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'groups'],
    pkce: { required: () => true },
    // Its outgoing calls (back-channel logout) refuse loopback addresses, against SSRF; writ
    // runs on loopback in the tests, so this provider may call it there.
    fetch: (url, options) => fetch(url, { ...options, dispatcher: undefined }),
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      // Tells each client with a backchannel_logout_uri, server to server, when a session ends.
      backchannelLogout: { enabled: true },
    },
    interactions: { url: (_ctx, found) => `/interaction/${found.uid}` },
    async findAccount(_ctx, id) {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, name: user.name, preferred_username: id, groups: user.groups };
        },
      };
    },
  });
  provider.on('backchannel.error', (_ctx, error, client) => {
    const why = `${error.message} (${error.cause})`;
    process.stderr.write(`back-channel logout to ${client.clientId} failed: ${why}\n`);
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url.startsWith('/interaction/')) return callback(req, res);
    return interaction(provider, req, res).catch((error) => {
      send(res, 400, `<!doctype html><p>${escape(error.message)}</p>`);
    });
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
