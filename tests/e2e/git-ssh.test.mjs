// The Git half of bootstrap over SSH (ssh2 exec channel behind isomorphic-git), against a real
// OpenSSH sshd configured like Azure DevOps: RSA host key, RSA SHA-2 signatures only.
// Build first: npm run build -w flux-azdo.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { sshHostPolicy } from '../../npm/dist/core/node.js';
import { cloneForBootstrap, commitAndPush, scanHostKey, SecretValue } from '../../npm/dist/git/index.js';
import { startSshd } from '../servers/sshd.mjs';
import { bootstrapFiles, gitCli, gitEnv, rejection, remoteFile, remoteLog, remoteTip, run } from './support/git-fixtures.mjs';
import { assertNoLeaks, bareReposUnder } from './support/leak-scan.mjs';

const FLUX = { name: 'Flux', email: '' };
const MESSAGE = 'Add Flux v2.9.4 component manifests';

let work;
let sshd;
const keys = {};
/** The errors and results the current test saw, and its clone folders: its leak scan's material. */
let seen = [];
let clones = [];
/** Over the whole file, so the after hook can tell the scans had something to look at. */
let scannedErrors = 0;

function keygen(name, args) {
  const path = join(work, name);
  execFileSync('ssh-keygen', ['-q', '-C', `flux-azdo-test-${name}`, '-f', path, ...args]);
  return { path, private: readFileSync(path, 'utf8'), public: readFileSync(`${path}.pub`, 'utf8').trim() };
}

function sshAuth(key, extra = {}) {
  return {
    kind: 'ssh',
    privateKey: new SecretValue(key.private),
    ...(key.passphrase ? { passphrase: new SecretValue(key.passphrase) } : {}),
    knownHosts: `${sshd.hostKeyLine}\n`,
    ...extra,
  };
}

function newDir() {
  const dir = mkdtempSync(join(work, 'clone-'));
  clones.push(dir);
  return dir;
}

async function expectCode(fn, code) {
  const err = await rejection(fn);
  seen.push(err);
  assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
  return err;
}

/** The OpenSSH client, pinned to the test server, with one key and extra options. */
function sshCommand(keyPath, ...options) {
  const knownHosts = join(work, 'cli_known_hosts');
  writeFileSync(knownHosts, `${sshd.hostKeyLine}\n`);
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    keyPath,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    ...options,
  ];
}

async function sshTry(keyPath, ...options) {
  const [cmd, ...args] = sshCommand(keyPath, ...options);
  try {
    await run(cmd, [...args, '-p', String(sshd.port), `${sshd.user}@${sshd.host}`, "git-upload-pack '/v3/org/proj/cli'"], {
      input: '0000',
    });
    return 0;
  } catch (err) {
    return err.code;
  }
}

/** Log lines sshd wrote while `fn` ran. */
async function sshdLogDuring(fn) {
  const start = sshd.log().length;
  await fn();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return sshd.log().slice(start);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'flux-azdo-git-ssh-test-'));
  keys.rsa = { ...keygen('id_rsa', ['-t', 'rsa', '-b', '3072', '-N', 'fake-passphrase-1']), passphrase: 'fake-passphrase-1' };
  keys.rsaPem = keygen('id_rsa_pem', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', '']);
  keys.rsaPemEncrypted = {
    ...keygen('id_rsa_pem_enc', ['-t', 'rsa', '-b', '2048', '-m', 'PEM', '-N', 'fake-passphrase-2']),
    passphrase: 'fake-passphrase-2',
  };
  keys.ed25519 = keygen('id_ed25519', ['-t', 'ed25519', '-N', '']);
  keys.otherHost = keygen('other_host', ['-t', 'rsa', '-b', '2048', '-N', '']);
  sshd = await startSshd({ authorizedKeys: [keys.rsa.public, keys.rsaPem.public, keys.rsaPemEncrypted.public, keys.ed25519.public] });
  sshd.createRepo('org', 'proj', 'cli');
});

