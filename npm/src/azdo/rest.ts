/**
 * The Azure DevOps REST calls of bootstrap (api-version 7.1) through Microsoft's maintained
 * client, azure-devops-node-api: the repository, the branch policies that apply to a branch, and
 * pull requests. Errors become FluxAzdoError with a code; messages quote the server's text,
 * never a credential. The client reads string enums into its numeric TypeScript enums.
 */
import type { IGitApi } from 'azure-devops-node-api/GitApi.js';
import {
  GitPullRequestMergeStrategy,
  PullRequestAsyncStatus,
  PullRequestStatus,
  type GitPullRequest,
} from 'azure-devops-node-api/interfaces/GitInterfaces.js';

import type { AzureDevOpsTokenProvider } from '../azure/token-provider.js';
import { organizationUrl, type Repo } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import type { SecretValue } from '../secret-value.js';

/** A REST credential: a PAT (Basic), or Microsoft Entra tokens (Bearer, `--azure-credential`). */
export type RestCredential = { kind: 'pat'; token: SecretValue } | { kind: 'entra'; tokens: AzureDevOpsTokenProvider };

export interface RestTarget {
  repo: Repo;
  credential: RestCredential;
  /** PEM file of CAs to trust (as for Git). */
  caFile?: string;
}

export interface BranchPolicy {
  id: number;
  type: string;
  isBlocking: boolean;
}

export type PullRequestState = 'active' | 'abandoned' | 'completed';

export interface PullRequestInfo {
  id: number;
  state: PullRequestState;
  /** `succeeded`, `conflicts`, `queued`, … (Azure DevOps' mergeStatus), lower camel case. */
  mergeStatus: string;
  /** The pull request's page in the browser. */
  webUrl: string;
  createdById: string;
  autoComplete: boolean;
  /** The commit the completion wrote on the target branch. */
  mergeCommit: string | undefined;
  sourceCommit: string | undefined;
}

/** The organization URL the client starts from, as the core spells it (names %-encoded). */
function orgUrlOf(repo: Repo): string {
  const url = organizationUrl(repo.url);
  if (!url) throw new FluxAzdoError('INTERNAL', `${repo.host} is not Azure DevOps: no REST API to call`);
  return url;
}

const STATE: Record<number, PullRequestState> = {
  [PullRequestStatus.Active]: 'active',
  [PullRequestStatus.Abandoned]: 'abandoned',
  [PullRequestStatus.Completed]: 'completed',
};

const MERGE_STATUS: Record<number, string> = {
  [PullRequestAsyncStatus.NotSet]: 'notSet',
  [PullRequestAsyncStatus.Queued]: 'queued',
  [PullRequestAsyncStatus.Conflicts]: 'conflicts',
  [PullRequestAsyncStatus.Succeeded]: 'succeeded',
  [PullRequestAsyncStatus.RejectedByPolicy]: 'rejectedByPolicy',
  [PullRequestAsyncStatus.Failure]: 'failure',
};

interface RestFailure {
  statusCode?: number;
  message?: string;
}

export class AzureDevOpsRest {
  readonly #target: RestTarget;
  readonly #orgUrl: string;
  #git: Promise<IGitApi> | undefined;
  #repoId: string | undefined;
  #webUrl: string | undefined;

  constructor(target: RestTarget) {
    this.#target = target;
    this.#orgUrl = orgUrlOf(target.repo);
  }

  async #api(): Promise<IGitApi> {
    const { credential } = this.#target;
    // An Entra token expires during a long wait for the merge: ask the provider (which caches
    // and refreshes it) before every call and hand the current one to the Bearer handler.
    const bearer = credential.kind === 'entra' ? (await credential.tokens.getToken()).expose() : undefined;
    const git = await this.#client(bearer);
    if (bearer !== undefined && this.#bearer) this.#bearer.token = bearer;
    return git;
  }

  #bearer: { token: string } | undefined;

