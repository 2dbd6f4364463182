// The subset of the Azure DevOps REST API (api-version 7.1, MicrosoftDocs/vsts-rest-api-specs
// specification/git/7.1/git.json) that bootstrap through a pull request uses, served beside the
// Git server on the same host as Azure DevOps does: repository by name or id, refs, the branch
// policy configurations that apply to a branch, pull requests (create, list, get, update,
// reviewer votes). Completing a pull request merges it in the bare repository with git itself
// (merge.mjs); auto-complete completes it once the policies pass. Policies are also what makes a
// branch refuse direct pushes (push-policy.mjs).
//
// Emulated policy evaluation: "Minimum number of reviewers" counts approving votes (10 or 5) of
// reviewers other than the author; other policy types are listed but not evaluated.
import { randomUUID } from 'node:crypto';

import { MAX_VERSION, discovery } from './discovery.mjs';
import { branchTip, defaultBranch, deleteBranch, listRefs, mergeBranches, mergedTree } from './merge.mjs';

export { TF402455, policyRejection, preReceiveHookScript, receivePackCommands } from './push-policy.mjs';

export const POLICY_TYPES = {
  minimumApprovalCount: { id: 'fa4e907d-c16b-4a4c-9dfa-4906e5d171dd', displayName: 'Minimum number of reviewers' },
  requiredReviewers: { id: 'fd2167ab-b0be-447a-8ec8-39368250530e', displayName: 'Required reviewers' },
  build: { id: '0609b952-1397-4640-95ec-e00a01b2c241', displayName: 'Build' },
};

const PR_STATUS = ['notSet', 'active', 'abandoned', 'completed', 'all'];
const MERGE_STRATEGY = ['', 'noFastForward', 'squash', 'rebase', 'rebaseMerge'];
const API_PATH = /^\/([^/]+)(?:\/([^/]+))?\/_apis\/(.*)$/;

/** An enum the client may send as its number or as the name in any case. */
function enumValue(names, value) {
  if (typeof value === 'number') return names[value];
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return names[Number(value)];
  return names.find((n) => n !== '' && n.toLowerCase() === value.toLowerCase());
}

class RestError extends Error {
  constructor(status, typeKey, message) {
    super(message);
    this.status = status;
    this.typeKey = typeKey;
  }
}

/** The api-version of a request (query, else the Accept header), checked like Azure DevOps does. */
function apiVersion(req, url) {
  const version = url.searchParams.get('api-version') ?? /api-version=([^;,\s]+)/.exec(req.headers.accept ?? '')?.[1];
  if (!version) {
    throw new RestError(
      400,
      'VssVersionNotSpecifiedException',
      `No api-version was supplied for the "${req.method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. '?api-version=1.0').`,
    );
  }
  const match = /^(\d+\.\d+)(-preview(\.\d+)?)?$/.exec(version);
  if (!match) throw new RestError(400, 'VssInvalidApiVersionException', `The api-version '${version}' is not valid.`);
  if (Number(match[1]) > Number(MAX_VERSION)) {
    throw new RestError(
      400,
      'VssVersionOutOfRangeException',
      `The requested REST API version of ${match[1]} is out of range for this server. The latest REST API version this server supports is ${MAX_VERSION}.`,
    );
  }
  return version;
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? undefined : JSON.parse(text));
      } catch {
        reject(new RestError(400, 'InvalidArgumentValueException', 'The request body is not valid JSON.'));
      }
    });
  });
}

/**
 * The REST half of the server. `repoDir(org, project, repo)` locates bare repositories; the Git
 * server registers each repository it creates with `addRepo` and asks `isProtected` on pushes.
 */
