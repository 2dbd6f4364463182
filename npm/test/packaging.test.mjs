// The published package works as a user gets it: `npm pack`, install the tarball into a fresh
// project, import it from ESM and run the CLI through npx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bundleDir, fluxDir, repoRoot } from './helpers.mjs';

let work;
let project;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-pack-'));
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: join(repoRoot, 'npm'),
    encoding: 'utf8',
  });
  const [{ filename, files }] = JSON.parse(packed);
  assert.ok(
    files.some((f) => f.path.endsWith('.wasm')),
    'the tarball must contain the .wasm',
  );
  assert.ok(!files.some((f) => f.path.startsWith('src/')), 'the tarball ships dist/, not src/');
  // CI builds the package with Flux's bundle (scripts/ci/build.sh): the offline test below needs it.
  assert.ok(
    files.some((f) => f.path === 'bundle/manifests.json'),
    'the tarball must carry Flux’s bundle (build the package with FLUX_MANIFESTS or --manifests)',
  );
  project = join(work, 'project');
  execFileSync('mkdir', ['-p', project]);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(work, filename)], {
    cwd: project,
    stdio: 'pipe',
  });
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('the installed package imports in ESM and generates manifests', async () => {
  const script = `
    import { installManifests, FluxAzdoError, fluxVersion } from 'flux-azdo';
    const m = await installManifests({ manifests: ${JSON.stringify(bundleDir)} });
    let code;
    try { await installManifests({ manifests: ${JSON.stringify(bundleDir)}, namespace: 'Not_A_Label' }); }
    catch (e) { code = e instanceof FluxAzdoError ? e.code : 'not a FluxAzdoError'; }
    console.log(JSON.stringify({ path: m.path, length: m.content.length, version: fluxVersion(), code }));
  `;
  await writeFile(join(project, 'use.mjs'), script);
  const out = JSON.parse(execFileSync(process.execPath, ['use.mjs'], { cwd: project, encoding: 'utf8' }));
  const expected = await readFile(join(fluxDir, 'install.yaml'), 'utf8');
  assert.equal(out.path, 'flux-system/gotk-components.yaml');
  assert.equal(out.length, expected.length);
  assert.equal(out.version, 'v2.9.4');
  assert.equal(out.code, 'INVALID_OPTION');
});

test('npx flux-azdo install --export prints install.yaml', async () => {
  const stdout = execFileSync('npx', ['--no-install', 'flux-azdo', 'install', '--export', `--manifests=${bundleDir}`], {
    cwd: project,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.ok(stdout === (await readFile(join(fluxDir, 'install.yaml'), 'utf8')));
});

test('offline: npx flux-azdo install --export needs no download, no flag, no cache and no network', async () => {
  // An empty HOME and cache, and every TCP connect refused and logged (support-no-network.mjs,
  // preloaded into npx and the CLI it starts): only the bundle inside the package can serve.
  const home = join(work, 'empty-home');
  await mkdir(join(home, 'cache'), { recursive: true });
  const log = join(work, 'connects.log');
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    NO_NETWORK_LOG: log,
    NODE_OPTIONS: `--import=${JSON.stringify(new URL('./support-no-network.mjs', import.meta.url).href)}`,
    // Where the CLI would download from, if it tried: the guard above logs the attempt.
    FLUX_AZDO_RELEASES_URL: 'https://192.0.2.1/releases',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  const stdout = execFileSync('npx', ['--no-install', 'flux-azdo', 'install', '--export'], {
    cwd: project,
    env,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const connects = await readFile(log, 'utf8').catch(() => '');
  assert.equal(connects, '', 'no process may open a network connection');
  assert.ok(stdout === (await readFile(join(fluxDir, 'install.yaml'), 'utf8')), 'the output is Flux’s install.yaml byte for byte');
});

test('the guard of the offline test does refuse a connection (so its empty log means something)', async () => {
  const log = join(work, 'guard.log');
  const script = `fetch('https://192.0.2.1/').then(() => process.exit(3), (e) => { console.log(e.cause?.code ?? e.code); });`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      NO_NETWORK_LOG: log,
      NODE_OPTIONS: `--import=${JSON.stringify(new URL('./support-no-network.mjs', import.meta.url).href)}`,
    },
    encoding: 'utf8',
  });
  assert.equal(out.trim(), 'ENETUNREACH');
  assert.match(await readFile(log, 'utf8'), /192\.0\.2\.1:443/);
});
