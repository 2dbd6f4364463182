// The bundle cache shared by bootstraps running at once: two loads in one process (an API caller
// or the VS Code extension host running two bootstraps) and two processes (two CI jobs on one
// agent) download the same version into one cache at the same moment. A local HTTP server stands
// in for Flux's release downloads and answers only once all the downloads have asked, so they
// // overlap every time: each write goes to its own temp file and is renamed into place, every load
// gets the bundle, the cache holds it whole and no temp file is left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { bundleDir, repoRoot } from './helpers.mjs';

let server;
let baseUrl;
let work;
let tarball;
/** Downloads waiting for the others of their group, per version; a group is answered together. */
const waiting = new Map();
/** How many loads of each version run at once (the server answers when all have asked). */
const group = { 'v2.99.0': 4, 'v2.98.0': 2 };

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-cache-race-'));
  execFileSync('tar', ['-czf', join(work, 'manifests.tar.gz'), '-C', bundleDir, '.']);
  tarball = await readFile(join(work, 'manifests.tar.gz'));
  server = createServer((req, res) => {
    const version = /^\/download\/(v2\.9[89]\.0)\/manifests\.tar\.gz$/.exec(req.url ?? '')?.[1];
    if (!version) return res.writeHead(404).end();
    const list = waiting.get(version) ?? [];
    list.push(res);
    waiting.set(version, list);
    if (list.length < group[version]) return;
    waiting.delete(version);
    for (const r of list) r.writeHead(200, { 'content-type': 'application/gzip' }).end(tarball);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  for (const list of waiting.values()) for (const r of list) r.destroy();
  await new Promise((r) => server.close(r));
  await rm(work, { recursive: true, force: true });
});

async function assertCachedWhole(cacheDir, version) {
  const dir = join(cacheDir, 'manifests', version);
  assert.deepEqual(await readdir(dir), ['manifests.tar.gz'], 'only the bundle, no temp file left');
  assert.deepEqual(await readFile(join(dir, 'manifests.tar.gz')), tarball);
}

test('four loads of one version at once in one process: each gets the bundle, cached whole', async () => {
  process.env.FLUX_AZDO_RELEASES_URL = baseUrl;
  try {
    const { loadBundle } = await import('../dist/index.js');
    const cacheDir = join(work, 'in-process');
    // v2.99.0 has no checksums: it is cached as downloaded (the case the race matters for).
    const loads = await Promise.allSettled(
      Array.from({ length: group['v2.99.0'] }, () => loadBundle({ version: 'v2.99.0', embedded: false, cacheDir })),
    );
    for (const l of loads) {
      assert.equal(l.status, 'fulfilled', l.reason?.stack);
      assert.deepEqual(Buffer.from(l.value), tarball);
    }
    await assertCachedWhole(cacheDir, 'v2.99.0');
  } finally {
    delete process.env.FLUX_AZDO_RELEASES_URL;
  }
});

/** A node process that loads `version` into `cacheDir` and prints the bundle's size. */
function loadInChild(version, cacheDir) {
  const index = pathToFileURL(join(repoRoot, 'npm', 'dist', 'index.js')).href;
  const script = `const { loadBundle } = await import(${JSON.stringify(index)});
const b = await loadBundle({ version: ${JSON.stringify(version)}, embedded: false, cacheDir: ${JSON.stringify(cacheDir)} });
process.stdout.write(String(b.length));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, FLUX_AZDO_RELEASES_URL: baseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('two processes download one version into one cache at once: both succeed, cached whole', async () => {
  const cacheDir = join(work, 'two-processes');
  const results = await Promise.all([loadInChild('v2.98.0', cacheDir), loadInChild('v2.98.0', cacheDir)]);
  for (const r of results) {
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, String(tarball.length));
  }
  await assertCachedWhole(cacheDir, 'v2.98.0');
});
