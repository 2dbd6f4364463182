#!/usr/bin/env node
// Builds the wasm core from the settings in wasm-pack.toml: cargo → wasm-bindgen → (wasm-opt).
// wasm-pack is not used because it downloads its tools from GitHub; every tool here comes from
// a package registry (scripts/install-deps.sh installs them).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync, writeFileSync, statSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';
import { wasmBindgenVersion } from './wasm-bindgen-version.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const settings = parse(readFileSync(join(root, 'wasm-pack.toml'), 'utf8'));
const { package: pkg, profile, target } = settings.crate;
const bindgen = settings['wasm-bindgen'];

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

// [strip] keys are wasm-bindgen's own flags; an unknown key is a typo, not a no-op.
const stripFlags = { 'name-section': '--remove-name-section', 'producers-section': '--remove-producers-section' };
const strip = settings.strip ?? {};
for (const key of Object.keys(strip)) {
  if (!(key in stripFlags)) {
    console.error(`wasm-pack.toml [strip] has unknown key ${key}; known: ${Object.keys(stripFlags).join(', ')}`);
    process.exit(1);
  }
}
const stripArgs = Object.entries(stripFlags)
  .filter(([key]) => strip[key] === true)
  .map(([, flag]) => flag);

// The CLI must be the exact version of the crate pinned in Cargo.toml.
const version = wasmBindgenVersion();
const toolsDir = process.env.FLUX_AZDO_TOOLS ?? join(homedir(), '.cache', 'flux-azdo', 'tools');
const bindgenBin = join(toolsDir, `wasm-bindgen-${version}`, 'bin', 'wasm-bindgen');
if (!existsSync(bindgenBin)) {
  console.error(`${bindgenBin} is missing; run scripts/install-deps.sh`);
  process.exit(1);
}

run('cargo', ['build', '--locked', '-p', pkg, '--target', target, '--profile', profile]);
const crateFile = pkg.replaceAll('-', '_');
const profileDir = profile === 'dev' ? 'debug' : profile;
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const input = join(targetDir, target, profileDir, `${crateFile}.wasm`);
const outDir = join(root, bindgen['out-dir']);
mkdirSync(outDir, { recursive: true });
run(bindgenBin, ['--target', bindgen.target, '--out-dir', outDir, '--out-name', bindgen['out-name'], ...stripArgs, input]);

const wasmFile = join(outDir, `${bindgen['out-name']}_bg.wasm`);
const opt = settings['wasm-opt'];
if (opt?.enabled) {
  const wasmOpt = ['/usr/bin/wasm-opt', '/usr/local/bin/wasm-opt'].find(existsSync);
  if (wasmOpt) {
    const before = statSync(wasmFile).size;
    run(wasmOpt, [...opt.args, wasmFile, '-o', `${wasmFile}.opt`]);
    renameSync(`${wasmFile}.opt`, wasmFile);
    console.log(`wasm-opt: ${before} → ${statSync(wasmFile).size} bytes`);
  } else {
    console.log('wasm-opt not found; skipping (install Debian binaryen for a smaller module)');
  }
}
// Node needs to know the wasm-bindgen web output is ESM.
writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
console.log(`built ${wasmFile} (${statSync(wasmFile).size} bytes${stripArgs.length > 0 ? `, ${stripArgs.join(' ')}` : ''})`);
