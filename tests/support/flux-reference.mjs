// Flux's reference files (its release bundle `manifests/`, `install.yaml` and the other
// `flux install --export` outputs), read from beside the checkout: the project commits no data
// fetched from elsewhere. Every JS test, bench and script resolves them here, and the Rust tests
// the same way (crate/core/tests/common/mod.rs):
//   FLUX_REFERENCE=<folder>   relative to the repository root unless absolute;
//   default                   <repo>/../shared/flux/<the Flux version the core is built for>.
// Run as a script, it prints the folder (exit 1 with the reason when it is missing).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { fluxVersion } from '../../npm/dist/core/node.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** The Flux version the reference files are for: the core's. */
export const FLUX_VERSION = fluxVersion();

function resolveReference() {
  const dir = process.env.FLUX_REFERENCE
    ? resolve(repoRoot, process.env.FLUX_REFERENCE)
    : resolve(repoRoot, '..', 'shared', 'flux', FLUX_VERSION);
  const stat = (rel) => statSync(join(dir, rel), { throwIfNoEntry: false });
  if (!stat('install.yaml')?.isFile() || !stat('manifests')?.isDirectory()) {
    throw new Error(
      `Flux ${FLUX_VERSION}'s reference files (install.yaml, manifests/) are not in ${dir}: set FLUX_REFERENCE to the folder that holds them`,
    );
  }
  return dir;
}

const runAsScript = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

let resolved;
try {
  resolved = resolveReference();
} catch (error) {
  if (!runAsScript) throw error;
  console.error(error.message);
  process.exit(1);
}

/** The reference folder (install.yaml, manifests/, variants/, ...). */
export const fluxDir = resolved;
/** Flux's release bundle: the 9 files `--manifests` takes. */
export const manifestsDir = join(fluxDir, 'manifests');

/** A reference file's text, by its path inside the folder (e.g. `variants/custom-options.yaml`). */
export function readReference(rel) {
  return readFileSync(join(fluxDir, rel), 'utf8');
}

/** The bundle's files as file name → content, the form flux-azdo's core takes. */
export function readBundleFiles(dir = manifestsDir) {
  const files = {};
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.yaml')) files[name] = readFileSync(join(dir, name), 'utf8');
  }
  return files;
}

if (runAsScript) console.log(fluxDir);
