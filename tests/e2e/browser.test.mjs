// The browser preview page, end to end: the built page served from 127.0.0.1 in headless
// Debian chromium. What the page shows must be byte-identical to what the core computes in
// Node for the same options; the key it generates must be a valid OpenSSH RSA key; the zip
// must hold the files at their repository paths; nothing may be fetched from elsewhere.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import * as core from '../../npm/dist/core/node.js';
import { serveStatic } from '../servers/static.mjs';
import { distDir, ensurePageBuilt, launchChromium, manifestsDir, root } from './support/chromium.mjs';

/** A managed identity's client id for the workload identity previews (a GUID the core accepts). */
const WI_CLIENT_ID = '11111111-2222-3333-4444-555555555555';
const outDir = join(root, 'tests', 'out');
const bundle = Object.fromEntries(
  readdirSync(manifestsDir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => [name, readFileSync(join(manifestsDir, name), 'utf8')]),
);

function nodePlan(options) {
  return core.planRepository(options, bundle);
}

function nodeError(options) {
  try {
    nodePlan(options);
  } catch (err) {
    return err;
  }
  assert.fail(`the core accepted ${JSON.stringify(options)}`);
}

let server;
let browser;
let page;
let work;
const foreignRequests = [];

async function settled(p = page) {
  await p.waitForFunction(() => ['ready', 'error'].includes(document.documentElement.dataset.state));
  return p.evaluate(() => document.documentElement.dataset.state);
}

async function ready(p = page) {
  assert.equal(
    await settled(p),
    'ready',
    await p
      .locator('.error:not([hidden])')
      .allTextContents()
      .then((t) => t.join('\n')),
  );
}

/** The files as the page shows them: path → the text of the highlighted view. */
async function shownFiles(p = page) {
  const files = {};
  for (const name of ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml']) {
    await p.click(`[role=tab][data-file="${name}"]`);
    await p.waitForFunction((n) => document.getElementById('file-path').textContent.endsWith(`/${n}`), name);
    const [path, content] = await p.evaluate(() => [
      document.getElementById('file-path').textContent,
      document.getElementById('file-content').textContent,
    ]);
    files[path] = content;
  }
  return files;
}

function expectedFiles(plan) {
  return Object.fromEntries([plan.components, plan.sync, plan.kustomization].map((m) => [m.path, m.content]));
}

async function assertSameAsNode(options, p = page) {
  await ready(p);
  const shown = await shownFiles(p);
  const expected = expectedFiles(nodePlan(options));
  assert.deepEqual(Object.keys(shown).sort(), Object.keys(expected).sort());
  for (const [path, content] of Object.entries(expected)) {
    // Not deepEqual on the whole object: a failure should name the file, not dump 260 KB.
    assert.ok(shown[path] === content, `${path} in the page differs from the Node output`);
  }
  return expected;
}

async function openPage(hash = '') {
  const p = await browser.context.newPage();
  p.on('request', (req) => {
    if (!req.url().startsWith(server.url) && !req.url().startsWith('data:')) foreignRequests.push(req.url());
  });
  await p.goto(`${server.url}${hash}`);
  await settled(p);
  return p;
}