  #client(bearer: string | undefined): Promise<IGitApi> {
    // Loaded on first use: a bootstrap without a REST credential never pays for the client.
    this.#git ??= Promise.all([import('azure-devops-node-api'), import('azure-devops-node-api/handlers/bearertoken.js')]).then(
      ([azdev, { BearerCredentialHandler }]) => {
        const { credential } = this.#target;
        let handler;
        if (credential.kind === 'pat') {
          handler = azdev.getPersonalAccessTokenHandler(credential.token.expose());
        } else {
          const bearerHandler = new BearerCredentialHandler(bearer ?? '');
          this.#bearer = bearerHandler;
          handler = bearerHandler;
        }
        // Azure DevOps answers bad credentials with 203 and a sign-in page unless told not to
        // (then a 401 with WWW-Authenticate); #fail maps both to AUTH_FAILED.
        const options = {
          headers: { 'X-TFS-FedAuthRedirect': 'Suppress' },
          ...(this.#target.caFile ? { cert: { caFile: this.#target.caFile } } : {}),
        };
        return new azdev.WebApi(this.#orgUrl, handler, options).getGitApi();
      },
    );
    return this.#git;
  }

  /** A REST failure as a typed error: what was asked, the HTTP status, the server's text. */
  #fail(what: string, err: unknown): FluxAzdoError {
    if (err instanceof FluxAzdoError) return err;
    const failure: RestFailure = typeof err === 'object' && err !== null ? err : {};
    const status = failure.statusCode;
    const said = (failure.message ?? String(err)).split('\n')[0]?.slice(0, 300) ?? '';
    if (status === 401 || status === 203) {
      return new FluxAzdoError('AUTH_FAILED', `${this.#orgUrl} refused the credentials to ${what} (HTTP ${status})`, {
        option: 'password',
      });
    }
    if (status === 403) {
      return new FluxAzdoError('SCOPE_MISSING', `${this.#orgUrl} denied ${what} (HTTP 403: ${said}): the PAT needs Code (Read & Write)`, {
        option: 'password',
      });
    }
    if (status === 404) return new FluxAzdoError('REPO_NOT_FOUND', `${what}: ${said}`, { option: 'url' });
    return new FluxAzdoError('REST_FAILED', `${what} failed${status ? ` (HTTP ${status})` : ''}: ${said}`);
  }

  async #repository(): Promise<string> {
    if (this.#repoId) return this.#repoId;
    const { repo } = this.#target;
    const what = `reading repository ${repo.name} of project ${repo.project}`;
    try {
      const found = await (await this.#api()).getRepository(repo.name, repo.project);
      if (!found?.id) throw new FluxAzdoError('REPO_NOT_FOUND', `${what}: no such repository`, { option: 'url' });
      this.#repoId = found.id;
      this.#webUrl = found.webUrl;
      return found.id;
    } catch (err) {
      throw this.#fail(what, err);
    }
  }

  /** The enabled policies that apply to `branch` (`_apis/git/policy/configurations?repositoryId&refName`). */
  async branchPolicies(branch: string): Promise<BranchPolicy[]> {
    const id = await this.#repository();
    const api = await this.#api();
    const url = `${this.#orgUrl}/${encodeURIComponent(this.#target.repo.project)}/_apis/git/policy/configurations?repositoryId=${id}&refName=${encodeURIComponent(`refs/heads/${branch}`)}&api-version=7.1`;
    try {
      // The client has no typed method for the branch-scoped query: a raw call with its REST client.
      const res = await api.rest.get<{
        value?: { id: number; isEnabled?: boolean; isBlocking?: boolean; type?: { displayName?: string } }[];
      }>(url);
      return (res.result?.value ?? [])
        .filter((p) => p.isEnabled !== false)
        .map((p) => ({ id: p.id, type: p.type?.displayName ?? 'policy', isBlocking: p.isBlocking === true }));
    } catch (err) {
      throw this.#fail(`reading the branch policies of ${branch}`, err);
    }
  }

  #info(pr: GitPullRequest): PullRequestInfo {
    const id = pr.pullRequestId ?? 0;
    return {
      id,
      state: STATE[pr.status ?? 0] ?? 'active',
      mergeStatus: MERGE_STATUS[pr.mergeStatus ?? 0] ?? 'notSet',
      webUrl: `${pr.repository?.webUrl ?? this.#webUrl ?? ''}/pullrequest/${id}`,
      createdById: pr.createdBy?.id ?? '',
      autoComplete: pr.autoCompleteSetBy?.id !== undefined,
      mergeCommit: pr.lastMergeCommit?.commitId,
      sourceCommit: pr.lastMergeSourceCommit?.commitId,
    };
  }

  /** The newest pull request from `source` into `target`, in any state; undefined when none. */
  async findPullRequest(source: string, target: string): Promise<PullRequestInfo | undefined> {
    const id = await this.#repository();
    try {
      const list = await (await this.#api()).getPullRequests(
        id,
        { sourceRefName: `refs/heads/${source}`, targetRefName: `refs/heads/${target}`, status: PullRequestStatus.All },
        this.#target.repo.project,
      );
      const newest = [...list].sort((a, b) => (b.pullRequestId ?? 0) - (a.pullRequestId ?? 0))[0];
      return newest ? this.#info(newest) : undefined;
    } catch (err) {
      throw this.#fail(`listing the pull requests from ${source} into ${target}`, err);
    }
  }

  /** Opens a pull request; an active one for the same branches (TF401179) is returned instead. */
  async openPullRequest(pr: {
    source: string;
    target: string;
    title: string;
    description: string;
  }): Promise<{ info: PullRequestInfo; created: boolean }> {
    const id = await this.#repository();
    try {
      const created = await (await this.#api()).createPullRequest(
        {
          sourceRefName: `refs/heads/${pr.source}`,
          targetRefName: `refs/heads/${pr.target}`,
          title: pr.title,
          description: pr.description,
        },
        id,
        this.#target.repo.project,
      );
      return { info: this.#info(created), created: true };
    } catch (err) {
      if ((err as RestFailure).statusCode === 409 || /TF401179/.test((err as RestFailure).message ?? '')) {
        const existing = await this.findPullRequest(pr.source, pr.target);
        if (existing?.state === 'active') return { info: existing, created: false };
      }
      throw this.#fail(`opening a pull request from ${pr.source} into ${pr.target}`, err);
    }
  }

  /** Auto-complete as the creator, with a merge commit (no fast-forward) and its message. */
  async setAutoComplete(pr: PullRequestInfo, mergeCommitMessage: string): Promise<PullRequestInfo> {
    const id = await this.#repository();
    try {
      const updated = await (await this.#api()).updatePullRequest(
        {
          autoCompleteSetBy: { id: pr.createdById },
          completionOptions: { mergeStrategy: GitPullRequestMergeStrategy.NoFastForward, mergeCommitMessage, deleteSourceBranch: false },
        },
        id,
        pr.id,
        this.#target.repo.project,
      );
      return this.#info(updated);
    } catch (err) {
      throw this.#fail(`setting auto-complete on pull request ${pr.id}`, err);
    }
  }

  /** The commit `branch` points at, or undefined when it does not exist. */
  async branchTip(branch: string): Promise<string | undefined> {
    const id = await this.#repository();
    try {
      const refs = await (await this.#api()).getRefs(id, this.#target.repo.project, `heads/${branch}`);
      return refs.find((r) => r.name === `refs/heads/${branch}`)?.objectId;
    } catch (err) {
      throw this.#fail(`reading branch ${branch}`, err);
    }
  }

  async getPullRequest(pullRequestId: number): Promise<PullRequestInfo> {
    const id = await this.#repository();
    try {
      return this.#info(await (await this.#api()).getPullRequest(id, pullRequestId, this.#target.repo.project));
    } catch (err) {
      throw this.#fail(`reading pull request ${pullRequestId}`, err);
    }
  }
}
