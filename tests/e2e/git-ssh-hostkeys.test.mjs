// known_hosts as users write it, against the real sshd: hashed names (`ssh-keygen -H`), several
// keys per host, `@revoked` lines, and a server offering only an `ssh-rsa` (SHA-1) host key
// signature under Azure DevOps' defaults. The OpenSSH client is the judge for known_hosts: with
// the same file it must accept or refuse the same server key as flux-azdo does.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { sshHostPolicy } from '../../npm/dist/core/node.js';
import { cloneForBootstrap, scanHostKey, SecretValue } from '../../npm/dist/git/index.js';
import { startSshd } from '../servers/sshd.mjs';
import { rejection } from './support/git-fixtures.mjs';

let work;
let sshd;
let sha1Sshd;
const keys = {};

function keygen(name, args) {
  const path = join(work, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `flux-azdo-test-${name}`, '-f', path, ...args]);
  return { path, private: readFileSync(path, 'utf8'), public: readFileSync(`${path}.pub`, 'utf8').trim() };
}

/** `type base64` of a public key line. */
const keyPart = (line) => line.split(/\s+/).slice(0, 2).join(' ');

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-hostkeys-'));
  keys.user = keygen('user', ['-t', 'rsa', '-b', '2048', '-m', 'PEM']);
  keys.other = keygen('other', ['-t', 'rsa', '-b', '2048']);
  keys.third = keygen('third', ['-t', 'ed25519']);
  sshd = await startSshd({ authorizedKeys: [keys.user.public] });
  sha1Sshd = await startSshd({ authorizedKeys: [keys.user.public], hostKeyAlgorithms: 'ssh-rsa' });
  for (const [org, proj, repo] of [['org', 'proj', 'hk']]) {
    for (const server of [sshd, sha1Sshd]) execFileSync('git', ['init', '--quiet', '--bare', server.repoDir(org, proj, repo)]);
  }
});

