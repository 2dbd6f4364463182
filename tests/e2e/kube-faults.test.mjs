// Kubernetes faults through the real `flux-azdo bootstrap git` CLI, against a real kube-apiserver
// and etcd (one apiserver for the file, restarted on the same etcd between cases) and the
// Azure-DevOps-like HTTPS Git server: the apiserver dying between the components push and the
// install, dying or hanging during the health wait, etcd lost during the health wait, a genuine
// 409 on the Secret write, and two bootstraps at once. Each ends in a typed error naming the step (or a successful retry), the
// Secret is never half-written, and a re-run converges without pushing anything twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

import * as core from '../../npm/dist/core/node.js';
import { kubeRequest, startCluster } from '../harness/cluster.mjs';
import { isWrite, startKubeFaultProxy } from '../harness/kube-fault-proxy.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { controllerStandIn, getObject, history, jsonEvents, refs, runCli, tokenBootstrapArgs } from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

let world;
let proxy;
/** Output and runs of the current test, for its own leak scan. */
let captured = [];
let runs = [];
const gitSecrets = new Set();

before(async () => {
  const pat = `fake-pat-${randomBytes(16).toString('hex')}`;
  const [cluster, git] = await Promise.all([startCluster(), startGitHttpsServer({ pat })]);
  world = { pat, cluster, git };
  proxy = await startKubeFaultProxy(cluster);
});
after(async () => {
  await proxy?.stop();
  world?.cluster.thawApiserver();
  await Promise.allSettled([world?.cluster.stop(), world?.git.stop()]);
});

/** The token bootstrap's flags for namespace `ns` (its own repo), through the fault proxy unless `direct`. */
function flags(ns, { direct = false, timeout } = {}) {
  const args = tokenBootstrapArgs(world, world.git.repoUrl('org', 'project', ns), ns);
  return args.map((a) => {
    if (a.startsWith('--kubeconfig=') && !direct) return `--kubeconfig=${proxy.kubeconfigPath}`;
    if (a.startsWith('--timeout=') && timeout) return `--timeout=${timeout}`;
    return a;
  });
}

/** One CLI run with GIT_PASSWORD; `onEvent` sees each --json event as it comes. */
async function bootstrapCli(ns, { onEvent, ...opts } = {}) {
  const onLine = (line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      return;
    }
    onEvent?.(event);
  };
  const res = await runCli(flags(ns, opts), { env: { GIT_PASSWORD: world.pat }, onLine });
  captured.push(res.stdout, res.stderr);
  runs.push(res);
  gitSecrets.add(`${ns}/flux-system`);
  return { ...res, events: jsonEvents(res.stdout) };
}

/** A run that should converge: the stand-in plays Flux's controllers when the health step comes. */
async function convergingRun(ns, opts = {}) {
  const standIn = controllerStandIn(world.cluster, ns);
  const res = await bootstrapCli(ns, { ...opts, onEvent: standIn.onEvent });
  await standIn.settled();
  assert.equal(res.code, 0, res.stderr + res.stdout);
  return res;
}

const errorEvent = (res) => res.events.find((e) => e.type === 'error');
const doneEvent = (res, step) => res.events.find((e) => e.type === 'done' && e.step === step);

/** The Secret bootstrap must leave: the core's own token Secret for this PAT, as the API stores it. */
function expectedSecret(ns) {
  const caCrt = readFileSync(world.git.caFile, 'utf8');
  const s = core.generateSecret({
    name: 'flux-system',
    namespace: ns,
    auth: { type: 'token', username: 'git', password: world.pat, caCrt },
  });
  const data = Object.fromEntries(Object.entries(s.stringData).map(([k, v]) => [k, Buffer.from(String(v), 'utf8').toString('base64')]));
  return { data, stringData: s.stringData, type: s.type ?? 'Opaque', labels: s.labels ?? {} };
}

async function assertSecretIsOurs(ns) {
  const res = await kubeRequest(world.cluster.admin, 'GET', `/api/v1/namespaces/${ns}/secrets/flux-system`);
  assert.equal(res.status, 200);
  const want = expectedSecret(ns);
  assert.deepEqual(res.body.data, want.data, 'the Secret holds exactly the keys and values bootstrap writes');
  assert.equal(res.body.type, want.type);
  for (const [k, v] of Object.entries(want.labels)) assert.equal(res.body.metadata.labels?.[k], v);
}

