// The bundle cache: downloads manifests.tar.gz once per version, validates it, reuses it, and
// explains a failed download. A local HTTP server stands in for Flux's release downloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { cp, chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bundleDir } from './helpers.mjs';

let server;
let baseUrl;
let work;
let tarball;
/** The same bundle with one file changed: what a compromised mirror or download would serve. */
let tampered;
const requests = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-cache-'));
  // The release asset is a flat tar of the 9 files; build one from the shared bundle.
  execFileSync('tar', ['-czf', join(work, 'manifests.tar.gz'), '-C', bundleDir, '.']);
  tarball = await readFile(join(work, 'manifests.tar.gz'));
  const changed = join(work, 'tampered');
  await cp(bundleDir, changed, { recursive: true });
  await chmod(join(changed, 'source-controller.yaml'), 0o644);
  const source = await readFile(join(changed, 'source-controller.yaml'), 'utf8');
  await writeFile(join(changed, 'source-controller.yaml'), source.replace(/image: \S+/, 'image: ghcr.io/attacker/source-controller:v1'));
  execFileSync('tar', ['-czf', join(work, 'tampered.tar.gz'), '-C', changed, '.']);
  tampered = await readFile(join(work, 'tampered.tar.gz'));
  server = createServer((req, res) => {
    requests.push(req.url);
    if (req.url === '/tampered/download/v2.9.4/manifests.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(tampered);
    } else if (req.url === '/download/v2.9.4/manifests.tar.gz' || req.url === '/download/v2.99.0/manifests.tar.gz') {
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(tarball);
    } else if (req.url === '/download/v9.9.9/manifests.tar.gz') {
      res.writeHead(200).end('not a tarball');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  process.env.FLUX_AZDO_RELEASES_URL = baseUrl;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await rm(work, { recursive: true, force: true });
  delete process.env.FLUX_AZDO_RELEASES_URL;
});

test('downloads a version once, then serves it from the cache', async () => {
  const { loadBundle } = await import('../dist/index.js');
  const cacheDir = join(work, 'cache');
  const first = await loadBundle({ version: 'v2.9.4', embedded: false, cacheDir });
  assert.equal(requests.filter((u) => u.includes('v2.9.4')).length, 1);
  const second = await loadBundle({ version: 'v2.9.4', embedded: false, cacheDir });
  assert.equal(requests.filter((u) => u.includes('v2.9.4')).length, 1, 'the second load must not download');
  assert.deepEqual(Buffer.from(second), Buffer.from(first));
  assert.ok((await stat(join(cacheDir, 'manifests', 'v2.9.4', 'manifests.tar.gz'))).isFile());
});

test('a broken download is refused and not cached', async () => {
  const { loadBundle } = await import('../dist/index.js');
  const cacheDir = join(work, 'cache-broken');
  await assert.rejects(loadBundle({ version: 'v9.9.9', cacheDir }), (err) => err.code === 'INVALID_BUNDLE');
  await assert.rejects(stat(join(cacheDir, 'manifests', 'v9.9.9', 'manifests.tar.gz')));
});

test('a failed download says MANIFESTS_DOWNLOAD_FAILED and suggests --manifests', async () => {
  const { loadBundle } = await import('../dist/index.js');
  await assert.rejects(loadBundle({ version: 'v1.0.0', cacheDir: join(work, 'c3') }), (err) => {
    assert.equal(err.code, 'MANIFESTS_DOWNLOAD_FAILED');
    assert.equal(err.option, 'manifests');
    assert.match(err.message, /--manifests/);
    return true;
  });
});

test('a version that is not a release tag is INVALID_OPTION', async () => {
  const { loadBundle } = await import('../dist/index.js');
  await assert.rejects(loadBundle({ version: 'latest', cacheDir: join(work, 'c4') }), (err) => err.code === 'INVALID_OPTION');
});

test('--manifests takes a folder or a .tar.gz; a missing path is MANIFESTS_NOT_FOUND', async () => {
  const { loadBundle } = await import('../dist/index.js');
  const fromDir = await loadBundle({ source: bundleDir });
  assert.equal(Object.keys(fromDir).length, 9);
  const fromTar = await loadBundle({ source: join(work, 'manifests.tar.gz') });
  assert.ok(fromTar instanceof Uint8Array);
  await assert.rejects(loadBundle({ source: join(work, 'nope') }), (err) => err.code === 'MANIFESTS_NOT_FOUND');
  await assert.rejects(loadBundle({ source: work }), (err) => err.code === 'INVALID_BUNDLE');
});

test('a tampered download of a known version is INVALID_BUNDLE naming the file, and nothing is cached', async () => {
  const { loadBundle } = await import('../dist/index.js');
  const cacheDir = join(work, 'cache-tampered');
  process.env.FLUX_AZDO_RELEASES_URL = `${baseUrl}/tampered`;
  try {
    await assert.rejects(loadBundle({ version: 'v2.9.4', embedded: false, cacheDir }), (err) => {
      assert.equal(err.code, 'INVALID_BUNDLE');
      assert.equal(err.file, 'source-controller.yaml');
      assert.equal(err.option, 'manifests');
      return true;
    });
  } finally {
    process.env.FLUX_AZDO_RELEASES_URL = baseUrl;
  }
  assert.ok(requests.includes('/tampered/download/v2.9.4/manifests.tar.gz'), 'the tampered bundle was downloaded');
  const left = await readdir(cacheDir, { recursive: true }).catch(() => []);
  assert.deepEqual(left, [], 'the cache holds nothing');
});

test('a genuine download of a known version is verified silently and cached', async () => {
  const { loadBundle } = await import('../dist/index.js');
  const cacheDir = join(work, 'cache-genuine');
  const logs = [];
  await loadBundle({ version: 'v2.9.4', embedded: false, cacheDir, onLog: (e) => logs.push(e) });
  assert.deepEqual(logs, []);
  assert.deepEqual(await readFile(join(cacheDir, 'manifests', 'v2.9.4', 'manifests.tar.gz')), tarball);
});

test('a version without checksums downloads as before and says it could not be verified', async () => {
  const { loadBundle } = await import('../dist/index.js');
  const cacheDir = join(work, 'cache-unknown');
  const logs = [];
  await loadBundle({ version: 'v2.99.0', cacheDir, onLog: (e) => logs.push(e) });
  assert.deepEqual(
    logs.map((e) => [e.type, e.level]),
    [['log', 'warn']],
  );
  assert.ok((await stat(join(cacheDir, 'manifests', 'v2.99.0', 'manifests.tar.gz'))).isFile());
});

test('the core’s own version comes from the bundle the package carries: no download, no cache', async () => {
  const { embeddedBundleVersion, loadBundle } = await import('../dist/index.js');
  const { readBundleFiles } = await import('../../tests/support/flux-reference.mjs');
  // CI builds the package with the bundle (scripts/ci/build.sh; packaging.test.mjs checks the tarball).
  assert.equal(embeddedBundleVersion(), 'v2.9.4', 'build the package with FLUX_MANIFESTS or --manifests');
  const cacheDir = join(work, 'cache-embedded');
  const before = requests.length;
  for (const version of [undefined, 'v2.9.4']) {
    assert.deepEqual(await loadBundle({ version, cacheDir }), readBundleFiles());
  }
  assert.equal(requests.length, before);
  await assert.rejects(stat(cacheDir), (err) => err.code === 'ENOENT');
});
