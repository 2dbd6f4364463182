// `--registry-creds` end to end against the test kube-apiserver and the Azure-DevOps-like HTTPS
// Git server: the image pull Secret (type kubernetes.io/dockerconfigjson, Flux's bytes) is
// created in the cluster and never committed; the Deployments name it; a re-run leaves it
// unchanged; a new password updates it; the dry run says which, without a value; the password
// comes from the flag, FLUX_REGISTRY_PASSWORD or stdin; bad input is refused before anything is
// pushed; uninstall removes it. Every run is leak-scanned for the password and its `auth` form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';

import {
  controllerStandIn,
  getObject,
  jsonEvents,
  jsonLines,
  refs,
  runCli,
  startWorld,
  tokenBootstrapArgs,
} from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const NS = 'regcreds';
const REGISTRY = 'registry.example.com/fluxcd';
const USER = 'fake-registry-user';
// Obviously fake, made per run: the leak scans look for each of them everywhere.
const firstPassword = `fake-registry-pass-${randomBytes(12).toString('hex')}`;
const secondPassword = `fake-registry-pass-${randomBytes(12).toString('hex')}`;

let world;
let url;
let repo;
const runs = [];

before(async () => {
  world = await startWorld();
  world.git.createRepo('org', 'project', NS);
  url = world.git.repoUrl('org', 'project', NS);
  repo = world.git.repoDir('org', 'project', NS);
});
after(async () => {
  await world?.stop();
  for (const r of runs) await rm(r.tmpDir, { recursive: true, force: true });
});

const args = (...extra) => [...tokenBootstrapArgs(world, url, NS), '--image-pull-secret=regcred', `--registry=${REGISTRY}`, ...extra];

async function run(argv, { env = {}, input } = {}) {
  const standIn = controllerStandIn(world.cluster, NS);
  const res = await runCli(argv, { env: { GIT_PASSWORD: world.pat, ...env }, input, onLine: jsonLines(standIn) });
  // `--registry-creds=user:password` puts the password in this process's argv on purpose (the
  // user's choice, as with Flux); the scan then checks only what the process spawned.
  res.passwordInArgv = argv.some((a) => a.startsWith('--registry-creds=') && a.includes(':'));
  runs.push(res);
  await standIn.settled();
  return res;
}

/** Docker's config JSON as Flux's Go code writes it (these values need no escaping). */
function dockerConfig(password) {
  const auth = Buffer.from(`${USER}:${password}`).toString('base64');
  return `{"auths":{"${REGISTRY}":{"username":"${USER}","password":"${password}","auth":"${auth}"}}}`;
}

async function pullSecret() {
  return getObject(world.cluster, `/api/v1/namespaces/${NS}/secrets/regcred`);
}

const pullSecretEvents = (stdout) =>
  jsonEvents(stdout).filter((e) => e.type === 'done' && e.step === 'secret' && e.ref === `Secret/${NS}/regcred`);

async function scan(password) {
  await assertNoLeaks(
    { pats: [world.pat], registryCreds: [{ username: USER, password }] },
    {
      values: runs.flatMap((r) => [r.stdout, r.stderr]),
      repos: [repo],
      processes: runs.flatMap((r) => r.processes.filter((p) => p.descendant || !r.passwordInArgv)),
      tmpDirs: runs.map((r) => r.tmpDir),
      cluster: { get: (path) => getObject(world.cluster, path), allowedSecrets: [`${NS}/flux-system`, `${NS}/regcred`] },
    },
  );
}

