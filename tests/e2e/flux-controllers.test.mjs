// The proof against Flux itself: after `flux-azdo bootstrap git`, Flux's real source-controller
// and kustomize-controller (v1.9.4, local processes started from the Deployments bootstrap
// applied) fetch the pushed revision with the Secret flux-azdo wrote, apply <path>, and report
// Ready at <branch>@sha1:<sha>, which flux-azdo's own health wait sees. Then the cluster follows
// the repository: a ConfigMap pushed under the path appears, and is pruned once removed.
// Negative: a Git change that narrows source-controller's --ssh-hostkey-algos to ssh-rsa rolls
// the controller, which then cannot reach the rsa-sha2-only sshd; flux-azdo's health wait reports
// the controller's own reason.
//
// Needs: tests/harness/build.sh (kube-apiserver, etcd) and tests/harness/controllers/build.sh
// (the controllers; a cold build takes many minutes), git, sshd, openssl, the built npm package.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { bootstrap, connect } from '../../npm/dist/index.js';
// flux-azdo's own health wait (the one bootstrap ends with), to read a failure after bootstrap.
import { bootstrapHealthTargets, waitForHealth } from '../../npm/dist/kube/wait.js';
import { kubeRequest } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { gitEnv } from '../servers/git-https.mjs';
import { bundleDir, startWorld } from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const COMPONENTS = ['source-controller', 'kustomize-controller'];
const PATH_IN_REPO = 'clusters/my-cluster';

let world;
let binDir;
let work;
const running = [];

before(async () => {
  binDir = controllersBinDir();
  world = await startWorld();
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-controllers-e2e-'));
});

after(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await world?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function get(path) {
  return kubeRequest(world.cluster.admin, 'GET', path);
}

const gitRepositoryPath = (ns) => `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`;
const kustomizationPath = (ns) => `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations/${ns}`;
const ready = (obj) => obj?.status?.conditions?.find((c) => c.type === 'Ready');

async function eventually(what, fn, { timeoutMs = 120_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last.ok) return last.value;
    if (Date.now() > deadline) assert.fail(`${what}: not reached in ${timeoutMs} ms; last seen: ${last.detail}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Runs bootstrap through the public API; once the components are installed (as pods would
 * start then), starts the real controllers from the Deployments in the cluster.
 */
async function bootstrapWithControllers(options, hooks = {}) {
  const ns = options.namespace;
  const events = [];
  let controllers;
  const result = await bootstrap(
    {
      path: PATH_IN_REPO,
      components: COMPONENTS,
      kubeconfig: world.cluster.kubeconfigPath,
      manifests: bundleDir,
      timeout: '3m',
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
  return { result, events, controllers: await controllers };
}

/** A revision is Ready on both Flux objects, as the controllers themselves wrote it. */
async function assertReconciledAt(ns, revision) {
  const repo = (await get(gitRepositoryPath(ns))).body;
  assert.equal(ready(repo)?.status, 'True', JSON.stringify(repo.status));
  assert.equal(repo.status.artifact.revision, revision);
  assert.match(repo.status.artifact.url, /^http:\/\/127\.0\.0\.1:\d+\/gitrepository\//, 'the artifact is served by our source-controller');
  const ks = (await get(kustomizationPath(ns))).body;
  assert.equal(ready(ks)?.status, 'True', JSON.stringify(ks.status));
  assert.equal(ks.status.lastAppliedRevision, revision);
  assert.match(ready(ks).message, new RegExp(`Applied revision: ${revision.replace(/[.@]/g, '\\$&')}`));
}

/** Commits a change to the bare repository (as a user would push) and returns the new sha. */
function pushChange(bareRepo, change) {
  const dir = execFileSync('mktemp', ['-d', join(work, 'clone-XXXXXX')], { encoding: 'utf8' }).trim();
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { env: gitEnv(), encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--branch', 'main', bareRepo, dir], { env: gitEnv() });
  change(dir, git);
  git('add', '-A');
  git('commit', '--quiet', '-m', 'test change');
  git('push', '--quiet', 'origin', 'main');
  return git('rev-parse', 'HEAD');
}

/** What `flux reconcile source git` does: ask for a reconcile now instead of at the interval. */
async function requestReconcile(ns) {
  const res = await kubeRequest(
    world.cluster.admin,
    'PATCH',
    gitRepositoryPath(ns),
    { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } },
    'application/merge-patch+json',
  );
  assert.equal(res.status, 200);
}

/** The cluster converges to a pushed ConfigMap, then prunes it when it is removed from Git. */
async function proveConvergence(ns, bareRepo) {
  const file = `${PATH_IN_REPO}/flux-azdo-probe.yaml`;
  const cmPath = `/api/v1/namespaces/${ns}/configmaps/flux-azdo-probe`;
  const added = pushChange(bareRepo, (dir) => {
    execFileSync('mkdir', ['-p', join(dir, PATH_IN_REPO)]);
    execFileSync('tee', [join(dir, file)], {
      input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flux-azdo-probe\n  namespace: ${ns}\ndata:\n  pushed: by-the-test\n`,
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  });
  await requestReconcile(ns);
  const cm = await eventually('the pushed ConfigMap is applied', async () => {
    const res = await get(cmPath);
    return { ok: res.status === 200, value: res.body, detail: `${res.status}` };
  });
  assert.equal(cm.data.pushed, 'by-the-test');
  assert.equal(cm.metadata.labels['kustomize.toolkit.fluxcd.io/name'], ns, 'applied by kustomize-controller');
  await eventually('Kustomization at the new revision', async () => {
    const ks = (await get(kustomizationPath(ns))).body;
    return { ok: ks.status?.lastAppliedRevision === `main@sha1:${added}`, detail: JSON.stringify(ks.status?.conditions) };
  });

  const removed = pushChange(bareRepo, (_dir, git) => git('rm', '--quiet', file));
  await requestReconcile(ns);
  await eventually('the removed ConfigMap is pruned', async () => {
    const res = await get(cmPath);
    return { ok: res.status === 404, detail: `${res.status}` };
  });
  await eventually('Kustomization at the removal', async () => {
    const ks = (await get(kustomizationPath(ns))).body;
    return { ok: ks.status?.lastAppliedRevision === `main@sha1:${removed}`, detail: JSON.stringify(ks.status?.conditions) };
  });
}

