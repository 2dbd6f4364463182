/**
 * Clone, commit and push the way `flux bootstrap git` does (fluxcd/pkg gogit): one branch,
 * shallow when the server allows, an empty remote becomes a fresh history on the branch, a
 * missing branch in a non-empty remote is an error, commits only when something changed, pushes
 * never forced.
 *
 * The clone has no working tree: bootstrap changes a few files in a repo that may hold thousands,
 * so commits are built from objects (the HEAD tree with the changed paths replaced), and files
 * are read from HEAD with `readRepoFile` / `listRepoFiles`. Checking out every file would double
 * the time of a clone for nothing.
 */
import * as fs from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';

import git from 'isomorphic-git';

import { defaults, validateBranch } from '../core/node.js';
import { FluxAzdoError } from '../errors.js';
import { toGitError } from './git-errors.js';
import { withHeadFallback } from './head-fallback.js';
import { backoffMs, sleep, type Backoff } from './backoff.js';
import { advertisedTip, pushRef } from './push-ref.js';
import { withTransport, type Transport } from './transport.js';
import type { GitAuthor, GitRemote, RepoFile } from './types.js';

const REMOTE = 'origin';
/** Where the clone remembers whether the server allowed a shallow clone (so re-fetches match). */
const SHALLOW_CONFIG = 'fluxazdo.shallow';

export interface CloneForBootstrapOptions extends GitRemote {
  branch: string;
  /** An empty or missing directory to clone into. */
  dir: string;
  /** Create `branch` from the remote's default branch when a non-empty remote lacks it (Flux refuses). */
  createBranch?: boolean;
}

export interface ClonedRepo {
  dir: string;
  branch: string;
  /** The commit the branch points at, or null for a fresh history (empty remote). */
  head: string | null;
  /** The remote had no refs at all (Azure DevOps creates repos this way). */
  empty: boolean;
  /** Cloned with depth 1 (the server advertised `shallow`). */
  shallow: boolean;
  /** `branch` did not exist and was created from the default branch (createBranch). */
  createdBranch: boolean;
}

interface AdvertisedRef {
  ref: string;
  oid: string;
  target?: string;
}

async function resolveOrNull(dir: string, ref: string): Promise<string | null> {
  try {
    return await git.resolveRef({ fs, dir, ref });
  } catch {
    return null;
  }
}

async function configureBranch(dir: string, branch: string): Promise<void> {
  await git.setConfig({ fs, dir, path: `branch.${branch}.remote`, value: REMOTE });
  await git.setConfig({ fs, dir, path: `branch.${branch}.merge`, value: `refs/heads/${branch}` });
}

export async function cloneForBootstrap(options: CloneForBootstrapOptions): Promise<ClonedRepo> {
  // The core refuses what Git would refuse (INVALID_OPTION on branch).
  validateBranch(options.branch);
  const { branch, dir } = options;
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw new FluxAzdoError('IO', `${dir} is not empty; clone into a new or empty directory`);
  }
  return withTransport(options, async (t) => {
    let info;
    try {
      info = await git.getRemoteInfo2({ http: t.http, url: t.url, protocolVersion: 1 });
    } catch (err) {
      throw toGitError(err, t.shownUrl, 'clone');
    }
    const refs: AdvertisedRef[] = (info.refs ?? []) as AdvertisedRef[];
    const capabilities = (info.capabilities ?? {}) as Record<string, unknown>;
    const shallow = 'shallow' in capabilities;
    const heads = refs.filter((r) => r.ref.startsWith('refs/heads/'));
    const wanted = `refs/heads/${branch}`;

    if (heads.length === 0) {
      // Like fluxcd/pkg's Init: a fresh repo with origin set and HEAD on the branch.
      await git.init({ fs, dir, defaultBranch: branch });
      await git.addRemote({ fs, dir, remote: REMOTE, url: t.displayUrl });
      await configureBranch(dir, branch);
      await git.setConfig({ fs, dir, path: SHALLOW_CONFIG, value: shallow });
      return { dir, branch, head: null, empty: true, shallow, createdBranch: false };
    }

    let cloneRef = branch;
    let createdBranch = false;
    if (!heads.some((r) => r.ref === wanted)) {
      if (!options.createBranch) {
        throw new FluxAzdoError(
          'BRANCH_NOT_FOUND',
          `branch ${branch} does not exist in ${t.shownUrl}, which is not empty; create the branch first or choose an existing one with --branch`,
          { option: 'branch' },
        );
      }
      const symref = refs.find((r) => r.ref === 'HEAD')?.target;
      const base = heads.find((r) => r.ref === symref) ?? heads.find((r) => r.ref === 'refs/heads/main') ?? heads[0];
      cloneRef = (base as AdvertisedRef).ref.slice('refs/heads/'.length);
      createdBranch = true;
    }

    try {
      await git.clone({
        fs,
        // The branch is named: a remote HEAD left on a deleted branch must not matter.
        http: withHeadFallback(t.http, cloneRef),
        dir,
        url: t.url,
        ref: cloneRef,
        singleBranch: true,
        noTags: true,
        noCheckout: true,
        ...(shallow ? { depth: 1 } : {}),
      });
    } catch (err) {
      throw toGitError(err, t.shownUrl, 'clone');
    }
    if (t.url !== t.displayUrl) await git.setConfig({ fs, dir, path: `remote.${REMOTE}.url`, value: t.displayUrl });
    await git.setConfig({ fs, dir, path: SHALLOW_CONFIG, value: shallow });
    const head = await git.resolveRef({ fs, dir, ref: `refs/heads/${cloneRef}` });
    if (createdBranch) {
      await git.writeRef({ fs, dir, ref: wanted, value: head });
      await git.writeRef({ fs, dir, ref: 'HEAD', value: wanted, symbolic: true, force: true });
      await configureBranch(dir, branch);
    }
    return { dir, branch, head, empty: false, shallow, createdBranch };
  });
}

