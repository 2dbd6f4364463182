// The CLI as a new user and a CI runner meet it, against the real servers: SIGTERM and Ctrl-C
// cancel cleanly (exit code, CANCELLED with what was done, no temp folder left), an encrypted
// key's passphrase is asked on a terminal, and messages show the repository URL as it was given.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bundleDir, cliPath, getObject, jsonEvents, jsonLines, runCli, startWorld, tokenBootstrapArgs } from './support/bootstrap-env.mjs';
import { controllerPool } from './support/controller-pool.mjs';

let world;
let work;
/** Flux's real controllers, for the run that goes to the end (the key-prompt test). */
let controllers;
/** Everything printed, for the leak scan at the end. */
const captured = [];

before(async () => {
  world = await startWorld();
  controllers = controllerPool(world.cluster);
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-run-control-'));
});
after(async () => {
  await controllers?.stopAll();
  await world?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const tokenFlags = (url, namespace) => tokenBootstrapArgs(world, url, namespace);

/**
 * Runs the CLI with its own TMPDIR and sends `signal` once `when(event)` holds for a `--json`
 * event; resolves with the exit code, the events and what is left in TMPDIR.
 */
async function runAndSignal(args, { signal, when, env = {} }) {
  const tmp = await mkdtemp(join(work, 'tmp-'));
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { ...process.env, NO_COLOR: '1', GIT_PASSWORD: world.pat, TMPDIR: tmp, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    stdout += d.toString();
    partial += d.toString();
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (!sent && when(JSON.parse(line))) {
        sent = true;
        child.kill(signal);
      }
    }
  });
  child.stderr.on('data', (d) => (stderr += d.toString()));
  const [code, killedBy] = await new Promise((r) => child.on('close', (c, s) => r([c, s])));
  captured.push(stdout, stderr);
  const left = await readdir(tmp);
  return { code, killedBy, sent, stdout, stderr, events: jsonEvents(stdout), left };
}

test('SIGTERM at the clone step: exit 130, CANCELLED, and no flux-azdo-* folder left in TMPDIR', async () => {
  const ns = 'sigterm';
  world.git.createRepo('org', 'project', ns);
  const res = await runAndSignal(tokenFlags(world.git.repoUrl('org', 'project', ns), ns), {
    signal: 'SIGTERM',
    when: (e) => e.type === 'step' && e.step === 'clone',
  });
  assert.ok(res.sent, 'the run reached the clone step');
  assert.equal(res.killedBy, null, `the process handled SIGTERM itself\n${res.stderr}`);
  assert.equal(res.code, 130, res.stderr);
  const error = res.events.find((e) => e.type === 'error');
  assert.equal(error?.code, 'CANCELLED', res.stdout);
  assert.ok(Array.isArray(error.done), 'the error event says what was done');
  assert.match(res.stderr, /\[CANCELLED\]/);
  assert.deepEqual(
    res.left.filter((f) => f.startsWith('flux-azdo-')),
    [],
  );
});

test('a cancel late in the run names what was done: the pushed commits, the install, the Secret', async () => {
  const ns = 'sigint-late';
  world.git.createRepo('org', 'project', ns);
  // No controller stand-in: the run waits at the health step, where Ctrl-C stops it.
  const res = await runAndSignal(tokenFlags(world.git.repoUrl('org', 'project', ns), ns), {
    signal: 'SIGINT',
    when: (e) => e.type === 'step' && e.step === 'health',
  });
  assert.ok(res.sent, 'the run reached the health step');
  assert.equal(res.code, 130, res.stderr);
  const error = res.events.find((e) => e.type === 'error');
  assert.equal(error?.code, 'CANCELLED');
  assert.equal(error.step, 'health');
  const pushed = (step) => res.events.find((e) => e.type === 'done' && e.step === step)?.sha;
  assert.deepEqual(error.done, [
    { step: 'components', sha: pushed('components') },
    { step: 'install' },
    { step: 'secret', ref: `Secret/${ns}/flux-system`, action: 'created' },
    { step: 'sync', sha: pushed('sync') },
  ]);
  assert.ok(pushed('components') && pushed('sync'));
  assert.ok(error.message.includes(pushed('components').slice(0, 7)), 'the message names the short sha');
  assert.deepEqual(
    res.left.filter((f) => f.startsWith('flux-azdo-')),
    [],
  );
});

test('plain mode prints an error once (a wrong PAT)', async () => {
  const ns = 'plain-once';
  world.git.createRepo('org', 'project', ns);
  const args = tokenFlags(world.git.repoUrl('org', 'project', ns), ns).filter((a) => a !== '--json');
  const res = await runCli(args, { env: { GIT_PASSWORD: 'fake-wrong-pat-0000' } });
  captured.push(res.stdout, res.stderr);
  assert.equal(res.code, 1);
  assert.equal(res.stderr.split('[AUTH_FAILED]').length - 1, 1, res.stderr);
});

