// A bootstrapped cluster with Flux's real controllers (local processes started from the
// Deployments bootstrap applied), for flux-controllers, rotate and check: bootstrap over HTTPS
// with a PAT or over SSH with a generated key, then helpers to read Flux's objects, wait for what
// the controllers report, and push changes the cluster must follow.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';

import { bootstrap } from '../../../npm/dist/index.js';
import { kubeRequest } from '../../harness/cluster.mjs';
import { startFluxControllers } from '../../harness/controllers.mjs';
import { gitEnv } from '../../servers/git-https.mjs';
import { bundleDir } from './bootstrap-env.mjs';

export const COMPONENTS = ['source-controller', 'kustomize-controller'];
export const PATH_IN_REPO = 'clusters/my-cluster';

export const gitRepositoryPath = (ns) => `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`;
export const kustomizationPath = (ns) => `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations/${ns}`;
export const secretPath = (ns, name = 'flux-system') => `/api/v1/namespaces/${ns}/secrets/${name}`;
export const ready = (obj) => obj?.status?.conditions?.find((c) => c.type === 'Ready');

export async function eventually(what, fn, { timeoutMs = 120_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last.ok) return last.value;
    if (Date.now() > deadline) assert.fail(`${what}: not reached in ${timeoutMs} ms; last seen: ${last.detail}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Runs bootstrap through the API and starts the real controllers once the components are installed. */
export async function bootstrapWithControllers(world, binDir, running, options, hooks = {}) {
  const ns = options.namespace;
  const events = [];
  let controllers;
  const result = await bootstrap(
    {
      path: PATH_IN_REPO,
      components: COMPONENTS,
      kubeconfig: world.cluster.kubeconfigPath,
      manifests: bundleDir,
      timeout: '5m',
      ...options,
    },
    {
      ...hooks,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'done' && event.step === 'install' && !controllers) {
          controllers = startFluxControllers(world.cluster, { namespace: ns, binDir });
          controllers.then(
            (c) => running.push(c),
            () => {},
          );
        }
      },
    },
  ).catch((err) => ({ error: err }));
  assert.ok(controllers, `bootstrap never installed the components: ${result.error?.message}`);
  const started = await controllers;
  const logs = Object.keys(started.processes).map((name) => `--- ${name}\n${started.logs(name).slice(-2500)}`);
  assert.equal(result.error, undefined, `bootstrap failed: ${result.error?.message}\n${logs.join('\n')}`);
  return { result, events, controllers: started };
}

export function tokenBootstrap(world, binDir, running, ns) {
  world.git.createRepo('org', 'project', ns);
  return bootstrapWithControllers(world, binDir, running, {
    namespace: ns,
    url: world.git.repoUrl('org', 'project', ns),
    tokenAuth: true,
    password: world.pat,
    caFile: world.git.caFile,
  });
}

/**
 * SSH bootstrap with a generated RSA key the "user" adds to sshd; `publicKey` is that key.
 * `extra`: more bootstrap options (e.g. `sshHostkeyAlgos`).
 */
export async function sshBootstrap(world, binDir, running, ns, extra = {}) {
  world.sshd.createRepo('org', 'project', ns);
  let publicKey;
  const run = await bootstrapWithControllers(
    world,
    binDir,
    running,
    { namespace: ns, url: world.sshd.repoUrl('org', 'project', ns), sshKeyAlgorithm: 'rsa', sshRsaBits: 2048, ...extra },
    {
      confirmDeployKey: async (prompt) => {
        publicKey = prompt.publicKey;
        world.sshd.addAuthorizedKey(prompt.publicKey);
        return true;
      },
    },
  );
  return { ...run, publicKey };
}

export const get = (world, path) => kubeRequest(world.cluster.admin, 'GET', path);

/** What `flux reconcile source git` does. */
export async function requestReconcile(world, ns) {
  const res = await kubeRequest(
    world.cluster.admin,
    'PATCH',
    gitRepositoryPath(ns),
    { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } },
    'application/merge-patch+json',
  );
  assert.equal(res.status, 200);
}

/** Waits until the GitRepository reports Ready with this status (`True`/`False`). */
export function waitReady(world, ns, status, { revision, timeoutMs } = {}) {
  return eventually(
    `GitRepository ${ns} Ready=${status}${revision ? ` at ${revision}` : ''}`,
    async () => {
      const repo = (await get(world, gitRepositoryPath(ns))).body;
      const cond = ready(repo);
      const ok = cond?.status === status && (!revision || repo.status?.artifact?.revision === revision);
      return { ok, value: repo, detail: JSON.stringify(cond) };
    },
    timeoutMs ? { timeoutMs } : {},
  );
}

/** Commits a change to a bare repository (as a user would push) and returns the new sha. */
export function pushChange(bareRepo, change) {
  const dir = mkdtempSync(join(bareRepo, '..', 'clone-'));
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { env: gitEnv(), encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--branch', 'main', bareRepo, dir], { env: gitEnv() });
  change(dir, git);
  git('add', '-A');
  git('commit', '--quiet', '-m', 'test change');
  git('push', '--quiet', 'origin', 'main');
  const sha = git('rev-parse', 'HEAD');
  execFileSync('rm', ['-rf', dir]);
  return sha;
}

/** A revision is Ready on both Flux objects, as the controllers themselves wrote it. */
export async function assertReconciledAt(world, ns, revision) {
  const repo = (await get(world, gitRepositoryPath(ns))).body;
  assert.equal(ready(repo)?.status, 'True', JSON.stringify(repo.status));
  assert.equal(repo.status.artifact.revision, revision);
  assert.match(repo.status.artifact.url, /^http:\/\/127\.0\.0\.1:\d+\/gitrepository\//, 'the artifact is served by our source-controller');
  const ks = (await get(world, kustomizationPath(ns))).body;
  assert.equal(ready(ks)?.status, 'True', JSON.stringify(ks.status));
  assert.equal(ks.status.lastAppliedRevision, revision);
  assert.match(ready(ks).message, new RegExp(`Applied revision: ${revision.replace(/[.@]/g, '\\$&')}`));
}

/** The cluster converges to a pushed ConfigMap, then prunes it when it is removed from Git. */
export async function proveConvergence(world, ns, bareRepo) {
  const file = `${PATH_IN_REPO}/flux-azdo-probe.yaml`;
  const cmPath = `/api/v1/namespaces/${ns}/configmaps/flux-azdo-probe`;
  const added = pushChange(bareRepo, (dir) => {
    execFileSync('mkdir', ['-p', join(dir, PATH_IN_REPO)]);
    execFileSync('tee', [join(dir, file)], {
      input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flux-azdo-probe\n  namespace: ${ns}\ndata:\n  pushed: by-the-test\n`,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  });
  await requestReconcile(world, ns);
  const cm = await eventually('the pushed ConfigMap is applied', async () => {
    const res = await get(world, cmPath);
    return { ok: res.status === 200, value: res.body, detail: `${res.status}` };
  });
  assert.equal(cm.data.pushed, 'by-the-test');
  assert.equal(cm.metadata.labels['kustomize.toolkit.fluxcd.io/name'], ns, 'applied by kustomize-controller');
  await eventually('Kustomization at the new revision', async () => {
    const ks = (await get(world, kustomizationPath(ns))).body;
    return { ok: ks.status?.lastAppliedRevision === `main@sha1:${added}`, detail: JSON.stringify(ks.status?.conditions) };
  });

  const removed = pushChange(bareRepo, (_dir, git) => git('rm', '--quiet', file));
  await requestReconcile(world, ns);
  await eventually('the removed ConfigMap is pruned', async () => {
    const res = await get(world, cmPath);
    return { ok: res.status === 404, detail: `${res.status}` };
  });
  await eventually('Kustomization at the removal', async () => {
    const ks = (await get(world, kustomizationPath(ns))).body;
    return { ok: ks.status?.lastAppliedRevision === `main@sha1:${removed}`, detail: JSON.stringify(ks.status?.conditions) };
  });
}