/**
 * Watches the Secret from before the run: every version the apiserver stored (ADDED/MODIFIED), so
 * a test can check none was ever written with only some of its keys.
 */
async function watchSecret(ns) {
  const versions = [];
  const conn = world.cluster.admin;
  const url = new URL(`/api/v1/namespaces/${ns}/secrets?watch=true&fieldSelector=metadata.name%3Dflux-system`, conn.server);
  let req;
  await new Promise((resolve, reject) => {
    req = request(url, { ca: conn.ca, cert: conn.cert, key: conn.key, headers: { accept: 'application/json' } }, (res) => {
      let partial = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        partial += chunk;
        let nl;
        while ((nl = partial.indexOf('\n')) >= 0) {
          const event = JSON.parse(partial.slice(0, nl));
          partial = partial.slice(nl + 1);
          if (event.type === 'ADDED' || event.type === 'MODIFIED') versions.push(event.object);
        }
      });
      res.on('error', () => {});
      resolve();
    });
    req.on('error', reject);
    req.end();
  });
  return { versions, stop: () => req.destroy() };
}

function assertEveryVersionComplete(versions) {
  assert.ok(versions.length > 0, 'the watch saw the Secret written');
  const keys = Object.keys(expectedSecret('x').data).sort();
  for (const v of versions) assert.deepEqual(Object.keys(v.data ?? {}).sort(), keys, `version ${v.metadata.resourceVersion} has every key`);
}

async function scanForLeaks(repos) {
  const tmpDirs = runs.map((r) => r.tmpDir);
  try {
    await assertNoLeaks(
      { pats: [world.pat] },
      {
        values: captured,
        repos,
        processes: runs.flatMap((r) => r.processes),
        tmpDirs,
        cluster: { get: (path) => getObject(world.cluster, path), allowedSecrets: [...gitSecrets] },
      },
    );
  } finally {
    captured = [];
    runs = [];
    for (const dir of tmpDirs) await rm(dir, { recursive: true, force: true });
  }
}

const deferred = () => {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
};

test('two bootstraps at once into one cluster and one repository: both end well, CRDs and the Secret created once, nothing pushed twice', async () => {
  // First in the file: the CRDs do not exist yet, so both runs create them at the same moment.
  const ns = 'twice';
  const repo = world.git.createRepo('org', 'project', ns);
  const watch = await watchSecret(ns);
  const [a, b] = await Promise.all([convergingRun(ns, { direct: true }), convergingRun(ns, { direct: true })]);
  watch.stop();
  for (const res of [a, b]) assert.equal(errorEvent(res), undefined);
  const commits = history(repo);
  assert.deepEqual(
    commits.map((c) => c.message),
    ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests'],
    'each commit once',
  );
  // Both runs name the one commit of each kind: either the other found it there, or both made the
  // same commit object (same tree, parent, author and second) and the second push moved nothing.
  assert.deepEqual(
    [a, b].map((r) => doneEvent(r, 'components').sha),
    [commits[1].sha, commits[1].sha],
  );
  assert.deepEqual(
    [a, b].map((r) => doneEvent(r, 'sync').sha),
    [commits[0].sha, commits[0].sha],
  );
  assert.equal([a, b].filter((r) => doneEvent(r, 'install')).length, 2);
  await assertSecretIsOurs(ns);
  assertEveryVersionComplete(watch.versions);
  const tips = refs(repo);
  const again = await convergingRun(ns, { direct: true });
  assert.equal(doneEvent(again, 'components').pushed, false);
  assert.equal(doneEvent(again, 'sync').pushed, false);
  assert.deepEqual(refs(repo), tips, 'the re-run pushes nothing');
  await scanForLeaks([repo]);
});

