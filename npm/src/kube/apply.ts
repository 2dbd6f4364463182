/**
 * Server-side apply of a multi-document YAML text, in Flux's order: CRDs and Namespaces first,
 * wait until the CRDs are Established, then everything else. Each document's own YAML text is
 * the request body (`application/apply-patch+yaml`), field manager `flux`, force.
 */
import { FluxAzdoError } from '../errors.js';
import { responseError, statusMessage, type KubeClient, type KubeResponse } from './client.js';
import { forEachLimited } from './concurrency.js';
import { Discovery, resourcePath } from './discovery.js';
import { isClusterDefinition, objectRef, splitManifests, type ManifestObject } from './documents.js';
import { waitForCrdsEstablished } from './wait.js';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyResult {
  /** `Kind/namespace/name` or `Kind/name`. */
  ref: string;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  action: ApplyAction;
}

export interface ApplyOptions {
  /** Default `flux`, as `flux bootstrap` uses. */
  fieldManager?: string;
  /** For namespaced objects whose document names no namespace. Default `default`. */
  defaultNamespace?: string;
  /** Called once per object as soon as it is applied (for progress output). */
  onObject?: (result: ApplyResult) => void;
  signal?: AbortSignal;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** How long to wait for CRDs to be Established. Default 60 s. */
  crdTimeoutMs?: number;
  /** Names the YAML text in errors (e.g. a file name). */
  source?: string;
}

const metadataOnly = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json';

const discoveries = new WeakMap<KubeClient, Discovery>();

/** One discovery cache per client, i.e. per run. */
export function discoveryFor(client: KubeClient): Discovery {
  let d = discoveries.get(client);
  if (!d) {
    d = new Discovery(client);
    discoveries.set(client, d);
  }
  return d;
}

export async function applyManifests(client: KubeClient, yamlText: string, options: ApplyOptions = {}): Promise<ApplyResult[]> {
  const objects = splitManifests(yamlText, options.source);
  const first = objects.filter(isClusterDefinition);
  const rest = objects.filter((o) => !isClusterDefinition(o));
  const results: ApplyResult[] = new Array<ApplyResult>(objects.length);
  const applyOne = async (o: ManifestObject): Promise<void> => {
    const r = await applyObject(client, o, options);
    results[o.index] = r;
    options.onObject?.(r);
  };
  await forEachLimited(first, options.concurrency ?? 8, applyOne);
  const crds = first.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.name);
  if (crds.length > 0) {
    await waitForCrdsEstablished(client, crds, { timeoutMs: options.crdTimeoutMs ?? 60_000, signal: options.signal });
  }
  await forEachLimited(rest, options.concurrency ?? 8, applyOne);
  return results;
}

async function applyObject(client: KubeClient, o: ManifestObject, options: ApplyOptions): Promise<ApplyResult> {
  const signal = options.signal;
  const info = await discoveryFor(client).resolve(o.apiVersion, o.kind, signal);
  const namespace = info.namespaced ? (o.namespace ?? options.defaultNamespace ?? 'default') : undefined;
  const ref = objectRef({ kind: o.kind, name: o.name, namespace });
  const path = resourcePath(info, namespace, o.name);

  // Only the metadata is needed to tell created / configured / unchanged apart.
  const before = await client.request<KubeObjectMeta>('GET', path, { signal, accept: metadataOnly });
  if (before.status !== 200 && before.status !== 404) throw objectError(before, ref, 'read');
  const query = `?fieldManager=${encodeURIComponent(options.fieldManager ?? 'flux')}&force=true`;
  const res = await client.request<KubeObjectMeta>('PATCH', path + query, {
    body: o.text,
    contentType: 'application/apply-patch+yaml',
    signal,
  });
  if (res.status !== 200 && res.status !== 201) throw objectError(res, ref, 'apply');
  const oldVersion = before.status === 200 ? before.body.metadata?.resourceVersion : undefined;
  const action: ApplyAction =
    oldVersion === undefined ? 'created' : oldVersion === res.body.metadata?.resourceVersion ? 'unchanged' : 'configured';
  return { ref, apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace, action };
}

interface KubeObjectMeta {
  metadata?: { resourceVersion?: string };
}

function objectError(res: KubeResponse, ref: string, verb: string): FluxAzdoError {
  if (res.status === 401 || res.status === 403) return responseError(res, `${verb} ${ref}`, 'APPLY_FAILED');
  return new FluxAzdoError('APPLY_FAILED', `could not ${verb} ${ref}: ${statusMessage(res)}`);
}
