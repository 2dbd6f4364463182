// The leak scanner must be able to fail: a secret planted in each place it scans (output, a git
// object packed and loose, a ConfigMap, a Secret's annotation, a temp file, a child process's
// environment and argv), in each encoded form, is found; clean material gives no hit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  base64Cores,
  findLeaks,
  keyBodyLines,
  scanCluster,
  scanDirs,
  scanProcesses,
  scanRepos,
  scanValues,
  secretNeedles,
  watchProcessTree,
} from './leak-scan.mjs';

const pat = `fake-pat-${randomBytes(16).toString('hex')}`;
const passphrase = `fake-passphrase-${randomBytes(8).toString('hex')}`;
let work;
let privateKey;
const secrets = () => ({ pats: [pat], passphrases: [passphrase], privateKeys: [privateKey] });
const needles = () => secretNeedles(secrets());

before(() => {
  work = mkdtempSync(join(tmpdir(), 'leak-scan-test-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-C', '', '-f', join(work, 'id')]);
  privateKey = execFileSync('cat', [join(work, 'id')], { encoding: 'utf8' });
});
after(() => rmSync(work, { recursive: true, force: true }));

test('base64 cores find a secret at any offset of an encoded value', () => {
  for (const prefix of ['', 'a', 'ab', 'git:', ':', 'username: git\npassword: ']) {
    const encoded = Buffer.from(`${prefix}${pat}\n`).toString('base64');
    assert.ok(
      base64Cores(pat).some((core) => encoded.includes(core)),
      `prefix ${JSON.stringify(prefix)}`,
    );
  }
  assert.ok(keyBodyLines(privateKey).length > 10);
});

test('output and events: the raw value and each encoded form are found; clean output is not', () => {
  const line = keyBodyLines(privateKey)[3];
  const planted = [
    `token ${pat}`,
    { type: 'log', message: `Authorization: Basic ${Buffer.from(`git:${pat}`).toString('base64')}` },
    { header: Buffer.from(`:${pat}`).toString('base64') },
    new Error('failed', { cause: { url: `https://x/?p=${encodeURIComponent(passphrase + '/+')}` } }),
    `key ${encodeURIComponent(line)}`,
    { data: Buffer.from(`xx${passphrase}`).toString('base64') },
  ];
  for (const value of planted) assert.notDeepEqual(scanValues(needles(), [value]), [], `not found in ${String(value)}`);
  assert.deepEqual(scanValues(needles(), ['all good', { type: 'done', sha: 'abc' }, new Error('boom')]), []);
});

