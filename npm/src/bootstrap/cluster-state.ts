/**
 * What bootstrap reads from the cluster before it changes anything: the Flux Kustomization (an
 * existing install and its path) and the Git Secret (a deploy key to keep).
 */
import { checkSyncPath as checkPath } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { KNOWN_TYPES, resourcePath, type KubeClient } from '../kube/index.js';
import type { SecretData } from './credentials.js';

export interface ClusterState {
  /** `spec.path` of Kustomization `<ns>/<ns>`, when it exists. */
  syncPath: string | undefined;
  /** Flux applied a revision already: bootstrap need not install the components itself. */
  lastAppliedRevision: string | undefined;
  /** `data` of the Git Secret, when it exists. */
  secretData: SecretData;
  secretExists: boolean;
}

interface KustomizationObject {
  spec?: { path?: string };
  status?: { lastAppliedRevision?: string };
}

export async function readClusterState(
  client: KubeClient,
  namespace: string,
  secretName: string,
  signal: AbortSignal | undefined,
): Promise<ClusterState> {
  const ks = await client.request<KustomizationObject>('GET', resourcePath(KNOWN_TYPES.Kustomization, namespace, namespace), { signal });
  const secret = await client.request<{ data?: Record<string, string> }>('GET', resourcePath(KNOWN_TYPES.Secret, namespace, secretName), {
    signal,
  });
  for (const [res, what] of [
    [ks, 'the Flux Kustomization'],
    [secret, 'the Git Secret'],
  ] as const) {
    if (res.status === 403) {
      throw new FluxAzdoError('FORBIDDEN', `the cluster does not let you read ${what} in namespace ${namespace}`, { step: 'preflight' });
    }
  }
  const found = ks.status === 200 ? ks.body : undefined;
  return {
    syncPath: found?.spec?.path,
    lastAppliedRevision: found?.status?.lastAppliedRevision || undefined,
    secretData: secret.status === 200 ? secret.body.data : undefined,
    secretExists: secret.status === 200,
  };
}

/** Flux refuses to move an existing installation to another path; so do we, before any push. */
export function checkSyncPath(state: ClusterState, path: string | undefined): void {
  if (state.syncPath === undefined) return;
  try {
    checkPath({ existing: state.syncPath, wanted: path ?? '' });
  } catch (err) {
    if (!(err instanceof FluxAzdoError)) throw err;
    throw new FluxAzdoError(err.code, err.message, { step: 'preflight', cause: err, ...(err.option ? { option: err.option } : {}) });
  }
}
