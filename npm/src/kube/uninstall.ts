/**
 * Removing Flux from a cluster, in the order that cannot leave objects stuck: Flux's custom
 * objects (finalizers removed, then deleted) while their CRDs still exist, then the controllers
 * and their RBAC, then the CRDs, then the namespace. Never touches Git.
 */
import { responseError, type KubeClient } from './client.js';
import { forEachLimited } from './concurrency.js';
import { KNOWN_TYPES, resourcePath, type ResourceType } from './discovery.js';
import { objectRef } from './documents.js';

export interface UninstallOptions {
  /** The namespace Flux was installed into. */
  namespace: string;
  /** Keep the namespace (and the Secrets in it). */
  keepNamespace?: boolean;
  /** Called with each deleted object's `Kind/namespace/name`. */
  onDeleted?: (ref: string) => void;
  signal?: AbortSignal;
}

export interface UninstallResult {
  deleted: string[];
}

interface ObjectList {
  items?: {
    kind?: string;
    metadata: { name: string; namespace?: string; finalizers?: string[] };
    spec?: {
      group?: string;
      scope?: string;
      names?: { plural?: string; kind?: string };
      versions?: { name: string; storage?: boolean }[];
      template?: { spec?: { imagePullSecrets?: { name?: string }[] } };
    };
  }[];
}

const fluxLabel = 'app.kubernetes.io/part-of=flux';

/** The kinds of Flux's components, namespaced ones first. */
const componentKinds = [
  'Deployment',
  'Service',
  'NetworkPolicy',
  'ServiceAccount',
  'ResourceQuota',
  'ClusterRole',
  'ClusterRoleBinding',
] as const satisfies (keyof typeof KNOWN_TYPES)[];

export async function uninstallFlux(client: KubeClient, options: UninstallOptions): Promise<UninstallResult> {
  const signal = options.signal;
  const deleted: string[] = [];
  const record = (ref: string): void => {
    deleted.push(ref);
    options.onDeleted?.(ref);
  };
  const list = async (path: string): Promise<ObjectList> => {
    const res = await client.request<ObjectList>('GET', path, { signal });
    if (res.status === 404) return { items: [] };
    if (res.status !== 200) throw responseError(res, `list ${path}`, 'KUBE_REQUEST_FAILED');
    return res.body;
  };
  const remove = async (path: string, ref: string): Promise<void> => {
    const res = await client.request('DELETE', path, { signal, body: { propagationPolicy: 'Background' } });
    if (res.status === 404) return;
    if (res.status !== 200 && res.status !== 202) throw responseError(res, `delete ${ref}`, 'KUBE_REQUEST_FAILED');
    record(ref);
  };
  const selector = `?labelSelector=${encodeURIComponent(fluxLabel)}`;
  const instanceSelector = `?labelSelector=${encodeURIComponent(`${fluxLabel},app.kubernetes.io/instance=${options.namespace}`)}`;

  // 1. Flux's custom objects, everywhere, while the controllers could still be watching.
  const crdType = KNOWN_TYPES.CustomResourceDefinition;
  const crds = (await list(`${resourcePath(crdType, undefined)}${selector}`)).items ?? [];
  for (const crd of crds) {
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    const version = crd.spec?.versions?.find((v) => v.storage)?.name ?? crd.spec?.versions?.[0]?.name;
    if (!group || !plural || !version) continue;
    const type: ResourceType = { apiVersion: `${group}/${version}`, plural, namespaced: crd.spec?.scope !== 'Cluster' };
    const objects = (await list(resourcePath(type, undefined))).items ?? [];
    await forEachLimited(objects, 8, async (o) => {
      const ns = o.metadata.namespace;
      const path = resourcePath(type, ns, o.metadata.name);
      const ref = objectRef({ kind: crd.spec?.names?.kind ?? plural, namespace: ns, name: o.metadata.name });
      if ((o.metadata.finalizers ?? []).length > 0) {
        const res = await client.request('PATCH', path, {
          signal,
          body: { metadata: { finalizers: null } },
          contentType: 'application/merge-patch+json',
        });
        if (res.status !== 200 && res.status !== 404) throw responseError(res, `remove the finalizers of ${ref}`, 'KUBE_REQUEST_FAILED');
      }
      await remove(path, ref);
    });
  }

  // 2. The controllers and what belongs to them. The image pull Secrets the controllers name
  // (bootstrap's --registry-creds) go with them unless the namespace and its Secrets are kept.
  const pullSecrets = new Set<string>();
  for (const kind of componentKinds) {
    const type = KNOWN_TYPES[kind];
    const namespace = type.namespaced ? options.namespace : undefined;
    const items = (await list(`${resourcePath(type, namespace)}${instanceSelector}`)).items ?? [];
    for (const o of kind === 'Deployment' ? items : []) {
      for (const ref of o.spec?.template?.spec?.imagePullSecrets ?? []) if (ref.name) pullSecrets.add(ref.name);
    }
    await forEachLimited(items, 8, (o) =>
      remove(resourcePath(type, namespace, o.metadata.name), objectRef({ kind, namespace, name: o.metadata.name })),
    );
  }

  if (!options.keepNamespace) {
    for (const name of pullSecrets) {
      await remove(
        resourcePath(KNOWN_TYPES.Secret, options.namespace, name),
        objectRef({ kind: 'Secret', namespace: options.namespace, name }),
      );
    }
  }

  // 3. The CRDs, then 4. the namespace.
  await forEachLimited(crds, 8, (crd) =>
    remove(resourcePath(crdType, undefined, crd.metadata.name), objectRef({ kind: 'CustomResourceDefinition', name: crd.metadata.name })),
  );
  if (!options.keepNamespace) {
    await remove(
      resourcePath(KNOWN_TYPES.Namespace, undefined, options.namespace),
      objectRef({ kind: 'Namespace', name: options.namespace }),
    );
  }
  return { deleted };
}
