// `flux-azdo check` against a cluster Flux's real controllers run: healthy (the PAT's expiry read
// from the PAT lifecycle stand-in with an Entra token, and a warning inside --warn-days), a
// broken credential (the Git server revoked the PAT), and a half-installed cluster (components
// applied, no sync objects, no controllers running). Exit codes are the contract: 0, 3, 4.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { connect, installManifests } from '../../npm/dist/index.js';
import { applyManifests } from '../../npm/dist/kube/index.js';
import { controllersBinDir } from '../harness/controllers.mjs';
import { startEntraTokenService } from '../servers/entra/index.mjs';
import { bearerVerifierFor } from '../servers/entra/bearer.mjs';
import { startPatLifecycleService } from '../servers/vssps.mjs';
import { bundleDir, jsonEvents, runCli, startWorld } from './support/bootstrap-env.mjs';
import { COMPONENTS, get, requestReconcile, tokenBootstrap, waitReady } from './support/flux-world.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

let world;
let entra;
let vssps;
let strictVssps;
let sp;
let binDir;
const running = [];
const DAY = 86_400_000;

before(async () => {
  binDir = controllersBinDir();
  [world, entra] = await Promise.all([startWorld(), startEntraTokenService()]);
  sp = entra.addServicePrincipal({ clientSecret: true });
  const verify = bearerVerifierFor(entra);
  // The stand-in refuses app-only tokens as Azure DevOps does; the lenient one lets the service
  // principal stand for a signed-in user (the Entra stand-in has no user flows).
  [vssps, strictVssps] = await Promise.all([
    startPatLifecycleService({ verify, acceptAppTokens: true }),
    startPatLifecycleService({ verify }),
  ]);
});

after(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await Promise.allSettled([world?.stop(), entra?.stop(), vssps?.stop(), strictVssps?.stop()]);
});

const checkArgs = (ns, ...extra) => ['check', `--namespace=${ns}`, `--kubeconfig=${world.cluster.kubeconfigPath}`, '--json', ...extra];
const entraArgs = (service) => [
  '--azure-credential=environment',
  `--azure-tenant-id=${sp.tenantId}`,
  '--pat-name=flux-cluster',
  `--pat-lifecycle-url=${service.baseUrl}`,
  `--ca-file=${service.caFile}`,
];
const entraEnv = () => ({
  NODE_EXTRA_CA_CERTS: entra.caFile,
  AZURE_AUTHORITY_HOST: entra.authorityHost,
  AZURE_TENANT_ID: sp.tenantId,
  AZURE_CLIENT_ID: sp.clientId,
  AZURE_CLIENT_SECRET: sp.clientSecret,
});
const report = (stdout) => JSON.parse(stdout.trim().split('\n').at(-1));
const codes = (r) => r.findings.map((f) => f.code);

