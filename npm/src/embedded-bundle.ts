/**
 * The manifests bundle the package carries for the core's Flux version, so that `install
 * --export` and `bootstrap git` work offline as the Flux CLI does. It is build output, never
 * committed: `scripts/embed-bundle.mjs` writes `bundle/manifests.json` when the package is built
 * (from `--manifests`/`FLUX_MANIFESTS` or the download cache), after checking it against Flux's
 * release checksums. A package built without one downloads as before.
 */
import { readFileSync } from 'node:fs';

/** What `bundle/manifests.json` holds. */
export interface EmbeddedBundleFile {
  version: string;
  files: Record<string, string>;
}

/**
 * `dist/embedded-bundle.js` → `bundle/` in the package; the same relative path when a bundler
 * (the VS Code extension's esbuild) folds this file into `dist/js/<bundle>.js` and ships
 * `dist/bundle/`.
 */
const location = new URL('../bundle/manifests.json', import.meta.url);

let cached: EmbeddedBundleFile | null | undefined;

function read(): EmbeddedBundleFile | null {
  try {
    const parsed: unknown = JSON.parse(readFileSync(location, 'utf8'));
    return isBundleFile(parsed) ? parsed : null;
  } catch {
    // not built with one
    return null;
  }
}

function isBundleFile(value: unknown): value is EmbeddedBundleFile {
  if (typeof value !== 'object' || value === null || !('version' in value) || !('files' in value)) return false;
  const { version, files } = value;
  return (
    typeof version === 'string' &&
    typeof files === 'object' &&
    files !== null &&
    Object.values(files).every((content) => typeof content === 'string')
  );
}

/** The embedded bundle's files when the package carries `version`'s; undefined otherwise. */
export function embeddedBundle(version: string): Record<string, string> | undefined {
  if (cached === undefined) cached = read();
  return cached && cached.version === version ? cached.files : undefined;
}

/** The Flux version whose bundle the package carries, if any. */
export function embeddedBundleVersion(): string | undefined {
  if (cached === undefined) cached = read();
  return cached?.version;
}
