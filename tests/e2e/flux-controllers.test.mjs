// The proof against Flux itself: after `flux-azdo bootstrap git`, Flux's real controllers
// (local processes started from the Deployments bootstrap applied) fetch the pushed revision with
// the Secret flux-azdo wrote, apply <path>, and report Ready at <branch>@sha1:<sha>, which
// flux-azdo's own health wait sees. Then the cluster follows the repository: a ConfigMap pushed
// under the path appears, and is pruned once removed. A default bootstrap (Flux's four default
// components) is Ready from four controller processes, and the others' events reach
// notification-controller, which forwards them to a Provider.
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
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { bootstrap, connect, dryRun } from '../../npm/dist/index.js';
// flux-azdo's own health wait (the one bootstrap ends with), to read a failure after bootstrap.
import { bootstrapHealthTargets, waitForHealth } from '../../npm/dist/kube/wait.js';
import { kubeRequest } from '../harness/cluster.mjs';
import { controllersBinDir } from '../harness/controllers.mjs';
import { gitEnv } from '../servers/git-https.mjs';
import { bundleDir, DEFAULT_COMPONENTS, startWorld } from './support/bootstrap-env.mjs';
import {
  COMPONENTS,
  PATH_IN_REPO,
  assertReconciledAt,
  bootstrapWithControllers as bootstrapIn,
  eventually,
  proveConvergence,
  pushChange,
  requestReconcile,
  sshBootstrap as sshBootstrapIn,
  tokenBootstrap,
} from './support/flux-world.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

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

const get = (path) => kubeRequest(world.cluster.admin, 'GET', path);
const bootstrapWithControllers = (options, hooks) => bootstrapIn(world, binDir, running, options, hooks);

test('token flow: the real controllers fetch with the PAT Secret and the test CA, apply <path>, and follow pushes', {
  timeout: 600_000,
}, async () => {
  // Flux's default namespace: the objects are the flux-system GitRepository and Kustomization.
  const ns = 'flux-system';
  const { git, pat } = world;
  const { result, events, controllers } = await tokenBootstrap(world, binDir, running, ns);
  const bareRepo = git.repoDir('org', 'project', ns);
  const head = execFileSync('git', ['--git-dir', bareRepo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  assert.equal(result.revision, `main@sha1:${head}`);
  await assertReconciledAt(world, ns, result.revision);
  // flux-azdo's own health wait saw Flux's objects Ready and reported it.
  const ready = events.filter((e) => e.step === 'health' && e.type === 'progress' && e.action === 'ready').map((e) => e.ref);
  assert.ok(ready.includes(`GitRepository/${ns}/${ns}`), ready.join('\n'));
  assert.ok(ready.includes(`Kustomization/${ns}/${ns}`), ready.join('\n'));
  assert.equal(events.find((e) => e.type === 'done' && e.step === 'health')?.revision, result.revision);
  // The controllers ran with the flags of the applied Deployments.
  assert.ok(controllers.processes['source-controller'].args.includes('--log-encoding=json'));

  await proveConvergence(world, ns, bareRepo);
  // With Flux's real controllers at work too, the PAT is only in the Git Secret's data.
  await assertNoLeaks(
    { pats: [pat] },
    { values: [result, events], repos: [bareRepo], cluster: { get, allowedSecrets: [`${ns}/flux-system`] } },
  );
});

/** SSH bootstrap with a generated RSA key the "user" adds to sshd, checked and leak-scanned. */
async function sshBootstrap(ns, sshHostkeyAlgos) {
  const run = await sshBootstrapIn(world, binDir, running, ns, sshHostkeyAlgos ? { sshHostkeyAlgos } : {});
  const bareRepo = world.sshd.repoDir('org', 'project', ns);
  const { result } = run;
  const head = execFileSync('git', ['--git-dir', bareRepo, 'rev-parse', 'main'], { encoding: 'utf8' }).trim();
  assert.equal(result.revision, `main@sha1:${head}`);
  await assertReconciledAt(world, ns, result.revision);
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

  await proveConvergence(world, ns, bareRepo);
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
  await requestReconcile(world, ns);
  await eventually('source-controller restarted with the narrowed flag', async () => ({
    ok: source().starts === 2 && source().args.includes('--ssh-hostkey-algos=ssh-rsa'),
    detail: JSON.stringify(source().args),
  }));

  // The next revision cannot be fetched: the server offers no host key algorithm the controller accepts.
  const next = pushChange(bareRepo, (dir) => writeFileSync(join(dir, PATH_IN_REPO, 'note.txt'), 'any change\n'));
  await requestReconcile(world, ns);
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
  await assertReconciledAt(world, ns, result.revision);
  const deployments = async () =>
    new Map((await get(`/apis/apps/v1/namespaces/${ns}/deployments`)).body.items.map((d) => [d.metadata.name, d]));
  const first = await deployments();
  const limits = (d) => d.spec.template.spec.containers[0].resources.limits;
  assert.equal(limits(first.get('kustomize-controller')).memory, '2Gi', 'the patch is in effect after the first run');
  assert.equal(limits(first.get('source-controller')).memory, '1Gi', 'and only where it targets');

  const again = {
    path: PATH_IN_REPO,
    components: COMPONENTS,
    kubeconfig: world.cluster.kubeconfigPath,
    manifests: bundleDir,
    timeout: '5m',
    ...options,
  };
  // The dry run builds the same folder: it predicts that the re-run changes no object.
  const predicted = await dryRun(again);
  assert.deepEqual(
    predicted.objects.filter((o) => o.change !== 'unchanged'),
    [],
    'the dry run predicts no change',
  );
  const rerun = await bootstrap(again);
  assert.deepEqual(rerun.commits, [], 'nothing changed: nothing pushed');
  const second = await deployments();
  for (const [name, d] of first) {
    assert.equal(second.get(name).metadata.generation, d.metadata.generation, `${name}: same generation after the re-run`);
  }
  assert.equal(limits(second.get('kustomize-controller')).memory, '2Gi');
  assert.equal(controllers.processes['kustomize-controller'].starts, 1, 'kustomize-controller was not restarted');
  // The shared cluster also holds the token test's Git Secret, with the same PAT.
  await assertNoLeaks(
    { pats: [pat] },
    {
      values: [result, rerun],
      repos: [bareRepo],
      cluster: { get, allowedSecrets: [`${ns}/flux-system`, 'flux-system/flux-system'] },
    },
  );
});

/** A Provider's webhook endpoint: collects what notification-controller forwards. */
async function startEventReceiver() {
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        received.push({ unparsed: Buffer.concat(chunks).toString('utf8') });
      }
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, received, stop: () => new Promise((r) => server.close(r)) };
}

