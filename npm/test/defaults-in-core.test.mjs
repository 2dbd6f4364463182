// Flux's defaults live in the Rust core (`defaults()`); the front ends read them from there. This
// fails when one of them is spelled again in a front end's source.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

import { repoRoot } from './helpers.mjs';

const ROOTS = ['npm/src', 'browser/src', 'vscode-extension/src', 'azure-pipelines-task/src'];

/** Flux's defaults as they would be written in TS or HTML. */
const SPELLED = [
  /['"`]flux-system['"`]/,
  /\b4096\b/,
  /['"`]1m0s['"`]/,
  /['"]5m(0s)?['"]/, // not `5m`: doc comments give it as an example of a duration
  /['"`](source|kustomize|helm|notification)-controller['"`]/,
  /['"`]main['"`]/,
  /['"`]ghcr\.io\/fluxcd['"`]/,
  /['"`]cluster\.local['"`]/,
  /['"`]p384['"`]/,
  /\b429,\s*500\b/, // the Git statuses retried: defaults().gitRetryStatuses
];

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|html)$/.test(name)) yield path;
  }
}

test("Flux's defaults are spelled only in the core", () => {
  const offenders = [];
  for (const root of ROOTS) {
    for (const file of files(join(repoRoot, root))) {
      const rel = relative(repoRoot, file);
      const text = readFileSync(file, 'utf8');
      const found = SPELLED.filter((re) => re.test(text)).map(String);
      if (found.length > 0) offenders.push(`${rel}: ${found.join(', ')}`);
    }
  }
  assert.deepEqual(offenders, [], 'read these from defaults() (flux-azdo/core) instead');
});
