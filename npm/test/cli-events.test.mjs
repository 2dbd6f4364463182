// The CLI's event output: `--json` lines carry the facts as fields, and `--verbose` (like
// FLUX_AZDO_DEBUG) adds the debug log events that are otherwise left out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bundleDir, runCli } from './helpers.mjs';

const URL = 'https://dev.azure.com/org/project/_git/fleet';

async function exportRun(extra, env = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'flux-azdo-events-'));
  try {
    const args = ['bootstrap', 'git', `--url=${URL}`, '--path=clusters/dev', `--manifests=${bundleDir}`, `--export=${dir}`, ...extra];
    return await runCli(args, { env: { FLUX_AZDO_DEBUG: '', ...env } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const events = (stdout) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
const debugEvents = (stdout) => events(stdout).filter((e) => e.type === 'log' && e.level === 'debug');

test('--json: each exported file is a done event naming its path', async () => {
  const { code, stdout, stderr } = await exportRun(['--json']);
  assert.equal(code, 0, stderr);
  const done = events(stdout).filter((e) => e.type === 'done' && e.step === 'export');
  assert.deepEqual(done.map((e) => e.path).sort(), [
    'clusters/dev/flux-system/gotk-components.yaml',
    'clusters/dev/flux-system/gotk-sync.yaml',
    'clusters/dev/flux-system/kustomization.yaml',
  ]);
});

test('debug log events are left out unless --verbose or FLUX_AZDO_DEBUG asks for them', async () => {
  const quiet = await exportRun(['--json']);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.deepEqual(debugEvents(quiet.stdout), []);

  const verbose = await exportRun(['--json', '--verbose']);
  assert.equal(verbose.code, 0, verbose.stderr);
  assert.ok(debugEvents(verbose.stdout).length > 0, 'with --verbose');

  const env = await exportRun(['--json'], { FLUX_AZDO_DEBUG: '1' });
  assert.equal(env.code, 0, env.stderr);
  assert.deepEqual(debugEvents(env.stdout), debugEvents(verbose.stdout), 'FLUX_AZDO_DEBUG shows the same');
});

test('--verbose adds the debug lines to the plain output too', async () => {
  const lines = (text) => text.trim().split('\n').length;
  const quiet = await exportRun([]);
  const verbose = await exportRun(['--verbose']);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(verbose.code, 0, verbose.stderr);
  const { stdout } = await exportRun(['--json', '--verbose']);
  assert.equal(lines(verbose.stderr), lines(quiet.stderr) + debugEvents(stdout).length);
});
