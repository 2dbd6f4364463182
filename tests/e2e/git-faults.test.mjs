// Git faults against the real servers, and what flux-azdo does with each: the HTTPS Git server's
// switches (500/503/429 with Retry-After, an answer after the push was applied, a request never
// answered) and a TCP proxy in front of the real sshd (a push cut off mid-upload, a handshake
// that never starts, a connection gone silent). Each ends in a successful retry or a typed error
// naming the step and the operation; a re-run converges; nothing is pushed twice (the bare
// repo's reflog); the Secret is written only after the first push (the cluster's state).
// Then the server's other forms: Azure DevOps Server paths with a port, the project's default
// repository, names with spaces, a server that does not advertise `shallow`.
// One server set for the file: apiserver, HTTPS Git server, sshd and the proxy in front of it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { defaults, pushTarget } from '../../npm/dist/core/node.js';
import { createSshTransport } from '../../npm/dist/git/ssh-transport.js';
import { cloneForBootstrap, commitAndPush, SecretValue } from '../../npm/dist/git/index.js';
import { bootstrap } from '../../npm/dist/index.js';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { startTcpFaultProxy } from '../servers/tcp-fault-proxy.mjs';
import { bundleDir, controllerStandIn, getObject, history, startWorld } from './support/bootstrap-env.mjs';
import { bootstrapFiles, gitCli, rejection, remoteTip } from './support/git-fixtures.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const FLUX = { name: 'Flux', email: '' };
/**
 * A connection's client sends a few KiB before the pack (key exchange, authentication, the
 * request); the cuts come at this count, inside the pack. Bootstrap's components pack is ~40 KiB
 * (install.yaml compresses about 7×); the SSH library tests push an incompressible one.
 */
const CUT_AT = 16 * 1024;
/** Files whose pack is ~200 KiB whatever zlib does (random bytes, base64). */
const bigPackFiles = () => [
  { path: 'clusters/my-cluster/flux-system/gotk-components.yaml', content: `# ${randomBytes(150 * 1024).toString('base64')}\n` },
];
const MESSAGE = 'Add Flux v2.9.4 component manifests';
const d = defaults();

let world;
let proxy;
let work;
let sshKey;
/** What the current test saw (events, results, errors): its leak scan's material. */
let captured = [];
const gitSecrets = new Set();

