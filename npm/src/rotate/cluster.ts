/**
 * The cluster side of a rotation: the sync GitRepository and its Secret read as they are, the
 * Secret replaced in place (optimistic concurrency on its resourceVersion, so a writer racing us
 * is noticed rather than overwritten), the old Secret put back exactly, and the reconcile request
 * with its wait for the controller's answer.
 */
import { FluxAzdoError } from '../errors.js';
import { KNOWN_TYPES, objectRef, resourcePath, type KubeClient } from '../kube/index.js';
import { responseError } from '../kube/client.js';

/** The annotation `flux reconcile` sets; source-controller echoes it in `status.lastHandledReconcileAt`. */
export const RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface GitRepositoryObject {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec?: { url?: string; provider?: string; secretRef?: { name?: string }; suspend?: boolean };
  status?: {
    conditions?: Condition[];
    artifact?: { revision?: string; lastUpdateTime?: string };
    lastHandledReconcileAt?: string;
  };
}

export interface SecretObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } & Record<string, unknown>;
  type?: string;
  data?: Record<string, string>;
}

export const gitRepositoryRef = (ns: string, name: string) => objectRef({ kind: 'GitRepository', namespace: ns, name });
export const secretRef = (ns: string, name: string) => objectRef({ kind: 'Secret', namespace: ns, name });

export function readyCondition(obj: GitRepositoryObject | undefined): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The GitRepository bootstrap made (`<ns>/<name>`); undefined when there is none. */
export async function readGitRepository(
  client: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<GitRepositoryObject | undefined> {
  const res = await client.request<GitRepositoryObject>('GET', resourcePath(KNOWN_TYPES.GitRepository, namespace, name), { signal });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw responseError(res, `read ${gitRepositoryRef(namespace, name)}`, 'KUBE_REQUEST_FAILED');
  return res.body;
}

export async function readSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<SecretObject | undefined> {
  const res = await client.request<SecretObject>('GET', resourcePath(KNOWN_TYPES.Secret, namespace, name), { signal });
  if (res.status === 404) return undefined;
  if (res.status === 403) {
    throw new FluxAzdoError('FORBIDDEN', `the cluster does not let you read ${secretRef(namespace, name)}`);
  }
  if (res.status !== 200) throw responseError(res, `read ${secretRef(namespace, name)}`, 'KUBE_REQUEST_FAILED');
  return res.body;
}

/**
 * Writes `data` into the Secret in one request: an update of the object read (everything else
 * kept, `resourceVersion` checked), or a create when there was none. Returns the new object.
 */
export async function writeSecretData(
  client: KubeClient,
  namespace: string,
  name: string,
  existing: SecretObject | undefined,
  data: Record<string, string>,
  signal?: AbortSignal,
): Promise<SecretObject> {
  const ref = secretRef(namespace, name);
  if (!existing) {
    const body: SecretObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data };
    const res = await client.request<SecretObject>('POST', resourcePath(KNOWN_TYPES.Secret, namespace), { body, signal });
    if (res.status !== 201) throw responseError(res, `create ${ref}`, 'APPLY_FAILED');
    return res.body;
  }
  const res = await client.request<SecretObject>('PUT', resourcePath(KNOWN_TYPES.Secret, namespace, name), {
    body: { ...existing, data },
    signal,
  });
  if (res.status === 409) {
    throw new FluxAzdoError('APPLY_FAILED', `${ref} changed while flux-azdo was rotating it; nothing was written: run rotate again`);
  }
  if (res.status !== 200) throw responseError(res, `update ${ref}`, 'APPLY_FAILED');
  return res.body;
}

/**
 * Puts the Secret back as it was read before the rotation: the same `type`, labels, annotations
 * and `data`, byte for byte (deleted when there was none before).
 */
