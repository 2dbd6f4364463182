// The keys API through the built package: WebCrypto generation checked by OpenSSH itself,
// and the error codes of key loading. Needs ssh-keygen (openssh-client).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { FluxAzdoError, SecretValue, generateKey, knownHostsLine, loadPrivateKey } from '../dist/index.js';

let dir;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'flux-azdo-keys-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a private key file readable only by us (ssh-keygen refuses others). */
function writeKey(name, content) {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function sshKeygen(...args) {
  return execFileSync('ssh-keygen', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function fingerprintOf(path) {
  return sshKeygen('-l', '-E', 'sha256', '-f', path).split(' ')[1];
}

function assertCode(fn, code, option) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof FluxAzdoError, `not a FluxAzdoError: ${err}`);
    assert.equal(err.code, code);
    if (option !== undefined) assert.equal(err.option, option);
    return true;
  });
}

const PASS = 'fake-test-passphrase-3';

describe('generateKey', () => {
  test('a 2048-bit key from WebCrypto is one OpenSSH agrees with', async () => {
    const pair = await generateKey({ bits: 2048 });
    assert.equal(pair.generator, 'webcrypto');
    assert.equal(pair.algorithm, 'ssh-rsa');
    assert.equal(pair.bits, 2048);
    assert.match(pair.publicKey, /^ssh-rsa AAAA[A-Za-z0-9+/=]+\n$/);
    assert.ok(pair.identity instanceof SecretValue);
    assert.ok(pair.identity.expose().startsWith('-----BEGIN PRIVATE KEY-----\n'));
    assert.equal(pair.identity.expose(), pair.privateKeyPkcs8.expose());
    assert.equal(pair.opensshEncrypted, false);

    const pkcs8 = writeKey('gen_pkcs8', pair.privateKeyPkcs8.expose());
    const openssh = writeKey('gen_openssh', pair.privateKeyOpenssh.expose());
    assert.equal(sshKeygen('-y', '-P', '', '-f', pkcs8), pair.publicKey);
    assert.equal(sshKeygen('-y', '-P', '', '-f', openssh), pair.publicKey);
    assert.equal(fingerprintOf(openssh), pair.fingerprint);

    // Secrets never print.
    const printed = JSON.stringify(pair) + String(pair.identity) + `${pair.privateKeyOpenssh}`;
    assert.ok(!printed.includes('PRIVATE KEY'), printed);
  });

  test('a passphrase encrypts the OpenSSH key, which then needs it to load', async () => {
    const pair = await generateKey({ bits: 2048, passphrase: new SecretValue(PASS) });
    assert.equal(pair.opensshEncrypted, true);
    const file = writeKey('gen_enc', pair.privateKeyOpenssh.expose());
    assert.equal(sshKeygen('-y', '-P', PASS, '-f', file), pair.publicKey);
    assert.notEqual(spawnSync('ssh-keygen', ['-y', '-P', 'wrong', '-f', file]).status, 0);

    const text = pair.privateKeyOpenssh.expose();
    assertCode(() => loadPrivateKey({ privateKey: text }), 'KEY_PASSPHRASE_REQUIRED', 'password');
    assertCode(() => loadPrivateKey({ privateKey: text, passphrase: `${PASS}-wrong` }), 'WRONG_PASSPHRASE', 'password');
    const loaded = loadPrivateKey({ privateKey: new TextEncoder().encode(text), passphrase: PASS, requireRsa: true });
    assert.equal(loaded.fingerprint, pair.fingerprint);
    assert.equal(loaded.identityEncrypted, true);
    assert.equal(loaded.identity.expose(), text);
  });

  test('without crypto.subtle (a page outside a secure context) the pure-Rust fallback is used', async () => {
    const real = globalThis.crypto;
    // getRandomValues stays: the fallback draws its randomness from it.
    Object.defineProperty(globalThis, 'crypto', {
      value: { getRandomValues: real.getRandomValues.bind(real) },
      configurable: true,
      writable: true,
    });
    let pair;
    try {
      pair = await generateKey({ bits: 2048 });
    } finally {
      Object.defineProperty(globalThis, 'crypto', { value: real, configurable: true, writable: true });
    }
    assert.equal(pair.generator, 'rust');
    const file = writeKey('fallback', pair.identity.expose());
    assert.equal(sshKeygen('-y', '-P', '', '-f', file), pair.publicKey);
  });

  test('bad sizes are INVALID_OPTION on ssh-rsa-bits', async () => {
    for (const options of [{ bits: 1024 }, { bits: 2050 }, { bits: 8200 }, { bits: 1000, generator: 'rust' }]) {
      await assert.rejects(generateKey(options), (err) => {
        assert.equal(err.code, 'INVALID_OPTION');
        assert.equal(err.option, 'ssh-rsa-bits');
        return true;
      });
    }
  });
});

describe('loadPrivateKey', () => {
  test('an ssh-keygen PKCS#1 key loads; with a passphrase, only the right one opens it', () => {
    const path = join(dir, 'pem_rsa');
    sshKeygen('-q', '-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', PASS, '-C', '', '-f', path);
    const privateKey = readFileSync(path, 'utf8');
    assertCode(() => loadPrivateKey({ privateKey }), 'KEY_PASSPHRASE_REQUIRED');
    assertCode(() => loadPrivateKey({ privateKey, passphrase: 'nope' }), 'WRONG_PASSPHRASE');
    const pair = loadPrivateKey({ privateKey: new SecretValue(privateKey), passphrase: PASS, requireRsa: true });
    assert.equal(pair.publicKey, readFileSync(`${path}.pub`, 'utf8').split(' ').slice(0, 2).join(' ').trim() + '\n');
    assert.equal(pair.identity.expose(), privateKey);
  });

  test('Ed25519 loads, but not for Azure DevOps', () => {
    const path = join(dir, 'ed');
    sshKeygen('-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path);
    const privateKey = readFileSync(path);
    assert.equal(loadPrivateKey({ privateKey }).algorithm, 'ssh-ed25519');
    assertCode(() => loadPrivateKey({ privateKey, requireRsa: true }), 'KEY_NOT_RSA');
    assertCode(() => loadPrivateKey({ privateKey, passphrase: 'fake-unneeded' }), 'INVALID_OPTION', 'password');
  });

  test('garbage is INVALID_KEY', () => {
    for (const privateKey of ['', 'hello', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n']) {
      assertCode(() => loadPrivateKey({ privateKey }), 'INVALID_KEY');
    }
  });
});

test('knownHostsLine formats as Flux and refuses a mismatched key type', () => {
  const path = join(dir, 'host');
  sshKeygen('-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', path);
  const blob = readFileSync(`${path}.pub`, 'utf8').split(' ')[1];
  assert.equal(
    knownHostsLine({ host: 'ssh.dev.azure.com', port: 22, keyType: 'ssh-rsa', keyBlob: blob }),
    `ssh.dev.azure.com ssh-rsa ${blob}`,
  );
  assert.equal(knownHostsLine({ host: '127.0.0.1', port: 2222, keyType: 'ssh-rsa', keyBlob: blob }), `[127.0.0.1]:2222 ssh-rsa ${blob}`);
  assertCode(() => knownHostsLine({ host: 'h', port: 22, keyType: 'ssh-ed25519', keyBlob: blob }), 'INVALID_HOST_KEY');
});
