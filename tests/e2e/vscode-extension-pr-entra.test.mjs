// The extension's "Bootstrap Cluster…" through the recording `vscode` stub against the real
// servers, for the two ways past a PAT-bound direct push: a branch with policies refuses the
// push (BRANCH_PROTECTED) and the error's "Open a Pull Request Instead" re-runs the bootstrap as
// a pull request, whose link the notifications carry; and "Sign in with Microsoft", where the
// stub's `authentication.getSession` answers with a token of the Entra-shaped token service
// (tests/servers/entra) and the push goes with it as a Bearer token.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { after, before, describe, test } from 'node:test';

import { bootstrap } from '../../npm/dist/index.js';
import { startCluster } from '../harness/cluster.mjs';
import { startEntraTokenService } from '../servers/entra/index.mjs';
import { startGitHttpsServer } from '../servers/git-https.mjs';
import { bundleDir, getObject, git as gitIn, history, refs, startWorld } from './support/bootstrap-env.mjs';
import { controllerPool } from './support/controller-pool.mjs';
import { assertNoLeaks, bareReposUnder } from './support/leak-scan.mjs';
import { callsOf, outputText, runCommand } from './support/vscode-stub.mjs';

const TOKEN_AUTH = 'Personal Access Token over HTTPS';
const NS = 'flux-system';
const AZURE_DEVOPS_SCOPE = '499b84ac-1321-427f-aa17-267ca6975798/.default';

