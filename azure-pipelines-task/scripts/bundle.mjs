// Lays out the extension in dist/: dist/vss-extension.json and dist/FluxBootstrap/ with
// task.json, js/main.js (one CommonJS file: the entry, flux-azdo, azure-pipelines-task-lib and
// their dependencies) and wasm/flux_azdo_wasm_bg.wasm, where flux-azdo looks for it (`../wasm/`
// from its own JS file, which in the bundle is js/main.js). Nothing else goes in: tfx packs the
// folder as it is. task-lib reads its message catalogue (lib.json, Strings/) beside its module
// file, so it is copied next to the bundle.
import { copyFile, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

import { TASK_JSON, taskJson } from './task-json.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const task = join(dist, 'FluxBootstrap');
const require = createRequire(join(root, 'package.json'));
const wasm = join(dirname(require.resolve('flux-azdo/package.json')), 'wasm', 'flux_azdo_wasm_bg.wasm');
const taskLib = dirname(require.resolve('azure-pipelines-task-lib/package.json'));

// task.json is checked in; the build refuses one that drifted from the input table.
const expected = `${JSON.stringify(await taskJson(), null, 2)}\n`;
if ((await readFile(TASK_JSON, 'utf8')) !== expected) {
  throw new Error('FluxBootstrap/task.json is out of date: run UPDATE=1 node scripts/task-json.mjs');
}

await rm(dist, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  outfile: join(task, 'js', 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // ssh2's optional native speed-ups are skipped (it falls back to JS).
  external: ['cpu-features', '*.node'],
  // ESM code in a CJS bundle: import.meta.url becomes the bundle file's URL.
  define: { 'import.meta.url': '__bundleFileUrl' },
  banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The bundle is CommonJS wherever it lies (this workspace's package.json says "module").
await writeFile(join(task, 'js', 'package.json'), '{ "type": "commonjs" }\n');
await mkdir(join(task, 'wasm'), { recursive: true });
await copyFile(wasm, join(task, 'wasm', 'flux_azdo_wasm_bg.wasm'));
await copyFile(join(taskLib, 'lib.json'), join(task, 'js', 'lib.json'));
await cp(join(taskLib, 'Strings'), join(task, 'js', 'Strings'), { recursive: true });
await writeFile(join(task, 'task.json'), expected);
await copyFile(join(root, 'vss-extension.json'), join(dist, 'vss-extension.json'));
await copyFile(join(root, 'overview.md'), join(dist, 'overview.md'));
