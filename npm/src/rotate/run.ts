/**
 * `flux-azdo rotate`: a new credential for an existing bootstrap, without an outage and without a
 * blind swap. Order: read the GitRepository and its Secret; get the new credential (PAT, or a
 * deploy key given or generated and confirmed); prove it reads the repository from here; write
 * the Secret in place; ask source-controller to reconcile and wait for its answer to that very
 * request. If the cluster cannot fetch with it, the old Secret goes back byte for byte and the
 * run fails with ROTATE_ROLLED_BACK. Nothing is committed to Git.
 */
import {
  defaults,
  fingerprintOfBlob,
  generateSecret,
  parseDuration,
  pushTarget,
  rotationPlan,
  shownUrl,
  type CredentialKind,
  type RotationPlan,
  type SecretAuth,
} from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import type { SecretValue } from '../secret-value.js';
import { ignoreEvents, type EventHandler } from '../events.js';
import { lsRemote, type GitAuth } from '../git/index.js';
import { connect, type KubeClient } from '../kube/index.js';
import { secretOf } from '../bootstrap/options.js';
import type { DeployKeyPrompt } from '../bootstrap/run.js';
import {
  gitRepositoryRef,
  readGitRepository,
  readSecret,
  requestReconcile,
  restoreSecret,
  secretRef,
  waitForFetch,
  writeSecretData,
  type SecretObject,
} from './cluster.js';
import { newDeployKey, type RotateKey } from './key.js';
import type { RotateOptions, RotateResult } from './options.js';

export type { RotateOptions, RotateResult } from './options.js';

export interface RotateRunOptions {
  onEvent?: EventHandler;
  signal?: AbortSignal;
  /** Asked after a new deploy key is made (unless `silent`); false cancels before anything changes. */
  confirmDeployKey?: (prompt: DeployKeyPrompt) => Promise<boolean>;
  /** Asked for the new PAT when the cluster uses one and `password` is not set (the CLI: prompt or stdin). */
  askPassword?: () => Promise<SecretValue | undefined>;
}

/** The Secret keys each kind owns: a rotation replaces these and keeps every other key. */
const OWNED_KEYS: Record<'token' | 'bearer' | 'ssh', string[]> = {
  token: ['username', 'password', 'bearerToken'],
  bearer: ['username', 'password', 'bearerToken'],
  ssh: ['identity', 'identity.pub', 'known_hosts', 'password'],
};

const decode = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8'));

