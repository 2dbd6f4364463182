/**
 * Health waits, as `flux bootstrap` does them: CRDs Established; Deployments rolled out
 * (kubectl's rollout rule); GitRepository / Kustomization Ready at the expected revision, where
 * Ready=False fails at once with the controller's message. All targets are polled together and
 * every failure is reported in one error.
 */
import { FluxAzdoError, type ErrorCode } from '../errors.js';
import { responseError, type KubeClient } from './client.js';
import { KNOWN_TYPES, resourcePath } from './discovery.js';
import { objectRef } from './documents.js';

export type HealthTarget =
  | { kind: 'Deployment'; namespace: string; name: string }
  | { kind: 'GitRepository'; namespace: string; name: string; revision?: string }
  | { kind: 'Kustomization'; namespace: string; name: string; revision?: string };

export interface WaitOptions {
  /** Default 5 minutes. */
  timeoutMs?: number;
  /** Poll interval; default 2 s. */
  intervalMs?: number;
  signal?: AbortSignal | undefined;
  /** Called when a target becomes ready. */
  onReady?: (ref: string) => void;
  /**
   * When given, a Flux object at another revision than its target's is ready if this says the
   * seen revision contains the target's commit (another bootstrap's commit landed on top).
   */
  revisionContains?: (seen: string) => Promise<boolean>;
}

export interface HealthFailure {
  ref: string;
  /** What was last seen: the condition's reason and message, or why it is not done yet. */
  detail: string;
}

/** HEALTH_CHECK_FAILED or TIMEOUT, with every object that is not healthy. */
export class KubeHealthError extends FluxAzdoError {
  readonly failures: HealthFailure[];
  constructor(code: ErrorCode, message: string, failures: HealthFailure[]) {
    super(code, message, { step: 'health' });
    this.failures = failures;
  }
}

type Verdict = { state: 'ready' } | { state: 'waiting'; detail: string; seen?: string } | { state: 'failed'; detail: string };

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface WatchedObject {
  metadata?: { generation?: number };
  spec?: { replicas?: number; suspend?: boolean };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    artifact?: { revision?: string };
    lastAttemptedRevision?: string;
  };
}

/**
 * What `flux bootstrap` waits for: the GitRepository and Kustomization named after the
 * namespace at `revision` (`<branch>@sha1:<sha>`), and one Deployment per component.
 */
export function bootstrapHealthTargets(namespace: string, components: string[], revision: string): HealthTarget[] {
  return [
    { kind: 'GitRepository', namespace, name: namespace, revision },
    { kind: 'Kustomization', namespace, name: namespace, revision },
    ...components.map((name): HealthTarget => ({ kind: 'Deployment', namespace, name })),
  ];
}

export async function waitForHealth(client: KubeClient, targets: HealthTarget[], options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const intervalMs = options.intervalMs ?? 2_000;
  const deadline = Date.now() + timeoutMs;
  let pending = targets.map((t) => ({ target: t, ref: objectRef(t), detail: 'not checked yet' }));
  for (;;) {
    const verdicts = await Promise.all(pending.map((p) => check(client, p.target, options, deadline))).catch((err: unknown) => {
      // A server that stopped answering (hung, or its etcd gone) holds each request until the
      // deadline: that is the --timeout running out, not an unreachable server.
      if (err instanceof FluxAzdoError && err.code === 'KUBE_UNREACHABLE' && Date.now() >= deadline) {
        throw timedOutError(timeoutMs, pending, 'the API server did not answer');
      }
      throw err;
    });
    const failures: HealthFailure[] = [];
    const still: typeof pending = [];
    pending.forEach((p, i) => {
      const v = verdicts[i] as Verdict;
      if (v.state === 'ready') options.onReady?.(p.ref);
      else if (v.state === 'failed') failures.push({ ref: p.ref, detail: v.detail });
      else still.push({ ...p, detail: v.detail });
    });
    if (failures.length > 0) {
      throw new KubeHealthError(
        'HEALTH_CHECK_FAILED',
        `${failures.length} health check failure(s): ${failures.map((f) => `${f.ref}: ${f.detail}`).join('; ')}`,
        failures,
      );
    }
    pending = still;
    if (pending.length === 0) return;
    if (Date.now() + intervalMs > deadline) throw timedOutError(timeoutMs, pending);
    await sleep(intervalMs, options.signal);
  }
}

function timedOutError(timeoutMs: number, pending: { ref: string; detail: string }[], detail?: string): KubeHealthError {
  const timedOut = pending.map((p) => ({ ref: p.ref, detail: detail ?? p.detail }));
  return new KubeHealthError(
    'TIMEOUT',
    `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${timedOut.length} object(s): ` +
      timedOut.map((f) => `${f.ref} (${f.detail})`).join('; '),
    timedOut,
  );
}

