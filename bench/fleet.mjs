// Benchmark: a fleet bootstrapping into one repository at once. 1, 2, 4 and 8 bootstraps of
// different --path (clusters/c<i>) start together against one repository on the local
// Azure-DevOps-like HTTPS server; every one must land both of its commits (components, sync).
//
// Each bootstrap runs on its own worker thread, as each pipeline job runs on its own agent.
// What runs is the Git half of bootstrap, with the same calls bootstrap makes (npm/dist): Flux's
// real bundle → planRepository → cloneForBootstrap → commitAndPush (components) →
// commitAndPush (sync), with the default --push-retries and backoff from the core's defaults().
// The cluster side is skipped (a Git-only run): the race measured is the push race, and the
// cluster half of a real bootstrap does not touch the repository. The concurrent E2E test
// (tests/e2e/fleet.test.mjs) runs the whole thing with clusters.
//
// Per N it prints the median over the rounds of: the wall time of N at once; pushes (accepted)
// and retries (pushes rejected as not a fast-forward, rebuilt and retried); failures; and the
// ratios to one bootstrap alone and to N run one after the other (measured in this script).
// Target: 8 at once, zero failures, ≤ 1.5× the time of one.
//
// Usage: npm run build -w flux-azdo && node bench/fleet.mjs [rounds=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { cloneForBootstrap, commitAndPush, SecretValue } from '../npm/dist/git/index.js';
import { loadBundle, planRepository } from '../npm/dist/index.js';
import { fakePat } from '../tests/e2e/support/git-fixtures.mjs';
import { startGitHttpsServer } from '../tests/servers/git-https.mjs';
import { manifestsDir } from '../tests/support/flux-reference.mjs';
import { median } from './stats.mjs';

const ROUNDS = Number(process.argv[2] ?? 5);
const FLEET_SIZES = [1, 2, 4, 8];

/** One Git-only bootstrap of `path` into `url`; returns its retries, or throws. */
async function gitOnlyBootstrap({ url, path, dir, pat, caFile }, bundle) {
  const options = { url, path, tokenAuth: true, password: pat, caFile };
  const auth = { kind: 'token', username: 'git', password: new SecretValue(pat) };
  const remote = { url, auth, caFile };
  // A fresh repository has no kustomization.yaml to keep, so the plan needs no second look.
  const plan = planRepository(options, bundle, null);
  await cloneForBootstrap({ ...remote, branch: plan.branch, dir });
  const files = [plan.components, ...(plan.kustomizationInComponentsCommit ? [plan.kustomization] : [])];
  const author = plan.commit.author;
  const components = await commitAndPush({ ...remote, dir, files, message: plan.commit.componentsMessage, author });
  const sync = await commitAndPush({ ...remote, dir, files: [plan.sync, plan.kustomization], message: plan.commit.syncMessage, author });
  if (!components.pushed || !sync.pushed) throw new Error(`${path}: a commit was not pushed`);
  rmSync(dir, { recursive: true, force: true });
  return components.retries + sync.retries;
}

// A worker: one bootstrap per message, as one pipeline job on its own agent would run it (its own
// JS thread: the hashing and packing of one job does not wait for another's).
if (!isMainThread) {
  const bundle = await loadBundle({ source: manifestsDir });
  parentPort.on('message', async (job) => {
    try {
      parentPort.postMessage({ ok: true, retries: await gitOnlyBootstrap({ ...job, ...workerData }, bundle) });
    } catch (err) {
      parentPort.postMessage({ ok: false, code: err.code, message: err.message });
    }
  });
} else {
  await main();
}

/** Runs one job on a worker; resolves its retries, rejects with its error. */
function runOn(worker, job) {
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => (m.ok ? resolve(m.retries) : reject(Object.assign(new Error(m.message), { code: m.code }))));
    worker.postMessage(job);
  });
}

