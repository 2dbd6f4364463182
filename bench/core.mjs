#!/usr/bin/env node
// Benchmarks of the wasm core, medians over repeated runs in one process:
// - gotk-components.yaml generation (default components, and every extra), against a baseline
//   in the same process: reading the bundle and checking it (the floor any generator pays);
// - the gzipped size of the .wasm against the 350 KB target.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

import { installManifests, loadBundle } from '../npm/dist/index.js';
import { manifestsDir as manifests, repoRoot as root } from '../tests/support/flux-reference.mjs';
import { median, timeRuns } from './stats.mjs';

const RUNS = Number(process.env.RUNS ?? 30);

const timedMedian = async (fn) => median(await timeRuns(fn, RUNS));

const baseline = await timedMedian(() => loadBundle({ source: manifests }));
const defaults = await timedMedian(() => installManifests({ manifests }));
const allExtras = await timedMedian(() =>
  installManifests({ manifests, componentsExtra: ['image-reflector-controller', 'image-automation-controller', 'source-watcher'] }),
);
const wasm = readFileSync(join(root, 'npm', 'wasm', 'flux_azdo_wasm_bg.wasm'));
const gz = gzipSync(wasm, { level: 9 }).length;

const ms = (n) => `${n.toFixed(2)} ms`;
console.log(`runs per case: ${RUNS}`);
console.log(`baseline (read + check bundle): median ${ms(baseline)}`);
console.log(`generate default components:    median ${ms(defaults)}  ratio ${(defaults / baseline).toFixed(2)}x baseline`);
console.log(`generate all extras:            median ${ms(allExtras)}  ratio ${(allExtras / baseline).toFixed(2)}x baseline`);
console.log(
  `wasm size: ${(wasm.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzip -9 (target ≤ 350 KB: ratio ${(gz / (350 * 1024)).toFixed(2)})`,
);
