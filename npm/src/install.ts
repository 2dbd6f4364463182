import { callCore, wasm } from './core.js';
import { loadBundle, type BundleSource } from './manifests.js';

/** Flux's install options (`flux install` flags); every field is optional and defaults as in Flux. */
export interface InstallOptions {
  version?: string;
  namespace?: string;
  components?: string[];
  componentsExtra?: string[];
  registry?: string;
  imagePullSecret?: string;
  watchAllNamespaces?: boolean;
  networkPolicy?: boolean;
  logLevel?: 'debug' | 'info' | 'error';
  clusterDomain?: string;
  tolerationKeys?: string[];
  /** `--path`: where the file goes in the repository. */
  targetPath?: string;
}

export interface Manifest {
  path: string;
  content: string;
}

/**
 * Generates `gotk-components.yaml` exactly as `flux install --export` prints it.
 * `manifests` is a folder or `manifests.tar.gz` (`--manifests`); without it the release bundle
 * for `version` is downloaded into the cache.
 */
export async function installManifests(
  options: InstallOptions & { manifests?: BundleSource } = {},
): Promise<Manifest> {
  const { manifests, ...install } = options;
  const bundle = await loadBundle({ source: manifests, version: install.version });
  if (!install.version) delete install.version;
  return callCore(() => wasm.generateInstall(install, bundle) as Manifest);
}
