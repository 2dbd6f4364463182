// An Azure-DevOps-like HTTPS Git server for tests: node:https in front of Git's own
// `git http-backend` (CGI), a per-run test CA, Basic auth with one accepted PAT (any username),
// an optional read-only PAT that gets 403 on receive-pack, optionally Entra Bearer tokens
// (git-auth.mjs), and fault switches for pushes.
//
// Paths are Azure DevOps' `/{org}/{project}/_git/{repo}`; each maps to a bare repo
// `<root>/{org}/{project}/{repo}`. Like Azure DevOps it speaks protocol v0 only (the Git-Protocol
// header is ignored) and refuses upload-pack requests that ask for neither multi_ack nor
// multi_ack_detailed (TF401041).
//
// Beside Git, the same host serves the Azure DevOps REST subset of ./azdo-rest/ under
// `/{org}[/{project}]/_apis/`, with the same credentials; a branch with policies there refuses
// direct pushes with TF402455, as Azure DevOps does, unless the pusher may bypass policies.
import { spawn, execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { createAzdoRest, policyRejection, preReceiveHookScript, receivePackCommands } from './azdo-rest/index.mjs';
import { serverCertificate } from '../support/test-pki.mjs';
import { createGitAuth } from './git-auth.mjs';
import { asksForDepth, createHttpFaults, requestKind, withoutShallow } from './git-faults.mjs';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';
// One to three segments before `_git`: org, org/project, tfs/collection/project or collection/project.
const REPO_PATH = /^((?:\/[^/]+){1,3}?)\/_git\/([^/]+)(\/.*)$/;

/** A throwaway CA and a server certificate for 127.0.0.1/localhost, signed by that CA. */
export function makeTestCa(dir) {
  return serverCertificate(dir, { caSubject: '/CN=flux-azdo test CA', subject: '/CN=localhost', names: ['IP:127.0.0.1', 'DNS:localhost'] });
}

/**
 * The repository a Git path names, as Azure DevOps routes them: `/{org}/{project}/_git/{repo}`,
 * Azure DevOps Server's `/{collection}/{project}/_git/{repo}` (under `/tfs/` on older servers),
 * and `/{org}/_git/{repo}`, the project's default repository (the project has the repo's name).
 * Names are percent-decoded (`Platform%20Team` is the project `Platform Team`). Returns the path
 * segments of the bare repo under the root and the rest of the URL path, or undefined.
 */
export function repoOfPath(pathname) {
  const match = REPO_PATH.exec(pathname);
  if (!match) return undefined;
  const [, prefix, repo, repoPath] = match;
  let segments;
  try {
    segments = [...prefix.split('/').filter(Boolean), repo].map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('/'))) return undefined;
  // `/{org}/_git/{repo}`: the project named like the repository.
  const names = segments.length === 2 ? [segments[0], segments[1], segments[1]] : segments;
  return { names, org: names[0], project: names[names.length - 2], repo: names[names.length - 1], repoPath };
}

function collectBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Whether the first pkt-line of an upload-pack request asks for multi_ack(_detailed). */
function asksForMultiAck(body) {
  const len = parseInt(body.subarray(0, 4).toString('ascii'), 16);
  if (!Number.isFinite(len) || len < 4) return true; // nothing wanted: nothing to check
  const line = body.subarray(4, len).toString('utf8');
  return /\bmulti_ack(_detailed)?\b/.test(line);
}

