// Bootstrap into a protected branch through a pull request, against the Azure-DevOps-like Git
// server with its REST subset (tests/servers/azdo-rest/) and Flux's real source- and
// kustomize-controller: nothing reaches the cluster while the pull request is open; the test
// plays the reviewer (approves and completes it over REST, which merges with git in the bare
// repository); the cluster then reconciles the merge commit on `main`. Re-runs reuse the open
// pull request; an abandoned one is a typed error; auto-complete merges once the policy passes.
//
// Needs: tests/harness/build.sh and tests/harness/controllers/build.sh, git, openssl, the built package.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { after, before, test } from 'node:test';

import { bootstrap } from '../../npm/dist/index.js';
import { kubeRequest } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { bundleDir, git, refs, startWorld } from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const COMPONENTS = ['source-controller', 'kustomize-controller'];
const PATH_IN_REPO = 'clusters/my-cluster';
const PR_BRANCH = `flux-bootstrap/${PATH_IN_REPO}`;
const reviewerPat = `fake-pat-reviewer-${randomBytes(8).toString('hex')}`;

let world;
let binDir;
let reviewer;
const running = [];

before(async () => {
  binDir = controllersBinDir();
  world = await startWorld({ gitUsers: [{ pat: reviewerPat, displayName: 'Reviewer' }] });
  reviewer = world.git.identities.find((u) => u.displayName === 'Reviewer');
});

after(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await world?.stop();
});

const get = (path) => kubeRequest(world.cluster.admin, 'GET', path);
const ready = (obj) => obj?.status?.conditions?.find((c) => c.type === 'Ready');

/** A REST call as the reviewer would make it (their own PAT, api-version 7.1). */
function asReviewer(method, path, body) {
  const url = new URL(`${world.git.baseUrl}${path}${path.includes('?') ? '&' : '?'}api-version=7.1`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: readFileSync(world.git.caFile),
        headers: {
          Authorization: `Basic ${Buffer.from(`reviewer:${reviewerPat}`).toString('base64')}`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const prPath = (repo, id) => `/org/project/_apis/git/repositories/${repo}/pullRequests/${id}`;

async function approve(repo, id) {
  const res = await asReviewer('PUT', `${prPath(repo, id)}/reviewers/${reviewer.id}`, { vote: 10 });
  assert.equal(res.status, 200, JSON.stringify(res.body));
}

async function complete(repo, id) {
  const pr = await asReviewer('GET', prPath(repo, id));
  assert.equal(pr.body.status, 'active');
  const res = await asReviewer('PATCH', prPath(repo, id), {
    status: 'completed',
    lastMergeSourceCommit: pr.body.lastMergeSourceCommit,
    completionOptions: { mergeStrategy: 'noFastForward' },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.status, 'completed', JSON.stringify(res.body));
  return res.body;
}

function protectedRepo(name) {
  const bare = world.git.createRepo('org', 'project', name, { empty: false });
  world.git.rest.addPolicy('org', 'project', name, { branch: 'main', type: 'minimumApprovalCount', minimumApproverCount: 1 });
  return bare;
}

/**
 * Runs bootstrap with --pull-request; `onPullRequest(id)` plays the reviewer once the pull
 * request is open; the real controllers start once the components are installed.
 */
async function run(namespace, repo, { onPullRequest, ...extra } = {}) {
  const events = [];
  let controllers;
  let reviewed;
  const result = await bootstrap(
    {
      url: world.git.repoUrl('org', 'project', repo),
      tokenAuth: true,
      password: world.pat,
      caFile: world.git.caFile,
      branch: 'main',
      path: PATH_IN_REPO,
      namespace,
      components: COMPONENTS,
      kubeconfig: world.cluster.kubeconfigPath,
      manifests: bundleDir,
      timeout: '3m',
      pullRequest: true,
      ...extra,
    },
    {
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'done' && event.step === 'pull-request' && event.pullRequestId && onPullRequest && !reviewed) {
          reviewed = onPullRequest(event.pullRequestId);
        }
        if (event.type === 'done' && event.step === 'install' && !controllers) {
          controllers = startFluxControllers(world.cluster, { namespace, binDir });
          controllers.then(
            (c) => running.push(c),
            () => {},
          );
        }
      },
    },
  ).catch((error) => ({ error }));
  if (reviewed) await reviewed;
  return { result, events, controllers: controllers && (await controllers) };
}

async function assertReconciledAt(ns, revision) {
  const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories/${ns}`)).body;
  assert.equal(ready(repo)?.status, 'True', JSON.stringify(repo.status));
  assert.equal(repo.status.artifact.revision, revision);
  assert.equal(repo.spec.ref.branch, 'main', 'the cluster syncs --branch, never the pull request branch');
  const ks = (await get(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations/${ns}`)).body;
  assert.equal(ready(ks)?.status, 'True', JSON.stringify(ks.status));
  assert.equal(ks.status.lastAppliedRevision, revision);
}

