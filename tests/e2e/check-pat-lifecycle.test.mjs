// The PAT lifecycle stand-in (tests/servers/vssps.mjs) against its spec's shape, and flux-azdo's
// client of it (listPats): Entra Bearer auth from the Entra stand-in, a PAT or an app token
// refused with InvalidAccessException, paging by continuationToken, the filters, get by
// authorizationId, api-version 7.1-preview.1 only.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, test } from 'node:test';

import { FluxAzdoError, listPats, SecretValue } from '../../npm/dist/index.js';
import { startEntraTokenService, AZURE_DEVOPS_RESOURCE } from '../servers/entra/index.mjs';
import { bearerVerifierFor } from '../servers/entra/bearer.mjs';
import { startPatLifecycleService } from '../servers/vssps.mjs';

let entra;
let vssps;
let strict;
let sp;
let token;
const DAY = 86_400_000;

async function appToken() {
  const res = await fetchJson(`${entra.authorityHost}/${sp.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sp.clientId,
      client_secret: sp.clientSecret,
      scope: `${AZURE_DEVOPS_RESOURCE}/.default`,
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    ca: entra.caPem,
  });
  assert.equal(res.status, 200, res.text);
  return JSON.parse(res.text).access_token;
}

function fetchJson(url, { method = 'GET', body, headers = {}, ca }) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  entra = await startEntraTokenService();
  sp = entra.addServicePrincipal({ clientSecret: true });
  const verify = bearerVerifierFor(entra);
  [vssps, strict] = await Promise.all([startPatLifecycleService({ verify, acceptAppTokens: true }), startPatLifecycleService({ verify })]);
  token = await appToken();
  const now = Date.now();
  for (let i = 0; i < 25; i++) {
    vssps.addPat({
      organization: 'org',
      owner: sp.objectId,
      displayName: `pat-${String(i).padStart(2, '0')}`,
      validTo: new Date(now + (i + 1) * DAY).toISOString(),
    });
  }
  vssps.addPat({ organization: 'org', owner: sp.objectId, displayName: 'old', validTo: new Date(now - DAY).toISOString() });
  vssps.addPat({ organization: 'org', owner: sp.objectId, displayName: 'gone', validTo: new Date(now + DAY).toISOString(), revoked: true });
  vssps.addPat({ organization: 'org', owner: 'someone-else', displayName: 'theirs', validTo: new Date(now + DAY).toISOString() });
});

after(async () => {
  await Promise.allSettled([entra?.stop(), vssps?.stop(), strict?.stop()]);
});

const api = (service, query, headers = { authorization: `Bearer ${token}` }) =>
  fetchJson(`${service.baseUrl}/org/_apis/tokens/pats?${query}`, { headers, ca: service.caPem });

test("listPats follows continuationToken across pages and returns only the caller's active PATs", async () => {
  const pats = await listPats({ organization: 'org', baseUrl: vssps.baseUrl, caPem: vssps.caPem, token: new SecretValue(token) });
  assert.equal(pats.length, 25, pats.map((p) => p.displayName).join(','));
  assert.ok(vssps.log.filter((l) => l.startsWith('GET /org/_apis/tokens/pats')).length >= 2, 'more than one page was read');
  for (const p of pats) {
    assert.match(p.authorizationId, /^[0-9a-f-]{36}$/);
    assert.equal(p.token, null);
    assert.ok(Date.parse(p.validTo) > Date.now());
  }
});

test('the stand-in speaks the spec: filters, sorting, $top, get by authorizationId, api-version', async () => {
  const page = JSON.parse((await api(vssps, 'api-version=7.1-preview.1&$top=5&sortByOption=displayName&isSortAscending=false')).text);
  assert.equal(page.patTokens.length, 5);
  assert.equal(page.patTokens[0].displayName, 'pat-24');
  assert.ok(page.continuationToken);
  const expired = JSON.parse((await api(vssps, 'api-version=7.1-preview.1&displayFilterOption=expired')).text);
  assert.deepEqual(
    expired.patTokens.map((p) => p.displayName),
    ['old'],
  );
  const revoked = JSON.parse((await api(vssps, 'api-version=7.1-preview.1&displayFilterOption=revoked')).text);
  assert.deepEqual(
    revoked.patTokens.map((p) => p.displayName),
    ['gone'],
  );
  const all = JSON.parse((await api(vssps, 'api-version=7.1-preview.1&displayFilterOption=all&$top=100')).text);
  assert.equal(all.patTokens.length, 27, "not another user's PAT");
  const one = JSON.parse((await api(vssps, `api-version=7.1-preview.1&authorizationId=${all.patTokens[0].authorizationId}`)).text);
  assert.equal(one.patTokenError, 'none');
  assert.equal(one.patToken.displayName, all.patTokens[0].displayName);
  const version = await api(vssps, 'api-version=7.0');
  assert.equal(version.status, 400);
});

test('a PAT or an app-only token is refused (InvalidAccessException); the client says it needs a user token', async () => {
  const basic = await api(vssps, 'api-version=7.1-preview.1', { authorization: `Basic ${Buffer.from(':some-pat').toString('base64')}` });
  assert.equal(basic.status, 401);
  assert.equal(JSON.parse(basic.text).typeKey, 'InvalidAccessException');
  const app = await api(strict, 'api-version=7.1-preview.1');
  assert.equal(JSON.parse(app.text).typeKey, 'InvalidAccessException');
  const err = await listPats({ organization: 'org', baseUrl: strict.baseUrl, caPem: strict.caPem, token: new SecretValue(token) }).then(
    () => assert.fail('must be refused'),
    (e) => e,
  );
  assert.ok(err instanceof FluxAzdoError);
  assert.equal(err.code, 'PAT_LIFECYCLE_FAILED');
  assert.equal(err.option, 'azure-credential');
  assert.ok(!err.message.includes(token));
});
