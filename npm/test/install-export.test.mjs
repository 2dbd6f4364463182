// `flux-azdo install --export` must print exactly what `flux install --export` prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { bundleDir, fluxDir, runCli } from './helpers.mjs';

// The options each expected file was made with (shared/flux/README.md).
const CASES = [
  { file: 'install.yaml', flags: [] },
  { file: 'variants/components-extra-image.yaml', flags: ['--components-extra=image-reflector-controller,image-automation-controller'] },
  {
    file: 'variants/components-extra-all.yaml',
    flags: ['--components-extra', 'image-reflector-controller,image-automation-controller,source-watcher'],
  },
  { file: 'variants/components-minimal.yaml', flags: ['--components=source-controller,kustomize-controller'] },
  {
    file: 'variants/custom-options.yaml',
    flags: [
      '--namespace=gitops',
      '--registry=myregistry.azurecr.io/fluxcd',
      '--image-pull-secret=regcred',
      '--network-policy=false',
      '--watch-all-namespaces=false',
      '--log-level=debug',
      '--cluster-domain=cluster.example',
      '--toleration-keys=CriticalAddonsOnly,node.kubernetes.io/not-ready',
    ],
  },
];

for (const { file, flags } of CASES) {
  test(`install --export ${flags.join(' ') || '(defaults)'} reproduces ${file} byte for byte`, async () => {
    const expected = await readFile(join(fluxDir, file), 'utf8');
    const { code, stdout, stderr } = await runCli(['install', '--export', `--manifests=${bundleDir}`, ...flags]);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.ok(stdout === expected, `output differs from ${file} (${stdout.length} vs ${expected.length} bytes)`);
  });
}

test('install --export refuses unknown components with INVALID_OPTION and exit code 1', async () => {
  const { code, stderr } = await runCli(['install', '--export', `--manifests=${bundleDir}`, '--components-extra=flagger']);
  assert.equal(code, 1);
  assert.match(stderr, /\[INVALID_OPTION\]/);
});

test('install without --export is a usage error (exit 2)', async () => {
  const { code, stderr } = await runCli(['install', `--manifests=${bundleDir}`]);
  assert.equal(code, 2);
  assert.match(stderr, /\[USAGE\]/);
});

test('an unknown flag is a usage error naming the flag', async () => {
  const { code, stderr } = await runCli(['install', '--export', '--compnents=x']);
  assert.equal(code, 2);
  assert.match(stderr, /--compnents/);
});
