// `--azure-credential`: the CLI pushes with Microsoft Entra tokens from tests/servers/entra (the
// Entra-shaped token service) to the Bearer-only Azure-DevOps-like Git server, through
// @azure/identity's EnvironmentCredential (client secret, AZURE_AUTHORITY_HOST) and
// WorkloadIdentityCredential (AZURE_FEDERATED_TOKEN_FILE: a ServiceAccount token the test
// apiserver minted, checked by the token service against the apiserver's own JWKS). The
// cluster syncs over SSH with the deploy key, read by Flux's real source-controller.
//
// Needs what flux-controllers.test.mjs needs (the harness binaries and the controllers).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';

import { kubeRequest, startCluster } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { startEntraTokenService } from '../servers/entra/index.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { startSshd } from '../servers/sshd.mjs';
import { bundleDir, history, jsonEvents, runCli } from './support/bootstrap-env.mjs';
import { controllerPool } from './support/controller-pool.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const COMPONENTS = ['source-controller', 'kustomize-controller'];
const PATH_IN_REPO = 'clusters/my-cluster';

let cluster;
let entra;
let git;
let sshd;
let work;
const running = [];
/** Flux's real controllers, one set per namespace (the tests after the first). */
let controllers;

before(async () => {
  [cluster, entra, sshd] = await Promise.all([startCluster(), startEntraTokenService(), startSshd()]);
  // Bearer-only: no PAT is accepted at all.
  git = await startGitHttpsServer({ entra: { service: entra } });
  controllers = controllerPool(cluster);
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-entra-e2e-'));
});