export async function restoreSecret(client: KubeClient, namespace: string, name: string, old: SecretObject | undefined): Promise<void> {
  const path = resourcePath(KNOWN_TYPES.Secret, namespace, name);
  const ref = secretRef(namespace, name);
  if (!old) {
    const res = await client.request('DELETE', path);
    if (res.status !== 200 && res.status !== 404) throw responseError(res, `delete ${ref}`, 'ROTATE_ROLLBACK_FAILED');
    return;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = await client.request<SecretObject>('GET', path);
    const { resourceVersion: _old, ...metadata } = old.metadata;
    if (current.status === 404) {
      const body = {
        ...old,
        metadata: { name: old.metadata.name, namespace, labels: old.metadata.labels, annotations: old.metadata.annotations },
      };
      const res = await client.request('POST', resourcePath(KNOWN_TYPES.Secret, namespace), { body });
      if (res.status === 201) return;
      throw responseError(res, `re-create ${ref}`, 'ROTATE_ROLLBACK_FAILED');
    }
    if (current.status !== 200) throw responseError(current, `read ${ref}`, 'ROTATE_ROLLBACK_FAILED');
    const body: SecretObject = { ...old, metadata: { ...metadata, resourceVersion: current.body.metadata.resourceVersion } };
    const res = await client.request('PUT', path, { body });
    if (res.status === 200) return;
    if (res.status !== 409) throw responseError(res, `restore ${ref}`, 'ROTATE_ROLLBACK_FAILED');
  }
  throw new FluxAzdoError('ROTATE_ROLLBACK_FAILED', `${ref} kept changing; it could not be put back`);
}

/** What `flux reconcile source git` does: a new `requestedAt` token, returned for the wait. */
export async function requestReconcile(client: KubeClient, namespace: string, name: string, signal?: AbortSignal): Promise<string> {
  const token = new Date().toISOString();
  const res = await client.request('PATCH', resourcePath(KNOWN_TYPES.GitRepository, namespace, name), {
    body: { metadata: { annotations: { [RECONCILE_ANNOTATION]: token } } },
    contentType: 'application/merge-patch+json',
    signal,
  });
  if (res.status !== 200) throw responseError(res, `annotate ${gitRepositoryRef(namespace, name)}`, 'KUBE_REQUEST_FAILED');
  return token;
}

export interface FetchOutcome {
  ready: boolean;
  reason: string;
  message: string;
  revision: string | undefined;
  /** When the controller answered (the Ready condition's transition or the artifact's update). */
  at: string | undefined;
}

/**
 * Waits until source-controller has handled the reconcile request `token` (it writes the token
 * to `status.lastHandledReconcileAt` with the conditions of that very reconcile) and returns
 * what it reported. A fetch with the new Secret happened exactly then.
 */
export async function waitForFetch(
  client: KubeClient,
  namespace: string,
  name: string,
  token: string,
  { timeoutMs, intervalMs = 1000, signal }: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal | undefined },
): Promise<FetchOutcome> {
  const deadline = Date.now() + timeoutMs;
  let last: GitRepositoryObject | undefined;
  for (;;) {
    last = await readGitRepository(client, namespace, name, signal);
    if (last?.status?.lastHandledReconcileAt === token) {
      const ready = readyCondition(last);
      return {
        ready: ready?.status === 'True',
        reason: ready?.reason ?? '',
        message: ready?.message ?? '',
        revision: last.status.artifact?.revision,
        at: ready?.lastTransitionTime ?? last.status.artifact?.lastUpdateTime,
      };
    }
    if (Date.now() > deadline) {
      const ready = readyCondition(last);
      return {
        ready: false,
        reason: 'Timeout',
        message: `source-controller did not handle the reconcile request within ${Math.round(timeoutMs / 1000)}s${ready ? ` (Ready ${ready.status}: ${ready.message ?? ''})` : ''}`,
        revision: undefined,
        at: undefined,
      };
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
    if (signal?.aborted) throw new FluxAzdoError('CANCELLED', 'rotate was cancelled while waiting for the fetch');
  }
}
