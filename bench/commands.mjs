#!/usr/bin/env node
// Whole commands as processes, each started fresh, against a Go process running Flux's own
// generator (the tests/oracle binary: start, read Flux's bundle, install.Generate, print, exit) on
// the same options, interleaved round by round so machine noise hits every case alike. Medians
// over RUNS (default 20) and ratios:
//   install --export                  ≤ 0.5× the Go process
//   bootstrap git --export            ≤ 1.2× install --export (Git, Kubernetes, SSH never load)
//   --help, version                   ≤ 80 ms (absolute; `node -e 0` is printed as the floor)
// flux-azdo runs as a user runs it: no --manifests, on the bundle the package carries (the
// script refuses to run on a package built without one, which would measure a download).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { embeddedBundleVersion } from '../npm/dist/index.js';
import { buildOracle } from '../tests/oracle/client.mjs';
import { FLUX_VERSION, manifestsDir, readReference } from '../tests/support/flux-reference.mjs';
import { canTimeCpu, interleave, runProcess } from './runner.mjs';

// Wall and, where GNU time is present, CPU time (user + system) of each process.
const run = (cmd, args, options = {}) => runProcess(cmd, args, { ...options, cpu: true });

const RUNS = Number(process.env.RUNS ?? 20);
const cli = new URL('../npm/dist/cli/main.js', import.meta.url).pathname;

if (embeddedBundleVersion() !== FLUX_VERSION) {
  console.error(`npm/bundle/manifests.json is missing: build the package with FLUX_MANIFESTS (bash scripts/build.sh)`);
  process.exit(1);
}

const oracle = buildOracle();
const fluxRequest = `${JSON.stringify({
  install: {
    version: FLUX_VERSION,
    namespace: 'flux-system',
    components: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'],
    registry: 'ghcr.io/fluxcd',
    imagePullSecret: '',
    watchAllNamespaces: true,
    networkPolicy: true,
    logLevel: 'info',
    clusterDomain: 'cluster.local',
    tolerationKeys: [],
    targetPath: 'clusters/my-cluster',
  },
})}\n`;

const timesOf = ({ ms, cpuMs }) => ({ ms, cpuMs });
const work = await mkdtemp(join(tmpdir(), 'flux-azdo-bench-commands-'));
const cases = {
  'go: Flux install.Generate process': async () => {
    const { ms, cpuMs, stdout } = await run(oracle, ['-manifests', manifestsDir], { input: fluxRequest });
    const answer = JSON.parse(stdout).install;
    if (answer.error) throw new Error(`Flux failed: ${answer.error}`);
    return { ms, cpuMs, out: answer.content };
  },
  'flux-azdo install --export': async () => {
    const { ms, cpuMs, stdout } = await run(process.execPath, [cli, 'install', '--export']);
    return { ms, cpuMs, out: stdout };
  },
  'flux-azdo bootstrap git --export': async (i) => {
    const dir = join(work, `export-${i}`);
    const { ms, cpuMs } = await run(process.execPath, [
      cli,
      'bootstrap',
      'git',
      '--url=https://dev.azure.com/org/project/_git/repo',
      '--token-auth',
      '--path=clusters/my-cluster',
      '--export',
      dir,
    ]);
    return { ms, cpuMs };
  },
  'flux-azdo --help': async () => timesOf(await run(process.execPath, [cli, '--help'])),
  'flux-azdo version': async () => timesOf(await run(process.execPath, [cli, 'version'])),
  'node -e 0 (floor)': async () => timesOf(await run(process.execPath, ['-e', '0'])),
};

let result;
try {
  result = await interleave(cases, RUNS);
} finally {
  await rm(work, { recursive: true, force: true });
}
const outputs = result.outputs;
const expected = readReference('install.yaml');
for (const [name, out] of Object.entries(outputs)) {
  if (out !== expected) throw new Error(`${name} did not print install.yaml: the comparison would be meaningless`);
}

const m = Object.fromEntries(Object.entries(result.medians).map(([name, { ms }]) => [name, ms]));
const go = m['go: Flux install.Generate process'];
const install = m['flux-azdo install --export'];
const floor = m['node -e 0 (floor)'];
const line = (name, extra = '') => console.log(`${name.padEnd(36)} median ${m[name].toFixed(1).padStart(7)} ms${extra}`);
console.log(`runs per case: ${RUNS}, interleaved; both print Flux ${FLUX_VERSION}'s install.yaml byte for byte`);
console.log('wall:');
line('go: Flux install.Generate process');
line('flux-azdo install --export', `  ${(install / go).toFixed(2)}× the Go process (target ≤ 0.5×)`);
line(
  'flux-azdo bootstrap git --export',
  `  ${(m['flux-azdo bootstrap git --export'] / install).toFixed(2)}× install --export (target ≤ 1.2×)`,
);
line('flux-azdo --help', `  (target ≤ 80 ms; ${(m['flux-azdo --help'] / floor).toFixed(2)}× node -e 0)`);
line('flux-azdo version', `  (target ≤ 80 ms; ${(m['flux-azdo version'] / floor).toFixed(2)}× node -e 0)`);
line('node -e 0 (floor)');
if (canTimeCpu) {
  // CPU time, user + system over all threads: what a loaded machine disturbs least.
  const c = Object.fromEntries(Object.entries(result.medians).map(([name, { cpuMs }]) => [name, cpuMs]));
  const cpu = (name, extra = '') => console.log(`${name.padEnd(36)} median ${c[name].toFixed(0).padStart(7)} ms CPU${extra}`);
  console.log('CPU (user + system, 10 ms ticks):');
  cpu('go: Flux install.Generate process');
  cpu(
    'flux-azdo install --export',
    `  ${(c['flux-azdo install --export'] / c['go: Flux install.Generate process']).toFixed(2)}× the Go process`,
  );
  cpu(
    'flux-azdo bootstrap git --export',
    `  ${(c['flux-azdo bootstrap git --export'] / c['flux-azdo install --export']).toFixed(2)}× install --export`,
  );
  cpu('flux-azdo --help', `  +${(c['flux-azdo --help'] - c['node -e 0 (floor)']).toFixed(0)} ms over node -e 0`);
  cpu('flux-azdo version', `  +${(c['flux-azdo version'] - c['node -e 0 (floor)']).toFixed(0)} ms over node -e 0`);
  cpu('node -e 0 (floor)');
}