test('healthy: exit 0 with Flux, the source, the PAT and its expiry; 3 inside --warn-days; the expiry unknown without an Entra token', {
  timeout: 600_000,
}, async () => {
  const ns = 'flux-system';
  await tokenBootstrap(world, binDir, running, ns);
  await waitReady(world, ns, 'True');
  for (const service of [vssps, strictVssps]) {
    service.addPat({
      organization: 'org',
      owner: sp.objectId,
      displayName: 'other',
      validTo: new Date(Date.now() + 5 * DAY).toISOString(),
    });
    service.addPat({
      organization: 'org',
      owner: sp.objectId,
      displayName: 'flux-cluster',
      validTo: new Date(Date.now() + 30 * DAY).toISOString(),
    });
  }

  const ok = await runCli(checkArgs(ns, ...entraArgs(vssps)), { env: entraEnv() });
  assert.equal(ok.code, 0, `${ok.stderr}\n${ok.stdout}`);
  const r = report(ok.stdout);
  assert.equal(r.status, 'healthy', JSON.stringify(r.findings));
  assert.equal(r.credential, 'token');
  assert.equal(r.fluxVersion, 'v2.9.4');
  for (const name of COMPONENTS) assert.ok(r.components.find((c) => c.name === name)?.ready, name);
  assert.equal(r.gitRepository.url, world.git.repoUrl('org', 'project', ns));
  assert.match(r.gitRepository.revision, /^main@sha1:[0-9a-f]{40}$/);
  assert.ok(r.gitRepository.lastFetch);
  assert.equal(r.pat.displayName, 'flux-cluster');
  assert.ok(r.patExpiry.daysLeft >= 29 && r.patExpiry.daysLeft <= 30, JSON.stringify(r.patExpiry));
  assert.ok(
    vssps.log.some((l) => l.includes('/org/_apis/tokens/pats?api-version=7.1-preview.1')),
    vssps.log.join('\n'),
  );

  const warn = await runCli(checkArgs(ns, ...entraArgs(vssps), '--warn-days=45'), { env: entraEnv() });
  assert.equal(warn.code, 3, warn.stderr);
  assert.deepEqual(codes(report(warn.stdout)), ['PAT_EXPIRING']);

  const unknown = await runCli(checkArgs(ns));
  assert.equal(unknown.code, 0, unknown.stderr);
  assert.deepEqual(codes(report(unknown.stdout)), ['PAT_EXPIRY_UNKNOWN']);

  // Azure DevOps refuses an app's token on this API: the expiry stays unknown, and says why.
  const refused = await runCli(checkArgs(ns, ...entraArgs(strictVssps)), { env: entraEnv() });
  assert.equal(refused.code, 0, refused.stderr);
  const finding = report(refused.stdout).findings.find((f) => f.code === 'PAT_EXPIRY_UNKNOWN');
  assert.match(finding.message, /user/);
  assert.ok(strictVssps.stats.refused > 0);

  // The PAT went to the Git endpoint only: not to the lifecycle API, not into any output.
  const tokens = entra.issued.map((i) => i.token);
  await assertNoLeaks(
    { pats: [world.pat], entraTokens: tokens, clientSecrets: [sp.clientSecret] },
    {
      values: [ok.stdout, ok.stderr, warn.stdout, unknown.stdout, refused.stdout, vssps.log, strictVssps.log],
      processes: [...ok.processes, ...warn.processes],
      tmpDirs: [ok.tmpDir, warn.tmpDir],
    },
  );
});

test('broken credential: the Git server revoked the PAT; exit 4 with GIT_AUTH_FAILED naming rotate', { timeout: 300_000 }, async () => {
  const ns = 'flux-system';
  world.git.revokePat(world.pat);
  await requestReconcile(world, ns);
  await waitReady(world, ns, 'False');
  const res = await runCli(checkArgs(ns));
  assert.equal(res.code, 4, res.stderr);
  const r = report(res.stdout);
  assert.equal(r.status, 'unhealthy');
  const finding = r.findings.find((f) => f.code === 'GIT_AUTH_FAILED');
  assert.ok(finding, JSON.stringify(r.findings));
  assert.equal(finding.severity, 'error');
  assert.match(finding.remedy, /flux-azdo rotate/);
  assert.ok(jsonEvents(res.stdout).some((e) => e.type === 'done' && e.step === 'check'));
  // Plain output: the same findings for a human, the same exit code.
  const plain = await runCli(checkArgs(ns).filter((a) => a !== '--json'));
  assert.equal(plain.code, 4);
  assert.match(plain.stdout, /\[GIT_AUTH_FAILED\]/);
});

test('half-installed: components applied but nothing runs and no sync objects; a missing namespace', { timeout: 300_000 }, async () => {
  const ns = 'flux-half';
  const manifest = await installManifests({ namespace: ns, components: COMPONENTS, manifests: bundleDir });
  await applyManifests(connect({ kubeconfig: world.cluster.kubeconfigPath }), manifest.content, { defaultNamespace: ns });
  const res = await runCli(checkArgs(ns));
  assert.equal(res.code, 4, res.stderr);
  const found = codes(report(res.stdout));
  assert.deepEqual(found, ['COMPONENT_NOT_READY', 'COMPONENT_NOT_READY', 'GIT_REPOSITORY_MISSING', 'KUSTOMIZATION_MISSING']);
  assert.ok((await get(world, `/api/v1/namespaces/${ns}`)).status === 200, 'check wrote nothing and removed nothing');

  const none = await runCli(checkArgs(`flux-none-${randomBytes(3).toString('hex')}`));
  assert.equal(none.code, 4);
  assert.ok(codes(report(none.stdout)).includes('NAMESPACE_MISSING'));
});
