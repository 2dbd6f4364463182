// Shared by the npm package's tests: paths and a CLI runner.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const cliPath = join(repoRoot, 'npm', 'dist', 'cli', 'main.js');
/** Flux's bundle and expected outputs, beside the checkout (never copied into it). */
export { fluxDir, manifestsDir as bundleDir } from '../../tests/support/flux-reference.mjs';

/** Runs the CLI; resolves with { code, stdout, stderr }. */
export function runCli(args, { env = {}, input, cwd } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      cwd: cwd ?? repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}
