// Differential test of the Git credential Secret: what flux-azdo's bootstrap writes against Flux's
// own generator (flux2 v2.9.4 pkg/manifestgen/sourcesecret.GenerateGit, in tests/oracle, fed as
// `flux bootstrap git` feeds it). Both sides get the same PAT, CA file and private key files
// (made here by ssh-keygen and openssl, in every format a user may hold), and both scan the host
// key of the same real sshd (tests/servers/sshd.mjs): Flux's scan runs inside its generator.
// flux-azdo's side is bootstrap's own code path (deployKey → scanKnownHosts → gitSecretWrite).
// The Secret is compared as the object Flux's YAML describes, every value byte for byte.
// Refusals are compared too: a key file Flux's loader rejects must be rejected with a typed code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { parse } from 'yaml';

import { deployKey } from '../../npm/dist/bootstrap/credentials.js';
import { gitSecretWrite, planRepository, scanKnownHosts } from '../../npm/dist/bootstrap/run.js';
import { startOracle } from '../oracle/client.mjs';
import { startSshd } from '../servers/sshd.mjs';
import { readBundleFiles } from '../support/flux-reference.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';
import { EXCEPTIONS } from './support/refusal-parity.mjs';

let oracle;
let sshd;
let work;
let bundle;
const passphrase = `pass-${randomBytes(12).toString('hex')}`;
const pat = `pat${randomBytes(20).toString('hex')}`;
/** Key files by name: [file text, passphrase it was encrypted with or ''] */
const keys = {};
let caPem;

function keygen(name, args, pass = '') {
  const file = join(work, name);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', pass, '-C', '', '-f', file]);
  keys[name] = { text: readFileSync(file, 'utf8'), pass };
}

before(async () => {
  bundle = readBundleFiles();
  oracle = startOracle();
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-oracle-secret-'));
  keygen('rsa-openssh', ['-t', 'rsa', '-b', '2048']);
  keygen('rsa-openssh-encrypted', ['-t', 'rsa', '-b', '2048'], passphrase);
  keygen('rsa-pkcs1', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']);
  keygen('rsa-pkcs1-encrypted', ['-t', 'rsa', '-b', '2048', '-m', 'PEM'], passphrase);
  keygen('rsa-pkcs8', ['-t', 'rsa', '-b', '3072', '-m', 'PKCS8']);
  keygen('ecdsa-p256', ['-t', 'ecdsa', '-b', '256']);
  keygen('ecdsa-p384-pem', ['-t', 'ecdsa', '-b', '384', '-m', 'PEM']);
  keygen('ed25519', ['-t', 'ed25519']);
  keygen('ed25519-encrypted', ['-t', 'ed25519'], passphrase);
  // Encrypted PKCS#8 (what `openssl pkcs8 -topk8 -v2 aes256` writes).
  const plain = join(work, 'rsa-pkcs8');
  const enc = execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', plain, '-passout', `pass:${passphrase}`], {
    encoding: 'utf8',
  });
  keys['rsa-pkcs8-encrypted'] = { text: enc, pass: passphrase };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=flux-azdo oracle CA',
      '-days',
      '1',
      '-keyout',
      join(work, 'ca.key'),
      '-out',
      join(work, 'ca.crt'),
    ],
    { stdio: 'ignore' },
  );
  caPem = readFileSync(join(work, 'ca.crt'), 'utf8');
});

after(async () => {
  await oracle?.stop();
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The Secret object Flux's generator's YAML describes (it writes nothing else: no type, no data). */
function fluxSecret(content) {
  assert.ok(content.startsWith('---\n'), 'Flux writes one document after ---');
  return parse(content.slice(4));
}

/** The Secret flux-azdo's bootstrap writes, as the object it applies. */
function ourSecret(input) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: input.name, namespace: input.namespace },
    stringData: Object.fromEntries(Object.entries(input.stringData).map(([k, v]) => [k, typeof v === 'string' ? v : v.expose()])),
  };
}

const cluster = { secretExists: false };

async function ours(options) {
  const plan = planRepository(options, bundle, null);
  const key = plan.syncAuth === 'ssh' ? await deployKey(options, plan, undefined) : undefined;
  const knownHosts = plan.syncAuth === 'ssh' ? (await scanKnownHosts(plan)).sync : undefined;
  const write = await gitSecretWrite(options, plan, cluster, key, knownHosts);
  return ourSecret(write.input);
}

const names = [
  ['flux-system', 'flux-system'],
  ['git-creds', 'flux'],
  ['a.b', 'gitops-1'],
];

for (const [i, [secretName, namespace]] of names.entries()) {
  for (const mode of ['token', 'token-ca', 'bearer', 'bearer-ca']) {
    test(`${mode} Secret (${secretName} in ${namespace}) is Flux's, byte for byte`, async () => {
      const username = i === 1 ? 'alice' : 'git';
      const bearer = mode.startsWith('bearer');
      const ca = mode.endsWith('-ca');
      const caFile = join(work, 'ca.crt');
      const options = {
        url: `https://dev.azure.com/org/project/_git/repo-${i}`,
        tokenAuth: true,
        withBearerToken: bearer,
        username,
        password: pat,
        secretName,
        namespace,
        ...(ca ? { caFile } : {}),
      };
      const mine = await ours(options);
      const flux = await oracle.request({
        id: mode,
        secret: { name: secretName, namespace, tokenAuth: true, withBearerToken: bearer, username, password: pat, caCrt: ca ? caPem : '' },
      });
      assert.equal(flux.secret.error, undefined, flux.secret.error);
      assert.deepEqual(mine, fluxSecret(flux.secret.content));
      await assertNoLeaks({ pats: [pat], usernames: [username] }, { values: [options.url, flux.secret.path] });
    });
  }
}

