// Benchmark: server-side apply of Flux v2.9.4's default components (install.yaml) to a fresh
// kube-apiserver, flux-azdo's applyManifests vs `kubectl apply --server-side` of the same file.
// Each run starts its own control plane, so both sides create everything from scratch.
// Prints medians and the ratio (target: flux-azdo ≤ 1.2× kubectl).
//
//   npm run build -w flux-azdo && node bench/kube-apply.mjs [runs]      (default 5 runs per side)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCluster } from '../tests/harness/cluster.mjs';
import { fluxDir } from '../tests/support/flux-reference.mjs';
import { median } from './stats.mjs';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const manifest = join(fluxDir, 'install.yaml');
const runs = Number(process.argv[2] ?? 5);

// One apply by flux-azdo in a fresh Node process, as the CLI would run it. It reports the time
// from after module loading (kubeconfig, discovery, apply, CRD wait: what bootstrap's apply step
// costs, the modules being loaded once per process) next to the whole process's wall time.
const oursScript = `
import { readFileSync } from 'node:fs';
const { connect, applyManifests } = await import(${JSON.stringify(join(here, '../npm/dist/kube/index.js'))});
const t0 = performance.now();
const client = connect({ kubeconfig: process.argv[1] });
const results = await applyManifests(client, readFileSync(process.argv[2], 'utf8'));
client.close();
if (results.length === 0) process.exit(1);
console.log(JSON.stringify({ applyMs: performance.now() - t0 }));
`;

async function timeOurs(cluster) {
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', oursScript, cluster.kubeconfigPath, manifest]);
  return { total: performance.now() - t0, apply: JSON.parse(stdout).applyMs };
}

async function timeKubectl(cluster, cacheDir) {
  const t0 = performance.now();
  await run(join(cluster.binDir, 'kubectl'), [
    'apply',
    '--server-side',
    '--force-conflicts',
    '--field-manager=flux',
    `--kubeconfig=${cluster.kubeconfigPath}`,
    `--cache-dir=${cacheDir}`,
    '-f',
    manifest,
  ]);
  return performance.now() - t0;
}

const ours = [];
const oursApply = [];
const kubectl = [];
for (let i = 0; i < runs; i++) {
  // Alternate which side goes first, so drift in machine load hits both.
  const order = i % 2 === 0 ? ['ours', 'kubectl'] : ['kubectl', 'ours'];
  for (const side of order) {
    const cluster = await startCluster();
    try {
      if (side === 'ours') {
        const t = await timeOurs(cluster);
        ours.push(t.total);
        oursApply.push(t.apply);
      } else kubectl.push(await timeKubectl(cluster, join(cluster.dir, 'kubectl-cache')));
    } finally {
      await cluster.stop();
    }
  }
  console.error(
    `run ${i + 1}/${runs}: flux-azdo ${ours.at(-1).toFixed(0)} ms (apply ${oursApply.at(-1).toFixed(0)} ms), kubectl ${kubectl.at(-1).toFixed(0)} ms`,
  );
}

const fmt = (xs) => `median ${median(xs).toFixed(0).padStart(5)} ms   [${xs.map((x) => x.toFixed(0)).join(', ')}]`;
console.log(`kube-apply (install.yaml, fresh apiserver, ${runs} runs each)`);
console.log(`  kubectl apply --server-side (whole process)   ${fmt(kubectl)}`);
console.log(`  flux-azdo apply step (modules loaded)         ${fmt(oursApply)}`);
console.log(`  flux-azdo whole process (node + module load)  ${fmt(ours)}`);
console.log(`  ratio apply step / kubectl:    ${(median(oursApply) / median(kubectl)).toFixed(2)} (target ≤ 1.20)`);
console.log(`  ratio whole process / kubectl: ${(median(ours) / median(kubectl)).toFixed(2)}`);