test('token flow: the real controllers fetch with the PAT Secret and the test CA, apply <path>, and follow pushes', {
  timeout: 600_000,
}, async () => {
  // Flux's default namespace: the objects are the flux-system GitRepository and Kustomization.
  const ns = 'flux-system';
  const { git, pat } = world;
  const bareRepo = git.createRepo('org', 'project', ns);
  const { result, events, controllers } = await bootstrapWithControllers({
    namespace: ns,
    url: git.repoUrl('org', 'project', ns),
    tokenAuth: true,
    password: pat,
    caFile: git.caFile,
  });
  assert.equal(
    result.error,
    undefined,
    `bootstrap failed: ${result.error?.message}\n${controllers.logs('source-controller').slice(-3000)}`,
  );
  const head = execFileSync('git', ['--git-dir', bareRepo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  assert.equal(result.revision, `main@sha1:${head}`);
  await assertReconciledAt(ns, result.revision);
  // flux-azdo's own health wait saw Flux's objects Ready and reported it.
  const ready = events.filter((e) => e.step === 'health' && e.type === 'progress' && e.action === 'ready').map((e) => e.ref);
  assert.ok(ready.includes(`GitRepository/${ns}/${ns}`), ready.join('\n'));
  assert.ok(ready.includes(`Kustomization/${ns}/${ns}`), ready.join('\n'));
  assert.equal(events.find((e) => e.type === 'done' && e.step === 'health')?.revision, result.revision);
  // The controllers ran with the flags of the applied Deployments.
  assert.ok(controllers.processes['source-controller'].args.includes('--log-encoding=json'));

  await proveConvergence(ns, bareRepo);
  // With Flux's real controllers at work too, the PAT is only in the Git Secret's data.
  await assertNoLeaks(
    { pats: [pat] },
    { values: [result, events], repos: [bareRepo], cluster: { get, allowedSecrets: [`${ns}/flux-system`] } },
  );
});

/** SSH bootstrap with a generated RSA key the "user" adds to sshd; returns what bootstrapWithControllers does. */
async function sshBootstrap(ns, sshHostkeyAlgos) {
  const { sshd } = world;
  const bareRepo = sshd.createRepo('org', 'project', ns);
  const run = await bootstrapWithControllers(
    {
      namespace: ns,
      url: sshd.repoUrl('org', 'project', ns),
      sshKeyAlgorithm: 'rsa',
      sshRsaBits: 2048,
      ...(sshHostkeyAlgos ? { sshHostkeyAlgos } : {}),
    },
    {
      confirmDeployKey: async (prompt) => {
        sshd.addAuthorizedKey(prompt.publicKey);
        return true;
      },
    },
  );
  const { result, controllers } = run;
  assert.equal(
    result.error,
    undefined,
    `bootstrap failed: ${result.error?.message}\n${controllers.logs('source-controller').slice(-3000)}`,
  );
  const head = execFileSync('git', ['--git-dir', bareRepo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  assert.equal(result.revision, `main@sha1:${head}`);
  await assertReconciledAt(ns, result.revision);
  // The generated key is only in the Git Secret's data (its public half is printed on purpose).
  const secret = (await get(`/api/v1/namespaces/${ns}/secrets/flux-system`)).body.data;
  const decoded = (key) => Buffer.from(secret[key], 'base64').toString();
  await assertNoLeaks(
    { privateKeys: [decoded('identity')], publicKeys: [decoded('identity.pub')] },
    { values: [result, run.events], repos: [bareRepo], cluster: { get, allowedSecrets: [`${ns}/flux-system`] } },
  );
  return { ...run, bareRepo };
}

const HOSTKEY_FLAG = '--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256';

test('SSH flow: a generated RSA key, known_hosts from our scan, the host key patch read by the real source-controller', {
  timeout: 600_000,
}, async () => {
  const ns = 'flux-ssh';
  const { controllers, bareRepo } = await sshBootstrap(ns, ['rsa-sha2-512', 'rsa-sha2-256']);
  assert.ok(
    controllers.processes['source-controller'].args.includes(HOSTKEY_FLAG),
    'source-controller runs with the flag patched into its Deployment',
  );
  // sshd (RSA SHA-2 only) let the deploy key in.
  assert.match(world.sshd.log(), /Accepted publickey for \S+ from 127\.0\.0\.1 port \d+ ssh2: RSA SHA256:/);

  await proveConvergence(ns, bareRepo);
});

test('negative: a source-controller narrowed to ssh-rsa (SHA-1) cannot reach the rsa-sha2-only server, and flux-azdo reports why', {
  timeout: 600_000,
}, async (t) => {
  const ns = 'flux-ssh-sha1';
  const { controllers, bareRepo } = await sshBootstrap(ns, ['rsa-sha2-512', 'rsa-sha2-256']);
  const source = () => controllers.processes['source-controller'];
  assert.equal(source().starts, 1);

  // A change in Git narrows the patch: kustomize-controller applies it to the Deployment, and the
  // Deployment's new args reach the (restarted) source-controller process.
  const kustomization = `${PATH_IN_REPO}/${ns}/kustomization.yaml`;
  pushChange(bareRepo, (dir) => {
    const file = join(dir, kustomization);
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes(HOSTKEY_FLAG), text);
    writeFileSync(file, text.replace(HOSTKEY_FLAG, '--ssh-hostkey-algos=ssh-rsa'));
  });
  await requestReconcile(ns);
  await eventually('source-controller restarted with the narrowed flag', async () => ({
    ok: source().starts === 2 && source().args.includes('--ssh-hostkey-algos=ssh-rsa'),
    detail: JSON.stringify(source().args),
  }));

  // The next revision cannot be fetched: the server offers no host key algorithm the controller accepts.
  const next = pushChange(bareRepo, (dir) => writeFileSync(join(dir, PATH_IN_REPO, 'note.txt'), 'any change\n'));
  await requestReconcile(ns);
  const client = connect({ kubeconfig: world.cluster.kubeconfigPath });
  const err = await waitForHealth(client, bootstrapHealthTargets(ns, COMPONENTS, `main@sha1:${next}`), {
    timeoutMs: 120_000,
    intervalMs: 1000,
  }).then(
    () => assert.fail('the health wait must fail'),
    (e) => e,
  );
  assert.equal(err.code, 'HEALTH_CHECK_FAILED', err.message);
  const failure = err.failures.find((f) => f.ref === `GitRepository/${ns}/${ns}`);
  assert.ok(failure, err.message);
  assert.match(failure.detail, /handshake failed.*host key/i, "the controller's own reason reaches the user");
  t.diagnostic(`flux-azdo reported: ${err.code}: ${err.message}`);
  assert.match(world.sshd.log(), /no matching host key type found\. Their offer: ssh-rsa/);
});

test('finding: without any host key patch, source-controller v1.9.4 still reaches an rsa-sha2-only server', {
  timeout: 600_000,
}, async () => {
  // fluxcd/pkg/git (v0.52, in source-controller v1.9.4) offers rsa-sha2-512 and rsa-sha2-256
  // ahead of ssh-rsa when known_hosts holds an ssh-rsa key, so the patch is not what makes an
  // OpenSSH-like server work; flux-azdo still writes it for Azure DevOps as Flux documents.
  const ns = 'flux-ssh-nopatch';
  const { controllers } = await sshBootstrap(ns, undefined);
  assert.ok(!controllers.processes['source-controller'].args.some((a) => a.startsWith('--ssh-hostkey-algos')));
});

test('a user patch in flux-system/kustomization.yaml is applied at install and a no-op re-run changes no Deployment', {
  timeout: 600_000,
}, async () => {
  // Flux applies `kustomize build` of the flux-system folder, user patches included; so must
  // flux-azdo, or every re-run takes the patch out and kustomize-controller puts it back (a
  // new generation, a restarted controller).
  const ns = 'flux-patched';
  const { git, pat } = world;
  const bareRepo = git.createRepo('org', 'project', ns);
  const folder = `${PATH_IN_REPO}/${ns}`;
  const seed = execFileSync('mktemp', ['-d', join(work, 'seed-XXXXXX')], { encoding: 'utf8' }).trim();
  const sh = (...args) => execFileSync('git', ['-C', seed, ...args], { env: gitEnv(), encoding: 'utf8' });
  sh('init', '--quiet', '--initial-branch=main');
  execFileSync('mkdir', ['-p', join(seed, folder)]);
  writeFileSync(
    join(seed, folder, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- gotk-components.yaml
- gotk-sync.yaml
patches:
- path: limits.yaml
  target:
    kind: Deployment
    name: kustomize-controller
`,
  );
  writeFileSync(
    join(seed, folder, 'limits.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kustomize-controller
spec:
  template:
    spec:
      containers:
      - name: manager
        resources:
          limits:
            memory: 2Gi
`,
  );
  sh('add', '-A');
  sh('commit', '--quiet', '-m', 'user patch');
  sh('push', '--quiet', bareRepo, 'main');

  const options = { namespace: ns, url: git.repoUrl('org', 'project', ns), tokenAuth: true, password: pat, caFile: git.caFile };
  const { result, controllers } = await bootstrapWithControllers(options);
  assert.equal(result.error, undefined, `bootstrap failed: ${result.error?.message}`);
  await assertReconciledAt(ns, result.revision);
  const deployments = async () =>
    new Map((await get(`/apis/apps/v1/namespaces/${ns}/deployments`)).body.items.map((d) => [d.metadata.name, d]));
  const first = await deployments();
  const limits = (d) => d.spec.template.spec.containers[0].resources.limits;
  assert.equal(limits(first.get('kustomize-controller')).memory, '2Gi', 'the patch is in effect after the first run');
  assert.equal(limits(first.get('source-controller')).memory, '1Gi', 'and only where it targets');

  const rerun = await bootstrap({
    path: PATH_IN_REPO,
    components: COMPONENTS,
    kubeconfig: world.cluster.kubeconfigPath,
    manifests: bundleDir,
    timeout: '3m',
    ...options,
  });
  assert.deepEqual(rerun.commits, [], 'nothing changed: nothing pushed');
  const second = await deployments();
  for (const [name, d] of first) {
    assert.equal(second.get(name).metadata.generation, d.metadata.generation, `${name}: same generation after the re-run`);
  }
  assert.equal(limits(second.get('kustomize-controller')).memory, '2Gi');
  assert.equal(controllers.processes['kustomize-controller'].starts, 1, 'kustomize-controller was not restarted');
  await assertNoLeaks(
    { pats: [pat] },
    { values: [result, rerun], repos: [bareRepo], cluster: { get, allowedSecrets: [`${ns}/flux-system`] } },
  );
});
