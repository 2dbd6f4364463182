// A fleet bootstrapped into one repository at once, end to end: 4 clusters (4 kube-apiservers;
// FLUX_AZDO_FLEET_CLUSTERS=2 for a machine that cannot hold 4), each with Flux's real
// source-controller and kustomize-controller started from the Deployments bootstrap applied,
// bootstrap clusters/c<i> of one empty repository on the Azure-DevOps-like HTTPS server at the
// same moment. Every bootstrap succeeds; every cluster reconciles its own path at a revision
// containing its own sync commit (often a later one: another cluster's commit on top counts);
// the history holds exactly the expected commits, each an ancestor of the tip and each touching
// only its own path.
//
// Needs: tests/harness/build.sh and tests/harness/controllers/build.sh (cached under $HOME).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { bootstrap } from '../../npm/dist/index.js';
import { kubeRequest, startCluster } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { bundleDir } from './support/bootstrap-env.mjs';
import { fakePat, gitCli, remoteLog, remoteTip } from './support/git-fixtures.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const CLUSTERS = Number(process.env.FLUX_AZDO_FLEET_CLUSTERS ?? 4);
const COMPONENTS = ['source-controller', 'kustomize-controller'];
const NS = 'flux-system';
const pat = fakePat('fleet');

let git;
let clusters = [];
let binDir;
const running = [];

before(async () => {
  binDir = controllersBinDir();
  [git, ...clusters] = await Promise.all([startGitHttpsServer({ pat }), ...Array.from({ length: CLUSTERS }, () => startCluster())]);
});

after(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await Promise.allSettled([git?.stop(), ...clusters.map((c) => c.stop())]);
});

const ksPath = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${NS}/kustomizations/${NS}`;
const repoPath = `/apis/source.toolkit.fluxcd.io/v1/namespaces/${NS}/gitrepositories/${NS}`;
const readyOf = (obj) => obj?.status?.conditions?.find((c) => c.type === 'Ready');
const shaOf = (revision) => /@sha1:([0-9a-f]{40})$/.exec(revision ?? '')?.[1];

/** One cluster's bootstrap; its controllers start once the components are installed. */
async function bootstrapCluster(cluster, index, url) {
  const events = [];
  let controllers;
  const result = await bootstrap(
    {
      url,
      path: `clusters/c${index}`,
      namespace: NS,
      components: COMPONENTS,
      tokenAuth: true,
      password: pat,
      caFile: git.caFile,
      kubeconfig: cluster.kubeconfigPath,
      manifests: bundleDir,
      timeout: '8m',
    },
    {
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'done' && event.step === 'install' && !controllers) {
          controllers = startFluxControllers(cluster, { namespace: NS, binDir });
          controllers.then(
            (c) => running.push(c),
            () => {},
          );
        }
      },
    },
  ).catch((error) => ({ error }));
  return { result, events, controllers: await controllers };
}

test(`${CLUSTERS} clusters bootstrap one repository at once: all land, each reconciles its own path`, { timeout: 900_000 }, async () => {
  const bare = git.createRepo('org', 'project', 'fleet');
  const url = git.repoUrl('org', 'project', 'fleet');
  const runs = await Promise.all(clusters.map((cluster, i) => bootstrapCluster(cluster, i, url)));

  for (const [i, run] of runs.entries()) {
    assert.equal(run.result.error, undefined, `cluster ${i}: ${run.result.error?.code} ${run.result.error?.message}`);
  }
  // Exactly the expected history: a components and a sync commit per cluster, nothing else.
  const log = await remoteLog(bare);
  assert.equal(log.length, 2 * CLUSTERS, log.map((c) => c.subject).join('\n'));
  const tip = await remoteTip(bare);
  const ours = runs.flatMap((run) => run.result.commits.map((c) => c.sha));
  assert.deepEqual([...ours].sort(), log.map((c) => c.sha).sort(), 'every commit in the history is one a bootstrap reported');
  for (const [i, run] of runs.entries()) {
    assert.equal(run.result.commits.length, 2, `cluster ${i} pushed its two commits`);
    for (const { sha } of run.result.commits) {
      await gitCli(['-C', bare, 'merge-base', '--is-ancestor', sha, tip]);
      const files = (await gitCli(['-C', bare, 'show', '--name-only', '--format=', sha])).split('\n').filter(Boolean);
      assert.ok(
        files.every((f) => f.startsWith(`clusters/c${i}/`)),
        `${sha} of cluster ${i} touched ${files.join(', ')}`,
      );
    }
  }

  // Each cluster, as its own controllers wrote it: Ready, syncing its own path, at a revision
  // that contains its sync commit.
  for (const [i, run] of runs.entries()) {
    const syncSha = shaOf(run.result.revision);
    const ks = (await kubeRequest(clusters[i].admin, 'GET', ksPath)).body;
    assert.equal(readyOf(ks)?.status, 'True', `cluster ${i}: ${JSON.stringify(ks.status?.conditions)}`);
    assert.equal(ks.spec.path, `./clusters/c${i}`);
    const applied = shaOf(ks.status.lastAppliedRevision);
    assert.ok(applied, `cluster ${i}: ${ks.status.lastAppliedRevision}`);
    await gitCli(['-C', bare, 'merge-base', '--is-ancestor', syncSha, applied]);
    const repo = (await kubeRequest(clusters[i].admin, 'GET', repoPath)).body;
    assert.equal(readyOf(repo)?.status, 'True');
    await gitCli(['-C', bare, 'merge-base', '--is-ancestor', syncSha, shaOf(repo.status.artifact.revision)]);
    // The health wait itself reported the objects ready.
    const ready = run.events.filter((e) => e.step === 'health' && e.type === 'progress' && e.action === 'ready').map((e) => e.ref);
    assert.ok(ready.includes(`Kustomization/${NS}/${NS}`), `cluster ${i}: ${ready.join(', ')}`);
  }
  const retries = runs.flatMap((run) => run.events.filter((e) => e.type === 'done' && typeof e.retries === 'number').map((e) => e.retries));
  console.log(`# pushes retried across the fleet: ${retries.reduce((a, b) => a + b, 0)}`);

  await assertNoLeaks(
    { pats: [pat] },
    {
      values: runs.map((r) => [r.result, r.events]),
      repos: [bare],
    },
  );
});
