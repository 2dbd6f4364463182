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

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const settings = parse(readFileSync(join(root, 'wasm-pack.toml'), 'utf8'));
const { package: pkg, profile, target } = settings.crate;
const bindgen = settings['wasm-bindgen'];

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

// The CLI must be the exact version of the crate pinned in Cargo.toml.
const cargoToml = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const pin = /^wasm-bindgen = "=([^"]+)"/m.exec(cargoToml)?.[1];
if (pin !== bindgen.version) {
  console.error(`wasm-pack.toml wants wasm-bindgen ${bindgen.version} but Cargo.toml pins ${pin}; make them equal`);
  process.exit(1);
}
const toolsDir = process.env.FLUX_AZDO_TOOLS ?? join(homedir(), '.cache', 'flux-azdo', 'tools');
const bindgenBin = join(toolsDir, `wasm-bindgen-${bindgen.version}`, 'bin', 'wasm-bindgen');
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
run(bindgenBin, ['--target', bindgen.target, '--out-dir', outDir, '--out-name', bindgen['out-name'], input]);

const wasmFile = join(outDir, `${bindgen['out-name']}_bg.wasm`);
const strip = settings.strip?.['custom-sections'] ?? [];
if (strip.length > 0) {
  const before = statSync(wasmFile).size;
  writeFileSync(wasmFile, withoutCustomSections(readFileSync(wasmFile), new Set(strip)));
  console.log(`stripped custom sections ${strip.join(', ')}: ${before} → ${statSync(wasmFile).size} bytes`);
}
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
console.log(`built ${wasmFile} (${statSync(wasmFile).size} bytes)`);

/** A wasm module without the named custom sections (section id 0), every other byte kept. */
function withoutCustomSections(bytes, names) {
  const parts = [bytes.subarray(0, 8)];
  let offset = 8;
  const uleb = () => {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[offset++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  while (offset < bytes.length) {
    const start = offset;
    const id = bytes[offset++];
    const size = uleb();
    const end = offset + size;
    if (id === 0) {
      const nameLength = uleb();
      const name = bytes.subarray(offset, offset + nameLength).toString('utf8');
      if (names.has(name)) {
        offset = end;
        continue;
      }
    }
    offset = end;
    parts.push(bytes.subarray(start, end));
  }
  return Buffer.concat(parts);
}