/** SSH cases: the key file, and the passphrase given (as --password), or none. */
const sshCases = [
  ['rsa-openssh', ''],
  ['rsa-openssh-encrypted', 'right'],
  ['rsa-pkcs1', ''],
  ['rsa-pkcs1-encrypted', 'right'],
  ['rsa-pkcs8', ''],
  ['ecdsa-p256', ''],
  ['ecdsa-p384-pem', ''],
  ['ed25519', ''],
  ['ed25519-encrypted', 'right'],
];

for (const [name, given] of sshCases) {
  test(`SSH Secret with a ${name} key file${given ? ' and its passphrase' : ''} is Flux's, byte for byte`, async () => {
    const key = keys[name];
    const password = given === 'right' ? key.pass : '';
    const url = `ssh://git@127.0.0.1:${sshd.port}/org/repo.git`;
    const options = { url, privateKey: key.text, ...(password ? { password } : {}), namespace: 'flux-system' };
    const mine = await ours(options);
    const flux = await oracle.request({
      id: name,
      secret: { name: 'flux-system', namespace: 'flux-system', privateKey: key.text, password, sshHost: `127.0.0.1:${sshd.port}` },
    });
    assert.equal(flux.secret.error, undefined, flux.secret.error);
    const expected = fluxSecret(flux.secret.content);
    // The scan found the real server's key on both sides.
    assert.equal(expected.stringData.known_hosts, sshd.hostKeyLine);
    assert.deepEqual(mine, expected);
  });
}

/** Key files and passphrases Flux's loader refuses: flux-azdo must refuse them, with these codes. */
const refusedCases = [
  ['rsa-openssh-encrypted', '', 'KEY_PASSPHRASE_REQUIRED'],
  ['rsa-pkcs1-encrypted', '', 'KEY_PASSPHRASE_REQUIRED'],
  ['ed25519-encrypted', '', 'KEY_PASSPHRASE_REQUIRED'],
  ['rsa-openssh-encrypted', 'wrong', 'WRONG_PASSPHRASE'],
  ['rsa-pkcs1-encrypted', 'wrong', 'WRONG_PASSPHRASE'],
  ['rsa-openssh', 'unneeded', 'INVALID_OPTION'],
  ['rsa-pkcs1', 'unneeded', 'INVALID_OPTION'],
  ['ed25519', 'unneeded', 'INVALID_OPTION'],
];

for (const [name, given, code] of refusedCases) {
  test(`a ${name} key file with ${given || 'no'} passphrase: Flux refuses it, flux-azdo with ${code}`, async () => {
    const key = keys[name];
    const password = given === 'wrong' ? `${passphrase}-wrong` : given === 'unneeded' ? passphrase : '';
    const flux = await oracle.request({
      id: name,
      secret: { name: 'flux-system', namespace: 'flux-system', privateKey: key.text, password, sshHost: `127.0.0.1:${sshd.port}` },
    });
    assert.match(flux.secret.error ?? '', /^load key: /, 'Flux refuses the key file');
    const url = `ssh://git@127.0.0.1:${sshd.port}/org/repo.git`;
    const options = { url, privateKey: key.text, ...(password ? { password } : {}) };
    const err = await ours(options).then(
      () => assert.fail('flux-azdo accepted a key file Flux refuses'),
      (e) => e,
    );
    assert.equal(err.code, code);
    await assertNoLeaks({ passphrases: [passphrase, `${passphrase}-wrong`], privateKeys: [key.text] }, { values: [err] });
  });
}

test('documented exception: an encrypted PKCS#8 key file Flux cannot read is accepted (written decrypted, as Flux writes keys)', async () => {
  assert.ok(
    EXCEPTIONS.some((e) => e.id === 'encrypted-pkcs8'),
    'listed among the documented exceptions',
  );
  const key = keys['rsa-pkcs8-encrypted'];
  const flux = await oracle.request({
    id: 'pkcs8-enc',
    secret: { name: 'flux-system', namespace: 'flux-system', privateKey: key.text, password: key.pass, sshHost: `127.0.0.1:${sshd.port}` },
  });
  assert.match(flux.secret.error ?? '', /^load key: /, 'Flux still refuses it (else drop the exception)');
  const url = `ssh://git@127.0.0.1:${sshd.port}/org/repo.git`;
  const mine = await ours({ url, privateKey: key.text, password: key.pass });
  // What flux-azdo writes is what Flux writes for the same key unencrypted.
  const plainFlux = await oracle.request({
    id: 'pkcs8-plain',
    secret: {
      name: 'flux-system',
      namespace: 'flux-system',
      privateKey: mine.stringData.identity,
      password: '',
      sshHost: `127.0.0.1:${sshd.port}`,
    },
  });
  assert.equal(plainFlux.secret.error, undefined, plainFlux.secret.error);
  assert.deepEqual(mine, fluxSecret(plainFlux.secret.content));
  assert.equal(mine.stringData.identity.trim(), keys['rsa-pkcs8'].text.trim());
});

test('the oracle scans the host: a closed port fails the SSH Secret on both sides', async () => {
  const closed = await new Promise((resolve) => {
    import('node:net').then(({ createServer }) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
  });
  const key = keys['rsa-openssh'];
  const flux = await oracle.request({
    id: 'closed',
    secret: { name: 'flux-system', namespace: 'flux-system', privateKey: key.text, password: '', sshHost: `127.0.0.1:${closed}` },
  });
  assert.match(flux.secret.error ?? '', /SSH key scan/);
  const err = await ours({ url: `ssh://git@127.0.0.1:${closed}/org/repo.git`, privateKey: key.text }).then(
    () => assert.fail('scanned a closed port'),
    (e) => e,
  );
  assert.equal(err.code, 'GIT_UNREACHABLE');
});
