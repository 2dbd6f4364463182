// One real VS Code server (code-server from the npm cache) on loopback, with its own user-data,
// extensions, XDG, HOME and TMPDIR folders under one private root, so a test can scan everything
// it wrote. The extension is the BUILT .vsix, installed with --install-extension as a user would.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from '../harness/cluster.mjs';
import { watchProcessTree } from '../e2e/support/leak-scan.mjs';
import { entryPoint } from './builds.mjs';

const run = promisify(execFile);

/** Settings that keep the workbench quiet offline (no tips, walkthroughs, update or gallery calls). */
const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  // The built-in Git extension fails to activate in code-server 4.117 (a missing native module)
  // and would notify about it; the extension reads the remote itself, not through its API.
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

function environment(build, dirs, extraEnv) {
  const path = build.node ? `${build.node}${delimiter}${process.env.PATH}` : process.env.PATH;
  return {
    PATH: path,
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    XDG_CONFIG_HOME: join(dirs.home, '.config'),
    XDG_DATA_HOME: join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: join(dirs.home, '.cache'),
    LANG: 'C.UTF-8',
    ...extraEnv,
  };
}

const nodeOf = (build) => (build.node ? join(build.node, 'node') : process.execPath);

/**
 * Installs `vsix` and starts the server on `workspace`. `settings`: the user's settings.json
 * (on top of QUIET_SETTINGS); `env`: more environment for the server and its extension host
 * (KUBECONFIG); `moreVsix`: test extensions installed beside it. Resolves to { url, root, dirs, logText(), processes(), stop() }.
 */
export async function startCodeServer({ build, vsix, workspace, settings = {}, env = {}, moreVsix = [] }) {
  const root = mkdtempSync(join(tmpdir(), `flux-azdo-code-server-${build.version}-`));
  const dirs = {
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    home: join(root, 'home'),
    tmp: join(root, 'tmp'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeSettings(dirs, settings);
  const entry = entryPoint(build);
  const childEnv = environment(build, dirs, env);
  const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  for (const file of [vsix, ...moreVsix]) await run(nodeOf(build), [entry, ...common, '--install-extension', file], { env: childEnv });

  const port = await freePort();
  const logPath = join(root, 'code-server.log');
  const logFd = openSync(logPath, 'w');
  const child = spawn(
    nodeOf(build),
    [
      entry,
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      workspace,
    ],
    { env: childEnv, stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  const watch = watchProcessTree(child.pid, 50);
  let exited = false;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => ((exited = true), resolve({ code, signal }))));
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, () => exited, logPath);

  let seen;
  return {
    url,
    root,
    dirs,
    workspace,
    /** The workbench for `folder` (default: the workspace it was started on). */
    folderUrl: (folder = workspace) => `${url}/?folder=${encodeURIComponent(folder)}`,
    writeSettings: (more) => writeSettings(dirs, more),
    logText: () => readFileSync(logPath, 'utf8'),
    processes: () => (seen ??= watch.stop()),
    async stop({ keep = false } = {}) {
      seen ??= watch.stop();
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(timer);
      }
      // Its file watcher can outlive it by a few seconds and still write: retry the removal.
      if (!keep) rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 300 });
    },
  };
}

function writeSettings(dirs, settings) {
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), `${JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2)}\n`);
}

async function waitHealthy(url, exited, logPath) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited())
      throw new Error(`code-server exited before listening; its log: ${logPath}\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz in 60 s; its log: ${logPath}`);
}