export async function rotate(options: RotateOptions, run: RotateRunOptions = {}): Promise<RotateResult> {
  const emit = run.onEvent ?? ignoreEvents;
  const { signal } = run;
  let step: 'preflight' | 'verify' | 'secret' | 'reconcile' | 'rollback' = 'preflight';
  try {
    return await sequence(options, run, emit, (s, message) => {
      if (signal?.aborted) throw new FluxAzdoError('CANCELLED', `rotate was cancelled before the ${s} step`, { step });
      step = s;
      emit({ type: 'step', step: s, message });
    });
  } catch (err) {
    const error =
      err instanceof FluxAzdoError
        ? err
        : new FluxAzdoError('INTERNAL', `rotate failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    emit({
      type: 'error',
      step,
      code: error.code,
      message: error.message,
      ...(error.code === 'ROTATE_ROLLED_BACK' ? { rolledBack: true } : {}),
    });
    throw error;
  }
}

type Step = (s: 'preflight' | 'verify' | 'secret' | 'reconcile' | 'rollback', message: string) => void;

async function sequence(input: RotateOptions, run: RotateRunOptions, emit: EventHandler, step: Step): Promise<RotateResult> {
  let options = input;
  const flux = defaults();
  const namespace = options.namespace || flux.options.namespace;
  const name = options.name || namespace;
  const { signal } = run;

  step('preflight', `reading ${gitRepositoryRef(namespace, name)} and its Secret`);
  const client = connect({ kubeconfig: options.kubeconfig, context: options.context });
  const repo = await readGitRepository(client, namespace, name, signal);
  if (!repo?.spec?.url) {
    throw new FluxAzdoError(
      'NOT_BOOTSTRAPPED',
      `${gitRepositoryRef(namespace, name)} does not exist: there is no bootstrap to rotate; run \`flux-azdo bootstrap git\` (or pass --namespace)`,
      { option: 'namespace' },
    );
  }
  const url = repo.spec.url;
  const secretName = repo.spec.secretRef?.name ?? '';
  if (!secretName && repo.spec.provider !== 'azure') {
    throw new FluxAzdoError('NOT_BOOTSTRAPPED', `${gitRepositoryRef(namespace, name)} has no spec.secretRef: there is no Secret to rotate`);
  }
  const old = secretName ? await readSecret(client, namespace, secretName, signal) : undefined;
  const oldData = old?.data ?? {};
  const plan = rotationPlan({
    facts: { url, provider: repo.spec.provider ?? '', secretKeys: Object.keys(oldData) },
    ...(options.to ? { to: options.to } : {}),
    ...(options.sshKeyAlgorithm ? { sshKeyAlgorithm: options.sshKeyAlgorithm } : {}),
    ...(options.sshRsaBits ? { sshRsaBits: options.sshRsaBits } : {}),
    ...(options.sshEcdsaCurve ? { sshEcdsaCurve: options.sshEcdsaCurve } : {}),
  });
  const kind = ownedKind(plan.kind);
  const ref = secretRef(namespace, secretName);
  const previousFingerprint = kind === 'ssh' ? publicKeyFingerprint(decode(oldData['identity.pub'])) : undefined;
  emit({
    type: 'log',
    level: 'info',
    message: `${gitRepositoryRef(namespace, name)} syncs from ${shownUrl(url)} with ${describe(plan.kind, previousFingerprint)}`,
  });

  // The new credential, and the Secret keys it becomes (built by the core, as bootstrap's).
  if (kind !== 'ssh' && !secretOf(options.password) && run.askPassword) {
    const asked = await run.askPassword();
    if (asked) options = { ...options, password: asked };
  }
  const key = kind === 'ssh' ? await newDeployKey(options, plan) : undefined;
  if (key?.source === 'generated') await confirmKey(options, run, emit, plan, key);
  const auth = secretAuth(options, plan, oldData, key);
  const generated = generateSecret({ name: secretName, namespace, auth }).stringData;
  const data: Record<string, string> = Object.fromEntries(Object.entries(oldData).filter(([k]) => !OWNED_KEYS[kind].includes(k)));
  for (const [k, v] of Object.entries(generated)) data[k] = Buffer.from(v, 'utf8').toString('base64');

  step('verify', `proving the new credential can read ${shownUrl(url)}`);
  const heads = await probe(url, auth, oldData, key, options).catch((err: unknown) => {
    throw newCredentialRefused(err, plan, key);
  });
  emit({ type: 'done', step: 'verify', message: `the new credential reads ${shownUrl(url)} (${Object.keys(heads).length} branch(es))` });

  const fingerprint = key?.pair.fingerprint;
  const base = {
    secret: ref,
    kind: plan.kind,
    ...(fingerprint ? { fingerprint } : {}),
    ...(previousFingerprint && previousFingerprint !== fingerprint ? { previousFingerprint } : {}),
    ...(key && plan.deployKeyPage ? { deployKeyPage: plan.deployKeyPage } : {}),
    ...(key ? { publicKey: key.pair.publicKey } : {}),
  };
  const unchanged = old !== undefined && sameData(oldData, data);
  if (options.dryRun) {
    const action = unchanged ? 'unchanged' : 'updated';
    emit({ type: 'done', step: 'secret', message: `dry run: ${ref} would be ${unchanged ? 'left as it is' : 'updated'}`, ref, action });
    return { ...base, action, dryRun: true, revision: undefined };
  }

  step('secret', `writing the new credential into ${ref}`);
  if (unchanged) {
    emit({ type: 'done', step: 'secret', message: `${ref} already holds this credential`, ref, action: 'unchanged' });
  } else {
    await writeSecretData(client, namespace, secretName, old, data, signal);
    emit({ type: 'done', step: 'secret', message: `${ref} updated`, ref, action: 'updated' });
  }

  step('reconcile', `asking source-controller to fetch with the new credential`);
  const token = await requestReconcile(client, namespace, name, signal);
  const outcome = await waitForFetch(client, namespace, name, token, { timeoutMs: waitMs(options.timeout, flux.timeout), signal });
  if (!outcome.ready) {
    if (!unchanged) await rollBack(client, emit, step, namespace, name, secretName, old);
    const what = unchanged ? 'nothing was changed' : `the old ${ref} was put back as it was`;
    throw new FluxAzdoError(
      unchanged ? 'HEALTH_CHECK_FAILED' : 'ROTATE_ROLLED_BACK',
      `source-controller could not fetch with the new credential (${outcome.reason}: ${outcome.message}); ${what}`,
      { step: 'reconcile' },
    );
  }
  emit({
    type: 'done',
    step: 'reconcile',
    message: `${gitRepositoryRef(namespace, name)} fetched ${outcome.revision ?? ''} with the new credential`,
    ref: gitRepositoryRef(namespace, name),
    ...(outcome.revision ? { revision: outcome.revision } : {}),
  });
  if (base.previousFingerprint) {
    emit({
      type: 'log',
      level: 'warn',
      message: `remove the old deploy key ${base.previousFingerprint} from Azure DevOps${plan.deployKeyPage ? ` (${plan.deployKeyPage})` : ''}: the cluster no longer uses it`,
    });
  }
  return { ...base, action: unchanged ? 'unchanged' : 'updated', dryRun: false, revision: outcome.revision, fetchedAt: outcome.at };
}

