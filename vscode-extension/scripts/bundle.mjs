// Bundles the extension into one CommonJS file, dist/js/extension.js, with the flux-azdo package
// and its dependencies inside, and puts the core's .wasm where the package looks for it: the
// package reads `../wasm/flux_azdo_wasm_bg.wasm` relative to its own JS file (import.meta.url),
// which in the bundle is dist/js/extension.js, so dist/wasm/; Flux's bundle goes to dist/bundle/.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(join(root, 'package.json'));
const wasm = join(dirname(require.resolve('flux-azdo/package.json')), 'wasm', 'flux_azdo_wasm_bg.wasm');

await rm(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'extension.ts')],
  outfile: join(dist, 'js', 'extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // `vscode` is the host's; ssh2's optional native speed-ups are skipped (it falls back to JS).
  external: ['vscode', 'cpu-features', '*.node'],
  // ESM code in a CJS bundle: import.meta.url becomes the bundle file's URL.
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await mkdir(join(dist, 'wasm'), { recursive: true });
await copyFile(wasm, join(dist, 'wasm', 'flux_azdo_wasm_bg.wasm'));
// The package's Flux bundle (built in by npm/scripts/embed-bundle.mjs), at the same path relative
// to the bundle file as to the package's dist/embedded-bundle.js: the extension previews and
// bootstraps offline for that version. A package built without one downloads instead.
const manifests = join(dirname(require.resolve('flux-azdo/package.json')), 'bundle', 'manifests.json');
if (existsSync(manifests)) {
  await mkdir(join(dist, 'bundle'), { recursive: true });
  await copyFile(manifests, join(dist, 'bundle', 'manifests.json'));
} else {
  console.warn(`vscode bundle: ${manifests} is missing (the package was built without Flux's bundle); the extension downloads it`);
}
