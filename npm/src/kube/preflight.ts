/**
 * Checks made before anything is pushed or applied: the API server answers, its version is new
 * enough, the credentials may create/patch what bootstrap writes, and Flux is not managed by
 * another tool.
 */
import { FluxAzdoError } from '../errors.js';
import { responseError, statusMessage, type KubeClient } from './client.js';
import { KNOWN_TYPES, resourcePath } from './discovery.js';

export interface PreflightOptions {
  /** Lowest Kubernetes version accepted, e.g. "1.33" (Flux v2.9.4's floor). */
  minVersion: string;
  /** Namespace Flux is installed into (Secrets and Deployments are checked there). */
  namespace: string;
  /** Go on although another tool manages Flux (`--force`). */
  force?: boolean;
  signal?: AbortSignal;
}

export interface PreflightResult {
  /** The server's gitVersion, e.g. "v1.36.3". */
  serverVersion: string;
  /** True when Flux's CRDs already exist (managed by Flux). */
  fluxInstalled: boolean;
}

interface VersionInfo {
  gitVersion?: string;
  major?: string;
  minor?: string;
}

/** What bootstrap must be able to create and patch: [apiGroup, resource, namespaced]. */
const requiredResources: [string, string, boolean][] = [
  ['apiextensions.k8s.io', 'customresourcedefinitions', false],
  ['', 'namespaces', false],
  ['rbac.authorization.k8s.io', 'clusterroles', false],
  ['rbac.authorization.k8s.io', 'clusterrolebindings', false],
  ['', 'secrets', true],
  ['apps', 'deployments', true],
];
const requiredVerbs = ['create', 'patch'];

const fluxSourceCrd = 'gitrepositories.source.toolkit.fluxcd.io';

export async function preflight(client: KubeClient, options: PreflightOptions): Promise<PreflightResult> {
  const serverVersion = await checkVersion(client, options);
  await checkAccess(client, options);
  const fluxInstalled = await checkFluxOwner(client, options);
  return { serverVersion, fluxInstalled };
}

async function checkVersion(client: KubeClient, options: PreflightOptions): Promise<string> {
  const res = await client.request<VersionInfo>('GET', '/version', { signal: options.signal, timeoutMs: 15_000 });
  if (res.status !== 200) {
    if (res.status === 401) throw responseError(res, 'read the server version', 'KUBE_UNREACHABLE');
    throw new FluxAzdoError(
      'KUBE_UNREACHABLE',
      `the API server ${client.server} did not answer GET /version properly (${statusMessage(res)})`,
    );
  }
  const gitVersion = res.body.gitVersion ?? `v${res.body.major ?? '0'}.${res.body.minor ?? '0'}`;
  const have = parseVersion(gitVersion);
  const want = parseVersion(options.minVersion);
  if (!have || !want) {
    throw new FluxAzdoError('KUBE_VERSION', `cannot compare Kubernetes version "${gitVersion}" with "${options.minVersion}"`);
  }
  if (compareVersions(have, want) < 0) {
    throw new FluxAzdoError(
      'KUBE_VERSION',
      `the cluster runs Kubernetes ${gitVersion}; this Flux version needs ${options.minVersion} or newer: upgrade the cluster first`,
    );
  }
  return gitVersion;
}

/** "v1.36.3", "1.33", "v1.30.1-gke.100", "1.29+" → [major, minor, patch]. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function compareVersions(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** FORBIDDEN from the pre-flight, with each missing right (e.g. "create secrets in flux-system"). */
export class KubeAccessError extends FluxAzdoError {
  readonly missing: string[];
  constructor(message: string, missing: string[]) {
    super('FORBIDDEN', message, { step: 'preflight' });
    this.missing = missing;
  }
}

interface AccessReview {
  status?: { allowed?: boolean; reason?: string };
}

async function checkAccess(client: KubeClient, options: PreflightOptions): Promise<void> {
  const checks = requiredResources.flatMap(([group, resource, namespaced]) =>
    requiredVerbs.map((verb) => ({ group, resource, verb, namespace: namespaced ? options.namespace : undefined })),
  );
  const allowed = await Promise.all(
    checks.map(async (c) => {
      const res = await client.request<AccessReview>('POST', resourcePath(KNOWN_TYPES.SelfSubjectAccessReview, undefined), {
        signal: options.signal,
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: { group: c.group, resource: c.resource, verb: c.verb, ...(c.namespace ? { namespace: c.namespace } : {}) },
          },
        },
      });
      if (res.status !== 201 && res.status !== 200) throw responseError(res, 'check access rights', 'KUBE_REQUEST_FAILED');
      return res.body.status?.allowed === true;
    }),
  );
  const missing = checks.filter((_, i) => !allowed[i]);
  if (missing.length > 0) {
    const list = missing.map((c) => `${c.verb} ${c.group ? `${c.resource}.${c.group}` : c.resource}${c.namespace ? ` in ${c.namespace}` : ''}`);
    throw new KubeAccessError(
      `the kubeconfig's user may not: ${list.join(', ')}; bootstrap needs cluster-admin rights: use an admin context ` +
        '(e.g. `az aks get-credentials --admin`) or ask a cluster administrator',
      list,
    );
  }
}

interface CrdMeta {
  metadata?: { labels?: Record<string, string> };
}

async function checkFluxOwner(client: KubeClient, options: PreflightOptions): Promise<boolean> {
  const res = await client.request<CrdMeta>('GET', resourcePath(KNOWN_TYPES.CustomResourceDefinition, undefined, fluxSourceCrd), {
    signal: options.signal,
  });
  if (res.status === 404) return false;
  if (res.status !== 200) throw responseError(res, `read CRD ${fluxSourceCrd}`, 'KUBE_REQUEST_FAILED');
  const manager = res.body.metadata?.labels?.['app.kubernetes.io/managed-by'];
  if (manager !== undefined && manager !== 'flux' && !options.force) {
    throw new FluxAzdoError(
      'FLUX_MANAGED_ELSEWHERE',
      `Flux on this cluster is managed by "${manager}" (label app.kubernetes.io/managed-by on CRD ${fluxSourceCrd}); ` +
        'bootstrapping would take it over: pass --force to do so anyway',
      { option: 'force' },
    );
  }
  return true;
}
