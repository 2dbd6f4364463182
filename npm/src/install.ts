import { generateInstall, type InstallOptions, type Manifest } from './core/node.js';
import { bundleData, type BundleSource } from './manifests.js';

export type { InstallOptions };

/**
 * Generates `gotk-components.yaml` exactly as `flux install --export` prints it.
 * `manifests` is a folder or `manifests.tar.gz` (`--manifests`); without it the release bundle
 * for `version` is downloaded into the cache.
 */
export async function installManifests(options: InstallOptions & { manifests?: BundleSource } = {}): Promise<Manifest> {
  const { manifests, ...install } = options;
  const bundle = await bundleData({ source: manifests, version: install.version });
  if (!install.version) delete install.version;
  return generateInstall(install, bundle);
}