test('the apiserver dies between the components push and the install: KUBE_UNREACHABLE at install; the re-run installs without pushing the components again', async () => {
  const ns = 'die-before-install';
  const repo = world.git.createRepo('org', 'project', ns);
  // Every write is held until the apiserver is dead, so the first apply meets a dead server:
  // the kill is driven by the push's done event, never by a sleep.
  const killed = deferred();
  const removeHook = proxy.addHook((r) => (isWrite(r) ? killed.promise : undefined));
  let res;
  try {
    res = await bootstrapCli(ns, {
      onEvent: (e) => {
        if (e.type === 'done' && e.step === 'components') {
          world.cluster.killApiserverNow();
          killed.resolve();
        }
      },
    });
  } finally {
    killed.resolve();
    removeHook();
  }
  assert.equal(res.code, 1, res.stderr + res.stdout);
  const error = errorEvent(res);
  assert.equal(error.code, 'KUBE_UNREACHABLE');
  assert.equal(error.step, 'install');
  const pushedSha = refs(repo)['refs/heads/main'];
  assert.deepEqual(error.done, [{ step: 'components', sha: pushedSha }], 'the error says what was already changed');
  assert.equal(res.events.filter((e) => e.type === 'progress' && e.step === 'install').length, 0, 'nothing was applied');

  await world.cluster.restartApiserver();
  const ns404 = await kubeRequest(world.cluster.admin, 'GET', `/api/v1/namespaces/${ns}`);
  assert.equal(ns404.status, 404, 'no apply reached the apiserver before it died');
  const again = await convergingRun(ns);
  assert.equal(doneEvent(again, 'components').pushed, false, 'the components commit is not pushed again');
  assert.equal(doneEvent(again, 'components').sha, pushedSha);
  assert.ok(doneEvent(again, 'install'));
  assert.equal(doneEvent(again, 'secret').action, 'created');
  assert.ok(doneEvent(again, 'health'));
  const commits = history(repo);
  assert.deepEqual(
    commits.map((c) => c.message),
    ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests'],
  );
  assert.equal(commits[1].sha, pushedSha, 'the branch moved only by the sync commit on top of the first run’s push');
  await assertSecretIsOurs(ns);
  await scanForLeaks([repo]);
});

test('the apiserver dies during the health wait: KUBE_UNREACHABLE at health, everything before it listed as done; the re-run pushes nothing and converges', async () => {
  const ns = 'die-in-health';
  const repo = world.git.createRepo('org', 'project', ns);
  const res = await bootstrapCli(ns, {
    direct: true,
    onEvent: (e) => {
      if (e.type === 'step' && e.step === 'health') world.cluster.killApiserverNow();
    },
  });
  assert.equal(res.code, 1, res.stderr + res.stdout);
  const error = errorEvent(res);
  assert.equal(error.code, 'KUBE_UNREACHABLE');
  assert.equal(error.step, 'health');
  const tips = refs(repo);
  assert.deepEqual(
    error.done.map((d) => d.step),
    ['components', 'install', 'secret', 'sync'],
  );
  assert.equal(error.done.find((d) => d.step === 'sync').sha, tips['refs/heads/main']);

  await world.cluster.restartApiserver();
  const again = await convergingRun(ns, { direct: true });
  assert.equal(doneEvent(again, 'components').pushed, false);
  assert.equal(doneEvent(again, 'sync').pushed, false);
  assert.deepEqual(refs(repo), tips, 'the branch did not move');
  assert.ok(doneEvent(again, 'health'));
  await assertSecretIsOurs(ns);
  await scanForLeaks([repo]);
});

test('the apiserver hangs during the health wait: TIMEOUT at health within --timeout, not a hang; the re-run converges', async () => {
  const ns = 'hang-in-health';
  const repo = world.git.createRepo('org', 'project', ns);
  let res;
  try {
    res = await bootstrapCli(ns, {
      direct: true,
      // Shorter than a request's own 30 s timeout: the wait must stop at --timeout, not later.
      timeout: '15s',
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 'health') world.cluster.freezeApiserver();
      },
    });
  } finally {
    world.cluster.thawApiserver();
  }
  assert.equal(res.code, 1, res.stderr + res.stdout);
  const error = errorEvent(res);
  assert.equal(error.code, 'TIMEOUT');
  assert.equal(error.step, 'health');
  const tips = refs(repo);
  const again = await convergingRun(ns, { direct: true });
  assert.equal(doneEvent(again, 'sync').pushed, false);
  assert.deepEqual(refs(repo), tips);
  await assertSecretIsOurs(ns);
  await scanForLeaks([repo]);
});

/**
 * A racing writer in front of the apiserver: when flux-azdo creates or updates the Secret, the
 * proxy first writes that Secret itself (every key, with a stale password), then forwards
 * flux-azdo's request, which the apiserver answers 409 (AlreadyExists on create, Conflict on the
 * stale resourceVersion of an update). `times` races per kind of write (Infinity: every write).
 */