function ownedKind(kind: CredentialKind): 'token' | 'bearer' | 'ssh' {
  if (kind === 'token' || kind === 'bearer' || kind === 'ssh') return kind;
  throw new FluxAzdoError('INTERNAL', `the core planned a rotation of ${kind}`);
}

function describe(kind: CredentialKind, fingerprint: string | undefined): string {
  if (kind === 'ssh') return `an SSH deploy key${fingerprint ? ` (${fingerprint})` : ''}`;
  return kind === 'bearer' ? 'a bearer token' : 'a PAT';
}

/** `SHA256:…` of an authorized_keys line (`ssh-rsa AAAA… comment`), or undefined. */
export function publicKeyFingerprint(line: string | undefined): string | undefined {
  const blob = line?.trim().split(/\s+/)[1];
  if (!blob) return undefined;
  try {
    return fingerprintOfBlob(blob);
  } catch {
    return undefined;
  }
}

function secretAuth(options: RotateOptions, plan: RotationPlan, oldData: Record<string, string>, key: RotateKey | undefined): SecretAuth {
  const caCrt = decode(oldData['ca.crt']);
  const ca = caCrt ? { caCrt } : {};
  if (key) {
    const knownHosts = decode(oldData.known_hosts);
    if (!knownHosts) {
      throw new FluxAzdoError(
        'NOT_BOOTSTRAPPED',
        'the Git Secret has no known_hosts: its SSH host is not pinned; bootstrap again to scan it',
      );
    }
    return {
      type: 'ssh',
      identity: key.pair.identity.expose(),
      identityPub: key.pair.publicKey,
      knownHosts,
      ...(key.passphrase ? { passphrase: key.passphrase.expose() } : {}),
    };
  }
  const pat = secretOf(options.password);
  if (!pat) {
    throw new FluxAzdoError('USAGE', 'rotating a PAT needs the new one: pass --password, set GIT_PASSWORD, or pipe it on stdin', {
      option: 'password',
    });
  }
  if (plan.kind === 'bearer') return { type: 'bearer', token: pat.expose(), ...ca };
  const username = options.username || decode(oldData.username) || defaults().options.username;
  return { type: 'token', username, password: pat.expose(), ...ca };
}

