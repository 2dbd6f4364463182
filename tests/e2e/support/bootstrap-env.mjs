// The world a bootstrap end-to-end test runs in: a real kube-apiserver, the Azure-DevOps-like
// HTTPS Git server and the RSA-SHA2-only sshd. Bootstrap tests wait for Flux's real controllers
// (controller-pool.mjs); the status-writing stand-in here is kept only for the few places where no
// real controller can do it (each says why).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

import { startCluster } from '../../harness/cluster.mjs';
import { startGitHttpsServer } from '../../servers/git-https.mjs';
import { startSshd } from '../../servers/sshd.mjs';
import { manifestsDir } from '../../support/flux-reference.mjs';
import { watchProcessTree } from './leak-scan.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..', '..');
export const cliPath = join(repoRoot, 'npm', 'dist', 'cli', 'main.js');
export const bundleDir = manifestsDir;
export const DEFAULT_COMPONENTS = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller'];

/** `gitUsers`: more identities on the Git server (`{ pat, displayName, bypassPolicy }`), e.g. a reviewer. */
export async function startWorld({ gitUsers = [] } = {}) {
  // Obviously fake, made per run: the leak scan looks for it everywhere.
  const pat = `fake-pat-${randomBytes(16).toString('hex')}`;
  const [cluster, git, sshd] = await Promise.all([startCluster(), startGitHttpsServer({ pat, users: gitUsers }), startSshd()]);
  return {
    pat,
    cluster,
    git,
    sshd,
    async stop() {
      await Promise.allSettled([cluster.stop(), git.stop(), sshd.stop()]);
    },
  };
}

/**
 * TEST ONLY, and only where the real controllers cannot serve (say why at the call): plays
 * Flux's controllers when bootstrap reaches its health step: marks the
 * component Deployments available and reports the GitRepository and Kustomization Ready at
 * the revision bootstrap waits for. Returns the event handler to pass to bootstrap.
 */
export function controllerStandIn(cluster, namespace, components = DEFAULT_COMPONENTS) {
  const events = [];
  const pending = [];
  const onEvent = (event) => {
    events.push(event);
    if (event.type !== 'step' || event.step !== 'health') return;
    pending.push(reportReady(cluster, namespace, components, event.revision));
  };
  return { onEvent, events, settled: () => Promise.all(pending) };
}

export async function reportReady(cluster, namespace, components, revision) {
  for (const name of components) await cluster.markDeploymentAvailableForTest(namespace, name);
  for (const kind of ['GitRepository', 'Kustomization']) {
    await cluster.setFluxObjectStatusForTest({
      kind,
      namespace,
      name: namespace,
      ready: true,
      message: `Applied revision: ${revision}`,
      revision,
    });
  }
}

/** A private TMPDIR for one CLI run: the leak scan checks what is left in it. */
export function privateTmpDir() {
  return mkdtempSync(join(tmpdir(), 'e2e-cli-tmp-'));
}

/**
 * Runs the CLI; `onLine` sees each stdout line as it comes (for --json events). Each run gets a
 * private TMPDIR (`res.tmpDir`) and its process tree is sampled from /proc (`res.processes`), so
 * the leak scan sees what the run left behind and every argv and environment it had.
 */
export function runCli(args, { env = {}, input, onLine } = {}) {
  return new Promise((resolvePromise, reject) => {
    const tmpDir = privateTmpDir();
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, NO_COLOR: '1', GIT_PASSWORD: '', TMPDIR: tmpDir, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const watch = watchProcessTree(child.pid);
    const out = [];
    const err = [];
    let partial = '';
    child.stdout.on('data', (d) => {
      out.push(d);
      partial += d.toString();
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        onLine?.(line);
      }
    });
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (error) => (watch.stop(), reject(error)));
    child.on('close', (code) =>
      resolvePromise({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        tmpDir,
        processes: watch.stop(),
      }),
    );
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** The `--json` events in a CLI's stdout (the last line is the `result`). */
export function jsonEvents(stdout) {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((e) => e.type !== 'result');
}

/** `--json` events of the CLI, fed to a controller stand-in. */
export function jsonLines(standIn) {
  return (line) => {
    try {
      standIn.onEvent(JSON.parse(line));
    } catch {
      /* not an event */
    }
  };
}

export function git(dir, ...args) {
  return execFileSync('git', ['--git-dir', dir, ...args], { encoding: 'utf8' }).trim();
}

/** Branch tips of a bare repository (`{}` when empty). */
export function refs(dir) {
  const out = execFileSync('git', ['--git-dir', dir, 'for-each-ref', '--format=%(refname) %(objectname)'], { encoding: 'utf8' });
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')),
  );
}

/** Commits on `branch`, newest first: subject, author, files changed. */
export function history(dir, branch = 'main') {
  const out = git(dir, 'log', '--format=%H%x00%an <%ae>%x00%B%x01', branch);
  return out
    .split('\x01')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [sha, author, message] = entry.split('\x00');
      const files = git(dir, 'show', '--format=', '--name-only', sha).split('\n').filter(Boolean);
      return { sha, author, message: message.trim(), files };
    });
}

export async function getObject(cluster, path) {
  const { kubeRequest } = await import('../../harness/cluster.mjs');
  return kubeRequest(cluster.admin, 'GET', path);
}

/** `bootstrap git` with token auth against the world's HTTPS Git server and cluster, `--json` events. */
export const tokenBootstrapArgs = (world, url, namespace) => [
  'bootstrap',
  'git',
  '--token-auth',
  `--url=${url}`,
  '--branch=main',
  '--path=clusters/my-cluster',
  `--namespace=${namespace}`,
  `--ca-file=${world.git.caFile}`,
  `--kubeconfig=${world.cluster.kubeconfigPath}`,
  `--manifests=${bundleDir}`,
  '--timeout=5m',
  '--json',
];
