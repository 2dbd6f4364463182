/**
 * The branch of a pull request bootstrap: the two bootstrap commits built on the target branch's
 * tip under a branch of their own, pushed only when its files differ from what the remote branch
 * already holds. The branch belongs to bootstrap, so a re-run that rebuilt it on a newer target
 * tip replaces it (a forced push of that one branch; the target is never forced).
 */
import * as fs from 'node:fs';

import git from 'isomorphic-git';

import { FluxAzdoError } from '../errors.js';
import { toGitError } from './git-errors.js';
import { withHeadFallback } from './head-fallback.js';
import { pushRef } from './push-ref.js';
import { commitFiles } from './repo.js';
import { withTransport } from './transport.js';
import type { GitAuthor, GitRemote, RepoFile } from './types.js';

export interface PullRequestBranchOptions extends GitRemote {
  /** The clone of the target branch (cloneForBootstrap). */
  dir: string;
  target: string;
  source: string;
  commits: { files: RepoFile[]; message: string }[];
  author: GitAuthor;
}

export interface PullRequestBranchResult {
  /** The target branch already holds every file: nothing to propose. */
  targetUpToDate: boolean;
  /** The source branch's tip holding the files (undefined when the target is up to date). */
  sha: string | undefined;
  /** Whether this call pushed the source branch. */
  pushed: boolean;
}

async function sameFiles(dir: string, oid: string, files: RepoFile[]): Promise<boolean> {
  for (const file of files) {
    try {
      const { blob } = await git.readBlob({ fs, dir, oid, filepath: file.path });
      const want = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content);
      if (!Buffer.from(blob).equals(want)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export async function preparePullRequestBranch(options: PullRequestBranchOptions): Promise<PullRequestBranchResult> {
  const { dir, target, source } = options;
  const base = await git.resolveRef({ fs, dir, ref: `refs/heads/${target}` }).catch(() => null);
  if (base === null) {
    throw new FluxAzdoError('BRANCH_NOT_FOUND', `a pull request needs branch ${target} to exist; push a first commit to it`, {
      option: 'branch',
    });
  }
  await git.writeRef({ fs, dir, ref: `refs/heads/${source}`, value: base, force: true });
  await git.writeRef({ fs, dir, ref: 'HEAD', value: `refs/heads/${source}`, symbolic: true, force: true });
  let changed = false;
  for (const commit of options.commits) {
    if ((await commitFiles({ dir, files: commit.files, message: commit.message, author: options.author })) !== null) changed = true;
  }
  if (!changed) return { targetUpToDate: true, sha: undefined, pushed: false };
  const sha = await git.resolveRef({ fs, dir, ref: `refs/heads/${source}` });
  const allFiles = options.commits.flatMap((c) => c.files);
  return withTransport(options, async (t) => {
    const info = await git.getRemoteInfo2({ http: t.http, url: t.url, protocolVersion: 1, forPush: true }).catch((err: unknown) => {
      throw toGitError(err, t.shownUrl, 'fetch');
    });
    const remote = (info.refs ?? []).find((r) => r.ref === `refs/heads/${source}`);
    if (remote) {
      try {
        const fetched = await git.fetch({
          fs,
          http: withHeadFallback(t.http, source),
          dir,
          url: t.url,
          ref: source,
          remoteRef: source,
          singleBranch: true,
          tags: false,
          depth: 1,
        });
        const tip = fetched.fetchHead ?? remote.oid;
        // The plan's files are already on the pull request's branch: leave it (and its reviews) alone.
        if (await sameFiles(dir, tip, allFiles)) return { targetUpToDate: false, sha: tip, pushed: false };
      } catch (err) {
        throw toGitError(err, t.shownUrl, 'fetch');
      }
    }
    // The pull request's branch is bootstrap's own: a rebuilt one replaces it (never the target).
    await pushRef(t, { dir, branch: source, remoteRef: `refs/heads/${source}`, force: true });
    return { targetUpToDate: false, sha, pushed: true };
  });
}