export function createAzdoRest({ repoDir, baseUrl }) {
  const projects = new Map();
  const repos = new Map();
  const policies = [];
  const pullRequests = [];
  let nextPullRequestId = 1;
  let nextPolicyId = 1;
  const stats = { calls: [], pullRequestsCreated: 0 };

  const orgUrl = (org) => `${baseUrl()}/${org}`;
  const projectOf = (org, name) => {
    const key = `${org}/${name.toLowerCase()}`;
    if (!projects.has(key)) projects.set(key, { id: randomUUID(), name, org });
    return projects.get(key);
  };
  const findProject = (org, nameOrId) =>
    [...projects.values()].find((p) => p.org === org && (p.name.toLowerCase() === nameOrId.toLowerCase() || p.id === nameOrId));

  function addRepo(org, projectName, name) {
    const project = projectOf(org, projectName);
    const known = findRepo(project, name);
    if (known) return known;
    const repo = { id: randomUUID(), name, org, project, gitDir: repoDir(org, projectName, name) };
    repos.set(repo.id, repo);
    return repo;
  }
  const findRepo = (project, nameOrId) =>
    [...repos.values()].find((r) => r.project === project && (r.id === nameOrId || r.name.toLowerCase() === nameOrId.toLowerCase()));
  const repoByPath = (org, projectName, name) => {
    const project = findProject(org, projectName);
    return project && findRepo(project, name);
  };

  const identityRef = (user) => ({
    displayName: user.displayName,
    url: `${orgUrl('_identities')}/${user.id}`,
    id: user.id,
    uniqueName: user.uniqueName,
    descriptor: `aad.${Buffer.from(user.id).toString('base64url')}`,
  });

  const projectJson = (p) => ({
    id: p.id,
    name: p.name,
    url: `${orgUrl(p.org)}/_apis/projects/${p.id}`,
    state: 'wellFormed',
    visibility: 'private',
  });
  const repoJson = (r) => {
    const web = `${orgUrl(r.org)}/${encodeURIComponent(r.project.name)}/_git/${encodeURIComponent(r.name)}`;
    const branch = defaultBranch(r.gitDir);
    return {
      id: r.id,
      name: r.name,
      url: `${orgUrl(r.org)}/${r.project.id}/_apis/git/repositories/${r.id}`,
      project: projectJson(r.project),
      ...(branch ? { defaultBranch: branch } : {}),
      size: 0,
      remoteUrl: web,
      sshUrl: `git@ssh.invalid:v3/${r.org}/${r.project.name}/${r.name}`,
      webUrl: web,
      isDisabled: false,
      isInMaintenance: false,
    };
  };

  const scopeMatches = (policy, repo, refName) =>
    policy.settings.scope.some(
      (s) =>
        (s.repositoryId === null || s.repositoryId === repo.id) &&
        (s.matchKind === 'Prefix' ? refName.startsWith(s.refName) : s.refName === refName),
    );
  const policiesFor = (repo, refName) => policies.filter((p) => p.projectId === repo.project.id && scopeMatches(p, repo, refName));
  const policyJson = (p) => ({
    createdBy: p.createdBy,
    createdDate: p.createdDate,
    isEnabled: p.isEnabled,
    isBlocking: p.isBlocking,
    isDeleted: false,
    settings: p.settings,
    isEnterpriseManaged: false,
    revision: 1,
    id: p.id,
    url: `${orgUrl(p.org)}/${p.projectId}/_apis/policy/configurations/${p.id}`,
    type: { id: p.type.id, url: `${orgUrl(p.org)}/${p.projectId}/_apis/policy/types/${p.type.id}`, displayName: p.type.displayName },
  });

  /** Whether the blocking policies of the target branch pass for this pull request. */
  function policiesPass(pr) {
    return policiesFor(pr.repo, pr.targetRefName)
      .filter((p) => p.isEnabled && p.isBlocking && p.type === POLICY_TYPES.minimumApprovalCount)
      .every((p) => {
        const approvals = pr.reviewers.filter(
          (r) => r.vote >= 5 && (p.settings.creatorVoteCounts || r.identity.id !== pr.createdBy.id),
        ).length;
        return approvals >= (p.settings.minimumApproverCount ?? 1);
      });
  }

  function mergeStatus(pr) {
    if (pr.status !== 'active') return pr.mergeStatus;
    const target = branchTip(pr.repo.gitDir, pr.targetRefName);
    const source = branchTip(pr.repo.gitDir, pr.sourceRefName);
    if (!target || !source) return 'failure';
    return mergedTree(pr.repo.gitDir, target, source).conflicts ? 'conflicts' : 'succeeded';
  }

  const prJson = (pr) => {
    const source = branchTip(pr.repo.gitDir, pr.sourceRefName) ?? pr.lastSource;
    const target = pr.status === 'active' ? branchTip(pr.repo.gitDir, pr.targetRefName) : pr.lastTarget;
    const commit = (id) => (id ? { commitId: id, url: `${repoJson(pr.repo).url}/commits/${id}` } : undefined);
    return {
      repository: repoJson(pr.repo),
      pullRequestId: pr.id,
      codeReviewId: pr.id,
      status: pr.status,
      createdBy: identityRef(pr.createdBy),
      creationDate: pr.creationDate,
      ...(pr.closedDate ? { closedDate: pr.closedDate, closedBy: identityRef(pr.closedBy) } : {}),
      title: pr.title,
      description: pr.description,
      sourceRefName: pr.sourceRefName,
      targetRefName: pr.targetRefName,
      mergeStatus: mergeStatus(pr),
      isDraft: false,
      mergeId: pr.mergeId,
      ...(source ? { lastMergeSourceCommit: commit(source) } : {}),
      ...(target ? { lastMergeTargetCommit: commit(target) } : {}),
      ...(pr.mergeCommit ? { lastMergeCommit: commit(pr.mergeCommit) } : {}),
      reviewers: pr.reviewers.map((r) => ({ ...identityRef(r.identity), vote: r.vote, hasDeclined: false, isFlagged: false })),
      ...(pr.autoCompleteSetBy ? { autoCompleteSetBy: identityRef(pr.autoCompleteSetBy) } : {}),
      ...(pr.completionOptions ? { completionOptions: pr.completionOptions } : {}),
      url: `${repoJson(pr.repo).url}/pullRequests/${pr.id}`,
      supportsIterations: true,
      artifactId: `vstfs:///Git/PullRequestId/${pr.repo.project.id}%2f${pr.repo.id}%2f${pr.id}`,
    };
  };

  /** Completes a pull request: merges with git, closes it; `{ conflicts }` leaves it active. */
  function complete(pr, by) {
    const options = pr.completionOptions ?? {};
    const strategy =
      enumValue(MERGE_STRATEGY, options.mergeStrategy) ??
      (options.squashMerge === true || options.squashMerge === 'true' ? 'squash' : 'noFastForward');
    const message = options.mergeCommitMessage || `Merged PR ${pr.id}: ${pr.title}`;
    const result = mergeBranches(pr.repo.gitDir, {
      targetRef: pr.targetRefName,
      sourceRef: pr.sourceRefName,
      strategy,
      message,
      person: by,
    });
    if (result.conflicts || result.missing) {
      pr.mergeStatus = result.conflicts ? 'conflicts' : 'failure';
      return false;
    }
    Object.assign(pr, {
      status: 'completed',
      mergeStatus: 'succeeded',
      mergeCommit: result.commit,
      lastSource: result.source,
      lastTarget: result.target,
      closedDate: new Date().toISOString(),
      closedBy: by,
    });
    if (options.deleteSourceBranch === true || options.deleteSourceBranch === 'true') deleteBranch(pr.repo.gitDir, pr.sourceRefName);
    return true;
  }

  /** Auto-complete: a pull request with `autoCompleteSetBy` completes as soon as its policies pass. */
  function autoComplete(pr) {
    if (pr.status === 'active' && pr.autoCompleteSetBy && policiesPass(pr)) complete(pr, pr.autoCompleteSetBy);
  }

  const findPr = (repo, id) => {
    const pr = pullRequests.find((p) => p.id === Number(id) && (!repo || p.repo === repo));
    if (!pr) throw new RestError(404, 'GitPullRequestNotFoundException', `TF401180: The requested pull request was not found.`);
    return pr;
  };

  async function createPr(repo, body, user) {
    const { sourceRefName, targetRefName } = body ?? {};
    if (!sourceRefName || !targetRefName) {
      throw new RestError(400, 'InvalidArgumentValueException', 'Value cannot be null. Parameter name: sourceRefName, targetRefName');
    }
    if (!branchTip(repo.gitDir, sourceRefName) || !branchTip(repo.gitDir, targetRefName)) {
      throw new RestError(
        400,
        'GitPullRequestCannotBeActivated',
        'TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches',
      );
    }
    if (
      pullRequests.some(
        (p) => p.repo === repo && p.status === 'active' && p.sourceRefName === sourceRefName && p.targetRefName === targetRefName,
      )
    ) {
      throw new RestError(
        409,
        'GitPullRequestExistsException',
        'TF401179: An active pull request for the source and target branch already exists.',
      );
    }
    const pr = {
      id: nextPullRequestId++,
      repo,
      status: 'active',
      createdBy: user,
      creationDate: new Date().toISOString(),
      title: body.title ?? '',
      description: body.description ?? '',
      sourceRefName,
      targetRefName,
      mergeId: randomUUID(),
      reviewers: [],
    };
    pullRequests.push(pr);
    stats.pullRequestsCreated += 1;
    return pr;
  }

  function updatePr(pr, body, user) {
    const patch = body ?? {};
    if (pr.status !== 'active' && (patch.status === undefined || enumValue(PR_STATUS, patch.status) !== 'active')) {
      throw new RestError(409, 'InvalidArgumentValueException', `TF401181: The pull request cannot be edited due to its state.`);
    }
    if (patch.title !== undefined) pr.title = patch.title;
    if (patch.description !== undefined) pr.description = patch.description;
    if (patch.completionOptions !== undefined) {
      const strategy = patch.completionOptions.mergeStrategy;
      const named = strategy === undefined ? 'noFastForward' : enumValue(MERGE_STRATEGY, strategy);
      if (named === 'rebase' || named === 'rebaseMerge') {
        throw new RestError(400, 'NotSupportedException', `this test server does not emulate the ${named} merge strategy`);
      }
      pr.completionOptions = { ...patch.completionOptions, ...(named ? { mergeStrategy: named } : {}) };
    }
    if (patch.autoCompleteSetBy !== undefined) {
      const id = patch.autoCompleteSetBy?.id;
      pr.autoCompleteSetBy = id ? (id === user.id ? user : { ...user, id }) : undefined;
    }
    const status = patch.status === undefined ? undefined : enumValue(PR_STATUS, patch.status);
    if (status === 'abandoned') Object.assign(pr, { status, mergeStatus: 'notSet', closedDate: new Date().toISOString(), closedBy: user });
    if (status === 'active' && pr.status === 'abandoned') Object.assign(pr, { status, closedDate: undefined, closedBy: undefined });
    if (status === 'completed') {
      const expected = branchTip(pr.repo.gitDir, pr.sourceRefName);
      if (patch.lastMergeSourceCommit?.commitId !== expected) {
        throw new RestError(
          409,
          'GitPullRequestStaleException',
          'TF401192: The pull request source has changed; lastMergeSourceCommit must be the current source commit.',
        );
      }
      const bypass = pr.completionOptions?.bypassPolicy === true && user.bypassPolicy;
      if (!bypass && !policiesPass(pr)) pr.mergeStatus = 'rejectedByPolicy';
      else complete(pr, user);
    }
    autoComplete(pr);
  }

  /** Routes one REST request; the caller has authenticated `user`. */
  async function route(req, url, { org, project: projectName, rest }, user) {
    const project = projectName && findProject(org, decodeURIComponent(projectName));
    if (projectName && !project)
      throw new RestError(404, 'ProjectDoesNotExistWithNameException', `TF200016: The following project does not exist: ${projectName}.`);
    const parts = rest.split('/').map(decodeURIComponent);
    const lower = parts.map((p) => p.toLowerCase());
    const method = req.method;
    if (!project) throw new RestError(404, 'NotFound', `no such resource: ${url.pathname}`);
    if (lower[0] === 'git' && lower[1] === 'policy' && lower[2] === 'configurations' && parts.length === 3 && method === 'GET') {
      const repositoryId = url.searchParams.get('repositoryId');
      const refName = url.searchParams.get('refName');
      const policyType = url.searchParams.get('policyType');
      const repo = repositoryId ? findRepo(project, repositoryId) : undefined;
      if (repositoryId && !repo) throw repoNotFound(repositoryId);
      const value = policies
        .filter((p) => p.projectId === project.id)
        .filter((p) => !repo || p.settings.scope.some((s) => s.repositoryId === null || s.repositoryId === repo.id))
        .filter((p) => !repo || !refName || scopeMatches(p, repo, refName))
        .filter((p) => !policyType || p.type.id === policyType)
        .map(policyJson);
      return [200, { value, count: value.length }];
    }
    if (lower[0] === 'git' && lower[1] === 'pullrequests' && parts.length === 3 && method === 'GET') {
      const pr = findPr(undefined, parts[2]);
      if (pr.repo.project !== project) throw findPr(undefined, -1);
      return [200, prJson(pr)];
    }
    if (lower[0] !== 'git' || lower[1] !== 'repositories' || parts.length < 3)
      throw new RestError(404, 'NotFound', `no such resource: ${url.pathname}`);
    const repo = findRepo(project, parts[2]);
    if (!repo) throw repoNotFound(parts[2]);
    if (parts.length === 3 && method === 'GET') return [200, repoJson(repo)];
    if (lower[3] === 'refs' && method === 'GET') {
      const filter = url.searchParams.get('filter') ?? parts.slice(4).join('/');
      const value = listRefs(repo.gitDir, filter).map((r) => ({
        ...r,
        creator: identityRef(user),
        url: `${repoJson(repo).url}/refs?filter=${encodeURIComponent(r.name.slice(5))}`,
      }));
      return [200, { value, count: value.length }];
    }
    if (lower[3] === 'pullrequests') {
      if (parts.length === 4 && method === 'POST') return [201, prJson(await createPr(repo, await readJson(req), user))];
      if (parts.length === 4 && method === 'GET') {
        const q = (name) => url.searchParams.get(`searchCriteria.${name}`);
        const status = q('status') === null ? 'active' : enumValue(PR_STATUS, q('status'));
        const value = pullRequests
          .filter((p) => p.repo === repo)
          .filter((p) => status === 'all' || p.status === status)
          .filter((p) => !q('sourceRefName') || p.sourceRefName === q('sourceRefName'))
          .filter((p) => !q('targetRefName') || p.targetRefName === q('targetRefName'))
          .sort((a, b) => b.id - a.id)
          .map(prJson);
        return [200, { value, count: value.length }];
      }
      const pr = findPr(repo, parts[4]);
      if (parts.length === 5 && method === 'GET') return [200, prJson(pr)];
      if (parts.length === 5 && method === 'PATCH') {
        updatePr(pr, await readJson(req), user);
        return [200, prJson(pr)];
      }
      if (parts.length === 7 && lower[5] === 'reviewers' && method === 'PUT') {
        const body = (await readJson(req)) ?? {};
        if (parts[6] !== user.id) throw new RestError(403, 'UnauthorizedRequestException', 'a reviewer can only cast their own vote');
        const existing = pr.reviewers.find((r) => r.identity.id === user.id);
        if (existing) existing.vote = Number(body.vote ?? 0);
        else pr.reviewers.push({ identity: user, vote: Number(body.vote ?? 0) });
        autoComplete(pr);
        return [200, { ...identityRef(user), vote: Number(body.vote ?? 0) }];
      }
    }
    throw new RestError(404, 'NotFound', `no such resource: ${url.pathname}`);
  }

  const repoNotFound = (id) =>
    new RestError(
      404,
      'GitRepositoryNotFoundException',
      `TF401019: The Git repository with name or identifier ${id} does not exist or you do not have permissions for the operation you are attempting.`,
    );

  return {
    stats,
    pullRequests,
    addRepo,
    /** Whether `/_apis/` requests at this path are ours. */
    matches: (pathname) => API_PATH.test(pathname),
    /**
     * A branch with enabled policies accepts changes only through pull requests (Azure DevOps
     * refuses direct pushes with TF402455).
     */
    isProtected(org, project, name, refName) {
      const repo = repoByPath(org, project, name);
      return repo ? policiesFor(repo, refName).some((p) => p.isEnabled) : false;
    },
    /** Adds a branch policy, as a project administrator would in the branch's settings. */
    addPolicy(
      org,
      projectName,
      name,
      {
        branch,
        type = 'minimumApprovalCount',
        isBlocking = true,
        minimumApproverCount = 1,
        creatorVoteCounts = false,
        matchKind = 'Exact',
      },
    ) {
      const repo = repoByPath(org, projectName, name);
      if (!repo) throw new Error(`addPolicy: no repository ${org}/${projectName}/${name}`);
      const policy = {
        id: nextPolicyId++,
        org,
        projectId: repo.project.id,
        type: POLICY_TYPES[type],
        isEnabled: true,
        isBlocking,
        createdDate: new Date().toISOString(),
        createdBy: { displayName: 'Project Administrator', id: randomUUID() },
        settings: {
          ...(type === 'minimumApprovalCount'
            ? { minimumApproverCount, creatorVoteCounts, allowDownvotes: false, resetOnSourcePush: false }
            : {}),
          scope: [{ refName: branch.startsWith('refs/') ? branch : `refs/heads/${branch}`, matchKind, repositoryId: repo.id }],
        },
      };
      policies.push(policy);
      return policy.id;
    },
    /** Answers a request under `/_apis/`, after the caller authenticated `user` (undefined: refused already). */
    async handle(req, res, url, user) {
      const [, org, project, rest] = API_PATH.exec(url.pathname);
      const json = (status, body) => res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
      stats.calls.push(`${req.method} ${url.pathname}${url.search}`);
      try {
        const areaPath = project === undefined ? rest : undefined;
        if (areaPath !== undefined && discovery(req, res, { orgUrl: orgUrl(org), areaPath })) return;
        apiVersion(req, url);
        const [status, body] = await route(req, url, { org, project, rest }, user);
        json(status, body);
      } catch (error) {
        if (!(error instanceof RestError)) throw error;
        json(error.status, {
          $id: '1',
          innerException: null,
          message: error.message,
          typeName: `Microsoft.TeamFoundation.${error.typeKey}, Microsoft.TeamFoundation`,
          typeKey: error.typeKey,
          errorCode: 0,
          eventId: 3000,
        });
      }
    },
  };
}
