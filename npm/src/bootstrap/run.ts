/**
 * `bootstrap git`, in Flux's order: pre-flight; components commit and push; install; Secret;
 * sync commit and push; apply; health waits. Every step emits events; a failure stops with a
 * typed error naming the step, in a state from which a re-run converges.
 */
import { setMaxListeners } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { defaults, generateSecret, shownUrl, type ClusterObjects, type Manifest, type Plan, type SecretAuth } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { ignoreEvents, type BootstrapStep, type DoneEvent, type DoneFact, type EventHandler, type StepEvent } from '../events.js';
import { cloneForBootstrap, commitAndPush, readRepoFile, scanHostKey, type CommitAndPushOptions, type GitRemote } from '../git/index.js';
import { revisionContains, type ContainsCommitOptions } from '../git/ancestry.js';
import {
  applyGitSecret,
  applyManifests,
  bootstrapHealthTargets,
  connect,
  finishHelmTakeover,
  objectRef,
  preflight,
  waitForHealth,
  type ApplyResult,
  type GitSecretInput,
  type GitSecretOptions,
  type KubeClient,
} from '../kube/index.js';
import { listKubeContexts } from '../kube/index.js';
import { loadBundle } from '../manifests.js';
import { readClusterObjects } from './cluster-objects.js';
import { checkSyncPath, readClusterState, type ClusterState } from './cluster-state.js';
import { deployKey, patFor, pushAuth, pushesOverSsh, type AskPassphrase, type DeployKey } from './credentials.js';
import { entraTokens } from './entra.js';
import { reconcileImagePullSecret } from './image-pull-secret.js';
import { pushAttempts, timeoutMs, type BootstrapOptions } from './options.js';
import { planRepository } from './plan.js';
import { awaitMerge, checkBranchPolicies, openPullRequest, requireRest, restClient } from './pull-request.js';
import { workloadIdentityPreflight } from './workload-identity.js';
import { withWorkloadIdentityTenant } from './workload-identity-tenant.js';

export interface DeployKeyPrompt {
  publicKey: string;
  fingerprint: string;
  /** Where to add it: Azure DevOps' SSH keys page, when the repository is on dev.azure.com. */
  addKeyUrl: string | undefined;
}

export interface RunOptions {
  onEvent?: EventHandler;
  signal?: AbortSignal;
  /** Asked after a new deploy key is made, unless `silent`; false cancels. */
  confirmDeployKey?: (prompt: DeployKeyPrompt) => Promise<boolean>;
  /** Asked when the given key is encrypted and no passphrase was given; without it that is KEY_PASSPHRASE_REQUIRED. */
  askPassphrase?: AskPassphrase;
}

export interface BootstrapResult {
  /** The commits pushed (none on a re-run with unchanged options). */
  commits: { message: string; sha: string }[];
  /** The Git Secret, or null with workload identity. */
  secret: { name: string; namespace: string } | null;
  /** `<branch>@sha1:<sha>` the cluster reconciled. */
  revision: string;
  /** The deploy key's public half, when the cluster syncs over SSH. */
  publicKey?: string;
}

interface Context {
  options: BootstrapOptions;
  run: RunOptions;
  emit: EventHandler;
  signal: AbortSignal | undefined;
  /** What this run has changed so far, for the error event of a run that stops half-way. */
  done: DoneFact[];
}

export { planRepository };

