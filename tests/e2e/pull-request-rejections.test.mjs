// Pushes the server refuses, against the Azure-DevOps-like Git server: a branch with policies
// (TF402455 in the receive-pack report-status, as Azure DevOps answers) stops bootstrap with
// BRANCH_PROTECTED after exactly one push attempt and before anything reaches the cluster; a
// pre-receive hook's refusal (an on-premises server) is PUSH_REJECTED quoting the hook's text.
// The git CLI sees the same wire answer as Azure DevOps users do.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { bootstrap } from '../../npm/dist/index.js';
import { kubeRequest } from '../harness/cluster.mjs';
import { gitEnv } from '../servers/git-https.mjs';
import { bundleDir, refs, runCli, startWorld, tokenBootstrapArgs } from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

let world;
let work;
const bypassPat = `fake-pat-bypass-${randomBytes(8).toString('hex')}`;

before(async () => {
  world = await startWorld({ gitUsers: [{ pat: bypassPat, displayName: 'Project Administrator', bypassPolicy: true }] });
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-pr-rejections-'));
});

after(async () => {
  await world?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const get = (path) => kubeRequest(world.cluster.admin, 'GET', path);

async function run(namespace, repo, { onEvent, ...extra } = {}) {
  const events = [];
  const result = await bootstrap(
    {
      url: world.git.repoUrl('org', 'project', repo),
      tokenAuth: true,
      password: world.pat,
      caFile: world.git.caFile,
      branch: 'main',
      path: 'clusters/my-cluster',
      namespace,
      kubeconfig: world.cluster.kubeconfigPath,
      manifests: bundleDir,
      timeout: '1m',
      ...extra,
    },
    { onEvent: (e) => (events.push(e), onEvent?.(e)) },
  ).then(
    () => assert.fail('bootstrap must fail'),
    (error) => error,
  );
  return { error: result, events };
}

async function assertClusterUntouched(namespace) {
  assert.equal((await get(`/api/v1/namespaces/${namespace}`)).status, 404, 'the namespace was never created');
  const crds = await get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io');
  assert.equal(crds.status, 404, "Flux's CRDs were never applied");
}

test('a branch with policies: BRANCH_PROTECTED naming the branch and --pull-request, one push attempt, cluster untouched', async () => {
  const repo = 'protected';
  const bare = world.git.createRepo('org', 'project', repo, { empty: false });
  world.git.rest.addPolicy('org', 'project', repo, { branch: 'main', type: 'minimumApprovalCount' });
  const before = refs(bare);
  const pushesBefore = world.git.stats.pushes;
  const { error, events } = await run('flux-protected', repo);
  assert.equal(error.code, 'BRANCH_PROTECTED', error.message);
  assert.equal(error.option, 'branch');
  assert.equal(error.step, 'components', 'the first push, before any cluster write');
  assert.ok(error.message.includes('main') && error.message.includes('--pull-request'), error.message);
  assert.equal(world.git.stats.pushes - pushesBefore, 1, 'exactly one push attempt: a policy refusal is never retried');
  assert.deepEqual(refs(bare), before, 'the repository is unchanged');
  const failed = events.find((e) => e.type === 'error');
  assert.equal(failed.code, 'BRANCH_PROTECTED');
  assert.deepEqual(failed.done, []);
  assert.ok(!events.some((e) => e.step === 'install'), 'no install step began');
  // Pre-flight asked Azure DevOps which policies apply, and said so before the clone.
  const warned = events.findIndex((e) => e.type === 'log' && e.level === 'warn' && e.message.includes('--pull-request'));
  const cloned = events.findIndex((e) => e.type === 'step' && e.step === 'clone');
  assert.ok(warned >= 0 && warned < cloned, JSON.stringify(events.slice(0, 6)));
  assert.ok(world.git.rest.stats.calls.some((c) => c.includes('/_apis/git/policy/configurations?repositoryId=')));
  await assertClusterUntouched('flux-protected');
  await assertNoLeaks({ pats: [world.pat] }, { values: [error.message, events] });
});

test('a pre-receive hook: PUSH_REJECTED with the hook text, not retried', async () => {
  const repo = 'hooked';
  const bare = world.git.createRepo('org', 'project', repo, { empty: false });
  world.git.declineWithHook('org', 'project', repo, 'POLICY-42: pushes need a signed-off change ticket');
  const before = refs(bare);
  const pushesBefore = world.git.stats.pushes;
  const { error } = await run('flux-hooked', repo);
  assert.equal(error.code, 'PUSH_REJECTED', error.message);
  assert.ok(error.message.includes('pre-receive hook declined'), error.message);
  assert.ok(
    error.message.includes('POLICY-42: pushes need a signed-off change ticket'),
    `the server's reason reaches the user: ${error.message}`,
  );
  assert.equal(world.git.stats.pushes - pushesBefore, 1);
  assert.deepEqual(refs(bare), before);
  await assertClusterUntouched('flux-hooked');
});

function gitCli(args, env) {
  return new Promise((resolve) =>
    execFile('git', args, { env }, (error, stdout, stderr) => resolve({ status: error ? error.code : 0, stdout, stderr })),
  );
}

test('on the wire: git shows "[remote rejected] (TF402455: …)"; an identity with the bypass right pushes', async () => {
  const repo = 'wire';
  world.git.createRepo('org', 'project', repo, { empty: false });
  world.git.rest.addPolicy('org', 'project', repo, { branch: 'main' });
  const clone = join(work, 'wire');
  const env = gitEnv({ GIT_SSL_CAINFO: world.git.caFile });
  const withPat = (pat) => world.git.repoUrl('org', 'project', repo).replace('https://', `https://user:${pat}@`);
  assert.equal((await gitCli(['clone', '--quiet', withPat(world.pat), clone], env)).status, 0);
  await writeFile(join(clone, 'change.txt'), 'change\n');
  await gitCli(['-C', clone, 'add', '.'], env);
  await gitCli(['-C', clone, 'commit', '--quiet', '-m', 'change'], env);
  const refused = await gitCli(['-C', clone, 'push', 'origin', 'main'], env);
  assert.notEqual(refused.status, 0);
  assert.match(
    refused.stderr,
    /! \[remote rejected\] main -> main \(TF402455: Pushes to this branch are not permitted; you must use a pull request to update this branch\.\)/,
  );
  const pushed = await gitCli(['-C', clone, 'push', withPat(bypassPat), 'main'], env);
  assert.equal(pushed.status, 0, pushed.stderr);
});

test('--pull-request over SSH: REST_CREDENTIAL_MISSING before anything is pushed', async () => {
  const bare = world.sshd.createRepo('org', 'project', 'ssh-pr');
  const before = refs(bare);
  const error = await bootstrap({
    url: world.sshd.repoUrl('org', 'project', 'ssh-pr'),
    path: 'clusters/my-cluster',
    namespace: 'flux-ssh-pr',
    kubeconfig: world.cluster.kubeconfigPath,
    manifests: bundleDir,
    pullRequest: true,
  }).then(
    () => assert.fail('bootstrap must fail'),
    (e) => e,
  );
  assert.equal(error.code, 'REST_CREDENTIAL_MISSING', error.message);
  assert.equal(error.option, 'pull-request');
  assert.deepEqual(refs(bare), before);
  await assertClusterUntouched('flux-ssh-pr');
});

test('--dry-run --pull-request: "would open a pull request from X into Y" and the diff, nothing changed', async () => {
  const repo = 'dry-pr';
  const bare = world.git.createRepo('org', 'project', repo, { empty: false });
  world.git.rest.addPolicy('org', 'project', repo, { branch: 'main' });
  const before = refs(bare);
  const res = await runCli(
    [
      ...tokenBootstrapArgs(world, world.git.repoUrl('org', 'project', repo), 'flux-dry-pr').filter((a) => a !== '--json'),
      '--pull-request',
      '--dry-run',
    ],
    { env: { GIT_PASSWORD: world.pat } },
  );
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /^would open a pull request from flux-bootstrap\/clusters\/my-cluster into main$/m);
  assert.match(res.stdout, /^\+\+\+ b\/clusters\/my-cluster\/flux-dry-pr\/gotk-sync\.yaml/m);
  assert.deepEqual(refs(bare), before);
  assert.equal(world.git.rest.pullRequests.filter((p) => p.repo.name === repo).length, 0);
  await assertNoLeaks({ pats: [world.pat] }, { values: [res.stdout, res.stderr], tmpDirs: [res.tmpDir], processes: res.processes });
});

test('a pull request that conflicts with its branch while waiting: PULL_REQUEST_CONFLICTS, cluster untouched', async () => {
  const repo = 'pr-conflict';
  const ns = 'flux-conflict';
  const bare = world.git.createRepo('org', 'project', repo, { empty: false });
  world.git.rest.addPolicy('org', 'project', repo, { branch: 'main' });
  let raced = false;
  const { error } = await run(ns, repo, {
    pullRequest: true,
    onEvent: (e) => {
      if (raced || e.type !== 'done' || e.step !== 'pull-request' || !e.pullRequestId) return;
      raced = true;
      // Someone with the bypass right changes the same file on main meanwhile.
      const clone = join(work, 'conflict');
      const env = gitEnv();
      execFileSync('git', ['clone', '--quiet', bare, clone], { env });
      execFileSync('mkdir', ['-p', join(clone, 'clusters/my-cluster', ns)]);
      writeFileSync(join(clone, 'clusters/my-cluster', ns, 'gotk-sync.yaml'), 'someone else wrote this\n');
      execFileSync('git', ['-C', clone, 'add', '.'], { env });
      execFileSync('git', ['-C', clone, 'commit', '--quiet', '-m', 'conflicting change'], { env });
      execFileSync('git', ['-C', clone, 'push', '--quiet', 'origin', 'main'], { env });
    },
  });
  assert.ok(raced);
  assert.equal(error.code, 'PULL_REQUEST_CONFLICTS', error.message);
  await assertClusterUntouched(ns);
});

test("--pull-request with a wrong PAT: AUTH_FAILED from the REST pre-flight (with the server's sign-in page for bad credentials), nothing pushed", async () => {
  const repo = 'pr-bad-pat';
  const bare = world.git.createRepo('org', 'project', repo, { empty: false });
  const before = refs(bare);
  const pushes = world.git.stats.pushes;
  world.git.faults.signInPageFor401 = true;
  try {
    const { error } = await run('flux-bad-pat', repo, { pullRequest: true, password: 'fake-pat-wrong' });
    assert.equal(error.code, 'AUTH_FAILED', error.message);
    assert.equal(error.step, 'preflight');
  } finally {
    world.git.faults.signInPageFor401 = false;
  }
  assert.equal(world.git.stats.pushes, pushes);
  assert.deepEqual(refs(bare), before);
});