const untouched = async (ns) => assert.equal((await get(`/api/v1/namespaces/${ns}`)).status, 404, `namespace ${ns} must not exist yet`);

test('--pull-request: opened, cluster untouched while open; a re-run reuses it; completed by the reviewer; cluster Ready at the merge commit', {
  timeout: 600_000,
}, async () => {
  const ns = 'flux-pr';
  const repo = 'pr-flow';
  const bare = protectedRepo(repo);
  const mainBefore = refs(bare)['refs/heads/main'];

  // First run: opens the pull request and gives up waiting (a short --timeout), touching nothing.
  const first = await run(ns, repo, { timeout: '4s' });
  assert.equal(first.result.error?.code, 'TIMEOUT', first.result.error?.message);
  assert.equal(first.controllers, undefined, 'nothing was installed');
  await untouched(ns);
  const opened = first.events.find((e) => e.type === 'done' && e.step === 'pull-request');
  assert.ok(opened?.pullRequestId, JSON.stringify(first.events.filter((e) => e.step === 'pull-request')));
  assert.equal(opened.url, `${world.git.baseUrl}/org/project/_git/${repo}/pullrequest/${opened.pullRequestId}`);
  assert.ok(first.events.some((e) => e.type === 'progress' && e.step === 'pull-request' && e.pullRequestId === opened.pullRequestId));
  assert.equal(refs(bare)['refs/heads/main'], mainBefore, 'main is untouched');
  const prTip = refs(bare)[`refs/heads/${PR_BRANCH}`];
  assert.ok(prTip, 'the commits are on the pull request branch');
  const subjects = git(bare, 'log', '--format=%s%x00%an', `main..${PR_BRANCH}`).split('\n');
  assert.deepEqual(subjects, ['Add Flux sync manifests\x00Flux', 'Add Flux v2.9.4 component manifests\x00Flux']);
  const pr = world.git.rest.pullRequests.find((p) => p.id === opened.pullRequestId);
  assert.equal(pr.targetRefName, 'refs/heads/main');
  assert.equal(pr.sourceRefName, `refs/heads/${PR_BRANCH}`);
  for (const file of ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml']) {
    assert.ok(pr.description.includes(`${PATH_IN_REPO}/${ns}/${file}`), pr.description);
  }
  const created = world.git.rest.stats.pullRequestsCreated;

  // Re-run with the pull request still open: reused, its branch not pushed again; the reviewer
  // approves and completes it; then the cluster side runs.
  let merged;
  const second = await run(ns, repo, {
    onPullRequest: async (id) => {
      assert.equal(id, opened.pullRequestId, 'the open pull request is reused');
      await approve(repo, id);
      merged = await complete(repo, id);
    },
  });
  assert.equal(
    second.result.error,
    undefined,
    `bootstrap failed: ${second.result.error?.message}\n${second.controllers?.logs('source-controller').slice(-2000)}`,
  );
  assert.equal(world.git.rest.stats.pullRequestsCreated, created, 'no second pull request');
  assert.equal(refs(bare)[`refs/heads/${PR_BRANCH}`], prTip, 'the branch was not pushed again (the plan did not change)');
  const pushedAgain = second.events.find((e) => e.type === 'done' && e.step === 'components');
  assert.equal(pushedAgain?.pushed, false);
  const mainTip = refs(bare)['refs/heads/main'];
  assert.equal(merged.lastMergeCommit.commitId, mainTip);
  assert.equal(git(bare, 'rev-parse', `${mainTip}^1`), mainBefore);
  assert.equal(git(bare, 'rev-parse', `${mainTip}^2`), prTip, 'a merge commit of the pull request branch');
  assert.equal(second.result.revision, `main@sha1:${mainTip}`);
  await assertReconciledAt(ns, second.result.revision);
  const sync = git(bare, 'show', `main:${PATH_IN_REPO}/${ns}/gotk-sync.yaml`);
  assert.match(sync, /branch: main\n/);

  // A third run after the merge has nothing to propose and converges.
  const third = await run(ns, repo);
  assert.equal(third.result.error, undefined, third.result.error?.message);
  assert.equal(world.git.rest.stats.pullRequestsCreated, created);
  assert.equal(third.result.revision, `main@sha1:${mainTip}`);

  await assertNoLeaks(
    { pats: [world.pat, reviewerPat] },
    {
      values: [first.events, second.events, third.events, second.result, world.git.rest.pullRequests.map((p) => [p.title, p.description])],
      repos: [bare],
      cluster: { get, allowedSecrets: [`${ns}/flux-system`] },
    },
  );
});

