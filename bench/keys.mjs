#!/usr/bin/env node
// RSA key generation through the package (WebCrypto path) against `ssh-keygen` run in the same
// script, plus the pure-Rust fallback for 2048 bits for information. Prints medians and ratios;
// the target is a ratio ≤ 1× (no slower than ssh-keygen).
//
//   node scripts/build-wasm.mjs && npm run build -w flux-azdo && node bench/keys.mjs [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateKey } from '../npm/dist/index.js';
import { median, timeRuns } from './stats.mjs';

const runs = Number(process.argv[2] ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'flux-azdo-bench-keys-'));

// Both paths are warmed up once below, so the timed runs need no warm-up of their own.
const time = (fn, n) => timeRuns(fn, n, { warmup: false });

function sshKeygen(bits, i) {
  const file = join(dir, `k${bits}-${i}`);
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', String(bits), '-N', '', '-f', file], { stdio: 'ignore' });
  rmSync(file);
  rmSync(`${file}.pub`);
}

const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
try {
  // Warm-up: loads the wasm module and JITs both paths once.
  const warm = await generateKey({ bits: 2048 });
  if (warm.generator !== 'webcrypto') throw new Error(`expected the WebCrypto path, got ${warm.generator}`);
  sshKeygen(2048, 'warm');

  console.log(`RSA key generation, median of ${runs} runs (Node ${process.version})`);
  for (const bits of [2048, 4096]) {
    const ours = median(await time(() => generateKey({ bits }), runs));
    const base = median(await time((i) => sshKeygen(bits, i), runs));
    console.log(`RSA-${bits}  flux-azdo (WebCrypto) ${fmt(ours)}   ssh-keygen ${fmt(base)}   ratio ${(ours / base).toFixed(2)}×`);
  }
  const fallbackRuns = Math.max(3, Math.floor(runs / 2));
  const rust = median(await time(() => generateKey({ bits: 2048, generator: 'rust' }), fallbackRuns));
  const base = median(await time((i) => sshKeygen(2048, `f${i}`), fallbackRuns));
  console.log(`RSA-2048  pure-Rust fallback   ${fmt(rust)}   ssh-keygen ${fmt(base)}   ratio ${(rust / base).toFixed(2)}× (information)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
