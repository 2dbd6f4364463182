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
import { createGitAuth } from './git-auth.mjs';

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend';
const REPO_PATH = /^\/([^/]+)\/([^/]+)\/_git\/([^/]+)(\/.*)$/;

/**
 * Creates a throwaway CA and a server certificate for 127.0.0.1/localhost, signed by that CA.
 * EC P-256 keys keep this under a few tens of milliseconds.
 */
export function makeTestCa(dir) {
  const ca = { key: join(dir, 'ca.key'), cert: join(dir, 'ca.pem') };
  const srv = { key: join(dir, 'server.key'), csr: join(dir, 'server.csr'), cert: join(dir, 'server.pem') };
  const ext = join(dir, 'server.ext');
  const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    '2',
    '-subj',
    '/CN=flux-azdo test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    srv.key,
    '-out',
    srv.csr,
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    srv.csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    srv.cert,
    '-days',
    '2',
    '-extfile',
    ext,
  );
  return { caFile: ca.cert, keyFile: srv.key, certFile: srv.cert };
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
export async function startGitHttpsServer({ pat, readOnlyPat, users = [], entra } = {}) {
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
      const match = REPO_PATH.exec(url.pathname);
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
      const [, org, project, repo, repoPath] = match;
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
        pathInfo: `/${org}/${project}/${repo}${repoPath}`,
        query: url.search.slice(1),
        contentType: req.headers['content-type'],
        body,
        user: 'flux-azdo-test',
      });
      if (isPush && faults.dropPushAfterUpdate > 0) {
        faults.dropPushAfterUpdate -= 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(out.status, out.headers).end(out.body);
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
      const dir = repoDir(org, project, repo);
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
      rest.addRepo(org, project, repo);
      return dir;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(work, { recursive: true, force: true });
    },
  };
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
