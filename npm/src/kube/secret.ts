/**
 * The Git credential Secret, with `flux bootstrap`'s semantics: token auth always writes the new
 * values (as stringData onto the existing Secret, so other keys stay); SSH keeps an existing
 * Secret (a re-run never rotates the deploy key) unless `replace` says a new key or CA was given.
 * Values are never logged or put into errors.
 */
import { SecretValue } from '../secret-value.js';
import { responseError, type KubeClient } from './client.js';
import { KNOWN_TYPES, resourcePath } from './discovery.js';
import { objectRef } from './documents.js';

/** The Secret as the core's `generateSecret` returns it (values may also be `SecretValue`s). */
export interface GitSecretInput {
  name: string;
  namespace: string;
  stringData: Record<string, string | SecretValue>;
  type?: string;
  labels?: Record<string, string>;
}

export interface GitSecretOptions {
  /** `token`: basic auth / bearer token; `ssh`: deploy key. Default: `ssh` when an `identity` key is present. */
  auth?: 'token' | 'ssh';
  /** SSH only: overwrite an existing Secret (a new key or CA was given). */
  replace?: boolean;
  /**
   * Keys an update removes from the existing Secret: another auth kind's credential (a PAT's
   * `username`/`password` under a new deploy key), which source-controller would otherwise read
   * as the SSH user and the key's passphrase.
   */
  dropKeys?: string[];
  signal?: AbortSignal;
}

export type SecretAction = 'created' | 'updated' | 'unchanged' | 'kept';

export interface GitSecretResult {
  ref: string;
  action: SecretAction;
}

interface SecretObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export async function applyGitSecret(client: KubeClient, input: GitSecretInput, options: GitSecretOptions = {}): Promise<GitSecretResult> {
  const wanted = toSecret(input);
  const { name, namespace } = wanted.metadata;
  const ref = objectRef({ kind: 'Secret', namespace, name });
  const path = resourcePath(KNOWN_TYPES.Secret, namespace, name);
  const keys = [...Object.keys(wanted.stringData ?? {}), ...Object.keys(wanted.data ?? {})];
  const auth = options.auth ?? (keys.includes('identity') ? 'ssh' : 'token');

  for (let attempt = 1; ; attempt++) {
    // Another writer got in between our read and our write (a 409): read again and write on top
    // of what it wrote, a few times, as client-go's RetryOnConflict does; then give up, typed.
    const conflicted = (res: { status: number }): boolean => res.status === 409 && attempt < conflictAttempts;
    if (attempt > 1) await pause(conflictBackoffMs * (attempt - 1), options.signal);
    const existing = await client.request<SecretObject>('GET', path, { signal: options.signal });
    if (existing.status === 404) {
      const res = await client.request('POST', resourcePath(KNOWN_TYPES.Secret, namespace), {
        body: wanted,
        signal: options.signal,
      });
      if (conflicted(res)) continue;
      if (res.status !== 201) throw responseError(res, `create ${ref}`, 'APPLY_FAILED');
      return { ref, action: 'created' };
    }
    if (existing.status !== 200) throw responseError(existing, `read ${ref}`, 'APPLY_FAILED');
    if (auth === 'ssh' && !options.replace) return { ref, action: 'kept' };

    const updated: SecretObject = {
      ...existing.body,
      data: { ...withoutKeys(existing.body.data ?? {}, options.dropKeys), ...(wanted.data ?? {}) },
      stringData: wanted.stringData ?? {},
    };
    const res = await client.request<SecretObject>('PUT', path, { body: updated, signal: options.signal });
    if (conflicted(res)) continue;
    if (res.status !== 200) throw responseError(res, `update ${ref}`, 'APPLY_FAILED');
    const changed = res.body.metadata.resourceVersion !== existing.body.metadata.resourceVersion;
    return { ref, action: changed ? 'updated' : 'unchanged' };
  }
}

/** Writes tried when others keep writing the same Secret (client-go's DefaultRetry has 5). */
const conflictAttempts = 5;
const conflictBackoffMs = 10;

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * What `applyGitSecret` would do with the same input and options, without writing (`--dry-run`):
 * the same rules — absent → created, SSH without `replace` → kept, and otherwise updated unless
 * every key it writes already holds that value. Only compares; no value leaves this function.
 */
export async function previewGitSecret(
  client: KubeClient,
  input: GitSecretInput,
  options: GitSecretOptions = {},
): Promise<GitSecretResult> {
  const wanted = toSecret(input);
  const { name, namespace } = wanted.metadata;
  const ref = objectRef({ kind: 'Secret', namespace, name });
  const existing = await client.request<SecretObject>('GET', resourcePath(KNOWN_TYPES.Secret, namespace, name), { signal: options.signal });
  if (existing.status === 404) return { ref, action: 'created' };
  if (existing.status !== 200) throw responseError(existing, `read ${ref}`, 'APPLY_FAILED');
  const keys = [...Object.keys(wanted.stringData ?? {}), ...Object.keys(wanted.data ?? {})];
  const auth = options.auth ?? (keys.includes('identity') ? 'ssh' : 'token');
  if (auth === 'ssh' && !options.replace) return { ref, action: 'kept' };
  // The update keeps the other keys and the Secret's metadata: only the keys written can change it.
  const data = existing.body.data ?? {};
  if ((options.dropKeys ?? []).some((k) => k in data)) return { ref, action: 'updated' };
  const writes = [
    ...Object.entries(wanted.data ?? {}),
    ...Object.entries(wanted.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')] as const),
  ];
  return { ref, action: writes.every(([k, v]) => data[k] === v) ? 'unchanged' : 'updated' };
}

function withoutKeys(data: Record<string, string>, drop: string[] | undefined): Record<string, string> {
  if (!drop?.length) return data;
  return Object.fromEntries(Object.entries(data).filter(([k]) => !drop.includes(k)));
}

function toSecret(input: GitSecretInput): SecretObject {
  const stringData: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.stringData)) stringData[k] = v instanceof SecretValue ? v.expose() : v;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: input.name, namespace: input.namespace, ...(input.labels ? { labels: input.labels } : {}) },
    ...(input.type ? { type: input.type } : {}),
    stringData,
  };
}
