#!/usr/bin/env node
// Adds Flux's manifests bundle for the core's Flux version to the package (bundle/manifests.json),
// so the CLI and the API work offline for that version as the Flux CLI does. Run by `npm run
// build` after tsc; the file is build output (gitignored), never committed.
// Where the bundle comes from, first match wins:
//   --manifests DIR|FILE.tar.gz    a folder of the 9 files or Flux's release asset
//   FLUX_MANIFESTS=DIR|FILE.tar.gz  the same, for build machines without access to GitHub
//   the CLI's download cache        $XDG_CACHE_HOME/flux-azdo/manifests/<version>/manifests.tar.gz
// It must be Flux's release byte for byte (the package's checksums), or the build fails. Without
// a source, a bundle an earlier build embedded for the same version stays; else the package is
// built without one (it then downloads, as before) — unless FLUX_AZDO_REQUIRE_BUNDLE=1 (CI),
// which makes that an error.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(pkgDir, 'bundle', 'manifests.json');
const { fluxVersion, readBundle } = await import('../dist/core/node.js');
const { defaultCacheDir, loadBundle, verifyRelease } = await import('../dist/manifests.js');
const { embeddedBundleVersion } = await import('../dist/embedded-bundle.js');

// Relative paths are relative to where npm was started, not to npm/.
const cwd = process.env.INIT_CWD ?? process.cwd();
const { values: args } = parseArgs({ options: { manifests: { type: 'string' } } });
const version = fluxVersion();

function fail(message) {
  console.error(`embed-bundle: ${message}`);
  process.exit(1);
}

function source() {
  if (args.manifests) return { path: resolve(cwd, args.manifests), from: '--manifests' };
  const env = process.env.FLUX_MANIFESTS;
  if (env && env.length > 0) return { path: resolve(cwd, env), from: 'FLUX_MANIFESTS' };
  const cache = join(defaultCacheDir(), 'manifests', version, 'manifests.tar.gz');
  return existsSync(cache) ? { path: cache, from: 'the download cache' } : undefined;
}

const found = source();
if (!found && embeddedBundleVersion() === version) {
  // `npm run build` again without a source (e.g. after a TypeScript change): the bundle an earlier
  // build checked and embedded for this same version stays.
  console.log(`embed-bundle: keeping bundle/manifests.json (Flux ${version}, embedded by an earlier build)`);
  process.exit(0);
}
// A bundle for another version must not survive a build that embeds none.
rmSync(out, { force: true });
if (!found) {
  const message =
    `no bundle for Flux ${version}: give --manifests DIR|FILE.tar.gz or FLUX_MANIFESTS, ` +
    `or download it once (flux-azdo install --export); the package downloads it at run time instead`;
  if (process.env.FLUX_AZDO_REQUIRE_BUNDLE === '1') fail(`${message} (FLUX_AZDO_REQUIRE_BUNDLE=1)`);
  console.warn(`embed-bundle: ${message}`);
  process.exit(0);
}
let files;
try {
  files = readBundle(await loadBundle({ source: found.path }));
  verifyRelease(
    version,
    `the bundle at ${found.path} (${found.from})`,
    files,
    () => fail(`the package carries no checksums for Flux ${version}; add them to src/bundle-checksums.ts`),
    'nothing was embedded',
  );
} catch (err) {
  fail(err.code ? `${err.code}: ${err.message}` : String(err));
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ version, files }));
console.log(`embed-bundle: Flux ${version} manifests from ${found.path} (${found.from}) → bundle/manifests.json`);
