// The Entra token provider's own rules: when a held token is fetched again, how the tenant is
// read from Azure DevOps' answer, and that tokens are shared and held as secrets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';

import { createAzureDevOpsTokenProvider } from '../dist/index.js';
import { REFRESH_MARGIN_MS, refreshTime, tenantFromHeaders } from '../dist/azure/index.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

test('a one-hour token is fetched again two minutes before it expires; a short one at two thirds of its life', () => {
  const hour = 3_600_000;
  assert.equal(refreshTime(0, hour), hour - REFRESH_MARGIN_MS);
  assert.equal(refreshTime(0, 6_000), 4_000);
  // A service's refresh_in wins when it is earlier.
  assert.equal(refreshTime(0, hour, 1_800_000), 1_800_000);
  assert.equal(refreshTime(0, hour, hour), hour - REFRESH_MARGIN_MS);
});

test("the tenant comes from WWW-Authenticate's authorization_uri, else X-VSS-ResourceTenant; a Microsoft-account org has none", () => {
  const joined = `Bearer authorization_uri=https://login.microsoftonline.com/${TENANT}, Basic realm="https://tfsprodweu5.visualstudio.com/", TFS-Federated`;
  assert.deepEqual(tenantFromHeaders(joined, undefined), { tenantId: TENANT, source: 'www-authenticate' });
  assert.deepEqual(
    tenantFromHeaders(
      ['Basic realm="x"', `Bearer authorization_uri="https://login.microsoftonline.com/${TENANT.toUpperCase()}"`],
      undefined,
    ),
    {
      tenantId: TENANT,
      source: 'www-authenticate',
    },
  );
  assert.deepEqual(tenantFromHeaders('Basic realm="x"', TENANT), { tenantId: TENANT, source: 'x-vss-resourcetenant' });
  assert.deepEqual(tenantFromHeaders(undefined, '00000000-0000-0000-0000-000000000000'), { tenantId: undefined, source: 'none' });
  assert.deepEqual(tenantFromHeaders('Bearer authorization_uri=https://login.microsoftonline.com/common', 'not-a-guid'), {
    tenantId: undefined,
    source: 'none',
  });
});

test('the provider fetches once for parallel requests, holds the token as a secret, and fetches again when it is due', async () => {
  let now = 1_000_000;
  let calls = 0;
  const seen = [];
  const credential = {
    async getToken(scope, options) {
      calls += 1;
      seen.push({ scope, tenantId: options.tenantId });
      return { token: `fake.jwt.token-${calls}-${'x'.repeat(40)}`, expiresOnTimestamp: now + 6_000 };
    },
  };
  const provider = createAzureDevOpsTokenProvider({
    entra: {
      credential: 'environment',
      scope: '499b84ac-1321-427f-aa17-267ca6975798/.default',
      organizationUrl: 'https://dev.azure.com/org',
    },
    tenantId: TENANT,
    tokenCredential: credential,
    now: () => now,
  });
  const [a, b] = await Promise.all([provider.getToken(), provider.getToken()]);
  assert.equal(calls, 1);
  assert.equal(a, b);
  assert.equal(String(a), '***');
  assert.ok(!inspect(a).includes('fake.jwt'));
  assert.deepEqual(seen[0], { scope: '499b84ac-1321-427f-aa17-267ca6975798/.default', tenantId: TENANT });
  assert.equal(provider.tenantSource, 'given');
  now += 3_999;
  await provider.getToken();
  assert.equal(calls, 1, 'not yet due');
  now += 1;
  assert.match((await provider.authorization()).expose(), /^Bearer fake\.jwt\.token-2-/);
  assert.equal(calls, 2);
});