// Each test's leak scan runs as part of that test (a failing afterEach fails the test it follows):
// no private key (its base64 body lines, in every encoded form) and no passphrase in its results,
// errors, clone folders, nor in any object of any repository on the server.
afterEach(async () => {
  const items = seen;
  const dirs = clones;
  seen = [];
  clones = [];
  scannedErrors += items.filter((item) => item instanceof Error).length;
  const passphrases = [
    ...Object.values(keys)
      .map((key) => key.passphrase)
      .filter(Boolean),
    'fake-wrong-passphrase',
  ];
  const root = dirname(dirname(dirname(sshd.repoDir('o', 'p', 'r'))));
  await assertNoLeaks(
    { privateKeys: Object.values(keys).map((key) => key.private), publicKeys: Object.values(keys).map((key) => key.public), passphrases },
    { values: items, dirs, repos: bareReposUnder(root) },
  );
});

after(async () => {
  await sshd?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
  // After stopping sshd: a failed check must not leave it running (the file would hang).
  assert.ok(scannedErrors > 0, 'errors were captured and scanned');
});

describe('the test sshd is as strict as Azure DevOps', () => {
  test('an RSA key signing with SHA-2 is accepted (OpenSSH client)', async () => {
    assert.equal(await sshTry(keys.rsaPem.path), 0);
  });

  test('an Ed25519 key is refused even though it is authorized', async () => {
    const log = await sshdLogDuring(async () => assert.equal(await sshTry(keys.ed25519.path), 255));
    assert.match(log, /ssh-ed25519 not in PubkeyAcceptedAlgorithms/);
  });

  test('an ssh-rsa (SHA-1) signature is refused', async () => {
    const log = await sshdLogDuring(async () =>
      assert.equal(await sshTry(keys.rsaPem.path, '-o', 'PubkeyAcceptedAlgorithms=ssh-rsa'), 255),
    );
    assert.match(log, /signature algorithm ssh-rsa not in PubkeyAcceptedAlgorithms/);
  });
});