// ---------------------------------------------------------------------------------------------
// Commits built from objects

type TreeChange = Map<string, Uint8Array | TreeChange>;

function toBytes(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

function validatePath(path: string): string[] {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.toLowerCase() === '.git')) {
    throw new FluxAzdoError('INVALID_OPTION', `${JSON.stringify(path)} is not a path inside the repository`, { option: 'path' });
  }
  return parts;
}

function changeTree(files: RepoFile[]): TreeChange {
  const root: TreeChange = new Map();
  for (const file of files) {
    const parts = validatePath(file.path);
    let node = root;
    for (const dirName of parts.slice(0, -1)) {
      let child = node.get(dirName);
      if (!(child instanceof Map)) {
        child = new Map();
        node.set(dirName, child);
      }
      node = child;
    }
    node.set(parts[parts.length - 1] as string, toBytes(file.content));
  }
  return root;
}

/** Writes the tree `base` with `changes` applied; returns its id (equal to `base` when nothing changed). */
async function writeChangedTree(dir: string, base: string | null, changes: TreeChange): Promise<string> {
  const entries = base === null ? [] : (await git.readTree({ fs, dir, oid: base })).tree;
  const byName = new Map(entries.map((e) => [e.path, e]));
  for (const [name, change] of changes) {
    const existing = byName.get(name);
    if (change instanceof Map) {
      const oid = await writeChangedTree(dir, existing?.type === 'tree' ? existing.oid : null, change);
      byName.set(name, { mode: '040000', path: name, oid, type: 'tree' });
    } else {
      const oid = await git.hashBlob({ object: change }).then((r) => r.oid);
      if (existing?.type === 'blob' && existing.oid === oid) continue;
      await git.writeBlob({ fs, dir, blob: change });
      const mode = existing?.type === 'blob' && existing.mode === '100755' ? '100755' : '100644';
      byName.set(name, { mode, path: name, oid, type: 'blob' });
    }
  }
  return git.writeTree({ fs, dir, tree: [...byName.values()] });
}