async function main() {
  const pat = fakePat('bench');
  const server = await startGitHttpsServer({ pat });
  const work = mkdtempSync(join(tmpdir(), 'flux-azdo-bench-fleet-'));
  const workers = Array.from(
    { length: Math.max(...FLEET_SIZES) },
    () => new Worker(new URL(import.meta.url), { workerData: { pat, caFile: server.caFile } }),
  );
  let repoCount = 0;

  /** N bootstraps into a fresh repository, all at once or one after the other. */
  async function fleet(n, { concurrent }) {
    repoCount += 1;
    const name = `fleet-${repoCount}`;
    // Azure DevOps creates repositories empty; the fleet's first push makes the branch.
    server.createRepo('bench', 'proj', name);
    const url = server.repoUrl('bench', 'proj', name);
    const pushesBefore = server.stats.pushes;
    const run = (i) => runOn(workers[i], { url, path: `clusters/c${i}`, dir: join(work, `${name}-${i}`) });
    const start = performance.now();
    let outcomes;
    if (concurrent) {
      outcomes = await Promise.allSettled(Array.from({ length: n }, (_, i) => run(i)));
    } else {
      outcomes = [];
      for (let i = 0; i < n; i += 1) {
        outcomes.push(
          await run(i).then(
            (value) => ({ status: 'fulfilled', value }),
            (reason) => ({ status: 'rejected', reason }),
          ),
        );
      }
    }
    const ms = performance.now() - start;
    const failures = outcomes.filter((o) => o.status === 'rejected');
    for (const f of failures) console.error(`  failure: ${f.reason?.code ?? ''} ${f.reason?.message ?? f.reason}`);
    const retries = outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value : 0), 0);
    // Pushes the server received (a retry isomorphic-git refuses itself, seeing the branch moved,
    // sends none).
    return { ms, pushes: server.stats.pushes - pushesBefore, retries, failures: failures.length };
  }

  try {
    // Warm-up (page cache, JIT), not counted.
    await fleet(1, { concurrent: true });
    const rows = [];
    for (const n of FLEET_SIZES) {
      const together = [];
      const oneByOne = [];
      for (let r = 0; r < ROUNDS; r += 1) {
        together.push(await fleet(n, { concurrent: true }));
        oneByOne.push(await fleet(n, { concurrent: false }));
      }
      rows.push({
        n,
        wall: median(together.map((x) => x.ms)),
        sequential: median(oneByOne.map((x) => x.ms)),
        pushes: median(together.map((x) => x.pushes)),
        retries: median(together.map((x) => x.retries)),
        maxRetries: Math.max(...together.map((x) => x.retries)),
        failures: together.reduce((s, x) => s + x.failures, 0) + oneByOne.reduce((s, x) => s + x.failures, 0),
      });
      console.log(`N=${n}: done (${ROUNDS} rounds)`);
    }
    const one = rows[0].wall;
    console.log(`\nGit-only bootstraps (clone + components push + sync push) into one repository, median of ${ROUNDS} rounds`);
    console.log('|  N | wall at once | N one by one | at once / one | at once / one by one | pushes sent | retries (max) | failures |');
    console.log('|---:|-------------:|-------------:|--------------:|---------------------:|------------:|--------------:|---------:|');
    for (const r of rows) {
      console.log(
        `| ${String(r.n).padStart(2)} | ${r.wall.toFixed(0).padStart(9)} ms | ${r.sequential.toFixed(0).padStart(9)} ms | ` +
          `${(r.wall / one).toFixed(2).padStart(12)}× | ${(r.wall / r.sequential).toFixed(2).padStart(19)}× | ` +
          `${String(r.pushes).padStart(11)} | ${`${r.retries} (${r.maxRetries})`.padStart(13)} | ${String(r.failures).padStart(8)} |`,
      );
    }
    const eight = rows.find((r) => r.n === 8);
    const ok = eight.failures === 0 && eight.wall / one <= 1.5;
    console.log(
      `target: 8 at once, zero failures, ≤ 1.5× one: ${(eight.wall / one).toFixed(2)}×, ${eight.failures} failures — ${ok ? 'OK' : 'OVER TARGET'}`,
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
