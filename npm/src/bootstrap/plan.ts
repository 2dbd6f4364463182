/**
 * The repository half of bootstrap: the core's Plan for the options. Its own module so that
 * `--export` and the preview reach it without loading the Git and Kubernetes machinery of run.ts.
 */
import { planRepository as planWithCore, type BundleData, type Plan } from '../core/node.js';
import { planOptions, type BootstrapOptions } from './options.js';

export function planRepository(options: BootstrapOptions, bundle: BundleData, existingKustomization: string | null): Plan {
  return planWithCore(planOptions(options, existingKustomization), bundle);
}
