#!/usr/bin/env node
// gotk-components.yaml with the default components: flux-azdo (the npm package) against Flux's
// own generator (flux2 v2.9.4 install.Generate, run by the tests/oracle binary) on the same
// options, in the same script. Medians over RUNS (default 30). Target: ours ≥ 10× faster.
//
// Flux is timed twice: inside the Go process around install.Generate alone (its fairest number:
// no process start, no JSON), and per round trip (what a caller of Flux's generator pays here).
// Ours is timed through the public API from the manifests folder (reads the 9 files, as Flux
// reads its bundle copy) and through the core call with the bundle already in memory.

import * as fluxCore from '../npm/dist/core/node.js';
import { installManifests } from '../npm/dist/index.js';
import { startOracle } from '../tests/oracle/client.mjs';
import { FLUX_VERSION, manifestsDir as manifests, readBundleFiles } from '../tests/support/flux-reference.mjs';
import { interleave } from './runner.mjs';

const RUNS = Number(process.env.RUNS ?? 30);

const installOptions = {
  version: FLUX_VERSION,
  namespace: 'flux-system',
  components: ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'],
  componentsExtra: [],
  registry: 'ghcr.io/fluxcd',
  imagePullSecret: '',
  watchAllNamespaces: true,
  networkPolicy: true,
  logLevel: 'info',
  clusterDomain: 'cluster.local',
  tolerationKeys: [],
  targetPath: 'clusters/my-cluster',
};
const { componentsExtra, ...fluxOptions } = installOptions;
fluxOptions.components = [...installOptions.components, ...componentsExtra];

const bundle = readBundleFiles(manifests);
const oracle = startOracle({ manifests });
try {
  // Interleaved, round by round (one warm-up round first), so that the load of a shared machine
  // falls on all three cases alike.
  const { medians, outputs } = await interleave(
    {
      flux: async () => {
        const t0 = performance.now();
        const answer = await oracle.request({ install: fluxOptions });
        const roundTrip = performance.now() - t0;
        if (answer.install.error) throw new Error(`Flux failed: ${answer.install.error}`);
        return { ms: answer.install.nanos / 1e6, roundTrip, out: answer.install.content };
      },
      api: async () => {
        const t0 = performance.now();
        const { content } = await installManifests({ manifests, targetPath: installOptions.targetPath });
        return { ms: performance.now() - t0, out: content };
      },
      core: async () => {
        const t0 = performance.now();
        fluxCore.generateInstall(installOptions, bundle);
        return { ms: performance.now() - t0 };
      },
    },
    RUNS,
  );
  const fluxOutput = outputs.flux;
  const oursOutput = outputs.api;
  if (oursOutput !== fluxOutput) throw new Error('the outputs differ: the comparison would be meaningless');

  const ms = (n) => `${n.toFixed(2).padStart(8)} ms`;
  const flux = medians.flux.ms;
  const api = medians.api.ms;
  const core = medians.core.ms;
  console.log(`runs per case: ${RUNS}, interleaved; default components; outputs identical (${fluxOutput.length} bytes)`);
  console.log(`flux   install.Generate (in-process)      median ${ms(flux)}`);
  console.log(`flux   round trip to the oracle           median ${ms(medians.flux.roundTrip)}`);
  console.log(`ours   installManifests (folder → YAML)   median ${ms(api)}  ${(flux / api).toFixed(1)}× faster than flux (target ≥ 10×)`);
  console.log(`ours   core generateInstall (in memory)   median ${ms(core)}  ${(flux / core).toFixed(1)}× faster than flux (target ≥ 15×)`);
} finally {
  await oracle.stop();
}