function runBackend({ root, method, pathInfo, query, contentType, body, user }) {
  return new Promise((resolve, reject) => {
    const child = spawn(HTTP_BACKEND, [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: method,
        PATH_INFO: pathInfo,
        QUERY_STRING: query,
        CONTENT_TYPE: contentType ?? '',
        CONTENT_LENGTH: String(body.length),
        REMOTE_USER: user,
        REMOTE_ADDR: '127.0.0.1',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: root,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.on('error', reject);
    child.on('close', () => {
      const raw = Buffer.concat(out);
      const split = raw.indexOf('\r\n\r\n');
      const headEnd = split >= 0 ? split : raw.indexOf('\n\n');
      const sepLen = split >= 0 ? 4 : 2;
      if (headEnd < 0) {
        resolve({ status: 500, headers: {}, body: Buffer.concat(err) });
        return;
      }
      const headers = {};
      let status = 200;
      for (const line of raw.subarray(0, headEnd).toString('latin1').split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[name] = value;
      }
      resolve({ status, headers, body: raw.subarray(headEnd + sepLen) });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(body);
  });
}

/** The identity behind the main PAT (Azure DevOps ids are GUIDs). */
const PAT_USER = {
  id: 'c3a1e4f0-6b2d-4d7e-9a51-0f1f1a2b3c4d',
  displayName: 'Flux Azdo Test',
  uniqueName: 'flux-azdo-test@example.invalid',
};

/**
 * Starts the server on 127.0.0.1 and a free port. `users`: more PATs, each an identity
 * (`{ pat, displayName, bypassPolicy }`; bypassPolicy: "Bypass policies when pushing/completing").
 * @param {{ pat?: string, readOnlyPat?: string, users?: { pat: string, displayName: string, bypassPolicy?: boolean }[],
 *   entra?: { service: object, tenantId?: string, members?: string[], readers?: string[] } }} options
 *   entra: accept Bearer tokens of tests/servers/entra's service (see git-auth.mjs); without a
 *   pat the server is Bearer-only.
 */
export async function startGitHttpsServer({ pat, readOnlyPat, users = [], entra, advertiseShallow = true } = {}) {
  if (!pat && !entra) throw new Error('startGitHttpsServer: pat or entra is required');
  const identities = [
    ...(pat ? [{ pat, ...PAT_USER, bypassPolicy: false }] : []),
    ...users.map((u) => ({
      id: randomUUID(),
      uniqueName: `${u.displayName.replace(/\W+/g, '.').toLowerCase()}@example.invalid`,
      bypassPolicy: false,
      ...u,
    })),
  ];
  const work = mkdtempSync(join(tmpdir(), 'flux-azdo-git-https-'));
  const root = join(work, 'repos');
  mkdirSync(root);
  const tls = makeTestCa(work);
  const caPem = readFileSync(tls.caFile, 'utf8');

  /** Fault switches, set by tests: each consumes one push (POST git-receive-pack). */
  const faults = {
    /** Drop the connection after the first bytes of a push arrive; the backend never runs. */
    dropPushMidRequest: 0,
    /** Let the backend apply the push, then drop the connection instead of answering. */
    dropPushAfterUpdate: 0,
    /**
     * Called once (then cleared) when a push arrives, before the backend sees it: lets a test
     * push a competing commit between the client's ref discovery and its update.
     */
    beforePush: undefined,
    /** Answer bad credentials like Azure DevOps sometimes does: HTTP 203 and an HTML sign-in page. */
    signInPageFor401: false,
    /** Status answers (500, 503, 429 with Retry-After) and hangs by request kind: see git-faults.mjs. */
    http: createHttpFaults(),
    /** Advertise `shallow` (Git's default); false: a server that cannot serve depth-limited fetches. */
    advertiseShallow,
  };
  const stats = { requests: 0, pushes: 0, unauthorized: 0, multiAckRefused: 0, policyRejected: 0 };
  const log = [];
  let baseUrl;
  const rest = createAzdoRest({ repoDir: (org, project, repo) => join(root, org, project, repo), baseUrl: () => baseUrl });
  /** Credential rotation switches: see revokePat / addPat / restrictPat below. */
  const pats = { accepted: new Set(), revoked: new Set(), restricted: new Map() };
  // The one place both Git and REST authenticate.
  const auth = createGitAuth({ identities, readOnlyPat, readOnlyIdentity: PAT_USER, entra, faults, stats, pats });

  const server = createServer({ key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) }, async (req, res) => {
    stats.requests += 1;
    try {
      const url = new URL(req.url, 'https://127.0.0.1');
      log.push(`${req.method} ${url.pathname}${url.search}`);
      if (auth.answerOrgProbe(req, res, url)) return;
      const match = rest.matches(url.pathname) ? undefined : repoOfPath(url.pathname);
      if (match && faults.http.intercept(requestKind(req.method, match.repoPath, url.searchParams), req, res)) return;
      if (!match && !rest.matches(url.pathname)) {
        res.writeHead(404).end('TF401019: not a Git repository path\n');
        return;
      }
      const user = await auth.authorize(req, res);
      if (user === undefined) return;
      const readOnly = user.readOnly;
      if (!match) {
        await rest.handle(req, res, url, user);
        return;
      }
      const { org, project, repo, repoPath, names } = match;
      const service = repoPath === '/info/refs' ? url.searchParams.get('service') : repoPath.slice(1);
      if (readOnly && service === 'git-receive-pack') {
        req.resume();
        res
          .writeHead(403, { 'Content-Type': 'text/plain' })
          .end("TF401027: You need the Git 'GenericContribute' permission to perform this action.\n");
        return;
      }
      const isPush = req.method === 'POST' && service === 'git-receive-pack';
      if (isPush) {
        stats.pushes += 1;
        if (faults.dropPushMidRequest > 0) {
          faults.dropPushMidRequest -= 1;
          req.once('data', () => req.socket.destroy());
          return;
        }
      }
      let body = await collectBody(req);
      if (isPush && faults.beforePush) {
        const hook = faults.beforePush;
        faults.beforePush = undefined;
        await hook();
      }
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (isPush && !user.bypassPolicy) {
        const request = receivePackCommands(body);
        const refused = (ref) => rest.isProtected(org, project, repo, ref);
        if (request.commands.some((c) => refused(c.ref))) {
          stats.policyRejected += 1;
          res
            .writeHead(200, { 'Content-Type': 'application/x-git-receive-pack-result', 'Cache-Control': 'no-cache' })
            .end(policyRejection(request, refused));
          return;
        }
      }
      if (req.method === 'POST' && service === 'git-upload-pack' && !faults.advertiseShallow && asksForDepth(body)) {
        // What was not advertised is refused, as Git's upload-pack refuses an unknown capability.
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('the server does not support shallow fetches (deepen)\n');
        return;
      }
      if (req.method === 'POST' && service === 'git-upload-pack' && !asksForMultiAck(body)) {
        stats.multiAckRefused += 1;
        res
          .writeHead(400, { 'Content-Type': 'text/plain' })
          .end('TF401041: The Git protocol sent is not as expected (Clients must support multi-ack.)\n');
        return;
      }
      const out = await runBackend({
        root,
        method: req.method,
        pathInfo: `/${names.join('/')}${repoPath}`,
        query: url.search.slice(1),
        contentType: req.headers['content-type'],
        body,
        user: 'flux-azdo-test',
      });
      if (faults.http.answerAfter(requestKind(req.method, repoPath, url.searchParams), req, res)) return;
      if (isPush && faults.dropPushAfterUpdate > 0) {
        faults.dropPushAfterUpdate -= 1;
        req.socket.destroy();
        return;
      }
      const noShallow = !faults.advertiseShallow && repoPath === '/info/refs' && service === 'git-upload-pack' && out.status === 200;
      res.writeHead(out.status, out.headers).end(noShallow ? withoutShallow(out.body) : out.body);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  baseUrl = `https://127.0.0.1:${port}`;

  const repoDir = (org, project, repo) => join(root, org, project, repo);
  return {
    baseUrl,
    caFile: tls.caFile,
    caPem,
    faults,
    stats,
    log,
    /** The Azure DevOps REST half: `addPolicy`, `pullRequests`, `stats`. */
    rest,
    /** The identities (without their PATs), for tests that play a reviewer. */
    identities: identities.map(({ pat: _pat, ...identity }) => identity),
    /** Installs a pre-receive hook that declines every push with `reason` (an on-premises server's hook). */
    declineWithHook(org, project, repo, reason) {
      const hook = join(repoDir(org, project, repo), 'hooks', 'pre-receive');
      writeFileSync(hook, preReceiveHookScript(reason), { mode: 0o755 });
    },
    /** Accept another PAT (read and write), as a newly created one. */
    addPat: (value) => pats.accepted.add(value),
    /** Revoke a PAT (or let it expire): it gets 401 from now on. */
    revokePat: (value) => pats.revoked.add(value),
    /**
     * A conditional access policy on a PAT: accepted only from clients whose User-Agent matches
     * (standing in for the source IP: everything here runs on 127.0.0.1), else 401 VS403463.
     */
    restrictPat: (value, allowedUserAgent) => pats.restricted.set(value, allowedUserAgent),
    /** The clone URL of a repo, as Azure DevOps shows it. */
    repoUrl: (org, project, repo) => `${baseUrl}/${org}/${project}/_git/${repo}`,
    repoDir,
    /**
     * Creates a bare repo. Azure DevOps creates repos empty; `{ empty: false }` adds one commit
     * on `main` with a README, like "Initialize with a README".
     */
    createRepo(org, project, repo, { empty = true, branch = 'main' } = {}) {
      const dir = createBare(repoDir(org, project, repo), repo, { empty, branch });
      rest.addRepo(org, project, repo);
      return dir;
    },
    /**
     * Creates the bare repo a clone URL's path names, in any of Azure DevOps' forms (see
     * repoOfPath: `/tfs/{collection}/{project}/_git/{repo}`, `/{org}/_git/{repo}`, names with
     * `%20`). Returns its URL on this server and its directory.
     */
    createRepoAt(urlPath, { empty = true, branch = 'main' } = {}) {
      const target = repoOfPath(`${urlPath}/info/refs`);
      if (!target) throw new Error(`createRepoAt: ${urlPath} is not an Azure DevOps repository path`);
      const dir = createBare(join(root, ...target.names), target.repo, { empty, branch });
      return { url: `${baseUrl}${urlPath}`, dir };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(work, { recursive: true, force: true });
    },
  };

  function createBare(dir, repo, { empty, branch }) {
    mkdirSync(dir, { recursive: true });
    execFileSync('git', ['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
    execFileSync('git', ['-C', dir, 'config', 'http.receivepack', 'true']);
    if (!empty) {
      const seed = mkdtempSync(join(work, 'seed-'));
      writeFileSync(join(seed, 'README.md'), `# ${repo}\n`);
      const git = (...args) => execFileSync('git', ['-C', seed, ...args], { env: gitEnv() });
      git('init', '--quiet', `--initial-branch=${branch}`);
      git('add', '.');
      git('commit', '--quiet', '-m', 'Initial commit');
      git('push', '--quiet', dir, `HEAD:refs/heads/${branch}`);
      rmSync(seed, { recursive: true, force: true });
    }
    return dir;
  }
}

/** An environment for git CLI calls in tests: fixed identity, no user or system config. */
export function gitEnv(extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Test Pusher',
    GIT_AUTHOR_EMAIL: 'pusher@example.invalid',
    GIT_COMMITTER_NAME: 'Test Pusher',
    GIT_COMMITTER_EMAIL: 'pusher@example.invalid',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}
