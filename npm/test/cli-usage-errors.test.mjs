// How the CLI refuses bad input: each error printed once on stderr, and a path flag given a
// boolean-looking value (`--export=false`) refused as USAGE instead of taken as a folder name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseArgs } from '../dist/cli/args.js';
import { bootstrapGitFlags, globalFlags, installFlags } from '../dist/cli/flags.js';
import { defaults } from '../dist/core/node.js';
import { FluxAzdoError } from '../dist/errors.js';
import { bundleDir, runCli } from './helpers.mjs';

const URL = 'https://dev.azure.com/org/project/_git/fleet';
const flux = defaults();
const SPECS = [...bootstrapGitFlags(flux), ...installFlags(flux), ...globalFlags(flux)];
const PATH_FLAGS = ['export', 'manifests', 'private-key-file', 'ca-file', 'kubeconfig'];

const count = (text, needle) => text.split(needle).length - 1;

test('a path flag refuses true/false with a USAGE error naming the flag', () => {
  for (const flag of PATH_FLAGS) {
    for (const argv of [[`--${flag}=false`], [`--${flag}=TRUE`], [`--${flag}`, 'false']]) {
      assert.throws(
        () => parseArgs(argv, SPECS),
        (err) => err instanceof FluxAzdoError && err.code === 'USAGE' && err.option === flag,
        argv.join(' '),
      );
    }
    assert.equal(parseArgs([`--${flag}=./falsehood`], SPECS).values.get(flag), './falsehood');
  }
});

test('--export=false exits 2 and writes no folder named false', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'flux-azdo-usage-'));
  try {
    const res = await runCli(['bootstrap', 'git', `--url=${URL}`, `--manifests=${bundleDir}`, '--export=false'], { cwd });
    assert.equal(res.code, 2, res.stderr);
    assert.equal(count(res.stderr, '[USAGE]'), 1, res.stderr);
    assert.deepEqual(await readdir(cwd), []);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('plain mode prints an error once: a bad option, and an error the run itself reports', async () => {
  const bad = await runCli(['bootstrap', 'git', `--url=${URL}`, '--nope']);
  assert.equal(bad.code, 2);
  assert.equal(count(bad.stderr, '[USAGE]'), 1, bad.stderr);
  // The bootstrap fails at its first connection (nothing listens on port 1): the renderer prints
  // the error event, and main must not print it again.
  const kubeconfig = join(await mkdtemp(join(tmpdir(), 'flux-azdo-usage-')), 'kubeconfig');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(
    kubeconfig,
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\n' +
      'users: [{name: u, user: {token: fake-token}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
  );
  try {
    const run = await runCli(
      ['bootstrap', 'git', '--token-auth', `--url=${URL}`, `--manifests=${bundleDir}`, `--kubeconfig=${kubeconfig}`, '--timeout=20s'],
      { env: { GIT_PASSWORD: 'fake-pat-usage' } },
    );
    assert.equal(run.code, 1, run.stderr);
    assert.equal(count(run.stderr, '[KUBE_UNREACHABLE]'), 1, run.stderr);
  } finally {
    await rm(join(kubeconfig, '..'), { recursive: true, force: true });
  }
});
