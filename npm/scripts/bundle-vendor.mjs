#!/usr/bin/env node
// Replaces tsc's output for src/vendor/*.ts (re-exports of third-party modules with large module
// graphs) with one esbuild bundle each, so a CLI run loads one file instead of hundreds (see
// src/vendor/kube-config.ts for the figures). Run by `npm run build` after tsc. The bundle is
// build output (dist/, gitignored); the dependencies stay in package.json, unchanged.
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const dir = new URL('../dist/vendor/', import.meta.url);
for (const name of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
  const file = new URL(name, dir).pathname;
  const tmp = `${file}.bundle.tmp`;
  await build({
    entryPoints: [file],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // The bundled CommonJS dependencies require Node's built-ins; ESM output has no `require`.
    banner: {
      js: "import { createRequire as __fluxAzdoCreateRequire } from 'node:module'; const require = __fluxAzdoCreateRequire(import.meta.url);",
    },
  });
  renameSync(tmp, file);
  // tsc's map describes the re-export, not the bundle.
  rmSync(`${file}.map`, { force: true });
}
