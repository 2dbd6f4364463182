// `--with-bearer-token` end to end, as Flux's own `bootstrap git` does it: the password (here a
// Microsoft Entra access token for Azure DevOps, from tests/servers/entra's client-credentials
// grant) is sent as `Authorization: Bearer` by flux-azdo's pushes and, from the Secret's
// `bearerToken`, by Flux's real source-controller. The Git server is Bearer-only (it takes no
// PAT), so a push or a fetch that sent the token any other way is refused.
//
// Needs what flux-controllers.test.mjs needs (the harness binaries and the controllers).
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, test } from 'node:test';

import { kubeRequest, startCluster } from '../harness/cluster.mjs';
import { startEntraTokenService } from '../servers/entra/index.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { bundleDir, history, jsonEvents, runCli } from './support/bootstrap-env.mjs';
import { controllerPool } from './support/controller-pool.mjs';
import { assertReconciledAt } from './support/flux-world.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const AZURE_DEVOPS_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';

let cluster;
let entra;
let git;
let controllers;

before(async () => {
  [cluster, entra] = await Promise.all([startCluster(), startEntraTokenService()]);
  git = await startGitHttpsServer({ entra: { service: entra } });
  controllers = controllerPool(cluster);
});

after(async () => {
  await controllers?.stopAll();
  await Promise.allSettled([cluster?.stop(), entra?.stop(), git?.stop()]);
});

const get = (path) => kubeRequest(cluster.admin, 'GET', path);

/** An access token for Azure DevOps, as `az account get-access-token` would hand one out. */
function accessToken(sp) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: sp.clientId,
    client_secret: sp.clientSecret,
    scope: AZURE_DEVOPS_SCOPE,
  }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(`${entra.authorityHost}/${sp.tenantId}/oauth2/v2.0/token`),
      { method: 'POST', ca: entra.caPem, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString());
          if (res.statusCode !== 200) reject(new Error(`token request: ${res.statusCode} ${body.error}`));
          else resolve(body.access_token);
        });
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

test('--with-bearer-token: the push and the real source-controller both send the token as Bearer; the Secret holds bearerToken only', {
  timeout: 600_000,
}, async () => {
  const ns = 'bearer';
  const bare = git.createRepo('org', 'project', ns);
  const sp = entra.addServicePrincipal({ clientSecret: true });
  const token = await accessToken(sp);
  const watch = controllers.watch(ns);
  const res = await runCli(
    [
      'bootstrap',
      'git',
      `--url=${git.repoUrl('org', 'project', ns)}`,
      '--with-bearer-token',
      '--branch=main',
      '--path=clusters/my-cluster',
      `--namespace=${ns}`,
      '--components=source-controller,kustomize-controller',
      `--ca-file=${git.caFile}`,
      `--kubeconfig=${cluster.kubeconfigPath}`,
      `--manifests=${bundleDir}`,
      '--timeout=5m',
      '--json',
    ],
    {
      // The token travels in GIT_PASSWORD, never on argv.
      env: { GIT_PASSWORD: token },
      onLine: (line) => {
        try {
          watch.onEvent(JSON.parse(line));
        } catch {
          /* not an event */
        }
      },
    },
  );
  await watch.settled();
  assert.equal(res.code, 0, `${res.stderr}\n${res.stdout.slice(-2000)}\n${await controllers.logs(ns)}`);
  const result = JSON.parse(res.stdout.trim().split('\n').at(-1));
  assert.equal(history(bare).length, 2, 'both commits were pushed with the Bearer token');
  assert.equal(git.stats.bearerRefused ?? 0, 0, 'no request carried a token the server refused');

  const secret = (await get(`/api/v1/namespaces/${ns}/secrets/flux-system`)).body.data;
  assert.deepEqual(Object.keys(secret).sort(), ['bearerToken', 'ca.crt']);
  assert.equal(Buffer.from(secret.bearerToken, 'base64').toString(), token);
  // Flux's source-controller fetched from the Bearer-only server with it, and the cluster applied it.
  await assertReconciledAt({ cluster }, ns, result.revision);

  await assertNoLeaks(
    { entraTokens: [token], clientSecrets: [sp.clientSecret] },
    {
      values: [res.stdout, res.stderr, jsonEvents(res.stdout)],
      repos: [bare],
      processes: res.processes,
      tmpDirs: [res.tmpDir],
      cluster: { get, allowedSecrets: [`${ns}/flux-system`] },
    },
  );
});
