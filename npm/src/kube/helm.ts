/**
 * A Flux installed with Helm, found the way Helm marks what it owns, and taken over for good.
 *
 * Helm labels each object of a release `app.kubernetes.io/managed-by: Helm` and annotates it
 * `meta.helm.sh/release-name` / `-namespace`; the release itself lives in Secrets of type
 * `helm.sh/release.v1` named `sh.helm.release.v1.<release>.v<n>`. After a `--force` bootstrap
 * those marks must go, or every later run (and `helm upgrade`) still sees Helm's Flux. Server-side
 * apply with our field manager cannot remove fields another manager owns, so the marks are
 * removed with a JSON merge patch.
 */
import { responseError, type KubeClient } from './client.js';
import { discoveryFor } from './apply.js';
import { KNOWN_TYPES, resourcePath } from './discovery.js';
import { objectRef } from './documents.js';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
const RELEASE_NAME = 'meta.helm.sh/release-name';
const RELEASE_NAMESPACE = 'meta.helm.sh/release-namespace';
const RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

interface ObjectMeta {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  type?: string;
}

interface ObjectList {
  items?: ObjectMeta[];
}

export interface HelmRelease {
  name: string;
  namespace: string;
}

export interface HelmMarks {
  /** `Kind/namespace/name` of each of Flux's objects Helm marks as its own. */
  objects: string[];
  /** The releases those objects name. */
  releases: HelmRelease[];
}

function helmMarked(meta: ObjectMeta['metadata']): boolean {
  return meta?.labels?.[MANAGED_BY] === 'Helm' || meta?.annotations?.[RELEASE_NAME] !== undefined;
}

/** Flux's CRDs (`*.toolkit.fluxcd.io`) and the Deployments in `namespace` that Helm marks. */
export async function findHelmMarks(client: KubeClient, namespace: string, signal?: AbortSignal): Promise<HelmMarks> {
  const lists = [
    {
      kind: 'CustomResourceDefinition',
      path: resourcePath(KNOWN_TYPES.CustomResourceDefinition, undefined),
      flux: (n: string) => n.endsWith('.toolkit.fluxcd.io'),
    },
    { kind: 'Deployment', path: resourcePath(KNOWN_TYPES.Deployment, namespace), flux: () => true },
  ];
  const objects: string[] = [];
  const releases = new Map<string, HelmRelease>();
  for (const list of lists) {
    const res = await client.request<ObjectList>('GET', list.path, { signal });
    if (res.status === 404) continue;
    if (res.status !== 200) throw responseError(res, `list ${list.kind}s`, 'KUBE_REQUEST_FAILED');
    for (const item of res.body.items ?? []) {
      const name = item.metadata?.name ?? '';
      if (!list.flux(name) || !helmMarked(item.metadata)) continue;
      objects.push(objectRef({ kind: list.kind, namespace: item.metadata?.namespace, name }));
      const release = item.metadata?.annotations?.[RELEASE_NAME];
      if (release !== undefined) {
        const releaseNamespace = item.metadata?.annotations?.[RELEASE_NAMESPACE] ?? namespace;
        releases.set(`${releaseNamespace}/${release}`, { name: release, namespace: releaseNamespace });
      }
    }
  }
  return { objects, releases: [...releases.values()] };
}

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
}

/**
 * Removes Helm's label and annotations from each applied object that carries them, and deletes
 * the release Secrets of `releases`: afterwards nothing says Helm owns Flux.
 */
export async function finishHelmTakeover(
  client: KubeClient,
  objects: AppliedObject[],
  releases: HelmRelease[],
  signal?: AbortSignal,
): Promise<void> {
  const discovery = discoveryFor(client);
  for (const o of objects) {
    const info = await discovery.resolve(o.apiVersion, o.kind, signal);
    const path = resourcePath(info, info.namespaced ? o.namespace : undefined, o.name);
    const current = await client.request<ObjectMeta>('GET', path, { signal });
    if (current.status === 404) continue;
    if (current.status !== 200) throw responseError(current, `read ${o.kind} ${o.name}`, 'KUBE_REQUEST_FAILED');
    const meta = current.body.metadata;
    if (!helmMarked(meta) && !Object.keys(meta?.annotations ?? {}).some((k) => k.startsWith('meta.helm.sh/'))) continue;
    const annotations = Object.fromEntries(
      Object.keys(meta?.annotations ?? {})
        .filter((k) => k.startsWith('meta.helm.sh/'))
        .map((k) => [k, null]),
    );
    const patch = {
      metadata: {
        ...(meta?.labels?.[MANAGED_BY] === 'Helm' ? { labels: { [MANAGED_BY]: null } } : {}),
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
    };
    const res = await client.request('PATCH', path, { body: patch, contentType: 'application/merge-patch+json', signal });
    if (res.status !== 200) throw responseError(res, `remove Helm's marks from ${o.kind} ${o.name}`, 'APPLY_FAILED');
  }
  for (const release of releases) {
    const prefix = `sh.helm.release.v1.${release.name}.`;
    const list = await client.request<ObjectList>(
      'GET',
      `${resourcePath(KNOWN_TYPES.Secret, release.namespace)}?fieldSelector=${encodeURIComponent(`type=${RELEASE_SECRET_TYPE}`)}`,
      { signal },
    );
    if (list.status === 404) continue;
    if (list.status !== 200) throw responseError(list, `list Helm release Secrets in ${release.namespace}`, 'KUBE_REQUEST_FAILED');
    for (const secret of list.body.items ?? []) {
      const name = secret.metadata?.name ?? '';
      if (!name.startsWith(prefix)) continue;
      const res = await client.request('DELETE', resourcePath(KNOWN_TYPES.Secret, release.namespace, name), { signal });
      if (res.status !== 200 && res.status !== 202 && res.status !== 404) {
        throw responseError(res, `delete Helm release Secret ${release.namespace}/${name}`, 'APPLY_FAILED');
      }
    }
  }
}
