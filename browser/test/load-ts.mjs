// Loads one of the page's TypeScript modules in Node: esbuild bundles it in memory to ESM. The
// page's core entry (`flux-azdo/core/web`, which needs init(url)) is the package's Node entry here:
// both export the same functions, and the Node one loads its .wasm from disk on import.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const nodeCore = {
  name: 'flux-azdo-core-node',
  setup(b) {
    b.onResolve({ filter: /^flux-azdo\/core\/web$/ }, () => ({ path: import.meta.resolve('flux-azdo/core'), external: true }));
  },
};

export async function loadPageModule(name) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${name}`, import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'error',
    plugins: [nodeCore],
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