describe('cloneForBootstrap + commitAndPush over SSH', () => {
  test('an encrypted OpenSSH RSA key: clone of an empty repo, push, and every signature is rsa-sha2-512', async () => {
    const url = sshd.repoUrl('org', 'proj', 'empty');
    const bare = sshd.createRepo('org', 'proj', 'empty');
    let result;
    const log = await sshdLogDuring(async () => {
      const dir = newDir();
      const cloned = await cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.rsa), dir });
      assert.equal(cloned.empty, true);
      result = await commitAndPush({ url, auth: sshAuth(keys.rsa), dir, files: bootstrapFiles(), message: MESSAGE, author: FLUX });
      seen.push(cloned, result);
      assert.match(readFileSync(join(dir, '.git', 'config'), 'utf8'), new RegExp(`url = ${url.replace(/[.[\]]/g, '\\$&')}\\n`));
    });
    assert.equal(result.pushed, true);
    assert.equal(await remoteTip(bare), result.sha);
    assert.deepEqual(
      (await remoteLog(bare)).map((c) => [c.author, c.subject]),
      [['Flux <>', MESSAGE]],
    );
    // OpenSSH advertises rsa-sha2-256 too, which ssh2 on its own would pick; we always sign SHA-512.
    const algorithms = [...log.matchAll(/userauth_pubkey: publickey test pkalg (\S+)/g)].map((m) => m[1]);
    assert.ok(algorithms.length >= 2, `sshd logged the algorithms: ${algorithms}`);
    assert.deepEqual([...new Set(algorithms)], ['rsa-sha2-512']);
    assert.match(log, /Accepted publickey for/);
  });

  test('a remote HEAD naming a deleted branch (a default-branch rename) does not matter: --branch main is cloned and pushed', async () => {
    const url = sshd.repoUrl('org', 'proj', 'dangling-head');
    const bare = sshd.createRepo('org', 'proj', 'dangling-head');
    await seedWithCli(url);
    await gitCli(['-C', bare, 'symbolic-ref', 'HEAD', 'refs/heads/gone']);
    const before = await remoteTip(bare);
    const { cloned, result } = await bootstrap(url, keys.rsaPem);
    assert.equal(cloned.head, before);
    assert.equal(result.pushed, true);
    assert.deepEqual((await remoteLog(bare))[0].parents, [before]);
  });

  test('a PEM RSA key; a repo with content; a re-run with nothing changed makes no push', async () => {
    const url = sshd.repoUrl('org', 'proj', 'content');
    const bare = sshd.createRepo('org', 'proj', 'content');
    await seedWithCli(url);
    const before = await remoteTip(bare);
    const first = await bootstrap(url, keys.rsaPem);
    assert.equal(first.cloned.head, before);
    assert.equal(first.cloned.shallow, true);
    assert.deepEqual((await remoteLog(bare))[0].parents, [before]);
    assert.equal(await remoteFile(bare, 'main', 'README.md'), '# seeded');
    const log = await sshdLogDuring(async () => {
      const second = await bootstrap(url, keys.rsaPem);
      assert.equal(second.result.pushed, false);
      assert.equal(second.result.sha, first.result.sha);
    });
    assert.doesNotMatch(log, /git-receive-pack/, 'no push was attempted');
  });

  test('a second pusher racing us: both commits survive', async () => {
    const url = sshd.repoUrl('org', 'proj', 'race');
    const bare = sshd.createRepo('org', 'proj', 'race');
    await seedWithCli(url);
    const dir = newDir();
    await cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.rsaPem), dir });
    const theirs = await seedWithCli(url, 'apps/other.yaml', 'kind: Other\n');
    const result = await commitAndPush({ url, auth: sshAuth(keys.rsaPem), dir, files: bootstrapFiles(), message: MESSAGE, author: FLUX });
    assert.equal(result.pushed, true);
    const log = await remoteLog(bare);
    assert.equal(log[0].sha, result.sha);
    assert.deepEqual(log[0].parents, [theirs]);
    assert.equal(await remoteFile(bare, 'main', 'apps/other.yaml'), 'kind: Other');
  });

  test('an Ed25519 key through our client: AUTH_FAILED', async () => {
    const url = sshd.repoUrl('org', 'proj', 'cli');
    await expectCode(() => cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.ed25519), dir: newDir() }), 'AUTH_FAILED');
  });

  test('an Ed25519 key for Azure DevOps is refused before connecting: KEY_NOT_RSA', async () => {
    await expectCode(
      () =>
        cloneForBootstrap({
          url: 'ssh://git@ssh.dev.azure.com/v3/org/proj/repo',
          branch: 'main',
          auth: sshAuth(keys.ed25519),
          dir: newDir(),
        }),
      'KEY_NOT_RSA',
    );
  });

  test('an unauthorized RSA key: AUTH_FAILED', async () => {
    const stranger = keygen('stranger', ['-t', 'rsa', '-b', '2048', '-N', '']);
    const url = sshd.repoUrl('org', 'proj', 'cli');
    await expectCode(() => cloneForBootstrap({ url, branch: 'main', auth: sshAuth(stranger), dir: newDir() }), 'AUTH_FAILED');
  });

  test('a wrong key passphrase: WRONG_PASSPHRASE (OpenSSH and PEM formats); none given: KEY_PASSPHRASE_REQUIRED', async () => {
    const url = sshd.repoUrl('org', 'proj', 'cli');
    for (const key of [keys.rsa, keys.rsaPemEncrypted]) {
      const wrong = { ...key, passphrase: 'fake-wrong-passphrase' };
      await expectCode(() => cloneForBootstrap({ url, branch: 'main', auth: sshAuth(wrong), dir: newDir() }), 'WRONG_PASSPHRASE');
      const none = { ...key, passphrase: undefined };
      await expectCode(() => cloneForBootstrap({ url, branch: 'main', auth: sshAuth(none), dir: newDir() }), 'KEY_PASSPHRASE_REQUIRED');
    }
  });

  test('hostKeyAlgos is what we offer: rsa-sha2-256 alone works, an algorithm the server lacks fails', async () => {
    const url = sshd.repoUrl('org', 'proj', 'cli');
    const log = await sshdLogDuring(async () => {
      await cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.rsaPem, { hostKeyAlgos: ['rsa-sha2-256'] }), dir: newDir() });
    });
    assert.deepEqual(
      [...log.matchAll(/kex: host key algorithm: (\S+)/g)].map((m) => m[1]).filter((a, i, all) => all.indexOf(a) === i),
      ['rsa-sha2-256'],
    );
    await expectCode(
      () => cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.rsaPem, { hostKeyAlgos: ['ssh-ed25519'] }), dir: newDir() }),
      'GIT_PROTOCOL',
    );
  });

  test('a missing repo: REPO_NOT_FOUND', async () => {
    await expectCode(
      () => cloneForBootstrap({ url: sshd.repoUrl('org', 'proj', 'missing'), branch: 'main', auth: sshAuth(keys.rsaPem), dir: newDir() }),
      'REPO_NOT_FOUND',
    );
  });
});