before(async () => {
  world = await startWorld();
  proxy = await startTcpFaultProxy({ targetHost: world.sshd.host, targetPort: world.sshd.port });
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-git-faults-'));
  const path = join(work, 'id_rsa');
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', '', '-f', path]);
  sshKey = { path, private: readFileSync(path, 'utf8'), public: readFileSync(`${path}.pub`, 'utf8').trim() };
  world.sshd.addAuthorizedKey(sshKey.public);
});
// A switch a test armed and did not use must not fire in the next test.
afterEach(() => {
  world?.git.faults.http.clear();
  proxy?.clear();
});
after(async () => {
  await proxy?.stop();
  await world?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// helpers

const tokenAuth = () => ({ kind: 'token', username: 'git', password: new SecretValue(world.pat) });
/** The proxy's known_hosts line: sshd's key, under the proxy's address. */
const proxyKnownHosts = () => `[${proxy.host}]:${proxy.port} ${world.sshd.hostKeyLine.split(' ').slice(1).join(' ')}\n`;
const sshAuth = () => ({ kind: 'ssh', privateKey: new SecretValue(sshKey.private), knownHosts: proxyKnownHosts() });
const viaProxy = (url) => url.replace(`:${world.sshd.port}/`, `:${proxy.port}/`);

/** A bare repo on the HTTPS server whose ref updates are logged (the reflog counts pushes). */
function httpsRepo(name, options) {
  const dir = world.git.createRepo('org', 'faults', name, options);
  execFileSync('git', ['-C', dir, 'config', 'core.logAllRefUpdates', 'always']);
  return { url: world.git.repoUrl('org', 'faults', name), dir };
}

function sshRepo(name) {
  const dir = world.sshd.createRepo('org', 'faults', name);
  execFileSync('git', ['-C', dir, 'config', 'core.logAllRefUpdates', 'always']);
  return { url: viaProxy(world.sshd.repoUrl('org', 'faults', name)), dir };
}

/** Every update of `refs/heads/main` in a bare repo, oldest first (the new commit of each). */
function refUpdates(dir, ref = 'refs/heads/main') {
  try {
    const out = execFileSync('git', ['-C', dir, 'reflog', 'show', '--format=%H', ref], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return out === '' ? [] : out.split('\n').reverse();
  } catch {
    return [];
  }
}

function newDir() {
  return mkdtempSync(join(work, 'clone-'));
}

async function expectCode(fn, code) {
  const err = await rejection(fn);
  captured.push(err);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  return err;
}

async function pushFiles(remote, files = bootstrapFiles()) {
  const cloned = await cloneForBootstrap({ ...remote, branch: 'main', dir: newDir() });
  const result = await commitAndPush({ ...remote, dir: cloned.dir, files, message: MESSAGE, author: FLUX });
  captured.push(result);
  return result;
}

async function scanTest(repos = []) {
  assert.ok(captured.length > 0, 'the scan has output to look at');
  try {
    await assertNoLeaks(
      { pats: [world.pat], privateKeys: [sshKey.private], publicKeys: [sshKey.public] },
      { values: captured, repos, cluster: { get: (path) => getObject(world.cluster, path), allowedSecrets: [...gitSecrets] } },
    );
  } finally {
    captured = [];
  }
}

async function secretOf(ns) {
  return getObject(world.cluster, `/api/v1/namespaces/${ns}/secrets/flux-system`);
}

/** bootstrap through the API with the controller stand-in; resolves `{ result, error, events }`. */
async function runBootstrap(options) {
  const events = [];
  const standIn = controllerStandIn(world.cluster, options.namespace);
  let result;
  let error;
  try {
    result = await bootstrap(
      {
        branch: 'main',
        path: 'clusters/my-cluster',
        kubeconfig: world.cluster.kubeconfigPath,
        manifests: bundleDir,
        timeout: '2m',
        silent: true,
        ...options,
      },
      { onEvent: (e) => (events.push(e), standIn.onEvent(e)) },
    );
  } catch (err) {
    error = err;
  }
  await standIn.settled();
  gitSecrets.add(`${options.namespace}/flux-system`);
  captured.push(...events, result, error);
  return { result, error, events };
}

const tokenBootstrap = (url, namespace, extra = {}) =>
  runBootstrap({ url, namespace, tokenAuth: true, password: world.pat, caFile: world.git.caFile, ...extra });

const sshBootstrap = (url, namespace, extra = {}) =>
  runBootstrap({ url, namespace, privateKeyFile: sshKey.path, sshHostkeyAlgos: ['rsa-sha2-512', 'rsa-sha2-256'], ...extra });

/** The end state a bootstrap converges to: Flux's two commits on main, the Secret, the GitRepository. */
async function assertBootstrapped(repoDir, ns, { secretKeys }) {
  assert.deepEqual(
    history(repoDir).map((c) => c.message),
    ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests'],
  );
  const secret = await secretOf(ns);
  assert.equal(secret.status, 200, 'the Secret exists');
  assert.deepEqual(Object.keys(secret.body.data).sort(), secretKeys);
  const repo = await getObject(world.cluster, `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`);
  assert.equal(repo.status, 200, 'the GitRepository exists');
}

const errorEvent = (events) => events.find((e) => e.type === 'error');
const retryLogs = (events) => events.filter((e) => e.type === 'log' && e.retry);

// ---------------------------------------------------------------------------------------------
// HTTPS: statuses and hangs, library level

describe('HTTPS Git: 429/5xx answers are retried within the core bounds, then typed', () => {
  test('the core holds the retry numbers', () => {
    assert.deepEqual(d.gitRetryStatuses, [429, 500, 502, 503, 504]);
    assert.ok(d.gitHttpRetries >= 1 && d.gitHttpBackoffMs > 0 && d.gitHttpBackoffMaxMs >= d.gitHttpBackoffMs);
    assert.ok(d.gitRetryAfterMaxMs >= 1000 && d.sshReadyTimeoutMs > 0 && d.sshKeepaliveIntervalMs > 0 && d.sshKeepaliveCountMax > 0);
  });

  test('503 with Retry-After on the ref advertisement: the clone waits exactly Retry-After, twice, then works', async () => {
    const repo = httpsRepo('retry-after', { empty: false });
    world.git.faults.http.failNext({ status: 503, count: 2, on: 'info-refs:upload-pack', retryAfter: 1 });
    const retries = [];
    const start = world.git.faults.http.answers.length;
    const cloned = await cloneForBootstrap({
      url: repo.url,
      auth: tokenAuth(),
      caFile: world.git.caFile,
      branch: 'main',
      dir: newDir(),
      onServerRetry: (r) => retries.push(r),
    });
    captured.push(cloned, retries);
    assert.equal(cloned.head, await remoteTip(repo.dir));
    assert.deepEqual(
      retries.map((r) => [r.status, r.attempt, r.retryAfterMs, r.waitMs]),
      [
        [503, 1, 1000, 1000],
        [503, 2, 1000, 1000],
      ],
    );
    const answers = world.git.faults.http.answers.slice(start);
    assert.equal(answers.length, 2);
    assert.ok(answers[1].at - answers[0].at >= 1000, 'the second request came after Retry-After');
    assert.equal(world.git.faults.http.pending(), 0);
    await scanTest([repo.dir]);
  });

  test('500 on upload-pack (no Retry-After): retried after a backoff below the core bound', async () => {
    const repo = httpsRepo('upload-500', { empty: false });
    world.git.faults.http.failNext({ status: 500, count: 1, on: 'upload-pack' });
    const retries = [];
    const cloned = await cloneForBootstrap({
      url: repo.url,
      auth: tokenAuth(),
      caFile: world.git.caFile,
      branch: 'main',
      dir: newDir(),
      onServerRetry: (r) => retries.push(r),
    });
    captured.push(cloned);
    assert.equal(cloned.head, await remoteTip(repo.dir));
    assert.equal(retries.length, 1);
    assert.equal(retries[0].status, 500);
    assert.equal(retries[0].retryAfterMs, undefined);
    assert.ok(retries[0].waitMs < d.gitHttpBackoffMs, 'the first wait is below the first ceiling');
    await scanTest([repo.dir]);
  });

  test('503 that never ends: GIT_SERVER_ERROR naming the clone and the status after 1 + gitHttpRetries attempts', async () => {
    const repo = httpsRepo('always-503', { empty: false });
    world.git.faults.http.failNext({ status: 503, count: 50, on: 'info-refs', retryAfter: 0 });
    const start = world.git.faults.http.answers.length;
    const err = await expectCode(
      () => cloneForBootstrap({ url: repo.url, auth: tokenAuth(), caFile: world.git.caFile, branch: 'main', dir: newDir() }),
      'GIT_SERVER_ERROR',
    );
    world.git.faults.http.clear();
    assert.equal(err.operation, 'clone');
    assert.equal(err.status, 503);
    assert.equal(world.git.faults.http.answers.length - start, d.gitHttpRetries + 1);
    await scanTest();
  });

  test('429 whose Retry-After is over the cap fails at once (no wait), naming the status', async () => {
    const repo = httpsRepo('429-long', { empty: false });
    const over = Math.ceil(d.gitRetryAfterMaxMs / 1000) + 60;
    world.git.faults.http.failNext({ status: 429, count: 5, on: 'info-refs', retryAfter: over });
    const start = world.git.faults.http.answers.length;
    const err = await expectCode(
      () => cloneForBootstrap({ url: repo.url, auth: tokenAuth(), caFile: world.git.caFile, branch: 'main', dir: newDir() }),
      'GIT_SERVER_ERROR',
    );
    world.git.faults.http.clear();
    assert.equal(err.status, 429);
    assert.equal(world.git.faults.http.answers.length - start, 1, 'one request, no retry');
    await scanTest();
  });

  test('503 on the push itself: retried after checking the branch, which moves once', async () => {
    const repo = httpsRepo('push-503');
    world.git.faults.http.failNext({ status: 503, count: 2, on: 'receive-pack', retryAfter: 0 });
    const retries = [];
    const result = await pushFiles({ url: repo.url, auth: tokenAuth(), caFile: world.git.caFile, onServerRetry: (r) => retries.push(r) });
    assert.equal(result.pushed, true);
    assert.equal(result.sha, await remoteTip(repo.dir));
    assert.equal(retries.length, 2);
    assert.deepEqual(refUpdates(repo.dir), [result.sha], 'the branch moved exactly once');
    await scanTest([repo.dir]);
  });

  test('500 after the push was applied: the retry sees the commit there and does not push again', async () => {
    const repo = httpsRepo('push-applied-500');
    world.git.faults.http.failNext({ status: 500, count: 1, on: 'receive-pack', afterBackend: true });
    const pushesBefore = world.git.stats.pushes;
    const result = await pushFiles({ url: repo.url, auth: tokenAuth(), caFile: world.git.caFile });
    assert.equal(result.pushed, true);
    assert.equal(result.sha, await remoteTip(repo.dir));
    assert.deepEqual(refUpdates(repo.dir), [result.sha], 'the branch moved exactly once');
    assert.equal(world.git.stats.pushes - pushesBefore, 1, 'one receive-pack request: no second push');
    await scanTest([repo.dir]);
  });

  test('a server that accepts and never answers: TIMEOUT within the time limit, for the clone and for the push', async () => {
    const repo = httpsRepo('hang', { empty: false });
    world.git.faults.http.hangNext({ on: 'info-refs:upload-pack' });
    const clone = await expectCode(
      () =>
        cloneForBootstrap({ url: repo.url, auth: tokenAuth(), caFile: world.git.caFile, branch: 'main', dir: newDir(), timeoutMs: 4000 }),
      'TIMEOUT',
    );
    assert.equal(clone.operation, 'clone');
    assert.equal(clone.option, 'timeout');
    assert.equal(world.git.faults.http.pending(), 0, 'the hang took the request');

    const cloned = await cloneForBootstrap({ url: repo.url, auth: tokenAuth(), caFile: world.git.caFile, branch: 'main', dir: newDir() });
    world.git.faults.http.hangNext({ on: 'receive-pack' });
    const push = await expectCode(
      () =>
        commitAndPush({
          url: repo.url,
          auth: tokenAuth(),
          caFile: world.git.caFile,
          dir: cloned.dir,
          files: bootstrapFiles(),
          message: MESSAGE,
          author: FLUX,
          timeoutMs: 4000,
        }),
      'TIMEOUT',
    );
    assert.equal(push.operation, 'push');
    assert.equal(world.git.faults.http.pending(), 0, 'the push reached the hang');
    assert.equal(await remoteTip(repo.dir), cloned.head, 'nothing was pushed');
    await scanTest([repo.dir]);
  });
});

// ---------------------------------------------------------------------------------------------
// SSH through the fault proxy, library level

describe('SSH Git through a faulty network: typed errors, never a hang', () => {
  test('the proxy passes a clean push through (the baseline for the faults)', async () => {
    const repo = sshRepo('ssh-clean');
    const result = await pushFiles({ url: repo.url, auth: sshAuth() }, bigPackFiles());
    assert.equal(result.sha, await remoteTip(repo.dir));
    assert.ok(proxy.connections.at(-1).up > 4 * CUT_AT, 'the pack is far larger than the cut');
    await scanTest([repo.dir]);
  });

  test('connection dropped mid-push: GIT_UNREACHABLE naming the push, nothing landed; the re-run pushes once', async () => {
    const repo = sshRepo('ssh-drop');
    proxy.dropAfterClientBytes(CUT_AT);
    const cloned = await cloneForBootstrap({ url: repo.url, auth: sshAuth(), branch: 'main', dir: newDir() });
    const err = await expectCode(
      () => commitAndPush({ url: repo.url, auth: sshAuth(), dir: cloned.dir, files: bigPackFiles(), message: MESSAGE, author: FLUX }),
      'GIT_UNREACHABLE',
    );
    assert.equal(err.operation, 'push');
    const dropped = proxy.connections.find((c) => c.fate === 'drop');
    assert.ok(dropped, 'the proxy cut a connection');
    assert.equal(await remoteTip(repo.dir), null, 'nothing landed');
    assert.deepEqual(refUpdates(repo.dir), []);
    const again = await pushFiles({ url: repo.url, auth: sshAuth() }, bigPackFiles());
    assert.deepEqual(refUpdates(repo.dir), [again.sha], 'the re-run pushed once');
    const full = proxy.connections.at(-1);
    assert.ok(dropped.faultAt < full.up, 'the cut came before the whole push was sent (mid-upload)');
    await scanTest([repo.dir]);
  });

  test('a server that accepts and never sends its banner: TIMEOUT naming the clone, within the time limit', async () => {
    const repo = sshRepo('ssh-hang');
    proxy.hangBeforeBanner();
    const err = await expectCode(
      () => cloneForBootstrap({ url: repo.url, auth: sshAuth(), branch: 'main', dir: newDir(), timeoutMs: 4000 }),
      'TIMEOUT',
    );
    assert.equal(err.operation, 'clone');
    assert.equal(proxy.pending(), 0);
    await scanTest();
  });

  test('keepalive: a connection gone silent mid-push ends by keepalive (GIT_UNREACHABLE), long before the time limit', async () => {
    const repo = sshRepo('ssh-silent');
    const cloned = await cloneForBootstrap({ url: repo.url, auth: sshAuth(), branch: 'main', dir: newDir() });
    proxy.freezeAfterClientBytes(CUT_AT);
    const err = await expectCode(
      () =>
        commitAndPush({
          url: repo.url,
          auth: sshAuth(),
          dir: cloned.dir,
          files: bigPackFiles(),
          message: MESSAGE,
          author: FLUX,
          // Without keepalive the push would wait for this limit and fail with TIMEOUT instead.
          timeoutMs: 120_000,
          sshKeepalive: { intervalMs: 250, countMax: 2 },
        }),
      'GIT_UNREACHABLE',
    );
    assert.equal(err.operation, 'push');
    assert.ok(proxy.connections.some((c) => c.fate === 'freeze'));
    await scanTest([repo.dir]);
  });
});

// ---------------------------------------------------------------------------------------------
// Through bootstrap: retry or typed error naming the step, a re-run converges, the Secret after the push

describe('bootstrap through Git faults: retried or typed by step, and a re-run converges', () => {
  const TOKEN_SECRET = ['ca.crt', 'password', 'username'];

  test('HTTPS: 503 with Retry-After on the components push is retried; warnings carry the facts; the branch moves twice', async () => {
    const ns = 'fault-retry';
    const repo = httpsRepo(ns);
    world.git.faults.http.failNext({ status: 503, count: 1, on: 'receive-pack', retryAfter: 1 });
    const { error, events } = await tokenBootstrap(repo.url, ns);
    assert.equal(error, undefined, error?.message);
    const [retry] = retryLogs(events);
    assert.deepEqual([retry.retry.status, retry.retry.retryAfterMs, retry.retry.waitMs], [503, 1000, 1000]);
    await assertBootstrapped(repo.dir, ns, { secretKeys: TOKEN_SECRET });
    assert.equal(refUpdates(repo.dir).length, 2, 'components and sync, each once');
    await scanTest([repo.dir]);
  });

  test('HTTPS: 500 on every push: GIT_SERVER_ERROR at the components step, no Secret written; the re-run converges', async () => {
    const ns = 'fault-500';
    const repo = httpsRepo(ns);
    world.git.faults.http.failNext({ status: 500, count: 50, on: 'receive-pack', retryAfter: 0 });
    const failed = await tokenBootstrap(repo.url, ns);
    world.git.faults.http.clear();
    assert.equal(failed.error?.code, 'GIT_SERVER_ERROR', failed.error?.message);
    const event = errorEvent(failed.events);
    assert.deepEqual([event.step, event.code, event.operation, event.status], ['components', 'GIT_SERVER_ERROR', 'push', 500]);
    assert.deepEqual(event.done, [], 'nothing was changed');
    assert.equal((await secretOf(ns)).status, 404, 'the Secret is written only after the push');
    assert.deepEqual(refUpdates(repo.dir), []);

    const rerun = await tokenBootstrap(repo.url, ns);
    assert.equal(rerun.error, undefined, rerun.error?.message);
    await assertBootstrapped(repo.dir, ns, { secretKeys: TOKEN_SECRET });
    assert.equal(refUpdates(repo.dir).length, 2);
    await scanTest([repo.dir]);
  });

  test('HTTPS: the sync push keeps failing: typed at the sync step, the Secret whole; the re-run converges and pushes once', async () => {
    const ns = 'fault-sync';
    const repo = httpsRepo(ns);
    // The components push passes; the sync push (the second) gets 503s until the retries run out.
    world.git.faults.http.failNext({ status: 503, count: 50, on: 'receive-pack', retryAfter: 0, skip: 1 });
    const failed = await tokenBootstrap(repo.url, ns);
    world.git.faults.http.clear();
    const event = errorEvent(failed.events);
    assert.deepEqual([event.step, event.code, event.operation, event.status], ['sync', 'GIT_SERVER_ERROR', 'push', 503]);
    assert.deepEqual(
      event.done.map((f) => f.step),
      ['components', 'install', 'secret'],
    );
    const secret = await secretOf(ns);
    assert.equal(secret.status, 200);
    assert.deepEqual(Object.keys(secret.body.data).sort(), TOKEN_SECRET, 'the Secret is whole');
    assert.equal(Buffer.from(secret.body.data.password, 'base64').toString(), world.pat);
    assert.equal(refUpdates(repo.dir).length, 1, 'only the components commit landed');

    const rerun = await tokenBootstrap(repo.url, ns);
    assert.equal(rerun.error, undefined, rerun.error?.message);
    await assertBootstrapped(repo.dir, ns, { secretKeys: TOKEN_SECRET });
    assert.equal(refUpdates(repo.dir).length, 2, 'the components commit was not pushed again');
    const third = await tokenBootstrap(repo.url, ns);
    assert.deepEqual(third.result.commits, [], 'a converged bootstrap pushes nothing');
    await scanTest([repo.dir]);
  });

  test('HTTPS: a clone that is never answered: TIMEOUT at the clone step within --timeout; the re-run converges', async () => {
    const ns = 'fault-hang';
    const repo = httpsRepo(ns);
    world.git.faults.http.hangNext({ on: 'info-refs:upload-pack' });
    const failed = await tokenBootstrap(repo.url, ns, { timeout: '3s' });
    const event = errorEvent(failed.events);
    assert.deepEqual([event.step, event.code, event.operation], ['clone', 'TIMEOUT', 'clone']);
    assert.equal((await secretOf(ns)).status, 404);
    const rerun = await tokenBootstrap(repo.url, ns);
    assert.equal(rerun.error, undefined, rerun.error?.message);
    await assertBootstrapped(repo.dir, ns, { secretKeys: TOKEN_SECRET });
    await scanTest([repo.dir]);
  });

  test('SSH: the components push cut off mid-upload: GIT_UNREACHABLE at the components step, no Secret; the re-run converges', async () => {
    const ns = 'fault-ssh-drop';
    const repo = sshRepo(ns);
    proxy.dropAfterClientBytes(CUT_AT);
    const failed = await sshBootstrap(repo.url, ns);
    const event = errorEvent(failed.events);
    assert.deepEqual([event.step, event.code, event.operation], ['components', 'GIT_UNREACHABLE', 'push']);
    assert.equal((await secretOf(ns)).status, 404, 'the Secret is written only after the push');
    assert.deepEqual(refUpdates(repo.dir), []);
    assert.equal(proxy.connections.at(-1).fate, 'drop', 'the push connection was the one cut');
    const rerun = await sshBootstrap(repo.url, ns);
    assert.equal(rerun.error, undefined, rerun.error?.message);
    await assertBootstrapped(repo.dir, ns, { secretKeys: ['identity', 'identity.pub', 'known_hosts'] });
    assert.equal(refUpdates(repo.dir).length, 2);
    await scanTest([repo.dir]);
  });

  test('SSH: a handshake that never starts: TIMEOUT at the pre-flight host key scan within --timeout; nothing changed', async () => {
    const ns = 'fault-ssh-hang';
    const repo = sshRepo(ns);
    proxy.hangBeforeBanner();
    const failed = await sshBootstrap(repo.url, ns, { timeout: '3s' });
    const event = errorEvent(failed.events);
    assert.deepEqual([event.step, event.code], ['preflight', 'TIMEOUT']);
    assert.deepEqual(event.done, []);
    assert.equal((await secretOf(ns)).status, 404);
    const rerun = await sshBootstrap(repo.url, ns);
    assert.equal(rerun.error, undefined, rerun.error?.message);
    await assertBootstrapped(repo.dir, ns, { secretKeys: ['identity', 'identity.pub', 'known_hosts'] });
    await scanTest([repo.dir]);
  });
});

// ---------------------------------------------------------------------------------------------
// The server's other forms, end to end

describe('Azure DevOps URL forms and a server without shallow, bootstrapped end to end', () => {
  const TOKEN_SECRET = ['ca.crt', 'password', 'username'];

  test('Azure DevOps Server over HTTPS with a port: /tfs/DefaultCollection/Platform%20Team/_git/flux', async () => {
    const ns = 'form-tfs';
    const { url, dir } = world.git.createRepoAt('/tfs/DefaultCollection/Platform%20Team/_git/flux');
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/tfs\//);
    const { error, result } = await tokenBootstrap(url, ns);
    assert.equal(error, undefined, error?.message);
    await assertBootstrapped(dir, ns, { secretKeys: TOKEN_SECRET });
    const repo = await getObject(world.cluster, `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`);
    assert.equal(repo.body.spec.url, url, 'the cluster syncs the URL as given');
    assert.equal(result.commits.length, 2);
    await scanTest([dir]);
  });

  test("the project's default repository /{org}/_git/{repo} is the repository /{org}/{repo}/_git/{repo}", async () => {
    // flux-azdo itself never sends this form (the core writes dev.azure.com's out in full), but
    // Azure DevOps serves it and users paste it: the server answers it as the same repository.
    const { url, dir } = world.git.createRepoAt('/org/Fleet%20Config/_git/Fleet%20Config', { empty: false });
    const short = url.replace('/Fleet%20Config/_git/', '/_git/');
    const header = `Authorization: Basic ${Buffer.from(`git:${world.pat}`).toString('base64')}`;
    // Async: the server answers from this very process.
    const heads = await gitCli([
      '-c',
      `http.extraHeader=${header}`,
      '-c',
      `http.sslCAInfo=${world.git.caFile}`,
      'ls-remote',
      short,
      'main',
    ]);
    assert.equal(heads.split('\t')[0], await remoteTip(dir));
    // And Azure DevOps Server's collection form without /tfs/, through flux-azdo's clone.
    const server = world.git.createRepoAt('/DefaultCollection/Platform%20Team/_git/apps', { empty: false });
    const cloned = await cloneForBootstrap({ url: server.url, auth: tokenAuth(), caFile: world.git.caFile, branch: 'main', dir: newDir() });
    captured.push(cloned);
    assert.equal(cloned.head, await remoteTip(server.dir));
    await scanTest([dir, server.dir]);
  });

  test('Azure DevOps Server over SSH: the core decodes the path with a space, and receive-pack answers for it over the SSH transport', async () => {
    const dir = world.sshd.createRepoAt('/tfs/DefaultCollection/Platform Team/_git/flux');
    const url = world.sshd.urlOf('/tfs/DefaultCollection/Platform%20Team/_git/flux');
    const target = pushTarget({ url });
    assert.equal(target.path, '/tfs/DefaultCollection/Platform Team/_git/flux');
    // The core writes Azure DevOps Server's SSH URL with user `git` (the server ignores the
    // user); the test sshd logs in only as the local user, so the transport gets that user here.
    const transport = createSshTransport({
      target: { ...target, username: world.sshd.user },
      auth: { ...sshAuth(), knownHosts: `${world.sshd.hostKeyLine}\n` },
    });
    try {
      const { default: git } = await import('isomorphic-git');
      const info = await git.getRemoteInfo2({ http: transport.http, url: transport.url, protocolVersion: 1, forPush: true });
      captured.push(info.capabilities);
      assert.ok('report-status' in info.capabilities, 'git-receive-pack answered for the decoded path');
    } finally {
      await transport.close();
    }
    assert.ok(dir);
    await scanTest();
  });

  test('a server that does not advertise shallow: a full clone, and bootstrap works', async () => {
    const server = await startGitHttpsServer({ pat: world.pat, advertiseShallow: false });
    try {
      const dir = server.createRepo('org', 'project', 'deep', { empty: false });
      const cloned = await cloneForBootstrap({
        url: server.repoUrl('org', 'project', 'deep'),
        auth: tokenAuth(),
        caFile: server.caFile,
        branch: 'main',
        dir: newDir(),
      });
      captured.push(cloned);
      assert.equal(cloned.shallow, false, 'no depth asked of a server that cannot serve it');
      const ns = 'form-no-shallow';
      server.createRepo('org', 'project', ns);
      const { error } = await runBootstrap({
        url: server.repoUrl('org', 'project', ns),
        namespace: ns,
        tokenAuth: true,
        password: world.pat,
        caFile: server.caFile,
      });
      assert.equal(error, undefined, error?.message);
      await assertBootstrapped(server.repoDir('org', 'project', ns), ns, { secretKeys: TOKEN_SECRET });
      await scanTest([dir, server.repoDir('org', 'project', ns)]);
    } finally {
      await server.stop();
    }
  });
});
