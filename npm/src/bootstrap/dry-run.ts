/**
 * `--dry-run`: clone, generate and compare, changing nothing. The repository side is a unified
 * diff per file; the cluster side says which objects would be created or changed (a server-side
 * apply with `dryRun=All`) and what would happen to the Secret — never its values.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createTwoFilesPatch } from 'diff';

import { defaults, planFiles, shownUrl } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { ignoreEvents } from '../events.js';
import { cloneForBootstrap, readRepoFile, scanHostKey } from '../git/index.js';
import {
  checkFluxManager,
  connect,
  discoveryFor,
  objectRef,
  previewGitSecret,
  resourcePath,
  splitManifests,
  type KubeClient,
  type WorkloadIdentityFacts,
} from '../kube/index.js';
import { loadBundle } from '../manifests.js';
import { readClusterObjects } from './cluster-objects.js';
import { readClusterState, checkSyncPath } from './cluster-state.js';
import { deployKey, pushAuth, pushesOverSsh } from './credentials.js';
import { entraTokens } from './entra.js';
import { previewImagePullSecret } from './image-pull-secret.js';
import { timeoutMs, type BootstrapOptions } from './options.js';
import { gitSecretWrite, planRepository, scanKnownHosts, type RunOptions } from './run.js';
import { workloadIdentityPreflight } from './workload-identity.js';
import { withWorkloadIdentityTenant } from './workload-identity-tenant.js';

export type Change = 'create' | 'update' | 'unchanged';

export interface FileChange {
  path: string;
  change: Change;
  /** Unified diff against the branch's file (empty when unchanged). */
  diff: string;
}

export interface ObjectChange {
  /** `Kind/namespace/name` or `Kind/name`. */
  ref: string;
  change: Change;
}

/** What a bootstrap would change; the core's `Plan` is what it writes. */
export interface DryRunReport {
  files: FileChange[];
  objects: ObjectChange[];
  secret: { ref: string; change: 'create' | 'update' | 'unchanged' | 'keep' | 'none' };
  /** `--registry-creds`: what would happen to the image pull Secret (never its value). */
  imagePullSecret?: { ref: string; change: Change };
  /** `--pull-request`: the branches of the pull request that would carry the files (the diffs are against `into`). */
  pullRequest?: { from: string; into: string };
  /** `--provider=azure`: the cluster's issuer and webhook, and the Azure steps left to do. */
  workloadIdentity?: WorkloadIdentityFacts;
}

