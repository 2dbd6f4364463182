#!/usr/bin/env node
// Builds the static preview page into browser/dist (or --out DIR):
//   index.html, style.css, main.js (esbuild bundle), flux_azdo_wasm_bg.wasm (the core, built by
//   scripts/build-wasm.mjs), manifests.json (Flux's bundle, checked by the core) and sw.js (the
//   service worker that lets the page open offline).
// The bundle comes from --manifests DIR|FILE.tar.gz, else the one the flux-azdo package carries
// for its Flux version (bundle/manifests.json, embedded when the package was built), else the
// CLI's download cache (defaultCacheDir()/manifests/<version>/manifests.tar.gz); without any
// the page is built without one and asks the user for a manifests.tar.gz.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

import { build } from 'esbuild';

const browserDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = join(dirname(createRequire(import.meta.url).resolve('flux-azdo/package.json')), 'wasm');

// Paths given on the command line are relative to where npm was run, not to browser/.
const cwd = process.env.INIT_CWD ?? process.cwd();
const { values: args } = parseArgs({
  options: {
    manifests: { type: 'string' },
    version: { type: 'string' },
    out: { type: 'string' },
    'no-minify': { type: 'boolean', default: false },
    // A page that asks the user for a manifests.tar.gz (what a build without any bundle gives).
    'no-manifests': { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`browser build: ${message}`);
  process.exit(1);
}

if (!existsSync(join(wasmDir, 'flux_azdo_wasm_bg.wasm'))) {
  fail(`${wasmDir}/flux_azdo_wasm_bg.wasm is missing; run node scripts/build-wasm.mjs first`);
}
// The package (built by `npm run build -w flux-azdo`) reads the bundle from a folder or a tarball,
// and the core checks and unpacks it: the page gets exactly the 9 files bootstrap would use.
// Imported only now: the core loads its .wasm on import.
const { defaultCacheDir, embeddedBundle, isFluxAzdoError, loadBundle } = await import('flux-azdo');
const { fluxVersion, readBundle } = await import('flux-azdo/core');
const version = args.version ?? fluxVersion();

function bundleSource() {
  if (args['no-manifests']) return undefined;
  if (args.manifests) return resolve(cwd, args.manifests);
  if (embeddedBundle(version)) return 'the flux-azdo package';
  // Where the CLI keeps the release bundles it downloaded (see loadBundle).
  const cache = join(defaultCacheDir(), 'manifests', version, 'manifests.tar.gz');
  return existsSync(cache) ? cache : undefined;
}

const outDir = args.out ? resolve(cwd, args.out) : join(browserDir, 'dist');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const source = bundleSource();
const embeddedSource = source !== undefined && !args.manifests && embeddedBundle(version) !== undefined;
let preload = '';
if (source) {
  let files;
  try {
    files = readBundle(embeddedSource ? embeddedBundle(version) : await loadBundle({ source }));
  } catch (err) {
    fail(isFluxAzdoError(err) ? `${err.code}: ${err.message}` : `${source} is not a usable Flux bundle: ${err.message}`);
  }
  writeFileSync(join(outDir, 'manifests.json'), JSON.stringify({ version, files }));
  preload = '<link rel="preload" href="manifests.json" as="fetch" type="application/json" crossorigin>';
  console.log(`browser build: Flux ${version} manifests from ${source}`);
} else {
  console.warn(
    (args['no-manifests']
      ? 'browser build: no manifests (--no-manifests); '
      : `browser build: no manifests (no --manifests, none in the flux-azdo package and no download cache for ${version}); `) +
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
for (const name of files)
  hash
    .update(name)
    .update('\0')
    .update(readFileSync(join(outDir, name)));
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
