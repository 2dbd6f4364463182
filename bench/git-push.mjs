// Benchmark: push a bootstrap commit (3 files, ~350 KB gotk-components.yaml) into a repo of
// 10,000 files with ~50 MB of history on the local Azure-DevOps-like HTTPS server.
// Ours (cloneForBootstrap + commitAndPush) against the git CLI doing the same
// (clone --depth 1 --single-branch, write, commit, push), in this same script. Prints medians and
// the ratio; the target is ours ≤ 2× the git CLI.
//
// Usage: npm run build -w flux-azdo && node bench/git-push.mjs [runs=5]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { cloneForBootstrap, commitAndPush, SecretValue } from '../npm/dist/git/index.js';
import { bootstrapFiles, fakePat, gitCli, gitEnv } from '../tests/e2e/support/git-fixtures.mjs';
import { startGitHttpsServer } from '../tests/servers/git-https.mjs';
import { median } from './stats.mjs';

const RUNS = Number(process.argv[2] ?? 5);
const FILES = 10_000;
const HISTORY_COMMITS = 32;
const FILES_PER_COMMIT = 1_000;

/** Writes the big repo with `git fast-import` (seconds, not minutes): 10k files, then churn. */
function fastImport(bareDir) {
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', bareDir]);
  const child = spawn('git', ['-C', bareDir, 'fast-import', '--quiet'], { stdio: ['pipe', 'inherit', 'inherit'] });
  const write = (chunk) => child.stdin.write(chunk);
  const data = (text) => {
    const bytes = Buffer.from(text);
    write(`data ${bytes.length}\n`);
    write(bytes);
    write('\n');
  };
  const path = (i) => `apps/team-${i % 50}/service-${i % 200}/file-${i}.yaml`;
  let time = 1_700_000_000;
  for (let c = 0; c <= HISTORY_COMMITS; c += 1) {
    write('commit refs/heads/main\n');
    write(`committer Bench <bench@example.invalid> ${(time += 3600)} +0000\n`);
    data(c === 0 ? 'Initial import' : `Churn ${c}`);
    const touched = c === 0 ? FILES : FILES_PER_COMMIT;
    for (let k = 0; k < touched; k += 1) {
      const i = c === 0 ? k : (k * 7919 + c * 104729) % FILES;
      write(`M 100644 inline ${path(i)}\n`);
      // Commit 0: small text files; later commits: ~2 KB of poorly compressible text each.
      data(
        c === 0
          ? `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: file-${i}\n`
          : `# rev ${c}\nblob: ${randomBytes(1500).toString('base64')}\n`,
      );
    }
    write('\n');
  }
  child.stdin.end();
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited ${code}`)))),
  );
}

const pat = fakePat('bench');
const server = await startGitHttpsServer({ pat });
const work = mkdtempSync(join(tmpdir(), 'flux-azdo-bench-git-'));
try {
  const bare = server.repoDir('bench', 'proj', 'big');
  mkdirSync(dirname(bare), { recursive: true });
  let t = performance.now();
  await fastImport(bare);
  execFileSync('git', ['-C', bare, 'config', 'http.receivepack', 'true']);
  execFileSync('git', ['-C', bare, 'repack', '-adq']);
  const size = execFileSync('du', ['-sm', bare], { encoding: 'utf8' }).split('\t')[0];
  const count =
    execFileSync('git', ['-C', bare, 'ls-tree', '-r', '--name-only', 'main'], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n').length -
    1;
  console.log(
    `repo: ${count} files, ${HISTORY_COMMITS + 1} commits, ${size} MB packed (built in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );

  const url = server.repoUrl('bench', 'proj', 'big');
  const auth = { kind: 'token', username: 'git', password: new SecretValue(pat) };
  const header = `Authorization: Basic ${Buffer.from(`git:${pat}`).toString('base64')}`;
  const cliConfig = ['-c', `http.extraHeader=${header}`, '-c', `http.sslCAInfo=${server.caFile}`];

  async function ours(run) {
    const dir = join(work, `ours-${run}`);
    const files = bootstrapFiles('clusters/ours/flux-system', 350 * 1024, `ours-${run}`);
    const start = performance.now();
    await cloneForBootstrap({ url, branch: 'main', auth, caFile: server.caFile, dir });
    cloneMs.push(performance.now() - start);
    const result = await commitAndPush({
      url,
      auth,
      caFile: server.caFile,
      dir,
      files,
      message: 'Add Flux v2.9.4 component manifests',
      author: { name: 'Flux', email: '' },
    });
    const ms = performance.now() - start;
    if (!result.pushed) throw new Error('ours: nothing pushed');
    rmSync(dir, { recursive: true, force: true });
    return ms;
  }

  async function gitCliRun(run) {
    const dir = join(work, `cli-${run}`);
    const files = bootstrapFiles('clusters/cli/flux-system', 350 * 1024, `cli-${run}`);
    const env = gitEnv({ GIT_AUTHOR_NAME: 'Flux', GIT_AUTHOR_EMAIL: '', GIT_COMMITTER_NAME: 'Flux', GIT_COMMITTER_EMAIL: '' });
    const start = performance.now();
    await gitCli([...cliConfig, 'clone', '--quiet', '--depth', '1', '--single-branch', '--branch', 'main', url, dir], { env });
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    await gitCli(['-C', dir, 'add', '-A'], { env });
    await gitCli(['-C', dir, 'commit', '--quiet', '-m', 'Add Flux v2.9.4 component manifests'], { env });
    await gitCli([...cliConfig, '-C', dir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main'], { env });
    const ms = performance.now() - start;
    rmSync(dir, { recursive: true, force: true });
    return ms;
  }

  const cloneMs = [];
  // One warm-up of each (page cache, JIT), not counted.
  await gitCliRun('warmup');
  await ours('warmup');
  const times = { ours: [], cli: [] };
  for (let run = 0; run < RUNS; run += 1) {
    times.cli.push(await gitCliRun(run));
    times.ours.push(await ours(run));
    console.log(`run ${run + 1}/${RUNS}: ours ${times.ours[run].toFixed(0)} ms, git CLI ${times.cli[run].toFixed(0)} ms`);
  }
  const oursMedian = median(times.ours);
  const cliMedian = median(times.cli);
  const ratio = oursMedian / cliMedian;
  console.log(`ours, clone part: median ${median(cloneMs.slice(1)).toFixed(0)} ms`);
  console.log(
    `median: ours ${oursMedian.toFixed(0)} ms, git CLI ${cliMedian.toFixed(0)} ms, ratio ${ratio.toFixed(2)}× (target ≤ 2×) ${ratio <= 2 ? 'OK' : 'OVER TARGET'}`,
  );
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