/** Git's `+hhmm` / `-hhmm` for the machine's current UTC offset. */
function timezone(date: Date): string {
  const east = -date.getTimezoneOffset();
  const abs = Math.abs(east);
  return `${east < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

function validatePerson(author: GitAuthor): void {
  for (const [field, value] of [
    ['name', author.name],
    ['email', author.email],
  ] as const) {
    if (/[<>\n\r\0]/.test(value)) {
      throw new FluxAzdoError(
        'INVALID_OPTION',
        `the commit author ${field} ${JSON.stringify(value)} must not contain <, > or line breaks`,
        {
          option: `author-${field}`,
        },
      );
    }
  }
  if (author.name.trim() === '') throw new FluxAzdoError('INVALID_OPTION', 'the commit author name is empty', { option: 'author-name' });
}

/**
 * A commit object as go-git (and so Flux) writes it: the message exactly as given, with no
 * newline added; author and committer the same person, now.
 */
function renderCommit(commit: { tree: string; parents: string[]; author: GitAuthor; message: string }): string {
  const now = new Date();
  const person = `${commit.author.name} <${commit.author.email}> ${Math.floor(now.getTime() / 1000)} ${timezone(now)}`;
  const parents = commit.parents.map((p) => `parent ${p}\n`).join('');
  return `tree ${commit.tree}\n${parents}author ${person}\ncommitter ${person}\n\n${commit.message}`;
}

export interface CommitFilesOptions {
  dir: string;
  files: RepoFile[];
  message: string;
  author: GitAuthor;
}

/**
 * Commits `files` (written over whatever is at their paths) on the checked-out branch, with
 * `author` as author and committer. Returns the new commit, or null when nothing changed.
 */
export async function commitFiles(options: CommitFilesOptions): Promise<string | null> {
  const { dir } = options;
  validatePerson(options.author);
  const branch = await git.currentBranch({ fs, dir, fullname: true });
  if (branch === undefined) throw new FluxAzdoError('INTERNAL', `${dir} has no branch checked out`);
  const head = await resolveOrNull(dir, branch);
  const baseTree = head === null ? null : (await git.readCommit({ fs, dir, oid: head })).commit.tree;
  const changes = changeTree(options.files);
  if (changes.size === 0) return null;
  const tree = await writeChangedTree(dir, baseTree, changes);
  if (tree === baseTree) return null;
  const oid = await git.writeObject({
    fs,
    dir,
    type: 'commit',
    format: 'content',
    object: Buffer.from(
      renderCommit({ tree, parents: head === null ? [] : [head], author: options.author, message: options.message }),
      'utf8',
    ),
  });
  await git.writeRef({ fs, dir, ref: branch, value: oid, force: true });
  return oid;
}

/** A file's content at HEAD, or null when HEAD has no such file (or no commit yet). */
export async function readRepoFile(dir: string, path: string): Promise<Uint8Array | null> {
  validatePath(path);
  const head = await resolveOrNull(dir, 'HEAD');
  if (head === null) return null;
  try {
    const { blob } = await git.readBlob({ fs, dir, oid: head, filepath: path });
    return blob;
  } catch {
    return null;
  }
}

/** The paths of the files under `prefix` at HEAD (recursive, in Git's tree order). */
export async function listRepoFiles(dir: string, prefix = ''): Promise<string[]> {
  const head = await resolveOrNull(dir, 'HEAD');
  if (head === null) return [];
  const root = (await git.readCommit({ fs, dir, oid: head })).commit.tree;
  let oid = root;
  const parts = prefix === '' ? [] : validatePath(prefix.replace(/\/+$/, ''));
  for (const part of parts) {
    const entry = (await git.readTree({ fs, dir, oid })).tree.find((e) => e.path === part);
    if (entry?.type !== 'tree') return [];
    oid = entry.oid;
  }
  const out: string[] = [];
  const walk = async (treeOid: string, base: string): Promise<void> => {
    for (const entry of (await git.readTree({ fs, dir, oid: treeOid })).tree) {
      const path = base === '' ? entry.path : `${base}/${entry.path}`;
      if (entry.type === 'tree') await walk(entry.oid, path);
      else if (entry.type === 'blob') out.push(path);
    }
  };
  await walk(oid, parts.join('/'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Push

export interface PushOptions extends GitRemote {
  dir: string;
}

async function currentBranchName(dir: string): Promise<string> {
  const branch = await git.currentBranch({ fs, dir, fullname: false });
  if (branch === undefined) throw new FluxAzdoError('INTERNAL', `${dir} has no branch checked out`);
  return branch;
}

/** The checked-out branch pushed to the same branch of the remote (push-ref.ts: side band, typed errors, 429/5xx). */
function pushWith(t: Transport, dir: string, branch: string): Promise<string> {
  return pushRef(t, { dir, branch, remoteRef: `refs/heads/${branch}` });
}

/** Pushes the checked-out branch to the same branch of the remote, never forced. Returns the pushed commit. */
export async function push(options: PushOptions): Promise<string> {
  const branch = await currentBranchName(options.dir);
  return withTransport(options, (t) => pushWith(t, options.dir, branch));
}

/** Fetches the remote branch's tip (depth 1 when the clone is shallow); null when the branch is gone. */
async function fetchTip(t: Transport, dir: string, branch: string): Promise<string | null> {
  const shallow = (await git.getConfig({ fs, dir, path: SHALLOW_CONFIG })) === true;
  try {
    const result = await git.fetch({
      fs,
      http: withHeadFallback(t.http, branch),
      dir,
      url: t.url,
      remote: REMOTE,
      ref: branch,
      remoteRef: branch,
      singleBranch: true,
      tags: false,
      ...(shallow ? { depth: 1 } : {}),
    });
    return result.fetchHead ?? null;
  } catch (err) {
    if ((err as { code?: unknown }).code === git.Errors.NotFoundError.code) return null;
    throw toGitError(err, t.shownUrl, 'fetch');
  }
}

/** The remote branch's tip as advertised right now, or null. */
function remoteTip(t: Transport, branch: string): Promise<string | null> {
  return advertisedTip(t, `refs/heads/${branch}`);
}

export interface CommitAndPushOptions extends GitRemote, CommitFilesOptions {
  /**
   * Push attempts when someone else pushes first (each re-applies the files on their tip).
   * Default `defaults().pushRetries + 1`.
   */
  maxAttempts?: number;
  /** The retry backoff (full jitter below a doubling ceiling); default the core's `pushBackoffMs` / `pushBackoffMaxMs`. */
  backoff?: Partial<Backoff>;
  /** Told before each retry's wait: the attempt that failed (1 = the first push) and the wait in ms. */
  onRetry?: (attempt: number, waitMs: number) => void;
}

export interface CommitAndPushResult {
  /** The branch's commit on the remote holding the files. */
  sha: string;
  /** Whether this call pushed a commit (false: the remote already had these files). */
  pushed: boolean;
  /** Pushes rejected as not a fast-forward before this result (0: the first push went through). */
  retries: number;
}

/**
 * Writes `files`, commits with `message` and `author` when something changed, and pushes.
 * When the remote moved on meanwhile (non-fast-forward), waits a jittered, doubling backoff,
 * fetches the new tip, re-applies the same files on top and tries again, up to `maxAttempts`;
 * the other commit is never lost, the push never forced, and the rebuilt commit changes only
 * `files`. When the other pusher wrote these same paths (a second bootstrap of the same
 * `--path`), there is no rebuild: identical content is "up to date", different content is
 * CONCURRENT_BOOTSTRAP. A connection lost during the push is checked against the remote: if the
 * commit arrived, that counts as pushed.
 */
export async function commitAndPush(options: CommitAndPushOptions): Promise<CommitAndPushResult> {
  const { dir } = options;
  const flux = defaults();
  const maxAttempts = options.maxAttempts ?? flux.pushRetries + 1;
  const backoff: Backoff = { baseMs: flux.pushBackoffMs, maxMs: flux.pushBackoffMaxMs, ...options.backoff };
  const branch = await currentBranchName(dir);
  return withTransport(options, async (t) => {
    const commit = () => commitFiles({ dir, files: options.files, message: options.message, author: options.author });
    let sha = await commit();
    const tracking = await resolveOrNull(dir, `refs/remotes/${REMOTE}/${branch}`);
    const local = await resolveOrNull(dir, `refs/heads/${branch}`);
    if (sha === null) {
      // Nothing new, and nothing left unpushed from an earlier commit in this clone.
      if (local !== null && local === tracking) return { sha: local, pushed: false, retries: 0 };
      if (local === null) throw new FluxAzdoError('INVALID_OPTION', 'no files to commit into an empty repository', { option: 'path' });
      sha = local;
    }
    // The tip our commit was built on: what "someone else changed our files" is measured against.
    let base = tracking;
    for (let attempt = 1; ; attempt += 1) {
      const started = Date.now();
      try {
        await pushWith(t, dir, branch);
        return { sha, pushed: true, retries: attempt - 1 };
      } catch (err) {
        const error = toGitError(err, t.shownUrl, 'push');
        if (error.code === 'GIT_UNREACHABLE') {
          const tip = await remoteTip(t, branch).catch(() => undefined);
          if (tip === sha) return { sha, pushed: true, retries: attempt - 1 };
          throw error;
        }
        if (error.code !== 'NON_FAST_FORWARD' || attempt >= maxAttempts) throw error;
      }
      const waitMs = backoffMs(backoff, attempt, Math.random, Date.now() - started);
      options.onRetry?.(attempt, waitMs);
      await sleep(waitMs);
      const tip = await fetchTip(t, dir, branch);
      if (tip === null) {
        throw new FluxAzdoError('BRANCH_NOT_FOUND', `branch ${branch} disappeared from ${t.shownUrl} during the push`, {
          option: 'branch',
        });
      }
      const touched = await changedPaths(dir, base, tip, options.files);
      await git.writeRef({ fs, dir, ref: `refs/heads/${branch}`, value: tip, force: true });
      const again = await commit();
      if (again === null) return { sha: tip, pushed: false, retries: attempt };
      if (touched.length > 0) {
        throw new FluxAzdoError(
          'CONCURRENT_BOOTSTRAP',
          `another bootstrap pushed different content to ${touched.join(', ')} in ${t.shownUrl} while this one ran; ` +
            'bootstrap each --path from one job at a time (or give both the same options), then re-run',
          { option: 'path' },
        );
      }
      base = tip;
      sha = again;
    }
  });
}

/** The paths among `files` whose content differs between the commits `from` and `to`. */
async function changedPaths(dir: string, from: string | null, to: string, files: RepoFile[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const [before, after] = await Promise.all([blobOidAt(dir, from, file.path), blobOidAt(dir, to, file.path)]);
    if (before !== after) out.push(file.path);
  }
  return out;
}

async function blobOidAt(dir: string, commit: string | null, path: string): Promise<string | null> {
  if (commit === null) return null;
  try {
    return (await git.readBlob({ fs, dir, oid: commit, filepath: path })).oid;
  } catch {
    return null;
  }
}