/** ls-remote with the new credential, trusting what the cluster trusts (its CA, its known_hosts). */
async function probe(
  url: string,
  auth: SecretAuth,
  oldData: Record<string, string>,
  key: RotateKey | undefined,
  options: RotateOptions,
): Promise<Record<string, string>> {
  let gitAuth: GitAuth;
  if (key) {
    const algos = pushTarget({ url }).transport === 'ssh' ? hostKeyAlgorithms(url) : [];
    const knownHosts = decode(oldData.known_hosts);
    gitAuth = {
      kind: 'ssh',
      privateKey: key.pair.privateKeyOpenssh,
      ...(knownHosts ? { knownHosts } : {}),
      ...(algos.length > 0 ? { hostKeyAlgos: algos } : {}),
    };
  } else {
    const password = auth.type === 'bearer' ? auth.token : auth.type === 'token' ? auth.password : '';
    const username = auth.type === 'token' ? auth.username : 'git';
    const pat = secretOf(password);
    if (!pat) throw new FluxAzdoError('INTERNAL', 'a token rotation without a PAT');
    // Proven the way the cluster will send it: a bearer token as `Authorization: Bearer`.
    gitAuth = auth.type === 'bearer' ? { kind: 'bearer', token: pat } : { kind: 'token', username, password: pat };
  }
  const caPem = decode(oldData['ca.crt']);
  const { heads } = await lsRemote({
    url,
    shownUrl: shownUrl(url),
    auth: gitAuth,
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(caPem ? { caPem } : {}),
  });
  return heads;
}

function hostKeyAlgorithms(url: string): string[] {
  const target = pushTarget({ url });
  return target.transport === 'ssh' ? target.hostKeyAlgorithms : [];
}

/** The probe's failure, as what the user must fix about the new credential (nothing was changed). */
function newCredentialRefused(err: unknown, plan: RotationPlan, key: RotateKey | undefined): FluxAzdoError {
  const e = err instanceof FluxAzdoError ? err : new FluxAzdoError('INTERNAL', String(err), { cause: err });
  const hint = key?.source === 'generated' && plan.deployKeyPage ? ` Add the new public key at ${plan.deployKeyPage} first.` : '';
  return new FluxAzdoError(
    e.code,
    `the new credential cannot read the repository, so the cluster's Secret was not touched: ${e.message}.${hint}`,
    {
      step: 'verify',
      cause: err,
      ...(e.option ? { option: e.option } : {}),
    },
  );
}

async function confirmKey(
  options: RotateOptions,
  run: RotateRunOptions,
  emit: EventHandler,
  plan: RotationPlan,
  key: RotateKey,
): Promise<void> {
  const addKeyUrl = plan.deployKeyPage;
  emit({
    type: 'log',
    level: 'info',
    message: `new deploy key ${key.pair.fingerprint}: ${key.pair.publicKey.trim()}${addKeyUrl ? `\nadd it to your SSH public keys at ${addKeyUrl}` : ''}`,
  });
  if (options.silent || !run.confirmDeployKey) return;
  const ok = await run.confirmDeployKey({ publicKey: key.pair.publicKey, fingerprint: key.pair.fingerprint, addKeyUrl });
  if (!ok) throw new FluxAzdoError('CANCELLED', 'the new deploy key was not confirmed; the cluster Secret was not touched');
}

async function rollBack(
  client: KubeClient,
  emit: EventHandler,
  step: Step,
  namespace: string,
  name: string,
  secretName: string,
  old: SecretObject | undefined,
): Promise<void> {
  step('rollback', `putting the old ${secretRef(namespace, secretName)} back`);
  await restoreSecret(client, namespace, secretName, old);
  // The controller goes back to the old credential at once rather than at its next interval.
  await requestReconcile(client, namespace, name).catch(() => undefined);
  emit({
    type: 'done',
    step: 'rollback',
    message: `the old ${secretRef(namespace, secretName)} is back`,
    ref: secretRef(namespace, secretName),
  });
}

function sameData(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function waitMs(timeout: string | number | undefined, fallback: string): number {
  if (typeof timeout === 'number') return timeout;
  return parseDuration({ option: 'timeout', text: timeout || fallback });
}
