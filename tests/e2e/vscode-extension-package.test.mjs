// The extension as it ships: `vsce package` (offline, no dependencies: everything is in the
// bundle) makes a .vsix holding the bundle and the core's .wasm and nothing else; unpacked away
// from any node_modules, the bundle loads the wasm and previews the same files as the package.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { manifestsDir as bundleDir } from '../support/flux-reference.mjs';
import { callsOf, runCommand } from './support/vscode-stub.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const extensionDir = join(repoRoot, 'vscode-extension');
const require = createRequire(join(extensionDir, 'package.json'));
const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');

let work;
let vsix;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-vsix-'));
  vsix = join(work, 'flux-azdo-vscode.vsix');
  execFileSync(
    process.execPath,
    [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', vsix],
    {
      cwd: extensionDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('the .vsix holds the bundle, the wasm, the manifest and the readme with its images, and nothing else', () => {
  const files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(files, [
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/dist/bundle/manifests.json',
    'extension/dist/js/extension.js',
    'extension/dist/wasm/flux_azdo_wasm_bg.wasm',
    'extension/images/deploy-key.png',
    'extension/images/error-code.png',
    'extension/images/progress.png',
    'extension/images/pull-request-open.png',
    'extension/images/sign-in.png',
    'extension/images/url-from-remote.png',
    'extension/package.json',
    'extension/readme.md',
  ]);
});

test('the unpacked extension loads its wasm and previews the package’s files', async () => {
  const unpacked = join(work, 'unpacked');
  execFileSync('unzip', ['-q', vsix, '-d', unpacked]);
  const wasm = await readFile(join(unpacked, 'extension', 'dist', 'wasm', 'flux_azdo_wasm_bg.wasm'));
  assert.ok(wasm.equals(await readFile(join(repoRoot, 'npm', 'wasm', 'flux_azdo_wasm_bg.wasm'))));
  // Flux's bundle, the package's own copy: the extension previews and bootstraps offline.
  const bundled = await readFile(join(unpacked, 'extension', 'dist', 'bundle', 'manifests.json'));
  assert.ok(bundled.equals(await readFile(join(repoRoot, 'npm', 'bundle', 'manifests.json'))));

  const url = 'https://dev.azure.com/contoso/Platform/_git/fleet';
  const stub = await runCommand(
    'fluxAzdo.previewManifests',
    {
      settings: { 'fluxAzdo.manifests': bundleDir },
      answers: [
        ['Repository URL', url],
        ['Branch', 'main'],
        ['Path in the repository', 'clusters/prod'],
        ['authenticates', 'SSH key'],
        ['Preview the files', 'Open the files'],
      ],
    },
    join(unpacked, 'extension', 'dist', 'js', 'extension.js'),
  );
  assert.deepEqual(callsOf(stub, 'showErrorMessage'), []);
  const { exportFiles } = await import(join(repoRoot, 'npm', 'dist', 'index.js'));
  const expected = await exportFiles({ url, branch: 'main', path: 'clusters/prod', manifests: bundleDir, dir: join(work, 'expected') });
  const shown = [];
  for (const call of callsOf(stub, 'showTextDocument')) {
    const doc = await stub.vscode.workspace.openTextDocument(stub.vscode.Uri.parse(call.args[0]));
    shown.push(doc.getText());
  }
  assert.deepEqual(
    shown,
    expected.files.map((f) => f.content),
  );
});
