// The bundle cache: downloads manifests.tar.gz once per version, validates it, reuses it, and
// explains a failed download. A local HTTP server stands in for Flux's release downloads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bundleDir } from './helpers.mjs';

let server;
let baseUrl;
let work;
let tarball;
const requests = [];

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-cache-'));
  // The release asset is a flat tar of the 9 files; build one from the shared bundle.
  execFileSync('tar', ['-czf', join(work, 'manifests.tar.gz'), '-C', bundleDir, '.']);
  tarball = await readFile(join(work, 'manifests.tar.gz'));
  server = createServer((req, res) => {
    requests.push(req.url);
    if (req.url === '/download/v2.9.4/manifests.tar.gz') {
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
  const first = await loadBundle({ version: 'v2.9.4', cacheDir });
  assert.equal(requests.filter((u) => u.includes('v2.9.4')).length, 1);
  const second = await loadBundle({ version: 'v2.9.4', cacheDir });
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
