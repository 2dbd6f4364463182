// What one build's run of the real-VS-Code suite works against: the test world (kube-apiserver,
// the Azure-DevOps-like HTTPS Git server, sshd; tests/e2e/support/bootstrap-env.mjs), a
// workspace that is a clone of the Azure DevOps repository (so its remote is offered), and one
// code-server with the BUILT .vsix installed, configured as a user would in settings.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { gitEnv } from '../servers/git-https.mjs';
import { bundleDir, repoRoot, startWorld } from '../e2e/support/bootstrap-env.mjs';
import { startCodeServer } from './code-server.mjs';

export const COMPONENTS = ['source-controller', 'kustomize-controller'];
export const PATH_IN_REPO = 'clusters/my-cluster';

const extensionDir = join(repoRoot, 'vscode-extension');
const here = dirname(fileURLToPath(import.meta.url));

/** The .vsix of the built bundle, packaged once per test run (vsce, offline, no dependencies). */
let packaged;
export function builtVsix() {
  const bundle = join(extensionDir, 'dist', 'js', 'extension.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run bash scripts/build.sh first`);
  packaged ??= vsixOf(extensionDir, 'flux-azdo-vscode');
  return packaged;
}

/** TEST ONLY: the 'microsoft' authentication provider backed by tests/servers/entra (entra-sign-in/). */
let signInPackaged;
export function testSignInVsix() {
  signInPackaged ??= vsixOf(join(here, 'entra-sign-in'), 'entra-sign-in');
  return signInPackaged;
}

function vsixOf(folder, name) {
  const work = mkdtempSync(join(tmpdir(), 'flux-azdo-vsix-real-'));
  const vsix = join(work, `${name}.vsix`);
  const require = createRequire(join(extensionDir, 'package.json'));
  const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  execFileSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', vsix],
    { cwd: folder, stdio: 'pipe' },
  );
  // Shared by every build's run in this process: removed when the process ends.
  process.once('exit', () => rmSync(work, { recursive: true, force: true }));
  return vsix;
}

/** `org/project/<repo>` on the world's Git server, cloned into a fresh workspace folder. */
export function workspaceClone(world, repo) {
  world.git.createRepo('org', 'project', repo, { empty: false });
  const url = world.git.repoUrl('org', 'project', repo);
  const parent = mkdtempSync(join(tmpdir(), 'flux-azdo-vscode-ws-'));
  const dir = join(parent, repo);
  // The clone itself is from the bare directory (no credentials needed); its remote is the
  // HTTPS URL a user's clone has.
  execFileSync('git', ['clone', '--quiet', world.git.repoDir('org', 'project', repo), dir], { env: gitEnv() });
  execFileSync('git', ['-C', dir, 'remote', 'set-url', 'origin', url]);
  mkdirSync(join(dir, 'clusters', 'staging'), { recursive: true });
  writeFileSync(join(dir, 'clusters', 'staging', '.keep'), '');
  return { dir, parent, url };
}

/**
 * `world`: another world than bootstrap-env's (same shape: cluster, git, stop()); `server`: more
 * for startCodeServer (test extensions, disabled built-ins, environment).
 */
export async function startBuildWorld(build, repo, { world: given, server: more = {} } = {}) {
  const world = given ?? (await startWorld());
  const ws = workspaceClone(world, repo);
  const settings = {
    'fluxAzdo.manifests': bundleDir,
    'fluxAzdo.caFile': world.git.caFile,
    'fluxAzdo.components': COMPONENTS,
    'fluxAzdo.timeout': '4m',
    // One row per folder (not "clusters / staging"), so a test can right-click the inner one.
    'explorer.compactFolders': false,
  };
  const server = await startCodeServer({
    build,
    vsix: builtVsix(),
    workspace: ws.dir,
    settings,
    ...more,
    env: { KUBECONFIG: world.cluster.kubeconfigPath, ...more.env },
  });
  return {
    world,
    ws,
    server,
    settings,
    async stop() {
      // The world's servers go whatever happened to code-server's folder.
      try {
        await server.stop({ keep: process.env.FLUX_AZDO_KEEP_CODE_SERVER === '1' });
      } finally {
        await world.stop();
        rmSync(ws.parent, { recursive: true, force: true });
      }
    },
  };
}

/** Every file under `dir` (for "is the output channel's log among what the leak scan read"). */
export function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The text of the extension's output channel as VS Code persisted it under user-data/logs. */
export function outputChannelLog(server) {
  const files = filesUnder(join(server.dirs.userData, 'logs')).filter((f) => /Flux for Azure DevOps\.log$/.test(f));
  return files.map((f) => readFileSync(f, 'utf8')).join('');
}