describe('browser preview page', () => {
  before(async () => {
    ensurePageBuilt();
    work = mkdtempSync(join(tmpdir(), 'flux-azdo-browser-test-'));
    mkdirSync(outDir, { recursive: true });
    server = await serveStatic(distDir);
    browser = await launchChromium();
    page = await openPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('serves the core with the application/wasm type (streaming compilation)', async () => {
    const res = await fetch(new URL('flux_azdo_wasm_bg.wasm', server.url));
    assert.equal(res.headers.get('content-type'), 'application/wasm');
    await res.arrayBuffer();
  });

  test('default options and an scp-style SSH URL: the same bytes as the core in Node', async () => {
    assert.equal(await page.inputValue('#version'), core.fluxVersion());
    const url = 'git@ssh.dev.azure.com:v3/acme/Web%20Apps/cluster-config';
    await page.fill('#url', url);
    const files = await assertSameAsNode({ url });
    assert.deepEqual(Object.keys(files).sort(), [
      'flux-system/gotk-components.yaml',
      'flux-system/gotk-sync.yaml',
      'flux-system/kustomization.yaml',
    ]);
    await page.click('[role=tab][data-file="gotk-sync.yaml"]');
    await page.screenshot({ path: join(outDir, 'browser-preview.png') });
  });

  let customHash;
  const custom = {
    url: 'https://acme@dev.azure.com/acme/Infra/_git/fleet',
    branch: 'release',
    path: 'clusters/prod',
    interval: '5m',
    namespace: 'gitops',
    sshHostkeyAlgos: ['rsa-sha2-512'],
    components: ['source-controller', 'kustomize-controller', 'notification-controller'],
    componentsExtra: ['image-reflector-controller', 'image-automation-controller'],
    registry: 'registry.example.com/fluxcd',
    imagePullSecret: 'regcred',
    networkPolicy: false,
    watchAllNamespaces: false,
    logLevel: 'debug',
    clusterDomain: 'k8s.internal',
    tolerationKeys: ['node.kubernetes.io/not-ready', 'dedicated'],
    secretName: 'git-creds',
    recurseSubmodules: true,
  };

  test('every option from the form: the same bytes as the core in Node', async () => {
    await page.fill('#url', custom.url);
    await page.fill('#branch', custom.branch);
    await page.fill('#path', custom.path);
    await page.fill('#interval', custom.interval);
    await page.fill('#namespace', custom.namespace);
    await page.fill('#sshHostkeyAlgos', custom.sshHostkeyAlgos.join(','));
    await page.setChecked('input[name=components][value=helm-controller]', false);
    for (const extra of custom.componentsExtra) await page.setChecked(`input[name=componentsExtra][value=${extra}]`, true);
    await page.fill('#registry', custom.registry);
    await page.fill('#imagePullSecret', custom.imagePullSecret);
    await page.setChecked('input[name=networkPolicy]', false);
    await page.setChecked('input[name=watchAllNamespaces]', false);
    await page.selectOption('#logLevel', custom.logLevel);
    await page.fill('#clusterDomain', custom.clusterDomain);
    await page.fill('#tolerationKeys', custom.tolerationKeys.join(', '));
    await page.click('details summary');
    await page.fill('#secretName', custom.secretName);
    await page.setChecked('input[name=recurseSubmodules]', true);
    const files = await assertSameAsNode(custom);
    assert.ok(files['clusters/prod/gitops/kustomization.yaml'].includes('rsa-sha2-512'));
    customHash = new URL(page.url()).hash;
    assert.ok(customHash.includes('branch=release'), customHash);
  });

  test('the URL fragment shares the preview: a new page with it shows the same files', async () => {
    const shared = await openPage(customHash);
    try {
      await assertSameAsNode(custom, shared);
    } finally {
      await shared.close();
    }
  });

  test('Copy puts the shown file on the clipboard, byte for byte', async () => {
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
    const expected = expectedFiles(nodePlan(custom));
    for (const name of ['gotk-sync.yaml', 'gotk-components.yaml']) {
      await page.click(`[role=tab][data-file="${name}"]`);
      await page.click('#file-copy');
      await page.waitForFunction(() => document.getElementById('copy-status').textContent === 'Copied.');
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.ok(copied === expected[`clusters/prod/gitops/${name}`], `${name} on the clipboard differs`);
    }
  });

  test('the zip holds the three files at their repository paths', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-all')]);
    const zip = join(work, download.suggestedFilename());
    await download.saveAs(zip);
    assert.equal(download.suggestedFilename(), 'fleet-gitops.zip');
    const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
    const expected = expectedFiles(nodePlan(custom));
    assert.deepEqual(listing.filter((p) => !p.endsWith('/')).sort(), Object.keys(expected).sort());
    for (const [path, content] of Object.entries(expected)) {
      assert.ok(execFileSync('unzip', ['-p', zip, path], { encoding: 'utf8', maxBuffer: 8 << 20 }) === content, path);
    }
  });

  test('token auth on Azure DevOps Server: HTTPS sync URL, no host key patch', async () => {
    await page.goto(`${server.url}#`);
    await page.reload();
    await settled();
    const url = 'https://tfs.example.com/tfs/DefaultCollection/Ops/_git/flux';
    await page.fill('#url', url);
    await page.check('input[name=auth][value=token]');
    const files = await assertSameAsNode({ url, tokenAuth: true });
    assert.ok(files['flux-system/gotk-sync.yaml'].includes(`url: ${url}`));
    await page.check('input[name=auth][value=azure]');
    await page.fill('#workloadIdentityClientId', WI_CLIENT_ID);
    await assertSameAsNode({ url, provider: 'azure', workloadIdentityClientId: WI_CLIENT_ID });
  });

  test('an invalid URL shows the core error next to the field', async () => {
    const url = 'https://dev.azure.com/acme';
    await page.fill('#url', url);
    assert.equal(await settled(), 'error');
    const expected = nodeError({ url });
    assert.equal(expected.code, 'INVALID_URL');
    const slot = page.locator('#url-error');
    assert.ok(await slot.isVisible());
    assert.equal(await slot.getAttribute('data-code'), 'INVALID_URL');
    assert.equal(await slot.textContent(), expected.message);
    assert.equal(await page.getAttribute('#url', 'aria-invalid'), 'true');
    assert.ok(await page.isDisabled('#download-all'), 'the zip of stale files is still offered');
    await page.screenshot({ path: join(outDir, 'browser-invalid-url.png') });
    await page.fill('#url', 'https://dev.azure.com/acme/Infra/_git/fleet');
    await ready();
    assert.ok(await slot.isHidden());
  });

  test('an invalid option shows its error next to its own field', async () => {
    await page.fill('#namespace', 'Not_A_Namespace');
    assert.equal(await settled(), 'error');
    const expected = nodeError({
      url: 'https://dev.azure.com/acme/Infra/_git/fleet',
      provider: 'azure',
      workloadIdentityClientId: WI_CLIENT_ID,
      namespace: 'Not_A_Namespace',
    });
    assert.equal(await page.getAttribute('#namespace-error', 'data-code'), expected.code);
    assert.equal(await page.textContent('#namespace-error'), expected.message);
    await page.fill('#namespace', '');
    await ready();
  });

  test('a password pasted in the URL never reaches the address bar', async () => {
    const secret = `fake-pat-${process.pid}`;
    const pasted = `https://acme:${secret}@dev.azure.com/acme/Infra/_git/fleet`;
    await page.fill('#url', pasted);
    await settled();
    assert.ok(!page.url().includes(secret), page.url());
    // The URL is kept, in the core's normal form (which never holds a password).
    assert.ok(decodeURIComponent(page.url()).includes(`url=${core.parseRepoUrl(pasted).url}`), page.url());
    await page.fill('#url', 'https://acme@dev.azure.com/acme/Infra/_git/fleet');
    await ready();
  });

  test('Generate SSH key: an RSA key ssh-keygen reads, private key encrypted with the passphrase', async () => {
    const passphrase = `test-only-${process.pid}`;
    await page.selectOption('#key-bits', '2048');
    await page.fill('#key-passphrase', passphrase);
    await page.click('#key-generate');
    await page.waitForSelector('#key-result:not([hidden])', { timeout: 120_000 });
    const publicKey = await page.inputValue('#key-public');
    assert.match(publicKey, /^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/]+=*\n?$/);
    const pubFile = join(work, 'id_rsa.pub');
    writeFileSync(pubFile, publicKey);
    const listed = execFileSync('ssh-keygen', ['-l', '-f', pubFile], { encoding: 'utf8' });
    const fingerprint = await page.textContent('#key-fingerprint');
    assert.match(listed, /^2048 SHA256:\S+ .*\(RSA\)\n$/);
    assert.equal(listed.split(' ')[1], fingerprint);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#key-download')]);
    const keyFile = join(work, 'id_rsa');
    await download.saveAs(keyFile);
    chmodSync(keyFile, 0o600);
    assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    const derived = execFileSync('ssh-keygen', ['-y', '-P', passphrase, '-f', keyFile], { encoding: 'utf8' });
    assert.equal(derived.trim().split(' ').slice(0, 2).join(' '), publicKey.trim());
    assert.throws(() => execFileSync('ssh-keygen', ['-y', '-P', 'wrong', '-f', keyFile], { stdio: 'pipe' }));
    assert.ok(!page.url().includes(passphrase));
    await page.screenshot({ path: join(outDir, 'browser-full.png'), fullPage: true });
  });

  test('a manifests.tar.gz picked from disk gives the same files; a broken one is refused', async () => {
    const names = Object.keys(bundle).sort();
    const tarball = join(work, 'manifests.tar.gz');
    execFileSync('tar', ['-czf', tarball, '-C', manifestsDir, ...names]);
    await page.setInputFiles('#bundle-file', tarball);
    await page.waitForFunction(() => document.getElementById('bundle-info').textContent.startsWith('From your disk'));
    await assertSameAsNode({
      url: 'https://acme@dev.azure.com/acme/Infra/_git/fleet',
      provider: 'azure',
      workloadIdentityClientId: WI_CLIENT_ID,
    });

    const broken = join(work, 'broken.tar.gz');
    writeFileSync(broken, 'not a tarball');
    await page.setInputFiles('#bundle-file', broken);
    await page.waitForSelector('#bundle-error:not([hidden])');
    assert.equal(await page.getAttribute('#bundle-error', 'data-code'), 'INVALID_BUNDLE');
    await page.click('#bundle-reset');
    await page.waitForFunction(() => document.getElementById('bundle-info').textContent.startsWith('Built in'));
  });

  test('a page built without manifests asks for a manifests.tar.gz and then previews', async () => {
    const bare = join(work, 'bare-dist');
    // --no-manifests and an empty cache: the build embeds none (not even the package's).
    execFileSync(process.execPath, [join(root, 'browser', 'scripts', 'build.mjs'), '--out', bare, '--no-manifests'], {
      env: { ...process.env, XDG_CACHE_HOME: join(work, 'empty-cache') },
      stdio: 'pipe',
    });
    const bareServer = await serveStatic(bare);
    const p = await browser.context.newPage();
    try {
      await p.goto(`${bareServer.url}#url=${encodeURIComponent('https://dev.azure.com/acme/Infra/_git/fleet')}`);
      assert.equal(await settled(p), 'error');
      assert.ok(await p.isVisible('#preview-note'));
      const tarball = join(work, 'flux-manifests.tar.gz');
      execFileSync('tar', ['-czf', tarball, '-C', manifestsDir, ...Object.keys(bundle).sort()]);
      await p.setInputFiles('#bundle-file', tarball);
      // The page reads the file asynchronously and is still in its 'error' state until then:
      // wait for the read to end (taken, or refused with a code) before waiting for the preview.
      await p.waitForFunction(
        () =>
          document.getElementById('bundle-info').textContent.startsWith('From your disk') ||
          !document.getElementById('bundle-error').hidden,
      );
      assert.equal(await p.getAttribute('#bundle-error', 'data-code'), null, 'the tarball was refused');
      await assertSameAsNode({ url: 'https://dev.azure.com/acme/Infra/_git/fleet' }, p);
      assert.ok(!bareServer.requests.includes('/manifests.json'), 'fetched a manifests.json the build did not write');
    } finally {
      await p.close();
      await bareServer.close();
    }
  });

  test('works offline once loaded, and fetched nothing from other origins', async () => {
    await browser.context.setOffline(true);
    try {
      await page.fill('#namespace', 'offline');
      await assertSameAsNode({
        url: 'https://acme@dev.azure.com/acme/Infra/_git/fleet',
        provider: 'azure',
        workloadIdentityClientId: WI_CLIENT_ID,
        namespace: 'offline',
      });
    } finally {
      await browser.context.setOffline(false);
    }
    assert.deepEqual(foreignRequests, []);
    const files = new Set(server.requests);
    assert.deepEqual([...files].sort(), [
      '/',
      '/flux_azdo_wasm_bg.wasm',
      '/index.html',
      '/main.js',
      '/manifests.json',
      '/style.css',
      '/sw.js',
    ]);
  });

  test('opens again with the server gone (the service worker cache)', async () => {
    const own = await serveStatic(distDir);
    const p = await browser.context.newPage();
    try {
      const url = 'https://dev.azure.com/acme/Infra/_git/offline';
      await p.goto(`${own.url}#url=${encodeURIComponent(url)}`);
      await ready(p);
      await p.evaluate(() => navigator.serviceWorker.ready);
      await own.close();
      await assert.rejects(fetch(own.url), 'the server is still there');
      await p.reload();
      await assertSameAsNode({ url }, p);
    } finally {
      await p.close();
      await own.close();
    }
  });
});
