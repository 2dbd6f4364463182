/**
 * The options of `bootstrap git`, named as its flags in camelCase, and their translation into
 * the core's plan options. Every field but `url` is optional and defaults as in Flux.
 */
import type { TokenCredential } from '@azure/identity';

import { parseDuration, type PlanOptions } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { SecretValue } from '../secret-value.js';

/**
 * The options of `bootstrap git`: the core's plan options (documented there, every field but
 * `url` optional with Flux's default) plus what only the host uses (credentials, files, the
 * cluster connection).
 */
export interface BootstrapOptions extends Omit<PlanOptions, 'existingKustomization' | 'registryCreds'> {
  /**
   * `--registry-creds`: `user:password` for `--registry`; with `--image-pull-secret` the cluster
   * gets that `kubernetes.io/dockerconfigjson` Secret (never the repository).
   */
  registryCreds?: string | SecretValue;
  /** `--password`: the PAT (HTTPS), or the private key's passphrase (SSH). */
  password?: string | SecretValue;
  /** `--private-key-file`: the SSH key for the push and the cluster, instead of a generated one. */
  privateKeyFile?: string;
  /** The key itself, for API callers who hold it in memory. */
  privateKey?: string | SecretValue;
  /** `--ca-file`: the CA of the Git server's TLS certificate (PEM), for the push and the cluster. */
  caFile?: string;
  /** `--manifests`: Flux's bundle as a folder or manifests.tar.gz (else downloaded and cached). */
  manifests?: string;
  /** Go on although Flux is managed by another tool. */
  force?: boolean;
  /** Don't wait for the user to add a generated deploy key. */
  silent?: boolean;
  /** Create `branch` when the repository exists without it (Flux refuses). */
  createBranch?: boolean;
  /** `--timeout` as a Go duration (`5m`) or milliseconds; default `defaults().timeout`. */
  timeout?: string | number;
  /** `--kubeconfig`: the kubeconfig file (else `KUBECONFIG`, else `~/.kube/config`). */
  kubeconfig?: string;
  /** `--context`: the kubeconfig context (else its current one). */
  context?: string;
  /** `--push-retries`: rebuilds and retries of a push another bootstrap beat; default `defaults().pushRetries`. */
  pushRetries?: number;
  /**
   * `--azure-tenant-id`: the tenant to ask for the Entra token (`azureCredential`); without it
   * the organisation's tenant is found from Azure DevOps' answer to an anonymous request.
   */
  azureTenantId?: string;
  /** API callers: a credential of their own (e.g. VS Code's Microsoft sign-in) for the Entra token, used with `azureCredential`. */
  azureTokenCredential?: TokenCredential;
}

export function secretOf(value: string | SecretValue | undefined): SecretValue | undefined {
  if (value === undefined || value === '') return undefined;
  return value instanceof SecretValue ? value : new SecretValue(value);
}

/** Push attempts: the first plus `--push-retries`, which must be a whole number ≥ 0. */
export function pushAttempts(options: BootstrapOptions, defaultRetries: number): number {
  const retries = options.pushRetries ?? defaultRetries;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new FluxAzdoError('USAGE', `--push-retries must be a whole number of 0 or more, not ${String(retries)}`, {
      option: 'push-retries',
    });
  }
  return retries + 1;
}

export function timeoutMs(options: BootstrapOptions, defaultTimeout: string): number {
  const t = options.timeout === undefined || options.timeout === '' ? defaultTimeout : options.timeout;
  if (typeof t === 'number') return t;
  return parseDuration({ option: 'timeout', text: t });
}

/**
 * The core's plan options: the bootstrap options without the host's own, as they are. Empty
 * values (a flag given as `''`) mean "Flux's default", which the core fills in. A private key
 * given makes `--ssh-key-algorithm` moot, as in Flux.
 */
export function planOptions(options: BootstrapOptions, existingKustomization: string | null): PlanOptions {
  const {
    password: _password,
    privateKeyFile,
    privateKey,
    caFile: _caFile,
    manifests: _manifests,
    force: _force,
    silent: _silent,
    createBranch: _createBranch,
    timeout: _timeout,
    kubeconfig: _kubeconfig,
    context: _context,
    pushRetries: _pushRetries,
    azureTenantId: _azureTenantId,
    azureTokenCredential: _azureTokenCredential,
    registryCreds,
    ...plan
  } = options;
  if (!plan.url) {
    throw new FluxAzdoError('USAGE', 'the repository URL is required: --url=https://dev.azure.com/<org>/<project>/_git/<repo>', {
      option: 'url',
    });
  }
  const out: PlanOptions = {
    ...plan,
    ...(privateKeyFile || privateKey ? { sshKeyAlgorithm: undefined } : {}),
    ...(existingKustomization === null ? {} : { existingKustomization }),
    // The core checks its form and plans the Secret; the value crosses only to build it.
    ...(secretOf(registryCreds) ? { registryCreds: secretOf(registryCreds)?.expose() } : {}),
  };
  for (const [key, value] of Object.entries(out)) {
    if (value === '') Reflect.deleteProperty(out, key);
  }
  return out;
}