test('repositories: a secret in a git object (loose and packed) is found; a clean repo is not', () => {
  const bare = join(work, 'repo.git');
  execFileSync('git', ['init', '-q', '--bare', bare]);
  assert.deepEqual(scanRepos(needles(), [bare]), [], 'an empty repo is clean');
  const blob = join(work, 'blob');
  writeFileSync(blob, `password: ${Buffer.from(pat).toString('base64')}\n`);
  execFileSync('git', ['--git-dir', bare, 'hash-object', '-w', blob]);
  // Loose objects are zlib-compressed: only the decompressed scan can see the secret.
  assert.deepEqual(scanDirs(needles(), [join(bare, 'objects')]), [], 'compressed, the raw files hide it');
  assert.match(scanRepos(needles(), [bare]).join('\n'), /PAT #0 \(base64.* in an object of/);
  execFileSync('git', ['--git-dir', bare, 'repack', '-adq']);
  execFileSync('git', ['--git-dir', bare, 'prune-packed']);
  assert.match(scanRepos(needles(), [bare]).join('\n'), /in an object of/, 'packed too');
});

test('temp dirs: a file holding a key line is found, and flux-azdo leftovers are reported', async () => {
  const tmp = join(work, 'tmp');
  mkdirSync(join(tmp, 'flux-azdo-clone-abc'), { recursive: true });
  writeFileSync(join(tmp, 'flux-azdo-clone-abc', 'config'), 'nothing\n');
  const found = await findLeaks(secrets(), { tmpDirs: [tmp] });
  assert.deepEqual(found, [`leftover temp entry ${join(tmp, 'flux-azdo-clone-abc')}`]);
  writeFileSync(join(tmp, 'other.txt'), `${keyBodyLines(privateKey)[7]}\n`);
  assert.match((await findLeaks(secrets(), { tmpDirs: [tmp] })).join('\n'), /private key #0 line 7 in file .*other\.txt/);
});

/** An apiserver's discovery and lists, in memory. */
function fakeApiserver(objects) {
  const resources = [
    { name: 'configmaps', kind: 'ConfigMap', verbs: ['list', 'get'] },
    { name: 'secrets', kind: 'Secret', verbs: ['list', 'get'] },
    { name: 'pods/log', kind: 'Pod', verbs: ['get'] },
  ];
  const groupResources = [{ name: 'kustomizations', kind: 'Kustomization', verbs: ['list'] }];
  return async (path) => {
    if (path === '/api/v1') return { status: 200, body: { resources } };
    if (path === '/apis') return { status: 200, body: { groups: [{ versions: [{ groupVersion: 'kustomize.toolkit.fluxcd.io/v1' }] }] } };
    if (path === '/apis/kustomize.toolkit.fluxcd.io/v1') return { status: 200, body: { resources: groupResources } };
    const name = path.split('/').at(-1);
    return { status: 200, body: { items: objects[name] ?? [] } };
  };
}

test('cluster: a ConfigMap holding a Basic form, or an annotation on the Git Secret, is found; its data is allowed', async () => {
  const gitSecret = {
    kind: 'Secret',
    metadata: { namespace: 'flux-system', name: 'flux-system' },
    data: { password: Buffer.from(pat).toString('base64') },
  };
  const clean = fakeApiserver({ secrets: [gitSecret], kustomizations: [{ metadata: { name: 'k' } }] });
  assert.deepEqual(await scanCluster(needles(), clean, { allowedSecrets: ['flux-system/flux-system'] }), []);
  assert.match((await scanCluster(needles(), clean)).join('\n'), /Secret flux-system\/flux-system/, 'not allowed: found');
  const configMap = { metadata: { namespace: 'app', name: 'cfg' }, binaryData: { auth: Buffer.from(`git:${pat}`).toString('base64') } };
  const withConfigMap = fakeApiserver({ secrets: [gitSecret], configmaps: [configMap] });
  assert.match(
    (await scanCluster(needles(), withConfigMap, { allowedSecrets: ['flux-system/flux-system'] })).join('\n'),
    /ConfigMap app\/cfg/,
  );
  const annotated = { ...gitSecret, metadata: { ...gitSecret.metadata, annotations: { last: JSON.stringify({ passphrase }) } } };
  const withAnnotation = fakeApiserver({ secrets: [annotated] });
  assert.match(
    (await scanCluster(needles(), withAnnotation, { allowedSecrets: ['flux-system/flux-system'] })).join('\n'),
    /passphrase #0 in Secret/,
  );
  const custom = fakeApiserver({ kustomizations: [{ metadata: { name: 'k' }, spec: { url: `https://git:${pat}@x` } }] });
  assert.match((await scanCluster(needles(), custom)).join('\n'), /Kustomization/, 'discovered group resources are listed');
  await assert.rejects(
    scanCluster(needles(), async () => ({ status: 403, body: {} })),
    /cannot see/,
  );
});

test('processes: a secret in a child process environment or argv is found; the root env is the test s own', async () => {
  const child = spawn(
    process.execPath,
    ['-e', `require('child_process').spawnSync('sleep', ['0.4'], { env: { ...process.env, LEAKED: process.env.TOKEN } })`],
    {
      env: { ...process.env, TOKEN: pat },
      stdio: 'ignore',
    },
  );
  const watch = watchProcessTree(child.pid);
  await new Promise((r) => child.on('close', r));
  const seen = watch.stop();
  assert.ok(
    seen.some((p) => p.descendant && p.argv[0] === 'sleep'),
    'the grandchild was seen',
  );
  const found = scanProcesses(needles(), seen).join('\n');
  assert.match(found, /PAT #0 in environment of pid \d+ \(sleep\)/);
  assert.doesNotMatch(found, new RegExp(`pid ${child.pid} `), 'the root env is allowed');
  assert.match(scanProcesses(needles(), seen, { allowRootEnv: false }).join('\n'), new RegExp(`environment of pid ${child.pid} `));
  assert.match(
    scanProcesses(needles(), [{ pid: 1, argv: ['flux-azdo', `--password=${passphrase}`], env: [], descendant: false }]).join('\n'),
    /argv/,
  );
});

test('a key s public half may be printed; the private key itself is still found', () => {
  const publicKey = execFileSync('ssh-keygen', ['-y', '-f', join(work, 'id')], { encoding: 'utf8' });
  const withPublic = secretNeedles({ privateKeys: [privateKey], publicKeys: [publicKey] });
  assert.deepEqual(scanValues(withPublic, [`deploy key: ${publicKey}`]), []);
  assert.notDeepEqual(scanValues(withPublic, [privateKey]), []);
  assert.notDeepEqual(scanValues(withPublic, [{ data: Buffer.from(privateKey).toString('base64') }]), []);
});

test('an Entra token, a federated assertion and a client secret are found raw, encoded, as Bearer, and by the signature alone', () => {
  const jwt = (n) =>
    [
      Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url'),
      Buffer.from(`{"aud":"499b84ac-1321-427f-aa17-267ca6975798","n":${n}}`).toString('base64url'),
      randomBytes(256).toString('base64url'),
    ].join('.');
  const token = jwt(1);
  const assertion = jwt(2);
  const clientSecret = `abc8Q~${randomBytes(20).toString('hex')}`;
  const entra = secretNeedles({ entraTokens: [token], assertions: [assertion], clientSecrets: [clientSecret] });
  const planted = [
    `Authorization: Bearer ${token}`,
    { header: Buffer.from(`Bearer ${token}`).toString('base64') },
    `signature only: ${token.split('.')[2]}`,
    `client_assertion=${encodeURIComponent(assertion)}`,
    { env: `AZURE_CLIENT_SECRET=${clientSecret}` },
    { data: Buffer.from(`x${clientSecret}`).toString('base64') },
  ];
  for (const value of planted) assert.notDeepEqual(scanValues(entra, [value]), [], `not found in ${JSON.stringify(value)}`);
  // The claims are not secret: a token's header and payload may be shown.
  assert.deepEqual(scanValues(entra, [`${token.split('.')[1]} tenant ok`]), []);
});

test('a registry password is found raw, base64, and inside the docker config auth field, once or twice encoded', () => {
  const creds = { username: 'fake-registry-user', password: `fake-registry-pass-${randomBytes(12).toString('hex')}` };
  const found = (value) => scanValues(secretNeedles({ registryCreds: [creds] }), [value]);
  const auth = Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
  const config = JSON.stringify({ auths: { 'registry.example/fluxcd': { username: creds.username, password: creds.password, auth } } });
  for (const value of [
    `password ${creds.password}`,
    { auth },
    { data: { '.dockerconfigjson': Buffer.from(config).toString('base64') } },
    Buffer.from(`x${auth}`).toString('base64'),
    `--registry-creds=${creds.username}:${creds.password}`,
  ]) {
    assert.notDeepEqual(found(value), [], `not found in ${JSON.stringify(value)}`);
  }
  assert.deepEqual(found({ registry: 'registry.example/fluxcd', username: creds.username }), []);
});
