// Which signature algorithm our SSH client uses for RSA keys, seen by a real ssh2 server (in this
// process, serving `git upload-pack` over exec). ssh2's own choice follows the server's
// server-sig-algs (SHA-1 `ssh-rsa` when there is none); ours is rsa-sha2-512 whatever is advertised.
// Build first: npm run build -w flux-azdo.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import ssh2 from 'ssh2';

import { cloneForBootstrap, RSA_SIGNATURE_ALGORITHM, SecretValue, signingKey, parsePrivateKey } from '../dist/git/index.js';

let work;
let server;
let port;
let hostKeyLine;
const clientKey = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 });
/** What the server saw of each publickey attempt that carried a signature. */
const signed = [];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-ssh-sig-'));
  execFileSync('git', ['init', '--quiet', '--bare', join(work, 'repo.git')]);
  const hostKey = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048 });
  const authorized = ssh2.utils.parseKey(clientKey.public);
  server = new ssh2.Server({ hostKeys: [hostKey.private] }, (conn) => {
    conn.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || !ctx.key.data.equals(authorized.getPublicSSH())) return ctx.reject(['publickey']);
      if (!ctx.signature) return ctx.accept();
      // ssh2 reports the key type as algo and the named signature algorithm as its hash:
      // rsa-sha2-512 → sha512, rsa-sha2-256 → sha256, ssh-rsa → undefined (SHA-1).
      signed.push({ algo: ctx.key.algo, hashAlgo: ctx.hashAlgo });
      // ssh2 checks the signature with the hash the named algorithm implies.
      return authorized.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject();
    });
    conn.on('ready', () => {
      conn.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          const match = /^git-upload-pack '\/(.+)'$/.exec(info.command);
          if (!match) return (stream.exit(1), stream.end());
          const child = spawn('git', ['upload-pack', join(work, match[1])], { stdio: 'pipe' });
          stream.pipe(child.stdin);
          child.stdout.pipe(stream, { end: false });
          child.stderr.pipe(stream.stderr, { end: false });
          child.on('close', (code) => {
            stream.exit(code ?? 1);
            stream.end();
          });
        });
      });
    });
    conn.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
  const blob = ssh2.utils.parseKey(hostKey.public).getPublicSSH();
  hostKeyLine = `[127.0.0.1]:${port} ssh-rsa ${blob.toString('base64')}`;
});

after(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

test('our client signs with rsa-sha2-512 where ssh2 on its own would pick another algorithm', async () => {
  signed.length = 0;
  const cloned = await cloneForBootstrap({
    url: `ssh://git@127.0.0.1:${port}/repo.git`,
    branch: 'main',
    dir: join(work, 'clone'),
    auth: { kind: 'ssh', privateKey: new SecretValue(clientKey.private), knownHosts: hostKeyLine },
  });
  assert.equal(cloned.empty, true);
  assert.ok(signed.length >= 1);
  for (const attempt of signed) assert.deepEqual(attempt, { algo: 'ssh-rsa', hashAlgo: 'sha512' });

  // Control: plain ssh2 with the same key, same server, picks what the server advertises.
  signed.length = 0;
  await new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('ready', () => {
      client.end();
      resolve();
    });
    client.on('error', reject);
    client.connect({ host: '127.0.0.1', port, username: 'git', privateKey: clientKey.private, hostVerifier: () => true });
  });
  assert.equal(signed.length, 1);
  assert.equal(signed[0].algo, 'ssh-rsa');
  assert.notEqual(signed[0].hashAlgo, 'sha512');
});

test('signingKey: an RSA key names rsa-sha2-512 and its signatures verify with SHA-512 only', () => {
  assert.equal(RSA_SIGNATURE_ALGORITHM, 'rsa-sha2-512');
  const key = signingKey(parsePrivateKey(new SecretValue(clientKey.private)));
  assert.equal(key.type, 'rsa-sha2-512');
  assert.equal(key.isPrivateKey(), true);
  // The public blob still names the key type ssh-rsa, as servers expect.
  const blob = key.getPublicSSH();
  assert.equal(blob.subarray(4, 4 + blob.readUInt32BE(0)).toString(), 'ssh-rsa');
  const data = Buffer.from('session id and userauth request');
  // ssh2 passes no hash for non-`ssh-rsa` types, and some paths pass one; both must give SHA-512.
  for (const signature of [key.sign(data), key.sign(data, 'sha1')]) {
    const publicKey = createPublicKey(ssh2.utils.parseKey(clientKey.public).getPublicPEM());
    assert.equal(verify('sha512', data, publicKey, signature), true);
    assert.equal(verify('sha256', data, publicKey, signature), false);
    assert.equal(verify('sha1', data, publicKey, signature), false);
  }
});

test('signingKey leaves non-RSA keys alone', () => {
  const ed = ssh2.utils.generateKeyPairSync('ed25519');
  const parsed = parsePrivateKey(new SecretValue(ed.private));
  assert.equal(signingKey(parsed), parsed);
  assert.equal(parsed.type, 'ssh-ed25519');
});
