// The extension's "Bootstrap Cluster…" to the end, through the recording `vscode` stub, against
// a real kube-apiserver, the Azure-DevOps-like HTTPS Git server and the RSA-SHA2-only sshd: the
// token flow (the PAT remembered in SecretStorage once it worked, then reused) and the SSH flow
// (the deploy key modal: copy, then "I Added It").
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { bundleDir, controllerStandIn, getObject, history, startWorld } from './support/bootstrap-env.mjs';
import { callsOf, outputText, runCommand } from './support/vscode-stub.mjs';

const TITLE_TOKEN = 'Personal Access Token over HTTPS';
const NS = 'flux-system';

/** The stand-in plays the controllers when the progress notification reaches the health step. */
function healthWatcher(standIn) {
  return (value) => {
    if (/reconcile \S+@sha1:/.test(value.message ?? '')) standIn.onEvent({ type: 'step', step: 'health', message: value.message });
  };
}

async function withKubeconfig(path, fn) {
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = path;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}

async function currentContext(kubeconfigPath) {
  return /^current-context: (\S+)$/m.exec(await readFile(kubeconfigPath, 'utf8'))[1];
}

async function secretData(cluster, name = NS) {
  const res = await getObject(cluster, `/api/v1/namespaces/${NS}/secrets/${name}`);
  assert.equal(res.status, 200, `Secret ${NS}/${name} must exist`);
  return Object.fromEntries(Object.entries(res.body.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

function assertNoLeak(stub, secret) {
  assert.ok(!JSON.stringify(stub.calls).includes(secret), 'the secret is in no recorded call');
  assert.ok(!outputText(stub).includes(secret), 'the secret is not in the output channel');
}

describe('Bootstrap Cluster over HTTPS with a PAT', () => {
  let world;
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    await world?.stop();
  });

  test('bootstraps, remembers the token that worked, and a re-run with it converges', async () => {
    const { cluster, git, pat } = world;
    const repo = git.createRepo('org', 'project', 'vscode');
    const url = git.repoUrl('org', 'project', 'vscode');
    const context = await currentContext(cluster.kubeconfigPath);
    const settings = { 'fluxAzdo.manifests': bundleDir, 'fluxAzdo.caFile': git.caFile };
    const run = (answers, secrets = {}) =>
      withKubeconfig(cluster.kubeconfigPath, async () => {
        const standIn = controllerStandIn(cluster, NS);
        const stub = await runCommand('fluxAzdo.bootstrap', { settings, answers, secrets, onProgress: healthWatcher(standIn) });
        await standIn.settled();
        return stub;
      });
    const common = [
      ['Repository URL', url],
      ['Branch', 'main'],
      ['Path in the repository', 'clusters/my-cluster'],
      ['authenticates', TITLE_TOKEN],
    ];

    const first = await run([
      ...common,
      ['Personal Access Token', pat],
      ['Remember the token', 'Remember it in VS Code’s secret storage'],
      ['Kubernetes context', context],
    ]);
    assert.deepEqual(first.remaining, []);
    assert.deepEqual(callsOf(first, 'showErrorMessage'), []);
    const commits = history(repo);
    assert.deepEqual(commits.map((c) => c.message), ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests']);
    const done = callsOf(first, 'showInformationMessage');
    assert.equal(done.length, 1);
    assert.equal(done[0].args[0], `Flux is bootstrapped: the cluster reconciles main@sha1:${commits[0].sha}.`);
    assert.equal(callsOf(first, 'withProgress')[0].args[0].cancellable, true);
    assert.match(outputText(first), /==> checking the cluster/);
    assert.equal((await secretData(cluster)).password, pat);
    assert.equal((await secretData(cluster))['ca.crt'], git.caPem);
    // Remembered after it worked, under the organization, and only in SecretStorage.
    assert.deepEqual([...first.secretsStore.values()], [pat]);
    assert.equal(callsOf(first, 'configuration.update').length, 0);
    assertNoLeak(first, pat);

    const second = await run([...common, ['remembered', 'Use the remembered token'], ['Kubernetes context', context]], Object.fromEntries(first.secretsStore));
    assert.deepEqual(second.remaining, []);
    assert.deepEqual(callsOf(second, 'showErrorMessage'), []);
    assert.equal(history(repo).length, 2, 'nothing new to commit');
    assert.equal(callsOf(second, 'showInformationMessage').length, 1);
    assertNoLeak(second, pat);
  });
});
