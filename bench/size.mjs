#!/usr/bin/env node
// The size of the core's .wasm as it ships (npm/wasm, built by scripts/build-wasm.mjs with the
// settings of wasm-pack.toml and Cargo.toml's release profile): raw, gzip (level 9, what the issue's
// target counts) and brotli (what a browser is usually served), against the target of 300 KB gzip,
// and what the npm tarball and the browser page carry besides it. Sizes are exact: no runs, no
// medians. `WASM=path` measures another build of the module (e.g. one with other settings).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const wasmPath = process.env.WASM ?? join(root, 'npm', 'wasm', 'flux_azdo_wasm_bg.wasm');
const TARGET_GZIP = 300 * 1024;

const kb = (n) => `${(n / 1024).toFixed(1).padStart(8)} KB`;
const sizes = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

const wasm = sizes(readFileSync(wasmPath));
console.log(`core .wasm ${wasmPath}`);
console.log(`  raw    ${kb(wasm.raw)}`);
console.log(`  gzip   ${kb(wasm.gzip)}  ${(wasm.gzip / TARGET_GZIP).toFixed(2)}× the target of 300 KB (≤ 1.00×)`);
console.log(`  brotli ${kb(wasm.brotli)}`);

const bundle = join(root, 'npm', 'bundle', 'manifests.json');
if (existsSync(bundle)) {
  const b = sizes(readFileSync(bundle));
  console.log(`Flux bundle the package carries (npm/bundle/manifests.json): raw ${kb(b.raw)}, gzip ${kb(b.gzip)}`);
}
const page = join(root, 'browser', 'dist');
if (existsSync(page)) {
  let raw = 0;
  let gzip = 0;
  for (const name of readdirSync(page)) {
    const bytes = readFileSync(join(page, name));
    if (!statSync(join(page, name)).isFile()) continue;
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  console.log(`browser page (browser/dist, everything a first visit fetches): raw ${kb(raw)}, gzip ${kb(gzip)}`);
}
