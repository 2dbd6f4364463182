// Many bootstraps into one repository at once, the Git half, against the Azure-DevOps-like HTTPS
// server: pushes that lose a race are rebuilt on the new tip (only their own files, never
// forced) and retried with backoff; a second bootstrap of the same path converges to "up to
// date" or stops with CONCURRENT_BOOTSTRAP; "the cluster's revision contains our commit" is an
// ancestor check on the history. Build first: npm run build -w flux-azdo.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';

import { revisionContains } from '../../npm/dist/git/ancestry.js';
import { backoffMs } from '../../npm/dist/git/backoff.js';
import { cloneForBootstrap, commitAndPush, SecretValue } from '../../npm/dist/git/index.js';
import { defaults, loadBundle, planRepository } from '../../npm/dist/index.js';
import { manifestsDir } from '../support/flux-reference.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { bootstrapFiles, fakePat, gitCli, rejection, remoteLog, remoteTip } from './support/git-fixtures.mjs';
import { assertNoLeaks, bareReposUnder } from './support/leak-scan.mjs';

const FLUX = { name: 'Flux', email: '' };
const pat = fakePat('fleet');
let server;
let work;
let bundle;
const seen = [];
let count = 0;

before(async () => {
  server = await startGitHttpsServer({ pat });
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-fleet-git-'));
  bundle = await loadBundle({ source: manifestsDir });
});