/** Flux's real controllers (support/controller-pool.mjs) start once the progress notification reaches the health step. */
function healthWatcher(standIn, repo, branch = 'main') {
  return (value) => {
    if (!/reconcile \S+@sha1:/.test(value.message ?? '')) return;
    standIn.onEvent({
      type: 'step',
      step: 'health',
      message: value.message,
      revision: `${branch}@sha1:${gitIn(repo, 'rev-parse', branch)}`,
    });
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

/** One HTTPS call with a JSON or form body; the answer's status and parsed body. */
function call(url, { method = 'GET', ca, headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('a protected branch: Open a Pull Request Instead', () => {
  const reviewerPat = `fake-pat-reviewer-${randomBytes(8).toString('hex')}`;
  let world;
  let controllers;
  let reviewer;
  before(async () => {
    world = await startWorld({ gitUsers: [{ pat: reviewerPat, displayName: 'Reviewer' }] });
    controllers = controllerPool(world.cluster);
    reviewer = world.git.identities.find((u) => u.displayName === 'Reviewer');
  });
  after(async () => {
    await controllers?.stopAll();
    await world?.stop();
  });

  const asReviewer = (method, path, body) =>
    call(new URL(`${world.git.baseUrl}${path}?api-version=7.1`), {
      method,
      ca: readFileSync(world.git.caFile),
      headers: {
        Authorization: `Basic ${Buffer.from(`reviewer:${reviewerPat}`).toString('base64')}`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  test('BRANCH_PROTECTED offers the pull request; pressing it opens one, and the notifications link it', { timeout: 600_000 }, async () => {
    const { cluster, git, pat } = world;
    const name = 'vscode-protected';
    const bare = git.createRepo('org', 'project', name, { empty: false });
    git.rest.addPolicy('org', 'project', name, { branch: 'main', type: 'minimumApprovalCount', minimumApproverCount: 1 });
    const before = gitIn(bare, 'rev-parse', 'main');
    const context = await currentContext(cluster.kubeconfigPath);
    const prPath = (id) => `/org/project/_apis/git/repositories/${name}/pullRequests/${id}`;
    let review;
    const standIn = controllers.watch(NS);
    const stub = await withKubeconfig(cluster.kubeconfigPath, () =>
      runCommand('fluxAzdo.bootstrap', {
        settings: { 'fluxAzdo.manifests': bundleDir, 'fluxAzdo.caFile': git.caFile, 'fluxAzdo.timeout': '5m' },
        answers: [
          ['Repository URL', git.repoUrl('org', 'project', name)],
          ['Branch', 'main'],
          ['Path in the repository', 'clusters/my-cluster'],
          ['authenticates', TOKEN_AUTH],
          ['pushes the bootstrap commits', 'Personal Access Token'],
          ['Personal Access Token', pat],
          ['Remember the token', 'Use it this time only'],
          ['Kubernetes context', context],
        ],
        onProgress: healthWatcher(standIn, bare),
        onMessage: (kind, text, _options, buttons) => {
          if (kind === 'showErrorMessage' && buttons.includes('Open a Pull Request Instead')) return 'Open a Pull Request Instead';
          const open = /^Pull request (\d+) is open: (\S+) /.exec(text);
          if (kind === 'showInformationMessage' && open) {
            // The reviewer approves and completes it while the bootstrap waits for the merge.
            const id = Number(open[1]);
            review = (async () => {
              assert.equal((await asReviewer('PUT', `${prPath(id)}/reviewers/${reviewer.id}`, { vote: 10 })).status, 200);
              const pr = await asReviewer('GET', prPath(id));
              const done = await asReviewer('PATCH', prPath(id), {
                status: 'completed',
                lastMergeSourceCommit: pr.body.lastMergeSourceCommit,
                completionOptions: { mergeStrategy: 'noFastForward' },
              });
              assert.equal(done.status, 200, JSON.stringify(done.body));
            })();
            return 'Open Pull Request';
          }
          return undefined;
        },
      }),
    );
    await review;
    await standIn.settled();
    assert.deepEqual(stub.remaining, []);

    // The refusal, with the button, before anything changed.
    const errors = callsOf(stub, 'showErrorMessage');
    assert.equal(errors.length, 1);
    assert.match(errors[0].args[0], /\(BRANCH_PROTECTED\)/);
    assert.deepEqual(errors[0].args.slice(1), ['Open a Pull Request Instead', 'Show Log']);

    // The pull request exists on the REST server, from the bootstrap's branch into main.
    const infos = callsOf(stub, 'showInformationMessage');
    const opened = /^Pull request (\d+) is open: (\S+) /.exec(infos[0].args[0]);
    assert.ok(opened, infos[0].args[0]);
    const pr = await asReviewer('GET', prPath(Number(opened[1])));
    assert.equal(pr.status, 200);
    assert.equal(pr.body.targetRefName, 'refs/heads/main');
    assert.equal(pr.body.status, 'completed');
    const url = opened[2];
    assert.ok(url.endsWith(`/pullrequest/${opened[1]}`), url);
    assert.deepEqual(infos[0].args.slice(1), ['Open Pull Request']);
    assert.deepEqual(
      callsOf(stub, 'openExternal').map((c) => c.args[0]),
      [url],
    );

    // The success names the pull request too, with its button, and the cluster syncs the merge.
    assert.equal(infos.length, 2);
    assert.ok(infos[1].args[0].startsWith('Flux is bootstrapped: the cluster reconciles main@sha1:'), infos[1].args[0]);
    assert.ok(infos[1].args[0].includes(url));
    assert.deepEqual(infos[1].args.slice(1), ['Open Pull Request', 'Show Log']);
    assert.notEqual(gitIn(bare, 'rev-parse', 'main'), before, 'main holds the merge');
    assert.ok(
      callsOf(stub, 'progress.report').some((c) => (c.args[0].message ?? '').includes(url)),
      'the waiting progress names it',
    );
    assert.ok(!JSON.stringify(stub.calls).includes(pat));
    assert.ok(!outputText(stub).includes(pat));
  });
});

describe('Sign in with Microsoft: the push with a token from VS Code’s Microsoft session', () => {
  let cluster;
  let controllers;
  let entra;
  let git;
  let sp;
  const clusterPat = `fake-pat-cluster-${randomBytes(12).toString('hex')}`;
  before(async () => {
    [cluster, entra] = await Promise.all([startCluster(), startEntraTokenService()]);
    controllers = controllerPool(cluster);
    // The PAT can only read (403 on receive-pack): every push that lands went with the Bearer token.
    git = await startGitHttpsServer({ readOnlyPat: clusterPat, entra: { service: entra } });
    sp = entra.addServicePrincipal({ clientSecret: true });
  });
  after(async () => {
    await controllers?.stopAll();
    await Promise.allSettled([cluster?.stop(), entra?.stop(), git?.stop()]);
  });

  /**
   * What VS Code's Microsoft provider hands the extension: a session whose access token the
   * token service issued for Azure DevOps (client credentials stand in for the user's sign-in).
   */
  const getSession = async (providerId, scopes) => {
    assert.equal(providerId, 'microsoft');
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sp.clientId,
      client_secret: sp.clientSecret,
      scope: scopes.join(' '),
    });
    const res = await call(new URL(`${entra.authorityHost}/${sp.tenantId}/oauth2/v2.0/token`), {
      method: 'POST',
      ca: entra.caPem,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return { id: 'session', accessToken: res.body.access_token, account: { id: sp.objectId, label: 'user@example.test' }, scopes };
  };

  test('pushes with the session’s Bearer token; the cluster reads with its own read-only PAT; the token is kept nowhere', {
    timeout: 600_000,
  }, async () => {
    const name = 'vscode-entra';
    const bare = git.createRepo('org', 'project', name);
    const context = await currentContext(cluster.kubeconfigPath);
    const pushesBefore = git.stats.pushes;
    const standIn = controllers.watch(NS);
    const stub = await withKubeconfig(cluster.kubeconfigPath, () =>
      runCommand('fluxAzdo.bootstrap', {
        settings: { 'fluxAzdo.manifests': bundleDir, 'fluxAzdo.caFile': git.caFile },
        answers: [
          ['Repository URL', git.repoUrl('org', 'project', name)],
          ['Branch', 'main'],
          ['Path in the repository', 'clusters/my-cluster'],
          ['authenticates', TOKEN_AUTH],
          ['pushes the bootstrap commits', 'Sign in with Microsoft'],
          // The cluster reads with a PAT (token auth): the core still asks for one.
          ['Personal Access Token', clusterPat],
          ['Remember the token', 'Use it this time only'],
          ['Kubernetes context', context],
        ],
        getSession,
        onProgress: healthWatcher(standIn, bare),
      }),
    );
    await standIn.settled();
    assert.deepEqual(stub.remaining, []);
    assert.deepEqual(callsOf(stub, 'showErrorMessage'), []);
    const sessions = callsOf(stub, 'authentication.getSession');
    assert.ok(sessions.length >= 1);
    assert.deepEqual(sessions[0].args, ['microsoft', [AZURE_DEVOPS_SCOPE], { createIfNone: true }]);
    assert.equal(history(bare).length, 2);
    assert.ok(git.stats.pushes - pushesBefore >= 2);
    assert.equal(git.stats.bearerRefused ?? 0, 0);
    const tokens = entra.issued.filter((i) => i.clientId === sp.clientId).map((i) => i.token);
    assert.ok(tokens.length >= 1, 'the session’s token was issued by the token service');
    // The Secret holds the cluster's PAT, never the Entra token.
    const secret = await getObject(cluster, `/api/v1/namespaces/${NS}/secrets/${NS}`);
    assert.equal(Buffer.from(secret.body.data.password, 'base64').toString(), clusterPat);
    assert.equal(callsOf(stub, 'secrets.store').length, 0, 'neither the token nor the PAT went to SecretStorage');
    assert.equal(callsOf(stub, 'configuration.update').length, 0);
    const root = git.repoDir('o', 'p', 'r').split('/').slice(0, -3).join('/');
    await assertNoLeaks(
      { entraTokens: tokens, clientSecrets: [sp.clientSecret] },
      {
        values: [stub.calls, outputText(stub)],
        repos: bareReposUnder(root),
        cluster: { get: (path) => getObject(cluster, path), allowedSecrets: [] },
      },
    );
  });

  test('the `external` kind without the caller’s credential stops with AUTH_NO_AZURE_CREDENTIAL before anything is pushed', async () => {
    const name = 'vscode-entra-none';
    const bare = git.createRepo('org', 'project', name);
    const events = [];
    const err = await bootstrap(
      {
        url: git.repoUrl('org', 'project', name),
        azureCredential: 'external',
        caFile: git.caFile,
        branch: 'main',
        kubeconfig: cluster.kubeconfigPath,
        manifests: bundleDir,
      },
      { onEvent: (e) => events.push(e) },
    ).then(
      () => assert.fail('bootstrap must fail'),
      (error) => error,
    );
    assert.equal(err.code, 'AUTH_NO_AZURE_CREDENTIAL', err.message);
    assert.equal(err.option, 'azure-credential');
    assert.equal(events.find((e) => e.type === 'error')?.code, 'AUTH_NO_AZURE_CREDENTIAL');
    assert.deepEqual(refs(bare), {}, 'nothing was pushed');
  });
});
