#!/usr/bin/env node
// Builds the static preview page into browser/dist (or --out DIR):
//   index.html, style.css, main.js (esbuild bundle), flux_azdo_wasm_bg.wasm (the core, built by
//   scripts/build-wasm.mjs), manifests.json (Flux's bundle, checked by the core) and sw.js (the
//   service worker that lets the page open offline).
// The bundle comes from --manifests DIR|FILE.tar.gz, else the CLI's download cache
// ($XDG_CACHE_HOME or ~/.cache)/flux-azdo/manifests/<version>/manifests.tar.gz; without either
// the page is built without one and asks the user for a manifests.tar.gz.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';

import { build } from 'esbuild';

const browserDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(browserDir, '..');
const wasmDir = join(root, 'npm', 'wasm');

// Paths given on the command line are relative to where npm was run, not to browser/.
const cwd = process.env.INIT_CWD ?? process.cwd();
const { values: args } = parseArgs({
  options: {
    manifests: { type: 'string' },
    version: { type: 'string' },
    out: { type: 'string' },
    'no-minify': { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`browser build: ${message}`);
  process.exit(1);
}

if (!existsSync(join(wasmDir, 'flux_azdo_wasm.js'))) {
  fail(`${wasmDir}/flux_azdo_wasm.js is missing; run node scripts/build-wasm.mjs first`);
}
const wasm = await import(join(wasmDir, 'flux_azdo_wasm.js'));
wasm.initSync({ module: readFileSync(join(wasmDir, 'flux_azdo_wasm_bg.wasm')) });
const version = args.version ?? wasm.fluxVersion();

/** The regular `*.yaml` files of a ustar/pax tarball (Flux's manifests.tar.gz is flat). */
function yamlFilesOfTar(tar) {
  const files = {};
  let longName;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const text = (from, to) => new TextDecoder().decode(header.subarray(from, to)).replace(/\0.*$/s, '');
    const size = parseInt(text(124, 136).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const body = tar.subarray(at + 512, at + 512 + size);
    const prefix = text(345, 500);
    let name = longName ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
    longName = undefined;
    if (type === 'x') {
      longName = /\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(body))?.[1];
    } else if (type === 'L') {
      longName = new TextDecoder().decode(body).replace(/\0.*$/s, '');
    } else if (type === '0') {
      name = name.replace(/^\.\//, '');
      if (name.endsWith('.yaml') && !name.includes('/')) files[name] = new TextDecoder().decode(body);
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function readBundle(source) {
  if (statSync(source).isDirectory()) {
    const files = {};
    for (const name of readdirSync(source).sort()) {
      if (name.endsWith('.yaml')) files[name] = readFileSync(join(source, name), 'utf8');
    }
    return files;
  }
  return yamlFilesOfTar(gunzipSync(readFileSync(source)));
}

function bundleSource() {
  if (args.manifests) {
    const source = resolve(cwd, args.manifests);
    if (!existsSync(source)) fail(`--manifests ${args.manifests} does not exist; give a folder with Flux's 9 manifest files or a manifests.tar.gz`);
    return source;
  }
  const xdg = process.env.XDG_CACHE_HOME;
  const cache = join(xdg ? xdg : join(homedir(), '.cache'), 'flux-azdo', 'manifests', version, 'manifests.tar.gz');
  return existsSync(cache) ? cache : undefined;
}

const outDir = args.out ? resolve(cwd, args.out) : join(browserDir, 'dist');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const source = bundleSource();
let preload = '';
if (source) {
  const files = readBundle(source);
  try {
    wasm.checkBundle(files);
  } catch (err) {
    fail(`${source} is not a usable Flux bundle: ${err.message}`);
  }
  writeFileSync(join(outDir, 'manifests.json'), JSON.stringify({ version, files }));
  preload = '<link rel="preload" href="manifests.json" as="fetch" type="application/json" crossorigin>';
  console.log(`browser build: Flux ${version} manifests from ${source}`);
} else {
  console.warn(
    `browser build: no manifests (no --manifests, and no download cache for ${version}); ` +
      'the page will ask for a manifests.tar.gz',
  );
}

const minify = !args['no-minify'];
await build({
  entryPoints: [join(browserDir, 'src', 'main.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify,
  legalComments: 'none',
  outfile: join(outDir, 'main.js'),
  logLevel: 'warning',
});
await build({
  entryPoints: [join(browserDir, 'src', 'style.css')],
  bundle: true,
  minify,
  outfile: join(outDir, 'style.css'),
  logLevel: 'warning',
});
copyFileSync(join(wasmDir, 'flux_azdo_wasm_bg.wasm'), join(outDir, 'flux_azdo_wasm_bg.wasm'));
const html = readFileSync(join(browserDir, 'src', 'index.html'), 'utf8').replace('<!--BUNDLE_PRELOAD-->', preload);
writeFileSync(join(outDir, 'index.html'), html);

// The service worker caches exactly this build's files, under a cache named by their content.
const files = readdirSync(outDir).sort();
const hash = createHash('sha256');
for (const name of files) hash.update(name).update('\0').update(readFileSync(join(outDir, name)));
await build({
  entryPoints: [join(browserDir, 'src', 'sw.ts')],
  bundle: true,
  format: 'iife',
  target: 'es2022',
  minify,
  define: { __BUILD__: JSON.stringify({ id: hash.digest('hex').slice(0, 16), files }) },
  outfile: join(outDir, 'sw.js'),
  logLevel: 'warning',
});

for (const name of readdirSync(outDir).sort()) {
  console.log(`  ${name.padEnd(28)} ${(statSync(join(outDir, name)).size / 1024).toFixed(1).padStart(8)} KB`);
}