export async function bootstrap(options: BootstrapOptions, run: RunOptions = {}): Promise<BootstrapResult> {
  const done: DoneFact[] = [];
  const emitEvent = run.onEvent ?? ignoreEvents;
  const ctx: Context = {
    options,
    run,
    // Every `done` event that changed something is remembered: a run stopped later names it.
    emit: (event) => {
      const fact = event.type === 'done' ? changed(event) : undefined;
      if (fact) done.push(fact);
      emitEvent(event);
    },
    signal: run.signal,
    done,
  };
  // Every request in flight adds one listener to the caller's one signal. The peak is the CRD
  // wait, which reads all of Flux's CRDs at once (15 with every extra component); applies run 8
  // at a time and the health wait polls up to 9 objects. 32 is about twice the peak.
  if (run.signal) setMaxListeners(32, run.signal);
  let current: BootstrapStep = 'preflight';
  const step: StepFn = (s, message, facts) => {
    // withStep turns this into the cancel message naming what was done.
    if (ctx.signal?.aborted) throw new FluxAzdoError('CANCELLED', 'bootstrap was cancelled', { step: current });
    current = s;
    ctx.emit({ type: 'step', step: s, message, ...facts });
  };
  const dir = await mkdtemp(join(tmpdir(), 'flux-azdo-'));
  try {
    return await sequence(ctx, dir, step);
  } catch (err) {
    const error = withStep(err, current, ctx.signal, done);
    ctx.emit({
      type: 'error',
      step: current,
      code: error.code,
      message: error.message,
      done: [...done],
      ...(error.operation ? { operation: error.operation } : {}),
      ...(error.status === undefined ? {} : { status: error.status }),
    });
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type StepFn = (s: BootstrapStep, message: string, facts?: Pick<StepEvent, 'revision'>) => void;

/** The kubeconfig context a bootstrap targets, for the pull request's description. */
function clusterName(options: BootstrapOptions): string {
  if (options.context) return options.context;
  try {
    return listKubeContexts(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}).current ?? '';
  } catch {
    return '';
  }
}

async function sequence(ctx: Context, dir: string, step: StepFn): Promise<BootstrapResult> {
  const { emit, signal } = ctx;
  const wantsPullRequest = ctx.options.pullRequest === true || ctx.options.pullRequestAutoComplete === true;
  let options = wantsPullRequest
    ? { ...ctx.options, pullRequestCluster: ctx.options.pullRequestCluster || clusterName(ctx.options) }
    : ctx.options;
  const flux = defaults();
  const version = options.version || flux.fluxVersion;
  const bundle = await loadBundle({ source: options.manifests, version, signal, onLog: emit });
  // Plan once without the repository: bad options fail here, before any connection.
  let plan = planRepository(options, bundle, null);
  const { namespace, secretName, branch } = plan;
  const maxAttempts = pushAttempts(options, flux.pushRetries);
  if (plan.needsPat) patFor(options);
  const tokens = await entraTokens(options, plan);
  const rest = restClient(options, plan, tokens);
  // --pull-request without a REST credential stops here, before anything is pushed.
  if (plan.pullRequest) requireRest(rest, plan);

  step('preflight', `checking the cluster and the repository's credentials`);
  // --provider=azure without the tenant: found from the organisation, planned again with it.
  const withTenant = await withWorkloadIdentityTenant(options, plan, emit, signal);
  if (withTenant !== options) {
    options = withTenant;
    plan = planRepository(options, bundle, null);
  }
  if (tokens) {
    // The first token now: no credential, or one Entra refuses, stops the run before any change.
    await tokens.getToken(signal ? { signal } : {});
    emit({
      type: 'log',
      level: 'info',
      message: `got a Microsoft Entra token (--azure-credential=${tokens.credential}, tenant ${tokens.tenantId ?? "the credential's own"})`,
    });
  }
  const client = connect({ kubeconfig: options.kubeconfig, context: options.context });
  const pre = await preflight(client, { minVersion: flux.minKubernetesVersion, namespace, force: options.force ?? false, signal });
  emit({ type: 'log', level: 'info', message: `Kubernetes ${pre.serverVersion} is supported by Flux ${version}` });
  await workloadIdentityPreflight(client, plan, emit, signal);
  const state = await readClusterState(client, namespace, secretName, signal);
  checkSyncPath(state, options.path);
  // After the cluster's pre-flight, not beside it: a bootstrap that cannot reach its cluster
  // contacts the repository's server not at all (overlapping saved one REST round trip).
  if (rest) {
    // Heard at pre-flight, not after a clone. Only --pull-request depends on the REST API; a
    // direct push goes on without it (an on-premises server may not answer REST).
    await checkBranchPolicies(rest, branch, Boolean(plan.pullRequest), emit).catch((err: unknown) => {
      if (plan.pullRequest) throw err;
      emit({ type: 'log', level: 'debug', message: `branch policies not checked: ${err instanceof Error ? err.message : String(err)}` });
    });
  }

  const needsKey = plan.syncAuth === 'ssh' || pushesOverSsh(plan);
  const key = needsKey ? await deployKey(options, plan, state.secretData, ctx.run.askPassphrase) : undefined;
  const knownHosts = needsKey ? await scanKnownHosts(plan, timeoutMs(options, flux.timeout)) : undefined;
  let keyConfirmed = key?.source !== 'generated';
  if (key && !keyConfirmed && pushesOverSsh(plan)) keyConfirmed = await confirmKey(ctx, plan, key);

  const remote: GitRemote = {
    url: plan.push.url,
    shownUrl: shownUrl(options.url),
    auth: pushAuth(options, plan, key, knownHosts?.push, tokens),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...gitLimits(ctx),
  };
  step('clone', `cloning branch ${branch}`);
  const cloned = await cloneForBootstrap({ ...remote, branch, dir, createBranch: options.createBranch ?? false });
  const existing = await readRepoFile(dir, plan.kustomization.path);
  plan = planRepository(options, bundle, existing ? Buffer.from(existing).toString('utf8') : null);
  // Built before anything is pushed: a kustomization the core cannot build stops the run here.
  const cluster = await readClusterObjects(dir, plan);

  if (plan.pullRequest && rest) {
    return pullRequestSequence(ctx, { dir, step, rest, plan, cluster, remote, client, state, pre, key, knownHosts, keyConfirmed });
  }
  const { componentsMessage, syncMessage } = plan.commit;
  const commits: BootstrapResult['commits'] = [];
  const publish = (s: 'components' | 'sync', files: Manifest[], message: string, what: string) =>
    commitStep(ctx, { ...remote, dir, files, message, author: plan.commit.author, maxAttempts }, s, what, commits);
  step('components', `committing component manifests to ${plan.components.path}`);
  const componentFiles = [plan.components, ...(plan.kustomizationInComponentsCommit ? [plan.kustomization] : [])];
  await publish('components', componentFiles, componentsMessage, 'component manifests');

  if (!state.lastAppliedRevision) {
    step('install', 'installing components in the cluster');
    await apply(ctx, client, plan, cluster.install, 'install');
    emit({ type: 'done', step: 'install', message: 'installed components' });
  }

  step('secret', 'reconciling the Git credential Secret');
  await reconcileImagePullSecret(client, options, plan, emit, signal);
  if (key && !keyConfirmed) await confirmKey(ctx, plan, key);
  const secret = await reconcileSecret(ctx, client, plan, state, key, knownHosts?.sync);

  step('sync', `committing sync manifests to ${plan.sync.path}`);
  const syncSha = await publish('sync', [plan.sync, plan.kustomization], syncMessage, 'sync manifests');

  const revision = `${cloned.branch}@sha1:${syncSha}`;
  const contains = { ...remote, dir, branch: cloned.branch, commit: syncSha };
  await applyAndWait(ctx, step, { client, plan, cluster, pre, revision, contains });
  return {
    commits,
    secret,
    revision,
    ...(key ? { publicKey: key.pair.publicKey } : {}),
  };
}

interface ClusterSide {
  client: KubeClient;
  plan: Plan;
  cluster: ClusterObjects;
  pre: Awaited<ReturnType<typeof preflight>>;
  revision: string;
  /** The commit the cluster's revision must contain, and where to read the history. */
  contains: ContainsCommitOptions;
}

/** Applies the sync configuration, finishes a Helm takeover, waits for the cluster to reconcile `revision`. */
async function applyAndWait(ctx: Context, step: StepFn, { client, plan, cluster, pre, revision, contains }: ClusterSide): Promise<void> {
  const { emit, signal, options } = ctx;
  const flux = defaults();
  const { namespace } = plan;
  step('apply', 'applying the sync configuration');
  const applied = await apply(ctx, client, plan, cluster.apply, 'apply');
  if (pre.helm) {
    // --force took Flux over from Helm: finish it, so the next run needs no --force.
    await finishHelmTakeover(client, applied, pre.helm.releases, signal);
    emit({
      type: 'log',
      level: 'info',
      message: `removed Helm's marks from Flux's objects and ${pre.helm.releases.length} Helm release(s)`,
    });
  }

  step('health', `waiting for Flux to reconcile ${revision}`, { revision });
  await waitForHealth(client, bootstrapHealthTargets(namespace, plan.installedComponents, revision), {
    timeoutMs: timeoutMs(options, flux.timeout),
    signal,
    // Done when the cluster's revision contains our sync commit: another cluster's commit on
    // top of it (a fleet bootstrapping into one repository) counts.
    revisionContains: revisionContains(contains),
    onReady: (ref) => emit({ type: 'progress', step: 'health', message: `${ref} is ready`, ref, action: 'ready' }),
  });
  emit({ type: 'done', step: 'health', message: `bootstrap finished: the cluster reconciles ${revision}`, revision });
}

interface PullRequestRun {
  dir: string;
  step: StepFn;
  rest: NonNullable<ReturnType<typeof restClient>>;
  plan: Plan;
  cluster: ClusterObjects;
  remote: GitRemote;
  client: KubeClient;
  state: ClusterState;
  pre: Awaited<ReturnType<typeof preflight>>;
  key: DeployKey | undefined;
  knownHosts: { push: string | undefined; sync: string | undefined } | undefined;
  keyConfirmed: boolean;
}

/**
 * `--pull-request`: the commits go to the plan's branch and reach `--branch` through a pull
 * request; the cluster is touched only once it is merged, and then syncs `--branch` at the
 * merge (gotk-sync.yaml names `--branch`, never the pull request's branch).
 */
async function pullRequestSequence(ctx: Context, run: PullRequestRun): Promise<BootstrapResult> {
  const { emit, signal, options } = ctx;
  const { step, rest, plan, cluster, client, state, key } = run;
  const pr = plan.pullRequest;
  if (!pr) throw new FluxAzdoError('INTERNAL', 'no pull request in the plan');
  step('pull-request', `proposing the bootstrap commits from ${pr.sourceBranch} into ${pr.targetBranch}`);
  const opened = await openPullRequest(rest, pr, plan, { ...run.remote, dir: run.dir }, emit);
  const commits: BootstrapResult['commits'] = [];
  if (opened.pullRequest) {
    const merged = await awaitMerge(rest, opened.pullRequest, pr, { timeoutMs: timeoutMs(options, defaults().timeout), signal, emit });
    emit({
      type: 'done',
      step: 'pull-request',
      message: `pull request ${merged.id} was merged into ${pr.targetBranch}${merged.mergeCommit ? ` (${merged.mergeCommit.slice(0, 7)})` : ''}`,
      pullRequestId: merged.id,
      url: merged.webUrl,
      ...(merged.mergeCommit ? { sha: merged.mergeCommit } : {}),
    });
    if (merged.mergeCommit) commits.push({ message: pr.mergeCommitMessage, sha: merged.mergeCommit });
  }
  // The cluster reconciles the branch as it is now: the merge, or whatever was merged after it.
  const tip = await rest.branchTip(pr.targetBranch);
  if (!tip) throw new FluxAzdoError('BRANCH_NOT_FOUND', `branch ${pr.targetBranch} disappeared after the merge`, { option: 'branch' });
  if (!state.lastAppliedRevision) {
    step('install', 'installing components in the cluster');
    await apply(ctx, client, plan, cluster.install, 'install');
    emit({ type: 'done', step: 'install', message: 'installed components' });
  }
  step('secret', 'reconciling the Git credential Secret');
  await reconcileImagePullSecret(client, options, plan, emit, signal);
  if (key && !run.keyConfirmed) await confirmKey(ctx, plan, key);
  const secret = await reconcileSecret(ctx, client, plan, state, key, run.knownHosts?.sync);
  const revision = `${pr.targetBranch}@sha1:${tip}`;
  const contains = { ...run.remote, dir: run.dir, branch: pr.targetBranch, commit: tip };
  await applyAndWait(ctx, step, { client, plan, cluster, pre: run.pre, revision, contains });
  return { commits, secret, revision, ...(key ? { publicKey: key.pair.publicKey } : {}) };
}

/**
 * Each Git operation within `--timeout` (a server that never answers is a TIMEOUT, not a hang),
 * cancelled with the run, and every retry of a 429/5xx answer told as a warning with its facts.
 */
function gitLimits(ctx: Context): Pick<GitRemote, 'timeoutMs' | 'signal' | 'onServerRetry'> {
  return {
    timeoutMs: timeoutMs(ctx.options, defaults().timeout),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onServerRetry: (retry) =>
      ctx.emit({
        type: 'log',
        level: 'warn',
        message: `the Git server answered HTTP ${retry.status}${retry.retryAfterMs === undefined ? '' : ` with Retry-After ${retry.retryAfterMs / 1000}s`}; retrying in ${(retry.waitMs / 1000).toFixed(1)}s`,
        retry,
      }),
  };
}

/** Commits and pushes one of bootstrap's two commits; a re-run with nothing new pushes nothing. */
async function commitStep(
  ctx: Context,
  push: CommitAndPushOptions,
  step: 'components' | 'sync',
  what: string,
  commits: BootstrapResult['commits'],
): Promise<string> {
  const { sha, pushed, retries } = await commitAndPush(push);
  if (pushed) commits.push({ message: push.message, sha });
  const raced = retries > 0 ? ` after ${retries} retr${retries === 1 ? 'y' : 'ies'} (other bootstraps pushed first)` : '';
  ctx.emit({
    type: 'done',
    step,
    message: pushed ? `pushed ${what} (${sha.slice(0, 7)})${raced}` : `${what} are up to date${raced}`,
    sha,
    pushed,
    retries,
  });
  return sha;
}

async function apply(ctx: Context, client: KubeClient, plan: Plan, yaml: string, step: BootstrapStep): Promise<ApplyResult[]> {
  let count = 0;
  return applyManifests(client, yaml, {
    signal: ctx.signal,
    defaultNamespace: plan.namespace,
    onObject: (r) => {
      count += 1;
      ctx.emit({ type: 'progress', step, message: `${r.ref} ${r.action}`, current: count, ref: r.ref, action: r.action });
    },
  });
}

/** known_hosts for the push host and for the sync host (usually the same). */
export async function scanKnownHosts(plan: Plan, timeoutMs?: number): Promise<{ push: string | undefined; sync: string | undefined }> {
  const limit = timeoutMs === undefined ? {} : { timeoutMs };
  const scan = async (host: string, port: number, algos: string[]) =>
    (await scanHostKey(host, port, { ...limit, ...(algos.length > 0 ? { hostKeyAlgos: algos } : {}) })).knownHostsLine;
  const push = plan.push.transport === 'ssh' ? await scan(plan.push.host, plan.push.port, plan.push.hostKeyAlgorithms) : undefined;
  const host = plan.syncUrl.sshHost;
  const sync = plan.syncAuth === 'ssh' && host ? await scan(host.host, host.port, plan.sshHostkeyAlgos) : undefined;
  return { push, sync };
}

async function confirmKey(ctx: Context, plan: Plan, key: DeployKey): Promise<boolean> {
  const addKeyUrl = plan.deployKeyPage;
  ctx.emit({
    type: 'log',
    level: 'info',
    message: `deploy key ${key.pair.fingerprint}: ${key.pair.publicKey.trim()}${addKeyUrl ? `\nadd it to your SSH public keys at ${addKeyUrl}` : ''}`,
  });
  if (ctx.options.silent || !ctx.run.confirmDeployKey) return true;
  const ok = await ctx.run.confirmDeployKey({ publicKey: key.pair.publicKey, fingerprint: key.pair.fingerprint, addKeyUrl });
  if (!ok) throw new FluxAzdoError('CANCELLED', 'the deploy key was not confirmed; nothing was changed in the cluster Secret');
  return true;
}

async function reconcileSecret(
  ctx: Context,
  client: KubeClient,
  plan: Plan,
  state: ClusterState,
  key: DeployKey | undefined,
  knownHosts: string | undefined,
): Promise<BootstrapResult['secret']> {
  const { options, emit, signal } = ctx;
  const { namespace, secretName } = plan;
  if (plan.syncAuth === 'workloadIdentity') {
    emit({ type: 'done', step: 'secret', message: 'no Secret: the cluster syncs with Azure workload identity', action: 'none' });
    return null;
  }
  if (plan.syncAuth === 'ssh' && key?.source === 'existing-secret') {
    const ref = objectRef({ kind: 'Secret', namespace, name: secretName });
    emit({ type: 'done', step: 'secret', message: `${ref} is up to date (the deploy key is kept)`, ref, action: 'kept' });
    return { name: secretName, namespace };
  }
  const write = await gitSecretWrite(options, plan, state, key, knownHosts);
  const result = await applyGitSecret(client, write.input, { ...write.options, signal });
  emit({ type: 'done', step: 'secret', message: `${result.ref} ${result.action}`, ref: result.ref, action: result.action });
  return { name: secretName, namespace };
}

/** The Secret bootstrap writes and how (the dry run predicts the write from the same two). */
export async function gitSecretWrite(
  options: BootstrapOptions,
  plan: Plan,
  state: ClusterState,
  key: DeployKey | undefined,
  knownHosts: string | undefined,
): Promise<{ input: GitSecretInput; options: GitSecretOptions }> {
  const caCrt = options.caFile && plan.syncAuth !== 'ssh' ? await readCa(options.caFile) : undefined;
  const auth = secretAuth(options, plan, key, knownHosts, caCrt);
  const secret = generateSecret({ name: plan.secretName, namespace: plan.namespace, auth });
  if (plan.syncAuth !== 'ssh') return { input: secret, options: { auth: 'token' } };
  // Flux keeps an existing Secret on an SSH re-run, which is right only when the key IS that
  // Secret's: a key given or generated now (the Secret held none, e.g. a token sync before) is
  // the one the user was asked to add, so it must be written, without the old token's keys.
  const replace = key?.source !== 'existing-secret' || state.secretExists === false;
  const dropKeys = replace ? TOKEN_SECRET_KEYS.filter((k) => !(k in secret.stringData)) : [];
  return { input: secret, options: { auth: 'ssh', replace, ...(dropKeys.length > 0 ? { dropKeys } : {}) } };
}

/** What a token or bearer sync keeps in the Git Secret (`password` is also an SSH key's passphrase). */
const TOKEN_SECRET_KEYS = ['username', 'password', 'bearerToken'];

function secretAuth(
  options: BootstrapOptions,
  plan: Plan,
  key: DeployKey | undefined,
  knownHosts: string | undefined,
  caCrt: string | undefined,
): SecretAuth {
  const ca = caCrt ? { caCrt } : {};
  if (plan.syncAuth === 'bearer') return { type: 'bearer', token: patFor(options).expose(), ...ca };
  if (plan.syncAuth !== 'ssh') return { type: 'token', username: plan.username, password: patFor(options).expose(), ...ca };
  if (!key || knownHosts === undefined) throw new FluxAzdoError('INTERNAL', 'an SSH sync needs a deploy key and the host key');
  return {
    type: 'ssh',
    identity: key.pair.identity.expose(),
    identityPub: key.pair.publicKey,
    knownHosts,
    ...(key.passphrase ? { passphrase: key.passphrase.expose() } : {}),
  };
}

async function readCa(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new FluxAzdoError('USAGE', `cannot read --ca-file ${path}`, { option: 'ca-file' });
  }
}

