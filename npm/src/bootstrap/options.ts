/**
 * The options of `bootstrap git`, named as its flags in camelCase, and their translation into
 * the core's plan options. Every field but `url` is optional and defaults as in Flux.
 */
import { callCore, wasm } from '../core.js';
import { FluxAzdoError, SecretValue } from '../errors.js';
import type { PlanOptions } from '../generated/core-types.js';

export interface BootstrapOptions {
  /** `--url`: the repository, in any Azure DevOps form (or any Git URL). */
  url: string;
  branch?: string;
  path?: string;
  interval?: string;
  tokenAuth?: boolean;
  withBearerToken?: boolean;
  username?: string;
  /** `--password`: the PAT (HTTPS), or the private key's passphrase (SSH). */
  password?: string | SecretValue;
  /** `--private-key-file`: the SSH key for the push and the cluster, instead of a generated one. */
  privateKeyFile?: string;
  /** The key itself, for API callers who hold it in memory. */
  privateKey?: string | SecretValue;
  sshKeyAlgorithm?: 'rsa' | 'ecdsa' | 'ed25519' | '';
  sshRsaBits?: number;
  sshEcdsaCurve?: 'p256' | 'p384' | 'p521';
  sshHostkeyAlgos?: string[];
  sshHostname?: string;
  caFile?: string;
  secretName?: string;
  recurseSubmodules?: boolean;
  sparseCheckout?: string[];
  /** `azure`: sync with Azure workload identity; no Secret is written. */
  provider?: string;
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
  /** `--manifests`: Flux's bundle as a folder or manifests.tar.gz (else downloaded and cached). */
  manifests?: string;
  authorName?: string;
  authorEmail?: string;
  commitMessageAppendix?: string;
  /** Go on although Flux is managed by another tool. */
  force?: boolean;
  /** Don't wait for the user to add a generated deploy key. */
  silent?: boolean;
  /** Create `branch` when the repository exists without it (Flux refuses). */
  createBranch?: boolean;
  allowInsecureHttp?: boolean;
  /** `--timeout` as a Go duration (`5m`) or milliseconds; default 5 minutes. */
  timeout?: string | number;
  kubeconfig?: string;
  context?: string;
}

export function reveal(value: string | SecretValue | undefined): string | undefined {
  return value instanceof SecretValue ? value.expose() : value;
}

export function secretOf(value: string | SecretValue | undefined): SecretValue | undefined {
  if (value === undefined || value === '') return undefined;
  return value instanceof SecretValue ? value : new SecretValue(value);
}

export function timeoutMs(options: BootstrapOptions): number {
  const t = options.timeout;
  if (t === undefined || t === '') return 5 * 60_000;
  if (typeof t === 'number') return t;
  return callCore(() => wasm.parseDurationMs('timeout', t));
}

/** The core's plan options: the fields that shape the repository files. */
export function planOptions(options: BootstrapOptions, existingKustomization: string | null): Partial<PlanOptions> {
  if (!options.url) {
    throw new FluxAzdoError('USAGE', 'the repository URL is required: --url=https://dev.azure.com/<org>/<project>/_git/<repo>', {
      option: 'url',
    });
  }
  const out: Partial<PlanOptions> = {
    url: options.url,
    existingKustomization: existingKustomization ?? undefined,
  };
  const copy = [
    'branch', 'path', 'interval', 'tokenAuth', 'withBearerToken', 'username', 'sshHostname', 'sshHostkeyAlgos',
    'allowInsecureHttp', 'secretName', 'recurseSubmodules', 'sparseCheckout', 'provider', 'version', 'namespace',
    'components', 'componentsExtra', 'registry', 'imagePullSecret', 'watchAllNamespaces', 'networkPolicy',
    'logLevel', 'clusterDomain', 'tolerationKeys',
  ] as const;
  const target = out as Record<string, unknown>;
  for (const key of copy) {
    const value = options[key];
    if (value !== undefined && value !== '') target[key] = value;
  }
  return out;
}

/** `Add Flux v2.9.4 component manifests` + `\n\n<appendix>`, as Flux writes them. */
export function commitMessage(subject: string, appendix: string | undefined): string {
  return appendix ? `${subject}\n\n${appendix}` : subject;
}