test('bad --registry-creds input is refused with a typed error before anything is pushed', async () => {
  const before = refs(repo);
  const noName = await run([...tokenBootstrapArgs(world, url, NS), `--registry-creds=${USER}:${firstPassword}`]);
  assert.notEqual(noName.code, 0);
  assert.match(noName.stderr, /\[OPTION_REQUIRED\]/);
  for (const bad of [`:${firstPassword}`, `${USER}:`]) {
    const res = await run(args(`--registry-creds=${bad}`));
    assert.notEqual(res.code, 0, res.stdout);
    const error = jsonEvents(res.stdout).find((e) => e.type === 'error');
    assert.equal(error?.code, 'INVALID_OPTION', res.stdout + res.stderr);
  }
  // The user alone and no password anywhere (stdin closed empty).
  const noPassword = await run(args(`--registry-creds=${USER}`), { input: '' });
  assert.equal(noPassword.code, 2, noPassword.stderr);
  assert.match(noPassword.stderr, /\[USAGE\]/);
  assert.deepEqual(refs(repo), before, 'nothing was pushed');
  assert.equal((await pullSecret()).status, 404);
});

test('the image pull Secret is created with Flux bytes, named by the Deployments, never committed', async () => {
  const res = await run(args(`--registry-creds=${USER}`), { env: { FLUX_REGISTRY_PASSWORD: firstPassword } });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  assert.deepEqual(
    pullSecretEvents(res.stdout).map((e) => e.action),
    ['created'],
  );
  const secret = await pullSecret();
  assert.equal(secret.status, 200);
  assert.equal(secret.body.type, 'kubernetes.io/dockerconfigjson');
  assert.deepEqual(Object.keys(secret.body.data), ['.dockerconfigjson']);
  assert.equal(Buffer.from(secret.body.data['.dockerconfigjson'], 'base64').toString(), dockerConfig(firstPassword));
  for (const name of ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller']) {
    const deployment = await getObject(world.cluster, `/apis/apps/v1/namespaces/${NS}/deployments/${name}`);
    assert.deepEqual(deployment.body.spec.template.spec.imagePullSecrets, [{ name: 'regcred' }], name);
  }
  await scan(firstPassword);
});

test('a re-run leaves it unchanged; the dry run says so, then update for a new password piped after the PAT', async () => {
  const again = await run(args(`--registry-creds=${USER}:${firstPassword}`));
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.deepEqual(
    pullSecretEvents(again.stdout).map((e) => e.action),
    ['unchanged'],
  );

  const dry = (password) => run([...args(`--registry-creds=${USER}:${password}`, '--dry-run')].filter((a) => a !== '--json'));
  const same = await dry(firstPassword);
  assert.equal(same.code, 0, same.stderr);
  assert.match(same.stdout, new RegExp(`^unchanged +Secret/${NS}/regcred$`, 'm'));
  const changed = await dry(secondPassword);
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stdout, new RegExp(`^update +Secret/${NS}/regcred$`, 'm'));
  assert.equal(Buffer.from((await pullSecret()).body.data['.dockerconfigjson'], 'base64').toString(), dockerConfig(firstPassword));

  // Both piped: the PAT's line first, then the registry password's.
  const updated = await run(args(`--registry-creds=${USER}`), { env: { GIT_PASSWORD: '' }, input: `${world.pat}\n${secondPassword}\n` });
  assert.equal(updated.code, 0, updated.stderr + updated.stdout);
  assert.deepEqual(
    pullSecretEvents(updated.stdout).map((e) => e.action),
    ['updated'],
  );
  assert.equal(Buffer.from((await pullSecret()).body.data['.dockerconfigjson'], 'base64').toString(), dockerConfig(secondPassword));
  await scan(firstPassword);
  await scan(secondPassword);
});

test('uninstall removes the image pull Secret with the controllers', async () => {
  const res = await run(['uninstall', '--silent', `--namespace=${NS}`, `--kubeconfig=${world.cluster.kubeconfigPath}`, '--json']);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const deleted = jsonEvents(res.stdout)
    .filter((e) => e.type === 'progress' && e.action === 'deleted')
    .map((e) => e.ref);
  assert.ok(deleted.includes(`Secret/${NS}/regcred`), deleted.join(', '));
  assert.equal((await pullSecret()).status, 404);
});
