// `--provider=azure`: the cluster syncs with Azure workload identity. Flux's real
// source-controller v1.9.4 runs with what the AKS webhook would inject, derived from the
// ServiceAccount annotations and pod label bootstrap applied (read from the cluster): a
// ServiceAccount token minted by the test apiserver (audience api://AzureADTokenExchange) as
// AZURE_FEDERATED_TOKEN_FILE, and the Entra-shaped token service as AZURE_AUTHORITY_HOST. The
// token service checks that assertion against the apiserver's own JWKS before it issues an Azure
// DevOps token, and the Git server accepts that Bearer token (read-only) — no Secret exists.
//
// Cases: PAT push + workload identity sync, its tenant found from the organisation (no
// --workload-identity-tenant-id); Entra push (--azure-credential) + workload identity sync (the
// passwordless bootstrap, tenant given); the pre-flight facts and warning; dry runs; an
// organisation whose probe names no tenant.
//
// Needs what flux-controllers.test.mjs needs (the harness binaries and the controllers).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { kubeRequest, startCluster } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { startInstanceDiscovery } from '../servers/entra-instance-discovery.mjs';
import { startEntraTokenService } from '../servers/entra/index.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { bundleDir, git as gitIn, history, jsonEvents, refs, runCli } from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';
import { workloadIdentityWebhook } from './support/workload-identity-webhook.mjs';

const COMPONENTS = ['source-controller', 'kustomize-controller'];
const PAT = `wi-pat-${process.pid}-x7Qz9aB3cD5eF7gH9jK1mN3pR5sT7vW9yZ1bC3dE5fG7h`;

let cluster;
let entra;
let discovery;
let git;
let work;
let trustStore;
let issuer;
/** The Git server's Entra settings, read at each request: identities in `readers` may only read. */
const gitEntra = { readers: [] };
const running = [];

before(async () => {
  [cluster, entra] = await Promise.all([startCluster(), startEntraTokenService()]);
  discovery = await startInstanceDiscovery({ authorities: [entra.authorityHost] });
  // PATs for the push, and Entra Bearer tokens; identities in `readers` may only read.
  gitEntra.service = entra;
  git = await startGitHttpsServer({ pat: PAT, entra: gitEntra });
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-wi-e2e-'));
  // The controller process's trust store: the Git server, the token service, instance discovery.
  trustStore = join(work, 'ca-bundle.pem');
  writeFileSync(trustStore, [git.caFile, entra.caFile, discovery.caFile].map((f) => readFileSync(f, 'utf8')).join('\n'));
  issuer = (await kubeRequest(cluster.admin, 'GET', '/.well-known/openid-configuration')).body.issuer;
});

