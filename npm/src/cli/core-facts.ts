/**
 * The core's Flux version and defaults, and the package version, as the build emitted them from
 * the core (scripts/emit-core-facts.mjs → dist/core-facts.json). `--help` and `version` read them
 * here so they never compile the 1 MB wasm: they start as fast as Node does (bench/commands.mjs).
 * A build without the file (tsc alone) asks the core, which gives the same answers, only slower.
 */
import { readFileSync, statSync } from 'node:fs';

import type { Defaults } from '../core/node.js';

export interface CoreFacts {
  packageVersion: string;
  fluxVersion: string;
  defaults: Defaults;
}

/** `dist/cli/core-facts.js` → `dist/core-facts.json`; the wasm it was asked of. */
const location = new URL('../core-facts.json', import.meta.url);
const wasmFile = new URL('../../wasm/flux_azdo_wasm_bg.wasm', import.meta.url);

let facts: CoreFacts | undefined;

function isCoreFacts(value: unknown): value is CoreFacts {
  if (typeof value !== 'object' || value === null) return false;
  if (!('packageVersion' in value) || !('fluxVersion' in value) || !('defaults' in value)) return false;
  const { packageVersion, fluxVersion, defaults } = value;
  return typeof packageVersion === 'string' && typeof fluxVersion === 'string' && typeof defaults === 'object' && defaults !== null;
}

function readEmitted(): CoreFacts | undefined {
  try {
    // A wasm rebuilt after the facts (build-wasm.mjs without `npm run build`) may have other
    // defaults: then the core answers. An installed package has both files' mtimes from its tarball.
    if (statSync(wasmFile).mtimeMs > statSync(location).mtimeMs) return undefined;
    const parsed: unknown = JSON.parse(readFileSync(location, 'utf8'));
    return isCoreFacts(parsed) ? parsed : undefined;
  } catch {
    // not emitted (a tsc-only build)
    return undefined;
  }
}

async function askCore(): Promise<CoreFacts> {
  const core = await import('../core/node.js');
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const packageVersion =
    typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  return { packageVersion, fluxVersion: core.fluxVersion(), defaults: core.defaults() };
}

/** The facts the build emitted, when they match the wasm beside them. */
export function emittedFacts(): CoreFacts | undefined {
  facts ??= readEmitted();
  return facts;
}

/** The facts: emitted by the build, else from the core. */
export async function coreFacts(): Promise<CoreFacts> {
  facts ??= emittedFacts() ?? (await askCore());
  return facts;
}
