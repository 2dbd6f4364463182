// Loads one of the page's TypeScript modules in Node: esbuild bundles it in memory to ESM.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export async function loadPageModule(name) {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../src/${name}`, import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