after(async () => {
  await assertNoLeaks(
    { pats: [pat], usernames: ['git'] },
    { values: seen, dirs: [work], repos: bareReposUnder(dirname(dirname(dirname(server.repoDir('o', 'p', 'r'))))) },
  );
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const auth = () => ({ kind: 'token', username: 'git', password: new SecretValue(pat) });

function newRepo(options = {}) {
  count += 1;
  const name = `fleet-${count}`;
  const bare = server.createRepo('org', 'proj', name, options);
  return { bare, url: server.repoUrl('org', 'proj', name) };
}

async function clone(url) {
  const dir = mkdtempSync(join(work, 'clone-'));
  await cloneForBootstrap({ url, branch: 'main', auth: auth(), caFile: server.caFile, dir });
  return dir;
}

/** bootstrap's two commits for `path`, Git only (the calls bootstrap makes). */
async function gitOnlyBootstrap(url, path, extra = {}) {
  const plan = planRepository({ url, path, tokenAuth: true, ...extra }, bundle, null);
  const dir = await clone(url);
  const remote = { url, auth: auth(), caFile: server.caFile, dir, author: plan.commit.author };
  const files = [plan.components, ...(plan.kustomizationInComponentsCommit ? [plan.kustomization] : [])];
  const components = await commitAndPush({ ...remote, files, message: plan.commit.componentsMessage });
  const sync = await commitAndPush({ ...remote, files: [plan.sync, plan.kustomization], message: plan.commit.syncMessage });
  seen.push(components, sync);
  return { dir, components, sync, plan };
}

/** The paths a commit changed, from the bare repository. */
async function changedFiles(bare, sha) {
  const out = await gitCli(['-C', bare, 'show', '--name-only', '--format=', sha]);
  return out.split('\n').filter(Boolean);
}

test('the default retry budget and backoff come from the core', () => {
  const d = defaults();
  assert.ok(Number.isInteger(d.pushRetries) && d.pushRetries >= 8, `pushRetries ${d.pushRetries}`);
  assert.ok(d.pushBackoffMs > 0 && d.pushBackoffMaxMs >= d.pushBackoffMs);
  // Full jitter: always below a ceiling that doubles per retry and stops at the maximum.
  const b = { baseMs: d.pushBackoffMs, maxMs: d.pushBackoffMaxMs };
  const almostOne = () => 1 - 1e-9;
  assert.equal(backoffMs(b, 1, almostOne), d.pushBackoffMs - 1);
  assert.equal(
    backoffMs(b, 3, () => 0.5),
    Math.floor(d.pushBackoffMs * 2),
  );
  assert.equal(backoffMs(b, 40, almostOne), d.pushBackoffMaxMs - 1);
  assert.equal(
    backoffMs(b, 2, () => 0),
    0,
  );
});

test('8 bootstraps of different paths into one empty repository at once: all land, each commit holds only its path', async () => {
  const { bare, url } = newRepo();
  const paths = Array.from({ length: 8 }, (_, i) => `clusters/c${i}`);
  const pushesBefore = server.stats.pushes;
  const results = await Promise.all(paths.map((p) => gitOnlyBootstrap(url, p)));
  const retries = results.reduce((s, r) => s + r.components.retries + r.sync.retries, 0);
  assert.ok(results.every((r) => r.components.pushed && r.sync.pushed));
  // A retry follows a rejection by the server or by isomorphic-git itself (it refuses a push
  // it can see is not a fast-forward before sending it): never more pushes than attempts.
  const pushes = server.stats.pushes - pushesBefore;
  assert.ok(pushes >= 16 && pushes <= 16 + retries, `${pushes} pushes, ${retries} retries`);
  const log = await remoteLog(bare);
  assert.equal(log.length, 16, log.map((c) => c.subject).join('\n'));
  const tip = await remoteTip(bare);
  for (const [i, r] of results.entries()) {
    for (const c of [r.components, r.sync]) {
      // An ancestor of the tip (or the tip): nothing was replaced by a forced push.
      await gitCli(['-C', bare, 'merge-base', '--is-ancestor', c.sha, tip]);
      for (const file of await changedFiles(bare, c.sha)) assert.ok(file.startsWith(`${paths[i]}/`), `${c.sha} touched ${file}`);
    }
  }
  const tree = (await gitCli(['-C', bare, 'ls-tree', '-r', '--name-only', 'main'])).split('\n');
  for (const p of paths) {
    assert.ok(tree.includes(`${p}/flux-system/gotk-components.yaml`));
    assert.ok(tree.includes(`${p}/flux-system/gotk-sync.yaml`));
  }
});

test('a push that loses a race is retried after a backoff and reported', async () => {
  const { url } = newRepo({ empty: false });
  const dir = await clone(url);
  server.faults.beforePush = async () => {
    await gitOnlyBootstrap(url, 'clusters/other');
  };
  const waits = [];
  const result = await commitAndPush({
    url,
    auth: auth(),
    caFile: server.caFile,
    dir,
    files: bootstrapFiles('clusters/mine/flux-system'),
    message: 'Add Flux v2.9.4 component manifests',
    author: FLUX,
    onRetry: (attempt, waitMs) => waits.push({ attempt, waitMs }),
  });
  seen.push(result);
  assert.equal(result.pushed, true);
  assert.equal(result.retries, 1);
  assert.equal(waits.length, 1);
  assert.equal(waits[0].attempt, 1);
  assert.ok(waits[0].waitMs >= 0 && waits[0].waitMs < defaults().pushBackoffMaxMs);
});

test('the same path twice at once with the same options: one pushes, the other is up to date', async () => {
  const { bare, url } = newRepo({ empty: false });
  const [a, b] = await Promise.all([gitOnlyBootstrap(url, 'clusters/same'), gitOnlyBootstrap(url, 'clusters/same')]);
  const log = await remoteLog(bare);
  assert.equal(log.length, 3, log.map((c) => c.subject).join('\n'));
  // Each commit either pushed or found up to date; two byte-identical commits made in the same
  // second have one SHA, so "both pushed" is one commit too. What counts is the history.
  const pushedShas = new Set([a, b].flatMap((r) => [r.components, r.sync].filter((c) => c.pushed).map((c) => c.sha)));
  assert.deepEqual([...pushedShas].sort(), [log[0].sha, log[1].sha].sort());
  assert.equal(a.sync.sha, b.sync.sha, 'both end at the same tip');
});

test('the same path twice at once with different options: the loser stops with CONCURRENT_BOOTSTRAP, nothing of it pushed', async () => {
  const { bare, url } = newRepo({ empty: false });
  const dir = await clone(url);
  const plan = planRepository(
    { url, path: 'clusters/same', tokenAuth: true, components: ['source-controller', 'kustomize-controller'] },
    bundle,
    null,
  );
  // The winner pushes its components between our clone and our push.
  let winner;
  server.faults.beforePush = async () => {
    winner = await gitOnlyBootstrap(url, 'clusters/same');
  };
  const err = await rejection(() =>
    commitAndPush({
      url,
      auth: auth(),
      caFile: server.caFile,
      dir,
      files: [plan.components],
      message: plan.commit.componentsMessage,
      author: plan.commit.author,
    }),
  );
  seen.push(err);
  assert.equal(err.code, 'CONCURRENT_BOOTSTRAP', err.message);
  assert.equal(err.option, 'path');
  assert.equal(await remoteTip(bare), winner.sync.sha, 'the winner is the tip, untouched');
  assert.equal((await remoteLog(bare)).length, 3);
});

test('the retry budget is a bound: --push-retries 0 fails on the first lost race with NON_FAST_FORWARD', async () => {
  const { bare, url } = newRepo({ empty: false });
  const dir = await clone(url);
  server.faults.beforePush = async () => {
    await gitOnlyBootstrap(url, 'clusters/other');
  };
  const err = await rejection(() =>
    commitAndPush({
      url,
      auth: auth(),
      caFile: server.caFile,
      dir,
      files: bootstrapFiles('clusters/mine/flux-system'),
      message: 'Add Flux v2.9.4 component manifests',
      author: FLUX,
      maxAttempts: 1,
    }),
  );
  seen.push(err);
  assert.equal(err.code, 'NON_FAST_FORWARD');
  assert.equal((await remoteLog(bare)).length, 3, 'seed and the other two, nothing of ours');
});

test("a later tip holding our commit contains it; another branch's or an unrelated commit does not", async () => {
  const { bare, url } = newRepo();
  const first = await gitOnlyBootstrap(url, 'clusters/first');
  const later = await gitOnlyBootstrap(url, 'clusters/later');
  const contains = revisionContains({ url, auth: auth(), caFile: server.caFile, dir: first.dir, branch: 'main', commit: first.sync.sha });
  const tip = await remoteTip(bare);
  assert.equal(tip, later.sync.sha);
  assert.equal(await contains(`main@sha1:${first.sync.sha}`), true, 'our own commit');
  // Not in our clone yet: fetched, then walked.
  assert.equal(await contains(`main@sha1:${tip}`), true, 'a later tip on top of ours');
  assert.equal(await contains(`other@sha1:${tip}`), false, 'another branch');
  assert.equal(await contains(`main@sha1:${first.components.sha}`), false, 'our parent does not contain our commit');
  assert.equal(await contains(''), false);
  assert.equal(await contains(`main@sha1:${'0'.repeat(40)}`), false, 'a commit the branch does not have');
});