after(async () => {
  await sshd?.stop();
  await sha1Sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const name = () => `[${sshd.host}]:${sshd.port}`;
const serverKey = () => keyPart(sshd.hostKeyLine.split(' ').slice(1).join(' '));

/** A known_hosts file hashed by OpenSSH itself (`ssh-keygen -H`). */
function hashed(text) {
  const file = join(mkdtempSync(join(work, 'kh-')), 'known_hosts');
  writeFileSync(file, text);
  execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
  const out = readFileSync(file, 'utf8');
  assert.match(out, /^\|1\|/m, 'ssh-keygen hashed the names');
  assert.doesNotMatch(out, new RegExp(sshd.host.replace(/\./g, '\\.')), 'no plain name left');
  return out;
}

/** flux-azdo's verdict: the clone's outcome code ('ok' when it connected and authenticated). */
async function ours(server, knownHosts, extra = {}) {
  const dir = mkdtempSync(join(work, 'clone-'));
  try {
    await cloneForBootstrap({
      url: server.repoUrl('org', 'proj', 'hk'),
      branch: 'main',
      auth: { kind: 'ssh', privateKey: new SecretValue(keys.user.private), knownHosts, ...extra },
      dir,
    });
    return 'ok';
  } catch (err) {
    return err.code;
  }
}

/** OpenSSH's verdict for the same known_hosts: whether it trusts the server's host key. */
function openssh(server, knownHosts) {
  const file = join(mkdtempSync(join(work, 'ssh-')), 'known_hosts');
  writeFileSync(file, knownHosts);
  return new Promise((resolve) => {
    execFile(
      'ssh',
      [
        '-F',
        '/dev/null',
        '-p',
        String(server.port),
        '-i',
        keys.user.path,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `UserKnownHostsFile=${file}`,
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-o',
        'HostKeyAlgorithms=rsa-sha2-512,rsa-sha2-256',
        `${server.user}@${server.host}`,
        "git-upload-pack '/v3/org/proj/hk'",
      ],
      { timeout: 20_000 },
      (_err, _stdout, stderr) => resolve(/Host key verification failed|REVOKED HOST KEY|has changed/i.test(stderr) ? 'refused' : 'trusted'),
    );
  });
}

describe('known_hosts forms, flux-azdo and OpenSSH alike', () => {
  const cases = [
    ['a plain pin', () => `${name()} ${serverKey()}\n`, 'ok'],
    ['a hashed pin (ssh-keygen -H)', () => hashed(`${name()} ${serverKey()}\n`), 'ok'],
    ['a hashed pin of another key', () => hashed(`${name()} ${keyPart(keys.other.public)}\n`), 'HOST_KEY_MISMATCH'],
    [
      'several keys for the host, ours last',
      () => `${name()} ${keyPart(keys.other.public)}\n${name()} ${keyPart(keys.third.public)}\n${name()} ${serverKey()}\n`,
      'ok',
    ],
    [
      'several keys for the host, none ours',
      () => `${name()} ${keyPart(keys.other.public)}\n${name()} ${keyPart(keys.third.public)}\n`,
      'HOST_KEY_MISMATCH',
    ],
    ['a pattern list with comments and blank lines', () => `# pinned\n\nexample.com,${name()} ${serverKey()}\n`, 'ok'],
    ['a pin and @revoked for the same key', () => `${name()} ${serverKey()}\n@revoked * ${serverKey()}\n`, 'HOST_KEY_REVOKED'],
    ['@revoked alone', () => `@revoked ${name()} ${serverKey()}\n`, 'HOST_KEY_REVOKED'],
    ['@revoked of another key beside our pin', () => `@revoked * ${keyPart(keys.other.public)}\n${name()} ${serverKey()}\n`, 'ok'],
  ];
  for (const [title, text, expected] of cases) {
    test(`${title}: ${expected}`, async () => {
      const knownHosts = text();
      const got = await ours(sshd, knownHosts);
      assert.equal(got, expected);
      assert.equal(await openssh(sshd, knownHosts), expected === 'ok' ? 'trusted' : 'refused', 'OpenSSH decides alike');
    });
  }

  test('a revoked key is refused before authenticating: sshd sees no key offered', async () => {
    const before = sshd.log().length;
    assert.equal(await ours(sshd, `${name()} ${serverKey()}\n@revoked * ${serverKey()}\n`), 'HOST_KEY_REVOKED');
    assert.doesNotMatch(sshd.log().slice(before), /userauth_pubkey|Accepted publickey/);
  });
});

describe('a server offering only an ssh-rsa (SHA-1) host key signature', () => {
  const ado = () => sshHostPolicy('ssh.dev.azure.com').hostKeyAlgorithms;

  test("under Azure DevOps' defaults: HOST_KEY_SHA1_ONLY naming --ssh-hostkey-algos, for the scan and for the clone", async () => {
    assert.ok(ado().length > 0 && !ado().includes('ssh-rsa'), "Azure DevOps' defaults offer RSA SHA-2 only");
    const scan = await rejection(() => scanHostKey('ssh.dev.azure.com', sha1Sshd.port, { connectAddress: sha1Sshd.host }));
    assert.equal(scan.code, 'HOST_KEY_SHA1_ONLY');
    assert.equal(scan.option, 'ssh-hostkey-algos');
    const line = `[${sha1Sshd.host}]:${sha1Sshd.port} ${keyPart(sha1Sshd.hostKeyLine.split(' ').slice(1).join(' '))}\n`;
    assert.equal(await ours(sha1Sshd, line, { hostKeyAlgos: ado() }), 'HOST_KEY_SHA1_ONLY');
  });

  test('the fix it names works: --ssh-hostkey-algos=ssh-rsa connects', async () => {
    const line = `[${sha1Sshd.host}]:${sha1Sshd.port} ${keyPart(sha1Sshd.hostKeyLine.split(' ').slice(1).join(' '))}\n`;
    assert.equal(await ours(sha1Sshd, line, { hostKeyAlgos: ['ssh-rsa'] }), 'ok');
    assert.match(sha1Sshd.log(), /Accepted publickey/);
  });
});
