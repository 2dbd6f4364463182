/**
 * Flux's manifests bundle (the 9 files of the release asset `manifests.tar.gz`): from a folder or
 * a `.tar.gz` given with `--manifests`, or downloaded once per version into the cache.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { FluxAzdoError } from './errors.js';

/** A folder holding the 9 bundle files, or a `manifests.tar.gz` file. */
export type BundleSource = string | undefined;

/** What the core takes: the tarball bytes or file name → content. */
export type BundleData = Uint8Array | Record<string, string>;

export async function loadBundle(opts: { source?: BundleSource; version?: string | undefined }): Promise<BundleData> {
  if (opts.source) return readBundleSource(opts.source);
  throw new FluxAzdoError('MANIFESTS_NOT_FOUND', 'no --manifests given and download is not implemented yet', {
    option: 'manifests',
  });
}

async function readBundleSource(source: string): Promise<BundleData> {
  let info;
  try {
    info = await stat(source);
  } catch {
    throw new FluxAzdoError(
      'MANIFESTS_NOT_FOUND',
      `--manifests ${source} does not exist; give a folder with Flux's 9 manifest files or a manifests.tar.gz`,
      { option: 'manifests' },
    );
  }
  if (info.isFile()) return new Uint8Array(await readFile(source));
  const files: Record<string, string> = {};
  for (const name of await readdir(source)) {
    if (name.endsWith('.yaml')) files[name] = await readFile(join(source, name), 'utf8');
  }
  return files;
}
