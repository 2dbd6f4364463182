/**
 * Kind → REST resource (plural, namespaced) through API discovery, cached per group/version for
 * one run. A miss refetches once, since CRDs applied a moment ago add new kinds.
 */
import { FluxAzdoError } from '../errors.js';
import { responseError, type KubeClient } from './client.js';

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

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
        `The cluster does not serve kind ${kind} in ${apiVersion}; apply its CustomResourceDefinition first.`,
      );
    }
    return found;
  }

  /** Forget a group/version, e.g. after its CRD was deleted. */
  forget(apiVersion: string): void {
    this.#cache.delete(apiVersion);
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
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await this.#client.request<ApiResourceList>('GET', path, { signal });
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

export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
  return `${base}${ns}/${info.plural}${tail}`;
}
