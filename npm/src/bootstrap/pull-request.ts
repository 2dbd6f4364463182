/**
 * Bootstrap into a protected branch (`--pull-request`): the REST pre-flight, the pull request
 * opened (or the open one reused) from the plan's branch into `--branch`, and the wait for its
 * merge. Nothing here touches the cluster; run.ts installs once `awaitMerge` returns.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { AzureDevOpsTokenProvider } from '../azure/token-provider.js';
import type { Plan, PullRequestPlan } from '../core/node.js';
import { AzureDevOpsRest, type PullRequestInfo } from '../azdo/rest.js';
import { FluxAzdoError } from '../errors.js';
import type { EventHandler } from '../events.js';
import { preparePullRequestBranch } from '../git/pr-branch.js';
import type { GitRemote } from '../git/index.js';
import { secretOf, type BootstrapOptions } from './options.js';

/** How often the wait asks Azure DevOps about the pull request. */
const POLL_MS = 1000;

/**
 * The REST client when a REST credential is at hand: the Entra token or the PAT of an HTTPS
 * push. With SSH, `--password` is the key's passphrase, so there is none.
 */
export function restClient(
  options: BootstrapOptions,
  plan: Plan,
  tokens: AzureDevOpsTokenProvider | undefined,
): AzureDevOpsRest | undefined {
  if (plan.repo.kind === 'generic' || plan.push.transport !== 'https') return undefined;
  const caFile = options.caFile ? { caFile: options.caFile } : {};
  // The Entra token pushes, so it is also the REST credential; a PAT given with it is the cluster's.
  if (tokens) return new AzureDevOpsRest({ repo: plan.repo, credential: { kind: 'entra', tokens }, ...caFile });
  const token = secretOf(options.password);
  if (!token) return undefined;
  return new AzureDevOpsRest({ repo: plan.repo, credential: { kind: 'pat', token }, ...caFile });
}

/** `--pull-request` needs the REST API: say so before anything is pushed. */
export function requireRest(rest: AzureDevOpsRest | undefined, plan: Plan): AzureDevOpsRest {
  if (rest) return rest;
  const why =
    plan.repo.kind === 'generic'
      ? 'the repository is not on Azure DevOps'
      : 'pushing over SSH leaves no REST credential (--password is the key passphrase there)';
  throw new FluxAzdoError(
    'REST_CREDENTIAL_MISSING',
    `--pull-request opens the pull request through the Azure DevOps REST API, which needs a Personal Access Token with Code (Read & Write) or a Microsoft Entra token: ${why}; use an https:// --url with --password or --azure-credential`,
    { option: 'pull-request' },
  );
}

/** Pre-flight: which policies apply to the branch, so a refusal is heard before the clone. */
export async function checkBranchPolicies(rest: AzureDevOpsRest, branch: string, pullRequest: boolean, emit: EventHandler): Promise<void> {
  const policies = await rest.branchPolicies(branch);
  if (policies.length === 0) {
    emit({ type: 'log', level: 'debug', message: `no branch policies apply to ${branch}` });
    return;
  }
  const names = [...new Set(policies.map((p) => p.type))].join(', ');
  emit({
    type: 'log',
    level: pullRequest ? 'info' : 'warn',
    message: pullRequest
      ? `branch ${branch} has policies (${names}): the bootstrap goes through a pull request`
      : `branch ${branch} has policies (${names}): Azure DevOps refuses direct pushes unless you may bypass them; --pull-request opens a pull request instead`,
  });
}

export interface OpenedPullRequest {
  /** Undefined when `--branch` already holds the plan's files (a re-run after the merge). */
  pullRequest: PullRequestInfo | undefined;
}

/**
 * Pushes the plan's commits to the pull request's branch (when they changed) and opens the pull
 * request, or reuses the open one. An abandoned one whose branch still exists stops the run.
 */
