/**
 * Removing Flux from a cluster, in the order that cannot leave objects stuck: Flux's custom
 * objects (finalizers removed, then deleted) while their CRDs still exist, then the controllers
 * and their RBAC, then the CRDs, then the namespace. Never touches Git.
 */
import { responseError, type KubeClient } from './client.js';
import { forEachLimited } from './apply.js';

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
    spec?: { group?: string; names?: { plural?: string; kind?: string }; versions?: { name: string; storage?: boolean }[] };
  }[];
}

const fluxLabel = 'app.kubernetes.io/part-of=flux';

/** Namespaced kinds of Flux's components: [API prefix, plural, kind]. */
const namespacedComponents: [string, string, string][] = [
  ['/apis/apps/v1', 'deployments', 'Deployment'],
  ['/api/v1', 'services', 'Service'],
  ['/apis/networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy'],
  ['/api/v1', 'serviceaccounts', 'ServiceAccount'],
  ['/api/v1', 'resourcequotas', 'ResourceQuota'],
];
const clusterComponents: [string, string, string][] = [
  ['/apis/rbac.authorization.k8s.io/v1', 'clusterroles', 'ClusterRole'],
  ['/apis/rbac.authorization.k8s.io/v1', 'clusterrolebindings', 'ClusterRoleBinding'],
];

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
  const crds = (await list(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions${selector}`)).items ?? [];
  for (const crd of crds) {
    const group = crd.spec?.group;
    const plural = crd.spec?.names?.plural;
    const version = crd.spec?.versions?.find((v) => v.storage)?.name ?? crd.spec?.versions?.[0]?.name;
    if (!group || !plural || !version) continue;
    const base = `/apis/${group}/${version}`;
    const objects = (await list(`${base}/${plural}`)).items ?? [];
    await forEachLimited(objects, 8, async (o) => {
      const ns = o.metadata.namespace;
      const path = `${base}${ns ? `/namespaces/${encodeURIComponent(ns)}` : ''}/${plural}/${encodeURIComponent(o.metadata.name)}`;
      const ref = `${crd.spec?.names?.kind ?? plural}/${ns ? `${ns}/` : ''}${o.metadata.name}`;
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

  // 2. The controllers and what belongs to them.
  for (const [prefix, plural, kind] of namespacedComponents) {
    const base = `${prefix}/namespaces/${encodeURIComponent(options.namespace)}/${plural}`;
    const items = (await list(`${base}${instanceSelector}`)).items ?? [];
    await forEachLimited(items, 8, (o) => remove(`${base}/${encodeURIComponent(o.metadata.name)}`, `${kind}/${options.namespace}/${o.metadata.name}`));
  }
  for (const [prefix, plural, kind] of clusterComponents) {
    const items = (await list(`${prefix}/${plural}${instanceSelector}`)).items ?? [];
    await forEachLimited(items, 8, (o) => remove(`${prefix}/${plural}/${encodeURIComponent(o.metadata.name)}`, `${kind}/${o.metadata.name}`));
  }

  // 3. The CRDs, then 4. the namespace.
  await forEachLimited(crds, 8, (crd) =>
    remove(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(crd.metadata.name)}`,
      `CustomResourceDefinition/${crd.metadata.name}`,
    ),
  );
  if (!options.keepNamespace) {
    await remove(`/api/v1/namespaces/${encodeURIComponent(options.namespace)}`, `Namespace/${options.namespace}`);
  }
  return { deleted };
}