/** A request's own timeout inside a wait: the client's default, but never past the deadline. */
function remaining(deadline: number): number {
  return Math.max(1, Math.min(requestTimeoutMs, deadline - Date.now()));
}

const requestTimeoutMs = 30_000;

/** Waits until every named CRD has Established=True and NamesAccepted=True. */
export async function waitForCrdsEstablished(
  client: KubeClient,
  names: string[],
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let pending = names;
  while (pending.length > 0) {
    const states = await Promise.all(
      pending.map(async (name) => {
        const res = await client.request<WatchedObject>('GET', resourcePath(KNOWN_TYPES.CustomResourceDefinition, undefined, name), {
          signal: options.signal,
        });
        if (res.status !== 200 && res.status !== 404) throw responseError(res, `read CRD ${name}`, 'KUBE_REQUEST_FAILED');
        const conds = res.body.status?.conditions ?? [];
        const ok = (type: string): boolean => conds.some((c) => c.type === type && c.status === 'True');
        return res.status === 200 && ok('Established') && ok('NamesAccepted');
      }),
    );
    pending = pending.filter((_, i) => !states[i]);
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new KubeHealthError(
        'TIMEOUT',
        `CustomResourceDefinitions not Established after ${Math.round(options.timeoutMs / 1000)} s: ${pending.join(', ')}`,
        pending.map((name) => ({ ref: objectRef({ kind: 'CustomResourceDefinition', name }), detail: 'not Established' })),
      );
    }
    await sleep(100, options.signal);
  }
}

async function check(client: KubeClient, t: HealthTarget, options: WaitOptions, deadline: number): Promise<Verdict> {
  const res = await client.request<WatchedObject>('GET', resourcePath(KNOWN_TYPES[t.kind], t.namespace, t.name), {
    signal: options.signal,
    timeoutMs: remaining(deadline),
  });
  if (res.status === 404) return { state: 'waiting', detail: 'not found' };
  if (res.status !== 200) throw responseError(res, `read ${objectRef(t)}`, 'KUBE_REQUEST_FAILED');
  if (t.kind === 'Deployment') return deploymentVerdict(res.body);
  const verdict = fluxVerdict(res.body, t);
  // Only "waiting for another revision" can turn ready: a later tip that holds our commit.
  if (verdict.state !== 'waiting' || verdict.seen === undefined || !options.revisionContains) return verdict;
  return (await options.revisionContains(verdict.seen)) ? { state: 'ready' } : verdict;
}

/** kubectl's rollout status rule. */
function deploymentVerdict(d: WatchedObject): Verdict {
  const generation = d.metadata?.generation ?? 0;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < generation) return { state: 'waiting', detail: 'rollout not observed yet' };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', detail: conditionText(progressing) };
  }
  const want = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const last = conditionText(s.conditions?.find((c) => c.type === 'Available') ?? progressing);
  if (updated < want) return { state: 'waiting', detail: `${updated} of ${want} updated replicas; ${last}` };
  if ((s.replicas ?? 0) > updated)
    return { state: 'waiting', detail: `${(s.replicas ?? 0) - updated} old replicas pending termination; ${last}` };
  if ((s.availableReplicas ?? 0) < updated)
    return { state: 'waiting', detail: `${s.availableReplicas ?? 0} of ${updated} updated replicas available; ${last}` };
  return { state: 'ready' };
}

function fluxVerdict(o: WatchedObject, t: HealthTarget & { revision?: string }): Verdict {
  if (o.spec?.suspend) return { state: 'failed', detail: 'suspended; resume it with `flux resume`' };
  const s = o.status ?? {};
  if ((s.observedGeneration ?? -1) !== (o.metadata?.generation ?? 0)) {
    return { state: 'waiting', detail: 'not reconciled yet (observedGeneration behind generation)' };
  }
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  if (!ready) return { state: 'waiting', detail: 'no Ready condition yet' };
  if (ready.status === 'False') return { state: 'failed', detail: conditionText(ready) };
  if (ready.status !== 'True') return { state: 'waiting', detail: conditionText(ready) };
  if (t.revision) {
    const seen = t.kind === 'GitRepository' ? s.artifact?.revision : s.lastAttemptedRevision;
    if (seen !== t.revision) {
      const detail = `at revision ${seen ?? '(none)'}, waiting for ${t.revision}`;
      return seen ? { state: 'waiting', detail, seen } : { state: 'waiting', detail };
    }
  }
  return { state: 'ready' };
}

function conditionText(c: Condition | undefined): string {
  if (!c) return 'no conditions yet';
  return `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function aborted(): FluxAzdoError {
  return new FluxAzdoError('CANCELLED', 'cancelled while waiting for the cluster', { step: 'health' });
}