export async function openPullRequest(
  rest: AzureDevOpsRest,
  pr: PullRequestPlan,
  plan: Plan,
  remote: GitRemote & { dir: string },
  emit: EventHandler,
): Promise<OpenedPullRequest> {
  const existing = await rest.findPullRequest(pr.sourceBranch, pr.targetBranch);
  const branch = await preparePullRequestBranch({
    ...remote,
    target: pr.targetBranch,
    source: pr.sourceBranch,
    author: plan.commit.author,
    commits: [
      {
        files: [plan.components, ...(plan.kustomizationInComponentsCommit ? [plan.kustomization] : [])],
        message: plan.commit.componentsMessage,
      },
      { files: [plan.sync, plan.kustomization], message: plan.commit.syncMessage },
    ],
  });
  if (branch.targetUpToDate) {
    emit({ type: 'done', step: 'pull-request', message: `${pr.targetBranch} already holds the bootstrap files: no pull request needed` });
    return { pullRequest: undefined };
  }
  if (existing?.state === 'abandoned' && !branch.pushed) {
    throw new FluxAzdoError(
      'PULL_REQUEST_ABANDONED',
      `pull request ${existing.id} (${existing.webUrl}) from ${pr.sourceBranch} into ${pr.targetBranch} was abandoned; reactivate it, or delete branch ${pr.sourceBranch} and re-run to open a new one`,
      { option: 'pull-request' },
    );
  }
  emit({
    type: 'done',
    step: 'components',
    message: branch.pushed
      ? `pushed the bootstrap commits to ${pr.sourceBranch} (${branch.sha?.slice(0, 7)})`
      : `${pr.sourceBranch} is up to date`,
    ...(branch.sha ? { sha: branch.sha } : {}),
    pushed: branch.pushed,
  });
  let info: PullRequestInfo;
  let created = false;
  if (existing?.state === 'active') {
    info = existing;
  } else {
    ({ info, created } = await rest.openPullRequest({
      source: pr.sourceBranch,
      target: pr.targetBranch,
      title: pr.title,
      description: pr.description,
    }));
  }
  if (pr.autoComplete && !info.autoComplete) info = await rest.setAutoComplete(info, pr.mergeCommitMessage);
  emit({
    type: 'done',
    step: 'pull-request',
    message: `${created ? 'opened' : 'reusing'} pull request ${info.id} from ${pr.sourceBranch} into ${pr.targetBranch}: ${info.webUrl}`,
    pullRequestId: info.id,
    url: info.webUrl,
  });
  return { pullRequest: info };
}

/** Waits until the pull request is merged; abandoned or conflicting stops with a typed error. */
export async function awaitMerge(
  rest: AzureDevOpsRest,
  opened: PullRequestInfo,
  pr: PullRequestPlan,
  { timeoutMs, signal, emit }: { timeoutMs: number; signal: AbortSignal | undefined; emit: EventHandler },
): Promise<PullRequestInfo> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const info = await rest.getPullRequest(opened.id);
    if (info.state === 'completed') return info;
    if (info.state === 'abandoned') {
      throw new FluxAzdoError(
        'PULL_REQUEST_ABANDONED',
        `pull request ${info.id} (${info.webUrl}) was abandoned; nothing was changed in the cluster`,
        {
          option: 'pull-request',
        },
      );
    }
    if (info.mergeStatus === 'conflicts') {
      throw new FluxAzdoError(
        'PULL_REQUEST_CONFLICTS',
        `pull request ${info.id} (${info.webUrl}) has merge conflicts with ${pr.targetBranch}; re-run to rebuild ${pr.sourceBranch} on the branch's new tip`,
        { option: 'pull-request' },
      );
    }
    const state = `${info.state}, merge ${info.mergeStatus}${info.autoComplete ? ', auto-complete set' : ''}`;
    if (state !== last) {
      emit({
        type: 'progress',
        step: 'pull-request',
        message: `waiting for pull request ${info.id} to be merged (${state}): ${info.webUrl}`,
        pullRequestId: info.id,
        url: info.webUrl,
      });
      last = state;
    }
    if (Date.now() > deadline) {
      throw new FluxAzdoError(
        'TIMEOUT',
        `pull request ${info.id} (${info.webUrl}) was not merged within --timeout; re-run once it is merged to finish the cluster side`,
        {
          option: 'timeout',
        },
      );
    }
    await sleep(POLL_MS, undefined, signal ? { signal } : {});
  }
}