after(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await Promise.allSettled([cluster?.stop(), entra?.stop(), git?.stop(), discovery?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

const get = (path) => kubeRequest(cluster.admin, 'GET', path);
const ready = (obj) => obj?.status?.conditions?.find((c) => c.type === 'Ready');

/** The managed identity: federated with the namespace's source-controller, read-only on the org. */
function syncIdentity(ns) {
  const sp = entra.addServicePrincipal({
    federated: [
      {
        issuer,
        subject: `system:serviceaccount:${ns}:source-controller`,
        jwksUri: `${cluster.admin.server}/openid/v1/jwks`,
        ca: cluster.admin.ca,
        cert: cluster.admin.cert,
        key: cluster.admin.key,
      },
    ],
  });
  gitEntra.readers.push(sp.objectId);
  return sp;
}

const bootstrapArgs = (ns, sp, extra = []) => [
  'bootstrap',
  'git',
  `--url=${git.repoUrl('org', 'project', ns)}`,
  '--branch=main',
  '--path=clusters/wi',
  `--namespace=${ns}`,
  `--components=${COMPONENTS.join(',')}`,
  `--ca-file=${git.caFile}`,
  '--provider=azure',
  `--workload-identity-client-id=${sp.clientId}`,
  `--workload-identity-tenant-id=${sp.tenantId}`,
  `--kubeconfig=${cluster.kubeconfigPath}`,
  `--manifests=${bundleDir}`,
  '--timeout=4m',
  '--json',
  ...extra,
];

/** Runs a bootstrap, starting the controllers (with the webhook's injection) once installed. */
async function bootstrapWithControllers(ns, args, env) {
  const webhook = workloadIdentityWebhook(cluster, {
    authorityHost: entra.authorityHost,
    extraEnv: { SSL_CERT_FILE: trustStore, HTTPS_PROXY: discovery.proxyUrl },
  });
  const binDir = controllersBinDir();
  let controllers;
  const res = await runCli(args, {
    env,
    onLine: (line) => {
      let event;
      try {
        event = JSON.parse(line);
      } catch {
        return;
      }
      if (event.type === 'done' && event.step === 'install' && !controllers) {
        controllers = startFluxControllers(cluster, { namespace: ns, binDir, podEnvironment: webhook.podEnvironment });
        controllers.then(
          (c) => running.push(c),
          () => {},
        );
      }
    },
  });
  const started = controllers ? await controllers : undefined;
  return { res, webhook, started };
}

async function assertSyncedWithWorkloadIdentity(ns, sp, { res, webhook, started }) {
  const logs = started?.logs('source-controller').slice(-4000) ?? '';
  assert.equal(res.code, 0, `${res.stderr}\n${res.stdout.slice(-3000)}\n${logs}`);
  const result = JSON.parse(res.stdout.trim().split('\n').at(-1));

  // The webhook's input came from the cluster: bootstrap applied the annotations and the label.
  const sa = (await get(`/api/v1/namespaces/${ns}/serviceaccounts/source-controller`)).body;
  assert.equal(sa.metadata.annotations['azure.workload.identity/client-id'], sp.clientId);
  assert.equal(sa.metadata.annotations['azure.workload.identity/tenant-id'], sp.tenantId);
  const dep = (await get(`/apis/apps/v1/namespaces/${ns}/deployments/source-controller`)).body;
  assert.equal(dep.spec.template.metadata.labels['azure.workload.identity/use'], 'true');
  assert.equal(webhook.injected['source-controller']?.AZURE_CLIENT_ID, sp.clientId);
  assert.equal(webhook.injected['kustomize-controller'], undefined, 'only the labelled controller gets the identity');

  // The real source-controller got an Entra token for the assertion and fetched with it.
  const mine = entra.issued.filter((i) => i.clientId === sp.clientId);
  assert.ok(mine.length >= 1 && mine.every((i) => i.grant === 'client_assertion'), JSON.stringify(entra.issued.map((i) => i.grant)));
  assert.ok(discovery.requests.includes('GET /common/discovery/instance'), 'MSAL validated the authority');
  const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`)).body;
  assert.equal(repo.spec.provider, 'azure');
  assert.equal(repo.spec.secretRef, undefined);
  assert.equal(ready(repo)?.status, 'True', JSON.stringify(repo.status));
  assert.equal(repo.status.artifact.revision, result.revision);
  const ks = (await get(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations/${ns}`)).body;
  assert.equal(ks.status.lastAppliedRevision, result.revision);
  // No Secret holds a credential: there is no Git Secret at all.
  assert.equal((await get(`/api/v1/namespaces/${ns}/secrets/flux-system`)).status, 404);
  return { result, mine };
}

test('PAT push + workload identity sync: the real source-controller fetches with an Entra token from its federated assertion', {
  timeout: 600_000,
}, async () => {
  const ns = 'wi-pat';
  const bare = git.createRepo('org', 'project', ns);
  const sp = syncIdentity(ns);
  assert.equal(sp.tenantId, entra.tenantId, "the identity is in the organisation's tenant");
  // No --workload-identity-tenant-id: the tenant comes from the organisation's anonymous probe.
  const args = bootstrapArgs(ns, sp).filter((a) => !a.startsWith('--workload-identity-tenant-id'));
  const run = await bootstrapWithControllers(ns, args, { GIT_PASSWORD: PAT });
  const { mine } = await assertSyncedWithWorkloadIdentity(ns, sp, run);

  // The identity patches were in the first commit, with the components.
  const commits = history(bare);
  assert.equal(commits.length, 2);
  assert.ok(commits[1].files.includes('clusters/wi/' + ns + '/kustomization.yaml'), JSON.stringify(commits[1].files));
  // The pushed kustomization.yaml carries the discovered tenant.
  const pushed = gitIn(bare, 'show', `${commits[1].sha}:clusters/wi/${ns}/kustomization.yaml`);
  assert.ok(pushed.includes(`azure.workload.identity/tenant-id: "${entra.tenantId}"`), pushed);

  // The pre-flight event: the apiserver's issuer, the exact command, the missing webhook.
  const events = jsonEvents(run.res.stdout);
  assert.equal(events.find((e) => e.type === 'log' && e.tenantId)?.tenantId, entra.tenantId, 'the discovery is an event');
  assert.equal(events.find((e) => e.type === 'log' && e.workloadIdentity)?.workloadIdentity.tenantId, entra.tenantId);
  const facts = events.find((e) => e.type === 'log' && e.workloadIdentity)?.workloadIdentity;
  assert.ok(facts, 'a workload identity event');
  assert.equal(facts.issuer, issuer);
  assert.equal(facts.webhook, null);
  assert.deepEqual(facts.subjects, [`system:serviceaccount:${ns}:source-controller`]);
  const create = facts.federatedCredentialCommands.find((c) => c.startsWith('az identity federated-credential create'));
  assert.ok(create.includes(`--issuer ${issuer} `) && create.includes(`--subject system:serviceaccount:${ns}:source-controller `));
  assert.ok(create.endsWith('--audiences api://AzureADTokenExchange'));
  assert.ok(events.some((e) => e.type === 'log' && e.level === 'warn' && e.message.includes('--enable-workload-identity')));

  await assertNoLeaks(
    { pats: [PAT], entraTokens: mine.map((i) => i.token), assertions: run.webhook.minted },
    {
      values: [run.res.stdout, run.res.stderr, events],
      repos: [bare],
      processes: run.res.processes,
      tmpDirs: [run.res.tmpDir],
      cluster: { get, allowedSecrets: [] },
    },
  );
});

test('Entra push + workload identity sync: the passwordless bootstrap stores no secret anywhere', { timeout: 600_000 }, async () => {
  const ns = 'wi-entra';
  const bare = git.createRepo('org', 'project', ns);
  const sp = syncIdentity(ns);
  const pusher = entra.addServicePrincipal({ clientSecret: true });
  const env = {
    NODE_EXTRA_CA_CERTS: entra.caFile,
    AZURE_AUTHORITY_HOST: entra.authorityHost,
    AZURE_TENANT_ID: pusher.tenantId,
    AZURE_CLIENT_ID: pusher.clientId,
    AZURE_CLIENT_SECRET: pusher.clientSecret,
  };
  const run = await bootstrapWithControllers(ns, bootstrapArgs(ns, sp, ['--azure-credential=environment']), env);
  const { mine } = await assertSyncedWithWorkloadIdentity(ns, sp, run);
  assert.equal(history(bare).length, 2);
  assert.ok(entra.issued.some((i) => i.clientId === pusher.clientId && i.grant === 'client_secret'));
  await assertNoLeaks(
    {
      entraTokens: entra.issued.map((i) => i.token),
      clientSecrets: [pusher.clientSecret],
      assertions: run.webhook.minted,
    },
    {
      values: [run.res.stdout, run.res.stderr, jsonEvents(run.res.stdout)],
      repos: [bare],
      processes: run.res.processes,
      tmpDirs: [run.res.tmpDir],
      cluster: { get, allowedSecrets: [] },
    },
  );
  assert.ok(mine.length >= 1);
});

test('without --workload-identity-client-id the core refuses with OPTION_REQUIRED before any connection', async () => {
  const args = bootstrapArgs('wi-none', { clientId: '', tenantId: '' }).filter((a) => !a.startsWith('--workload-identity'));
  const res = await runCli(args, { env: { GIT_PASSWORD: PAT } });
  assert.notEqual(res.code, 0);
  const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
  assert.equal(error?.code, 'OPTION_REQUIRED');
});

test('a dry run shows the identity patches and no Secret, and reports the pre-flight facts (webhook installed)', async () => {
  const { dryRun } = await import('../../npm/dist/index.js');
  const ns = 'wi-dry';
  git.createRepo('org', 'project', ns);
  const clientId = '11111111-2222-3333-4444-555555555555';
  // The webhook's configuration as AKS installs it (the pods it would mutate are never created here).
  const mwc = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
  const created = await kubeRequest(cluster.admin, 'POST', mwc, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'azure-wi-webhook-mutating-webhook-configuration' },
    webhooks: [
      {
        name: 'mutation.azure-workload-identity.io',
        admissionReviewVersions: ['v1'],
        clientConfig: { url: 'https://127.0.0.1:1/mutate-v1-pod' },
        failurePolicy: 'Ignore',
        sideEffects: 'None',
        objectSelector: { matchLabels: { 'azure.workload.identity/use': 'true' } },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
      },
    ],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const events = [];
  const report = await dryRun(
    {
      url: git.repoUrl('org', 'project', ns),
      path: 'clusters/wi',
      namespace: ns,
      components: COMPONENTS,
      caFile: git.caFile,
      password: PAT,
      provider: 'azure',
      workloadIdentityClientId: clientId,
      workloadIdentityTenantId: entra.tenantId,
      kubeconfig: cluster.kubeconfigPath,
      manifests: bundleDir,
    },
    { onEvent: (e) => events.push(e) },
  );
  const kustomization = report.files.find((f) => f.path === `clusters/wi/${ns}/kustomization.yaml`);
  assert.equal(kustomization.change, 'create');
  assert.ok(kustomization.diff.includes(`+        azure.workload.identity/client-id: "${clientId}"`));
  assert.equal(report.secret.change, 'none');
  assert.equal(report.workloadIdentity.issuer, issuer);
  assert.deepEqual(report.workloadIdentity.subjects, [`system:serviceaccount:${ns}:source-controller`]);
  assert.ok(events.some((e) => e.type === 'log' && e.workloadIdentity?.issuer === issuer));
  // The webhook is found, so no warning this time.
  assert.equal(report.workloadIdentity.webhook, 'azure-wi-webhook-mutating-webhook-configuration');
  assert.deepEqual(report.workloadIdentity.warnings, []);
  assert.ok(!events.some((e) => e.type === 'log' && e.level === 'warn'));
  await kubeRequest(cluster.admin, 'DELETE', `${mwc}/azure-wi-webhook-mutating-webhook-configuration`);
  await assertNoLeaks({ pats: [PAT] }, { values: [report, events] });
});

test('a dry run without --workload-identity-tenant-id finds the tenant from the organisation', async () => {
  const { dryRun } = await import('../../npm/dist/index.js');
  const ns = 'wi-dry-tenant';
  git.createRepo('org', 'project', ns);
  const events = [];
  const report = await dryRun(
    {
      url: git.repoUrl('org', 'project', ns),
      path: 'clusters/wi',
      namespace: ns,
      components: COMPONENTS,
      caFile: git.caFile,
      password: PAT,
      provider: 'azure',
      workloadIdentityClientId: '11111111-2222-3333-4444-555555555555',
      kubeconfig: cluster.kubeconfigPath,
      manifests: bundleDir,
    },
    { onEvent: (e) => events.push(e) },
  );
  const kustomization = report.files.find((f) => f.path === `clusters/wi/${ns}/kustomization.yaml`);
  assert.ok(kustomization.diff.includes(`+        azure.workload.identity/tenant-id: "${entra.tenantId}"`), kustomization.diff);
  assert.equal(report.workloadIdentity.tenantId, entra.tenantId);
  assert.equal(events.find((e) => e.type === 'log' && e.tenantId)?.tenantId, entra.tenantId);
  await assertNoLeaks({ pats: [PAT] }, { values: [report, events] });
});

test('an organisation whose probe names no tenant: TENANT_NOT_FOUND naming --workload-identity-tenant-id, nothing pushed', async () => {
  const { dryRun } = await import('../../npm/dist/index.js');
  // A PAT-only server: its anonymous probe answers with a Basic challenge and no tenant.
  const plain = await startGitHttpsServer({ pat: PAT });
  try {
    const ns = 'wi-no-tenant';
    const bare = plain.createRepo('org', 'project', ns);
    const sp = { clientId: '11111111-2222-3333-4444-555555555555' };
    const args = bootstrapArgs(ns, sp)
      .filter((a) => !a.startsWith('--workload-identity-tenant-id'))
      .map((a) => (a.startsWith('--url=') ? `--url=${plain.repoUrl('org', 'project', ns)}` : a))
      .map((a) => (a.startsWith('--ca-file=') ? `--ca-file=${plain.caFile}` : a));
    const res = await runCli(args, { env: { GIT_PASSWORD: PAT } });
    assert.notEqual(res.code, 0);
    const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
    assert.equal(error?.code, 'TENANT_NOT_FOUND', res.stdout);
    assert.deepEqual(error.done, [], 'the run changed nothing');
    assert.deepEqual(refs(bare), {}, 'nothing was pushed');

    await assert.rejects(
      dryRun({
        url: plain.repoUrl('org', 'project', ns),
        path: 'clusters/wi',
        namespace: ns,
        components: COMPONENTS,
        caFile: plain.caFile,
        password: PAT,
        provider: 'azure',
        workloadIdentityClientId: sp.clientId,
        kubeconfig: cluster.kubeconfigPath,
        manifests: bundleDir,
      }),
      (err) => err.code === 'TENANT_NOT_FOUND' && err.option === 'workload-identity-tenant-id',
    );
    await assertNoLeaks({ pats: [PAT] }, { values: [res.stdout, res.stderr] });
  } finally {
    await plain.stop();
  }
});