describe('host keys', () => {
  test('scanHostKey returns the server key, its fingerprint and a [host]:port known_hosts line', async () => {
    const scanned = await scanHostKey(sshd.host, sshd.port);
    assert.equal(scanned.keyType, 'ssh-rsa');
    assert.equal(scanned.knownHostsLine, sshd.hostKeyLine);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${sshd.hostKeyFile}.pub`], { encoding: 'utf8' }).split(
      ' ',
    )[1];
    assert.equal(scanned.fingerprint, fingerprint);
  });

  test('the scanned line pins later connections', async () => {
    const scanned = await scanHostKey(sshd.host, sshd.port);
    const url = sshd.repoUrl('org', 'proj', 'cli');
    const cloned = await cloneForBootstrap({
      url,
      branch: 'main',
      auth: sshAuth(keys.rsaPem, { knownHosts: scanned.knownHostsLine }),
      dir: newDir(),
    });
    assert.equal(cloned.empty, true);
  });

  test('a changed host key: HOST_KEY_MISMATCH, and nothing is sent', async () => {
    const url = sshd.repoUrl('org', 'proj', 'cli');
    const changed = `[${sshd.host}]:${sshd.port} ${keys.otherHost.public.split(' ').slice(0, 2).join(' ')}\n`;
    const log = await sshdLogDuring(async () => {
      await expectCode(
        () => cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.rsaPem, { knownHosts: changed }), dir: newDir() }),
        'HOST_KEY_MISMATCH',
      );
    });
    assert.doesNotMatch(log, /userauth_pubkey|Accepted publickey/, 'no authentication was attempted');
  });

  test('no known_hosts entry for a host other than Azure DevOps: HOST_KEY_UNKNOWN', async () => {
    const url = sshd.repoUrl('org', 'proj', 'cli');
    await expectCode(
      () => cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.rsaPem, { knownHosts: undefined }), dir: newDir() }),
      'HOST_KEY_UNKNOWN',
    );
    await expectCode(
      () =>
        cloneForBootstrap({ url, branch: 'main', auth: sshAuth(keys.rsaPem, { knownHosts: 'example.com ssh-rsa AAAA\n' }), dir: newDir() }),
      'HOST_KEY_UNKNOWN',
    );
  });

  test("a server calling itself ssh.dev.azure.com with another key than Azure DevOps' published one: HOST_KEY_MISMATCH", async () => {
    assert.deepEqual(sshHostPolicy('ssh.dev.azure.com').publishedFingerprints, ['SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og']);
    await expectCode(() => scanHostKey('ssh.dev.azure.com', sshd.port, { connectAddress: sshd.host }), 'HOST_KEY_MISMATCH');
  });
});

/** Pushes a commit with the git CLI over ssh (a second client); returns its sha. */
async function seedWithCli(url, path = 'README.md', content = '# seeded\n') {
  const dir = mkdtempSync(join(work, 'cli-'));
  const env = gitEnv({ GIT_SSH_COMMAND: sshCommand(keys.rsaPem.path).join(' ') });
  await gitCli(['clone', '--quiet', url, dir], { env });
  await gitCli(['-C', dir, 'checkout', '--quiet', '-B', 'main'], { env });
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), content);
  await gitCli(['-C', dir, 'add', '.'], { env });
  await gitCli(['-C', dir, 'commit', '--quiet', '-m', `Add ${path}`], { env });
  await gitCli(['-C', dir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main'], { env });
  return gitCli(['-C', dir, 'rev-parse', 'HEAD'], { env });
}

async function bootstrap(url, key) {
  const dir = newDir();
  const cloned = await cloneForBootstrap({ url, branch: 'main', auth: sshAuth(key), dir });
  const result = await commitAndPush({ url, auth: sshAuth(key), dir, files: bootstrapFiles(), message: MESSAGE, author: FLUX });
  seen.push(cloned, result);
  assert.ok(existsSync(join(dir, '.git')));
  return { cloned, result };
}