/** A `done` event's facts when it changed the repository or the cluster; undefined when it did not. */
function changed(event: DoneEvent): DoneFact | undefined {
  switch (event.step) {
    case 'components':
    case 'sync':
      return event.pushed && event.sha ? { step: event.step, sha: event.sha } : undefined;
    case 'install':
      return { step: 'install' };
    case 'secret':
      return event.ref && event.action !== 'unchanged' && event.action !== 'kept' && event.action !== 'none'
        ? { step: 'secret', ref: event.ref, ...(event.action ? { action: event.action } : {}) }
        : undefined;
    default:
      return undefined;
  }
}

/** The cancel message: where it stopped, what was already done, and that a re-run is safe. */
function cancelMessage(step: BootstrapStep, done: readonly DoneFact[]): string {
  const what = done.map((f) => {
    if (f.step === 'components') return `pushed the component manifests (${f.sha?.slice(0, 7)})`;
    if (f.step === 'sync') return `pushed the sync manifests (${f.sha?.slice(0, 7)})`;
    if (f.step === 'install') return 'installed the components in the cluster';
    return `${f.action ?? 'applied'} ${f.ref}`;
  });
  const before = what.length === 0 ? 'nothing was changed yet' : `already done: ${what.join(', ')}`;
  return `bootstrap was cancelled at the ${step} step; ${before}; a re-run with the same flags is safe and carries on from there`;
}

function withStep(err: unknown, step: BootstrapStep, signal: AbortSignal | undefined, done: readonly DoneFact[]): FluxAzdoError {
  if (signal?.aborted) return new FluxAzdoError('CANCELLED', cancelMessage(step, done), { step, cause: err });
  if (err instanceof FluxAzdoError) {
    if (err.step) return err;
    return new FluxAzdoError(err.code, err.message, {
      step,
      cause: err,
      ...(err.option ? { option: err.option } : {}),
      ...(err.tried ? { tried: err.tried } : {}),
      ...(err.operation ? { operation: err.operation } : {}),
      ...(err.status === undefined ? {} : { status: err.status }),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new FluxAzdoError('INTERNAL', `bootstrap failed unexpectedly at ${step}: ${message}`, { step, cause: err });
}