test('an abandoned pull request: PULL_REQUEST_ABANDONED, cluster untouched, also on a re-run', { timeout: 300_000 }, async () => {
  const ns = 'flux-pr-abandoned';
  const repo = 'pr-abandoned';
  protectedRepo(repo);
  const first = await run(ns, repo, {
    onPullRequest: async (id) => {
      const res = await asReviewer('PATCH', prPath(repo, id), { status: 'abandoned' });
      assert.equal(res.body.status, 'abandoned');
    },
  });
  assert.equal(first.result.error?.code, 'PULL_REQUEST_ABANDONED', first.result.error?.message);
  await untouched(ns);
  const again = await run(ns, repo);
  assert.equal(again.result.error?.code, 'PULL_REQUEST_ABANDONED', again.result.error?.message);
  await untouched(ns);
});

test('--pull-request-auto-complete: merges itself once the approval policy passes; cluster Ready at that merge', {
  timeout: 600_000,
}, async () => {
  const ns = 'flux-pr-auto';
  const repo = 'pr-auto';
  const bare = protectedRepo(repo);
  const { result, controllers } = await run(ns, repo, {
    pullRequestAutoComplete: true,
    onPullRequest: async (id) => {
      const pr = (await asReviewer('GET', prPath(repo, id))).body;
      assert.equal(pr.autoCompleteSetBy?.id, pr.createdBy.id, 'auto-complete set by the creator');
      assert.equal(pr.completionOptions?.mergeStrategy, 'noFastForward');
      assert.equal(pr.status, 'active', 'the policy (one approval) holds it until the reviewer approves');
      await approve(repo, id);
    },
  });
  assert.equal(
    result.error,
    undefined,
    `bootstrap failed: ${result.error?.message}\n${controllers?.logs('source-controller').slice(-2000)}`,
  );
  const mainTip = refs(bare)['refs/heads/main'];
  assert.equal(
    git(bare, 'log', '-1', '--format=%s', mainTip),
    `Merge ${PR_BRANCH} into main: Bootstrap Flux v2.9.4 in ${PATH_IN_REPO} (${ns})`,
  );
  assert.equal(result.revision, `main@sha1:${mainTip}`);
  await assertReconciledAt(ns, result.revision);
});