test("a default bootstrap is Ready from Flux's four default controllers, and their events reach notification-controller", {
  timeout: 600_000,
}, async () => {
  const ns = 'flux-default';
  const { git, pat } = world;
  const bareRepo = git.createRepo('org', 'project', ns);
  // Flux's default set (bootstrap.test.mjs's CLI token flow runs it without --components).
  const { result, events, controllers } = await bootstrapWithControllers({
    namespace: ns,
    url: git.repoUrl('org', 'project', ns),
    tokenAuth: true,
    password: pat,
    caFile: git.caFile,
    components: DEFAULT_COMPONENTS,
  });
  const deployments = (await get(`/apis/apps/v1/namespaces/${ns}/deployments`)).body.items;
  assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), [...DEFAULT_COMPONENTS].sort());
  // Each Deployment bootstrap waited for is backed by its own running controller process.
  assert.deepEqual(Object.keys(controllers.processes).sort(), [...DEFAULT_COMPONENTS].sort());
  for (const [name, p] of Object.entries(controllers.processes)) {
    assert.equal(p.child.exitCode, null, `${name} runs`);
    assert.equal(p.starts, 1, `${name} started once`);
  }
  const readyRefs = events.filter((e) => e.step === 'health' && e.action === 'ready').map((e) => e.ref);
  for (const name of DEFAULT_COMPONENTS) assert.ok(readyRefs.includes(`Deployment/${ns}/${name}`), readyRefs.join('\n'));
  await assertReconciledAt(world, ns, result.revision);

  // Events: the others post to notification-controller's loopback event endpoint (in a pod, its
  // Service URL); an Alert routes them to a generic Provider, as a user would configure it.
  assert.match(controllers.eventsUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  for (const name of ['source-controller', 'kustomize-controller', 'helm-controller']) {
    assert.ok(controllers.processes[name].args.includes(`--events-addr=${controllers.eventsUrl}`), name);
  }
  const receiver = await startEventReceiver();
  try {
    const create = async (path, body) => {
      const res = await kubeRequest(world.cluster.admin, 'POST', path, body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
    };
    const base = `/apis/notification.toolkit.fluxcd.io/v1beta3/namespaces/${ns}`;
    await create(`${base}/providers`, {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Provider',
      metadata: { name: 'probe' },
      spec: { type: 'generic', address: receiver.url },
    });
    await create(`${base}/alerts`, {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name: 'probe' },
      spec: {
        providerRef: { name: 'probe' },
        eventSeverity: 'info',
        eventSources: [
          { kind: 'GitRepository', name: '*' },
          { kind: 'Kustomization', name: '*' },
        ],
      },
    });
    const next = pushChange(bareRepo, (dir) => writeFileSync(join(dir, PATH_IN_REPO, 'note.txt'), 'an event, please\n'));
    await requestReconcile(world, ns);
    const forwarded = await eventually(
      'source-controller event forwarded by notification-controller',
      async () => {
        const hit = receiver.received.find(
          (e) =>
            e.involvedObject?.kind === 'GitRepository' &&
            e.involvedObject?.name === ns &&
            Object.values(e.metadata ?? {}).includes(`main@sha1:${next}`),
        );
        return { ok: Boolean(hit), value: hit, detail: JSON.stringify(receiver.received.slice(-3)) };
      },
      { timeoutMs: 180_000 },
    );
    assert.equal(forwarded.reportingController, 'source-controller');
    assert.equal(forwarded.involvedObject.namespace, ns);
  } finally {
    await receiver.stop();
  }
});
