/**
 * `--export DIR`: the repository files bootstrap would commit, written to a folder — no Git, no
 * cluster, no credentials. An existing `kustomization.yaml` there is kept (with the host key
 * patch added where needed), as in a repository.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { planFiles, type Manifest } from '../core/node.js';
import { bundleData } from '../manifests.js';
import type { BootstrapOptions } from './options.js';
import { planRepository } from './plan.js';

export interface ExportResult {
  /** The files written, with paths relative to the folder. */
  files: Manifest[];
}

export async function exportFiles(options: BootstrapOptions & { dir: string }): Promise<ExportResult> {
  const bundle = await bundleData({ source: options.manifests, version: options.version });
  const first = planRepository(options, bundle, null);
  const existing = await readFile(join(options.dir, first.kustomization.path), 'utf8').catch(() => null);
  const plan = existing === null ? first : planRepository(options, bundle, existing);
  const files = planFiles(plan);
  for (const file of files) {
    const target = join(options.dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  return { files };
}
