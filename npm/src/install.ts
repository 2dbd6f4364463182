import { callCore, wasm } from './core.js';
import type { InstallOptions as CoreInstallOptions, Manifest } from './generated/core-types.js';
import { loadBundle, type BundleSource } from './manifests.js';

/** Flux's install options (`flux install` flags); every field is optional and defaults as in Flux. */
export type InstallOptions = Partial<CoreInstallOptions>;

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