function racingSecretWriter(ns, times) {
  const raced = { POST: 0, PUT: 0 };
  const collection = `/api/v1/namespaces/${ns}/secrets`;
  const remove = proxy.addHook(async ({ method, path }) => {
    const create = method === 'POST' && path === collection;
    const update = method === 'PUT' && path === `${collection}/flux-system`;
    if (!(create || update) || raced[method] >= times) return;
    raced[method] += 1;
    // A new value each time, so each racing write really bumps the resourceVersion.
    const stale = { ...expectedSecret(ns).stringData, password: `stale-${randomBytes(8).toString('hex')}` };
    const res = create
      ? await kubeRequest(world.cluster.admin, 'POST', collection, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'flux-system', namespace: ns },
          stringData: stale,
        })
      : await kubeRequest(world.cluster.admin, 'PATCH', `${collection}/flux-system`, { stringData: stale }, 'application/merge-patch+json');
    assert.ok(res.status === 200 || res.status === 201, `the racer wrote the Secret (${res.status})`);
  });
  const conflicts = () => proxy.requests.filter((r) => r.path.startsWith(collection) && r.status === 409).length;
  return { remove, raced, conflicts };
}

test('a real 409 on the Secret write (create and update raced once each): retried, the Secret ends byte for byte flux-azdo’s, never half-written', async () => {
  const ns = 'secret-409';
  const repo = world.git.createRepo('org', 'project', ns);
  const watch = await watchSecret(ns);
  const racer = racingSecretWriter(ns, 1);
  const before409 = racer.conflicts();
  try {
    await convergingRun(ns);
  } finally {
    racer.remove();
    watch.stop();
  }
  assert.deepEqual(racer.raced, { POST: 1, PUT: 1 });
  assert.equal(racer.conflicts() - before409, 2, 'the apiserver answered 409 to the create and to the first update');
  await assertSecretIsOurs(ns);
  assertEveryVersionComplete(watch.versions);
  assert.ok(watch.versions.length >= 3, 'the racer’s versions and flux-azdo’s were all seen');
  await scanForLeaks([repo]);
});

test('a Secret someone keeps writing: APPLY_FAILED at the secret step after bounded retries, never half-written; the re-run converges', async () => {
  const ns = 'secret-409-always';
  const repo = world.git.createRepo('org', 'project', ns);
  const watch = await watchSecret(ns);
  const racer = racingSecretWriter(ns, Infinity);
  let res;
  try {
    res = await bootstrapCli(ns);
  } finally {
    racer.remove();
  }
  assert.equal(res.code, 1, res.stderr + res.stdout);
  const error = errorEvent(res);
  assert.equal(error.code, 'APPLY_FAILED');
  assert.equal(error.step, 'secret');
  assert.deepEqual(
    error.done.map((d) => d.step),
    ['components', 'install'],
  );
  assert.equal(racer.raced.POST + racer.raced.PUT, 5, 'five writes tried, each answered 409');
  const again = await convergingRun(ns);
  watch.stop();
  assert.equal(doneEvent(again, 'components').pushed, false);
  assert.equal(doneEvent(again, 'sync').pushed, true, 'the sync commit comes with the re-run that got past the Secret');
  assert.equal(history(repo).length, 2);
  await assertSecretIsOurs(ns);
  assertEveryVersionComplete(watch.versions);
  await scanForLeaks([repo]);
});

test('etcd is lost during the health wait: a typed error at health within --timeout; etcd back on its data, the re-run converges', async () => {
  const ns = 'etcd-loss';
  const repo = world.git.createRepo('org', 'project', ns);
  let res;
  try {
    res = await bootstrapCli(ns, {
      direct: true,
      timeout: '15s',
      onEvent: (e) => {
        if (e.type === 'step' && e.step === 'health') world.cluster.killEtcdNow();
      },
    });
  } finally {
    await world.cluster.restartEtcd();
  }
  assert.equal(res.code, 1, res.stderr + res.stdout);
  const error = errorEvent(res);
  // Without its etcd the apiserver holds every read: the wait ends at --timeout.
  assert.equal(error.code, 'TIMEOUT');
  assert.equal(error.step, 'health');
  assert.deepEqual(
    error.done.map((d) => d.step),
    ['components', 'install', 'secret', 'sync'],
  );
  const tips = refs(repo);
  const again = await convergingRun(ns, { direct: true });
  assert.equal(doneEvent(again, 'sync').pushed, false);
  assert.deepEqual(refs(repo), tips);
  await assertSecretIsOurs(ns);
  await scanForLeaks([repo]);
});
