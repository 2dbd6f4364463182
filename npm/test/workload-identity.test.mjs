// The workload identity pre-flight's printed steps: one federated credential per patched
// controller with the cluster's issuer, the subject and the audience, and a lookup of the
// identity by the client id (the only thing the flags name).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { planRepository } from '../dist/core/node.js';
import { ENABLE_ON_AKS, federatedCredentialCommands } from '../dist/kube/index.js';
import { readBundleFiles } from '../../tests/support/flux-reference.mjs';

const bundle = () => readBundleFiles();

const CLIENT = '11111111-2222-3333-4444-555555555555';

function planFor(extra = {}) {
  return planRepository(
    {
      url: 'https://dev.azure.com/org/project/_git/repo',
      provider: 'azure',
      workloadIdentityClientId: CLIENT,
      workloadIdentityTenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      ...extra,
    },
    bundle(),
  );
}

test('one create command per controller, with the issuer, the subject and the audience', () => {
  const plan = planFor({ namespace: 'flux', componentsExtra: ['image-reflector-controller', 'image-automation-controller'] });
  const issuer = 'https://oidc.prod-aks.azure.com/abc/';
  const [lookup, ...creates] = federatedCredentialCommands(plan.workloadIdentity, issuer);
  assert.ok(lookup.includes(`clientId=='${CLIENT}'`));
  assert.deepEqual(
    creates.map((c) => /--subject (\S+)/.exec(c)?.[1]),
    ['source-controller', 'image-reflector-controller', 'image-automation-controller'].map((c) => `system:serviceaccount:flux:${c}`),
  );
  for (const c of creates) {
    assert.ok(c.startsWith('az identity federated-credential create '));
    assert.ok(c.includes(`--issuer ${issuer} `));
    assert.ok(c.endsWith('--audiences api://AzureADTokenExchange'));
  }
});

test('without a published issuer the command asks AKS for it', () => {
  const [, create] = federatedCredentialCommands(planFor().workloadIdentity, null);
  assert.ok(create.includes('--query oidcIssuerProfile.issuerUrl'));
  assert.ok(ENABLE_ON_AKS.includes('--enable-oidc-issuer --enable-workload-identity'));
});

test('the plan carries no workload identity without --provider=azure', () => {
  const plan = planRepository({ url: 'https://dev.azure.com/org/project/_git/repo', tokenAuth: true }, bundle());
  assert.equal(plan.workloadIdentity, undefined);
});
