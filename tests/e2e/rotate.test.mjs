// `flux-azdo rotate` against Flux's real source- and kustomize-controller: a PAT revoked by the
// Git server is replaced and the cluster is Ready again from the new one; a deploy key is
// replaced and the old one removed from sshd, and the cluster still follows pushes; a new
// credential that cannot read from here is refused before the Secret is touched; one that
// reads from here but not from the cluster is rolled back, the old Secret back byte for byte.
//
// Needs: tests/harness (kube-apiserver, etcd, the controllers), git, sshd, openssl, the built package.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { rotate } from '../../npm/dist/index.js';
import { controllersBinDir } from '../harness/controllers.mjs';
import { jsonEvents, runCli, startWorld } from './support/bootstrap-env.mjs';
import {
  PATH_IN_REPO,
  get,
  gitRepositoryPath,
  pushChange,
  requestReconcile,
  secretPath,
  sshBootstrap,
  tokenBootstrap,
  waitReady,
} from './support/flux-world.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

let world;
let binDir;
let work;
const running = [];
const newPat = () => `fake-pat-${randomBytes(16).toString('hex')}`;

before(async () => {
  binDir = controllersBinDir();
  world = await startWorld();
  work = await mkdtemp(join(tmpdir(), 'flux-azdo-rotate-e2e-'));
});

