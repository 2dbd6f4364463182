/**
 * Kind → REST resource (plural, namespaced) through API discovery, cached per group/version for
 * one run. A miss refetches once, since CRDs applied a moment ago add new kinds.
 */
import { FluxAzdoError } from '../errors.js';
import { responseError, type KubeClient } from './client.js';

/** Enough of a type to build its REST paths. */
export interface ResourceType {
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

export interface ResourceInfo extends ResourceType {
  kind: string;
}

/** The types the host reads or deletes by name, so they need no discovery. */
export const KNOWN_TYPES = {
  Namespace: { apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  Secret: { apiVersion: 'v1', plural: 'secrets', namespaced: true },
  Service: { apiVersion: 'v1', plural: 'services', namespaced: true },
  ServiceAccount: { apiVersion: 'v1', plural: 'serviceaccounts', namespaced: true },
  ResourceQuota: { apiVersion: 'v1', plural: 'resourcequotas', namespaced: true },
  Deployment: { apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
  ClusterRole: { apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { apiVersion: 'rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  CustomResourceDefinition: { apiVersion: 'apiextensions.k8s.io/v1', plural: 'customresourcedefinitions', namespaced: false },
  SelfSubjectAccessReview: { apiVersion: 'authorization.k8s.io/v1', plural: 'selfsubjectaccessreviews', namespaced: false },
  GitRepository: { apiVersion: 'source.toolkit.fluxcd.io/v1', plural: 'gitrepositories', namespaced: true },
  Kustomization: { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', plural: 'kustomizations', namespaced: true },
} as const satisfies Record<string, ResourceType>;

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

const missRetries = 12;

export class Discovery {
  readonly #client: KubeClient;
  readonly #cache = new Map<string, Promise<Map<string, ResourceInfo> | undefined>>();

  constructor(client: KubeClient) {
    this.#client = client;
  }

  async resolve(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ResourceInfo> {
    let found = (await this.#groupVersion(apiVersion, false, signal))?.get(kind);
    // Discovery lags a moment behind a CRD becoming Established: ask again for a few seconds.
    for (let attempt = 0; !found && attempt < missRetries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 250));
      found = (await this.#groupVersion(apiVersion, true, signal))?.get(kind);
    }
    if (!found) {
      throw new FluxAzdoError(
        'APPLY_FAILED',
        `the cluster does not serve kind ${kind} in ${apiVersion}; apply its CustomResourceDefinition first`,
      );
    }
    return found;
  }

  #groupVersion(apiVersion: string, refresh: boolean, signal?: AbortSignal): Promise<Map<string, ResourceInfo> | undefined> {
    const cached = this.#cache.get(apiVersion);
    if (cached && !refresh) return cached;
    const pending = this.#fetch(apiVersion, signal);
    this.#cache.set(apiVersion, pending);
    pending.catch(() => this.#cache.delete(apiVersion));
    return pending;
  }

  async #fetch(apiVersion: string, signal?: AbortSignal): Promise<Map<string, ResourceInfo> | undefined> {
    const res = await this.#client.request<ApiResourceList>('GET', groupVersionPath(apiVersion), { signal });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw responseError(res, `discover the resources of ${apiVersion}`, 'KUBE_REQUEST_FAILED');
    const map = new Map<string, ResourceInfo>();
    for (const r of res.body.resources ?? []) {
      if (r.name.includes('/')) continue; // subresources
      map.set(r.kind, { apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced });
    }
    return map;
  }
}

/**
 * The REST path of one object, or without `name` of the collection: in `namespace` for a
 * namespaced type, across all namespaces when `namespace` is undefined.
 */
export function resourcePath(type: ResourceType, namespace: string | undefined, name?: string): string {
  const ns = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `${groupVersionPath(type.apiVersion)}${ns}/${type.plural}${tail}`;
}

/** The core group (`v1`) lives under /api, every other group under /apis. */
function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}
