/**
 * What bootstrap applies to the cluster: the core's build of the flux-system folder (the
 * plan's three files plus the repository files its kustomization.yaml names), as Flux applies
 * it. The host only reads the files the core names; the build and every refusal are the core's.
 */
import { clusterFilesToRead, clusterObjects, type ClusterObjects, type Plan } from '../core/node.js';
import { listRepoFiles, readRepoFile } from '../git/index.js';

/** Reads the named files from the clone in `dir` (at HEAD) and builds. */
export async function readClusterObjects(dir: string, plan: Plan): Promise<ClusterObjects> {
  const files: Record<string, string> = {};
  const directories: string[] = [];
  for (const path of clusterFilesToRead(plan)) {
    const bytes = await readRepoFile(dir, path);
    if (bytes !== null) files[path] = Buffer.from(bytes).toString('utf8');
    // A named folder is a nested kustomization: the core refuses it by name. A path that is
    // neither stays out, and the core names it as missing.
    else if ((await listRepoFiles(dir, path)).length > 0) directories.push(path);
  }
  return clusterObjects(plan, { files, directories });
}
