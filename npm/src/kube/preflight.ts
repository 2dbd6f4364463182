/**
 * Checks made before anything is pushed or applied: the API server answers, its version is new
 * enough, the credentials may create/patch what bootstrap writes, and Flux is not managed by
 * another tool.
 */
import { FluxAzdoError } from '../errors.js';
import { responseError, statusMessage, type KubeClient } from './client.js';
import { KNOWN_TYPES, resourcePath } from './discovery.js';
import { findHelmMarks, MANAGED_BY, type HelmMarks } from './helm.js';

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
  /** What Helm marks as its own (with `force`: what bootstrap takes over); null when nothing. */
  helm: HelmMarks | null;
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
  const { fluxInstalled, helm } = await checkFluxManager(client, options);
  return { serverVersion, fluxInstalled, helm };
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
    const list = missing.map(
      (c) => `${c.verb} ${c.group ? `${c.resource}.${c.group}` : c.resource}${c.namespace ? ` in ${c.namespace}` : ''}`,
    );
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

export interface FluxManager {
  fluxInstalled: boolean;
  helm: HelmMarks | null;
}

/**
 * Refuses (FLUX_MANAGED_ELSEWHERE) unless `force` when another tool manages Flux: a manager label
 * other than `flux` on Flux's source CRD, or Helm's marks on any of Flux's CRDs or on a
 * Deployment in the namespace. `--dry-run` calls this too, so it refuses where the run would.
 */
export async function checkFluxManager(
  client: KubeClient,
  options: Pick<PreflightOptions, 'namespace' | 'force' | 'signal'>,
): Promise<FluxManager> {
  const res = await client.request<CrdMeta>('GET', resourcePath(KNOWN_TYPES.CustomResourceDefinition, undefined, fluxSourceCrd), {
    signal: options.signal,
  });
  if (res.status !== 200 && res.status !== 404) throw responseError(res, `read CRD ${fluxSourceCrd}`, 'KUBE_REQUEST_FAILED');
  const fluxInstalled = res.status === 200;
  const manager = fluxInstalled ? res.body.metadata?.labels?.[MANAGED_BY] : undefined;
  const marks = await findHelmMarks(client, options.namespace, options.signal);
  const helm = marks.objects.length > 0 ? marks : null;
  if (options.force) return { fluxInstalled, helm };
  if (manager !== undefined && manager !== 'flux') {
    throw new FluxAzdoError(
      'FLUX_MANAGED_ELSEWHERE',
      `Flux on this cluster is managed by "${manager}" (label ${MANAGED_BY} on CRD ${fluxSourceCrd}); ` +
        'bootstrapping would take it over: pass --force to do so anyway',
      { option: 'force' },
    );
  }
  if (helm) {
    const release = helm.releases.map((r) => `${r.namespace}/${r.name}`).join(', ');
    throw new FluxAzdoError(
      'FLUX_MANAGED_ELSEWHERE',
      `Flux on this cluster is managed by Helm${release ? ` (release ${release})` : ''}: ${helm.objects.join(', ')} carry Helm's marks; ` +
        "pass --force to take it over (Helm's marks and release Secrets are then removed)",
      { option: 'force' },
    );
  }
  return { fluxInstalled, helm };
}
