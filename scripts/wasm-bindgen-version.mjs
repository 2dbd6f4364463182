#!/usr/bin/env node
// The wasm-bindgen version has one source: the exact `wasm-bindgen = "=X"` pin in Cargo.toml.
// The CLI must match the crate byte for byte (its schema version is checked at build time), so
// build-wasm.mjs and install-deps.sh both ask this file instead of writing the version again.
// No dependencies: install-deps.sh calls it before `npm ci`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The version pinned by `wasm-bindgen = "=X"` in the workspace Cargo.toml. */
export function wasmBindgenVersion() {
  const cargoToml = readFileSync(join(root, 'Cargo.toml'), 'utf8');
  const pin = /^wasm-bindgen = "=([^"]+)"$/m.exec(cargoToml)?.[1];
  if (pin === undefined) {
    throw new Error('Cargo.toml has no exact `wasm-bindgen = "=X"` pin under [workspace.dependencies]');
  }
  return pin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(wasmBindgenVersion());
}
