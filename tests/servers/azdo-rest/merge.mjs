// Pull request merges done by git itself in the bare repository, as Azure DevOps does on
// completion: `git merge-tree --write-tree` finds the merged tree (or the conflicts), then
// `git commit-tree` writes the merge commit (two parents, or one for a squash) and `git
// update-ref` moves the target branch only if it still is where the merge started.
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';

function env(person) {
  return {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: person.displayName,
    GIT_AUTHOR_EMAIL: person.uniqueName,
    GIT_COMMITTER_NAME: person.displayName,
    GIT_COMMITTER_EMAIL: person.uniqueName,
  };
}

/** The commit a branch points at, or null. */
export function branchTip(gitDir, refName) {
  const out = spawnSync('git', ['--git-dir', gitDir, 'rev-parse', '--verify', '--quiet', `${refName}^{commit}`], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : null;
}

/** The merged tree of two commits, or `{ conflicts }` naming the conflicting files. */
export function mergedTree(gitDir, target, source) {
  const out = spawnSync('git', ['--git-dir', gitDir, 'merge-tree', '--write-tree', '--name-only', target, source], { encoding: 'utf8' });
  const lines = out.stdout.trim().split('\n');
  if (out.status === 0) return { tree: lines[0] };
  if (out.status === 1)
    return { conflicts: lines.slice(1).filter((l) => l !== '' && !l.startsWith('Auto-merging') && !l.startsWith('CONFLICT')) };
  throw new Error(`git merge-tree failed: ${out.stderr}`);
}

/**
 * Merges `source` into `target` with `strategy` (`noFastForward` or `squash`); returns the new
 * target commit, or `{ conflicts }`.
 */
export function mergeBranches(gitDir, { targetRef, sourceRef, strategy, message, person }) {
  const target = branchTip(gitDir, targetRef);
  const source = branchTip(gitDir, sourceRef);
  if (!target || !source) return { missing: true };
  const merged = mergedTree(gitDir, target, source);
  if (merged.conflicts) return merged;
  const parents = strategy === 'squash' ? ['-p', target] : ['-p', target, '-p', source];
  const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { env: env(person), encoding: 'utf8' }).trim();
  const commit = git('commit-tree', merged.tree, ...parents, '-m', message);
  git('update-ref', '-m', `pull request merge`, targetRef, commit, target);
  return { commit, source, target };
}

export function deleteBranch(gitDir, refName) {
  execFileSync('git', ['--git-dir', gitDir, 'update-ref', '-d', refName]);
}

/** Branches of the repository whose name (without `refs/`) starts with `filter`. */
export function listRefs(gitDir, filter) {
  const out = execFileSync('git', ['--git-dir', gitDir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/'], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, objectId] = line.split(' ');
      return { name, objectId };
    })
    .filter((r) => !filter || r.name.slice('refs/'.length).startsWith(filter));
}

/** The repository's default branch (its HEAD), or null for an empty repository. */
export function defaultBranch(gitDir) {
  const out = spawnSync('git', ['--git-dir', gitDir, 'symbolic-ref', 'HEAD'], { encoding: 'utf8' });
  const ref = out.stdout.trim();
  return out.status === 0 && branchTip(gitDir, ref) ? ref : null;
}