after(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await controllers?.stopAll();
  await Promise.allSettled([cluster?.stop(), entra?.stop(), git?.stop(), sshd?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

const get = (path) => kubeRequest(cluster.admin, 'GET', path);

/** What a process needs to reach the token service: its CA, and where the authority is. */
const entraEnv = (extra = {}) => ({ NODE_EXTRA_CA_CERTS: entra.caFile, AZURE_AUTHORITY_HOST: entra.authorityHost, ...extra });

/** The environment credential of a new service principal of the organisation's tenant. */
function environmentCredential() {
  const sp = entra.addServicePrincipal({ clientSecret: true });
  return { sp, env: entraEnv({ AZURE_TENANT_ID: sp.tenantId, AZURE_CLIENT_ID: sp.clientId, AZURE_CLIENT_SECRET: sp.clientSecret }) };
}

/**
 * The repository on the HTTPS server, also served by sshd at the sync URL the core derives for
 * `--ssh-hostname` (`/{org}/{project}/_git/{repo}` under sshd's root): one repository, two
 * transports, as Azure DevOps has.
 */
function createRepo(ns) {
  const bare = git.createRepo('org', 'project', ns);
  const link = join(sshd.repoRoot, 'org', 'project', '_git', ns);
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(bare, link);
  return bare;
}

const bootstrapArgs = (ns, extra = []) => [
  'bootstrap',
  'git',
  `--url=${git.repoUrl('org', 'project', ns)}`,
  '--branch=main',
  `--path=${PATH_IN_REPO}`,
  `--namespace=${ns}`,
  `--components=${COMPONENTS.join(',')}`,
  `--ca-file=${git.caFile}`,
  // The cluster syncs over SSH from this test's sshd, which logs in as the user running the tests.
  `--ssh-hostname=127.0.0.1:${sshd.port}`,
  `--username=${sshd.user}`,
  '--ssh-key-algorithm=rsa',
  '--ssh-rsa-bits=2048',
  '--silent',
  `--kubeconfig=${cluster.kubeconfigPath}`,
  `--manifests=${bundleDir}`,
  '--timeout=5m',
  '--json',
  ...extra,
];

/** The deploy key the run logged (with --silent it does not wait): the "user" adds it to sshd. */
function authorizeLoggedKey(event) {
  const match = event.type === 'log' && /^deploy key \S+: (ssh-rsa \S+)/.exec(event.message ?? '');
  if (match) sshd.addAuthorizedKey(match[1]);
}

const ready = (obj) => obj?.status?.conditions?.find((c) => c.type === 'Ready');

test('Entra push (EnvironmentCredential) + SSH sync: the real controllers reconcile what was pushed with Bearer tokens only', {
  timeout: 600_000,
}, async () => {
  const ns = 'entra-ssh';
  const bare = createRepo(ns);
  const { sp, env } = environmentCredential();
  const binDir = controllersBinDir();
  let controllers;
  const res = await runCli(bootstrapArgs(ns, ['--azure-credential=environment']), {
    env,
    onLine: (line) => {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      authorizeLoggedKey(event);
      if (event.type === 'done' && event.step === 'install' && !controllers) {
        controllers = startFluxControllers(cluster, { namespace: ns, binDir });
        controllers.then(
          (c) => running.push(c),
          () => {},
        );
      }
    },
  });
  const started = controllers ? await controllers : undefined;
  assert.equal(res.code, 0, `${res.stderr}\n${res.stdout.slice(-2000)}\n${started?.logs('source-controller').slice(-3000) ?? ''}`);
  const events = jsonEvents(res.stdout);
  const result = JSON.parse(res.stdout.trim().split('\n').at(-1));

  // Both commits were pushed over HTTPS with Entra tokens; the server took no PAT and refused nothing.
  assert.equal(history(bare).length, 2);
  assert.equal(git.stats.bearerRefused ?? 0, 0);
  assert.ok(entra.issued.some((i) => i.clientId === sp.clientId));
  // The tenant came from the organisation's answer (no --azure-tenant-id was given).
  assert.ok(git.log.includes('HEAD /org'), git.log.join('\n'));

  // The real source-controller fetched over SSH with the deploy key; kustomize-controller applied it.
  const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`)).body;
  assert.equal(ready(repo)?.status, 'True', JSON.stringify(repo.status));
  assert.equal(repo.status.artifact.revision, result.revision);
  assert.match(repo.spec.url, new RegExp(`^ssh://${sshd.user}@127\\.0\\.0\\.1:${sshd.port}/`));
  const ks = (await get(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations/${ns}`)).body;
  assert.equal(ks.status.lastAppliedRevision, result.revision);
  const secret = (await get(`/api/v1/namespaces/${ns}/secrets/flux-system`)).body.data;
  assert.deepEqual(Object.keys(secret).sort(), ['identity', 'identity.pub', 'known_hosts'], 'the cluster holds the deploy key, no token');

  await assertNoLeaks(
    {
      entraTokens: entra.issued.map((i) => i.token),
      clientSecrets: [sp.clientSecret],
      privateKeys: [Buffer.from(secret.identity, 'base64').toString()],
      publicKeys: [Buffer.from(secret['identity.pub'], 'base64').toString()],
    },
    {
      values: [res.stdout, res.stderr, events],
      repos: [bare],
      processes: res.processes,
      tmpDirs: [res.tmpDir],
      cluster: { get, allowedSecrets: [`${ns}/flux-system`] },
    },
  );
});

test('a token that expires during the run is fetched again before it is sent', { timeout: 600_000 }, async () => {
  const ns = 'entra-refresh';
  const bare = createRepo(ns);
  const { sp, env } = environmentCredential();
  entra.switches.lifetimeSeconds = 6;
  // The first push waits past the first token's lifetime: the run's next requests (the sync
  // commit's push) would carry an expired token unless the provider fetched a new one.
  git.faults.beforePush = () => new Promise((r) => setTimeout(r, 7_000));
  const refusedBefore = git.stats.bearerRefused ?? 0;
  const issuedBefore = entra.issued.length;
  const standIn = controllers.watch(ns);
  try {
    const res = await runCli(bootstrapArgs(ns, ['--azure-credential=environment']), {
      env,
      onLine: (line) => {
        try {
          const event = JSON.parse(line);
          authorizeLoggedKey(event);
          standIn.onEvent(event);
        } catch {
          /* not an event */
        }
      },
    });
    await standIn.settled();
    assert.equal(res.code, 0, `${res.stderr}\n${res.stdout.slice(-2000)}`);
    assert.equal(history(bare).length, 2);
    assert.equal(git.stats.bearerRefused ?? 0, refusedBefore, `no request carried an expired token:\n${git.log.slice(-30).join('\n')}`);
    const mine = entra.issued.slice(issuedBefore).filter((i) => i.clientId === sp.clientId);
    assert.ok(mine.length >= 2, `one token for a run longer than its lifetime: ${mine.length}`);
    await assertNoLeaks(
      { entraTokens: mine.map((i) => i.token), clientSecrets: [sp.clientSecret] },
      { values: [res.stdout, res.stderr], repos: [bare], processes: res.processes, tmpDirs: [res.tmpDir] },
    );
  } finally {
    entra.switches.lifetimeSeconds = 3600;
    git.faults.beforePush = undefined;
  }
});

test('WorkloadIdentityCredential: a ServiceAccount token of the test apiserver is exchanged for an Entra token, and the push goes through', {
  timeout: 600_000,
}, async () => {
  const ns = 'entra-wi';
  const bare = createRepo(ns);
  const sa = 'flux-azdo-pusher';
  const k = (method, path, body) => kubeRequest(cluster.admin, method, path, body);
  assert.ok([200, 201, 409].includes((await k('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status));
  assert.ok([201, 409].includes((await k('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: sa } })).status));
  const minted = await k('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { audiences: ['api://AzureADTokenExchange'], expirationSeconds: 3600 },
  });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  const assertion = minted.body.status.token;
  const issuer = JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url').toString()).iss;
  const sp = entra.addServicePrincipal({
    federated: [
      {
        issuer,
        subject: `system:serviceaccount:${ns}:${sa}`,
        jwksUri: `${cluster.admin.server}/openid/v1/jwks`,
        ca: cluster.admin.ca,
        cert: cluster.admin.cert,
        key: cluster.admin.key,
      },
    ],
  });
  const tokenFile = join(work, 'sa-token');
  writeFileSync(tokenFile, assertion, { mode: 0o600 });
  const standIn = controllers.watch(ns);
  const issuedBefore = entra.issued.length;
  const res = await runCli(bootstrapArgs(ns, ['--azure-credential=workload-identity']), {
    env: entraEnv({ AZURE_TENANT_ID: sp.tenantId, AZURE_CLIENT_ID: sp.clientId, AZURE_FEDERATED_TOKEN_FILE: tokenFile }),
    onLine: (line) => {
      try {
        const event = JSON.parse(line);
        authorizeLoggedKey(event);
        standIn.onEvent(event);
      } catch {
        /* not an event */
      }
    },
  });
  await standIn.settled();
  assert.equal(res.code, 0, `${res.stderr}\n${res.stdout.slice(-2000)}`);
  assert.equal(history(bare).length, 2);
  const mine = entra.issued.slice(issuedBefore).filter((i) => i.clientId === sp.clientId);
  assert.ok(mine.length >= 1 && mine.every((i) => i.grant === 'client_assertion'));
  await assertNoLeaks(
    { entraTokens: mine.map((i) => i.token), assertions: [assertion] },
    {
      values: [res.stdout, res.stderr],
      repos: [bare],
      processes: res.processes,
      tmpDirs: [res.tmpDir],
      cluster: { get, allowedSecrets: [`${ns}/flux-system`] },
    },
  );
  execFileSync('rm', ['-f', tokenFile]);
});