after(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await world?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const rotateArgs = (ns, ...extra) => [
  'rotate',
  `--namespace=${ns}`,
  `--kubeconfig=${world.cluster.kubeconfigPath}`,
  '--timeout=90s',
  '--json',
  ...extra,
];
const decoded = (secret, key) => Buffer.from(secret.data[key], 'base64').toString('utf8');
const result = (stdout) => JSON.parse(stdout.trim().split('\n').at(-1));

test('PAT: the server revokes the old PAT, rotate proves and writes the new one, the cluster is Ready again from it', {
  timeout: 600_000,
}, async () => {
  const ns = 'flux-system';
  const { controllers } = await tokenBootstrap(world, binDir, running, ns);
  const before = (await get(world, secretPath(ns))).body;

  // The old PAT expires: the next fetch fails.
  const pat2 = newPat();
  world.git.addPat(pat2);
  world.git.revokePat(world.pat);
  await requestReconcile(world, ns);
  await waitReady(world, ns, 'False');

  const res = await runCli(rotateArgs(ns), { env: { GIT_PASSWORD: pat2 } });
  assert.equal(res.code, 0, `${res.stderr}\n${controllers.logs('source-controller').slice(-2000)}`);
  const out = result(res.stdout);
  assert.equal(out.type, 'result');
  assert.equal(out.action, 'updated');
  assert.equal(out.kind, 'token');
  const head = (await get(world, gitRepositoryPath(ns))).body.status.artifact.revision;
  assert.equal(out.revision, head);
  const events = jsonEvents(res.stdout);
  assert.ok(events.some((e) => e.type === 'done' && e.step === 'verify'));
  assert.ok(events.some((e) => e.type === 'done' && e.step === 'secret' && e.action === 'updated'));
  assert.ok(events.some((e) => e.type === 'done' && e.step === 'reconcile' && e.revision === head));

  const after = (await get(world, secretPath(ns))).body;
  assert.equal(decoded(after, 'password'), pat2);
  assert.equal(decoded(after, 'username'), decoded(before, 'username'));
  assert.equal(after.data['ca.crt'], before.data['ca.crt'], 'the CA is kept');
  const repo = await waitReady(world, ns, 'True');
  assert.ok(repo.status.lastHandledReconcileAt, 'rotate asked for the reconcile');

  // Idempotent: the same PAT again changes nothing and still proves the fetch.
  const again = await runCli(rotateArgs(ns), { env: { GIT_PASSWORD: pat2 } });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(result(again.stdout).action, 'unchanged');
  assert.equal((await get(world, secretPath(ns))).body.metadata.resourceVersion, after.metadata.resourceVersion);

  await assertNoLeaks(
    { pats: [world.pat, pat2] },
    {
      values: [res.stdout, res.stderr, again.stdout, again.stderr],
      processes: [...res.processes, ...again.processes],
      tmpDirs: [res.tmpDir, again.tmpDir],
      cluster: { get: (p) => get(world, p), allowedSecrets: [`${ns}/flux-system`] },
    },
  );
});

test('refused before the swap: a PAT that cannot read from here, a dry run, a switch the URL cannot carry', {
  timeout: 300_000,
}, async () => {
  const ns = 'flux-system';
  const before = (await get(world, secretPath(ns))).body;
  const unknown = newPat();
  const res = await runCli(rotateArgs(ns), { env: { GIT_PASSWORD: unknown } });
  assert.equal(res.code, 1, res.stderr);
  const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
  assert.equal(error.code, 'AUTH_FAILED');
  assert.equal(error.step, 'verify');
  assert.equal(
    (await get(world, secretPath(ns))).body.metadata.resourceVersion,
    before.metadata.resourceVersion,
    'the Secret was not touched',
  );

  const pat3 = newPat();
  world.git.addPat(pat3);
  const dry = await runCli(rotateArgs(ns, '--dry-run'), { env: { GIT_PASSWORD: pat3 } });
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(result(dry.stdout).dryRun, true);
  assert.equal(result(dry.stdout).action, 'updated');
  assert.equal(
    (await get(world, secretPath(ns))).body.metadata.resourceVersion,
    before.metadata.resourceVersion,
    'a dry run writes nothing',
  );

  const key = join(work, 'key');
  writeFileSync(key, 'not used\n');
  const sw = await runCli(rotateArgs(ns, `--private-key-file=${key}`));
  assert.equal(sw.code, 1, sw.stderr);
  assert.equal(jsonEvents(sw.stdout).find((e) => e.type === 'error').code, 'CREDENTIAL_KIND_SWITCH');
  await assertNoLeaks(
    { pats: [unknown, pat3] },
    {
      values: [res.stdout, res.stderr, dry.stdout, dry.stderr],
      processes: [...res.processes, ...dry.processes],
      tmpDirs: [res.tmpDir, dry.tmpDir],
    },
  );
});

test('rollback: a PAT that reads from here but not from the cluster is taken back, the old Secret restored byte for byte', {
  timeout: 300_000,
}, async () => {
  const ns = 'flux-system';
  const before = (await get(world, secretPath(ns))).body;
  // A conditional access policy lets this PAT in from where flux-azdo runs but not from the
  // cluster: every client but source-controller's (go-git) passes, so the probe does and the
  // controller's fetch gets 401.
  const pat4 = newPat();
  world.git.addPat(pat4);
  world.git.restrictPat(pat4, /^(?!.*go-git)/i);
  const res = await runCli(rotateArgs(ns, '--timeout=60s'), { env: { GIT_PASSWORD: pat4 } });
  assert.equal(res.code, 1, res.stderr);
  const events = jsonEvents(res.stdout);
  const error = events.find((e) => e.type === 'error');
  assert.equal(error.code, 'ROTATE_ROLLED_BACK', error.message);
  assert.equal(error.rolledBack, true);
  assert.ok(
    events.some((e) => e.type === 'done' && e.step === 'verify'),
    'the probe from here passed',
  );
  assert.ok(events.some((e) => e.type === 'done' && e.step === 'rollback'));
  const restored = (await get(world, secretPath(ns))).body;
  assert.deepEqual(restored.data, before.data, 'the old Secret is back byte for byte');
  assert.equal(restored.type, before.type);
  assert.deepEqual(restored.metadata.labels, before.metadata.labels);
  assert.notEqual(restored.metadata.resourceVersion, before.metadata.resourceVersion, 'it was written and put back');
  await waitReady(world, ns, 'True');
  await assertNoLeaks(
    { pats: [pat4] },
    {
      values: [res.stdout, res.stderr],
      processes: res.processes,
      tmpDirs: [res.tmpDir],
      cluster: { get: (p) => get(world, p), allowedSecrets: [`${ns}/flux-system`] },
    },
  );
});

test('SSH: a new generated key is shown, proven and written; the old key is named and removed from sshd; the cluster follows pushes', {
  timeout: 600_000,
}, async () => {
  const ns = 'flux-ssh';
  const { publicKey: oldPublicKey } = await sshBootstrap(world, binDir, running, ns);
  const before = (await get(world, secretPath(ns))).body;
  const events = [];
  let prompt;
  const out = await rotate(
    { namespace: ns, kubeconfig: world.cluster.kubeconfigPath, sshKeyAlgorithm: 'rsa', sshRsaBits: 2048, timeout: '90s' },
    {
      onEvent: (e) => events.push(e),
      confirmDeployKey: async (p) => {
        prompt = p;
        world.sshd.addAuthorizedKey(p.publicKey);
        return true;
      },
    },
  );
  assert.ok(prompt, 'the new key was shown for confirmation');
  assert.equal(out.action, 'updated');
  assert.equal(out.kind, 'ssh');
  assert.equal(out.fingerprint, prompt.fingerprint);
  assert.notEqual(out.previousFingerprint, out.fingerprint);
  assert.match(out.previousFingerprint, /^SHA256:/);
  assert.ok(
    events.some((e) => e.type === 'log' && e.level === 'warn' && e.message.includes(out.previousFingerprint)),
    'the old key is named for removal',
  );
  const after = (await get(world, secretPath(ns))).body;
  assert.equal(decoded(after, 'identity.pub').trim(), prompt.publicKey.trim());
  assert.equal(after.data.known_hosts, before.data.known_hosts, 'the pinned host key is kept');
  assert.notEqual(after.data.identity, before.data.identity);

  // The old key goes; the cluster keeps following the repository with the new one alone.
  world.sshd.removeAuthorizedKey(oldPublicKey);
  const sha = pushChange(world.sshd.repoDir('org', 'project', ns), (dir) =>
    writeFileSync(join(dir, PATH_IN_REPO, 'note.txt'), 'after rotation\n'),
  );
  await requestReconcile(world, ns);
  await waitReady(world, ns, 'True', { revision: `main@sha1:${sha}` });

  // Idempotent with the key given: nothing to write.
  const same = await rotate({
    namespace: ns,
    kubeconfig: world.cluster.kubeconfigPath,
    privateKey: decoded(after, 'identity'),
    timeout: '90s',
  });
  assert.equal(same.action, 'unchanged');
  assert.equal(same.previousFingerprint, undefined);

  await assertNoLeaks(
    { privateKeys: [decoded(before, 'identity'), decoded(after, 'identity')], publicKeys: [oldPublicKey, prompt.publicKey] },
    { values: [out, same, events], cluster: { get: (p) => get(world, p), allowedSecrets: [`${ns}/flux-system`] } },
  );
});
