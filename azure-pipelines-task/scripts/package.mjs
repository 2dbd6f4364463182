// Packs dist/ (scripts/bundle.mjs) into dist-vsix/flux-azdo.flux-azdo-pipelines-<version>.vsix with
// tfx-cli, the extension packager Azure DevOps documents. The version is package.json's.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const tfx = join(dirname(require.resolve('tfx-cli/package.json')), '_build', 'tfx-cli.js');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The output folder: the first argument, else dist-vsix/.
const out = process.argv[2] ?? join(root, 'dist-vsix');
mkdirSync(out, { recursive: true });
execFileSync(
  process.execPath,
  [
    tfx,
    'extension',
    'create',
    '--root',
    join(root, 'dist'),
    '--manifest-globs',
    'vss-extension.json',
    '--override',
    JSON.stringify({ version }),
    '--output-path',
    out,
    '--no-prompt',
    '--no-color',
  ],
  { stdio: 'inherit', env: { ...process.env, TFX_TRACE: '' } },
);