/** An RSA key with a passphrase, authorized on the test sshd. */
function encryptedKey(name) {
  const keyFile = join(work, name);
  const passphrase = `fake-passphrase-${name}-${Date.now()}`;
  execFileSync('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', passphrase, '-C', '', '-f', keyFile]);
  world.sshd.addAuthorizedKey(execFileSync('cat', [`${keyFile}.pub`], { encoding: 'utf8' }));
  return { keyFile, passphrase };
}

const sshFlags = (ns, keyFile) => [
  'bootstrap',
  'git',
  `--url=${world.sshd.repoUrl('org', 'project', ns)}`,
  '--path=clusters/my-cluster',
  `--namespace=${ns}`,
  '--ssh-hostkey-algos=rsa-sha2-512,rsa-sha2-256',
  `--private-key-file=${keyFile}`,
  `--kubeconfig=${world.cluster.kubeconfigPath}`,
  `--manifests=${bundleDir}`,
  '--timeout=5m',
  '--silent',
  '--json',
];

test('an encrypted key without --password: off a terminal KEY_PASSPHRASE_REQUIRED naming GIT_PASSWORD', async () => {
  const ns = 'key-nopass';
  world.sshd.createRepo('org', 'project', ns);
  const { keyFile } = encryptedKey(ns);
  const res = await runCli(sshFlags(ns, keyFile));
  captured.push(res.stdout, res.stderr);
  assert.equal(res.code, 1, res.stderr);
  const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
  assert.equal(error?.code, 'KEY_PASSPHRASE_REQUIRED');
  // The one message fact this test is about: both ways to give the passphrase are named.
  assert.ok(error.message.includes('--password') && error.message.includes('GIT_PASSWORD'), error.message);
});

test('an encrypted key without --password: on a terminal the passphrase is asked, hidden, and used', async () => {
  const ns = 'key-prompt';
  world.sshd.createRepo('org', 'project', ns);
  const { keyFile, passphrase } = encryptedKey(ns);
  const standIn = controllers.watch(ns);
  const args = sshFlags(ns, keyFile)
    .map((a) => `'${a}'`)
    .join(' ');
  // `script` gives the CLI a pseudo-terminal, as in bootstrap.test.mjs's PAT prompt test.
  const child = spawn('script', ['-qefc', `${process.execPath} ${cliPath} ${args}`, '/dev/null'], {
    env: { ...process.env, NO_COLOR: '1', GIT_PASSWORD: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let typed = false;
  child.stdout.on('data', (d) => {
    out += d.toString();
    if (!typed && /passphrase: $/.test(out)) {
      typed = true;
      child.stdin.write(`${passphrase}\r`);
    }
    for (const line of out.split(/\r?\n/)) jsonLines(standIn)(line.replace(/^.*?(\{"type")/, '$1'));
  });
  const code = await new Promise((r) => child.on('close', r));
  captured.push(out);
  await standIn.settled();
  assert.ok(typed, `the prompt appeared\n${out}`);
  assert.equal(code, 0, out);
  assert.ok(!out.includes(passphrase), 'the typed passphrase is not echoed');
  const secret = await getObject(world.cluster, `/api/v1/namespaces/${ns}/secrets/flux-system`);
  assert.equal(Buffer.from(secret.body.data.password, 'base64').toString(), passphrase);
  assert.equal(Buffer.from(secret.body.data.identity, 'base64').toString(), await readFile(keyFile, 'utf8'));
});

test('messages show the repository URL as given, HTTPS and SSH alike', async () => {
  const { keyFile, passphrase } = encryptedKey('url-shown');
  // A typed space over HTTPS (the old messages encoded it), `%20` over SSH (they decoded it).
  const https = world.git.repoUrl('org', 'Platform Team', 'missing');
  const ssh = world.sshd.repoUrl('org', 'Platform%20Team', 'missing');
  const runs = [
    await runCli(tokenFlags(https, 'url-https'), { env: { GIT_PASSWORD: world.pat } }),
    await runCli([...sshFlags('url-ssh', keyFile), `--password=${passphrase}`].map((a) => (a.startsWith('--url=') ? `--url=${ssh}` : a))),
  ];
  for (const [res, url] of [
    [runs[0], https],
    [runs[1], ssh],
  ]) {
    captured.push(res.stdout, res.stderr);
    const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
    assert.equal(error?.code, 'REPO_NOT_FOUND', res.stdout + res.stderr);
    assert.ok(error.message.includes(url), `${error.message} names ${url}`);
  }
});

test('no secret reaches an output', () => {
  const all = captured.join('\n');
  assert.ok(!all.includes(world.pat), 'the PAT leaked');
  assert.doesNotMatch(all, /fake-passphrase-/, 'a passphrase leaked');
});
