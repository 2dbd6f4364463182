// The extension's "Bootstrap Cluster…" to the end, through the recording `vscode` stub, against
// a real kube-apiserver, the Azure-DevOps-like HTTPS Git server and the RSA-SHA2-only sshd: the
// token flow (the PAT remembered in SecretStorage once it worked, then reused) and the SSH flow
// (the deploy key modal: copy, then "I Added It").
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import { bundleDir, getObject, git as gitIn, history, refs, startWorld } from './support/bootstrap-env.mjs';
import { controllerPool } from './support/controller-pool.mjs';
import { assertNoLeaks, bareReposUnder } from './support/leak-scan.mjs';
import { callsOf, outputText, runCommand } from './support/vscode-stub.mjs';

const TITLE_TOKEN = 'Personal Access Token over HTTPS';
const NS = 'flux-system';

/**
 * Flux's real controllers (support/controller-pool.mjs) start when the progress notification
 * reaches the health step (the notification is text for humans; the event carries the branch's
 * tip as the revision).
 */
function healthWatcher(standIn, repo) {
  return (value) => {
    if (!/reconcile \S+@sha1:/.test(value.message ?? '')) return;
    standIn.onEvent({ type: 'step', step: 'health', message: value.message, revision: `main@sha1:${gitIn(repo, 'rev-parse', 'main')}` });
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

/**
 * The leak scan of one test (tests/e2e/support/leak-scan.mjs): the secrets, in every encoded
 * form, in no recorded call nor the output channel, no object of the world's repositories and no
 * cluster object but the Git Secret's data.
 */
async function assertNoLeak(stub, world, secret, secrets) {
  assert.ok(!JSON.stringify(stub.calls).includes(secret), 'the secret is in no recorded call');
  assert.ok(!outputText(stub).includes(secret), 'the secret is not in the output channel');
  const root = (server) => server.repoDir('o', 'p', 'r').split('/').slice(0, -3).join('/');
  await assertNoLeaks(secrets, {
    values: [stub.calls, outputText(stub)],
    repos: [...bareReposUnder(root(world.git)), ...bareReposUnder(root(world.sshd))],
    cluster: { get: (path) => getObject(world.cluster, path), allowedSecrets: [`${NS}/${NS}`] },
  });
}

describe('Bootstrap Cluster over HTTPS with a PAT', () => {
  let world;
  let controllers;
  before(async () => {
    world = await startWorld();
    controllers = controllerPool(world.cluster);
  });
  after(async () => {
    await controllers?.stopAll();
    await world?.stop();
  });

  const compare = async () => {
    const { cluster, git, pat } = world;
    const context = await currentContext(cluster.kubeconfigPath);
    const stub = await withKubeconfig(cluster.kubeconfigPath, () =>
      runCommand('fluxAzdo.previewManifests', {
        settings: { 'fluxAzdo.manifests': bundleDir, 'fluxAzdo.caFile': git.caFile },
        answers: [
          ['Repository URL', git.repoUrl('org', 'project', 'vscode')],
          ['Branch', 'main'],
          ['Path in the repository', 'clusters/my-cluster'],
          ['authenticates', TITLE_TOKEN],
          ['Preview the files', 'Compare with repository and cluster'],
          ['Personal Access Token', pat],
          ['Remember the token', 'Remember it in VS Code’s secret storage'],
          ['Kubernetes context', context],
        ],
      }),
    );
    assert.deepEqual(stub.remaining, []);
    assert.deepEqual(callsOf(stub, 'showErrorMessage'), []);
    const shown = callsOf(stub, 'showTextDocument');
    assert.equal(shown.length, 1);
    assert.match(shown[0].args[0], /\/bootstrap-plan\.diff$/);
    const doc = await stub.vscode.workspace.openTextDocument(stub.vscode.Uri.parse(shown[0].args[0]));
    // A dry run proves nothing about the token's write scope: it is not remembered.
    assert.equal(callsOf(stub, 'secrets.store').length, 0);
    await assertNoLeak(stub, world, pat, { pats: [pat] });
    return doc.getText();
  };

  test('Compare, before anything: every file and object would be created', async () => {
    world.git.createRepo('org', 'project', 'vscode');
    const plan = await compare();
    for (const file of ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml']) {
      assert.match(plan, new RegExp(`^# clusters/my-cluster/flux-system/${file.replace('.', '\\.')}: create$`, 'm'));
    }
    assert.match(plan, /^\+\+\+ b\/clusters\/my-cluster\/flux-system\/gotk-sync\.yaml/m);
    assert.match(plan, /^# {3}create {4}Deployment\/flux-system\/source-controller$/m);
    assert.match(plan, /^# {3}create {4}Secret\/flux-system\/flux-system$/m);
    assert.deepEqual(refs(world.git.repoDir('org', 'project', 'vscode')), {}, 'the repository is still empty');
  });

  test('Cancel in the progress notification stops before the first commit', async () => {
    const { cluster, git, pat } = world;
    const context = await currentContext(cluster.kubeconfigPath);
    const stub = await withKubeconfig(cluster.kubeconfigPath, () =>
      runCommand('fluxAzdo.bootstrap', {
        settings: { 'fluxAzdo.manifests': bundleDir, 'fluxAzdo.caFile': git.caFile },
        answers: [
          ['Repository URL', git.repoUrl('org', 'project', 'vscode')],
          ['Branch', 'main'],
          ['Path in the repository', 'clusters/my-cluster'],
          ['authenticates', TITLE_TOKEN],
          ['pushes the bootstrap commits', 'Personal Access Token'],
          ['Personal Access Token', pat],
          ['Remember the token', 'Remember it in VS Code’s secret storage'],
          ['Kubernetes context', context],
        ],
        onProgress: (value, cancel) => {
          if (value.message?.startsWith('cloning')) cancel();
        },
      }),
    );
    assert.equal(callsOf(stub, 'progress.cancel').length, 1);
    const warnings = callsOf(stub, 'showWarningMessage');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].args[0], /\(CANCELLED\)/);
    assert.deepEqual(callsOf(stub, 'showErrorMessage'), []);
    assert.deepEqual(refs(git.repoDir('org', 'project', 'vscode')), {}, 'nothing committed');
    assert.equal(callsOf(stub, 'secrets.store').length, 0, 'a cancelled run proves nothing about the token');
    await assertNoLeak(stub, world, pat, { pats: [pat] });
  });

  test('bootstraps, remembers the token that worked, and a re-run with it converges', async () => {
    const { cluster, git, pat } = world;
    const repo = git.repoDir('org', 'project', 'vscode');
    const url = git.repoUrl('org', 'project', 'vscode');
    const context = await currentContext(cluster.kubeconfigPath);
    const settings = { 'fluxAzdo.manifests': bundleDir, 'fluxAzdo.caFile': git.caFile };
    const run = (answers, secrets = {}) =>
      withKubeconfig(cluster.kubeconfigPath, async () => {
        const standIn = controllers.watch(NS);
        const stub = await runCommand('fluxAzdo.bootstrap', { settings, answers, secrets, onProgress: healthWatcher(standIn, repo) });
        await standIn.settled();
        return stub;
      });
    const common = [
      ['Repository URL', url],
      ['Branch', 'main'],
      ['Path in the repository', 'clusters/my-cluster'],
      ['authenticates', TITLE_TOKEN],
      ['pushes the bootstrap commits', 'Personal Access Token'],
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
    assert.deepEqual(
      commits.map((c) => c.message),
      ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests'],
    );
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
    await assertNoLeak(first, world, pat, { pats: [pat] });

    const second = await run(
      [...common, ['remembered', 'Use the remembered token'], ['Kubernetes context', context]],
      Object.fromEntries(first.secretsStore),
    );
    assert.deepEqual(second.remaining, []);
    assert.deepEqual(callsOf(second, 'showErrorMessage'), []);
    assert.equal(history(repo).length, 2, 'nothing new to commit');
    assert.equal(callsOf(second, 'showInformationMessage').length, 1);
    await assertNoLeak(second, world, pat, { pats: [pat] });
  });

  test('Compare, after the bootstrap: nothing would change', async () => {
    const plan = await compare();
    for (const file of ['gotk-components.yaml', 'gotk-sync.yaml', 'kustomization.yaml']) {
      assert.match(plan, new RegExp(`^# clusters/my-cluster/flux-system/${file.replace('.', '\\.')}: unchanged$`, 'm'));
    }
    assert.doesNotMatch(plan, /^(\+\+\+|---) /m);
    assert.match(plan, /^# {3}unchanged Deployment\/flux-system\/source-controller$/m);
  });
});

describe('Bootstrap Cluster over SSH with a generated deploy key', () => {
  let world;
  let controllers;
  before(async () => {
    world = await startWorld();
    controllers = controllerPool(world.cluster);
  });
  after(async () => {
    await controllers?.stopAll();
    await world?.stop();
  });

  test('the modal shows the public key, copies it, and "I Added It" carries on', async () => {
    const { cluster, sshd } = world;
    const repo = sshd.createRepo('org', 'project', 'vscode-ssh');
    const context = await currentContext(cluster.kubeconfigPath);
    const modals = [];
    const standIn = controllers.watch(NS);
    const stub = await withKubeconfig(cluster.kubeconfigPath, () =>
      runCommand('fluxAzdo.bootstrap', {
        settings: { 'fluxAzdo.manifests': bundleDir },
        answers: [
          ['Repository URL', sshd.repoUrl('org', 'project', 'vscode-ssh')],
          ['Branch', 'main'],
          ['Path in the repository', 'clusters/my-cluster'],
          ['authenticates', 'SSH key'],
          ['Kubernetes context', context],
        ],
        onProgress: healthWatcher(standIn, repo),
        onMessage: (kind, text, options, buttons) => {
          if (!options.modal) return undefined;
          modals.push({ kind, text, detail: options.detail, buttons });
          if (modals.length === 1) return 'Copy Public Key';
          // The user pastes the key into Azure DevOps (here: the sshd's authorized keys).
          const publicKey = /^(ssh-rsa \S+)$/m.exec(options.detail)[1];
          sshd.addAuthorizedKey(`${publicKey}\n`);
          return 'I Added It';
        },
      }),
    );
    await standIn.settled();
    assert.deepEqual(stub.remaining, []);
    assert.deepEqual(callsOf(stub, 'showErrorMessage'), []);
    // An SSH push needs no PAT: none was asked for.
    assert.equal(callsOf(stub, 'showInputBox').filter((c) => c.args[0].password).length, 0);

    assert.equal(modals.length, 2, 'the modal comes back after "Copy Public Key"');
    // Not on dev.azure.com: there is no SSH keys page to open.
    assert.deepEqual(modals[0].buttons, ['Copy Public Key', 'I Added It']);
    const data = await secretData(cluster);
    const publicKey = data['identity.pub'];
    assert.match(publicKey, /^ssh-rsa AAAA\S+\n$/);
    assert.ok(modals[0].detail.startsWith(publicKey.trim()), 'the modal shows the public key');
    assert.deepEqual(
      callsOf(stub, 'clipboard.writeText').map((c) => c.args[0]),
      [publicKey.trim()],
    );

    const commits = history(repo);
    assert.deepEqual(
      commits.map((c) => c.message),
      ['Add Flux sync manifests', 'Add Flux v2.9.4 component manifests'],
    );
    assert.equal(callsOf(stub, 'showInformationMessage').filter((c) => !c.args[1]?.modal).length, 1);
    // The private half stays in the cluster's Secret.
    await assertNoLeak(stub, world, data.identity.split('\n')[1], { privateKeys: [data.identity], publicKeys: [publicKey] });
  });
});
