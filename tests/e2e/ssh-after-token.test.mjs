// A cluster bootstrapped with a PAT (token auth over HTTPS), then bootstrapped again onto an SSH
// repository with a generated deploy key (what a user does moving a cluster to SSH, and what the
// real-VS-Code suite does in one cluster): the new key must reach the Git Secret, without the
// old token's keys, or Flux's real source-controller fails with "'identity' is required" (the
// Secret flux-azdo kept) and the health wait ends in TIMEOUT. Flux's own rule — keep an existing
// Secret on an SSH re-run — holds only when the Secret's key IS the deploy key.
//
// Needs: tests/harness/build.sh, tests/harness/controllers/build.sh, git, sshd, the built package.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { bootstrap } from '../../npm/dist/index.js';
import { kubeRequest } from '../harness/cluster.mjs';
import { controllersBinDir, startFluxControllers } from '../harness/controllers.mjs';
import { bundleDir, git, startWorld } from './support/bootstrap-env.mjs';
import { assertNoLeaks } from './support/leak-scan.mjs';

const NS = 'flux-switch';
const COMPONENTS = ['source-controller', 'kustomize-controller'];
let world;
let controllers;

before(async () => {
  world = await startWorld();
});
after(async () => {
  await controllers?.stop();
  await world?.stop();
});

const get = (path) => kubeRequest(world.cluster.admin, 'GET', path);
const common = () => ({
  namespace: NS,
  path: 'clusters/my-cluster',
  components: COMPONENTS,
  kubeconfig: world.cluster.kubeconfigPath,
  manifests: bundleDir,
  timeout: '3m',
});

test('token, then SSH with a generated key: the key replaces the token in the Secret and the real controllers reach Ready', {
  timeout: 600_000,
}, async () => {
  const binDir = controllersBinDir();
  const httpsRepo = world.git.createRepo('org', 'project', NS);
  let starting;
  const first = await bootstrap(
    { ...common(), url: world.git.repoUrl('org', 'project', NS), tokenAuth: true, password: world.pat, caFile: world.git.caFile },
    {
      onEvent: (e) => {
        if (e.type === 'done' && e.step === 'install' && !starting)
          starting = startFluxControllers(world.cluster, { namespace: NS, binDir });
      },
    },
  );
  controllers = await starting;
  assert.equal(first.revision, `main@sha1:${git(httpsRepo, 'rev-parse', 'main')}`);

  const sshRepo = world.sshd.createRepo('org', 'project', `${NS}-ssh`);
  const ssh = { ...common(), url: world.sshd.repoUrl('org', 'project', `${NS}-ssh`), sshKeyAlgorithm: 'rsa', sshRsaBits: 2048 };
  let publicKey;
  const events = [];
  const second = await bootstrap(ssh, {
    onEvent: (e) => events.push(e),
    confirmDeployKey: async (prompt) => {
      publicKey = prompt.publicKey;
      world.sshd.addAuthorizedKey(prompt.publicKey);
      return true;
    },
  }).catch((error) => ({ error }));
  assert.equal(
    second.error,
    undefined,
    `${second.error?.code}: ${second.error?.message}\n${controllers.logs('source-controller').slice(-3000)}`,
  );
  assert.equal(second.revision, `main@sha1:${git(sshRepo, 'rev-parse', 'main')}`);
  assert.equal(events.find((e) => e.type === 'done' && e.step === 'secret')?.action, 'updated');

  const secret = (await get(`/api/v1/namespaces/${NS}/secrets/flux-system`)).body.data;
  const decoded = (k) => Buffer.from(secret[k], 'base64').toString();
  assert.equal(decoded('identity.pub').trim(), publicKey.trim(), 'the key the user was asked to add is the one in the Secret');
  assert.deepEqual(
    ['username', 'password', 'bearerToken'].filter((k) => k in secret),
    [],
    "the token's keys are gone (source-controller would read them as the SSH user and passphrase)",
  );
  const repo = (await get(`/apis/source.toolkit.fluxcd.io/v1/namespaces/${NS}/gitrepositories/${NS}`)).body;
  assert.equal(repo.status.artifact.revision, second.revision, 'source-controller fetched over SSH with the new key');
  assert.match(world.sshd.log(), /Accepted publickey for \S+ from 127\.0\.0\.1/);
  // The PAT, no longer the cluster's credential, is in no cluster object at all.
  await assertNoLeaks({ pats: [world.pat] }, { values: [second, events], cluster: { get, allowedSecrets: [] } });
});