export async function dryRun(given: BootstrapOptions, run: RunOptions = {}): Promise<DryRunReport> {
  const emit = run.onEvent ?? ignoreEvents;
  const signal = run.signal;
  const bundle = await loadBundle({ source: given.manifests, version: given.version || defaults().fluxVersion, signal });
  let plan = planRepository(given, bundle, null);
  const { namespace, secretName, branch } = plan;

  emit({ type: 'step', step: 'dry-run', message: 'reading the cluster' });
  // --provider=azure without the tenant: found from the organisation, as the run finds it.
  const options = await withWorkloadIdentityTenant(given, plan, emit, signal);
  if (options !== given) plan = planRepository(options, bundle, null);
  const client = connect({ kubeconfig: options.kubeconfig, context: options.context });
  // The run's refusal of a Flux another tool manages, predicted with the same code.
  await checkFluxManager(client, { namespace, force: options.force ?? false, ...(signal ? { signal } : {}) });
  const workloadIdentity = await workloadIdentityPreflight(client, plan, emit, signal);
  const state = await readClusterState(client, namespace, secretName, signal);
  checkSyncPath(state, options.path);

  emit({ type: 'step', step: 'dry-run', message: `cloning branch ${branch}` });
  const dir = await mkdtemp(join(tmpdir(), 'flux-azdo-dry-run-'));
  try {
    let knownHosts: string | undefined;
    let key;
    if (pushesOverSsh(plan)) {
      key = await deployKey(options, plan, state.secretData, run.askPassphrase);
      if (key.source === 'generated') {
        throw new FluxAzdoError('USAGE', '--dry-run over SSH needs a key that can read the repository: pass --private-key-file', {
          option: 'private-key-file',
        });
      }
      if (plan.push.transport === 'ssh') {
        const algos = plan.push.hostKeyAlgorithms;
        knownHosts = (await scanHostKey(plan.push.host, plan.push.port, algos.length > 0 ? { hostKeyAlgos: algos } : {})).knownHostsLine;
      }
    }
    await cloneForBootstrap({
      url: plan.push.url,
      shownUrl: shownUrl(options.url),
      auth: pushAuth(options, plan, key, knownHosts, await entraTokens(options, plan)),
      ...(options.caFile ? { caFile: options.caFile } : {}),
      // A server that never answers ends the dry run within --timeout too.
      timeoutMs: timeoutMs(options, defaults().timeout),
      ...(signal ? { signal } : {}),
      branch,
      dir,
      createBranch: options.createBranch ?? false,
    });
    const read = async (path: string) => {
      const bytes = await readRepoFile(dir, path);
      return bytes === null ? null : Buffer.from(bytes).toString('utf8');
    };
    plan = planRepository(options, bundle, await read(plan.kustomization.path));
    const files: FileChange[] = [];
    for (const file of planFiles(plan)) {
      const before = await read(file.path);
      const change: Change = before === null ? 'create' : before === file.content ? 'unchanged' : 'update';
      const diff =
        change === 'unchanged'
          ? ''
          : createTwoFilesPatch(`a/${file.path}`, `b/${file.path}`, before ?? '', file.content, '', '', { context: 3 });
      files.push({ path: file.path, change, diff });
    }
    emit({ type: 'step', step: 'dry-run', message: 'comparing with the cluster (server-side dry run)' });
    const objects = await compareObjects(client, (await readClusterObjects(dir, plan)).apply, namespace, signal);
    const secretRef = objectRef({ kind: 'Secret', namespace, name: secretName });
    let secretChange: DryRunReport['secret']['change'];
    if (plan.syncAuth === 'workloadIdentity') secretChange = 'none';
    else if (!state.secretExists) secretChange = 'create';
    else if (plan.syncAuth === 'ssh' && !options.privateKeyFile && !options.privateKey) secretChange = 'keep';
    else {
      // The Secret the run would write, compared with the one there by the run's own rules.
      const sshKey = plan.syncAuth === 'ssh' ? (key ?? (await deployKey(options, plan, state.secretData))) : undefined;
      const syncHosts = plan.syncAuth === 'ssh' ? (await scanKnownHosts(plan)).sync : undefined;
      const write = await gitSecretWrite(options, plan, state, sshKey, syncHosts);
      const { action } = await previewGitSecret(client, write.input, { ...write.options, ...(signal ? { signal } : {}) });
      secretChange = action === 'unchanged' ? 'unchanged' : action === 'kept' ? 'keep' : action === 'created' ? 'create' : 'update';
    }
    const pull = await previewImagePullSecret(client, options, plan, signal);
    const pr = plan.pullRequest;
    if (pr) {
      emit({ type: 'log', level: 'info', message: `would open a pull request from ${pr.sourceBranch} into ${pr.targetBranch}` });
    }
    return {
      files,
      objects,
      secret: { ref: secretRef, change: secretChange },
      ...(pull
        ? {
            imagePullSecret: {
              ref: pull.ref,
              change: pull.action === 'created' ? 'create' : pull.action === 'unchanged' ? 'unchanged' : 'update',
            },
          }
        : {}),
      ...(pr ? { pullRequest: { from: pr.sourceBranch, into: pr.targetBranch } } : {}),
      ...(workloadIdentity ? { workloadIdentity } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** For each object: absent → create; a dry-run apply that changes nothing → unchanged. */
async function compareObjects(
  client: KubeClient,
  yaml: string,
  namespace: string,
  signal: AbortSignal | undefined,
): Promise<ObjectChange[]> {
  const discovery = discoveryFor(client);
  const out: ObjectChange[] = [];
  for (const obj of splitManifests(yaml)) {
    const ns = obj.namespace ?? namespace;
    let info;
    try {
      info = await discovery.resolve(obj.apiVersion, obj.kind, signal);
    } catch {
      // The kind's CRD is not installed yet: the object is new. Without discovery, only a
      // Namespace is known to be cluster-scoped.
      const guess = obj.namespace || obj.kind !== 'Namespace' ? ns : undefined;
      out.push({ ref: objectRef({ kind: obj.kind, namespace: guess, name: obj.name }), change: 'create' });
      continue;
    }
    const ref = objectRef({ kind: obj.kind, namespace: info.namespaced ? ns : undefined, name: obj.name });
    const path = resourcePath(info, ns, obj.name);
    const current = await client.request<Record<string, unknown>>('GET', path, { signal });
    if (current.status === 404) {
      out.push({ ref, change: 'create' });
      continue;
    }
    const applied = await client.request<Record<string, unknown>>('PATCH', `${path}?fieldManager=flux&force=true&dryRun=All`, {
      body: obj.text,
      contentType: 'application/apply-patch+yaml',
      signal,
    });
    if (applied.status >= 300) {
      throw new FluxAzdoError('APPLY_FAILED', `the cluster would refuse ${obj.kind} ${obj.name} (HTTP ${applied.status})`);
    }
    const same = JSON.stringify(comparable(current.body)) === JSON.stringify(comparable(applied.body));
    out.push({ ref, change: same ? 'unchanged' : 'update' });
  }
  return out;
}

/** The object without what every write changes (bookkeeping, status). */
function comparable(obj: Record<string, unknown>): unknown {
  const { metadata, status: _status, ...rest } = obj;
  const bookkeeping = new Set(['managedFields', 'resourceVersion', 'generation']);
  const meta = typeof metadata === 'object' && metadata !== null ? Object.entries(metadata).filter(([key]) => !bookkeeping.has(key)) : [];
  return { ...rest, metadata: Object.fromEntries(meta) };
}
